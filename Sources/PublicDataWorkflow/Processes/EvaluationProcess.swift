import PublicDataModel

/// 考核评价: the evaluation of an operator (Art. 33; 87号 §8): the operator's report, the rating reported to
/// the data administration, and the exit after consecutive poor ratings.
///
/// The operator cannot block its evaluation (Art. 33: 不得拒绝、隐匿、瞒报): opening a period opens a `report`
/// deadline of `operatorReportWorkingDays` working days; when it passes without a report,
/// `evaluation.reportOverdue` tells the operator, the agency and the data administration, and the agency may
/// rate with the report recorded as not provided.
public enum EvaluationProcess: WorkflowProcess {
    public static let kind = ProcessKind.evaluation
    public static let commandKey = "evaluation"
    public static let title = "Evaluation (Art. 33)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.exited]

    /// The evaluation's states.
    public enum State: String, ProcessStateKind {
        /// A period is open.
        case opened
        /// The operator reported.
        case reported
        /// The operator's report is overdue; the period may be rated without it.
        case reportOverdue
        /// Rated.
        case rated
        /// The exit was ordered.
        case exiting
        /// The exit completed.
        case exited
    }

    /// The evaluation's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The operator's report.
        case report
        /// The exit procedure.
        case exit

        public var rule: String {
            switch self {
            case .report:
                "the end of `operatorReportWorkingDays` working days after the period opens; overdue → notice, "
                    + "and the period may be rated with the report not provided"
            case .exit: "immediately: terminate the agreement, then its exit procedure"
            }
        }
    }

    /// Whether the rating had the operator's report.
    public enum ReportStatus: String, Codable, Sendable, Hashable {
        /// The operator submitted its report before the rating.
        case provided
        /// The report's due date passed without it (Art. 33); the period was rated without it.
        case notProvided
    }

    /// What an evaluation remembers.
    public struct Facts: Sendable, Hashable {
        /// The current period.
        public var period: EvaluationID?
        /// The operator's report.
        public var report: String?
        /// The latest rating.
        public var rating: EvaluationRating?
        /// Consecutive poor ratings.
        public var consecutivePoorRatings: Int = 0
        /// The latest consequence.
        public var consequence: EvaluationConsequence?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Opens an evaluation period for an agreement.
        case openEvaluation(agreement: AgreementID, period: EvaluationID)
        /// The operator submits its report.
        case submitOperatorReport(agreement: AgreementID, report: String)
        /// Rates the operator; the consequence follows from the rating.
        case rateOperator(agreement: AgreementID, rating: EvaluationRating)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case openEvaluation, submitOperatorReport, rateOperator

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .openEvaluation:
                    CommandSpec(
                        [.dataAdministration, .implementingAgency],
                        ["Art. 33"],
                        guards: ["the agreement is active or suspended"]
                    )
                case .submitOperatorReport:
                    CommandSpec(
                        [.operator],
                        ["Art. 21", "Art. 33"],
                        guards: ["the operator of the agreement", "due `operatorReportWorkingDays` after the opening"]
                    )
                case .rateOperator:
                    CommandSpec(
                        [.dataAdministration, .implementingAgency],
                        ["Art. 33"],
                        guards: [
                            "after the operator's report, or after its due date (recorded as not provided)",
                            "every rating is reported to the data administration",
                            "the N-th consecutive poor rating (policy; 0: never) orders the exit",
                        ]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .openEvaluation: .openEvaluation
            case .submitOperatorReport: .submitOperatorReport
            case .rateOperator: .rateOperator
            }
        }

        public var instanceID: String {
            switch self {
            case .openEvaluation(let id, _), .submitOperatorReport(let id, _), .rateOperator(let id, _): id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .openEvaluation(let id, let period):
                check.id(id, "$.agreement")
                check.id(period, "$.period")
            case .submitOperatorReport(let id, let report):
                check.id(id, "$.agreement")
                check.text(report, "$.report")
            case .rateOperator(let id, _): check.id(id, "$.agreement")
            }
        }
    }

    /// An opened period.
    public struct Opened: Codable, Sendable, Hashable {
        /// The period.
        public var evaluationID: EvaluationID
    }

    /// A rating and its consequence.
    public struct Rated: Codable, Sendable, Hashable {
        /// The rating.
        public var rating: EvaluationRating
        /// Consecutive poor ratings, this one included.
        public var consecutivePoorRatings: Int
        /// The consequence.
        public var consequence: EvaluationConsequence
        /// Whether the operator's report was provided; `nil` in events recorded before the report had a due
        /// date (it was then always provided).
        public var operatorReport: ReportStatus?
        /// The inspections of the agreement that were open or had ever been overdue when it was rated (Art. 31,
        /// 33: inspection results feed the evaluation); `nil` in events recorded before inspections existed.
        public var inspections: [InspectionStatus]?
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// A period opened.
        case opened(Opened)
        /// The operator reported.
        case reported(Noted)
        /// The operator's report was not submitted by its due date.
        case reportOverdue
        /// Rated.
        case rated(Rated)
        /// Rated, and the exit ordered.
        case exitOrdered(Rated)
        /// The exit completed.
        case exitCompleted
        /// The agreement's exit procedure ran for another reason (terminated, revoked, expired): the evaluation
        /// ends, and an operator's report still due is no longer expected.
        case closedOnExit(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case opened = "evaluation.opened"
            case reported = "evaluation.reported"
            case reportOverdue = "evaluation.reportOverdue"
            case rated = "evaluation.rated"
            case exitOrdered = "evaluation.exitOrdered"
            case exitCompleted = "evaluation.exitCompleted"
            case closedOnExit = "evaluation.closedOnExit"
        }

        public var kind: Kind {
            switch self {
            case .opened: .opened
            case .reported: .reported
            case .reportOverdue: .reportOverdue
            case .rated: .rated
            case .exitOrdered: .exitOrdered
            case .exitCompleted: .exitCompleted
            case .closedOnExit: .closedOnExit
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .opened(let payload): try payload.encode(to: encoder)
            case .reported(let payload): try payload.encode(to: encoder)
            case .rated(let payload), .exitOrdered(let payload): try payload.encode(to: encoder)
            case .closedOnExit(let payload): try payload.encode(to: encoder)
            case .exitCompleted, .reportOverdue: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .opened: self = .opened(try Opened(from: decoder))
            case .reported: self = .reported(try Noted(from: decoder))
            case .reportOverdue: self = .reportOverdue
            case .rated: self = .rated(try Rated(from: decoder))
            case .exitOrdered: self = .exitOrdered(try Rated(from: decoder))
            case .exitCompleted: self = .exitCompleted
            case .closedOnExit: self = .closedOnExit(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .opened: Opened.self
            case .reported: Noted.self
            case .reportOverdue: NoPayload.self
            case .rated: Rated.self
            case .exitOrdered: Rated.self
            case .exitCompleted: NoPayload.self
            case .closedOnExit: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .opened:
            EventSpec(
                .command(.openEvaluation),
                from: [nil, .rated],
                to: .opened,
                notifies: [.operator],
                opens: [.report]
            )
        case .reported:
            EventSpec(
                .command(.submitOperatorReport),
                from: [.opened, .reportOverdue],
                to: .reported,
                notifies: [.implementingAgency],
                closes: [.report]
            )
        case .reportOverdue:
            EventSpec(
                .deadline(.report),
                from: [.opened],
                to: .reportOverdue,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                closes: [.report]
            )
        case .rated:
            EventSpec(
                .command(.rateOperator),
                from: [.reported, .reportOverdue],
                to: .rated,
                notifies: [.operator, .dataAdministration]
            )
        case .exitOrdered:
            EventSpec(
                .command(.rateOperator),
                from: [.reported, .reportOverdue],
                to: .exiting,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                opens: [.exit]
            )
        case .exitCompleted:
            EventSpec(.deadline(.exit), from: [.exiting], to: .exited, notifies: [.dataAdministration], closes: [.exit])
        case .closedOnExit:
            EventSpec(
                .exit,
                from: [.opened, .reported, .reportOverdue, .rated],
                to: .exited,
                notifies: [.operator, .dataAdministration],
                closes: [.report]
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
        case .openEvaluation(let agreementID, let period):
            let (agreement, terms) = try await context.agreement(agreementID)
            try context.requireParty(agreement.trace.agencyID, when: .implementingAgency, articles)
            try context.require(agreement, in: [.active, .suspended], ["Art. 13"])
            var trace = TraceKeys()
            trace.evaluationID = period
            trace.agreementID = agreementID
            trace.operatorID = terms.terms.operatorParty
            trace.agencyID = terms.terms.implementingAgency
            let report = context.workingDayDeadline(
                Deadline.report,
                instance,
                count: context.parameters.operatorReportWorkingDays
            )
            return [Draft(.opened(Opened(evaluationID: period)), trace: trace, deadlines: [report])]
        case .submitOperatorReport(_, let report):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            return [Draft(.reported(Noted(note: report)))]
        case .rateOperator(_, let rating):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            let poor = rating == .poor ? instance.facts.consecutivePoorRatings + 1 : 0
            let consequence: EvaluationConsequence
            switch rating {
            case .excellent: consequence = .priority
            case .good, .pass: consequence = .none
            case .poor:
                // `consecutivePoorRatingsForExit` 0 means no automatic exit: the agency terminates explicitly.
                let limit = context.parameters.consecutivePoorRatingsForExit
                consequence = limit > 0 && poor >= limit ? .exit : (poor == 1 ? .notice : .interview)
            }
            let inspections = try await context.engine.inspectionStatuses(of: AgreementID(instance.id))
            let rated = Rated(
                rating: rating,
                consecutivePoorRatings: poor,
                consequence: consequence,
                operatorReport: instance.state == .reportOverdue ? .notProvided : .provided,
                inspections: inspections.isEmpty ? nil : inspections
            )
            guard consequence == .exit else { return [Draft(.rated(rated))] }
            let exit = context.deadline(Deadline.exit, instance, dueDay: context.today, dueAt: context.now)
            return [Draft(.exitOrdered(rated), deadlines: [exit])]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .opened(let opened):
            facts.period = opened.evaluationID
            facts.report = nil
        case .reported(let noted): facts.report = noted.note
        case .rated(let rated), .exitOrdered(let rated):
            facts.rating = rated.rating
            facts.consecutivePoorRatings = rated.consecutivePoorRatings
            facts.consequence = rated.consequence
        case .exitCompleted, .reportOverdue, .closedOnExit: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .report: Draft(.reportOverdue)
        case .exit: Draft(.exitCompleted)
        }
    }
}

extension WorkflowCommand {
    /// A command of the evaluation (Art. 33).
    public static func evaluation(_ command: EvaluationProcess.Command) -> WorkflowCommand {
        WorkflowCommand(EvaluationProcess.self, command)
    }
}

extension CommandName {
    /// An evaluation command.
    public static func evaluation(_ name: EvaluationProcess.Command.Name) -> CommandName {
        CommandName(EvaluationProcess.self, name)
    }
}
