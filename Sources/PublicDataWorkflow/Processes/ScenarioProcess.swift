import PublicDataModel
import PublicDataPolicy

/// 下游场景: a business entity's use of a published product in a scenario (Art. 25, 27), assessed under the
/// policy by the operator and filed with the implementing agency.
///
/// Usage is recorded only under an active scenario (see ``SettlementProcess``). The implementing agency
/// suspends, resumes and revokes a scenario (Art. 30: 及时终止违规授权使用); a scenario ends when its product is
/// withdrawn (`scenario.ended`) or its agreement's exit procedure runs (`scenario.endedOnExit`).
public enum ScenarioProcess: WorkflowProcess {
    public static let kind = ProcessKind.scenario
    public static let commandKey = "scenario"
    public static let title = "Downstream scenario (Art. 25, 27, 30)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.refused, .revoked, .ended]

    /// The scenario's states.
    public enum State: String, ProcessStateKind {
        /// Applied for.
        case applied
        /// Assessed compliant.
        case compliant
        /// Refused by the policy.
        case refused
        /// Filed with the implementing agency.
        case filed
        /// In use.
        case active
        /// Suspended by the implementing agency (Art. 30); no usage is recorded until it is resumed.
        case suspended
        /// Revoked by the implementing agency (Art. 30).
        case revoked
        /// Ended with its product or its agreement.
        case ended
    }

    /// The scenario's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// Filing after the compliance assessment.
        case filing
        /// The business entity's filing, with the operator, of a product it published (Art. 27).
        case derivedProductFiling

        public var rule: String {
            switch self {
            case .filing:
                "the end of `scenarioFilingWorkingDays` working days after the compliance assessment; overdue → "
                    + "notice, once"
            case .derivedProductFiling:
                "the end of `productFilingWorkingDays` working days after the business entity publishes a product; "
                    + "overdue → notice to the operator and the agency, once"
            }
        }
    }

    /// A product or service a business entity published from its scenario (Art. 27: 已发布的公共数据产品和服务信息).
    public struct DerivedProduct: Codable, Sendable, Hashable {
        /// The product's name.
        public var name: String
        /// What it is and where it is offered.
        public var description: String
        /// The day it was published.
        public var publishedOn: CivilDate

        /// Creates a derived product.
        public init(name: String, description: String, publishedOn: CivilDate) {
            self.name = name
            self.description = description
            self.publishedOn = publishedOn
        }
    }

    /// What a scenario remembers.
    public struct Facts: Sendable, Hashable {
        /// The scenario.
        public var scenario: ScenarioSpec?
        /// The policy's decision.
        public var decision: Decision?
        /// The scenario classes the filing carries (they earn a plan's discounts), recorded by the implementing
        /// agency; never the applicant's or the caller's say-so.
        public var classes: Set<String> = []
        /// A published product not yet filed with the operator (Art. 27).
        public var unfiledProduct: DerivedProduct?
        /// The products filed with the operator (Art. 27).
        public var filedProducts: [DerivedProduct] = []
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// A business entity applies to use a published product in a scenario.
        case applyScenario(scenario: ScenarioSpec)
        /// The operator assesses the scenario under the policy.
        case assessScenario(scenario: ScenarioID)
        /// The operator files a compliant scenario with the implementing agency.
        case fileScenario(scenario: ScenarioID)
        /// The implementing agency activates a filed scenario.
        case activateScenario(scenario: ScenarioID)
        /// The implementing agency suspends an active scenario (Art. 30).
        case suspendScenario(scenario: ScenarioID, reason: String)
        /// The implementing agency resumes a suspended scenario.
        case resumeScenario(scenario: ScenarioID)
        /// The implementing agency revokes a scenario for good (Art. 30).
        case revokeScenario(scenario: ScenarioID, reason: String)
        /// The implementing agency records the classes of the filed scenario that earn discounts (e.g.
        /// `"supported_scenario"`), with their basis; the list replaces the earlier one.
        case recordScenarioClasses(scenario: ScenarioID, classes: [String], basis: String)
        /// The business entity records a product it published from the scenario; its filing is then due (Art. 27).
        indirect case publishDerivedProduct(scenario: ScenarioID, product: DerivedProduct)
        /// The business entity files its published product with the operator (Art. 27).
        case fileDerivedProduct(scenario: ScenarioID)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case applyScenario, assessScenario, fileScenario, activateScenario, suspendScenario, resumeScenario
            case revokeScenario, recordScenarioClasses, publishDerivedProduct, fileDerivedProduct

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .applyScenario:
                    // Art. 25 gives re-development to the other business entities; Art. 6 ¶2 bars the operator from
                    // re-developing what it delivered.
                    CommandSpec([.businessEntity], ["Art. 25", "Art. 6"], guards: ["the product is published"])
                case .assessScenario:
                    CommandSpec(
                        [.operator],
                        ["Art. 20", "Art. 25", "Art. 26"],
                        guards: ["the operator of the product", "the policy decides; a denial is recorded"]
                    )
                case .fileScenario:
                    // Art. 20 ¶2: the operator assesses the scenario's compliance and files it with the agency.
                    CommandSpec([.operator], ["Art. 20"], guards: ["the operator of the product"])
                case .activateScenario:
                    CommandSpec([.implementingAgency], ["Art. 20", "Art. 27"], guards: ["the agency of the agreement"])
                case .suspendScenario, .revokeScenario:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 30"],
                        guards: ["the agency of the agreement", "a reason"]
                    )
                case .resumeScenario:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 30"],
                        guards: ["the agency of the agreement", "the product is published"]
                    )
                case .recordScenarioClasses:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 22", "Art. 27", "65号"],
                        guards: ["the agency of the agreement", "the scenario is filed", "a basis"]
                    )
                case .publishDerivedProduct:
                    CommandSpec(
                        [.businessEntity],
                        ["Art. 27"],
                        guards: [
                            "the scenario's business entity", "the scenario is active",
                            "the previous publication is filed", "published on or before today",
                        ]
                    )
                case .fileDerivedProduct:
                    CommandSpec(
                        [.businessEntity],
                        ["Art. 27"],
                        guards: ["the scenario's business entity", "a publication waits for its filing"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .applyScenario: .applyScenario
            case .assessScenario: .assessScenario
            case .fileScenario: .fileScenario
            case .activateScenario: .activateScenario
            case .suspendScenario: .suspendScenario
            case .resumeScenario: .resumeScenario
            case .revokeScenario: .revokeScenario
            case .recordScenarioClasses: .recordScenarioClasses
            case .publishDerivedProduct: .publishDerivedProduct
            case .fileDerivedProduct: .fileDerivedProduct
            }
        }

        public var instanceID: String {
            switch self {
            case .applyScenario(let scenario): scenario.id.rawValue
            case .assessScenario(let id), .fileScenario(let id), .activateScenario(let id), .resumeScenario(let id),
                .suspendScenario(let id, _), .revokeScenario(let id, _), .recordScenarioClasses(let id, _, _),
                .publishDerivedProduct(let id, _), .fileDerivedProduct(let id):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .applyScenario(let scenario):
                check.id(scenario.id, "$.scenario.id")
                check.id(scenario.product, "$.scenario.product")
                check.text(scenario.description, "$.scenario.description")
            case .assessScenario(let id), .fileScenario(let id), .activateScenario(let id), .resumeScenario(let id),
                .fileDerivedProduct(let id):
                check.id(id, "$.scenario")
            case .publishDerivedProduct(let id, let product):
                check.id(id, "$.scenario")
                check.text(product.name, "$.product.name")
                check.text(product.description, "$.product.description")
            case .suspendScenario(let id, let reason), .revokeScenario(let id, let reason):
                check.id(id, "$.scenario")
                check.text(reason, "$.reason")
            case .recordScenarioClasses(let id, let classes, let basis):
                check.id(id, "$.scenario")
                check.text(basis, "$.basis")
                for (index, name) in classes.enumerated() where name.isEmpty {
                    check.fail("$.classes[\(index)]", "is empty")
                }
            }
        }
    }

    /// An application.
    public struct Applied: Codable, Sendable, Hashable {
        /// The scenario.
        public var scenario: ScenarioSpec
    }

    /// The classes recorded on a filed scenario.
    public struct ClassesRecorded: Codable, Sendable, Hashable {
        /// The classes.
        public var classes: [String]
        /// Their basis, e.g. a support programme's document number.
        public var basis: String
    }

    /// A product published by the business entity.
    public struct DerivedPublished: Codable, Sendable, Hashable {
        /// The product.
        public var derivedProduct: DerivedProduct
    }

    /// A product filed with the operator.
    public struct DerivedFiled: Codable, Sendable, Hashable {
        /// The product.
        public var derivedProduct: DerivedProduct
        /// Whether it was filed after its due date.
        public var late: Bool
    }

    /// The events.
    public enum Event: ProcessEvent, DecisionCarrying {
        /// Applied.
        case applied(Applied)
        /// Classes recorded on the filing.
        case classesRecorded(ClassesRecorded)
        /// Assessed compliant.
        case complianceAssessed(Decided)
        /// Refused by the policy.
        case refused(Decided)
        /// Filed.
        case filed
        /// Not filed in time.
        case filingOverdue
        /// Activated.
        case activated
        /// Suspended (Art. 30).
        case suspended(Reasoned)
        /// Resumed.
        case resumed
        /// Revoked (Art. 30).
        case revoked(Reasoned)
        /// Ended because its product was withdrawn.
        case ended(Reasoned)
        /// Ended by the exit procedure of the agreement.
        case endedOnExit(Reasoned)
        /// The business entity published a product; its filing with the operator is due (Art. 27).
        case derivedProductPublished(DerivedPublished)
        /// The business entity filed its published product with the operator (Art. 27).
        case derivedProductFiled(DerivedFiled)
        /// The published product was not filed in time.
        case derivedProductFilingOverdue
        /// Suspended by the policy monitor's re-judgement (Art. 30).
        case suspendedByMonitor(MonitorSuspension)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case applied = "scenario.applied"
            case complianceAssessed = "scenario.complianceAssessed"
            case refused = "scenario.refused"
            case filed = "scenario.filed"
            case filingOverdue = "scenario.filingOverdue"
            case activated = "scenario.activated"
            case suspended = "scenario.suspended"
            case resumed = "scenario.resumed"
            case revoked = "scenario.revoked"
            case ended = "scenario.ended"
            case endedOnExit = "scenario.endedOnExit"
            case classesRecorded = "scenario.classesRecorded"
            case derivedProductPublished = "scenario.derivedProductPublished"
            case derivedProductFiled = "scenario.derivedProductFiled"
            case derivedProductFilingOverdue = "scenario.derivedProductFilingOverdue"
            case suspendedByMonitor = "scenario.suspendedByMonitor"
        }

        public var kind: Kind {
            switch self {
            case .applied: .applied
            case .complianceAssessed: .complianceAssessed
            case .refused: .refused
            case .filed: .filed
            case .filingOverdue: .filingOverdue
            case .activated: .activated
            case .suspended: .suspended
            case .resumed: .resumed
            case .revoked: .revoked
            case .ended: .ended
            case .endedOnExit: .endedOnExit
            case .classesRecorded: .classesRecorded
            case .derivedProductPublished: .derivedProductPublished
            case .derivedProductFiled: .derivedProductFiled
            case .derivedProductFilingOverdue: .derivedProductFilingOverdue
            case .suspendedByMonitor: .suspendedByMonitor
            }
        }

        public var recordedDecision: Decision? {
            switch self {
            case .complianceAssessed(let decided), .refused(let decided): decided.decision
            default: nil
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .applied(let payload): try payload.encode(to: encoder)
            case .classesRecorded(let payload): try payload.encode(to: encoder)
            case .complianceAssessed(let payload), .refused(let payload): try payload.encode(to: encoder)
            case .suspended(let payload), .revoked(let payload), .ended(let payload), .endedOnExit(let payload):
                try payload.encode(to: encoder)
            case .derivedProductPublished(let payload): try payload.encode(to: encoder)
            case .derivedProductFiled(let payload): try payload.encode(to: encoder)
            case .suspendedByMonitor(let payload): try payload.encode(to: encoder)
            case .filed, .filingOverdue, .activated, .resumed, .derivedProductFilingOverdue: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .applied: self = .applied(try Applied(from: decoder))
            case .classesRecorded: self = .classesRecorded(try ClassesRecorded(from: decoder))
            case .complianceAssessed: self = .complianceAssessed(try Decided(from: decoder))
            case .refused: self = .refused(try Decided(from: decoder))
            case .filed: self = .filed
            case .filingOverdue: self = .filingOverdue
            case .activated: self = .activated
            case .suspended: self = .suspended(try Reasoned(from: decoder))
            case .resumed: self = .resumed
            case .revoked: self = .revoked(try Reasoned(from: decoder))
            case .ended: self = .ended(try Reasoned(from: decoder))
            case .endedOnExit: self = .endedOnExit(try Reasoned(from: decoder))
            case .derivedProductPublished: self = .derivedProductPublished(try DerivedPublished(from: decoder))
            case .derivedProductFiled: self = .derivedProductFiled(try DerivedFiled(from: decoder))
            case .derivedProductFilingOverdue: self = .derivedProductFilingOverdue
            case .suspendedByMonitor: self = .suspendedByMonitor(try MonitorSuspension(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .applied: Applied.self
            case .classesRecorded: ClassesRecorded.self
            case .complianceAssessed: Decided.self
            case .refused: Decided.self
            case .filed: NoPayload.self
            case .filingOverdue: NoPayload.self
            case .activated: NoPayload.self
            case .suspended, .revoked, .ended, .endedOnExit: Reasoned.self
            case .resumed: NoPayload.self
            case .derivedProductPublished: DerivedPublished.self
            case .derivedProductFiled: DerivedFiled.self
            case .derivedProductFilingOverdue: NoPayload.self
            case .suspendedByMonitor: MonitorSuspension.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .applied: EventSpec(.command(.applyScenario), from: [nil], to: .applied, notifies: [.operator])
        case .complianceAssessed:
            EventSpec(
                .command(.assessScenario),
                from: [.applied],
                to: .compliant,
                notifies: [.businessEntity],
                opens: [.filing]
            )
        case .refused:
            EventSpec(.command(.assessScenario), from: [.applied], to: .refused, notifies: [.businessEntity])
        case .filed:
            EventSpec(
                .command(.fileScenario),
                from: [.compliant],
                to: .filed,
                notifies: [.implementingAgency],
                closes: [.filing]
            )
        case .filingOverdue:
            EventSpec(
                .deadline(.filing),
                from: [.compliant],
                to: nil,
                notifies: [.implementingAgency, .operator],
                closes: [.filing]
            )
        case .activated:
            EventSpec(.command(.activateScenario), from: [.filed], to: .active, notifies: [.businessEntity, .operator])
        case .suspended:
            EventSpec(
                .command(.suspendScenario),
                from: [.active],
                to: .suspended,
                notifies: [.businessEntity, .operator]
            )
        case .resumed:
            EventSpec(
                .command(.resumeScenario),
                from: [.suspended],
                to: .active,
                notifies: [.businessEntity, .operator]
            )
        case .revoked:
            EventSpec(
                .command(.revokeScenario),
                from: [.applied, .compliant, .filed, .active, .suspended],
                to: .revoked,
                notifies: [.businessEntity, .operator],
                closes: [.filing, .derivedProductFiling]
            )
        case .ended:
            EventSpec(
                .effect(.product(.withdrawProduct)),
                from: [.applied, .compliant, .filed, .active, .suspended],
                to: .ended,
                notifies: [.businessEntity],
                closes: [.filing, .derivedProductFiling]
            )
        case .classesRecorded:
            EventSpec(
                .command(.recordScenarioClasses),
                from: [.filed, .active, .suspended],
                to: nil,
                notifies: [.businessEntity, .operator]
            )
        case .endedOnExit:
            EventSpec(
                .exit,
                from: [.applied, .compliant, .filed, .active, .suspended],
                to: .ended,
                notifies: [.businessEntity],
                closes: [.filing, .derivedProductFiling]
            )
        case .derivedProductPublished:
            EventSpec(
                .command(.publishDerivedProduct),
                from: [.active],
                to: nil,
                notifies: [.businessEntity],
                opens: [.derivedProductFiling]
            )
        case .derivedProductFiled:
            EventSpec(
                .command(.fileDerivedProduct),
                from: [.active, .suspended],
                to: nil,
                notifies: [.operator],
                closes: [.derivedProductFiling]
            )
        case .derivedProductFilingOverdue:
            EventSpec(
                .deadline(.derivedProductFiling),
                from: [.active, .suspended],
                to: nil,
                notifies: [.operator, .implementingAgency],
                closes: [.derivedProductFiling]
            )
        case .suspendedByMonitor:
            EventSpec(
                .effect(.monitor(.reassess)),
                from: [.active],
                to: .suspended,
                notifies: [.businessEntity, .operator, .implementingAgency]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .applyScenario(let scenario):
            let product = try await context.load(ProductProcess.self, scenario.product.rawValue)
            try context.require(product, in: [.published], ["Art. 22", "Art. 25"])
            // Seed 001 §6: a partner of the operator applies within its tier.
            try await PartnerProcess.requireWithinTier(
                context.actor.party,
                of: product.trace.operatorID,
                .init(
                    product: scenario.product,
                    purpose: scenario.purpose,
                    entries: product.facts.product?.sourceEntries ?? []
                ),
                context
            )
            var trace = product.trace
            trace.registrationID = nil
            trace.scenarioID = scenario.id
            trace.applicantID = context.actor.party
            return [Draft(.applied(Applied(scenario: scenario)), trace: trace)]
        case .assessScenario:
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard let scenario = instance.facts.scenario, let agreementID = instance.trace.agreementID else {
                throw context.refuse(.notFound, "the scenario has no content")
            }
            let product = try await context.load(ProductProcess.self, scenario.product.rawValue)
            guard let spec = product.facts.product else {
                throw context.refuse(.notFound, "the product has no content")
            }
            let (_, terms) = try await context.agreement(agreementID)
            let decision = context.evaluate(
                scenarioRequest(
                    scenario,
                    applicant: instance.trace.applicantID ?? PartyID(""),
                    product: spec.id,
                    published: product.state == .published,
                    terms: terms.terms,
                    status: terms.status,
                    day: context.today
                )
            )
            guard decision.isPermit else { return [Draft(.refused(Decided(decision: decision)))] }
            let filing = context.workingDayDeadline(
                Deadline.filing,
                instance,
                count: context.parameters.scenarioFilingWorkingDays
            )
            return [Draft(.complianceAssessed(Decided(decision: decision)), deadlines: [filing])]
        case .fileScenario:
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            return [Draft(.filed)]
        case .activateScenario:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.activated)]
        case .suspendScenario(_, let reason):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.suspended(Reasoned(reason: reason)))]
        case .resumeScenario:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            if let product = instance.trace.productID {
                try context.require(
                    try await context.load(ProductProcess.self, product.rawValue),
                    in: [.published],
                    ["Art. 22", "Art. 25"]
                )
            }
            return [Draft(.resumed)]
        case .revokeScenario(_, let reason):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.revoked(Reasoned(reason: reason)))]
        case .recordScenarioClasses(_, let classes, let basis):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            let sorted = Array(Set(classes)).sorted()
            return [Draft(.classesRecorded(ClassesRecorded(classes: sorted, basis: basis)))]
        case .publishDerivedProduct(_, let product):
            try context.requireParty(instance.trace.applicantID, when: .businessEntity, articles)
            // Seed 001 §6 (权属管控): a partner publishes products of its own only when its tier grants it.
            if let spec = instance.facts.scenario {
                try await PartnerProcess.requireWithinTier(
                    instance.trace.applicantID,
                    of: instance.trace.operatorID,
                    .init(product: spec.product, purpose: spec.purpose, entries: [], derived: true),
                    context
                )
            }
            guard instance.facts.unfiledProduct == nil else {
                throw context.refuse(
                    .invalidState,
                    "\(instance.facts.unfiledProduct?.name ?? "a product") is published but not filed; file it first",
                    articles
                )
            }
            guard product.publishedOn <= context.today else {
                throw context.refuse(.invalidInput, "a product is recorded once it is published", articles)
            }
            let due = context.calendar.addingWorkingDays(
                context.parameters.productFilingWorkingDays,
                to: product.publishedOn
            )
            let filing = context.deadline(
                Deadline.derivedProductFiling,
                instance,
                dueDay: due,
                dueAt: context.calendar.endOfDay(due)
            )
            return [Draft(.derivedProductPublished(DerivedPublished(derivedProduct: product)), deadlines: [filing])]
        case .fileDerivedProduct:
            try context.requireParty(instance.trace.applicantID, when: .businessEntity, articles)
            guard let product = instance.facts.unfiledProduct else {
                throw context.refuse(.invalidState, "no published product waits for its filing", articles)
            }
            // Filed after the due date (the deadline fired) or on a later day than the due day: late.
            let due = instance.openDeadlines[.derivedProductFiling]?.dueDay
            let late = due.map { context.today > $0 } ?? true
            return [Draft(.derivedProductFiled(DerivedFiled(derivedProduct: product, late: late)))]
        }
    }

    /// The downstream-scenario request of `scenario` by `applicant` for `product` (delivered when `published`)
    /// under the agreement's terms and status on `day`; the assessment and the policy monitor's re-judgement
    /// (``PolicyMonitor``) build it the same way.
    static func scenarioRequest(
        _ scenario: ScenarioSpec,
        applicant: PartyID,
        product: ProductID,
        published: Bool,
        terms: AgreementTerms,
        status: AgreementStatus,
        day: CivilDate
    ) -> PolicyRequest {
        .downstreamScenario(
            DownstreamScenarioRequest(
                scenario: scenario.id,
                requester: applicant,
                requesterRole: .businessEntity,
                operatorParty: terms.operatorParty,
                product: product,
                deliveredProducts: published ? [product] : [],
                agreement: terms,
                agreementStatus: status,
                meetsOperatorConditions: scenario.meetsOperatorConditions,
                complianceAssessed: true,
                purpose: scenario.purpose,
                involvesPersonalInformation: scenario.containsPersonalInformation,
                anonymized: scenario.anonymized,
                dataSubjectConsent: scenario.subjectConsent,
                day: day
            )
        )
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .applied(let applied): facts.scenario = applied.scenario
        case .complianceAssessed(let decided), .refused(let decided): facts.decision = decided.decision
        case .classesRecorded(let recorded): facts.classes = Set(recorded.classes)
        case .derivedProductPublished(let published): facts.unfiledProduct = published.derivedProduct
        case .derivedProductFiled(let filed):
            facts.unfiledProduct = nil
            facts.filedProducts.append(filed.derivedProduct)
        case .filed, .filingOverdue, .activated, .suspended, .resumed, .revoked, .ended, .endedOnExit,
            .derivedProductFilingOverdue, .suspendedByMonitor:
            break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .filing: Draft(.filingOverdue)
        case .derivedProductFiling: Draft(.derivedProductFilingOverdue)
        }
    }
}

extension WorkflowEngine {
    /// Ends every open scenario of a withdrawn product (once each: a deterministic id), telling its business
    /// entity.
    func endScenarios(of product: ProductID, actor: Principal) async throws(WorkflowError) {
        let withdrawn = try await instance(ProductProcess.self, product.rawValue)
        guard withdrawn.state == .withdrawn else { return }
        let reason = Reasoned(reason: "product \(product) was withdrawn")
        for stream in try await index.scenarioStreams(of: product) {
            for _ in 0..<32 {
                let scenario = try await instance(ScenarioProcess.self, stream: stream)
                guard ScenarioProcess.spec(.ended).from.contains(scenario.state) else { break }
                let result = try await append(
                    [Draft(.ended(reason), id: EventID("product-withdrawn:\(product):\(stream)"))],
                    to: scenario,
                    actor: actor,
                    now: clock.now(),
                    trigger: .effect(.product(.withdrawProduct)),
                    causation: withdrawn.stream.rawValue
                )
                if case .appended = result { break }
            }
        }
    }
}

extension WorkflowCommand {
    /// A command of the downstream scenario (Art. 25, 27).
    public static func scenario(_ command: ScenarioProcess.Command) -> WorkflowCommand {
        WorkflowCommand(ScenarioProcess.self, command)
    }
}

extension CommandName {
    /// A scenario command.
    public static func scenario(_ name: ScenarioProcess.Command.Name) -> CommandName {
        CommandName(ScenarioProcess.self, name)
    }
}
