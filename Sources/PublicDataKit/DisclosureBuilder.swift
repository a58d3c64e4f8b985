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
    /// - Throws: `WorkflowError` (code `corruptEvent`) when a workflow event cannot be read as its process's event.
    public static func input(
        from events: [RecordedEvent],
        period: DisclosurePeriod,
        calendar: some WorkingDayCalendar = StandardWorkingDayCalendar(),
        parameters: PolicyParameters = Policy.beijingDefault.parameters
    ) throws -> DisclosureInput {
        try sources(from: events, period: period, calendar: calendar, parameters: parameters).input
    }

    /// Builds the disclosure input for `period` and, for every line (`Disclosure.lineIDs`), the global
    /// positions of exactly the events the line is computed from.
    ///
    /// A line's events are those whose effect reaches the line's value: for a data usage line, the usage
    /// records and voids of products drawing on the entry (with the product definitions in force when each was
    /// recorded), the entry's catalog record, and the agreement, product and publication that put the entry on
    /// the operator's list; for an actual fee, the publication, the invoices and credit notes of the product
    /// in the period, and so on. Folding only a line's events yields the same line with the same events, which
    /// is how `DisclosureVerifier` checks one line without the rest of the log.
    ///
    /// One pass over the log, linear in its events. The frequent events — usage records and data requests'
    /// submissions and grants — are read member by member (`usage`, `purpose`, `request`, the trace keys), the
    /// members the lines use, and the other events it reads are decoded whole.
    /// - Parameters: As ``input(from:period:calendar:parameters:)``.
    /// - Returns: The input and each line's event positions (ascending).
    /// - Throws: `WorkflowError` (code `corruptEvent`) when a workflow event cannot be read as its process's event
    ///   (of a frequent event: a member the lines use).
    public static func sources(
        from events: [RecordedEvent],
        period: DisclosurePeriod,
        calendar: some WorkingDayCalendar = StandardWorkingDayCalendar(),
        parameters: PolicyParameters = Policy.beijingDefault.parameters
    ) throws -> DisclosureSources {
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
        var (input, lines) = fold.input(period: period)
        input.dueDate = period.dueDate(
            deadlineMonth: parameters.disclosureDeadlineMonth,
            deadlineDay: parameters.disclosureDeadlineDay
        )
        return DisclosureSources(input: input, lines: lines.mapValues { $0.sorted() })
    }

    /// The stored types of the workflow events a disclosure reads; every other event is skipped undecoded.
    private static let readTypes: Set<String> = {
        var types: Set<String> = []
        types.formUnion(
            [CatalogProcess.Event.Kind.entryPublished, .feedbackEntryPublished, .entryChanged].map(\.rawValue)
        )
        types.formUnion([PlanProcess.Event.Kind.drafted, .amended].map(\.rawValue))
        types.insert(SelectionProcess.Event.Kind.applied.rawValue)
        let agreementKinds: [AgreementProcess.Event.Kind] = [
            .drafted, .activated, .terminated, .terminatedByEvaluation, .revoked, .expired,
        ]
        types.formUnion(agreementKinds.map(\.rawValue))
        types.formUnion([DataRequestProcess.Event.Kind.submitted, .granted, .coReviewApproved].map(\.rawValue))
        types.formUnion([ProductProcess.Event.Kind.drafted, .feeCapSet, .published].map(\.rawValue))
        let settlementKinds: [SettlementProcess.Event.Kind] = [
            .usageRecorded, .periodClosed, .accountsSettled, .settledOnExit, .creditNoteIssued, .usageVoided,
            .usageRecordedInBatch,
        ]
        types.formUnion(settlementKinds.map(\.rawValue))
        return types
    }()

    /// The events a disclosure reads, by stored type: `nil` for those decoded whole with `EventEnvelope`, the
    /// members to read for the frequent ones (usage records and data requests' submissions and grants), which a
    /// busy log holds by the hundred thousand and whose other members (deadlines, notifications, the policy
    /// decision) no line depends on.
    static let reads: [String: Members?] = {
        var reads: [String: Members?] = [:]
        for type in readTypes { reads[type] = .some(nil) }
        let settlement: [(SettlementProcess.Event.Kind, Members.Read)] = [
            (.usageRecorded, .usage), (.usageRecordedInBatch, .usage), (.usageVoided, .voided),
        ]
        for (kind, read) in settlement { reads[kind.rawValue] = Members(process: .settlement, read: read) }
        let dataRequest: [(DataRequestProcess.Event.Kind, Members.Read)] = [
            (.submitted, .submitted), (.granted, .granted), (.coReviewApproved, .granted),
        ]
        for (kind, read) in dataRequest { reads[kind.rawValue] = Members(process: .dataRequest, read: read) }
        return reads
    }()

    /// Which members of a frequent event the fold reads, and of which process the event must be.
    struct Members {
        /// What the fold reads.
        enum Read {
            /// A usage record's product, quantity (`usage`) and purpose.
            case usage
            /// A voided record's product and quantity (`usage`).
            case voided
            /// A submitted data request (`request`).
            case submitted
            /// A grant's request and agreement (the trace keys `dataRequestID`, `agreementID`).
            case granted
        }

        /// The process whose streams carry the event.
        var process: ProcessKind
        /// What the fold reads.
        var read: Read

        static let usageKeys = FastJSONObject.Keys(["usage", "purpose"])
        static let requestKeys = FastJSONObject.Keys(["request"])
        static let grantKeys = FastJSONObject.Keys(["dataRequestID", "agreementID"])
    }

    /// The two members of a usage record's `usage` a usage line counts.
    private struct UsedUnits: Decodable {
        var product: ProductID
        var quantity: Int64
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
        var grantedIDs: Set<DataRequestID> = []
        var products: [ProductID: ProductSpec] = [:]
        var productsByAgreement: [AgreementID: [ProductID]] = [:]
        var published: [ProductID: PricePlan] = [:]
        var caps: [ProductID: FeeCap] = [:]
        var revenue: [ProductID: Money] = [:]
        var usage: [CatalogEntryID: (calls: Int64, records: Int64, purposes: Set<String>)] = [:]
        var lastCheckpoint: SignedCheckpoint?
        var checkpointAfter: SignedCheckpoint?
        // Where each piece of state came from (global positions): replaced when the state is replaced,
        // accumulated when it accumulates, so a line's sources are exactly the events its value depends on.
        var position: Int64 = 0
        var entrySources: [CatalogEntryID: Set<Int64>] = [:]
        var planSources: [PlanID: Set<Int64>] = [:]
        var operatorNameSources: [PartyID: Set<Int64>] = [:]
        var termsSources: [AgreementID: Set<Int64>] = [:]
        var activatedSources: [AgreementID: Set<Int64>] = [:]
        var requestSources: [DataRequestID: Set<Int64>] = [:]
        var grantSources: [DataRequestID: Set<Int64>] = [:]
        var productSources: [ProductID: Set<Int64>] = [:]
        var membershipSources: [ProductID: Set<Int64>] = [:]
        var publishedSources: [ProductID: Set<Int64>] = [:]
        var capSources: [ProductID: Set<Int64>] = [:]
        var revenueSources: [ProductID: Set<Int64>] = [:]
        var usageSources: [CatalogEntryID: Set<Int64>] = [:]

        mutating func apply(_ event: RecordedEvent, day: CivilDate, period: DisclosurePeriod) throws {
            position = event.globalPosition
            if event.type == Ledger.checkpointEventType {
                lastCheckpoint = Ledger.recordedCheckpoint(in: event)
                return
            }
            guard let read = DisclosureBuilder.reads[event.type], let kind = ProcessKind.of(event.streamID) else {
                return
            }
            if let members = read, members.process == kind, applyMembers(members, of: event, day: day, period: period) {
                return
            }
            switch kind {
            case .catalog: catalog(try EventEnvelope<CatalogProcess>(decoding: event))
            case .implementationPlan: plan(try EventEnvelope<PlanProcess>(decoding: event))
            case .operatorSelection: selection(try EventEnvelope<SelectionProcess>(decoding: event))
            case .agreement: agreement(try EventEnvelope<AgreementProcess>(decoding: event), day: day, period: period)
            case .dataRequest: dataRequest(try EventEnvelope<DataRequestProcess>(decoding: event))
            case .product: product(try EventEnvelope<ProductProcess>(decoding: event))
            case .settlement:
                settlement(try EventEnvelope<SettlementProcess>(decoding: event), day: day, period: period)
            case .registration, .scenario, .objection, .evaluation, .feedback, .zone, .disclosure, .monitor,
                .inspection, .consent, .partner, .useFiling, .securityRecord:
                break
            }
        }

        /// Folds a frequent event from the members its lines read, the same values the whole envelope would give;
        /// `false` when the fast reader cannot vouch for one of them (the caller then decodes the whole envelope,
        /// whose value or error is the answer).
        mutating func applyMembers(
            _ members: Members,
            of event: RecordedEvent,
            day: CivilDate,
            period: DisclosurePeriod
        ) -> Bool {
            switch members.read {
            case .usage:
                guard day >= period.start else { return true }
                guard let object = FastJSONObject(event.payload, keys: Members.usageKeys),
                    let used = object.decode(UsedUnits.self, 0), let purpose = object.decode(Purpose.self, 1)
                else { return false }
                recordUsage(of: used.product, used.quantity, purpose: purpose)
            case .voided:
                guard day >= period.start else { return true }
                guard let object = FastJSONObject(event.payload, keys: Members.usageKeys),
                    let used = object.decode(UsedUnits.self, 0)
                else { return false }
                voidUsage(of: used.product, used.quantity)
            case .submitted:
                guard let object = FastJSONObject(event.payload, keys: Members.requestKeys),
                    let request = object.decode(DataRequestSpec.self, 0)
                else { return false }
                submit(request)
            case .granted:
                guard let object = FastJSONObject(event.payload, keys: Members.grantKeys) else { return false }
                func identifier<Tag>(_ key: Int) -> Identifier<Tag>?? {
                    object.isAbsent(key) ? .some(nil) : object.decode(Identifier<Tag>.self, key).map { .some($0) }
                }
                guard let request: DataRequestID? = identifier(0), let agreement: AgreementID? = identifier(1) else {
                    return false
                }
                grant(request, under: agreement)
            }
            return true
        }

        mutating func catalog(_ envelope: EventEnvelope<CatalogProcess>) {
            switch envelope.event {
            case .entryPublished(let published), .feedbackEntryPublished(let published):
                entries[published.catalogEntry.id] = published.catalogEntry
                entrySources[published.catalogEntry.id] = [position]
            case .entryChanged(let changed):
                entries[changed.catalogEntry.id] = changed.catalogEntry
                entrySources[changed.catalogEntry.id] = [position]
            case .entryRetired: break
            }
        }

        mutating func plan(_ envelope: EventEnvelope<PlanProcess>) {
            switch envelope.event {
            case .drafted(let drafted), .amended(let drafted):
                plans[drafted.plan.id] = drafted.plan
                planSources[drafted.plan.id] = [position]
            default: break
            }
        }

        mutating func selection(_ envelope: EventEnvelope<SelectionProcess>) {
            if case .applied(let applied) = envelope.event {
                operatorNames[applied.application.candidate] = applied.application.name
                operatorNameSources[applied.application.candidate] = [position]
            }
        }

        mutating func agreement(_ envelope: EventEnvelope<AgreementProcess>, day: CivilDate, period: DisclosurePeriod) {
            switch envelope.event {
            case .drafted(let drafted):
                terms[drafted.terms.id] = drafted.terms
                termsSources[drafted.terms.id] = [position]
            case .activated:
                if let id = envelope.trace.agreementID, activated.insert(id).inserted {
                    activatedSources[id] = [position]
                }
            case .terminated, .terminatedByEvaluation, .revoked, .expired:
                if let id = envelope.trace.agreementID, day < period.start { endedBefore[id] = day }
            default: break
            }
        }

        mutating func dataRequest(_ envelope: EventEnvelope<DataRequestProcess>) {
            switch envelope.event {
            case .submitted(let submitted):
                submit(submitted.request)
            case .granted, .coReviewApproved:
                grant(envelope.trace.dataRequestID, under: envelope.trace.agreementID)
            default: break
            }
        }

        mutating func submit(_ request: DataRequestSpec) {
            requests[request.id] = request
            requestSources[request.id] = [position]
        }

        mutating func grant(_ request: DataRequestID?, under agreement: AgreementID?) {
            if let id = request, let agreement, grantedIDs.insert(id).inserted {
                granted[agreement, default: []].append(id)
                grantSources[id] = [position]
            }
        }

        mutating func product(_ envelope: EventEnvelope<ProductProcess>) {
            switch envelope.event {
            case .drafted(let drafted):
                if products.updateValue(drafted.product, forKey: drafted.product.id) == nil {
                    productsByAgreement[drafted.product.agreement, default: []].append(drafted.product.id)
                    membershipSources[drafted.product.id] = [position]
                }
                productSources[drafted.product.id] = [position]
            case .feeCapSet(let set):
                caps[set.feeCap.product] = set.feeCap
                capSources[set.feeCap.product] = [position]
            case .published(let publication):
                let product = envelope.trace.productID ?? publication.pricePlan.product
                published[product] = publication.pricePlan
                publishedSources[product] = [position]
            default: break
            }
        }

        mutating func settlement(
            _ envelope: EventEnvelope<SettlementProcess>,
            day: CivilDate,
            period: DisclosurePeriod
        ) {
            guard day >= period.start else { return }
            switch envelope.event {
            case .usageRecorded(let recorded), .usageRecordedInBatch(let recorded):
                recordUsage(of: recorded.usage.product, recorded.usage.quantity, purpose: recorded.purpose)
            case .periodClosed(let closed), .accountsSettled(let closed), .settledOnExit(let closed):
                for invoice in closed.invoices {
                    revenue[invoice.product] =
                        (try? (revenue[invoice.product] ?? .zero).adding(invoice.total))
                        ?? revenue[invoice.product]
                    revenueSources[invoice.product, default: []].insert(position)
                }
            case .creditNoteIssued(let issued):
                // Net revenue: a credit note reduces its product's revenue.
                let note = issued.creditNote
                revenue[note.product] =
                    (try? (revenue[note.product] ?? .zero).subtracting(note.amount)) ?? revenue[note.product]
                revenueSources[note.product, default: []].insert(position)
            case .usageVoided(let voided):
                voidUsage(of: voided.usage.product, voided.usage.quantity)
            case .revenueDistributed, .allowanceApproved, .yearClosed, .annualReportFiled,
                .annualReportOverdue:
                break
            }
        }

        /// A usage record (in the period) of `quantity` units of `id`: counted on each entry the product draws on.
        mutating func recordUsage(of id: ProductID, _ quantity: Int64, purpose: Purpose) {
            guard let product = products[id] else { return }
            let productLine = productSources[id]
            for entry in product.sourceEntries {
                Self.count(&usage[entry, default: (0, 0, [])], quantity, purpose: purpose.rawValue)
                Self.add(productLine, position, to: &usageSources[entry, default: []])
            }
        }

        /// A voided usage record (in the period): taken off the entries that have a usage line.
        mutating func voidUsage(of id: ProductID, _ quantity: Int64) {
            guard let product = products[id] else { return }
            let productLine = productSources[id]
            for entry in product.sourceEntries where usage[entry] != nil {
                Self.count(&usage[entry, default: (0, 0, [])], quantity, purpose: nil)
                Self.add(productLine, position, to: &usageSources[entry, default: []])
            }
        }

        /// Counts one usage record of `quantity` calls and its purpose on a usage line in place, or takes a voided
        /// record off it (`purpose` is `nil`).
        static func count(
            _ line: inout (calls: Int64, records: Int64, purposes: Set<String>),
            _ quantity: Int64,
            purpose: String?
        ) {
            if let purpose {
                line.calls += quantity
                line.records += 1
                line.purposes.insert(purpose)
            } else {
                line.calls -= quantity
                line.records -= 1
            }
        }

        /// Adds a product's sources and `position` to a line's sources in place.
        static func add(_ product: Set<Int64>?, _ position: Int64, to sources: inout Set<Int64>) {
            if let product { sources.formUnion(product) }
            sources.insert(position)
        }

        func resource(_ item: ScopeItem) -> AuthorizedResource {
            AuthorizedResource(
                entry: item.entry,
                name: entries[item.entry]?.name ?? item.entry.rawValue,
                fields: item.fields
            )
        }

        /// The sources of an agreement's being in force (its terms and its first activation).
        func agreementSources(_ id: AgreementID) -> Set<Int64> {
            (termsSources[id] ?? []).union(activatedSources[id] ?? [])
        }

        func input(period: DisclosurePeriod) -> (DisclosureInput, [String: Set<Int64>]) {
            let inForce = terms.values.filter {
                activated.contains($0.id) && endedBefore[$0.id] == nil && $0.start <= period.end
                    && $0.end >= period.start
            }
            .sorted { $0.id < $1.id }
            var lines: [String: Set<Int64>] = [:]
            var agencies: [PartyID: [AuthorizationDisclosure]] = [:]
            var agencyPlans: [PartyID: PlanID] = [:]
            var operatorAgreements: [PartyID: [AgreementTerms]] = [:]
            for terms in inForce {
                let productIDs = (productsByAgreement[terms.id] ?? []).sorted()
                let grantedRequests = (granted[terms.id] ?? []).filter { requests[$0] != nil }
                let requestLines = grantedRequests.compactMap { requests[$0] }.map {
                    "\($0.id) (\($0.purpose.rawValue), \($0.delivery.rawValue))"
                }
                let mode = plans[terms.plan]?.authorizationMode?.rawValue ?? "—"
                let scope =
                    "授权模式 (mode) \(mode); 已批准数据申请 (granted requests): "
                    + (requestLines.isEmpty ? "none" : requestLines.joined(separator: ", "))
                let capped = productIDs.filter { caps[$0] != nil }
                agencies[terms.implementingAgency, default: []].append(
                    AuthorizationDisclosure(
                        agreement: terms.id,
                        operatorParty: terms.operatorParty,
                        operatorName: operatorNames[terms.operatorParty] ?? terms.operatorParty.rawValue,
                        resources: terms.scope.map(resource),
                        scope: scope,
                        start: terms.start,
                        end: terms.end,
                        feeCaps: capped.compactMap { id in
                            caps[id].map { disclosedCap($0, name: products[id]?.name) }
                        }
                    )
                )
                var sources = agreementSources(terms.id)
                sources.formUnion(operatorNameSources[terms.operatorParty] ?? [])
                for item in terms.scope { sources.formUnion(entrySources[item.entry] ?? []) }
                sources.formUnion(planSources[terms.plan] ?? [])
                for request in grantedRequests {
                    sources.formUnion(grantSources[request] ?? [])
                    sources.formUnion(requestSources[request] ?? [])
                }
                for product in capped {
                    sources.formUnion(membershipSources[product] ?? [])
                    sources.formUnion(capSources[product] ?? [])
                    sources.formUnion(productSources[product] ?? [])
                }
                let section = "agencies[\(terms.implementingAgency)]"
                lines["\(section).authorizations[\(terms.id)]"] = sources
                if agencyPlans[terms.implementingAgency] == nil {
                    agencyPlans[terms.implementingAgency] = terms.plan
                    lines[section] = agreementSources(terms.id).union(planSources[terms.plan] ?? [])
                }
                operatorAgreements[terms.operatorParty, default: []].append(terms)
            }
            let agencySections = agencies.map { party, authorizations in
                let planName = agencyPlans[party].flatMap { plans[$0]?.name }
                return AgencyDisclosure(
                    party: party,
                    name: planName.map { "\($0) 实施机构 (implementing agency)" } ?? party.rawValue,
                    authorizations: authorizations
                )
            }
            var operatorSections: [OperatorDisclosure] = []
            for (party, agreements) in operatorAgreements {
                let prefix = "operators[\(party)]"
                lines[prefix] = agreementSources(agreements[0].id).union(operatorNameSources[party] ?? [])
                var resources: [AuthorizedResource] = []
                var seen: Set<CatalogEntryID> = []
                for agreement in agreements {
                    for id in granted[agreement.id] ?? [] {
                        guard let request = requests[id] else { continue }
                        for item in request.items where seen.insert(item.entry).inserted {
                            resources.append(
                                AuthorizedResource(
                                    entry: item.entry,
                                    name: entries[item.entry]?.name ?? item.entry.rawValue,
                                    fields: item.requestedFields
                                )
                            )
                            var sources = agreementSources(agreement.id)
                            sources.formUnion(grantSources[id] ?? [])
                            sources.formUnion(requestSources[id] ?? [])
                            sources.formUnion(entrySources[item.entry] ?? [])
                            lines["\(prefix).authorizedResources[\(item.entry)]"] = sources
                        }
                    }
                }
                var productLineSources: [ProductID: Set<Int64>] = [:]
                for agreement in agreements {
                    for id in productsByAgreement[agreement.id] ?? [] where published[id] != nil && products[id] != nil
                    {
                        var sources = agreementSources(agreement.id)
                        sources.formUnion(membershipSources[id] ?? [])
                        sources.formUnion(productSources[id] ?? [])
                        sources.formUnion(publishedSources[id] ?? [])
                        productLineSources[id] = sources
                    }
                }
                let own = agreements.flatMap { productsByAgreement[$0.id] ?? [] }
                    .compactMap { published[$0] != nil ? products[$0] : nil }
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
                for product in own {
                    lines["\(prefix).products[\(product.id)]"] = productLineSources[product.id] ?? []
                }
                let fees = own.compactMap { product -> ActualFee? in
                    guard let plan = published[product.id] else { return nil }
                    let (fee, unit) = Self.fee(plan.charge)
                    lines["\(prefix).actualFees[\(product.id)]"] = (productLineSources[product.id] ?? [])
                        .union(revenueSources[product.id] ?? [])
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
                    // On the list through the first of the operator's products drawing on the entry.
                    var lineSources = (usageSources[entry] ?? []).union(entrySources[entry] ?? [])
                    if let listed = own.first(where: { $0.sourceEntries.contains(entry) }) {
                        lineSources.formUnion(productLineSources[listed.id] ?? [])
                    }
                    lines["\(prefix).dataUsage[\(entry)]"] = lineSources
                    return DataUsage(
                        entry: entry,
                        name: entries[entry]?.name ?? entry.rawValue,
                        calls: line.calls,
                        records: line.records,
                        purpose: line.purposes.sorted().joined(separator: ", ")
                    )
                }
                operatorSections.append(
                    OperatorDisclosure(
                        party: party,
                        name: operatorNames[party] ?? party.rawValue,
                        authorizedResources: resources,
                        products: listings,
                        actualFees: fees,
                        dataUsage: usageLines
                    )
                )
            }
            let input = DisclosureInput(
                period: period,
                agencies: agencySections,
                operators: operatorSections,
                ledgerCheckpoint: checkpointAfter ?? lastCheckpoint
            )
            return (input, lines)
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
            case .oneOff(let price, _): return (price, "per product (one-off)")
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
