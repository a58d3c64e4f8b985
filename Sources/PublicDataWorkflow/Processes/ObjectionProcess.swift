import PublicDataModel

/// 数据异议: a quality objection against a catalog entry (Art. 18), answered by the data provider within working
/// days and escalated when the answer is overdue.
public enum ObjectionProcess: WorkflowProcess {
    public static let kind = ProcessKind.objection
    public static let title = "Quality objection (Art. 18)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.closed]

    /// The objection's states.
    public enum State: String, ProcessStateKind {
        /// Raised.
        case raised
        /// Accepted; the provider's answer is due.
        case accepted
        /// The provider is verifying.
        case verifying
        /// The provider fed back its finding.
        case fedBack
        /// The data was corrected.
        case corrected
        /// The objection was rejected (the data was right).
        case rejected
        /// Closed.
        case closed
    }

    /// The objection's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The provider's answer.
        case response

        public var rule: String {
            "the end of `objectionResponseWorkingDays` working days after acceptance; overdue → escalation, re-armed "
                + "for as many working days after each escalation, at most `objectionEscalationLimit` times"
        }
    }

    /// What an objection remembers.
    public struct Facts: Sendable, Hashable {
        /// The objection.
        public var objection: ObjectionSpec?
        /// How many times it was escalated.
        public var escalations: Int = 0
        /// The latest finding, note or reason.
        public var note: String?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Raises an objection against a catalog entry.
        case raiseObjection(objection: ObjectionSpec)
        /// The data administration accepts it; the provider's answer is due in working days.
        case acceptObjection(objection: ObjectionID)
        /// The provider starts verifying.
        case startVerification(objection: ObjectionID)
        /// The provider feeds back its finding.
        case feedBackObjection(objection: ObjectionID, finding: String)
        /// The provider records the correction.
        case correctObjection(objection: ObjectionID, note: String)
        /// The objection is rejected (the data was right).
        case rejectObjection(objection: ObjectionID, reason: String)
        /// The data administration closes it.
        case closeObjection(objection: ObjectionID)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case raiseObjection, acceptObjection, startVerification, feedBackObjection, correctObjection
            case rejectObjection, closeObjection

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                let provider = ["the provider named in the objection"]
                switch self {
                case .raiseObjection:
                    return CommandSpec(
                        [
                            .operator, .businessEntity, .dataSubject, .implementingAgency, .industryDepartment,
                            .bigDataCenter,
                        ],
                        ["Art. 18"],
                        guards: ["the entry is in the catalog"]
                    )
                case .acceptObjection: return CommandSpec([.dataAdministration], ["Art. 18"])
                case .startVerification: return CommandSpec([.dataProvider], ["Art. 18"], guards: provider)
                case .feedBackObjection: return CommandSpec([.dataProvider], ["Art. 18"], guards: provider)
                case .correctObjection: return CommandSpec([.dataProvider], ["Art. 18"], guards: provider)
                case .rejectObjection:
                    return CommandSpec(
                        [.dataProvider, .dataAdministration],
                        ["Art. 18"],
                        guards: ["a provider only for its own objection"]
                    )
                case .closeObjection: return CommandSpec([.dataAdministration], ["Art. 18"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .raiseObjection: .raiseObjection
            case .acceptObjection: .acceptObjection
            case .startVerification: .startVerification
            case .feedBackObjection: .feedBackObjection
            case .correctObjection: .correctObjection
            case .rejectObjection: .rejectObjection
            case .closeObjection: .closeObjection
            }
        }

        public var instanceID: String {
            switch self {
            case .raiseObjection(let objection): objection.id.rawValue
            case .acceptObjection(let id), .startVerification(let id), .feedBackObjection(let id, _),
                .correctObjection(let id, _), .rejectObjection(let id, _), .closeObjection(let id):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .raiseObjection(let objection):
                check.id(objection.id, "$.objection.id")
                check.id(objection.entry, "$.objection.entry")
                check.id(objection.provider, "$.objection.provider")
                check.text(objection.description, "$.objection.description")
            case .acceptObjection(let id), .startVerification(let id), .closeObjection(let id):
                check.id(id, "$.objection")
            case .feedBackObjection(let id, let text), .correctObjection(let id, let text),
                .rejectObjection(let id, let text):
                check.id(id, "$.objection")
                check.text(text, "$.note")
            }
        }
    }

    /// A raised objection.
    public struct Raised: Codable, Sendable, Hashable {
        /// The objection.
        public var objection: ObjectionSpec
    }

    /// An escalation.
    public struct Escalated: Codable, Sendable, Hashable {
        /// How many times it was escalated, this one included.
        public var escalations: Int
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Raised.
        case raised(Raised)
        /// Accepted.
        case accepted
        /// Verification started.
        case verificationStarted
        /// The provider's finding.
        case fedBack(Noted)
        /// Corrected.
        case corrected(Noted)
        /// Rejected.
        case rejected(Reasoned)
        /// Closed.
        case closed
        /// The answer is overdue; escalated.
        case escalated(Escalated)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case raised = "objection.raised"
            case accepted = "objection.accepted"
            case verificationStarted = "objection.verificationStarted"
            case fedBack = "objection.fedBack"
            case corrected = "objection.corrected"
            case rejected = "objection.rejected"
            case closed = "objection.closed"
            case escalated = "objection.escalated"
        }

        public var kind: Kind {
            switch self {
            case .raised: .raised
            case .accepted: .accepted
            case .verificationStarted: .verificationStarted
            case .fedBack: .fedBack
            case .corrected: .corrected
            case .rejected: .rejected
            case .closed: .closed
            case .escalated: .escalated
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .raised(let payload): try payload.encode(to: encoder)
            case .fedBack(let payload), .corrected(let payload): try payload.encode(to: encoder)
            case .rejected(let payload): try payload.encode(to: encoder)
            case .escalated(let payload): try payload.encode(to: encoder)
            case .accepted, .verificationStarted, .closed: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .raised: self = .raised(try Raised(from: decoder))
            case .accepted: self = .accepted
            case .verificationStarted: self = .verificationStarted
            case .fedBack: self = .fedBack(try Noted(from: decoder))
            case .corrected: self = .corrected(try Noted(from: decoder))
            case .rejected: self = .rejected(try Reasoned(from: decoder))
            case .closed: self = .closed
            case .escalated: self = .escalated(try Escalated(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .raised: Raised.self
            case .accepted: NoPayload.self
            case .verificationStarted: NoPayload.self
            case .fedBack: Noted.self
            case .corrected: Noted.self
            case .rejected: Reasoned.self
            case .closed: NoPayload.self
            case .escalated: Escalated.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .raised: EventSpec(.command(.raiseObjection), from: [nil], to: .raised, notifies: [.dataAdministration])
        case .accepted:
            EventSpec(
                .command(.acceptObjection),
                from: [.raised],
                to: .accepted,
                notifies: [.dataProvider],
                opens: [.response]
            )
        case .verificationStarted: EventSpec(.command(.startVerification), from: [.accepted], to: .verifying)
        case .fedBack:
            EventSpec(
                .command(.feedBackObjection),
                from: [.accepted, .verifying],
                to: .fedBack,
                notifies: [.dataAdministration],
                closes: [.response]
            )
        case .corrected:
            EventSpec(.command(.correctObjection), from: [.fedBack], to: .corrected, notifies: [.dataAdministration])
        case .rejected:
            EventSpec(.command(.rejectObjection), from: [.fedBack], to: .rejected, notifies: [.dataAdministration])
        case .closed: EventSpec(.command(.closeObjection), from: [.corrected, .rejected], to: .closed)
        case .escalated:
            EventSpec(
                .deadline(.response),
                from: [.accepted, .verifying],
                to: nil,
                notifies: [.dataAdministration],
                opens: [.response],
                closes: [.response]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        let provider = instance.facts.objection?.provider
        switch command {
        case .raiseObjection(let objection):
            _ = try await context.entries([objection.entry])
            var trace = TraceKeys()
            trace.objectionID = objection.id
            trace.catalogEntryIDs = [objection.entry]
            trace.applicantID = context.actor.party
            trace.providerIDs = [objection.provider]
            return [Draft(.raised(Raised(objection: objection)), trace: trace)]
        case .acceptObjection:
            // With an escalation limit of 0 an overdue objection never escalates, so no deadline is opened.
            guard context.parameters.objectionEscalationLimit > 0 else { return [Draft(.accepted)] }
            let response = context.workingDayDeadline(
                Deadline.response,
                instance,
                count: context.parameters.objectionResponseWorkingDays
            )
            return [Draft(.accepted, deadlines: [response])]
        case .startVerification:
            try context.requireParty(provider, when: .dataProvider, articles)
            return [Draft(.verificationStarted)]
        case .feedBackObjection(_, let finding):
            try context.requireParty(provider, when: .dataProvider, articles)
            return [Draft(.fedBack(Noted(note: finding)))]
        case .correctObjection(_, let note):
            try context.requireParty(provider, when: .dataProvider, articles)
            return [Draft(.corrected(Noted(note: note)))]
        case .rejectObjection(_, let reason):
            try context.requireParty(provider, when: .dataProvider, articles)
            return [Draft(.rejected(Reasoned(reason: reason)))]
        case .closeObjection: return [Draft(.closed)]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .raised(let raised): facts.objection = raised.objection
        case .fedBack(let noted), .corrected(let noted): facts.note = noted.note
        case .rejected(let reasoned): facts.note = reasoned.reason
        case .escalated(let escalated): facts.escalations = escalated.escalations
        case .accepted, .verificationStarted, .closed: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .response:
            // Re-armed the policy's response period after the due day, until the escalation limit is reached.
            let escalations = instance.facts.escalations + 1
            var next: [ScheduledDeadline] = []
            if escalations < context.parameters.objectionEscalationLimit,
                let due = instance.openDeadlines[.response]?.dueDay
            {
                let day = context.calendar.addingWorkingDays(context.parameters.objectionResponseWorkingDays, to: due)
                next = [
                    context.deadline(Deadline.response, instance, dueDay: day, dueAt: context.calendar.endOfDay(day))
                ]
            }
            return Draft(.escalated(Escalated(escalations: escalations)), deadlines: next)
        }
    }
}
