import PublicDataModel

/// 信息披露: the yearly disclosure as a process (Art. 32; the national disclosure notice): the implementing agency
/// and the operator each disclose the previous year by the deadline (`disclosureDeadlineMonth` /
/// `disclosureDeadlineDay`, default 31 March), are reminded `disclosureReminderDays` days ahead, and an overdue
/// disclosure is reported to the data administration. Publishing records who published, for which year, and the
/// digest of the report (e.g. the `LedgerHash` of `Disclosure.jsonData()`) on the ledger.
public enum DisclosureProcess: WorkflowProcess {
    public static let kind = ProcessKind.disclosure
    public static let commandKey = "disclosure"
    public static let title = "Yearly disclosure (Art. 32)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.published]

    /// The disclosure's states.
    public enum State: String, ProcessStateKind {
        /// Owed; the deadline has not passed.
        case open
        /// The deadline passed without a disclosure.
        case overdue
        /// Published.
        case published
    }

    /// The disclosure's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The reminder ahead of the deadline.
        case reminder
        /// The deadline.
        case due

        public var rule: String {
            switch self {
            case .reminder: "`disclosureReminderDays` days before the due date (none when that day has passed)"
            case .due:
                "`disclosureDeadlineMonth` / `disclosureDeadlineDay` of the year after the disclosed year; overdue → "
                    + "the data administration is told, once"
            }
        }
    }

    /// What a disclosure remembers.
    public struct Facts: Sendable, Hashable {
        /// The duty: who discloses which year, by when.
        public var duty: DisclosureDuty?
        /// The report's digest, once published.
        public var digest: String?
        /// Whether it was published after its due date.
        public var late: Bool = false
    }

    /// Who discloses which year.
    public struct DisclosureDuty: Codable, Sendable, Hashable {
        /// The party that discloses (the implementing agency or the operator).
        public var party: PartyID
        /// Its role.
        public var role: Role
        /// The disclosed year.
        public var year: Int
        /// The last day to disclose.
        public var dueDay: CivilDate?

        /// Creates a duty; the due day is set when it is opened.
        public init(party: PartyID, role: Role, year: Int, dueDay: CivilDate? = nil) {
            self.party = party
            self.role = role
            self.year = year
            self.dueDay = dueDay
        }

        /// The instance id: `<year>-<party>`.
        public var id: String { "\(year)-\(party)" }
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// The data administration opens a party's disclosure duty for a year.
        case openDisclosure(duty: DisclosureDuty)
        /// The party publishes its disclosure of the year, with the report's digest.
        case publishDisclosure(disclosure: String, digest: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case openDisclosure, publishDisclosure

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .openDisclosure:
                    CommandSpec(
                        [.dataAdministration],
                        ["Art. 32"],
                        guards: ["the discloser is an implementing agency or an operator"]
                    )
                case .publishDisclosure:
                    CommandSpec(
                        [.implementingAgency, .operator],
                        ["Art. 32"],
                        guards: ["the party that owes the disclosure", "a digest of the report"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .openDisclosure: .openDisclosure
            case .publishDisclosure: .publishDisclosure
            }
        }

        public var instanceID: String {
            switch self {
            case .openDisclosure(let duty): duty.id
            case .publishDisclosure(let id, _): id
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .openDisclosure(let duty):
                check.id(duty.party, "$.duty.party")
                if duty.role != .implementingAgency && duty.role != .operator {
                    check.fail("$.duty.role", "only the implementing agency and the operator disclose (Art. 32)")
                }
                if !(2000...9998).contains(duty.year) { check.fail("$.duty.year", "is not a year") }
            case .publishDisclosure(let id, let digest):
                check.text(id, "$.disclosure")
                check.text(digest, "$.digest")
            }
        }
    }

    /// An opened duty.
    public struct Opened: Codable, Sendable, Hashable {
        /// The duty, with its due day.
        public var disclosure: DisclosureDuty
    }

    /// A published disclosure.
    public struct Published: Codable, Sendable, Hashable {
        /// The disclosed year.
        public var year: Int
        /// The report's digest.
        public var digest: String
        /// Whether it was published after its due date.
        public var late: Bool
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// The duty was opened.
        case opened(Opened)
        /// The party was reminded ahead of the deadline.
        case reminded
        /// The deadline passed without a disclosure.
        case overdue
        /// Published.
        case published(Published)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case opened = "disclosure.opened"
            case reminded = "disclosure.reminded"
            case overdue = "disclosure.overdue"
            case published = "disclosure.published"
        }

        public var kind: Kind {
            switch self {
            case .opened: .opened
            case .reminded: .reminded
            case .overdue: .overdue
            case .published: .published
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .opened(let payload): try payload.encode(to: encoder)
            case .published(let payload): try payload.encode(to: encoder)
            case .reminded, .overdue: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .opened: self = .opened(try Opened(from: decoder))
            case .reminded: self = .reminded
            case .overdue: self = .overdue
            case .published: self = .published(try Published(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .opened: Opened.self
            case .reminded, .overdue: NoPayload.self
            case .published: Published.self
            }
        }
    }

    /// The roles that disclose; each notice goes to the party that owes it in its role.
    static let disclosers: [Role] = [.implementingAgency, .operator]

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .opened:
            EventSpec(
                .command(.openDisclosure),
                from: [nil],
                to: .open,
                notifies: disclosers,
                opens: [.reminder, .due]
            )
        case .reminded:
            EventSpec(.deadline(.reminder), from: [.open], to: nil, notifies: disclosers, closes: [.reminder])
        case .overdue:
            EventSpec(
                .deadline(.due),
                from: [.open],
                to: .overdue,
                notifies: disclosers + [.dataAdministration],
                closes: [.reminder, .due]
            )
        case .published:
            EventSpec(
                .command(.publishDisclosure),
                from: [.open, .overdue],
                to: .published,
                notifies: [.dataAdministration],
                closes: [.reminder, .due]
            )
        }
    }

    /// The party that owes the disclosure, as the only discloser told.
    static func holder(_ duty: DisclosureDuty?) -> [Role: [PartyID]] {
        var recipients: [Role: [PartyID]] = [:]
        for role in disclosers { recipients[role] = duty?.role == role ? [duty!.party] : [] }
        return recipients
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        let parameters = context.parameters
        switch command {
        case .openDisclosure(var duty):
            guard
                let due = CivilDate(
                    year: duty.year + 1,
                    month: parameters.disclosureDeadlineMonth,
                    day: parameters.disclosureDeadlineDay
                )
            else { throw context.refuse(.invalidInput, "the deadline is not a day of \(duty.year + 1)", articles) }
            duty.dueDay = due
            var deadlines = [
                context.deadline(Deadline.due, instance, dueDay: due, dueAt: context.calendar.endOfDay(due))
            ]
            let remind = due.adding(days: -parameters.disclosureReminderDays)
            if remind > context.today {
                deadlines.append(
                    context.deadline(
                        Deadline.reminder,
                        instance,
                        dueDay: remind,
                        dueAt: context.calendar.startOfDay(remind)
                    )
                )
            }
            var trace = TraceKeys()
            if duty.role == .operator { trace.operatorID = duty.party } else { trace.agencyID = duty.party }
            return [
                Draft(.opened(Opened(disclosure: duty)), trace: trace, deadlines: deadlines, recipients: holder(duty))
            ]
        case .publishDisclosure(_, let digest):
            guard let duty = instance.facts.duty else { throw context.refuse(.notFound, "no disclosure is owed") }
            guard context.actor.role == duty.role, context.actor.party == duty.party else {
                throw context.refuse(.notParty, "\(duty.party) as \(duty.role.rawValue) owes this disclosure", articles)
            }
            let late = instance.state == .overdue || duty.dueDay.map { context.today > $0 } ?? false
            return [Draft(.published(Published(year: duty.year, digest: digest, late: late)))]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .opened(let opened): facts.duty = opened.disclosure
        case .published(let published):
            facts.digest = published.digest
            facts.late = published.late
        case .reminded, .overdue: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .reminder: Draft(.reminded, recipients: holder(instance.facts.duty))
        case .due: Draft(.overdue, recipients: holder(instance.facts.duty))
        }
    }
}

extension WorkflowCommand {
    /// A command of the yearly disclosure (Art. 32).
    public static func disclosure(_ command: DisclosureProcess.Command) -> WorkflowCommand {
        WorkflowCommand(DisclosureProcess.self, command)
    }
}

extension CommandName {
    /// A disclosure command.
    public static func disclosure(_ name: DisclosureProcess.Command.Name) -> CommandName {
        CommandName(DisclosureProcess.self, name)
    }
}
