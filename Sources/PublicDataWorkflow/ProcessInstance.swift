import Foundation
import PublicDataModel
import PublicDataPricing

/// The state of one process instance (one stream), folded from its events.
///
/// The engine never stores state: it folds the stream's events into this value (keeping a memo of the fold
/// and reading only newer events) before every decision.
public struct ProcessInstance: Sendable, Hashable {
    /// The stream.
    public var stream: StreamID
    /// The process.
    public var process: ProcessKind
    /// The current state; ``ProcessDefinition/initialState`` before the first event.
    public var state: String
    /// The stream's version (the number of events).
    public var version: Int64
    /// Every field any event set, the latest value winning (terms, plan, request, decision, …).
    public var facts: WorkflowPayload
    /// The deadlines open now, by key.
    public var openDeadlines: [String: ScheduledDeadline]
    /// The applications received (operator selection).
    public var applications: [OperatorApplication]
    /// Usage records in the open settlement period.
    public var periodUsageCount: Int64
    /// Usage per subscription in the open settlement period.
    public var tallies: [SubscriptionID: UsageTally]

    /// An instance that has no events yet.
    public init(stream: StreamID, process: ProcessKind) {
        self.stream = stream
        self.process = process
        self.state = ProcessDefinition.initialState
        self.version = 0
        self.facts = WorkflowPayload()
        self.openDeadlines = [:]
        self.applications = []
        self.periodUsageCount = 0
        self.tallies = [:]
    }

    /// Whether the stream has any event.
    public var exists: Bool { version > 0 }

    /// The agreement's status, for an agreement instance in a status state.
    public var agreementStatus: AgreementStatus? { AgreementStatus(rawValue: state) }

    /// Applies one event (its type and decoded payload) at `version`.
    mutating func apply(type: String, payload: WorkflowPayload, version: Int64) {
        self.version = version
        if let transition = TransitionIndex.shared.transition(process, event: type, from: state) {
            state = transition.to ?? state
            for key in transition.closesDeadlines { openDeadlines[key] = nil }
        }
        for deadline in payload.deadlines ?? [] { openDeadlines[deadline.key] = deadline }
        facts.merge(payload)
        switch type {
        case "selection.applied":
            if let application = payload.application { applications.append(application) }
        case "settlement.usageRecorded":
            guard let usage = payload.usage else { break }
            periodUsageCount += 1
            if var tally = tallies[usage.subscription] {
                tally.count += 1
                tally.sum = tally.sum.addingReportingOverflow(usage.quantity).partialValue
                tally.max = Swift.max(tally.max, usage.quantity)
                tallies[usage.subscription] = tally
            } else {
                let scenario = FiledScenario(
                    id: usage.scenario ?? ScenarioID("unfiled"),
                    purpose: payload.purpose ?? .industryDevelopment,
                    filingReference: usage.scenario.map { "scenario \($0)" } ?? "no filed scenario"
                )
                tallies[usage.subscription] = UsageTally(
                    subscription: usage.subscription,
                    product: usage.product,
                    consumer: usage.consumer,
                    scenario: scenario,
                    unit: usage.unit,
                    count: 1,
                    sum: usage.quantity,
                    max: usage.quantity,
                    firstDay: payload.usageDay ?? CivilDate(daysSinceEpoch: 0)
                )
            }
        case "settlement.periodClosed", "settlement.accountsSettled", "settlement.settledOnExit":
            periodUsageCount = 0
            tallies = [:]
        default:
            break
        }
    }

    /// Applies a recorded event, decoding its payload.
    /// - Throws: ``WorkflowError`` with code `store` when the payload cannot be decoded.
    mutating func apply(_ event: RecordedEvent) throws(WorkflowError) {
        let payload: WorkflowPayload
        do {
            payload = try PublicDataJSON.makeDecoder().decode(WorkflowPayload.self, from: event.payload)
        } catch {
            throw WorkflowError(
                code: .store,
                message: "event \(event.id) has an unreadable payload: \(error)",
                stream: event.stream
            )
        }
        apply(type: event.type, payload: payload, version: event.streamVersion)
    }
}

extension RecordedEvent {
    /// The stream id (shorthand used by the workflow layer).
    var stream: StreamID { streamID }
}

/// A precomputed index of every process's transitions by event type and source state.
struct TransitionIndex: Sendable {
    static let shared = TransitionIndex()

    /// One flat table keyed by (process, event, source state): one hash per lookup instead of three.
    private struct Key: Hashable {
        var process: ProcessKind
        var event: String
        var from: String
    }

    private let table: [Key: TransitionDefinition]

    init() {
        var table: [Key: TransitionDefinition] = [:]
        for definition in Processes.all {
            var byEvent: [String: [String: TransitionDefinition]] = [:]
            for transition in definition.transitions {
                for from in transition.from { byEvent[transition.event, default: [:]][from] = transition }
            }
            for (event, byState) in byEvent {
                for (from, transition) in byState {
                    table[Key(process: definition.kind, event: event, from: from)] = transition
                }
            }
        }
        self.table = table
    }

    func transition(_ process: ProcessKind, event: String, from state: String) -> TransitionDefinition? {
        table[Key(process: process, event: event, from: state)]
    }

    /// The transitions a command can take, precomputed for every command (as
    /// `Processes.definition(Processes.process(of: name)).transitions(for: name)`), so that deciding a command
    /// neither copies its process definition nor filters its transitions.
    let byCommand: [CommandName: [TransitionDefinition]] = Dictionary(
        uniqueKeysWithValues: CommandName.allCases.map { name in
            (name, Processes.definition(Processes.process(of: name)).transitions(for: name))
        }
    )

    func transitions(for name: CommandName) -> [TransitionDefinition] {
        byCommand[name] ?? Processes.definition(Processes.process(of: name)).transitions(for: name)
    }
}

extension WorkflowPayload {
    /// Copies every field `other` sets onto this payload (deadlines and notifications excepted).
    mutating func merge(_ other: WorkflowPayload) {
        if let value = other.planID { planID = value }
        if let value = other.selectionID { selectionID = value }
        if let value = other.agreementID { agreementID = value }
        if let value = other.registrationID { registrationID = value }
        if let value = other.dataRequestID { dataRequestID = value }
        if let value = other.productID { productID = value }
        if let value = other.scenarioID { scenarioID = value }
        if let value = other.objectionID { objectionID = value }
        if let value = other.evaluationID { evaluationID = value }
        if let value = other.feedbackID { feedbackID = value }
        if let value = other.catalogEntryIDs { catalogEntryIDs = value }
        if let value = other.operatorID { operatorID = value }
        if let value = other.pricePlanID { pricePlanID = value }
        if let value = other.agencyID { agencyID = value }
        if let value = other.departmentIDs { departmentIDs = value }
        if let value = other.plan { plan = value }
        if let value = other.planVersion { planVersion = value }
        if let value = other.selection { selection = value }
        if let value = other.application { application = value }
        if let value = other.qualifications { qualifications = value }
        if let value = other.terms { terms = value }
        if let value = other.registration { registration = value }
        if let value = other.registrationCode { registrationCode = value }
        if let value = other.validUntil { validUntil = value }
        if let value = other.request { request = value }
        if let value = other.product { product = value }
        if let value = other.pricePlan { pricePlan = value }
        if let value = other.scenario { scenario = value }
        if let value = other.applicant { applicant = value }
        if let value = other.objection { objection = value }
        if let value = other.rating { rating = value }
        if let value = other.consequence { consequence = value }
        if let value = other.consecutivePoorRatings { consecutivePoorRatings = value }
        if let value = other.escalations { escalations = value }
        if let value = other.coReviewApprovals { coReviewApprovals = value }
        if let value = other.usage { usage = value }
        if let value = other.purpose { purpose = value }
        if let value = other.usageDay { usageDay = value }
        if let value = other.feeCaps { feeCaps = value }
        if let value = other.invoices { invoices = value }
        if let value = other.allocations { allocations = value }
        if let value = other.settlement { settlement = value }
        if let value = other.shares { shares = value }
        if let value = other.feedback { feedback = value }
        if let value = other.catalogEntry { catalogEntry = value }
        if let value = other.decision { decision = value }
        if let value = other.reason { reason = value }
        if let value = other.note { note = value }
    }

    /// A payload with only the trace keys (identifiers and parties) of this one.
    var traceKeys: WorkflowPayload {
        var keys = WorkflowPayload()
        keys.planID = planID
        keys.selectionID = selectionID
        keys.agreementID = agreementID
        keys.registrationID = registrationID
        keys.dataRequestID = dataRequestID
        keys.productID = productID
        keys.scenarioID = scenarioID
        keys.objectionID = objectionID
        keys.evaluationID = evaluationID
        keys.feedbackID = feedbackID
        keys.catalogEntryIDs = catalogEntryIDs
        keys.operatorID = operatorID
        keys.pricePlanID = pricePlanID
        keys.agencyID = agencyID
        keys.departmentIDs = departmentIDs
        return keys
    }
}
