import PublicDataModel
import PublicDataPolicy

/// 实施方案: the implementation plan (Art. 10–11), drafted by the implementing agency and approved by the
/// municipal government.
///
/// Whether a plan may be submitted is the policy's plan-review decision point (completeness of the twelve
/// Art. 11 elements, the term cap, the authorization mode against the zone): the engine only checks the shape.
public enum PlanProcess: WorkflowProcess {
    public static let kind = ProcessKind.implementationPlan
    public static let commandKey = "plan"
    public static let title = "Implementation plan (Art. 10–11)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = []

    /// The plan's states.
    public enum State: String, ProcessStateKind {
        /// Being written (again, after an amendment or a return).
        case draft
        /// Submitted for approval.
        case submitted
        /// Returned for rework.
        case returned
        /// Approved by the municipal government.
        case approved
        /// Published; operators may be selected for it.
        case published
    }

    public typealias Deadline = NoDeadline

    /// What a plan instance remembers.
    public struct Facts: Sendable, Hashable {
        /// The plan's current content.
        public var plan: ImplementationPlan?
        /// Its version (1 for the draft, +1 for each amendment).
        public var version: Int = 0
        /// The latest review decision.
        public var decision: Decision?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Drafts a plan (version 1).
        case draftPlan(plan: ImplementationPlan)
        /// Submits the plan for approval; the policy's plan review decides.
        case submitPlan(plan: PlanID)
        /// Approves a submitted plan.
        case approvePlan(plan: PlanID)
        /// Returns a submitted plan for rework.
        case returnPlan(plan: PlanID, reason: String)
        /// Publishes an approved plan.
        case publishPlan(plan: PlanID)
        /// Replaces the plan's content with a new version, back to draft.
        case amendPlan(plan: ImplementationPlan)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case draftPlan, submitPlan, approvePlan, returnPlan, publishPlan, amendPlan

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .draftPlan: CommandSpec([.implementingAgency], ["Art. 11"], guards: ["the agency's own plan"])
                case .submitPlan:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 11"],
                        guards: [
                            "the plan's zone is established",
                            "the policy's plan review: the twelve elements, the term cap, the mode against the zone's "
                                + "kind and the plan's scenarios",
                        ]
                    )
                case .approvePlan: CommandSpec([.municipalGovernment], ["Art. 11"])
                case .returnPlan: CommandSpec([.municipalGovernment], ["Art. 11"], guards: ["a reason is given"])
                case .publishPlan: CommandSpec([.implementingAgency], ["Art. 11"])
                case .amendPlan:
                    CommandSpec([.implementingAgency], ["Art. 11"], guards: ["the amendment keeps the agency"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .draftPlan: .draftPlan
            case .submitPlan: .submitPlan
            case .approvePlan: .approvePlan
            case .returnPlan: .returnPlan
            case .publishPlan: .publishPlan
            case .amendPlan: .amendPlan
            }
        }

        public var instanceID: String {
            switch self {
            case .draftPlan(let plan), .amendPlan(let plan): plan.id.rawValue
            case .submitPlan(let id), .approvePlan(let id), .returnPlan(let id, _), .publishPlan(let id): id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .draftPlan(let plan), .amendPlan(let plan):
                check.id(plan.id, "$.plan.id")
                check.id(plan.implementingAgency, "$.plan.implementingAgency")
            case .submitPlan(let id), .approvePlan(let id), .publishPlan(let id): check.id(id, "$.plan")
            case .returnPlan(let id, let reason):
                check.id(id, "$.plan")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A plan's content and version.
    public struct Drafted: Codable, Sendable, Hashable {
        /// The content.
        public var plan: ImplementationPlan
        /// The version.
        public var planVersion: Int
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Drafted (version 1).
        case drafted(Drafted)
        /// Submitted, with the policy's permit.
        case submitted(Decided)
        /// Approved.
        case approved
        /// Returned, with the reason.
        case returned(Reasoned)
        /// Published.
        case published
        /// Amended (a new version).
        case amended(Drafted)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case drafted = "plan.drafted"
            case submitted = "plan.submitted"
            case approved = "plan.approved"
            case returned = "plan.returned"
            case published = "plan.published"
            case amended = "plan.amended"
        }

        public var kind: Kind {
            switch self {
            case .drafted: .drafted
            case .submitted: .submitted
            case .approved: .approved
            case .returned: .returned
            case .published: .published
            case .amended: .amended
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .drafted(let payload), .amended(let payload): try payload.encode(to: encoder)
            case .submitted(let payload): try payload.encode(to: encoder)
            case .returned(let payload): try payload.encode(to: encoder)
            case .approved, .published: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .drafted: self = .drafted(try Drafted(from: decoder))
            case .submitted: self = .submitted(try Decided(from: decoder))
            case .approved: self = .approved
            case .returned: self = .returned(try Reasoned(from: decoder))
            case .published: self = .published
            case .amended: self = .amended(try Drafted(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .drafted: Drafted.self
            case .submitted: Decided.self
            case .approved: NoPayload.self
            case .returned: Reasoned.self
            case .published: NoPayload.self
            case .amended: Drafted.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .drafted: EventSpec(.command(.draftPlan), from: [nil], to: .draft)
        case .submitted:
            EventSpec(.command(.submitPlan), from: [.draft], to: .submitted, notifies: [.municipalGovernment])
        case .approved:
            EventSpec(.command(.approvePlan), from: [.submitted], to: .approved, notifies: [.implementingAgency])
        case .returned:
            EventSpec(.command(.returnPlan), from: [.submitted], to: .returned, notifies: [.implementingAgency])
        case .published: EventSpec(.command(.publishPlan), from: [.approved], to: .published)
        case .amended: EventSpec(.command(.amendPlan), from: [.draft, .returned, .published], to: .draft)
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .draftPlan(let plan):
            try context.requireParty(plan.implementingAgency, when: .implementingAgency, articles)
            var trace = TraceKeys()
            trace.planID = plan.id
            trace.agencyID = plan.implementingAgency
            trace.catalogEntryIDs = plan.dataScope
            return [Draft(.drafted(Drafted(plan: plan, planVersion: 1)), trace: trace)]
        case .submitPlan:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            guard let plan = instance.facts.plan else { throw context.refuse(.notFound, "the plan has no content") }
            // Art. 10: the review sees the zone's kind (a by-domain plan needs a domain zone) and the scenarios a
            // by-scenario plan authorizes.
            var zoneKind: ZoneKind?
            if let zoneID = plan.zone {
                guard let zone = try await context.instance(ZoneProcess.self, zoneID.rawValue).facts.zone else {
                    throw context.refuse(.notFound, "zone \(zoneID) is not established", ["Art. 10", "87号 §3"])
                }
                zoneKind = zone.kind
            }
            let decision = context.evaluate(
                .plan(PlanReviewRequest(plan: plan, zoneKind: zoneKind, scenarios: plan.scenarios ?? []))
            )
            guard decision.isPermit else {
                throw context.policyDenied(
                    decision,
                    "the plan review refuses the plan",
                    issues: plan.validationIssues()
                )
            }
            return [Draft(.submitted(Decided(decision: decision)))]
        case .approvePlan: return [Draft(.approved)]
        case .returnPlan(_, let reason): return [Draft(.returned(Reasoned(reason: reason)))]
        case .publishPlan:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.published)]
        case .amendPlan(let plan):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            guard plan.implementingAgency == instance.trace.agencyID else {
                throw context.refuse(.invalidInput, "an amendment may not change the implementing agency", articles)
            }
            var trace = TraceKeys()
            trace.catalogEntryIDs = plan.dataScope
            return [Draft(.amended(Drafted(plan: plan, planVersion: instance.facts.version + 1)), trace: trace)]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .drafted(let drafted), .amended(let drafted):
            facts.plan = drafted.plan
            facts.version = drafted.planVersion
        case .submitted(let decided): facts.decision = decided.decision
        case .approved, .returned, .published: break
        }
    }
}

extension WorkflowCommand {
    /// A command of the implementation plan (Art. 10–11).
    public static func plan(_ command: PlanProcess.Command) -> WorkflowCommand {
        WorkflowCommand(PlanProcess.self, command)
    }
}

extension CommandName {
    /// A plan command.
    public static func plan(_ name: PlanProcess.Command.Name) -> CommandName {
        CommandName(PlanProcess.self, name)
    }
}
