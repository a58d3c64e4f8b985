import PublicDataModel
import PublicDataPolicy
import PublicDataPricing

/// 数据产品和服务: a product or service built from granted data (Art. 20, 26–27): compliance assessment by the
/// policy, filing, registration, the fee cap (65号), publication with a versioned price book, withdrawal.
///
/// Every catalog entry a product is built from needs a live grant to its operator: a data request under the
/// agreement, granted or provisioned, that covers the entry (Art. 16, 20). Drafting and assessing refuse a
/// product with an ungranted source (``WorkflowError/Code/notAuthorized``, nothing recorded); when a grant is
/// revoked, every product built on an entry it alone covered is suspended (`product.suspended`, the operator
/// and the agency told) and may then only be withdrawn; the agreement's exit withdraws them.
public enum ProductProcess: WorkflowProcess {
    public static let kind = ProcessKind.product
    public static let commandKey = "product"
    public static let title = "Product or service (Art. 16, 20, 22, 26–27)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.refused, .withdrawn]

    /// The product's states.
    public enum State: String, ProcessStateKind {
        /// Drafted.
        case draft
        /// Assessed compliant.
        case compliant
        /// Refused by the policy.
        case refused
        /// Filed with the implementing agency.
        case filed
        /// Registered.
        case registered
        /// On the market, with a price plan in force.
        case published
        /// Suspended because a grant behind one of its sources ended (Art. 16, 20, 30); it may only be
        /// withdrawn.
        case suspended
        /// Withdrawn.
        case withdrawn
    }

    /// The product's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// Filing after the compliance assessment.
        case filing

        public var rule: String {
            "the end of `productFilingWorkingDays` working days after the compliance assessment; overdue → notice, once"
        }
    }

    /// What a product remembers.
    public struct Facts: Sendable, Hashable {
        /// The product.
        public var product: ProductSpec?
        /// The latest policy decision (compliance or pricing).
        public var decision: Decision?
        /// The fee caps set for it, in order.
        public var feeCaps: [FeeCap] = []
        /// Its price plan versions.
        public var priceBook: PriceBook?
        /// The registration recorded for it.
        public var registration: RegistrationID?

        /// The latest price plan version.
        public var pricePlan: PricePlan? { priceBook?.versions.last }
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Drafts a product.
        case draftProduct(product: ProductSpec)
        /// Assesses compliance under the product-release policy.
        case assessProductCompliance(product: ProductID)
        /// Files a compliant product with the implementing agency.
        case fileProduct(product: ProductID)
        /// Records the product's registration.
        case registerProduct(product: ProductID, registration: RegistrationID?)
        /// Publishes the product with a price plan, or a published product's next price plan version.
        case publishProduct(product: ProductID, plan: PricePlan)
        /// The authorizing body sets a fee cap (65号).
        case setFeeCap(product: ProductID, cap: FeeCap)
        /// Withdraws the product.
        case withdrawProduct(product: ProductID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case draftProduct, assessProductCompliance, fileProduct, registerProduct, setFeeCap, publishProduct
            case withdrawProduct

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .draftProduct:
                    CommandSpec(
                        [.operator],
                        ["Art. 16", "Art. 20"],
                        guards: [
                            "the operator of the agreement", "every source entry has a live grant to the operator",
                        ]
                    )
                case .assessProductCompliance:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 6", "Art. 16", "Art. 20", "Art. 26"],
                        guards: [
                            "the agency of the agreement", "every source entry has a live grant to the operator",
                            "the policy decides; a denial is recorded",
                        ]
                    )
                case .fileProduct: CommandSpec([.operator], ["Art. 20"], guards: ["the operator of the agreement"])
                case .registerProduct: CommandSpec([.dataAdministration], ["Art. 9"])
                case .setFeeCap:
                    CommandSpec([.implementingAgency], ["Art. 22", "65号"], guards: ["the agency of the agreement"])
                case .publishProduct:
                    CommandSpec(
                        [.operator],
                        ["Art. 22"],
                        guards: [
                            "the operator of the agreement", "the agreement is active",
                            "the policy's pricing point decides; a denial is recorded",
                            "every charged price is within its cap; a trial fee before a full year of operation",
                        ]
                    )
                case .withdrawProduct:
                    CommandSpec([.operator, .implementingAgency, .dataAdministration], ["Art. 30"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .draftProduct: .draftProduct
            case .assessProductCompliance: .assessProductCompliance
            case .fileProduct: .fileProduct
            case .registerProduct: .registerProduct
            case .publishProduct: .publishProduct
            case .setFeeCap: .setFeeCap
            case .withdrawProduct: .withdrawProduct
            }
        }

        public var instanceID: String {
            switch self {
            case .draftProduct(let product): product.id.rawValue
            case .assessProductCompliance(let id), .fileProduct(let id), .registerProduct(let id, _),
                .publishProduct(let id, _), .setFeeCap(let id, _), .withdrawProduct(let id, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .draftProduct(let product):
                check.id(product.id, "$.product.id")
                check.id(product.agreement, "$.product.agreement")
                check.text(product.name, "$.product.name")
                if product.sourceEntries.isEmpty { check.fail("$.product.sourceEntries", "names no catalog entry") }
            case .assessProductCompliance(let id), .fileProduct(let id), .registerProduct(let id, _):
                check.id(id, "$.product")
            case .publishProduct(let id, let plan):
                check.id(id, "$.product")
                check.add(plan.validationIssues(), under: "$.plan")
                if plan.product != id { check.fail("$.plan.product", "prices \(plan.product), not \(id)") }
            case .setFeeCap(let id, let cap):
                check.id(id, "$.product")
                check.id(cap.setBy, "$.cap.setBy")
                check.text(cap.source, "$.cap.source")
                if cap.product != id { check.fail("$.cap.product", "caps \(cap.product), not \(id)") }
            case .withdrawProduct(let id, let reason):
                check.id(id, "$.product")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A drafted product.
    public struct Drafted: Codable, Sendable, Hashable {
        /// The product.
        public var product: ProductSpec
    }

    /// A registration recorded for the product.
    public struct Registered: Codable, Sendable, Hashable {
        /// The registration, if one was named.
        public var registrationID: RegistrationID?
    }

    /// A published price plan version, with the pricing decision.
    public struct Published: Codable, Sendable, Hashable {
        /// The plan version.
        public var pricePlan: PricePlan
        /// The policy's pricing decision.
        public var decision: Decision
    }

    /// A fee cap.
    public struct CapSet: Codable, Sendable, Hashable {
        /// The cap.
        public var feeCap: FeeCap
    }

    /// A grant behind the product ended.
    public struct GrantEnded: Codable, Sendable, Hashable {
        /// The data request whose grant ended.
        public var dataRequest: DataRequestID
        /// The product's source entries no live grant covers any more.
        public var ungrantedEntries: [CatalogEntryID]
        /// Why the grant ended.
        public var reason: String
    }

    /// The events.
    public enum Event: ProcessEvent, DecisionCarrying {
        /// Drafted.
        case drafted(Drafted)
        /// Assessed compliant by the policy.
        case complianceAssessed(Decided)
        /// Refused by the policy.
        case releaseRefused(Decided)
        /// Filed.
        case filed
        /// Not filed in time.
        case filingOverdue
        /// Registered.
        case registered(Registered)
        /// A fee cap set.
        case feeCapSet(CapSet)
        /// Published (or re-priced) with a price plan version.
        case published(Published)
        /// The pricing decision refused the plan; the product stays where it was.
        case publicationRefused(Decided)
        /// Withdrawn.
        case withdrawn(Reasoned)
        /// Withdrawn by the exit procedure of the agreement.
        case withdrawnOnExit(Reasoned)
        /// Suspended because a grant behind it was revoked.
        case suspended(GrantEnded)
        /// Suspended by the policy monitor's re-judgement (Art. 30).
        case suspendedByMonitor(MonitorSuspension)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case drafted = "product.drafted"
            case complianceAssessed = "product.complianceAssessed"
            case releaseRefused = "product.releaseRefused"
            case filed = "product.filed"
            case filingOverdue = "product.filingOverdue"
            case registered = "product.registered"
            case feeCapSet = "product.feeCapSet"
            case published = "product.published"
            case publicationRefused = "product.publicationRefused"
            case withdrawn = "product.withdrawn"
            case withdrawnOnExit = "product.withdrawnOnExit"
            case suspended = "product.suspended"
            case suspendedByMonitor = "product.suspendedByMonitor"
        }

        public var kind: Kind {
            switch self {
            case .drafted: .drafted
            case .complianceAssessed: .complianceAssessed
            case .releaseRefused: .releaseRefused
            case .filed: .filed
            case .filingOverdue: .filingOverdue
            case .registered: .registered
            case .feeCapSet: .feeCapSet
            case .published: .published
            case .publicationRefused: .publicationRefused
            case .withdrawn: .withdrawn
            case .withdrawnOnExit: .withdrawnOnExit
            case .suspended: .suspended
            case .suspendedByMonitor: .suspendedByMonitor
            }
        }

        public var recordedDecision: Decision? {
            switch self {
            case .complianceAssessed(let decided), .releaseRefused(let decided), .publicationRefused(let decided):
                decided.decision
            case .published(let published): published.decision
            default: nil
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .drafted(let payload): try payload.encode(to: encoder)
            case .complianceAssessed(let payload), .releaseRefused(let payload), .publicationRefused(let payload):
                try payload.encode(to: encoder)
            case .registered(let payload): try payload.encode(to: encoder)
            case .feeCapSet(let payload): try payload.encode(to: encoder)
            case .published(let payload): try payload.encode(to: encoder)
            case .withdrawn(let payload), .withdrawnOnExit(let payload): try payload.encode(to: encoder)
            case .suspended(let payload): try payload.encode(to: encoder)
            case .suspendedByMonitor(let payload): try payload.encode(to: encoder)
            case .filed, .filingOverdue: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .drafted: self = .drafted(try Drafted(from: decoder))
            case .complianceAssessed: self = .complianceAssessed(try Decided(from: decoder))
            case .releaseRefused: self = .releaseRefused(try Decided(from: decoder))
            case .filed: self = .filed
            case .filingOverdue: self = .filingOverdue
            case .registered: self = .registered(try Registered(from: decoder))
            case .feeCapSet: self = .feeCapSet(try CapSet(from: decoder))
            case .published: self = .published(try Published(from: decoder))
            case .publicationRefused: self = .publicationRefused(try Decided(from: decoder))
            case .withdrawn: self = .withdrawn(try Reasoned(from: decoder))
            case .withdrawnOnExit: self = .withdrawnOnExit(try Reasoned(from: decoder))
            case .suspended: self = .suspended(try GrantEnded(from: decoder))
            case .suspendedByMonitor: self = .suspendedByMonitor(try MonitorSuspension(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .drafted: Drafted.self
            case .complianceAssessed: Decided.self
            case .releaseRefused: Decided.self
            case .filed: NoPayload.self
            case .filingOverdue: NoPayload.self
            case .registered: Registered.self
            case .feeCapSet: CapSet.self
            case .published: Published.self
            case .publicationRefused: Decided.self
            case .withdrawn: Reasoned.self
            case .withdrawnOnExit: Reasoned.self
            case .suspended: GrantEnded.self
            case .suspendedByMonitor: MonitorSuspension.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        let live: [State?] = [.draft, .compliant, .filed, .registered, .published, .suspended]
        switch kind {
        case .drafted: return EventSpec(.command(.draftProduct), from: [nil], to: .draft)
        case .complianceAssessed:
            return EventSpec(
                .command(.assessProductCompliance),
                from: [.draft],
                to: .compliant,
                notifies: [.operator],
                opens: [.filing]
            )
        case .releaseRefused:
            return EventSpec(.command(.assessProductCompliance), from: [.draft], to: .refused, notifies: [.operator])
        case .filed:
            return EventSpec(
                .command(.fileProduct),
                from: [.compliant],
                to: .filed,
                notifies: [.implementingAgency],
                closes: [.filing]
            )
        case .filingOverdue:
            return EventSpec(
                .deadline(.filing),
                from: [.compliant],
                to: nil,
                notifies: [.implementingAgency, .operator],
                closes: [.filing]
            )
        case .registered:
            return EventSpec(.command(.registerProduct), from: [.filed], to: .registered, notifies: [.operator])
        case .feeCapSet:
            return EventSpec(
                .command(.setFeeCap),
                from: [.filed, .registered, .published],
                to: nil,
                notifies: [.operator]
            )
        case .published:
            return EventSpec(
                .command(.publishProduct),
                from: [.filed, .registered, .published],
                to: .published,
                notifies: [.implementingAgency]
            )
        case .publicationRefused:
            return EventSpec(
                .command(.publishProduct),
                from: [.filed, .registered, .published],
                to: nil,
                notifies: [.operator]
            )
        case .withdrawn:
            return EventSpec(
                .command(.withdrawProduct),
                from: live,
                to: .withdrawn,
                notifies: [.operator, .implementingAgency],
                closes: [.filing]
            )
        case .withdrawnOnExit:
            return EventSpec(
                .exit,
                from: live,
                to: .withdrawn,
                notifies: [.operator, .implementingAgency],
                closes: [.filing]
            )
        case .suspended:
            return EventSpec(
                .effect(.dataRequest(.revokeGrant)),
                from: [.draft, .compliant, .filed, .registered, .published],
                to: .suspended,
                notifies: [.operator, .implementingAgency],
                closes: [.filing]
            )
        case .suspendedByMonitor:
            return EventSpec(
                .effect(.monitor(.reassess)),
                from: [.compliant, .filed, .registered, .published],
                to: .suspended,
                notifies: [.operator, .implementingAgency],
                closes: [.filing]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        let facts = instance.facts
        switch command {
        case .draftProduct(let product):
            let (agreement, terms) = try await context.agreement(product.agreement)
            try context.requireParty(agreement.trace.operatorID, when: .operator, articles)
            _ = try await context.entries(product.sourceEntries)
            try await context.requireGrants(product.sourceEntries, under: product.agreement)
            var trace = TraceKeys()
            trace.productID = product.id
            trace.agreementID = product.agreement
            trace.operatorID = terms.terms.operatorParty
            trace.agencyID = terms.terms.implementingAgency
            trace.catalogEntryIDs = product.sourceEntries
            trace.planID = terms.terms.plan
            return [Draft(.drafted(Drafted(product: product)), trace: trace)]
        case .assessProductCompliance:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            guard let product = facts.product else { throw context.refuse(.notFound, "the product has no content") }
            let (_, terms) = try await context.agreement(product.agreement)
            let entries = try await context.entries(product.sourceEntries)
            try await context.requireGrants(product.sourceEntries, under: product.agreement)
            var delivered: [ProductID] = []
            for source in product.derivedFrom {
                let other = try await context.instance(ProductProcess.self, source.rawValue)
                if other.exists, other.trace.operatorID == instance.trace.operatorID { delivered.append(source) }
            }
            let decision = context.evaluate(
                releaseRequest(
                    product,
                    sources: entries,
                    terms: terms.terms,
                    status: terms.status,
                    redevelops: !delivered.isEmpty,
                    day: context.today
                )
            )
            guard decision.isPermit else { return [Draft(.releaseRefused(Decided(decision: decision)))] }
            let filing = context.workingDayDeadline(
                Deadline.filing,
                instance,
                count: context.parameters.productFilingWorkingDays
            )
            return [Draft(.complianceAssessed(Decided(decision: decision)), deadlines: [filing])]
        case .fileProduct:
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            return [Draft(.filed)]
        case .registerProduct(_, let registration):
            var trace = TraceKeys()
            trace.registrationID = registration
            return [Draft(.registered(Registered(registrationID: registration)), trace: trace)]
        case .publishProduct(_, let plan):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard let product = facts.product else { throw context.refuse(.notFound, "the product has no content") }
            let (agreement, terms) = try await context.agreement(product.agreement)
            try context.require(agreement, in: [.active], ["Art. 13"])
            guard plan.operatorParty == terms.terms.operatorParty else {
                throw context.refuse(.invalidInput, "the plan names operator \(plan.operatorParty)", articles)
            }
            // Art. 22 / 65号: the policy's pricing point decides whether the plan may charge, for every purpose
            // the plan is charged under (those not free by the policy; all of them if every purpose is free).
            let decision = pricingDecision(plan, product: product.id, caps: facts.feeCaps, context: context)
            guard decision.isPermit else { return [Draft(.publicationRefused(Decided(decision: decision)))] }
            // A new version of a priced product applies from a later day's first instant: never to a day already
            // priced (usage is priced at the instant it is recorded) nor to an invoiced period.
            if let book = facts.priceBook, !book.versions.isEmpty, plan.effectiveFrom <= context.today {
                var error = context.refuse(
                    .pricing,
                    "version \(plan.version) of \(product.id) would start on \(plan.effectiveFrom); a new version of a "
                        + "priced product starts after today (\(context.today)) (pricing retroactiveVersion)",
                    ["Art. 22", "65号"]
                )
                error.details = WorkflowError.Details(
                    pricingCode: PricingError.Code.retroactiveVersion.description,
                    product: product.id,
                    plan: plan.id,
                    planVersion: plan.version
                )
                throw error
            }
            let settlement = try await context.instance(SettlementProcess.self, product.agreement.rawValue)
            do throws(PricingError) {
                var book: PriceBook
                if let existing = facts.priceBook { book = existing } else { book = try PriceBook(product: product.id) }
                if let invoiced = settlement.facts.invoicedThrough { book = book.charged(through: invoiced) }
                _ = try GuidedPrice.createPlan(
                    plan,
                    in: book,
                    caps: facts.feeCaps,
                    operationStartedOn: terms.terms.start,
                    trialMonths: context.parameters.trialFeeMonths
                )
            } catch {
                var refusal = context.refuse(error, ["Art. 22", "65号"])
                refusal.details?.plan = plan.id
                refusal.details?.planVersion = plan.version
                throw refusal
            }
            var trace = TraceKeys()
            trace.pricePlanID = plan.id
            return [Draft(.published(Published(pricePlan: plan, decision: decision)), trace: trace)]
        case .setFeeCap(_, var cap):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            // Caps are versioned by effective date and never retroactive: a later cap applies from its date
            // (today when it names none); the first cap applies from the beginning unless it names a date.
            if let from = cap.effectiveFrom, from < context.today {
                var error = context.refuse(
                    .invalidInput,
                    "a fee cap cannot take effect before today (\(context.today)); it names \(from)",
                    articles
                )
                error.details = WorkflowError.Details(product: cap.product)
                throw error
            }
            if cap.effectiveFrom == nil, !facts.feeCaps.isEmpty { cap.effectiveFrom = context.today }
            return [Draft(.feeCapSet(CapSet(feeCap: cap)))]
        case .withdrawProduct(_, let reason):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.withdrawn(Reasoned(reason: reason)))]
        }
    }

    /// The product-release request of `product` built from `sources` (its source entries as they are in the
    /// catalog) under the agreement's terms and status on `day`; the compliance assessment and the policy
    /// monitor's re-judgement (``PolicyMonitor``) build it the same way.
    static func releaseRequest(
        _ product: ProductSpec,
        sources: [CatalogEntry],
        terms: AgreementTerms,
        status: AgreementStatus,
        redevelops: Bool,
        day: CivilDate
    ) -> PolicyRequest {
        .productRelease(
            ProductReleaseRequest(
                product: product.id,
                kind: product.kind,
                publisher: terms.operatorParty,
                publisherRole: .operator,
                operatorParty: terms.operatorParty,
                sources: sources,
                containsRawData: product.exposesRawData,
                redevelopsDeliveredProduct: redevelops,
                agreement: terms,
                agreementStatus: status,
                anonymized: product.anonymized || !product.containsPersonalInformation,
                dataSubjectConsent: product.subjectConsent,
                day: day
            )
        )
    }

    /// The policy's pricing decision for publishing `plan`: one request per charged purpose, combined.
    static func pricingDecision(
        _ plan: PricePlan,
        product: ProductID,
        caps: [FeeCap],
        context: DecisionContext
    ) -> Decision {
        let chargeRequested: Bool
        switch plan.charge {
        case .oneOff(let price, _): chargeRequested = price.fen > 0
        case .subscription(let price): chargeRequested = price.fen > 0
        case .usage: chargeRequested = true
        }
        let charged = Purpose.allCases.filter { !context.parameters.freePurposes.contains($0) }
        let purposes = charged.isEmpty ? Purpose.allCases : charged
        let decisions = purposes.map { purpose in
            context.evaluate(
                .pricing(
                    PricingEligibilityRequest(
                        product: product,
                        purpose: purpose,
                        chargeRequested: chargeRequested,
                        priceCapApproved: caps.contains { $0.product == product }
                    )
                )
            )
        }
        return Decision.combining(decisions, policy: context.policy, at: context.now)
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .drafted(let drafted): facts.product = drafted.product
        case .complianceAssessed(let decided), .releaseRefused(let decided), .publicationRefused(let decided):
            facts.decision = decided.decision
        case .registered(let registered): facts.registration = registered.registrationID
        case .feeCapSet(let set): facts.feeCaps.append(set.feeCap)
        case .published(let published):
            facts.decision = published.decision
            if let product = facts.product?.id {
                let book = facts.priceBook ?? (try? PriceBook(product: product))
                facts.priceBook = (try? book?.adding(published.pricePlan)) ?? book
            }
        case .filed, .filingOverdue, .withdrawn, .withdrawnOnExit, .suspended, .suspendedByMonitor: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .filing: Draft(.filingOverdue)
        }
    }
}

extension DecisionContext {
    /// The catalog entries a live grant covers under `agreement`: the entries of its data requests that are
    /// granted or provisioned (every request under an agreement is its operator's).
    func grantedEntries(under agreement: AgreementID) async throws(WorkflowError) -> Set<CatalogEntryID> {
        try await engine.grantedEntries(under: agreement)
    }

    /// Every entry of `sources` must have a live grant under `agreement`; otherwise `notAuthorized` citing
    /// Art. 16 and Art. 20, naming the entries without one.
    func requireGrants(_ sources: [CatalogEntryID], under agreement: AgreementID) async throws(WorkflowError) {
        let granted = try await grantedEntries(under: agreement)
        let missing = sources.filter { !granted.contains($0) }
        guard missing.isEmpty else {
            throw refuse(
                .notAuthorized,
                "no live grant to the operator of \(agreement) covers "
                    + missing.map(\.rawValue).joined(separator: ", ")
                    + "; request the entries (and pass their co-review) first",
                ["Art. 16", "Art. 20"]
            )
        }
    }
}

extension WorkflowEngine {
    /// The catalog entries covered by a granted or provisioned data request under `agreement`.
    func grantedEntries(under agreement: AgreementID) async throws(WorkflowError) -> Set<CatalogEntryID> {
        var covered: Set<CatalogEntryID> = []
        for stream in try await index.exitTargets(agreement).requests {
            let request = try await instance(DataRequestProcess.self, stream: stream)
            guard request.state == .granted || request.state == .provisioned, let spec = request.facts.request else {
                continue
            }
            covered.formUnion(spec.items.map(\.entry))
        }
        return covered
    }

    /// Suspends every live product of the revoked request's agreement that a live grant no longer fully covers
    /// (Art. 16, 20, 30); each suspension is recorded once (a deterministic id) and tells the operator and the
    /// agency.
    func suspendProducts(afterRevoking id: DataRequestID, actor: Principal) async throws(WorkflowError) {
        let request = try await instance(DataRequestProcess.self, id.rawValue)
        guard request.state == .revoked, let agreement = request.trace.agreementID else { return }
        let granted = try await grantedEntries(under: agreement)
        let reason = "the grant of data request \(id) was revoked"
        for stream in try await index.exitTargets(agreement).products {
            for _ in 0..<32 {
                let product = try await instance(ProductProcess.self, stream: stream)
                let sources = product.facts.product?.sourceEntries ?? []
                let missing = sources.filter { !granted.contains($0) }
                let draft = Draft<ProductProcess>(
                    .suspended(ProductProcess.GrantEnded(dataRequest: id, ungrantedEntries: missing, reason: reason)),
                    id: EventID("grant-ended:\(id):\(stream)")
                )
                guard !missing.isEmpty, ProductProcess.spec(.suspended).from.contains(product.state) else { break }
                let result = try await append(
                    [draft],
                    to: product,
                    actor: actor,
                    now: clock.now(),
                    trigger: .effect(.dataRequest(.revokeGrant)),
                    causation: request.stream.rawValue
                )
                if case .appended = result { break }
            }
        }
    }
}

extension WorkflowCommand {
    /// A command of the product or service (Art. 20, 22, 26–27).
    public static func product(_ command: ProductProcess.Command) -> WorkflowCommand {
        WorkflowCommand(ProductProcess.self, command)
    }
}

extension CommandName {
    /// A product command.
    public static func product(_ name: ProductProcess.Command.Name) -> CommandName {
        CommandName(ProductProcess.self, name)
    }
}
