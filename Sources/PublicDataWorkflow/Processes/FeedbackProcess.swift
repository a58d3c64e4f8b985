import PublicDataModel

/// 数据反哺 (87号): an operator offers data back; once accepted, the entry joins the catalog.
public enum FeedbackProcess: WorkflowProcess {
    public static let kind = ProcessKind.feedback
    public static let commandKey = "feedback"
    public static let title = "Data feedback (87号)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.accepted, .rejected]

    /// The offer's states.
    public enum State: String, ProcessStateKind {
        /// Offered.
        case offered
        /// Under review.
        case reviewing
        /// Accepted; the entry is in the catalog.
        case accepted
        /// Rejected.
        case rejected
    }

    public typealias Deadline = NoDeadline

    /// What an offer remembers.
    public struct Facts: Sendable, Hashable {
        /// The offer.
        public var offer: FeedbackSpec?
        /// Why it was rejected.
        public var reason: String?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// The operator offers data back.
        case offerFeedback(offer: FeedbackSpec)
        /// The reviewer starts reviewing.
        case startFeedbackReview(feedback: FeedbackID)
        /// Accepts the offer; the entry joins the catalog.
        case acceptFeedback(feedback: FeedbackID)
        /// Rejects the offer.
        case rejectFeedback(feedback: FeedbackID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case offerFeedback, startFeedbackReview, acceptFeedback, rejectFeedback

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .offerFeedback:
                    CommandSpec([.operator], ["87号 §4"], guards: ["the operator of the agreement"])
                case .startFeedbackReview: CommandSpec([.dataAdministration, .industryDepartment], ["87号 §4"])
                case .acceptFeedback:
                    CommandSpec(
                        [.dataAdministration, .industryDepartment],
                        ["87号 §4"],
                        guards: ["the proposed entry id is not in the catalog yet"]
                    )
                case .rejectFeedback:
                    CommandSpec([.dataAdministration, .industryDepartment], ["87号 §4"], guards: ["a reason"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .offerFeedback: .offerFeedback
            case .startFeedbackReview: .startFeedbackReview
            case .acceptFeedback: .acceptFeedback
            case .rejectFeedback: .rejectFeedback
            }
        }

        public var instanceID: String {
            switch self {
            case .offerFeedback(let offer): offer.id.rawValue
            case .startFeedbackReview(let id), .acceptFeedback(let id), .rejectFeedback(let id, _): id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .offerFeedback(let offer):
                check.id(offer.id, "$.offer.id")
                check.id(offer.agreement, "$.offer.agreement")
                check.id(offer.entry.id, "$.offer.entry.id")
                check.text(offer.entry.name, "$.offer.entry.name")
                check.text(offer.description, "$.offer.description")
            case .startFeedbackReview(let id), .acceptFeedback(let id): check.id(id, "$.feedback")
            case .rejectFeedback(let id, let reason):
                check.id(id, "$.feedback")
                check.text(reason, "$.reason")
            }
        }
    }

    /// An offer.
    public struct Offered: Codable, Sendable, Hashable {
        /// The offer.
        public var feedback: FeedbackSpec
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Offered.
        case offered(Offered)
        /// Review started.
        case reviewStarted
        /// Accepted.
        case accepted
        /// Rejected.
        case rejected(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case offered = "feedback.offered"
            case reviewStarted = "feedback.reviewStarted"
            case accepted = "feedback.accepted"
            case rejected = "feedback.rejected"
        }

        public var kind: Kind {
            switch self {
            case .offered: .offered
            case .reviewStarted: .reviewStarted
            case .accepted: .accepted
            case .rejected: .rejected
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .offered(let payload): try payload.encode(to: encoder)
            case .rejected(let payload): try payload.encode(to: encoder)
            case .reviewStarted, .accepted: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .offered: self = .offered(try Offered(from: decoder))
            case .reviewStarted: self = .reviewStarted
            case .accepted: self = .accepted
            case .rejected: self = .rejected(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .offered: Offered.self
            case .reviewStarted: NoPayload.self
            case .accepted: NoPayload.self
            case .rejected: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .offered: EventSpec(.command(.offerFeedback), from: [nil], to: .offered, notifies: [.dataAdministration])
        case .reviewStarted: EventSpec(.command(.startFeedbackReview), from: [.offered], to: .reviewing)
        case .accepted:
            EventSpec(.command(.acceptFeedback), from: [.reviewing], to: .accepted, notifies: [.operator])
        case .rejected:
            EventSpec(.command(.rejectFeedback), from: [.reviewing], to: .rejected, notifies: [.operator])
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        switch command {
        case .offerFeedback(let offer):
            let (agreement, terms) = try await context.agreement(offer.agreement)
            try context.requireParty(agreement.trace.operatorID, when: .operator, command.name.spec.articles)
            var trace = TraceKeys()
            trace.feedbackID = offer.id
            trace.agreementID = offer.agreement
            trace.operatorID = terms.terms.operatorParty
            trace.agencyID = terms.terms.implementingAgency
            trace.catalogEntryIDs = [offer.entry.id]
            return [Draft(.offered(Offered(feedback: offer)), trace: trace)]
        case .startFeedbackReview: return [Draft(.reviewStarted)]
        case .acceptFeedback:
            // The catalog entry is published first (an effect with a deterministic id), then the offer accepted.
            guard let offer = instance.facts.offer else { throw context.refuse(.notFound, "the offer has no content") }
            let catalog = try await context.instance(CatalogProcess.self, offer.entry.id.rawValue)
            if catalog.exists, catalog.trace.feedbackID != offer.id {
                throw context.refuse(
                    .invalidState,
                    "catalog entry \(offer.entry.id) exists already",
                    command.name.spec.articles
                )
            }
            return [Draft(.accepted)]
        case .rejectFeedback(_, let reason): return [Draft(.rejected(Reasoned(reason: reason)))]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .offered(let offered): facts.offer = offered.feedback
        case .rejected(let rejected): facts.reason = rejected.reason
        case .reviewStarted, .accepted: break
        }
    }
}

extension WorkflowCommand {
    /// A command of data feedback (87号).
    public static func feedback(_ command: FeedbackProcess.Command) -> WorkflowCommand {
        WorkflowCommand(FeedbackProcess.self, command)
    }
}

extension CommandName {
    /// A feedback command.
    public static func feedback(_ name: FeedbackProcess.Command.Name) -> CommandName {
        CommandName(FeedbackProcess.self, name)
    }
}
