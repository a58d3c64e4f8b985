import PublicDataModel

/// Tag type for ``UseFilingID``.
public enum UseFilingTag: Sendable {}

/// The identifier of a use filing (87号 §6(2)).
public typealias UseFilingID = Identifier<UseFilingTag>

/// What an operator files about a data service it provides (87号 §6(2): 数据应用场景、数据使用范围及方式).
public struct UseFilingSpec: Codable, Sendable, Hashable {
    /// The filing.
    public var id: UseFilingID
    /// The agreement under which the data is used; its plan names the zone.
    public var agreement: AgreementID
    /// 数据应用场景: the application scenario, in plain words.
    public var scenario: String
    /// 数据使用范围: the catalog entries used; each within the agreement's scope.
    public var dataScope: [CatalogEntryID]
    /// 使用方式: how the data is used (e.g. "privacy computing in the zone's sandbox").
    public var manner: String

    /// Creates a filing.
    public init(id: UseFilingID, agreement: AgreementID, scenario: String, dataScope: [CatalogEntryID], manner: String)
    {
        self.id = id
        self.agreement = agreement
        self.scenario = scenario
        self.dataScope = dataScope
        self.manner = manner
    }
}

/// A department's request to share a filed use's feedback data (数据反哺, 87号 §4(3)).
public struct FeedbackDataRequest: Codable, Sendable, Hashable {
    /// The request's id within the filing.
    public var id: String
    /// What the department needs the data for.
    public var purpose: String

    /// Creates a request.
    public init(id: String, purpose: String) {
        self.id = id
        self.purpose = purpose
    }
}

/// 数据使用备案与定期反馈 (87号 §6(2), §4(3)): the operator files a data use (scenario, scope, manner) with the zone's
/// supervisory department and reports the use and its effect every period; the supervisory department accepts a
/// period's feedback (反哺数据经专区监管部门审核同意后汇聚); a department requests to share the accepted feedback data, and
/// it is shared only once the supervisory department and the operator have both approved (由专区监管部门会同运营单位审核同意).
///
/// Period `n` ends `n × useFeedbackPeriodDays` days after the filing day (a fixed schedule, recorded at filing).
/// `useFiling.feedbackReminder` tells the operator `useFeedbackReminderDays` days before the end (once);
/// `useFiling.feedbackOverdue` tells the operator, the supervisory department and the implementing agency when the
/// period ends without a report (once); the operator may still report, and the next period then runs. Feedback
/// for a use that was never filed is refused and nothing is recorded.
public enum UseFilingProcess: WorkflowProcess {
    public static let kind = ProcessKind.useFiling
    public static let commandKey = "useFiling"
    public static let title = "Use filing and periodic feedback (87号 §6(2), §4(3))"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.ended]

    /// The filing's states.
    public enum State: String, ProcessStateKind {
        /// Filed; the current period's feedback is not yet due.
        case filed
        /// The current period ended without its feedback.
        case overdue
        /// The use ended (by the operator, or with its agreement's exit procedure).
        case ended
    }

    /// The filing's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The reminder before the end of the current period.
        case feedbackReminder
        /// The end of the current period.
        case feedback

        public var rule: String {
            switch self {
            case .feedbackReminder:
                "`useFeedbackReminderDays` days before the end of the current period (none when 0 or already past); "
                    + "→ reminder to the operator, once"
            case .feedback:
                "the end of the current period: the filing day + period × `useFeedbackPeriodDays` days; overdue → "
                    + "notice to the operator, the supervisory department and the agency, once"
            }
        }
    }

    /// One period's feedback.
    public struct FeedbackReport: Codable, Sendable, Hashable {
        /// The period (1, 2, …).
        public var period: Int
        /// 数据应用情况: how the data was used in the period.
        public var use: String
        /// 支撑应用场景效果: the effect on the scenario.
        public var effect: String
        /// Whether it was reported after the period ended.
        public var late: Bool
    }

    /// A department's request and its approvals.
    public struct RequestStatus: Sendable, Hashable {
        /// The request.
        public var request: FeedbackDataRequest
        /// The requesting department.
        public var requester: PartyID
        /// The roles that approved it (the supervisory department's, the operator's).
        public var approvedBy: Set<Role> = []
        /// `true` once shared, `false` once refused, `nil` while pending.
        public var shared: Bool?
    }

    /// What a filing remembers.
    public struct Facts: Sendable, Hashable {
        /// The filing.
        public var filing: UseFilingSpec?
        /// The zone of the agreement's plan.
        public var zone: ZoneID?
        /// The zone's supervisory department.
        public var supervisoryDepartment: PartyID?
        /// The filing day.
        public var filedOn: CivilDate?
        /// The period length in days, fixed at filing.
        public var periodDays: Int = 0
        /// The reminder's lead in days, fixed at filing.
        public var reminderDays: Int = 0
        /// The period whose feedback is due.
        public var period: Int = 0
        /// The reports, in order.
        public var reports: [FeedbackReport] = []
        /// The periods whose feedback the supervisory department accepted (aggregated).
        public var acceptedPeriods: Set<Int> = []
        /// The periods that ended without their report.
        public var overduePeriods: [Int] = []
        /// The departments' requests for the feedback data, by id.
        public var requests: [String: RequestStatus] = [:]

        /// The last day of `period`.
        public func endDay(of period: Int) -> CivilDate? { filedOn?.adding(days: period * periodDays) }
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// The operator files a data use with the zone's supervisory department.
        case fileUse(filing: UseFilingSpec)
        /// The operator reports the current period's use and effect.
        case reportUseFeedback(filing: UseFilingID, period: Int, use: String, effect: String)
        /// The supervisory department accepts a reported period's feedback; it is aggregated (汇聚).
        case acceptUseFeedback(filing: UseFilingID, period: Int, note: String)
        /// A department requests to share the accepted feedback data.
        case requestFeedbackData(filing: UseFilingID, request: FeedbackDataRequest)
        /// The supervisory department or the operator approves or refuses a request.
        case approveFeedbackData(filing: UseFilingID, request: String, approve: Bool, note: String)
        /// The operator ends the use.
        case endUseFiling(filing: UseFilingID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case fileUse, reportUseFeedback, acceptUseFeedback, requestFeedbackData, approveFeedbackData
            case endUseFiling

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .fileUse:
                    CommandSpec(
                        [.operator],
                        ["87号 §6"],
                        guards: [
                            "the operator of the agreement", "the agreement is active", "its plan names a zone",
                            "the data scope is within the agreement's scope",
                        ]
                    )
                case .reportUseFeedback:
                    CommandSpec(
                        [.operator],
                        ["87号 §6"],
                        guards: [
                            "the operator of the filing", "the period due, once it has begun", "also when overdue",
                        ]
                    )
                case .acceptUseFeedback:
                    CommandSpec(
                        [.industryDepartment],
                        ["87号 §4"],
                        guards: ["the zone's supervisory department", "a reported period, accepted once"]
                    )
                case .requestFeedbackData:
                    CommandSpec(
                        [.industryDepartment],
                        ["87号 §4"],
                        guards: ["some feedback is accepted (aggregated)", "a new request id"]
                    )
                case .approveFeedbackData:
                    CommandSpec(
                        [.industryDepartment, .operator],
                        ["87号 §4"],
                        guards: [
                            "the zone's supervisory department or the operator of the filing",
                            "a pending request, once per role", "shared when both approved; one refusal refuses",
                        ]
                    )
                case .endUseFiling:
                    CommandSpec([.operator], ["87号 §6"], guards: ["the operator of the filing", "a reason"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .fileUse: .fileUse
            case .reportUseFeedback: .reportUseFeedback
            case .acceptUseFeedback: .acceptUseFeedback
            case .requestFeedbackData: .requestFeedbackData
            case .approveFeedbackData: .approveFeedbackData
            case .endUseFiling: .endUseFiling
            }
        }

        public var instanceID: String {
            switch self {
            case .fileUse(let filing): filing.id.rawValue
            case .reportUseFeedback(let id, _, _, _), .acceptUseFeedback(let id, _, _),
                .requestFeedbackData(let id, _), .approveFeedbackData(let id, _, _, _), .endUseFiling(let id, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .fileUse(let filing):
                check.id(filing.id, "$.filing.id")
                check.id(filing.agreement, "$.filing.agreement")
                check.text(filing.scenario, "$.filing.scenario")
                check.text(filing.manner, "$.filing.manner")
                if filing.dataScope.isEmpty { check.fail("$.filing.dataScope", "names no entry") }
                var seen: Set<CatalogEntryID> = []
                for (index, entry) in filing.dataScope.enumerated() {
                    check.id(entry, "$.filing.dataScope[\(index)]")
                    if !seen.insert(entry).inserted { check.fail("$.filing.dataScope[\(index)]", "appears twice") }
                }
            case .reportUseFeedback(let id, let period, let use, let effect):
                check.id(id, "$.filing")
                if period < 1 { check.fail("$.period", "is not positive") }
                check.text(use, "$.use")
                check.text(effect, "$.effect")
            case .acceptUseFeedback(let id, let period, let note):
                check.id(id, "$.filing")
                if period < 1 { check.fail("$.period", "is not positive") }
                check.text(note, "$.note")
            case .requestFeedbackData(let id, let request):
                check.id(id, "$.filing")
                check.text(request.id, "$.request.id")
                check.text(request.purpose, "$.request.purpose")
            case .approveFeedbackData(let id, let request, _, let note):
                check.id(id, "$.filing")
                check.text(request, "$.request")
                check.text(note, "$.note")
            case .endUseFiling(let id, let reason):
                check.id(id, "$.filing")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A filed use.
    public struct Filed: Codable, Sendable, Hashable {
        /// The filing.
        public var filing: UseFilingSpec
        /// The zone of the agreement's plan.
        public var zone: ZoneID
        /// The zone's supervisory department.
        public var supervisoryDepartment: PartyID
        /// The filing day.
        public var filedOn: CivilDate
        /// The period length in days (`useFeedbackPeriodDays` at filing).
        public var periodDays: Int
        /// The reminder's lead in days (`useFeedbackReminderDays` at filing).
        public var reminderDays: Int
    }

    /// A period named by a reminder or an overdue notice.
    public struct PeriodNoted: Codable, Sendable, Hashable {
        /// The period.
        public var period: Int
    }

    /// A period's feedback accepted by the supervisory department.
    public struct FeedbackAccepted: Codable, Sendable, Hashable {
        /// The period.
        public var period: Int
        /// The department's note.
        public var note: String
    }

    /// A department's request.
    public struct DataRequested: Codable, Sendable, Hashable {
        /// The request.
        public var request: FeedbackDataRequest
        /// The requesting department.
        public var requester: PartyID
    }

    /// One approval or refusal of a request.
    public struct DataApproval: Codable, Sendable, Hashable {
        /// The request's id.
        public var request: String
        /// The role that decided (the supervisory department's, the operator's).
        public var approver: Role
        /// The note.
        public var note: String
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Filed with the supervisory department; period 1 runs.
        case filed(Filed)
        /// The operator was reminded of the current period's feedback.
        case feedbackReminder(PeriodNoted)
        /// The current period ended without its feedback.
        case feedbackOverdue(PeriodNoted)
        /// A period's feedback was reported; the next period runs.
        case feedbackReported(FeedbackReport)
        /// The supervisory department accepted a period's feedback.
        case feedbackAccepted(FeedbackAccepted)
        /// A department requested the feedback data.
        case feedbackDataRequested(DataRequested)
        /// One of the two approvals of a request.
        case feedbackDataApproved(DataApproval)
        /// The second approval: the feedback data is shared with the department.
        case feedbackDataShared(DataApproval)
        /// A request was refused.
        case feedbackDataRefused(DataApproval)
        /// The operator ended the use.
        case ended(Reasoned)
        /// The agreement's exit procedure ended the use.
        case endedOnExit(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case filed = "useFiling.filed"
            case feedbackReminder = "useFiling.feedbackReminder"
            case feedbackOverdue = "useFiling.feedbackOverdue"
            case feedbackReported = "useFiling.feedbackReported"
            case feedbackAccepted = "useFiling.feedbackAccepted"
            case feedbackDataRequested = "useFiling.feedbackDataRequested"
            case feedbackDataApproved = "useFiling.feedbackDataApproved"
            case feedbackDataShared = "useFiling.feedbackDataShared"
            case feedbackDataRefused = "useFiling.feedbackDataRefused"
            case ended = "useFiling.ended"
            case endedOnExit = "useFiling.endedOnExit"
        }

        public var kind: Kind {
            switch self {
            case .filed: .filed
            case .feedbackReminder: .feedbackReminder
            case .feedbackOverdue: .feedbackOverdue
            case .feedbackReported: .feedbackReported
            case .feedbackAccepted: .feedbackAccepted
            case .feedbackDataRequested: .feedbackDataRequested
            case .feedbackDataApproved: .feedbackDataApproved
            case .feedbackDataShared: .feedbackDataShared
            case .feedbackDataRefused: .feedbackDataRefused
            case .ended: .ended
            case .endedOnExit: .endedOnExit
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .filed(let payload): try payload.encode(to: encoder)
            case .feedbackReminder(let payload), .feedbackOverdue(let payload): try payload.encode(to: encoder)
            case .feedbackReported(let payload): try payload.encode(to: encoder)
            case .feedbackAccepted(let payload): try payload.encode(to: encoder)
            case .feedbackDataRequested(let payload): try payload.encode(to: encoder)
            case .feedbackDataApproved(let payload), .feedbackDataShared(let payload),
                .feedbackDataRefused(let payload):
                try payload.encode(to: encoder)
            case .ended(let payload), .endedOnExit(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .filed: self = .filed(try Filed(from: decoder))
            case .feedbackReminder: self = .feedbackReminder(try PeriodNoted(from: decoder))
            case .feedbackOverdue: self = .feedbackOverdue(try PeriodNoted(from: decoder))
            case .feedbackReported: self = .feedbackReported(try FeedbackReport(from: decoder))
            case .feedbackAccepted: self = .feedbackAccepted(try FeedbackAccepted(from: decoder))
            case .feedbackDataRequested: self = .feedbackDataRequested(try DataRequested(from: decoder))
            case .feedbackDataApproved: self = .feedbackDataApproved(try DataApproval(from: decoder))
            case .feedbackDataShared: self = .feedbackDataShared(try DataApproval(from: decoder))
            case .feedbackDataRefused: self = .feedbackDataRefused(try DataApproval(from: decoder))
            case .ended: self = .ended(try Reasoned(from: decoder))
            case .endedOnExit: self = .endedOnExit(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .filed: Filed.self
            case .feedbackReminder, .feedbackOverdue: PeriodNoted.self
            case .feedbackReported: FeedbackReport.self
            case .feedbackAccepted: FeedbackAccepted.self
            case .feedbackDataRequested: DataRequested.self
            case .feedbackDataApproved, .feedbackDataShared, .feedbackDataRefused: DataApproval.self
            case .ended, .endedOnExit: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        let live: [State?] = [.filed, .overdue]
        switch kind {
        case .filed:
            return EventSpec(
                .command(.fileUse),
                from: [nil],
                to: .filed,
                notifies: [.industryDepartment, .implementingAgency],
                opens: [.feedbackReminder, .feedback]
            )
        case .feedbackReminder:
            return EventSpec(
                .deadline(.feedbackReminder),
                from: [.filed],
                to: nil,
                notifies: [.operator],
                closes: [.feedbackReminder]
            )
        case .feedbackOverdue:
            return EventSpec(
                .deadline(.feedback),
                from: [.filed],
                to: .overdue,
                notifies: [.operator, .industryDepartment, .implementingAgency],
                closes: [.feedbackReminder, .feedback]
            )
        case .feedbackReported:
            return EventSpec(
                .command(.reportUseFeedback),
                from: live,
                to: .filed,
                notifies: [.industryDepartment],
                opens: [.feedbackReminder, .feedback],
                closes: [.feedbackReminder, .feedback]
            )
        case .feedbackAccepted:
            return EventSpec(.command(.acceptUseFeedback), from: live, to: nil, notifies: [.operator])
        case .feedbackDataRequested:
            return EventSpec(
                .command(.requestFeedbackData),
                from: live,
                to: nil,
                notifies: [.industryDepartment, .operator]
            )
        case .feedbackDataApproved:
            return EventSpec(
                .command(.approveFeedbackData),
                from: live,
                to: nil,
                notifies: [.industryDepartment, .operator]
            )
        case .feedbackDataShared:
            return EventSpec(
                .command(.approveFeedbackData),
                from: live,
                to: nil,
                notifies: [.industryDepartment, .operator]
            )
        case .feedbackDataRefused:
            return EventSpec(
                .command(.approveFeedbackData),
                from: live,
                to: nil,
                notifies: [.industryDepartment, .operator]
            )
        case .ended:
            return EventSpec(
                .command(.endUseFiling),
                from: live,
                to: .ended,
                notifies: [.industryDepartment],
                closes: [.feedbackReminder, .feedback]
            )
        case .endedOnExit:
            return EventSpec(
                .exit,
                from: live,
                to: .ended,
                notifies: [.industryDepartment, .operator],
                closes: [.feedbackReminder, .feedback]
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
        case .fileUse(let filing):
            return [try await filed(filing, instance, context)]
        case .reportUseFeedback(_, let period, let use, let effect):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard period == facts.period else {
                throw context.refuse(
                    .invalidInput,
                    "period \(period) is not due; the feedback of period \(facts.period) is",
                    articles
                )
            }
            if let start = facts.endDay(of: period - 1), context.today < start {
                throw context.refuse(.invalidState, "period \(period) begins on \(start)", articles)
            }
            let late = instance.state == .overdue || facts.endDay(of: period).map { context.today > $0 } ?? false
            let report = FeedbackReport(period: period, use: use, effect: effect, late: late)
            return [Draft(.feedbackReported(report), deadlines: deadlines(for: period + 1, instance, context))]
        case .acceptUseFeedback(_, let period, let note):
            try context.requireParty(facts.supervisoryDepartment, when: .industryDepartment, articles)
            guard facts.reports.contains(where: { $0.period == period }) else {
                throw context.refuse(.invalidState, "the feedback of period \(period) is not reported", articles)
            }
            guard !facts.acceptedPeriods.contains(period) else {
                throw context.refuse(.invalidState, "the feedback of period \(period) is accepted already", articles)
            }
            return [Draft(.feedbackAccepted(FeedbackAccepted(period: period, note: note)))]
        case .requestFeedbackData(_, let request):
            guard !facts.acceptedPeriods.isEmpty else {
                throw context.refuse(
                    .invalidState,
                    "no feedback of this use is accepted by the supervisory department yet; nothing is aggregated",
                    articles
                )
            }
            guard facts.requests[request.id] == nil else {
                throw context.refuse(.invalidInput, "request \(request.id) exists already", articles)
            }
            let requested = DataRequested(request: request, requester: context.actor.party)
            return [
                Draft(.feedbackDataRequested(requested), recipients: recipients(facts, requester: nil))
            ]
        case .approveFeedbackData(_, let id, let approve, let note):
            try context.requireParty(facts.supervisoryDepartment, when: .industryDepartment, articles)
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard let status = facts.requests[id] else {
                throw context.refuse(.notFound, "no request \(id) of this filing", articles)
            }
            guard status.shared == nil else {
                throw context.refuse(.invalidState, "request \(id) is decided already", articles)
            }
            guard !status.approvedBy.contains(context.actor.role) else {
                throw context.refuse(
                    .invalidState,
                    "the \(context.actor.role.rawValue) approved request \(id) already",
                    articles
                )
            }
            let approval = DataApproval(request: id, approver: context.actor.role, note: note)
            let told = recipients(facts, requester: status.requester)
            guard approve else { return [Draft(.feedbackDataRefused(approval), recipients: told)] }
            guard status.approvedBy.isEmpty else { return [Draft(.feedbackDataShared(approval), recipients: told)] }
            return [Draft(.feedbackDataApproved(approval), recipients: told)]
        case .endUseFiling(_, let reason):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            return [Draft(.ended(Reasoned(reason: reason)))]
        }
    }

    /// The filing of `filing`: the operator of an active agreement whose plan names a zone, a scope within the
    /// agreement's; period 1 runs from today.
    static func filed(
        _ filing: UseFilingSpec,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> Draft<Self> {
        let articles = Command.Name.fileUse.spec.articles
        let (agreement, terms) = try await context.agreement(filing.agreement)
        try context.requireParty(terms.terms.operatorParty, when: .operator, articles)
        try context.require(agreement, in: [.active], ["Art. 13"])
        let scope = Set(terms.terms.scope.map(\.entry))
        let outside = filing.dataScope.filter { !scope.contains($0) }
        guard outside.isEmpty else {
            throw context.refuse(
                .invalidInput,
                "\(outside.map(\.rawValue).joined(separator: ", ")) is outside the scope of agreement \(filing.agreement)",
                articles
            )
        }
        let plan = try await context.instance(PlanProcess.self, terms.terms.plan.rawValue)
        guard let zoneID = plan.facts.plan?.zone,
            let zone = try await context.instance(ZoneProcess.self, zoneID.rawValue).facts.zone
        else {
            throw context.refuse(
                .notFound,
                "the plan of agreement \(filing.agreement) names no established zone; a use is filed with a zone's "
                    + "supervisory department",
                articles
            )
        }
        let payload = Filed(
            filing: filing,
            zone: zoneID,
            supervisoryDepartment: zone.supervisoryDepartment,
            filedOn: context.today,
            periodDays: context.parameters.useFeedbackPeriodDays,
            reminderDays: context.parameters.useFeedbackReminderDays
        )
        var trace = TraceKeys()
        trace.agreementID = filing.agreement
        trace.operatorID = terms.terms.operatorParty
        trace.agencyID = terms.terms.implementingAgency
        trace.departmentIDs = [zone.supervisoryDepartment]
        var facts = instance.facts
        facts.filedOn = payload.filedOn
        facts.periodDays = payload.periodDays
        facts.reminderDays = payload.reminderDays
        var scheduled = instance
        scheduled.facts = facts
        return Draft(.filed(payload), trace: trace, deadlines: deadlines(for: 1, scheduled, context))
    }

    /// The reminder (when it falls after today) and the end of `period`.
    static func deadlines(
        for period: Int,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> [ScheduledDeadline] {
        guard let end = instance.facts.endDay(of: period) else { return [] }
        var result: [ScheduledDeadline] = []
        let reminder = end.adding(days: -instance.facts.reminderDays)
        if instance.facts.reminderDays > 0, reminder > context.today {
            result.append(
                context.deadline(
                    Deadline.feedbackReminder,
                    instance,
                    dueDay: reminder,
                    dueAt: context.calendar.startOfDay(reminder)
                )
            )
        }
        result.append(context.deadline(Deadline.feedback, instance, dueDay: end, dueAt: context.calendar.endOfDay(end)))
        return result
    }

    /// The departments told of a request: the supervisory department and the requester (when known).
    static func recipients(_ facts: Facts, requester: PartyID?) -> [Role: [PartyID]] {
        var departments: [PartyID] = []
        if let supervisory = facts.supervisoryDepartment { departments.append(supervisory) }
        if let requester, !departments.contains(requester) { departments.append(requester) }
        return departments.isEmpty ? [:] : [.industryDepartment: departments]
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .filed(let filed):
            facts.filing = filed.filing
            facts.zone = filed.zone
            facts.supervisoryDepartment = filed.supervisoryDepartment
            facts.filedOn = filed.filedOn
            facts.periodDays = filed.periodDays
            facts.reminderDays = filed.reminderDays
            facts.period = 1
        case .feedbackOverdue(let noted): facts.overduePeriods.append(noted.period)
        case .feedbackReported(let report):
            facts.reports.append(report)
            facts.period = report.period + 1
        case .feedbackAccepted(let accepted): facts.acceptedPeriods.insert(accepted.period)
        case .feedbackDataRequested(let requested):
            facts.requests[requested.request.id] = RequestStatus(
                request: requested.request,
                requester: requested.requester
            )
        case .feedbackDataApproved(let approval): facts.requests[approval.request]?.approvedBy.insert(approval.approver)
        case .feedbackDataShared(let approval):
            facts.requests[approval.request]?.approvedBy.insert(approval.approver)
            facts.requests[approval.request]?.shared = true
        case .feedbackDataRefused(let approval): facts.requests[approval.request]?.shared = false
        case .feedbackReminder, .ended, .endedOnExit: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        let period = PeriodNoted(period: instance.facts.period)
        switch deadline {
        case .feedbackReminder: return Draft(.feedbackReminder(period))
        case .feedback: return Draft(.feedbackOverdue(period))
        }
    }
}

extension WorkflowCommand {
    /// A command of use filing and periodic feedback (87号 §6(2), §4(3)).
    public static func useFiling(_ command: UseFilingProcess.Command) -> WorkflowCommand {
        WorkflowCommand(UseFilingProcess.self, command)
    }
}

extension CommandName {
    /// A use filing command.
    public static func useFiling(_ name: UseFilingProcess.Command.Name) -> CommandName {
        CommandName(UseFilingProcess.self, name)
    }
}
