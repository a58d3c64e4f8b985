import PublicDataModel
import PublicDataPolicy

/// 运营机构选择: the competitive selection of an operator for a published plan (Art. 12).
public enum SelectionProcess: WorkflowProcess {
    public static let kind = ProcessKind.operatorSelection
    public static let commandKey = "selection"
    public static let title = "Operator selection (Art. 12)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.selected, .failed]

    /// The selection's states.
    public enum State: String, ProcessStateKind {
        /// Announced.
        case announced
        /// At least one candidate applied.
        case applying
        /// Applications closed; qualifications are reviewed.
        case reviewing
        /// Reviewed; eligible candidates may be selected.
        case reviewed
        /// An operator was selected.
        case selected
        /// Ended without a result.
        case failed
    }

    public typealias Deadline = NoDeadline

    /// What a selection remembers.
    public struct Facts: Sendable, Hashable {
        /// The announcement.
        public var announcement: SelectionAnnouncement?
        /// The applications, in order.
        public var applications: [OperatorApplication] = []
        /// The qualification review's results.
        public var qualifications: [QualificationResult] = []
        /// The selected operator.
        public var selected: PartyID?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Announces a selection for a published plan.
        case announceSelection(announcement: SelectionAnnouncement)
        /// A candidate applies.
        case applyForSelection(selection: SelectionID, application: OperatorApplication)
        /// Closes the application window.
        case closeApplications(selection: SelectionID)
        /// Reviews every candidate under the eligibility policy.
        case reviewQualifications(selection: SelectionID)
        /// Selects one eligible candidate.
        case selectOperator(selection: SelectionID, candidate: PartyID)
        /// Ends the selection without a result.
        case failSelection(selection: SelectionID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case announceSelection, applyForSelection, closeApplications, reviewQualifications, selectOperator
            case failSelection

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .announceSelection:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 12"],
                        guards: ["the municipal government approved the plan (published or not)"]
                    )
                case .applyForSelection:
                    CommandSpec([.operator], ["Art. 12"], guards: ["a candidate applies once, for itself"])
                case .closeApplications: CommandSpec([.implementingAgency], ["Art. 12"])
                case .reviewQualifications:
                    CommandSpec([.implementingAgency], ["Art. 12"], guards: ["eligibility policy per candidate"])
                case .selectOperator:
                    CommandSpec([.implementingAgency], ["Art. 12"], guards: ["the candidate was found eligible"])
                case .failSelection: CommandSpec([.implementingAgency], ["Art. 12"], guards: ["a reason is given"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .announceSelection: .announceSelection
            case .applyForSelection: .applyForSelection
            case .closeApplications: .closeApplications
            case .reviewQualifications: .reviewQualifications
            case .selectOperator: .selectOperator
            case .failSelection: .failSelection
            }
        }

        public var instanceID: String {
            switch self {
            case .announceSelection(let announcement): announcement.id.rawValue
            case .applyForSelection(let id, _), .closeApplications(let id), .reviewQualifications(let id),
                .selectOperator(let id, _), .failSelection(let id, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .announceSelection(let announcement):
                check.id(announcement.id, "$.announcement.id")
                check.id(announcement.plan, "$.announcement.plan")
                check.text(announcement.criteria, "$.announcement.criteria")
            case .applyForSelection(let id, let application):
                check.id(id, "$.selection")
                check.id(application.candidate, "$.application.candidate")
                check.text(application.name, "$.application.name")
            case .closeApplications(let id), .reviewQualifications(let id): check.id(id, "$.selection")
            case .selectOperator(let id, let candidate):
                check.id(id, "$.selection")
                check.id(candidate, "$.candidate")
            case .failSelection(let id, let reason):
                check.id(id, "$.selection")
                check.text(reason, "$.reason")
            }
        }
    }

    /// An announcement.
    public struct Announced: Codable, Sendable, Hashable {
        /// The announcement.
        public var selection: SelectionAnnouncement
    }

    /// An application.
    public struct Applied: Codable, Sendable, Hashable {
        /// The application.
        public var application: OperatorApplication
    }

    /// The review's results.
    public struct Reviewed: Codable, Sendable, Hashable {
        /// One result per candidate.
        public var qualifications: [QualificationResult]
    }

    /// The selected operator.
    public struct Selected: Codable, Sendable, Hashable {
        /// The operator.
        public var operatorID: PartyID
    }

    /// The events.
    public enum Event: ProcessEvent, DecisionCarrying {
        /// Announced.
        case announced(Announced)
        /// A candidate applied.
        case applied(Applied)
        /// Applications closed.
        case applicationsClosed
        /// Qualifications reviewed; at least one candidate is eligible.
        case qualificationsReviewed(Reviewed)
        /// Qualifications reviewed; nobody is eligible.
        case noEligibleCandidate(Reviewed)
        /// An operator was selected.
        case operatorSelected(Selected)
        /// Ended without a result.
        case failed(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case announced = "selection.announced"
            case applied = "selection.applied"
            case applicationsClosed = "selection.applicationsClosed"
            case qualificationsReviewed = "selection.qualificationsReviewed"
            case noEligibleCandidate = "selection.noEligibleCandidate"
            case operatorSelected = "selection.operatorSelected"
            case failed = "selection.failed"
        }

        public var kind: Kind {
            switch self {
            case .announced: .announced
            case .applied: .applied
            case .applicationsClosed: .applicationsClosed
            case .qualificationsReviewed: .qualificationsReviewed
            case .noEligibleCandidate: .noEligibleCandidate
            case .operatorSelected: .operatorSelected
            case .failed: .failed
            }
        }

        /// No single decision: each candidate's is in the review's results.
        public var recordedDecision: Decision? { nil }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .announced(let payload): try payload.encode(to: encoder)
            case .applied(let payload): try payload.encode(to: encoder)
            case .qualificationsReviewed(let payload), .noEligibleCandidate(let payload):
                try payload.encode(to: encoder)
            case .operatorSelected(let payload): try payload.encode(to: encoder)
            case .failed(let payload): try payload.encode(to: encoder)
            case .applicationsClosed: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .announced: self = .announced(try Announced(from: decoder))
            case .applied: self = .applied(try Applied(from: decoder))
            case .applicationsClosed: self = .applicationsClosed
            case .qualificationsReviewed: self = .qualificationsReviewed(try Reviewed(from: decoder))
            case .noEligibleCandidate: self = .noEligibleCandidate(try Reviewed(from: decoder))
            case .operatorSelected: self = .operatorSelected(try Selected(from: decoder))
            case .failed: self = .failed(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .announced: Announced.self
            case .applied: Applied.self
            case .applicationsClosed: NoPayload.self
            case .qualificationsReviewed: Reviewed.self
            case .noEligibleCandidate: Reviewed.self
            case .operatorSelected: Selected.self
            case .failed: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .announced: EventSpec(.command(.announceSelection), from: [nil], to: .announced)
        case .applied: EventSpec(.command(.applyForSelection), from: [.announced, .applying], to: .applying)
        case .applicationsClosed: EventSpec(.command(.closeApplications), from: [.applying], to: .reviewing)
        case .qualificationsReviewed:
            EventSpec(.command(.reviewQualifications), from: [.reviewing], to: .reviewed, notifies: [.operator])
        case .noEligibleCandidate:
            EventSpec(.command(.reviewQualifications), from: [.reviewing], to: .failed, notifies: [.operator])
        case .operatorSelected:
            EventSpec(.command(.selectOperator), from: [.reviewed], to: .selected, notifies: [.operator])
        case .failed:
            EventSpec(
                .command(.failSelection),
                from: [.announced, .applying, .reviewing, .reviewed],
                to: .failed,
                notifies: [.operator]
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
        case .announceSelection(let announcement):
            let plan = try await context.load(PlanProcess.self, announcement.plan.rawValue)
            try context.requireParty(plan.trace.agencyID, when: .implementingAgency, articles)
            // Art. 12: the selection follows the plan the municipal government approved (审定同意后的实施方案);
            // publishing it is not a precondition.
            try context.require(plan, in: [.approved, .published], ["Art. 11", "Art. 12"])
            var trace = TraceKeys()
            trace.selectionID = announcement.id
            trace.planID = announcement.plan
            trace.agencyID = plan.trace.agencyID
            return [Draft(.announced(Announced(selection: announcement)), trace: trace)]
        case .applyForSelection(_, let application):
            try context.requireParty(application.candidate, when: .operator, articles)
            guard !facts.applications.contains(where: { $0.candidate == application.candidate }) else {
                throw context.refuse(.invalidState, "\(application.candidate) has applied already", articles)
            }
            return [Draft(.applied(Applied(application: application)))]
        case .closeApplications:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.applicationsClosed)]
        case .reviewQualifications:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            let method = facts.announcement?.method ?? .openTender
            let results = facts.applications.map { application in
                QualificationResult(
                    candidate: application.candidate,
                    decision: context.evaluate(
                        .operatorEligibility(
                            OperatorEligibilityRequest(
                                candidate: application.candidate,
                                selection: instance.trace.selectionID,
                                method: method,
                                planApproved: true,
                                isLegalEntity: application.isLegalEntity,
                                hasOperatingCapability: application.hasOperatingCapability,
                                hasBadBusinessRecord: application.hasBadBusinessRecord,
                                hasGoodCredit: application.hasGoodCredit,
                                meetsDataSecurityRequirements: application.meetsDataSecurityRequirements
                            )
                        )
                    )
                )
            }
            let reviewed = Reviewed(qualifications: results)
            let anyone = results.contains { $0.decision.isPermit }
            // Every candidate is told its result, the ineligible ones included.
            return [
                Draft(
                    anyone ? Event.qualificationsReviewed(reviewed) : Event.noEligibleCandidate(reviewed),
                    recipients: candidates(facts)
                )
            ]
        case .selectOperator(_, let candidate):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            guard facts.qualifications.contains(where: { $0.candidate == candidate && $0.decision.isPermit }) else {
                throw context.refuse(.invalidInput, "\(candidate) was not found eligible in this selection", articles)
            }
            var trace = TraceKeys()
            trace.operatorID = candidate
            // The selected operator and every candidate not selected are told.
            return [
                Draft(.operatorSelected(Selected(operatorID: candidate)), trace: trace, recipients: candidates(facts))
            ]
        case .failSelection(_, let reason):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.failed(Reasoned(reason: reason)), recipients: candidates(facts))]
        }
    }

    /// Every candidate that applied, as the recipients of a result (Art. 12: a fair selection tells each one).
    static func candidates(_ facts: Facts) -> [Role: [PartyID]] {
        [.operator: facts.applications.map(\.candidate)]
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .announced(let announced): facts.announcement = announced.selection
        case .applied(let applied): facts.applications.append(applied.application)
        case .qualificationsReviewed(let reviewed), .noEligibleCandidate(let reviewed):
            facts.qualifications = reviewed.qualifications
        case .operatorSelected(let selected): facts.selected = selected.operatorID
        case .applicationsClosed, .failed: break
        }
    }
}

extension WorkflowCommand {
    /// A command of the operator selection (Art. 12).
    public static func selection(_ command: SelectionProcess.Command) -> WorkflowCommand {
        WorkflowCommand(SelectionProcess.self, command)
    }
}

extension CommandName {
    /// A selection command.
    public static func selection(_ name: SelectionProcess.Command.Name) -> CommandName {
        CommandName(SelectionProcess.self, name)
    }
}
