import PublicDataModel
import PublicDataPolicy

/// A security record an operator keeps (Art. 31; 87号 §7(二)): its graded-protection filing (等保定级备案, with the
/// protection level), a graded-protection evaluation (等级测评) or a data security risk assessment (数据安全风险评估).
///
/// A record is valid from its `date` through its last day: `validUntil` when given, otherwise the policy's validity
/// for its kind (`securityFilingValidityMonths`, `securityEvaluationValidityMonths`,
/// `securityRiskAssessmentValidityMonths`); a `validUntil` later than that is refused.
public struct SecurityRecord: Codable, Sendable, Hashable {
    /// The operator the record belongs to.
    public var operatorParty: PartyID
    /// The kind: `SecurityDuty.gradedProtectionFiling`, `SecurityDuty.gradedProtectionEvaluation` or
    /// `SecurityDuty.riskAssessment`.
    public var kind: SecurityDuty
    /// The filing number or the report's number.
    public var reference: String
    /// The day it was filed, evaluated or assessed.
    public var date: CivilDate
    /// Its last valid day; `nil` takes the policy's validity for the kind.
    public var validUntil: CivilDate?
    /// The graded-protection level (1–5) of the systems; required for a filing.
    public var level: Int?

    /// Creates a record.
    public init(
        operatorParty: PartyID,
        kind: SecurityDuty,
        reference: String,
        date: CivilDate,
        validUntil: CivilDate? = nil,
        level: Int? = nil
    ) {
        self.operatorParty = operatorParty
        self.kind = kind
        self.reference = reference
        self.date = date
        self.validUntil = validUntil
        self.level = level
    }

    /// Every problem of the record's shape, with its JSON path.
    public func validationIssues() -> [ValidationIssue] {
        var check = InputCheck()
        check.id(operatorParty, "$.operatorParty")
        if !SecurityDuty.records.contains(kind) {
            check.fail(
                "$.kind",
                "\(kind.rawValue) is not a record; a security officer is named with nameSecurityOfficer"
            )
        }
        check.text(reference, "$.reference")
        if let validUntil, validUntil < date { check.fail("$.validUntil", "ends before its date (\(date))") }
        if let level, !(1...5).contains(level) { check.fail("$.level", "must be a protection level 1–5") }
        if kind == .gradedProtectionFiling, level == nil {
            check.fail("$.level", "a filing names its protection level")
        }
        return check.issues
    }
}

/// The person an operator names as responsible for data security (数据安全责任人, 87号 §7(一)).
public struct SecurityOfficer: Codable, Sendable, Hashable {
    /// The operator.
    public var operatorParty: PartyID
    /// The officer's name.
    public var name: String
    /// How to reach the officer, if given.
    public var contact: String?

    /// Creates an officer.
    public init(operatorParty: PartyID, name: String, contact: String? = nil) {
        self.operatorParty = operatorParty
        self.name = name
        self.contact = contact
    }
}

/// 安全记录: an operator's standing security duties (Art. 31; 87号 §7) as records with expiry — one instance per
/// operator and `SecurityDuty` (stream `security-record-<operator>.<duty>`).
///
/// The operator (or the data administration) records its graded-protection filing, each graded-protection
/// evaluation and each data security risk assessment; a new record of a kind replaces the previous one. The operator
/// names its security officer. A record is reminded `securityReminderDays` days before its last day (the operator is
/// told) and expires at the end of it (`securityRecord.expired`: the operator, the implementing agencies of its
/// agreements and the data administration are told, once). When the exit procedure of the operator's last live
/// agreement runs, the reminders end (`securityRecord.closedOnExit`).
///
/// While a duty of `securityDutiesBeforeGrant` is unmet — no record of the kind valid today, or no officer named —
/// the operator's new data requests are denied by the policy (`dr.operator-security`, Art. 31) and the denial is
/// recorded (`dataRequest.refused`). Grants already made are not re-judged for it: the policy monitor leaves them
/// alone, and the agency or the data administration acts on the expiry notice (`suspendAgreement`, `revokeGrant`).
public enum SecurityRecordProcess: WorkflowProcess {
    public static let kind = ProcessKind.securityRecord
    public static let commandKey = "securityRecord"
    public static let title = "Operator security records (Art. 31; 87号 §7)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = []

    /// The record's states.
    public enum State: String, ProcessStateKind {
        /// A record within its validity.
        case valid
        /// The record's validity ended; a new record of the kind makes it valid again.
        case expired
        /// The security officer is named.
        case named
    }

    /// The record's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The reminder ahead of the last valid day.
        case reminder
        /// The end of the last valid day.
        case expiry

        public var rule: String {
            switch self {
            case .reminder:
                "`securityReminderDays` days before the record's last valid day (none when that day has passed)"
            case .expiry:
                "the end of the record's last valid day: `validUntil`, or its date plus the kind's validity in months "
                    + "(`securityFilingValidityMonths`, `securityEvaluationValidityMonths`, "
                    + "`securityRiskAssessmentValidityMonths`)"
            }
        }
    }

    /// What an instance remembers.
    public struct Facts: Sendable, Hashable {
        /// The current record (with its last valid day).
        public var record: SecurityRecord?
        /// The named officer.
        public var officer: SecurityOfficer?
        /// The implementing agencies of the operator's agreements when it was last recorded (told of its expiry).
        public var agencies: [PartyID] = []
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Records a graded-protection filing, evaluation or risk assessment of an operator.
        case recordSecurityRecord(record: SecurityRecord)
        /// Names the operator's security officer.
        case nameSecurityOfficer(officer: SecurityOfficer)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case recordSecurityRecord, nameSecurityOfficer

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .recordSecurityRecord:
                    CommandSpec(
                        [.operator, .dataAdministration],
                        ["Art. 31", "87号 §7"],
                        guards: [
                            "an operator records only its own", "the party is the operator of an agreement",
                            "dated today or earlier, valid today, and not beyond the policy's validity for the kind",
                        ]
                    )
                case .nameSecurityOfficer:
                    CommandSpec(
                        [.operator],
                        ["87号 §7"],
                        guards: ["the operator names its own officer", "the party is the operator of an agreement"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .recordSecurityRecord: .recordSecurityRecord
            case .nameSecurityOfficer: .nameSecurityOfficer
            }
        }

        public var instanceID: String {
            switch self {
            case .recordSecurityRecord(let record):
                SecurityRecordProcess.instanceID(record.operatorParty, record.kind)
            case .nameSecurityOfficer(let officer):
                SecurityRecordProcess.instanceID(officer.operatorParty, .securityOfficer)
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .recordSecurityRecord(let record): check.add(record.validationIssues(), under: "$.record")
            case .nameSecurityOfficer(let officer):
                check.id(officer.operatorParty, "$.officer.operatorParty")
                check.text(officer.name, "$.officer.name")
                if let contact = officer.contact { check.text(contact, "$.officer.contact") }
            }
        }
    }

    /// The instance of `duty` of `operatorParty`.
    public static func instanceID(_ operatorParty: PartyID, _ duty: SecurityDuty) -> String {
        "\(operatorParty).\(duty.rawValue)"
    }

    /// A recorded security record.
    public struct Recorded: Codable, Sendable, Hashable {
        /// The record, with its last valid day.
        public var record: SecurityRecord
        /// The implementing agencies of the operator's agreements.
        public var agencies: [PartyID]
    }

    /// A named officer.
    public struct OfficerNamed: Codable, Sendable, Hashable {
        /// The officer.
        public var officer: SecurityOfficer
        /// The implementing agencies of the operator's agreements.
        public var agencies: [PartyID]
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// A record was recorded (replacing the previous record of its kind).
        case recorded(Recorded)
        /// The operator was reminded of the record's last valid day.
        case reminded
        /// The record's validity ended.
        case expired
        /// The security officer was named (replacing the previous one).
        case officerNamed(OfficerNamed)
        /// The exit procedure of the operator's last live agreement ended its reminders: the record's deadlines are
        /// closed (it stays valid through its last day).
        case closedOnExit(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case recorded = "securityRecord.recorded"
            case reminded = "securityRecord.reminded"
            case expired = "securityRecord.expired"
            case officerNamed = "securityRecord.officerNamed"
            case closedOnExit = "securityRecord.closedOnExit"
        }

        public var kind: Kind {
            switch self {
            case .recorded: .recorded
            case .reminded: .reminded
            case .expired: .expired
            case .officerNamed: .officerNamed
            case .closedOnExit: .closedOnExit
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .recorded(let payload): try payload.encode(to: encoder)
            case .officerNamed(let payload): try payload.encode(to: encoder)
            case .closedOnExit(let payload): try payload.encode(to: encoder)
            case .reminded, .expired: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .recorded: self = .recorded(try Recorded(from: decoder))
            case .reminded: self = .reminded
            case .expired: self = .expired
            case .officerNamed: self = .officerNamed(try OfficerNamed(from: decoder))
            case .closedOnExit: self = .closedOnExit(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .recorded: Recorded.self
            case .officerNamed: OfficerNamed.self
            case .closedOnExit: Reasoned.self
            case .reminded, .expired: NoPayload.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .recorded:
            EventSpec(
                .command(.recordSecurityRecord),
                from: [nil, .valid, .expired],
                to: .valid,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                opens: [.reminder, .expiry],
                closes: [.reminder, .expiry]
            )
        case .reminded:
            EventSpec(.deadline(.reminder), from: [.valid], to: nil, notifies: [.operator], closes: [.reminder])
        case .expired:
            EventSpec(
                .deadline(.expiry),
                from: [.valid],
                to: .expired,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                closes: [.reminder, .expiry]
            )
        case .officerNamed:
            EventSpec(
                .command(.nameSecurityOfficer),
                from: [nil, .named],
                to: .named,
                notifies: [.implementingAgency, .dataAdministration]
            )
        case .closedOnExit:
            EventSpec(.exit, from: [.valid], to: nil, notifies: [.operator], closes: [.reminder, .expiry])
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .recordSecurityRecord(var record):
            try context.requireParty(record.operatorParty, when: .operator, articles)
            let agencies = try await agencies(of: record.operatorParty, context, articles)
            let months = validityMonths(record.kind, context.parameters)
            guard let longest = CivilDate.adding(months: months, to: record.date)?.adding(days: -1) else {
                throw context.refuse(.invalidInput, "the validity overflows the calendar", articles)
            }
            if let validUntil = record.validUntil, validUntil > longest {
                throw context.refuse(
                    .invalidInput,
                    "a \(record.kind.rawValue) dated \(record.date) is valid at most \(months) months, through \(longest)",
                    articles
                )
            }
            guard record.date <= context.today else {
                throw context.refuse(.invalidInput, "the record is dated \(record.date), after today", articles)
            }
            let validUntil = record.validUntil ?? longest
            guard validUntil >= context.today else {
                throw context.refuse(.invalidInput, "the record's validity ended on \(validUntil)", articles)
            }
            record.validUntil = validUntil
            var deadlines = [
                context.deadline(
                    Deadline.expiry,
                    instance,
                    dueDay: validUntil,
                    dueAt: context.calendar.endOfDay(validUntil)
                )
            ]
            let remind = validUntil.adding(days: -context.parameters.securityReminderDays)
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
            trace.operatorID = record.operatorParty
            return [
                Draft(
                    .recorded(Recorded(record: record, agencies: agencies)),
                    trace: trace,
                    deadlines: deadlines,
                    recipients: [.implementingAgency: agencies]
                )
            ]
        case .nameSecurityOfficer(let officer):
            try context.requireParty(officer.operatorParty, when: .operator, articles)
            let agencies = try await agencies(of: officer.operatorParty, context, articles)
            var trace = TraceKeys()
            trace.operatorID = officer.operatorParty
            return [
                Draft(
                    .officerNamed(OfficerNamed(officer: officer, agencies: agencies)),
                    trace: trace,
                    recipients: [.implementingAgency: agencies]
                )
            ]
        }
    }

    /// The policy's validity in months of a record of `kind`.
    static func validityMonths(_ kind: SecurityDuty, _ parameters: PolicyParameters) -> Int {
        switch kind {
        case .gradedProtectionFiling: parameters.securityFilingValidityMonths
        case .gradedProtectionEvaluation: parameters.securityEvaluationValidityMonths
        case .riskAssessment, .securityOfficer: parameters.securityRiskAssessmentValidityMonths
        }
    }

    /// The implementing agencies of the agreements that name `party` as their operator. A party no agreement names as
    /// operator is refused: `invalidInput` when it is known in another role (an authority of the directory, or the
    /// agency of an agreement), `notFound` otherwise.
    static func agencies(
        of party: PartyID,
        _ context: DecisionContext,
        _ articles: [String]
    ) async throws(WorkflowError) -> [PartyID] {
        let projection = try await context.engine.index.catchUp()
        var agencies: [PartyID: Set<PartyID>] = [:]
        for (operatorParty, agreements) in projection.agreementsByOperator {
            for agreement in agreements.keys {
                let terms = try await context.instance(AgreementProcess.self, agreement.rawValue).facts.terms
                if let agency = terms?.implementingAgency { agencies[operatorParty, default: []].insert(agency) }
            }
        }
        if let found = agencies[party] { return found.sorted() }
        let known = Set(context.engine.directory.parties.values).union(agencies.values.flatMap { $0 })
        guard known.contains(party) else {
            throw context.refuse(.notFound, "\(party) is not a known party", articles)
        }
        throw context.refuse(.invalidInput, "\(party) is not an operator: no agreement names it", articles)
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .recorded(let recorded):
            facts.record = recorded.record
            facts.agencies = recorded.agencies
        case .officerNamed(let named):
            facts.officer = named.officer
            facts.agencies = named.agencies
        case .reminded, .expired, .closedOnExit: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .reminder: Draft(.reminded)
        case .expiry: Draft(.expired, recipients: [.implementingAgency: instance.facts.agencies])
        }
    }
}

extension ProcessInstance where Process == SecurityRecordProcess {
    /// Whether the duty is met on `day`: the officer is named, or the record is valid (its date through its last
    /// valid day, not expired).
    public func meetsDuty(on day: CivilDate) -> Bool {
        switch state {
        case .named: return facts.officer != nil
        case .valid:
            guard let record = facts.record, let validUntil = record.validUntil else { return false }
            return record.date <= day && day <= validUntil
        case .expired, nil: return false
        }
    }
}

extension CivilDate {
    /// The same day `months` later, clamped to the month's end; `nil` outside years 1–9999.
    static func adding(months: Int, to day: CivilDate) -> CivilDate? {
        let (total, overflow) = (day.year * 12 + day.month - 1).addingReportingOverflow(months)
        guard !overflow else { return nil }
        let year = total >= 0 ? total / 12 : (total - 11) / 12
        let month = total - year * 12 + 1
        guard (1...9999).contains(year) else { return nil }
        return CivilDate(year: year, month: month, day: min(day.day, CivilDate.daysInMonth(year: year, month: month)))
    }
}

extension WorkflowEngine {
    /// The security duties of `operatorParty` that no valid record or named officer meets on `day` (Art. 31;
    /// 87号 §7), in declaration order — what the policy sees as `operator.unmetSecurityDuties` when a data request is
    /// evaluated.
    ///
    /// ```swift
    /// let unmet = try await engine.unmetSecurityDuties(of: "op-1", on: CivilDate("2026-06-01")!)
    /// ```
    /// - Parameters:
    ///   - operatorParty: The operator.
    ///   - day: The day judged.
    /// - Returns: The unmet duties; empty when every duty is met.
    /// - Throws: ``WorkflowError`` (`store`, `corruptEvent`).
    public func unmetSecurityDuties(
        of operatorParty: PartyID,
        on day: CivilDate
    ) async throws(WorkflowError)
        -> [SecurityDuty]
    {
        var unmet: [SecurityDuty] = []
        for duty in SecurityDuty.allCases {
            let id = SecurityRecordProcess.instanceID(operatorParty, duty)
            if !(try await instance(SecurityRecordProcess.self, id).meetsDuty(on: day)) { unmet.append(duty) }
        }
        return unmet
    }
}

extension WorkflowCommand {
    /// A command of the operator's security records and officer (Art. 31; 87号 §7).
    public static func securityRecord(_ command: SecurityRecordProcess.Command) -> WorkflowCommand {
        WorkflowCommand(SecurityRecordProcess.self, command)
    }
}

extension CommandName {
    /// A security record command.
    public static func securityRecord(_ name: SecurityRecordProcess.Command.Name) -> CommandName {
        CommandName(SecurityRecordProcess.self, name)
    }
}
