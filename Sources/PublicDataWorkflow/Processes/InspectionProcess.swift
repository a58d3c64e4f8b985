import PublicDataModel

/// Tag type for ``InspectionID``.
public enum InspectionTag: Sendable {}

/// The identifier of an inspection (Art. 31).
public typealias InspectionID = Identifier<InspectionTag>

/// What an inspection covers: the operator and agreement inspected, the departments inspecting with the data
/// administration, and the subject (a security risk assessment, a normative review of a data-use plan).
public struct InspectionSpec: Codable, Sendable, Hashable {
    /// The inspection.
    public var id: InspectionID
    /// The agreement whose operation is inspected.
    public var agreement: AgreementID
    /// The operator inspected; it must be the agreement's operator.
    public var operatorParty: PartyID
    /// The departments inspecting with the data administration (industry, cyberspace, police).
    public var departments: [PartyID]
    /// What is inspected.
    public var subject: String

    /// Creates a spec.
    public init(
        id: InspectionID,
        agreement: AgreementID,
        operatorParty: PartyID,
        departments: [PartyID] = [],
        subject: String
    ) {
        self.id = id
        self.agreement = agreement
        self.operatorParty = operatorParty
        self.departments = departments
        self.subject = subject
    }
}

/// How serious a finding is.
public enum FindingSeverity: String, Codable, Sendable, CaseIterable, Hashable, Comparable {
    /// A minor defect.
    case low
    /// A defect to rectify.
    case medium
    /// A serious defect (a vulnerability, a missing control).
    case high

    private var rank: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .high: 2
        }
    }

    /// Orders by seriousness.
    public static func < (lhs: FindingSeverity, rhs: FindingSeverity) -> Bool { lhs.rank < rhs.rank }
}

/// One finding of an inspection.
public struct InspectionFinding: Codable, Sendable, Hashable {
    /// The finding's number within the inspection.
    public var id: String
    /// How serious it is.
    public var severity: FindingSeverity
    /// What was found.
    public var description: String

    /// Creates a finding.
    public init(id: String, severity: FindingSeverity, description: String) {
        self.id = id
        self.severity = severity
        self.description = description
    }
}

/// 安全检查与整改: an inspection of an operator's data use by the data administration with the departments
/// concerned (Art. 31; 87号 §7), its findings, and their rectification by the operator and the agency within a
/// deadline in working days.
///
/// The findings are issued together with the rectification deadline the inspectors set (working days, counted with
/// the deployment's calendar). When it passes without a rectification report, `inspection.rectificationOverdue`
/// tells the operator, the agency and the data administration (once); the operator may still report. The data
/// administration accepts the rectification (closed) or returns it (a new deadline of the same length). Every
/// inspection of an agreement that is open or was ever overdue is recorded in the operator's next rating
/// (``EvaluationProcess/Rated/inspections``).
public enum InspectionProcess: WorkflowProcess {
    public static let kind = ProcessKind.inspection
    public static let commandKey = "inspection"
    public static let title = "Inspection and rectification (Art. 31)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.closed]

    /// The inspection's states.
    public enum State: String, ProcessStateKind {
        /// Opened; the inspectors are at work.
        case opened
        /// Findings issued; the operator rectifies them.
        case rectifying
        /// The rectification deadline passed without a report.
        case overdue
        /// The rectification was reported; the data administration reviews it.
        case reported
        /// Closed: no findings, or the rectification was accepted.
        case closed
    }

    /// The inspection's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The rectification of the findings.
        case rectification

        public var rule: String {
            "the end of the working days the inspectors set when issuing the findings (or returning the "
                + "rectification); overdue → notice, once"
        }
    }

    /// What an inspection remembers.
    public struct Facts: Sendable, Hashable {
        /// The inspection.
        public var inspection: InspectionSpec?
        /// The findings.
        public var findings: [InspectionFinding] = []
        /// The working days allowed for a rectification.
        public var rectificationWorkingDays: Int = 0
        /// How many times the rectification deadline passed.
        public var overdueCount: Int = 0
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// The data administration opens an inspection of an operator's agreement.
        case openInspection(inspection: InspectionSpec)
        /// The data administration issues the findings (none closes the inspection) with the rectification
        /// deadline in working days.
        case issueFindings(inspection: InspectionID, findings: [InspectionFinding], rectificationWorkingDays: Int)
        /// The operator or the agency reports the rectification.
        case reportRectification(inspection: InspectionID, report: String)
        /// The data administration accepts the rectification or returns it.
        case reviewRectification(inspection: InspectionID, accepted: Bool, note: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case openInspection, issueFindings, reportRectification, reviewRectification

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .openInspection:
                    CommandSpec(
                        [.dataAdministration],
                        ["Art. 31"],
                        guards: ["the agreement exists and the operator inspected is its operator"]
                    )
                case .issueFindings:
                    CommandSpec(
                        [.dataAdministration],
                        ["Art. 31"],
                        guards: ["1–90 working days to rectify", "no findings closes the inspection"]
                    )
                case .reportRectification:
                    CommandSpec(
                        [.operator, .implementingAgency],
                        ["Art. 31"],
                        guards: ["the operator inspected or the agency of the agreement", "also after the deadline"]
                    )
                case .reviewRectification:
                    CommandSpec(
                        [.dataAdministration],
                        ["Art. 31"],
                        guards: ["a returned rectification gets a new deadline of the same length"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .openInspection: .openInspection
            case .issueFindings: .issueFindings
            case .reportRectification: .reportRectification
            case .reviewRectification: .reviewRectification
            }
        }

        public var instanceID: String {
            switch self {
            case .openInspection(let inspection): inspection.id.rawValue
            case .issueFindings(let id, _, _), .reportRectification(let id, _), .reviewRectification(let id, _, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .openInspection(let inspection):
                check.id(inspection.id, "$.inspection.id")
                check.id(inspection.agreement, "$.inspection.agreement")
                check.id(inspection.operatorParty, "$.inspection.operatorParty")
                for (index, department) in inspection.departments.enumerated() {
                    check.id(department, "$.inspection.departments[\(index)]")
                }
                check.text(inspection.subject, "$.inspection.subject")
            case .issueFindings(let id, let findings, let days):
                check.id(id, "$.inspection")
                var seen: Set<String> = []
                for (index, finding) in findings.enumerated() {
                    check.text(finding.id, "$.findings[\(index)].id")
                    check.text(finding.description, "$.findings[\(index)].description")
                    if !seen.insert(finding.id).inserted { check.fail("$.findings[\(index)].id", "appears twice") }
                }
                if !findings.isEmpty, !(1...90).contains(days) {
                    check.fail("$.rectificationWorkingDays", "must be 1–90 working days")
                }
            case .reportRectification(let id, let report):
                check.id(id, "$.inspection")
                check.text(report, "$.report")
            case .reviewRectification(let id, _, let note):
                check.id(id, "$.inspection")
                check.text(note, "$.note")
            }
        }
    }

    /// An opened inspection.
    public struct Opened: Codable, Sendable, Hashable {
        /// The inspection.
        public var inspection: InspectionSpec
    }

    /// Issued findings.
    public struct FindingsIssued: Codable, Sendable, Hashable {
        /// The findings.
        public var findings: [InspectionFinding]
        /// The working days allowed.
        public var rectificationWorkingDays: Int
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Opened.
        case opened(Opened)
        /// Closed without findings.
        case closedWithoutFindings
        /// Findings issued; the rectification deadline runs.
        case findingsIssued(FindingsIssued)
        /// The rectification deadline passed.
        case rectificationOverdue
        /// The rectification was reported.
        case rectificationReported(Noted)
        /// The rectification was accepted.
        case rectificationAccepted(Noted)
        /// The rectification was returned; a new deadline runs.
        case rectificationReturned(Noted)
        /// The agreement's exit procedure ran: the inspection closes with what was still unrectified.
        case closedOnExit(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case opened = "inspection.opened"
            case closedWithoutFindings = "inspection.closedWithoutFindings"
            case findingsIssued = "inspection.findingsIssued"
            case rectificationOverdue = "inspection.rectificationOverdue"
            case rectificationReported = "inspection.rectificationReported"
            case rectificationAccepted = "inspection.rectificationAccepted"
            case rectificationReturned = "inspection.rectificationReturned"
            case closedOnExit = "inspection.closedOnExit"
        }

        public var kind: Kind {
            switch self {
            case .opened: .opened
            case .closedWithoutFindings: .closedWithoutFindings
            case .findingsIssued: .findingsIssued
            case .rectificationOverdue: .rectificationOverdue
            case .rectificationReported: .rectificationReported
            case .rectificationAccepted: .rectificationAccepted
            case .rectificationReturned: .rectificationReturned
            case .closedOnExit: .closedOnExit
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .opened(let payload): try payload.encode(to: encoder)
            case .findingsIssued(let payload): try payload.encode(to: encoder)
            case .rectificationReported(let payload), .rectificationAccepted(let payload),
                .rectificationReturned(let payload):
                try payload.encode(to: encoder)
            case .closedOnExit(let payload): try payload.encode(to: encoder)
            case .closedWithoutFindings, .rectificationOverdue: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .opened: self = .opened(try Opened(from: decoder))
            case .closedWithoutFindings: self = .closedWithoutFindings
            case .findingsIssued: self = .findingsIssued(try FindingsIssued(from: decoder))
            case .rectificationOverdue: self = .rectificationOverdue
            case .rectificationReported: self = .rectificationReported(try Noted(from: decoder))
            case .rectificationAccepted: self = .rectificationAccepted(try Noted(from: decoder))
            case .rectificationReturned: self = .rectificationReturned(try Noted(from: decoder))
            case .closedOnExit: self = .closedOnExit(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .opened: Opened.self
            case .findingsIssued: FindingsIssued.self
            case .rectificationReported, .rectificationAccepted, .rectificationReturned: Noted.self
            case .closedWithoutFindings, .rectificationOverdue: NoPayload.self
            case .closedOnExit: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .opened:
            EventSpec(
                .command(.openInspection),
                from: [nil],
                to: .opened,
                notifies: [.operator, .implementingAgency, .industryDepartment]
            )
        case .closedWithoutFindings:
            EventSpec(
                .command(.issueFindings),
                from: [.opened],
                to: .closed,
                notifies: [.operator, .implementingAgency]
            )
        case .findingsIssued:
            EventSpec(
                .command(.issueFindings),
                from: [.opened],
                to: .rectifying,
                notifies: [.operator, .implementingAgency],
                opens: [.rectification]
            )
        case .rectificationOverdue:
            EventSpec(
                .deadline(.rectification),
                from: [.rectifying],
                to: .overdue,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                closes: [.rectification]
            )
        case .rectificationReported:
            EventSpec(
                .command(.reportRectification),
                from: [.rectifying, .overdue],
                to: .reported,
                notifies: [.dataAdministration],
                closes: [.rectification]
            )
        case .rectificationAccepted:
            EventSpec(
                .command(.reviewRectification),
                from: [.reported],
                to: .closed,
                notifies: [.operator, .implementingAgency]
            )
        case .closedOnExit:
            EventSpec(
                .exit,
                from: [.opened, .rectifying, .overdue, .reported],
                to: .closed,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                closes: [.rectification]
            )
        case .rectificationReturned:
            EventSpec(
                .command(.reviewRectification),
                from: [.reported],
                to: .rectifying,
                notifies: [.operator, .implementingAgency],
                opens: [.rectification]
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
        case .openInspection(let inspection):
            let (agreement, terms) = try await context.agreement(inspection.agreement)
            guard terms.terms.operatorParty == inspection.operatorParty else {
                throw context.refuse(
                    .invalidInput,
                    "\(inspection.operatorParty) is not the operator of agreement \(inspection.agreement) "
                        + "(\(terms.terms.operatorParty) is)",
                    articles
                )
            }
            var trace = TraceKeys()
            trace.agreementID = inspection.agreement
            trace.operatorID = inspection.operatorParty
            trace.agencyID = agreement.trace.agencyID ?? terms.terms.implementingAgency
            trace.departmentIDs = inspection.departments.isEmpty ? nil : inspection.departments
            return [Draft(.opened(Opened(inspection: inspection)), trace: trace)]
        case .issueFindings(_, let findings, let days):
            guard !findings.isEmpty else { return [Draft(.closedWithoutFindings)] }
            let deadline = context.workingDayDeadline(Deadline.rectification, instance, count: days)
            return [
                Draft(
                    .findingsIssued(FindingsIssued(findings: findings, rectificationWorkingDays: days)),
                    deadlines: [deadline]
                )
            ]
        case .reportRectification(_, let report):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.rectificationReported(Noted(note: report)))]
        case .reviewRectification(_, let accepted, let note):
            guard !accepted else { return [Draft(.rectificationAccepted(Noted(note: note)))] }
            let deadline = context.workingDayDeadline(
                Deadline.rectification,
                instance,
                count: max(1, instance.facts.rectificationWorkingDays)
            )
            return [Draft(.rectificationReturned(Noted(note: note)), deadlines: [deadline])]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .opened(let opened): facts.inspection = opened.inspection
        case .findingsIssued(let issued):
            facts.findings = issued.findings
            facts.rectificationWorkingDays = issued.rectificationWorkingDays
        case .rectificationOverdue: facts.overdueCount += 1
        case .closedWithoutFindings, .rectificationReported, .rectificationAccepted, .rectificationReturned,
            .closedOnExit:
            break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .rectification: Draft(.rectificationOverdue)
        }
    }
}

/// An inspection as the operator's rating records it.
public struct InspectionStatus: Codable, Sendable, Hashable {
    /// The inspection.
    public var inspection: InspectionID
    /// Its state when the operator was rated.
    public var state: String
    /// The number of findings.
    public var findings: Int
    /// The most serious finding, if any.
    public var highestSeverity: FindingSeverity?
    /// How many times its rectification deadline passed.
    public var overdueCount: Int
}

extension WorkflowEngine {
    /// The inspections of `agreement` that are still open or were ever overdue, in id order (for its rating).
    func inspectionStatuses(of agreement: AgreementID) async throws(WorkflowError) -> [InspectionStatus] {
        let projection = try await index.catchUp()
        var result: [InspectionStatus] = []
        for stream in projection.states.keys.sorted() where ProcessKind.of(stream) == .inspection {
            let inspection = try await instance(InspectionProcess.self, stream: stream)
            guard let spec = inspection.facts.inspection, spec.agreement == agreement,
                inspection.state != .closed || inspection.facts.overdueCount > 0
            else { continue }
            result.append(
                InspectionStatus(
                    inspection: spec.id,
                    state: inspection.stateName,
                    findings: inspection.facts.findings.count,
                    highestSeverity: inspection.facts.findings.map(\.severity).max(),
                    overdueCount: inspection.facts.overdueCount
                )
            )
        }
        return result
    }
}

extension WorkflowCommand {
    /// A command of inspections and rectification (Art. 31).
    public static func inspection(_ command: InspectionProcess.Command) -> WorkflowCommand {
        WorkflowCommand(InspectionProcess.self, command)
    }
}

extension CommandName {
    /// An inspection command.
    public static func inspection(_ name: InspectionProcess.Command.Name) -> CommandName {
        CommandName(InspectionProcess.self, name)
    }
}
