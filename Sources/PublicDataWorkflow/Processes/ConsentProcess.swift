import PublicDataModel

/// One catalog entry a consent covers, with the fields it covers.
public struct ConsentScopeItem: Codable, Sendable, Hashable {
    /// The catalog entry.
    public var entry: CatalogEntryID
    /// The fields covered; empty means every field of the entry.
    public var fields: [String]

    /// Creates a scope item.
    public init(entry: CatalogEntryID, fields: [String] = []) {
        self.entry = entry
        self.fields = fields
    }
}

/// The data subjects' explicit consent to the use of their public data (Art. 17 ¶2, Art. 26): who consents, to
/// whom, for which entries and fields, for which purpose and scenario, and for how long.
public struct ConsentRecord: Codable, Sendable, Hashable {
    /// The record's identifier.
    public var id: ConsentID
    /// The data subjects (自然人、法人和非法人组织) who consent.
    public var subjects: [PartyID]
    /// The operator the data may be supplied to.
    public var operatorParty: PartyID
    /// The entries and fields covered.
    public var scope: [ConsentScopeItem]
    /// The purpose covered.
    public var purpose: Purpose
    /// The application scenario covered, as the data request names it.
    public var scenario: String
    /// The first day the consent is valid.
    public var validFrom: CivilDate
    /// The last day the consent is valid.
    public var validUntil: CivilDate
    /// The channel it was given through (e.g. 京通, Art. 26).
    public var channel: String

    /// Creates a consent record.
    public init(
        id: ConsentID,
        subjects: [PartyID],
        operatorParty: PartyID,
        scope: [ConsentScopeItem],
        purpose: Purpose,
        scenario: String,
        validFrom: CivilDate,
        validUntil: CivilDate,
        channel: String
    ) {
        self.id = id
        self.subjects = subjects
        self.operatorParty = operatorParty
        self.scope = scope
        self.purpose = purpose
        self.scenario = scenario
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.channel = channel
    }

    /// What of `request` this consent does not cover (empty when it covers all of it): the operator, each entry
    /// and field requested (`entries` are the requested entries as in the catalog, to expand "every field"), the
    /// purpose and the scenario. Validity in time is ``ProcessInstance/consentGaps(_:operatorParty:entries:on:)``'s.
    public func gaps(
        _ request: DataRequestSpec,
        operatorParty: PartyID,
        entries: [CatalogEntryID: CatalogEntry]
    ) -> [String] {
        var gaps: [String] = []
        if operatorParty != self.operatorParty {
            gaps.append("it is given to operator \(self.operatorParty), not \(operatorParty)")
        }
        for item in request.items {
            guard let covered = scope.first(where: { $0.entry == item.entry }) else {
                gaps.append("it does not cover entry \(item.entry)")
                continue
            }
            guard !covered.fields.isEmpty else { continue }
            let requested =
                item.requestedFields.isEmpty ? (entries[item.entry]?.fields.map(\.name) ?? []) : item.requestedFields
            let outside = requested.filter { !covered.fields.contains($0) }
            if !outside.isEmpty {
                gaps.append("it does not cover fields \(outside.joined(separator: ", ")) of entry \(item.entry)")
            }
        }
        if request.purpose != purpose {
            gaps.append("it covers the purpose \(purpose.rawValue), not \(request.purpose.rawValue)")
        }
        if request.scenario != scenario {
            gaps.append("it covers the scenario \"\(scenario)\", not \"\(request.scenario)\"")
        }
        return gaps
    }

    /// Every problem of the record's shape, with its JSON path.
    public func validationIssues() -> [ValidationIssue] {
        var check = InputCheck()
        check.id(id, "$.id")
        check.id(operatorParty, "$.operatorParty")
        check.text(scenario, "$.scenario")
        check.text(channel, "$.channel")
        if subjects.isEmpty { check.fail("$.subjects", "names no data subject") }
        for (index, subject) in subjects.enumerated() {
            check.id(subject, "$.subjects[\(index)]")
            if subjects[..<index].contains(subject) { check.fail("$.subjects[\(index)]", "\(subject) twice") }
        }
        if scope.isEmpty { check.fail("$.scope", "covers no entry") }
        for (index, item) in scope.enumerated() {
            check.id(item.entry, "$.scope[\(index)].entry")
            if scope[..<index].contains(where: { $0.entry == item.entry }) {
                check.fail("$.scope[\(index)].entry", "entry \(item.entry) twice")
            }
        }
        if validUntil < validFrom { check.fail("$.validUntil", "ends before it starts (\(validFrom))") }
        return check.issues
    }
}

/// 数据来源者授权同意: the data subjects' explicit consent as a record (Art. 17 ¶2, Art. 26), with its subjects,
/// scope, validity and withdrawal.
///
/// Who records it: a data subject for itself, or the big data center for consents collected through the city's
/// consent channel (京通, Art. 26; the big data center runs the platform, Art. 8). A consented data request names
/// its record (`DataRequestSpec.consent`); the record must cover the request and be valid when the request is
/// evaluated and co-reviewed, and while it does, the owning department's duty to supply holds (Art. 17 ¶2).
///
/// A withdrawal (by a subject it names, or the channel) or the end of its validity ends the duty to supply and
/// starts the policy monitor (``MonitorTrigger/consentEnded(consent:)``): every live grant relying on the record
/// is suspended once, its operator, agency and big data center told, and the products built on it lose their
/// cover.
public enum ConsentProcess: WorkflowProcess {
    public static let kind = ProcessKind.consent
    public static let commandKey = "consent"
    public static let title = "Data subjects' consent (Art. 17 ¶2, 26)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.withdrawn, .expired]

    /// The consent's states.
    public enum State: String, ProcessStateKind {
        /// Given; valid between its first and last day.
        case given
        /// Withdrawn: it covers nothing any more.
        case withdrawn
        /// Its validity ended.
        case expired
    }

    /// The consent's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The end of the validity.
        case validity

        public var rule: String {
            switch self {
            case .validity: "the end of the record's `validUntil` day"
            }
        }
    }

    /// What a consent remembers.
    public struct Facts: Sendable, Hashable {
        /// The record.
        public var consent: ConsentRecord?
        /// Who withdrew it.
        public var withdrawnBy: PartyID?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Records the data subjects' consent.
        case recordConsent(consent: ConsentRecord)
        /// Withdraws it.
        case withdrawConsent(consent: ConsentID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case recordConsent, withdrawConsent

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .recordConsent:
                    CommandSpec(
                        [.dataSubject, .bigDataCenter],
                        ["Art. 17", "Art. 26"],
                        guards: [
                            "a data subject records only its own consent (it is the only subject named)",
                            "the big data center records consents collected through the channel (京通)",
                            "its validity has not ended",
                        ]
                    )
                case .withdrawConsent:
                    CommandSpec(
                        [.dataSubject, .bigDataCenter],
                        ["Art. 17", "Art. 26"],
                        guards: [
                            "a data subject the record names, or the channel", "a reason",
                            "starts the policy monitor: grants relying on it are suspended",
                        ]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .recordConsent: .recordConsent
            case .withdrawConsent: .withdrawConsent
            }
        }

        public var instanceID: String {
            switch self {
            case .recordConsent(let consent): consent.id.rawValue
            case .withdrawConsent(let id, _): id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .recordConsent(let consent): check.add(consent.validationIssues(), under: "$.consent")
            case .withdrawConsent(let id, let reason):
                check.id(id, "$.consent")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A recorded consent.
    public struct Given: Codable, Sendable, Hashable {
        /// The record.
        public var consent: ConsentRecord
    }

    /// A withdrawal.
    public struct Withdrawn: Codable, Sendable, Hashable {
        /// Who withdrew it (a subject, or the channel).
        public var withdrawnBy: PartyID
        /// Why.
        public var reason: String
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Given.
        case given(Given)
        /// Withdrawn.
        case withdrawn(Withdrawn)
        /// The validity ended.
        case expired

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case given = "consent.given"
            case withdrawn = "consent.withdrawn"
            case expired = "consent.expired"
        }

        public var kind: Kind {
            switch self {
            case .given: .given
            case .withdrawn: .withdrawn
            case .expired: .expired
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .given(let payload): try payload.encode(to: encoder)
            case .withdrawn(let payload): try payload.encode(to: encoder)
            case .expired: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .given: self = .given(try Given(from: decoder))
            case .withdrawn: self = .withdrawn(try Withdrawn(from: decoder))
            case .expired: self = .expired
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .given: Given.self
            case .withdrawn: Withdrawn.self
            case .expired: NoPayload.self
            }
        }
    }

    /// The parties told of a consent's steps: its subjects, the operator it is given to, the departments owning
    /// its entries (whose duty to supply it creates or ends) and the big data center.
    static let told: [Role] = [.dataSubject, .operator, .industryDepartment, .bigDataCenter]

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .given:
            EventSpec(.command(.recordConsent), from: [nil], to: .given, notifies: told, opens: [.validity])
        case .withdrawn:
            EventSpec(.command(.withdrawConsent), from: [.given], to: .withdrawn, notifies: told, closes: [.validity])
        case .expired:
            EventSpec(.deadline(.validity), from: [.given], to: .expired, notifies: told, closes: [.validity])
        }
    }

    /// The subjects as the data-subject recipients of a notice.
    static func subjects(_ instance: ProcessInstance<Self>) -> [Role: [PartyID]] {
        [.dataSubject: instance.facts.consent?.subjects ?? []]
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .recordConsent(let consent):
            if context.actor.role == .dataSubject, consent.subjects != [context.actor.party] {
                throw context.refuse(
                    .notParty,
                    "\(context.actor.party) records only its own consent; the channel records consents of others",
                    articles
                )
            }
            guard consent.validUntil >= context.today else {
                throw context.refuse(.invalidInput, "the consent's validity ended on \(consent.validUntil)", articles)
            }
            let entries = try await context.entries(consent.scope.map(\.entry))
            var trace = TraceKeys()
            trace.operatorID = consent.operatorParty
            trace.catalogEntryIDs = consent.scope.map(\.entry)
            trace.departmentIDs = Array(Set(entries.map(\.owningDepartment))).sorted()
            let validity = context.deadline(
                Deadline.validity,
                instance,
                dueDay: consent.validUntil,
                dueAt: context.calendar.endOfDay(consent.validUntil)
            )
            return [
                Draft(
                    .given(Given(consent: consent)),
                    trace: trace,
                    deadlines: [validity],
                    recipients: [.dataSubject: consent.subjects]
                )
            ]
        case .withdrawConsent(_, let reason):
            if context.actor.role == .dataSubject,
                instance.facts.consent?.subjects.contains(context.actor.party) != true
            {
                throw context.refuse(.notParty, "\(context.actor.party) is not a subject of this consent", articles)
            }
            return [
                Draft(
                    .withdrawn(Withdrawn(withdrawnBy: context.actor.party, reason: reason)),
                    recipients: subjects(instance)
                )
            ]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .given(let given): facts.consent = given.consent
        case .withdrawn(let withdrawn): facts.withdrawnBy = withdrawn.withdrawnBy
        case .expired: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .validity: Draft(.expired, recipients: subjects(instance))
        }
    }
}

extension ProcessInstance where Process == ConsentProcess {
    /// What of `request` this consent does not cover on `day` (empty when it covers all of it): a consent never
    /// recorded, withdrawn, expired or not yet valid covers nothing; otherwise ``ConsentRecord/gaps(_:operatorParty:entries:)``.
    public func consentGaps(
        _ request: DataRequestSpec,
        operatorParty: PartyID,
        entries: [CatalogEntryID: CatalogEntry],
        on day: CivilDate
    ) -> [String] {
        guard let consent = facts.consent else { return ["consent \(id) was never recorded"] }
        switch state {
        case .withdrawn: return ["consent \(id) was withdrawn"]
        case .expired: return ["consent \(id) expired on \(consent.validUntil)"]
        case .given, nil: break
        }
        if day < consent.validFrom { return ["consent \(id) is valid only from \(consent.validFrom)"] }
        if day > consent.validUntil { return ["consent \(id) expired on \(consent.validUntil)"] }
        return consent.gaps(request, operatorParty: operatorParty, entries: entries).map { "consent \(id): \($0)" }
    }
}

extension WorkflowCommand {
    /// A command of the data subjects' consent (Art. 17 ¶2, 26).
    public static func consent(_ command: ConsentProcess.Command) -> WorkflowCommand {
        WorkflowCommand(ConsentProcess.self, command)
    }
}

extension CommandName {
    /// A consent command.
    public static func consent(_ name: ConsentProcess.Command.Name) -> CommandName {
        CommandName(ConsentProcess.self, name)
    }
}
