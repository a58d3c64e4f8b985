import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataPolicy
import PublicDataPricing
import PublicDataWorkflow

/// Builds the Art. 32 yearly disclosure input from the workflow's events in a store.
///
/// The workflow layer records everything a disclosure needs; this folds the global log once into the
/// `DisclosureInput` of `PublicDataAudit` (render it with `Disclosure(_:)` as JSON or Markdown):
/// - **authorizations**: agreements activated on or before the period's last day whose term overlaps the
///   period, with their scope (catalog entries and fields), term and the fee caps set for their products;
/// - **operators**: the resources of data requests granted to them by the period's end, the products they
///   published, the fee of each price plan with the revenue invoiced in the period, and data usage per source
///   catalog entry (calls = metered units, records = usage records) with the purposes of use;
/// - **checkpoint**: the first audit checkpoint signed after the period (else the last one signed).
///
/// Names: catalog entries and operators carry their names in the events; an implementing agency does not, so
/// its section is named after the plan it implements.
public enum DisclosureBuilder {
    /// Builds the disclosure input for `period` from `events` (the whole global log, in position order).
    /// - Parameters:
    ///   - events: The store's events.
    ///   - period: The period disclosed.
    ///   - calendar: The calendar that turns event instants into Beijing days.
    ///   - parameters: The policy parameters; `disclosureDeadlineMonth`/`disclosureDeadlineDay` set the due date.
    /// - Returns: The input for `Disclosure(_:)`.
    /// - Throws: `DecodingError` when a workflow event's payload is unreadable.
    public static func input(
        from events: [RecordedEvent],
        period: DisclosurePeriod,
        calendar: some WorkingDayCalendar = StandardWorkingDayCalendar(),
        parameters: PolicyParameters = Policy.beijingDefault.parameters
    ) throws -> DisclosureInput {
        var fold = Fold()
        for event in events {
            let day = calendar.civilDate(of: event.occurredAt)
            guard day <= period.end else {
                if fold.checkpointAfter == nil {
                    fold.checkpointAfter = Ledger.recordedCheckpoint(in: event)
                }
                continue
            }
            try fold.apply(event, day: day, period: period)
        }
        var input = fold.input(period: period)
        input.dueDate = period.dueDate(
            deadlineMonth: parameters.disclosureDeadlineMonth,
            deadlineDay: parameters.disclosureDeadlineDay
        )
        return input
    }

    private struct Fold {
        var entries: [CatalogEntryID: CatalogEntry] = [:]
        var plans: [PlanID: ImplementationPlan] = [:]
        var operatorNames: [PartyID: String] = [:]
        var terms: [AgreementID: AgreementTerms] = [:]
        var activated: Set<AgreementID> = []
        var endedBefore: [AgreementID: CivilDate] = [:]
        var requests: [DataRequestID: DataRequestSpec] = [:]
        var granted: [AgreementID: [DataRequestID]] = [:]
        var products: [ProductID: ProductSpec] = [:]
        var published: [ProductID: PricePlan] = [:]
        var caps: [ProductID: FeeCap] = [:]
        var revenue: [ProductID: Money] = [:]
        var usage: [CatalogEntryID: (calls: Int64, records: Int64, purposes: Set<String>)] = [:]
        var lastCheckpoint: SignedCheckpoint?
        var checkpointAfter: SignedCheckpoint?

        mutating func apply(_ event: RecordedEvent, day: CivilDate, period: DisclosurePeriod) throws {
            if event.type == Ledger.checkpointEventType {
                lastCheckpoint = Ledger.recordedCheckpoint(in: event)
                return
            }
            guard ProcessKind.of(event.streamID) != nil else { return }
            let payload = try event.decodePayload(WorkflowPayload.self)
            switch event.type {
            case "catalog.entryPublished", "catalog.feedbackEntryPublished":
                if let entry = payload.catalogEntry { entries[entry.id] = entry }
            case "plan.drafted", "plan.amended":
                if let plan = payload.plan { plans[plan.id] = plan }
            case "selection.applied":
                if let application = payload.application { operatorNames[application.candidate] = application.name }
            case "agreement.drafted":
                if let terms = payload.terms { self.terms[terms.id] = terms }
            case "agreement.activated":
                if let id = payload.agreementID { activated.insert(id) }
            case "agreement.terminated", "agreement.terminatedByEvaluation", "agreement.revoked", "agreement.expired":
                if let id = payload.agreementID, day < period.start { endedBefore[id] = day }
            case "dataRequest.submitted":
                if let request = payload.request { requests[request.id] = request }
            case "dataRequest.granted", "dataRequest.coReviewApproved":
                if let id = payload.dataRequestID, let agreement = payload.agreementID,
                    !(granted[agreement]?.contains(id) ?? false)
                {
                    granted[agreement, default: []].append(id)
                }
            case "product.drafted":
                if let product = payload.product { products[product.id] = product }
            case "product.feeCapSet":
                for cap in payload.feeCaps ?? [] { caps[cap.product] = cap }
            case "product.published":
                if let id = payload.productID, let plan = payload.pricePlan { published[id] = plan }
            case "settlement.usageRecorded":
                guard day >= period.start, let record = payload.usage, let product = products[record.product]
                else { return }
                for entry in product.sourceEntries {
                    var line = usage[entry] ?? (0, 0, [])
                    line.calls += record.quantity
                    line.records += 1
                    line.purposes.insert((payload.purpose ?? .industryDevelopment).rawValue)
                    usage[entry] = line
                }
            case "settlement.periodClosed", "settlement.accountsSettled", "settlement.settledOnExit":
                guard day >= period.start else { return }
                for invoice in payload.invoices ?? [] {
                    revenue[invoice.product] =
                        (try? (revenue[invoice.product] ?? .zero).adding(invoice.total))
                        ?? revenue[invoice.product]
                }
            default:
                break
            }
        }

        func resource(_ item: ScopeItem) -> AuthorizedResource {
            AuthorizedResource(
                entry: item.entry,
                name: entries[item.entry]?.name ?? item.entry.rawValue,
                fields: item.fields
            )
        }

        func input(period: DisclosurePeriod) -> DisclosureInput {
            let inForce = terms.values.filter {
                activated.contains($0.id) && endedBefore[$0.id] == nil && $0.start <= period.end
                    && $0.end >= period.start
            }
            .sorted { $0.id < $1.id }
            var agencies: [PartyID: [AuthorizationDisclosure]] = [:]
            var operatorAgreements: [PartyID: [AgreementTerms]] = [:]
            for terms in inForce {
                let productIDs = products.values.filter { $0.agreement == terms.id }.map(\.id).sorted()
                let requestLines = (granted[terms.id] ?? []).compactMap { requests[$0] }.map {
                    "\($0.id) (\($0.purpose.rawValue), \($0.delivery.rawValue))"
                }
                let mode = plans[terms.plan]?.authorizationMode?.rawValue ?? "—"
                let scope =
                    "授权模式 (mode) \(mode); 已批准数据申请 (granted requests): "
                    + (requestLines.isEmpty ? "none" : requestLines.joined(separator: ", "))
                agencies[terms.implementingAgency, default: []].append(
                    AuthorizationDisclosure(
                        agreement: terms.id,
                        operatorParty: terms.operatorParty,
                        operatorName: operatorNames[terms.operatorParty] ?? terms.operatorParty.rawValue,
                        resources: terms.scope.map(resource),
                        scope: scope,
                        start: terms.start,
                        end: terms.end,
                        feeCaps: productIDs.compactMap { id in
                            caps[id].map { disclosedCap($0, name: products[id]?.name) }
                        }
                    )
                )
                operatorAgreements[terms.operatorParty, default: []].append(terms)
            }
            let agencySections = agencies.map { party, authorizations in
                let planName = inForce.first { $0.implementingAgency == party }.flatMap { plans[$0.plan]?.name }
                return AgencyDisclosure(
                    party: party,
                    name: planName.map { "\($0) 实施机构 (implementing agency)" } ?? party.rawValue,
                    authorizations: authorizations
                )
            }
            let operatorSections = operatorAgreements.map { party, agreements in
                let ids = Set(agreements.map(\.id))
                var resources: [AuthorizedResource] = []
                var seen: Set<CatalogEntryID> = []
                for agreement in agreements {
                    for request in (granted[agreement.id] ?? []).compactMap({ requests[$0] }) {
                        for item in request.items where seen.insert(item.entry).inserted {
                            resources.append(
                                AuthorizedResource(
                                    entry: item.entry,
                                    name: entries[item.entry]?.name ?? item.entry.rawValue,
                                    fields: item.requestedFields
                                )
                            )
                        }
                    }
                }
                let own = products.values.filter { ids.contains($0.agreement) && published[$0.id] != nil }
                    .sorted { $0.id < $1.id }
                let listings = own.map {
                    ProductListing(
                        product: $0.id,
                        name: $0.name,
                        kind: $0.kind,
                        agreement: $0.agreement,
                        summary: "delivered as \($0.delivery.rawValue)"
                    )
                }
                let fees = own.compactMap { product -> ActualFee? in
                    guard let plan = published[product.id] else { return nil }
                    let (fee, unit) = Self.fee(plan.charge)
                    return ActualFee(
                        product: product.id,
                        fee: fee,
                        unit: unit,
                        trial: plan.feeStage == .trial,
                        revenue: revenue[product.id] ?? .zero
                    )
                }
                let sources = Set(own.flatMap(\.sourceEntries))
                let usageLines = sources.sorted().compactMap { entry -> DataUsage? in
                    guard let line = usage[entry] else { return nil }
                    return DataUsage(
                        entry: entry,
                        name: entries[entry]?.name ?? entry.rawValue,
                        calls: line.calls,
                        records: line.records,
                        purpose: line.purposes.sorted().joined(separator: ", ")
                    )
                }
                return OperatorDisclosure(
                    party: party,
                    name: operatorNames[party] ?? party.rawValue,
                    authorizedResources: resources,
                    products: listings,
                    actualFees: fees,
                    dataUsage: usageLines
                )
            }
            return DisclosureInput(
                period: period,
                agencies: agencySections,
                operators: operatorSections,
                ledgerCheckpoint: checkpointAfter ?? lastCheckpoint
            )
        }

        func disclosedCap(_ cap: FeeCap, name: String?) -> DisclosedFeeCap {
            let amount: Money
            let unit: String
            switch cap.limit {
            case .perProduct(let money):
                (amount, unit) = (money, "per product")
            case .perPeriod(let money):
                (amount, unit) = (money, "per period")
            case .perUnit(let meter, let price):
                amount = Money(fen: price.fen, currency: price.currency)
                unit = price.per == 1 ? "per \(meter.rawValue)" : "per \(price.per) \(meter.rawValue)s"
            }
            return DisclosedFeeCap(
                product: cap.product,
                productName: name ?? cap.product.rawValue,
                cap: amount,
                unit: unit
            )
        }

        static func fee(_ charge: ChargeModel) -> (Money, String) {
            switch charge {
            case .oneOff(let price): return (price, "per product (one-off)")
            case .subscription(let price): return (price, "per product per period")
            case .usage(let usage):
                let price: UnitPrice?
                switch usage.scheme {
                case .flat(let flat): price = flat
                case .graduated(let tiers), .volume(let tiers): price = tiers.first?.unitPrice
                case .package(let size, let blockPrice):
                    return (blockPrice, "per block of \(size) \(usage.unit.rawValue)s")
                }
                guard let price else { return (.zero, "per \(usage.unit.rawValue)") }
                let unit = price.per == 1 ? "per \(usage.unit.rawValue)" : "per \(price.per) \(usage.unit.rawValue)s"
                return (Money(fen: price.fen, currency: price.currency), unit)
            }
        }
    }
}
