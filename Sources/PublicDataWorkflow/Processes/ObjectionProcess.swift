import PublicDataModel

/// 数据异议: a quality objection against a catalog entry (Art. 18), answered by the data provider within working
/// days and escalated when the answer is overdue.
///
/// An objection may name several providers along the supply chain (逐级倒查: `ObjectionSpec.upstreamProviders`).
/// Each is told when it is accepted, and each answers for itself: every answer is recorded with its provider and
/// whether it came after the due date (`late`), `objection.partlyFedBack` while others are outstanding and
/// `objection.fedBack` with the last one, which closes the response deadline (escalations go on until then). Any
/// named provider then records the correction, or rejects the objection; the data administration closes it. The
/// data administration may also reject an objection before the providers have answered (a groundless one, or one
/// whose providers stay silent once the escalations are spent), so that every objection can end.
public enum ObjectionProcess: WorkflowProcess {
    public static let kind = ProcessKind.objection
    public static let commandKey = "objection"
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
        /// The providers that have answered, in the order they answered.
        public var answers: [PartyID] = []
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
                let provider = ["a provider named in the objection (several along the supply chain, 逐级倒查)"]
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
                case .feedBackObjection:
                    return CommandSpec(
                        [.dataProvider],
                        ["Art. 18"],
                        guards: provider + [
                            "each named provider answers once; fed back when every one has",
                            "an answer after the due date is marked late",
                        ]
                    )
                case .correctObjection: return CommandSpec([.dataProvider], ["Art. 18"], guards: provider)
                case .rejectObjection:
                    return CommandSpec(
                        [.dataProvider, .dataAdministration],
                        ["Art. 18"],
                        guards: [
                            "a provider only for its own objection, once every named provider has answered",
                            "the data administration at any time before that too (a groundless objection, or "
                                + "providers that never answer): it runs the objection loop",
                        ]
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
                for (index, party) in (objection.upstreamProviders ?? []).enumerated() {
                    check.id(party, "$.objection.upstreamProviders[\(index)]")
                    if party == objection.provider || objection.upstreamProviders?[..<index].contains(party) == true {
                        check.fail("$.objection.upstreamProviders[\(index)]", "\(party) is named twice")
                    }
                }
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

    /// A provider's answer (its finding).
    public struct Answered: Codable, Sendable, Hashable {
        /// The finding.
        public var note: String
        /// The provider that answered.
        public var provider: PartyID?
        /// Whether it answered after the due date (the first response deadline).
        public var late: Bool?
        /// The named providers that have not answered yet.
        public var outstanding: [PartyID]?
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
        /// Every named provider has answered; the last answer.
        case fedBack(Answered)
        /// A provider answered; others are outstanding.
        case partlyFedBack(Answered)
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
            case partlyFedBack = "objection.partlyFedBack"
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
            case .partlyFedBack: .partlyFedBack
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .raised(let payload): try payload.encode(to: encoder)
            case .fedBack(let payload), .partlyFedBack(let payload): try payload.encode(to: encoder)
            case .corrected(let payload): try payload.encode(to: encoder)
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
            case .fedBack: self = .fedBack(try Answered(from: decoder))
            case .partlyFedBack: self = .partlyFedBack(try Answered(from: decoder))
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
            case .fedBack, .partlyFedBack: Answered.self
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
        case .partlyFedBack:
            EventSpec(
                .command(.feedBackObjection),
                from: [.accepted, .verifying],
                to: nil,
                notifies: [.dataAdministration]
            )
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
            EventSpec(
                .command(.rejectObjection),
                from: [.raised, .accepted, .verifying, .fedBack],
                to: .rejected,
                notifies: [.dataAdministration, .dataProvider],
                closes: [.response]
            )
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
        let providers = instance.facts.objection?.providers ?? []
        switch command {
        case .raiseObjection(let objection):
            _ = try await context.entries([objection.entry])
            var trace = TraceKeys()
            trace.objectionID = objection.id
            trace.catalogEntryIDs = [objection.entry]
            trace.applicantID = context.actor.party
            trace.providerIDs = objection.providers
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
            try requireNamedProvider(providers, context, articles)
            return [Draft(.verificationStarted)]
        case .feedBackObjection(_, let finding):
            try requireNamedProvider(providers, context, articles)
            // Each named provider answers once; the objection is fed back when the last one has.
            let provider = context.actor.role == .dataProvider ? context.actor.party : nil
            if let provider, instance.facts.answers.contains(provider) {
                throw context.refuse(.invalidState, "\(provider) has answered this objection already", articles)
            }
            let answered = instance.facts.answers + [provider].compactMap { $0 }
            let outstanding = provider == nil ? [] : providers.filter { !answered.contains($0) }
            let due = instance.openDeadlines[.response]?.dueAt
            let late = instance.facts.escalations > 0 || due.map { context.now > $0 } == true
            let answer = Answered(note: finding, provider: provider, late: late, outstanding: outstanding)
            return [Draft(outstanding.isEmpty ? .fedBack(answer) : .partlyFedBack(answer))]
        case .correctObjection(_, let note):
            try requireNamedProvider(providers, context, articles)
            return [Draft(.corrected(Noted(note: note)))]
        case .rejectObjection(_, let reason):
            try requireNamedProvider(providers, context, articles)
            // A provider rejects on its finding; before every named provider has answered only the data
            // administration, which runs the objection loop (Art. 18 ¶1), may end it.
            if context.actor.role == .dataProvider, instance.state != .fedBack {
                throw context.refuse(
                    .invalidState,
                    "objection \(instance.stream) is \(instance.stateName): a provider rejects it after every named "
                        + "provider has fed back",
                    articles
                )
            }
            return [Draft(.rejected(Reasoned(reason: reason)))]
        case .closeObjection: return [Draft(.closed)]
        }
    }

    /// A data provider acts only on an objection that names it.
    static func requireNamedProvider(
        _ providers: [PartyID],
        _ context: DecisionContext,
        _ articles: [String]
    ) throws(WorkflowError) {
        guard context.actor.role == .dataProvider, !providers.contains(context.actor.party) else { return }
        throw context.refuse(
            .notParty,
            "\(context.actor.party) is not a provider named in the objection "
                + "(\(providers.map(\.rawValue).joined(separator: ", ")))",
            articles
        )
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .raised(let raised): facts.objection = raised.objection
        case .fedBack(let answered), .partlyFedBack(let answered):
            facts.note = answered.note
            if let provider = answered.provider, !facts.answers.contains(provider) { facts.answers.append(provider) }
        case .corrected(let noted): facts.note = noted.note
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

extension WorkflowCommand {
    /// A command of the quality objection (Art. 18).
    public static func objection(_ command: ObjectionProcess.Command) -> WorkflowCommand {
        WorkflowCommand(ObjectionProcess.self, command)
    }
}

extension CommandName {
    /// An objection command.
    public static func objection(_ name: ObjectionProcess.Command.Name) -> CommandName {
        CommandName(ObjectionProcess.self, name)
    }
}
