import Foundation
import PublicDataModel
import PublicDataPolicy

/// The result of a command that was decided and recorded.
public struct CommandOutcome: Sendable, Hashable {
    /// The command.
    public var command: CommandName
    /// The stream it changed.
    public var stream: StreamID
    /// The events recorded (as stored).
    public var events: [RecordedEvent]
    /// The instance's state afterwards.
    public var state: String
    /// The policy decision behind the command, when the policy was asked.
    public var decision: Decision?
    /// `true` when the same events had been recorded before (a retried usage record) and nothing was written.
    public var deduplicated: Bool

    /// Creates an outcome.
    public init(
        command: CommandName,
        stream: StreamID,
        events: [RecordedEvent],
        state: String,
        decision: Decision?,
        deduplicated: Bool
    ) {
        self.command = command
        self.stream = stream
        self.events = events
        self.state = state
        self.decision = decision
        self.deduplicated = deduplicated
    }

    /// Whether the command was recorded as a refusal (a policy denial or a co-review rejection).
    public var isRefusal: Bool {
        decision?.effect == .deny || events.contains { $0.type == "dataRequest.coReviewRejected" }
    }
}

/// A deadline the scheduler fired.
public struct FiredDeadline: Sendable, Hashable {
    /// The deadline.
    public var deadline: ScheduledDeadline
    /// The event recorded when it fired.
    public var event: RecordedEvent
}

/// The workflow engine: decides commands against the process definitions, the policy and pricing, and
/// records the resulting events with optimistic concurrency.
///
/// ## How a command is decided
/// 1. The actor's role must be allowed for the command (``Processes/roles(for:)``); input is validated.
/// 2. The target stream's state is loaded from its events; the command must leave the current state.
/// 3. Party checks: an operator acts only on its own agreements and products, an agency only on its own
///    plans and agreements, a provider only on objections addressed to it, a business entity only on its own
///    scenarios.
/// 4. The policy is asked where the regulation requires a decision; pricing where money is involved.
/// 5. The events are appended with the stream's version as the expected version. On a version conflict the
///    engine reloads the stream and decides again from step 2 — it never retries the old decision.
///
/// ## Refusals
/// Bad input, a wrong role, a wrong party or a wrong state throw ``WorkflowError`` and append **nothing**.
/// A well-formed data request, product release, price publication or downstream scenario that the policy denies
/// **is recorded** (`dataRequest.refused`, `product.releaseRefused`, `product.publicationRefused`,
/// `scenario.refused`) with the full decision, because Art. 14 requires every authorization decision to be
/// traceable. A refused publication leaves the product where it was, so a corrected plan may be published.
///
/// ```swift
/// let engine = WorkflowEngine(store: store, clock: clock, calendar: calendar, policy: .beijingDefault)
/// let outcome = try await engine.execute(.evaluateDataRequest("req-1"), by: agencyClerk)
/// if outcome.isRefusal { print(outcome.decision?.reasons ?? []) }
/// ```
public final class WorkflowEngine: Sendable {
    /// The event store.
    public let store: any EventStore
    /// The clock read once per command.
    public let clock: any WallClock
    /// The working-day calendar for deadlines.
    public let calendar: any WorkingDayCalendar
    /// The policy that decides requests, releases, scenarios and eligibility, and supplies the parameters.
    public let policy: Policy
    /// The authority parties for notifications.
    public let directory: AuthorityDirectory

    let cache = LockedBox<[StreamID: ProcessInstance]>([:])
    let index: ProjectionRunner
    let gate = StreamGate()
    /// One encoder in the library's JSON style, reused for every payload (encoding does not mutate it).
    let encoder = PublicDataJSON.makeEncoder()
    private let cacheLimit: Int
    private let maximumAttempts = 64

    /// Creates an engine.
    /// - Parameters:
    ///   - store: The event store (shared with other engine instances if you like).
    ///   - clock: The clock.
    ///   - calendar: The working-day calendar.
    ///   - policy: The policy (e.g. `Policy.beijingDefault`).
    ///   - directory: The parties holding the authority roles.
    ///   - cacheLimit: How many stream states the engine memoizes before it starts afresh.
    public init(
        store: any EventStore,
        clock: any WallClock,
        calendar: any WorkingDayCalendar,
        policy: Policy,
        directory: AuthorityDirectory = AuthorityDirectory(),
        cacheLimit: Int = 100_000
    ) {
        self.store = store
        self.clock = clock
        self.calendar = calendar
        self.policy = policy
        self.directory = directory
        self.cacheLimit = cacheLimit
        self.index = ProjectionRunner(store: store)
    }

    // MARK: - Reading state

    /// The current state of a stream, folded from its events.
    /// - Throws: ``WorkflowError`` (code `store`) when the store fails.
    public func instance(_ stream: StreamID) async throws(WorkflowError) -> ProcessInstance {
        guard let process = ProcessKind.of(stream) else {
            throw WorkflowError(code: .invalidInput, message: "\(stream) is not a workflow stream", stream: stream)
        }
        var instance = cache.withLock { $0[stream] } ?? ProcessInstance(stream: stream, process: process)
        let known = instance.version
        while true {
            let page: [RecordedEvent]
            do {
                page = try await store.readStream(stream, fromVersion: instance.version + 1, limit: 1000)
            } catch let error as EventStoreError {
                throw WorkflowError(code: .store, message: error.message, stream: stream, storeError: error)
            } catch {
                throw WorkflowError(code: .store, message: "\(error)", stream: stream)
            }
            for event in page { try instance.apply(event) }
            if page.count < 1000 { break }
        }
        if instance.version != known { remember(instance) }
        return instance
    }

    /// The current state of the instance `id` of `process`.
    /// - Throws: ``WorkflowError`` (code `store`).
    public func instance(_ process: ProcessKind, _ id: String) async throws(WorkflowError) -> ProcessInstance {
        try await instance(process.stream(id))
    }

    /// The read-side projections, caught up with the store.
    /// - Throws: ``WorkflowError`` (code `store`).
    public func projections() async throws(WorkflowError) -> WorkflowProjection {
        try await index.catchUp()
    }

    private func remember(_ instance: ProcessInstance) {
        cache.withLock { cache in
            if cache.count >= cacheLimit, cache[instance.stream] == nil { cache.removeAll(keepingCapacity: true) }
            if let existing = cache[instance.stream], existing.version >= instance.version { return }
            cache[instance.stream] = instance
        }
    }

    private func forget(_ stream: StreamID) {
        _ = cache.withLock { $0.removeValue(forKey: stream) }
    }

    // MARK: - Commands

    /// Decides and records a command.
    ///
    /// - Parameters:
    ///   - command: The command.
    ///   - actor: Who issues it, in which role.
    /// - Returns: The recorded events, the new state and the policy decision, if any.
    /// - Throws: ``WorkflowError``: `roleNotPermitted`, `invalidInput`, `notParty`, `invalidState`,
    ///   `notFound`, `pricing` (nothing recorded), `contention` or `store`.
    @discardableResult
    public func execute(_ command: WorkflowCommand, by actor: Actor) async throws(WorkflowError) -> CommandOutcome {
        let name = command.name
        let definition = Processes.command(name)
        guard definition.roles.contains(actor.role) else {
            throw WorkflowError(
                code: .roleNotPermitted,
                message: "role \(actor.role.rawValue) may not \(name.rawValue); allowed: "
                    + Role.allCases.filter { definition.roles.contains($0) }.map(\.rawValue).joined(separator: ", "),
                command: name,
                stream: command.stream
            )
        }
        try validate(command)
        if case .acceptFeedback(let id) = command {
            try await publishFeedbackEntry(id, actor: actor)
        }
        // Within one engine, commands on the same stream take turns, so they do not conflict with each other;
        // across engines (and processes) the expected-version append is the fence.
        let stream = command.stream
        await gate.enter(stream)
        let outcome: CommandOutcome
        do {
            outcome = try await decideAndAppend(command, actor: actor)
        } catch {
            gate.leave(stream)
            throw error
        }
        gate.leave(stream)
        try await followUp(command, outcome: outcome)
        return outcome
    }

    private func decideAndAppend(
        _ command: WorkflowCommand,
        actor: Actor
    ) async throws(WorkflowError)
        -> CommandOutcome
    {
        let name = command.name
        let stream = command.stream
        let transitions = TransitionIndex.shared.transitions(for: name)
        // The first attempt decides on the memoized state of the stream without reading the store: if another
        // instance moved the stream on, the append conflicts and the next attempt reloads. A refusal decided
        // on memoized state is re-checked on fresh state before it is reported.
        var cached = cache.withLock { $0[stream] }
        for _ in 0..<maximumAttempts {
            let current: ProcessInstance
            if let memo = cached {
                current = memo
            } else {
                current = try await instance(stream)
            }
            let fromMemo = cached != nil
            cached = nil
            guard transitions.contains(where: { $0.from.contains(current.state) }) else {
                if fromMemo { continue }
                throw WorkflowError(
                    code: .invalidState,
                    message: current.exists
                        ? "\(stream) is \(current.state); \(name.rawValue) is not possible from there"
                        : "\(stream) does not exist",
                    command: name,
                    stream: stream
                )
            }
            let now = clock.now()
            let context = DecisionContext(engine: self, actor: actor, now: now, today: calendar.civilDate(of: now))
            let drafts: [Draft]
            do {
                drafts = try await context.decide(command, current)
            } catch  where fromMemo {
                continue
            }
            let result = try await append(drafts, to: current, actor: actor, now: now, trigger: .command(name))
            switch result {
            case .conflict:
                await Task.yield()
                continue
            case .appended(let events, let instance, let deduplicated):
                return CommandOutcome(
                    command: name,
                    stream: stream,
                    events: events,
                    state: instance.state,
                    decision: drafts.compactMap(\.payload.decision).first,
                    deduplicated: deduplicated
                )
            }
        }
        throw WorkflowError(
            code: .contention,
            message: "\(stream) changed \(maximumAttempts) times while deciding",
            command: name,
            stream: stream
        )
    }

    enum AppendResult {
        case conflict
        case appended([RecordedEvent], ProcessInstance, deduplicated: Bool)
    }

    /// Turns drafts into events (trace keys, notifications), checks them against the definition and appends.
    func append(
        _ drafts: [Draft],
        to current: ProcessInstance,
        actor: Actor?,
        now: Date,
        trigger: TransitionTrigger,
        causation: String? = nil
    ) async throws(WorkflowError) -> AppendResult {
        var next = current
        var proposed: [ProposedEvent] = []
        for (offset, draft) in drafts.enumerated() {
            guard
                let transition = TransitionIndex.shared.transition(
                    current.process,
                    event: draft.event,
                    from: next.state
                ),
                transition.trigger == trigger
            else {
                throw WorkflowError(
                    code: .invalidState,
                    message: "\(draft.event) does not leave \(next.state) on \(trigger)",
                    stream: current.stream
                )
            }
            var payload = next.facts.traceKeys
            payload.merge(draft.payload)
            payload.deadlines = draft.payload.deadlines
            payload.closedDeadlines = transition.closesDeadlines.isEmpty ? nil : transition.closesDeadlines
            // Folding the event into `next` merges the payload into its facts (notifications are not facts), so
            // the targets are read from the folded facts instead of a merged copy of them.
            next.apply(type: draft.event, payload: payload, version: current.version + Int64(offset) + 1)
            let due = payload.deadlines?.map(\.dueDay).min()
            let targets = notificationTargets(transition, facts: next.facts, stream: current.stream, due: due)
            payload.notify = targets.isEmpty ? nil : targets
            let id = draft.id ?? EventID("\(UUID().uuidString.lowercased())")
            let encoded: Data
            do {
                encoded = try payload.encodedJSON(with: encoder)
            } catch {
                throw WorkflowError(code: .invalidInput, message: "payload cannot be encoded: \(error)")
            }
            var metadata = EventMetadata(causationID: causation)
            if let decision = payload.decision, draft.payload.decision != nil {
                metadata.policyVersion = "\(decision.policyID)@\(decision.policyVersion)"
            }
            proposed.append(
                ProposedEvent(
                    id: id,
                    type: draft.event,
                    occurredAt: draft.occurredAt ?? now,
                    actor: actor,
                    payload: encoded,
                    metadata: metadata
                )
            )
        }
        let expected: ExpectedVersion = current.version == 0 ? .noStream : .exactly(current.version)
        do {
            let result = try await store.append(proposed, to: current.stream, expectedVersion: expected)
            if result.deduplicated {
                forget(current.stream)
                let refreshed = try await instance(current.stream)
                return .appended(result.events, refreshed, deduplicated: true)
            }
            remember(next)
            return .appended(result.events, next, deduplicated: false)
        } catch let error as EventStoreError where error.code == .versionConflict {
            return .conflict
        } catch let error as EventStoreError where error.code == .duplicateEventID {
            forget(current.stream)
            return .conflict
        } catch let error as EventStoreError {
            throw WorkflowError(code: .store, message: error.message, stream: current.stream, storeError: error)
        } catch {
            throw WorkflowError(code: .store, message: "\(error)", stream: current.stream)
        }
    }

    private func notificationTargets(
        _ transition: TransitionDefinition,
        facts: WorkflowPayload,
        stream: StreamID,
        due: CivilDate?
    ) -> [NotificationTarget] {
        var targets: [NotificationTarget] = []
        guard !transition.notifies.isEmpty else { return targets }
        // The subject is the same for every target; a target is a (party, role) pair listed once.
        var subject = "\(transition.event): \(stream)"
        if let due { subject += ", due \(due)" }
        for role in transition.notifies {
            let parties: [PartyID]
            switch role {
            case .operator: parties = [facts.operatorID ?? directory.party(for: role)]
            case .implementingAgency: parties = [facts.agencyID ?? directory.party(for: role)]
            case .industryDepartment: parties = facts.departmentIDs ?? [directory.party(for: role)]
            case .dataProvider: parties = [facts.objection?.provider ?? directory.party(for: role)]
            case .businessEntity: parties = [facts.applicant ?? directory.party(for: role)]
            default: parties = [directory.party(for: role)]
            }
            for party in parties where !targets.contains(where: { $0.party == party && $0.role == role }) {
                targets.append(
                    NotificationTarget(party: party, role: role, kind: transition.event, subject: subject, due: due)
                )
            }
        }
        return targets
    }

    // MARK: - Input validation (before anything is loaded)

    private func validate(_ command: WorkflowCommand) throws(WorkflowError) {
        var issues: [ValidationIssue] = []
        func text(_ value: String, _ path: String) {
            if value.allSatisfy(\.isWhitespace) { issues.append(ValidationIssue(path: path, message: "is empty")) }
        }
        func id<T>(_ value: Identifier<T>, _ path: String) {
            if value.isEmpty { issues.append(ValidationIssue(path: path, message: "the identifier is empty")) }
        }
        switch command {
        case .publishCatalogEntry(let entry):
            id(entry.id, "$.id")
            text(entry.name, "$.name")
            id(entry.owningDepartment, "$.owningDepartment")
        case .draftPlan(let plan), .amendPlan(let plan):
            id(plan.id, "$.id")
            id(plan.implementingAgency, "$.implementingAgency")
        case .submitPlan(let value), .approvePlan(let value), .publishPlan(let value): id(value, "$.plan")
        case .returnPlan(let value, let reason):
            id(value, "$.plan")
            text(reason, "$.reason")
        case .announceSelection(let announcement):
            id(announcement.id, "$.id")
            id(announcement.plan, "$.plan")
            text(announcement.criteria, "$.criteria")
        case .applyForSelection(let value, let application):
            id(value, "$.selection")
            id(application.candidate, "$.candidate")
            text(application.name, "$.name")
        case .selectOperator(let value, let candidate):
            id(value, "$.selection")
            id(candidate, "$.candidate")
        case .failSelection(let value, let reason):
            id(value, "$.selection")
            text(reason, "$.reason")
        case .closeApplications(let value), .reviewQualifications(let value): id(value, "$.selection")
        case .draftAgreement(let terms, let selection):
            issues += terms.validationIssues()
            id(selection, "$.selection")
            id(terms.plan, "$.plan")
            id(terms.implementingAgency, "$.implementingAgency")
        case .recordCollectiveDecision(let value, let minutes):
            id(value, "$.agreement")
            text(minutes, "$.minutes")
        case .fileAgreement(let value, let number):
            id(value, "$.agreement")
            text(number, "$.filingNumber")
        case .suspendAgreement(let value, let reason), .terminateAgreement(let value, let reason),
            .revokeAgreement(let value, let reason):
            id(value, "$.agreement")
            text(reason, "$.reason")
        case .signAgreement(let value), .activateAgreement(let value), .resumeAgreement(let value):
            id(value, "$.agreement")
        case .applyRegistration(let application):
            id(application.id, "$.id")
            text(application.description, "$.description")
            if application.catalogEntries.isEmpty && application.product == nil {
                issues.append(ValidationIssue(path: "$.catalogEntries", message: "names no entry and no product"))
            }
            if application.kind != .first && application.concerns == nil {
                issues.append(
                    ValidationIssue(path: "$.concerns", message: "a \(application.kind) names its registration")
                )
            }
        case .acceptRegistration(let value), .renewRegistration(let value): id(value, "$.registration")
        case .completeFormalReview(let value, _, let note):
            id(value, "$.registration")
            text(note, "$.note")
        case .issueRegistrationCode(let value, let code):
            id(value, "$.registration")
            text(code, "$.code")
        case .submitDataRequest(let request):
            id(request.id, "$.id")
            id(request.agreement, "$.agreement")
            text(request.scenario, "$.scenario")
            if request.items.isEmpty { issues.append(ValidationIssue(path: "$.items", message: "requests nothing")) }
            var seen: Set<CatalogEntryID> = []
            for (index, item) in request.items.enumerated() where !seen.insert(item.entry).inserted {
                issues.append(ValidationIssue(path: "$.items[\(index)]", message: "entry \(item.entry) twice"))
            }
        case .evaluateDataRequest(let value): id(value, "$.request")
        case .coReviewDataRequest(let value, _, let note), .provisionData(let value, let note):
            id(value, "$.request")
            text(note, "$.note")
        case .revokeGrant(let value, let reason):
            id(value, "$.request")
            text(reason, "$.reason")
        case .draftProduct(let product):
            id(product.id, "$.id")
            id(product.agreement, "$.agreement")
            text(product.name, "$.name")
            if product.sourceEntries.isEmpty {
                issues.append(ValidationIssue(path: "$.sourceEntries", message: "names no catalog entry"))
            }
        case .assessProductCompliance(let value), .fileProduct(let value), .registerProduct(let value, _):
            id(value, "$.product")
        case .publishProduct(let value, let plan):
            id(value, "$.product")
            issues += plan.validationIssues().map {
                ValidationIssue(path: "$.plan" + $0.path.dropFirst(), message: $0.message)
            }
            if plan.product != value {
                issues.append(ValidationIssue(path: "$.plan.product", message: "prices \(plan.product), not \(value)"))
            }
        case .setFeeCap(let value, let cap):
            id(value, "$.product")
            id(cap.setBy, "$.cap.setBy")
            text(cap.source, "$.cap.source")
            if cap.product != value {
                issues.append(ValidationIssue(path: "$.cap.product", message: "caps \(cap.product), not \(value)"))
            }
        case .withdrawProduct(let value, let reason):
            id(value, "$.product")
            text(reason, "$.reason")
        case .applyScenario(let scenario):
            id(scenario.id, "$.id")
            id(scenario.product, "$.product")
            text(scenario.description, "$.description")
        case .assessScenario(let value), .fileScenario(let value), .activateScenario(let value):
            id(value, "$.scenario")
        case .raiseObjection(let objection):
            id(objection.id, "$.id")
            id(objection.entry, "$.entry")
            id(objection.provider, "$.provider")
            text(objection.description, "$.description")
        case .acceptObjection(let value), .startVerification(let value), .closeObjection(let value):
            id(value, "$.objection")
        case .feedBackObjection(let value, let note), .correctObjection(let value, let note),
            .rejectObjection(let value, let note):
            id(value, "$.objection")
            text(note, "$.note")
        case .openEvaluation(let value, let period):
            id(value, "$.agreement")
            id(period, "$.period")
        case .submitOperatorReport(let value, let report):
            id(value, "$.agreement")
            text(report, "$.report")
        case .rateOperator(let value, _), .settleAccounts(let value): id(value, "$.agreement")
        case .recordUsage(let value, let usage):
            id(value, "$.agreement")
            id(usage.product, "$.product")
            id(usage.subscription, "$.subscription")
            id(usage.consumer, "$.consumer")
            text(usage.idempotencyKey, "$.idempotencyKey")
            if usage.quantity <= 0 { issues.append(ValidationIssue(path: "$.quantity", message: "is not positive")) }
        case .closeSettlementPeriod(let value, _):
            id(value, "$.agreement")
        case .distributeRevenue(let value, let shares):
            id(value, "$.agreement")
            if shares.isEmpty { issues.append(ValidationIssue(path: "$.shares", message: "no shares")) }
            for (index, share) in shares.enumerated() where share.weight < 0 {
                issues.append(ValidationIssue(path: "$.shares[\(index)].weight", message: "is negative"))
            }
            if !shares.isEmpty && shares.allSatisfy({ $0.weight == 0 }) {
                issues.append(ValidationIssue(path: "$.shares", message: "every weight is zero"))
            }
            if Set(shares.map(\.party)).count != shares.count {
                issues.append(ValidationIssue(path: "$.shares", message: "a party is listed twice"))
            }
        case .offerFeedback(let offer):
            id(offer.id, "$.id")
            id(offer.agreement, "$.agreement")
            id(offer.entry.id, "$.entry.id")
            text(offer.entry.name, "$.entry.name")
            text(offer.description, "$.description")
        case .startFeedbackReview(let value), .acceptFeedback(let value): id(value, "$.feedback")
        case .rejectFeedback(let value, let reason):
            id(value, "$.feedback")
            text(reason, "$.reason")
        }
        guard issues.isEmpty else {
            throw WorkflowError(
                code: .invalidInput,
                message: "\(command.name.rawValue) has \(issues.count) problem(s)",
                command: command.name,
                stream: command.stream,
                issues: issues
            )
        }
    }
}

/// An event the decider wants recorded.
struct Draft: Sendable {
    var event: String
    var payload: WorkflowPayload
    var id: EventID?
    var occurredAt: Date?

    init(_ event: String, _ payload: WorkflowPayload = WorkflowPayload(), id: EventID? = nil, occurredAt: Date? = nil) {
        self.event = event
        self.payload = payload
        self.id = id
        self.occurredAt = occurredAt
    }
}

/// Lets commands on the same stream take turns inside one engine (first come, first served).
///
/// The uncontended path takes a lock and returns without suspending.
final class StreamGate: Sendable {
    private struct State {
        var busy: Set<StreamID> = []
        var waiting: [StreamID: [CheckedContinuation<Void, Never>]] = [:]
    }

    private let state = LockedBox(State())

    func enter(_ stream: StreamID) async {
        let entered = state.withLock { $0.busy.insert(stream).inserted }
        if entered { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.busy.insert(stream).inserted { return true }
                state.waiting[stream, default: []].append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func leave(_ stream: StreamID) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard var queue = state.waiting[stream], !queue.isEmpty else {
                state.busy.remove(stream)
                return nil
            }
            let next = queue.removeFirst()
            state.waiting[stream] = queue.isEmpty ? nil : queue
            return next
        }
        next?.resume()
    }
}
