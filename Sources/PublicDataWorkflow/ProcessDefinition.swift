import PublicDataModel

/// One of the regulatory processes the workflow layer runs.
public enum ProcessKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// The public data catalog: entries published by their owning department or accepted as feedback.
    case catalog
    /// 实施方案 (Art. 11).
    case implementationPlan = "implementation_plan"
    /// 运营机构选择 (Art. 12).
    case operatorSelection = "operator_selection"
    /// 授权运营协议 (Art. 13).
    case agreement
    /// 登记 (Art. 9).
    case registration
    /// 数据申请 (Art. 16–19).
    case dataRequest = "data_request"
    /// 数据产品和服务 (Art. 20, 26–27).
    case product
    /// 下游场景 (Art. 25, 27).
    case scenario
    /// 数据异议 (Art. 18).
    case objection
    /// 考核评价 (Art. 33, seed 001 §8).
    case evaluation
    /// Usage metering, period close and revenue distribution (Art. 21–24).
    case settlement
    /// 数据反哺 (seed 001).
    case feedback

    /// The prefix of the stream ids of this process, e.g. `"agreement-"`.
    public var streamPrefix: String {
        switch self {
        case .catalog: "catalog-"
        case .implementationPlan: "plan-"
        case .operatorSelection: "selection-"
        case .agreement: "agreement-"
        case .registration: "registration-"
        case .dataRequest: "data-request-"
        case .product: "product-"
        case .scenario: "scenario-"
        case .objection: "objection-"
        case .evaluation: "evaluation-"
        case .settlement: "settlement-"
        case .feedback: "feedback-"
        }
    }

    /// The process a stream belongs to, read from the stream id's prefix.
    /// - Parameter stream: A stream id written by the workflow layer.
    /// - Returns: The process, or `nil` for a stream the workflow layer did not write.
    public static func of(_ stream: StreamID) -> ProcessKind? {
        // Fast path on the UTF-8 bytes (no hashing, no allocation); a prefix followed by a non-ASCII byte (which
        // might be a combining mark that changes the dash's character) or no match goes the exact way below.
        let fast = stream.rawValue.utf8.withContiguousStorageIfAvailable { bytes -> ProcessKind? in
            for (kind, prefix) in prefixBytes where bytes.count >= prefix.count {
                guard bytes[0] == prefix[0], bytes[1] == prefix[1] else { continue }
                guard bytes.starts(with: prefix) else { continue }
                if bytes.count > prefix.count, bytes[prefix.count] >= 0x80 { return nil }
                return kind
            }
            return nil
        }
        if let kind = fast ?? nil { return kind }
        return slowKind(stream.rawValue)
    }

    private static let prefixBytes: [(ProcessKind, [UInt8])] = allCases.map { ($0, Array($0.streamPrefix.utf8)) }

    private static func slowKind(_ text: String) -> ProcessKind? {
        guard let dash = text.firstIndex(of: "-") else { return nil }
        if let kind = byPrefix[String(text[...dash])] { return kind }
        return text.hasPrefix(ProcessKind.dataRequest.streamPrefix) ? .dataRequest : nil
    }

    private static let byPrefix: [String: ProcessKind] = Dictionary(
        uniqueKeysWithValues: allCases.map { ($0.streamPrefix, $0) }
    )

    /// The stream id of the instance `id` of this process.
    public func stream(_ id: String) -> StreamID { StreamID(streamPrefix + id) }
}

/// The name of a workflow command; every command belongs to exactly one process.
public enum CommandName: String, Codable, Sendable, CaseIterable, Hashable {
    // Catalog
    /// Publishes a catalog entry (owning industry department or the big data center).
    case publishCatalogEntry
    // Implementation plan
    /// Drafts an implementation plan (version 1).
    case draftPlan
    /// Submits a complete plan for approval.
    case submitPlan
    /// Approves a submitted plan.
    case approvePlan
    /// Returns a submitted plan for rework.
    case returnPlan
    /// Publishes an approved plan.
    case publishPlan
    /// Replaces the plan's content with a new version, back to draft.
    case amendPlan
    // Operator selection
    /// Announces an operator selection for a published plan.
    case announceSelection
    /// Applies to an announced selection as a candidate operator.
    case applyForSelection
    /// Closes the application window.
    case closeApplications
    /// Reviews every candidate's qualification under the eligibility policy.
    case reviewQualifications
    /// Selects one eligible candidate.
    case selectOperator
    /// Ends the selection without a result.
    case failSelection
    // Agreement
    /// Drafts an authorization agreement.
    case draftAgreement
    /// Records the collective decision (三重一大).
    case recordCollectiveDecision
    /// The operator signs the agreement.
    case signAgreement
    /// The data administration files (备案) the agreement.
    case fileAgreement
    /// Puts a filed agreement in force.
    case activateAgreement
    /// Suspends an active agreement.
    case suspendAgreement
    /// Resumes a suspended agreement.
    case resumeAgreement
    /// Terminates an agreement and starts the exit procedure.
    case terminateAgreement
    /// Revokes an agreement for a violation and starts the exit procedure.
    case revokeAgreement
    // Registration
    /// Applies for a registration (first, change, correction, cancellation).
    case applyRegistration
    /// Accepts a registration application.
    case acceptRegistration
    /// Completes the formal review: public notice, or rejection.
    case completeFormalReview
    /// Issues the registration code after the public notice.
    case issueRegistrationCode
    /// Renews a registration before its validity ends.
    case renewRegistration
    // Data request
    /// The operator requests catalog entries for a scenario.
    case submitDataRequest
    /// The implementing agency evaluates a request under the policy.
    case evaluateDataRequest
    /// The industry department co-reviews a conditional-share request.
    case coReviewDataRequest
    /// The big data center provisions the granted data.
    case provisionData
    /// Revokes a grant.
    case revokeGrant
    // Product
    /// Drafts a product or service.
    case draftProduct
    /// Assesses a product's compliance under the product-release policy.
    case assessProductCompliance
    /// Files a compliant product with the implementing agency.
    case fileProduct
    /// Records the product's registration.
    case registerProduct
    /// The authorizing body sets a product's fee cap (65号).
    case setFeeCap
    /// Publishes a product with its price plan (the fee cap is checked).
    case publishProduct
    /// Withdraws a product from the market.
    case withdrawProduct
    // Scenario
    /// A business entity applies to re-develop a product for a scenario.
    case applyScenario
    /// The operator assesses a downstream scenario under the policy.
    case assessScenario
    /// The operator files a compliant scenario with the implementing agency.
    case fileScenario
    /// The implementing agency activates a filed scenario.
    case activateScenario
    // Objection
    /// Raises a quality objection against a catalog entry.
    case raiseObjection
    /// The data administration accepts an objection; the provider's answer is due in working days.
    case acceptObjection
    /// The data provider starts verifying.
    case startVerification
    /// The data provider feeds back its finding.
    case feedBackObjection
    /// The data provider records the correction.
    case correctObjection
    /// The objection is rejected (the data was right).
    case rejectObjection
    /// The data administration closes the objection.
    case closeObjection
    // Evaluation
    /// Opens an evaluation period for an agreement.
    case openEvaluation
    /// The operator submits its report for the period.
    case submitOperatorReport
    /// Rates the operator; consequences follow from the rating.
    case rateOperator
    // Settlement
    /// Records one usage of a published product (metered, priced, idempotent by key).
    case recordUsage
    /// Closes the current settlement period.
    case closeSettlementPeriod
    /// Distributes the closed period's revenue by contribution weights.
    case distributeRevenue
    /// Closes the period and settles the accounts for good.
    case settleAccounts
    // Feedback
    /// The operator offers data back (反哺).
    case offerFeedback
    /// The reviewer starts reviewing the offer.
    case startFeedbackReview
    /// Accepts the offer; the data joins the catalog.
    case acceptFeedback
    /// Rejects the offer.
    case rejectFeedback
}

/// What makes a transition happen: a command, a deadline falling due, or the exit procedure.
public enum TransitionTrigger: Sendable, Hashable, CustomStringConvertible {
    /// A party issues a command.
    case command(CommandName)
    /// A deadline (by key) falls due; fired by the scheduler, once.
    case deadline(String)
    /// The exit procedure of an agreement (no actor; caused by a termination, revocation or expiry).
    case exit
    /// A follow-up effect, in this process, of a command of another process (e.g. feedback accepted into
    /// the catalog, a rating that terminates the agreement).
    case effect(of: CommandName)

    /// The command name, the deadline key prefixed `deadline:`, or `exit`.
    public var description: String {
        switch self {
        case .command(let name): name.rawValue
        case .deadline(let key): "deadline:\(key)"
        case .exit: "exit"
        case .effect(let name): "effect of \(name.rawValue)"
        }
    }
}

/// One edge of a process's state machine.
public struct TransitionDefinition: Sendable, Hashable {
    /// What triggers it.
    public var trigger: TransitionTrigger
    /// The states it leaves; ``ProcessDefinition/initialState`` for a creating transition.
    public var from: [String]
    /// The state it enters; `nil` means the state does not change.
    public var to: String?
    /// The event type it records.
    public var event: String
    /// The roles notified when the event is recorded.
    public var notifies: [Role]
    /// The deadlines (by key) the event opens.
    public var opensDeadlines: [String]
    /// The deadlines (by key) the event closes.
    public var closesDeadlines: [String]

    /// Creates a transition.
    public init(
        trigger: TransitionTrigger,
        from: [String],
        to: String?,
        event: String,
        notifies: [Role] = [],
        opensDeadlines: [String] = [],
        closesDeadlines: [String] = []
    ) {
        self.trigger = trigger
        self.from = from
        self.to = to
        self.event = event
        self.notifies = notifies
        self.opensDeadlines = opensDeadlines
        self.closesDeadlines = closesDeadlines
    }
}

/// A command of a process: who may issue it and what must hold.
public struct CommandDefinition: Sendable, Hashable {
    /// The command.
    public var name: CommandName
    /// The roles allowed to issue it; every other role is refused.
    public var roles: Set<Role>
    /// The guards checked before it is decided, in plain words (including the party checks).
    public var guards: [String]
    /// The articles it implements.
    public var articles: [String]

    /// Creates a command definition.
    public init(name: CommandName, roles: Set<Role>, guards: [String] = [], articles: [String] = []) {
        self.name = name
        self.roles = roles
        self.guards = guards
        self.articles = articles
    }
}

/// A deadline a process may open: when it is due and what happens then.
public struct DeadlineDefinition: Sendable, Hashable {
    /// The key, unique within the process.
    public var key: String
    /// How the due date is computed, in plain words (naming the policy parameter).
    public var rule: String
    /// The event recorded when it fires.
    public var event: String

    /// Creates a deadline definition.
    public init(key: String, rule: String, event: String) {
        self.key = key
        self.rule = rule
        self.event = event
    }
}

/// A process as data: states, commands with their roles and guards, transitions, notifications and deadlines.
///
/// The engine decides only what this definition allows: a command is accepted only from a state that one of
/// its transitions leaves, and the event it records must be one of those transitions' events. The same data
/// renders the process as a Mermaid state diagram (``mermaid()``).
public struct ProcessDefinition: Sendable, Hashable {
    /// The pseudo-state before a stream exists.
    public static let initialState = "[*]"

    /// The process.
    public var kind: ProcessKind
    /// A title, e.g. "Authorization agreement (Art. 13)".
    public var title: String
    /// The states, in a readable order.
    public var states: [String]
    /// States that end the process.
    public var finalStates: Set<String>
    /// The commands.
    public var commands: [CommandDefinition]
    /// The transitions.
    public var transitions: [TransitionDefinition]
    /// The deadlines.
    public var deadlines: [DeadlineDefinition]

    /// Creates a definition.
    public init(
        kind: ProcessKind,
        title: String,
        states: [String],
        finalStates: Set<String>,
        commands: [CommandDefinition],
        transitions: [TransitionDefinition],
        deadlines: [DeadlineDefinition] = []
    ) {
        self.kind = kind
        self.title = title
        self.states = states
        self.finalStates = finalStates
        self.commands = commands
        self.transitions = transitions
        self.deadlines = deadlines
    }

    /// The transitions a command may take.
    public func transitions(for command: CommandName) -> [TransitionDefinition] {
        transitions.filter { $0.trigger == .command(command) }
    }

    /// The transition that `event` takes from `state`, if the definition has one.
    public func transition(event: String, from state: String) -> TransitionDefinition? {
        transitions.first { $0.event == event && $0.from.contains(state) }
    }

    /// Every structural problem: unknown states, duplicate commands, events leaving one state twice.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        let known = Set(states).union([Self.initialState])
        for (index, transition) in transitions.enumerated() {
            for state in transition.from + [transition.to].compactMap({ $0 }) where !known.contains(state) {
                issues.append(ValidationIssue(path: "\(kind).transitions[\(index)]", message: "unknown state \(state)"))
            }
            if case .command(let name) = transition.trigger, !commands.contains(where: { $0.name == name }) {
                issues.append(ValidationIssue(path: "\(kind).transitions[\(index)]", message: "undefined \(name)"))
            }
            if case .deadline(let key) = transition.trigger, !deadlines.contains(where: { $0.key == key }) {
                issues.append(ValidationIssue(path: "\(kind).transitions[\(index)]", message: "undefined \(key)"))
            }
        }
        var seen: Set<String> = []
        for transition in transitions {
            for state in transition.from where !seen.insert("\(state)|\(transition.event)").inserted {
                issues.append(
                    ValidationIssue(path: "\(kind)", message: "event \(transition.event) leaves \(state) twice")
                )
            }
        }
        return issues
    }
}
