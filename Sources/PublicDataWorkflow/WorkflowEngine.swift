import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataPolicy

/// The result of a command that was decided and recorded.
public struct CommandOutcome: Sendable, Hashable, Codable {
    /// The command.
    public var command: CommandName
    /// The stream it changed.
    public var stream: StreamID
    /// The events recorded (as stored).
    public var events: [RecordedEvent]
    /// The instance's state afterwards (the state's name).
    public var state: String
    /// The policy decision behind the command, when the policy was asked.
    public var decision: Decision?
    /// Whether the command was recorded as a refusal (a policy denial or a co-review rejection).
    public var isRefusal: Bool
    /// `true` when the same command had been recorded before (a retried or raced command, or a retried usage
    /// record) and nothing was written; ``events`` are the events recorded the first time.
    public var deduplicated: Bool

    /// The articles behind the outcome: those the policy's reasons cite when the policy decided, otherwise the
    /// articles of the command itself (``CommandSpec/articles``). A recorded refusal without a decision (an
    /// industry department's co-review rejection) thus still says which articles it rests on. Derived, so it
    /// is not part of the outcome's JSON.
    public var articles: [String] {
        let cited = decision?.reasons.citedArticles ?? []
        return cited.isEmpty ? command.spec.articles : cited
    }

    /// Creates an outcome.
    public init(
        command: CommandName,
        stream: StreamID,
        events: [RecordedEvent],
        state: String,
        decision: Decision?,
        isRefusal: Bool,
        deduplicated: Bool
    ) {
        self.command = command
        self.stream = stream
        self.events = events
        self.state = state
        self.decision = decision
        self.isRefusal = isRefusal
        self.deduplicated = deduplicated
    }
}

/// A deadline the scheduler fired.
public struct FiredDeadline: Sendable, Hashable {
    /// The deadline.
    public var deadline: ScheduledDeadline
    /// The event recorded when it fired.
    public var event: RecordedEvent
}

/// The workflow engine: runs every process (``WorkflowProcess``) the same way and records the resulting events
/// with optimistic concurrency.
///
/// ## How a command is decided
/// 1. The actor's role must be one the command's ``CommandSpec`` allows; otherwise ``WorkflowError`` with code
///    `roleNotPermitted` and the articles that assign the act to those roles.
/// 2. The input is validated; every problem is listed with its JSON path.
/// 3. The target stream's instance is folded from its events; the command must leave its current state
///    (otherwise `invalidState`, citing the articles of the step that must come first).
/// 4. The process's `decide` checks parties, asks the policy where the regulation requires a decision, and
///    returns the events.
/// 5. The events are appended with the stream's version as the expected version and ids derived from the
///    command (its content, actor, stream and version, or the caller's idempotency key), so a raced or retried
///    command is recorded once and the second caller gets the first outcome. On a version conflict the
///    engine reloads the stream and decides again — it never retries the old decision.
///
/// ## Refusals
/// Bad input, a wrong role, a wrong party or a wrong state throw ``WorkflowError`` and append **nothing**.
/// A well-formed data request, product release, price publication or downstream scenario that the policy denies
/// **is recorded** with the full decision, because Art. 14 requires every authorization decision to be
/// traceable.
///
/// ```swift
/// let engine = WorkflowEngine(store: store, clock: clock, calendar: calendar, policy: .beijingDefault)
/// let outcome = try await engine.execute(.dataRequest(.evaluateDataRequest(request: "req-1")), by: agencyClerk)
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
    /// Receives what the engine does: commands recorded and refused, conflict retries, deadlines, store errors.
    public let observer: any PublicDataObserver

    let memo: InstanceMemo
    let index: ProjectionRunner
    let gate = StreamGate()
    let today: DayCache
    let maximumAttempts = 64

    /// Creates an engine.
    /// - Parameters:
    ///   - store: The event store (shared with other engine instances if you like).
    ///   - clock: The clock.
    ///   - calendar: The working-day calendar. Which day a command falls on is told in the time zone the
    ///     calendar has now (the engine keeps it).
    ///   - policy: The policy (e.g. `Policy.beijingDefault`).
    ///   - directory: The parties holding the authority roles.
    ///   - cacheLimit: How many stream states the engine memoizes before it starts afresh.
    ///   - observer: Receives structured events (`ObservedEvent`); none by default.
    public init(
        store: any EventStore,
        clock: any WallClock,
        calendar: any WorkingDayCalendar,
        policy: Policy,
        directory: AuthorityDirectory = AuthorityDirectory(),
        cacheLimit: Int = 100_000,
        observer: any PublicDataObserver = NoOpObserver()
    ) {
        self.observer = observer
        self.store = store
        self.clock = clock
        self.calendar = calendar
        self.today = DayCache(calendar)
        self.policy = policy
        self.directory = directory
        self.memo = InstanceMemo(limit: cacheLimit)
        self.index = ProjectionRunner(store: store)
    }

    // MARK: - Reading state

    /// The current state of an instance of `process`, folded from its events.
    /// - Throws: ``WorkflowError`` (code `store`, or `corruptEvent` for an unreadable event).
    public func instance<P: WorkflowProcess>(
        _ process: P.Type,
        _ id: String
    ) async throws(WorkflowError) -> ProcessInstance<P> {
        try await instance(P.self, stream: P.kind.stream(id))
    }

    func instance<P: WorkflowProcess>(
        _ process: P.Type,
        stream: StreamID
    ) async throws(WorkflowError) -> ProcessInstance<P> {
        var instance = memo.instance(P.self, stream) ?? ProcessInstance<P>(stream: stream)
        let known = instance.version
        var decoder: JSONDecoder?
        while true {
            let page = try await storeCall(stream) {
                try await store.readStream(stream, fromVersion: instance.version + 1, limit: 1000)
            }
            for event in page {
                let reader = decoder ?? PublicDataJSON.makeDecoder()
                decoder = reader
                instance.apply(try EventEnvelope<P>(decoding: event, with: reader), version: event.streamVersion)
            }
            if page.count < 1000 { break }
        }
        if instance.version != known { remember(instance) }
        return instance
    }

    /// The state's name of any workflow stream (`"[*]"` when it has no event).
    /// - Throws: ``WorkflowError``.
    public func stateName(of stream: StreamID) async throws(WorkflowError) -> String {
        guard let kind = ProcessKind.of(stream) else {
            throw WorkflowError(code: .invalidInput, message: "\(stream) is not a workflow stream", stream: stream)
        }
        return try await Processes.type(of: kind).stateName(of: stream, in: self)
    }

    /// The read-side projections, caught up with the store.
    /// - Throws: ``WorkflowError`` (code `store`).
    public func projections() async throws(WorkflowError) -> WorkflowProjection {
        try await index.catchUp()
    }

    func remember<P: WorkflowProcess>(_ instance: ProcessInstance<P>) {
        memo.remember(instance)
    }

    func forget<P: WorkflowProcess>(_ process: P.Type, _ stream: StreamID) {
        memo.forget(P.self, stream)
    }

    func storeCall<T>(
        _ stream: StreamID?,
        _ body: () async throws -> T
    ) async throws(WorkflowError) -> T {
        do {
            return try await body()
        } catch let error as EventStoreError {
            observer.observe(
                .storeError(
                    operation: "read",
                    code: "\(error.code)",
                    sqlState: error.backendCode,
                    message: error.message
                )
            )
            throw WorkflowError(code: .store, message: error.message, stream: stream, storeError: error)
        } catch {
            observer.observe(.storeError(operation: "read", code: "backend", sqlState: nil, message: "\(error)"))
            throw WorkflowError(code: .store, message: "\(error)", stream: stream)
        }
    }

    // MARK: - Commands

    /// Decides and records a command.
    ///
    /// - Parameters:
    ///   - command: The command.
    ///   - actor: Who issues it, in which role.
    ///   - idempotencyKey: The caller's id for this command (e.g. a request id): a command retried with the same
    ///     key by the same actor is recorded once, whenever the retry comes. Without it, the key is derived from
    ///     the command's content, the actor and the stream's version, so a command raced by two instances is
    ///     recorded once.
    /// - Returns: The recorded events, the new state and the policy decision, if any.
    /// - Throws: ``WorkflowError``: `roleNotPermitted`, `invalidInput`, `notParty`, `invalidState`, `notFound`,
    ///   `policyDenied`, `pricing` (nothing recorded), `contention`, `corruptEvent` or `store`. The last three may
    ///   also come from the command's follow-up effects (the exit procedure, re-judgements, suspensions) after the
    ///   command was recorded; a retry with the same `idempotencyKey` returns the first outcome and runs the
    ///   follow-up again.
    @discardableResult
    public func execute(
        _ command: WorkflowCommand,
        by actor: Principal,
        idempotencyKey: String? = nil
    ) async throws(WorkflowError) -> CommandOutcome {
        let name = command.name
        do {
            let outcome = try await command.run(on: self, by: actor, idempotencyKey: idempotencyKey)
            observer.observe(
                .commandRecorded(
                    command: name.rawValue,
                    stream: outcome.stream,
                    events: outcome.events.count,
                    deduplicated: outcome.deduplicated,
                    refusal: outcome.isRefusal
                )
            )
            try await followUp(command, outcome: outcome, actor: actor)
            return outcome
        } catch {
            observer.observe(
                .commandRefused(
                    command: name.rawValue,
                    stream: error.stream ?? command.stream,
                    code: error.code.description,
                    articles: error.articles,
                    message: error.message
                )
            )
            throw error
        }
    }

    func run<P: WorkflowProcess>(
        _ process: P.Type,
        _ command: P.Command,
        as name: CommandName,
        by actor: Principal,
        idempotencyKey: String?
    ) async throws(WorkflowError) -> CommandOutcome {
        let compiled = CompiledProcess<P>.shared
        let spec = compiled.spec(command.name)
        let stream = P.kind.stream(command.instanceID)
        guard spec.roles.contains(actor.role) else {
            throw WorkflowError(
                code: .roleNotPermitted,
                message: "role \(actor.role.rawValue) may not \(command.name.rawValue); "
                    + "\(spec.articles.joined(separator: ", ")) assigns it to "
                    + Role.allCases.filter { spec.roles.contains($0) }.map(\.rawValue).joined(separator: ", "),
                articles: spec.articles,
                command: name,
                stream: stream
            )
        }
        var check = InputCheck()
        command.validate(&check)
        guard check.issues.isEmpty else {
            throw WorkflowError(
                code: .invalidInput,
                message: "\(command.name.rawValue) has \(check.issues.count) problem(s)",
                articles: spec.articles,
                command: name,
                stream: stream,
                issues: check.issues
            )
        }
        // Within one engine, commands on the same stream take turns; across engines (and processes) the
        // expected-version append is the fence.
        await gate.enter(stream)
        defer { gate.leave(stream) }
        let allowed = compiled.allowed[command.name] ?? []
        var cached = memo.instance(P.self, stream)
        for attempt in 0..<maximumAttempts {
            let current: ProcessInstance<P>
            if let memo = cached { current = memo } else { current = try await instance(P.self, stream: stream) }
            let fromMemo = cached != nil
            cached = nil
            guard allowed.contains(current.state) else {
                if fromMemo { continue }
                if let earlier = try await earlierOutcome(P.self, command, name, actor, stream, idempotencyKey) {
                    return earlier
                }
                throw wrongState(P.self, current, command: command.name, as: name)
            }
            let now = clock.now()
            let context = DecisionContext(
                engine: self,
                actor: actor,
                now: now,
                today: today.day(of: now),
                command: name,
                stream: stream
            )
            let drafts: [Draft<P>]
            do {
                drafts = try await P.decide(command, current, context)
            } catch  where fromMemo {
                continue
            } catch {
                // A command retried with the caller's key after it was recorded is answered with its first
                // outcome, even though the state has moved on and deciding it again would refuse it.
                if let earlier = try await earlierOutcome(P.self, command, name, actor, stream, idempotencyKey) {
                    return earlier
                }
                throw error
            }
            let decision = drafts.lazy.compactMap { $0.event.decision }.first
            let isRefusal = drafts.contains { $0.event.isRefusal }
            // Taken, not copied: setting an id below would otherwise copy every draft.
            var keyed = consume drafts
            // Drafts that name their own ids (a usage record's `usage:<agreement>:<key>`) need no command key.
            if keyed.contains(where: { $0.id == nil }) {
                let key = try commandKey(
                    command,
                    actor: actor,
                    stream: stream,
                    version: current.version,
                    idempotencyKey
                )
                for offset in keyed.indices where keyed[offset].id == nil {
                    keyed[offset].id = EventID(offset == 0 ? key : "\(key)#\(offset)")
                }
            }
            let result = try await append(
                keyed,
                to: consume current,
                actor: actor,
                now: now,
                trigger: .command(command.name)
            )
            switch result {
            case .conflict:
                observer.observe(.conflictRetry(command: name.rawValue, stream: stream, attempt: attempt + 1))
                await Task.yield()
                continue
            case .appended(let events, let instance, let deduplicated):
                return CommandOutcome(
                    command: name,
                    stream: stream,
                    events: events,
                    state: instance.stateName,
                    decision: decision,
                    isRefusal: isRefusal,
                    deduplicated: deduplicated
                )
            case .duplicate:
                if let earlier = try await earlierOutcome(P.self, command, name, actor, stream, idempotencyKey) {
                    return earlier
                }
                continue
            }
        }
        throw WorkflowError(
            code: .contention,
            message: "\(stream) changed \(maximumAttempts) times while deciding",
            command: name,
            stream: stream
        )
    }

    /// The refusal for a command that cannot leave the instance's state: it cites the articles of the steps
    /// that lead to a state the command may leave.
    private func wrongState<P: WorkflowProcess>(
        _ process: P.Type,
        _ current: ProcessInstance<P>,
        command: P.Command.Name,
        as name: CommandName
    ) -> WorkflowError {
        let allowed = ProcessDescription.allowedStates(P.self, for: command)
        let before = ProcessDescription.commandsLeading(P.self, into: allowed)
        var articles: [String] = []
        for step in before {
            for article in step.spec.articles where !articles.contains(article) { articles.append(article) }
        }
        if articles.isEmpty { articles = command.spec.articles }
        let expected = allowed.map { $0?.rawValue ?? "(new)" }.joined(separator: " or ")
        let first = before.map(\.rawValue).joined(separator: " or ")
        return WorkflowError(
            code: .invalidState,
            message: current.exists
                ? "\(current.stream) is \(current.stateName); \(command.rawValue) needs \(expected)"
                    + (first.isEmpty ? "" : " (after \(first))")
                : (allowed.contains(nil)
                    ? "\(current.stream) exists already"
                    : "\(current.stream) does not exist" + (first.isEmpty ? "" : "; \(first) comes first")),
            articles: articles,
            command: name,
            stream: current.stream
        )
    }

    /// A deterministic id for the command's first event: from the caller's key, or from the command's content
    /// (its `CommandIdentity` bytes), the actor, the stream and its version.
    private func commandKey<C: ProcessCommand>(
        _ command: C,
        actor: Principal,
        stream: StreamID,
        version: Int64,
        _ idempotencyKey: String?
    ) throws(WorkflowError) -> String {
        var material: [UInt8] = []
        material.reserveCapacity(256)
        for part in [stream.rawValue, actor.party.rawValue, actor.role.rawValue] {
            material.append(contentsOf: part.utf8)
            material.append(UInt8(ascii: "\n"))
        }
        if let idempotencyKey {
            material.append(contentsOf: "key\n".utf8)
            material.append(contentsOf: idempotencyKey.utf8)
        } else {
            material.append(UInt8(ascii: "v"))
            material.append(contentsOf: String(version).utf8)
            material.append(UInt8(ascii: "\n"))
            do {
                try CommandIdentity.append(command, to: &material)
            } catch {
                throw WorkflowError(code: .invalidInput, message: "the command cannot be encoded: \(error)")
            }
        }
        let digest = SHA256Hasher().digest(material)
        return "cmd-" + LedgerHash(bytes: Array(digest.bytes.prefix(16))).hex
    }

    /// The outcome of the same command recorded earlier under the caller's idempotency key, if any.
    private func earlierOutcome<P: WorkflowProcess>(
        _ process: P.Type,
        _ command: P.Command,
        _ name: CommandName,
        _ actor: Principal,
        _ stream: StreamID,
        _ idempotencyKey: String?
    ) async throws(WorkflowError) -> CommandOutcome? {
        guard idempotencyKey != nil else { return nil }
        let key = try commandKey(command, actor: actor, stream: stream, version: 0, idempotencyKey)
        guard let previous = try await recorded(key, in: P.self, stream: stream), !previous.isEmpty else { return nil }
        var events: [P.Event] = []
        for event in previous { events.append(try EventEnvelope<P>(decoding: event).event) }
        return CommandOutcome(
            command: name,
            stream: stream,
            events: previous,
            state: try await instance(P.self, stream: stream).stateName,
            decision: events.lazy.compactMap { $0.decision }.first,
            isRefusal: events.contains { $0.isRefusal },
            deduplicated: true
        )
    }

    private func recorded<P: WorkflowProcess>(
        _ key: String,
        in process: P.Type,
        stream: StreamID
    ) async throws(WorkflowError) -> [RecordedEvent]? {
        var version: Int64 = 1
        while true {
            let page = try await storeCall(stream) {
                try await store.readStream(stream, fromVersion: version, limit: 1000)
            }
            if let first = page.firstIndex(where: { $0.id.rawValue == key }) {
                return page[first...].prefix { $0.id.rawValue == key || $0.id.rawValue.hasPrefix(key + "#") }
                    .map { $0 }
            }
            if page.count < 1000 { return nil }
            version += Int64(page.count)
        }
    }

    enum AppendResult<P: WorkflowProcess> {
        case conflict
        case duplicate
        case appended([RecordedEvent], ProcessInstance<P>, deduplicated: Bool)
    }

    /// Turns drafts into events (trace keys, notifications), checks them against the process's specs and appends.
    func append<P: WorkflowProcess>(
        _ drafts: [Draft<P>],
        to current: consuming ProcessInstance<P>,
        actor: Principal?,
        now: Date,
        trigger: EventTrigger<P>,
        causation: String? = nil
    ) async throws(WorkflowError) -> AppendResult<P> {
        let stream = current.stream
        let version = current.version
        // Drop the engine's memo of this stream first: while the memo shares the state's storage, the first
        // mutation below would copy every dictionary of the state (a settlement stream's usage records), which
        // makes each command cost as much as the stream is long.
        forget(P.self, stream)
        var next = consume current
        var proposed: [ProposedEvent] = []
        proposed.reserveCapacity(drafts.count)
        let compiled = CompiledProcess<P>.shared
        for (offset, draft) in drafts.enumerated() {
            let spec = compiled.spec(draft.event.kind)
            guard spec.trigger == trigger, spec.from.contains(next.state) else {
                throw WorkflowError(
                    code: .invalidState,
                    message: "\(draft.event.kind.rawValue) does not leave \(next.stateName) on this trigger",
                    stream: stream
                )
            }
            for deadline in draft.deadlines where !spec.opens.contains(where: { $0.rawValue == deadline.key }) {
                throw WorkflowError(
                    code: .invalidState,
                    message: "\(draft.event.kind.rawValue) does not open the deadline \(deadline.key)",
                    stream: stream
                )
            }
            var envelope = EventEnvelope<P>(
                event: draft.event,
                trace: next.trace.merging(draft.trace),
                deadlines: draft.deadlines
            )
            next.apply(envelope, version: version + Int64(offset) + 1, spec: spec)
            envelope.notify = notificationTargets(spec, trace: next.trace, stream: stream, kind: draft)
            let encoded: Data
            do {
                encoded = try envelope.encodedPayload(closing: spec.closes)
            } catch {
                throw WorkflowError(code: .invalidInput, message: "payload cannot be encoded: \(error)")
            }
            var metadata = EventMetadata(causationID: causation)
            if let decision = draft.event.decision {
                metadata.policyVersion = "\(decision.policyID)@\(decision.policyVersion)"
            }
            proposed.append(
                ProposedEvent(
                    id: draft.id ?? EventID("\(UUID().uuidString.lowercased())"),
                    type: draft.event.kind.rawValue,
                    occurredAt: draft.occurredAt ?? now,
                    actor: actor,
                    payload: encoded,
                    metadata: metadata
                )
            )
        }
        let expected: ExpectedVersion = version == 0 ? .noStream : .exactly(version)
        do {
            let result = try await store.append(proposed, to: stream, expectedVersion: expected)
            if result.deduplicated {
                forget(P.self, stream)
                let refreshed = try await instance(P.self, stream: stream)
                return .appended(result.events, refreshed, deduplicated: true)
            }
            remember(next)
            return .appended(result.events, next, deduplicated: false)
        } catch let error as EventStoreError where error.code == .versionConflict {
            forget(P.self, stream)
            return .conflict
        } catch let error as EventStoreError where error.code == .duplicateEventID {
            forget(P.self, stream)
            return .duplicate
        } catch let error as EventStoreError {
            observer.observe(
                .storeError(
                    operation: "append",
                    code: "\(error.code)",
                    sqlState: error.backendCode,
                    message: error.message
                )
            )
            throw WorkflowError(code: .store, message: error.message, stream: stream, storeError: error)
        } catch let error as WorkflowError {
            throw error
        } catch {
            throw WorkflowError(code: .store, message: "\(error)", stream: stream)
        }
    }

    private func notificationTargets<P: WorkflowProcess>(
        _ spec: EventSpec<P>,
        trace: TraceKeys,
        stream: StreamID,
        kind draft: Draft<P>
    ) -> [NotificationTarget] {
        guard !spec.notifies.isEmpty else { return [] }
        let due = draft.deadlines.map { $0.dueDay }.min()
        var subject = "\(draft.event.kind.rawValue): \(stream)"
        if let due { subject += ", due \(due)" }
        var targets: [NotificationTarget] = []
        for role in spec.notifies {
            var parties: [PartyID]
            switch role {
            case .operator: parties = [trace.operatorID ?? directory.party(for: role)]
            case .implementingAgency: parties = [trace.agencyID ?? directory.party(for: role)]
            case .industryDepartment: parties = trace.departmentIDs ?? [directory.party(for: role)]
            case .dataProvider: parties = trace.providerIDs ?? [directory.party(for: role)]
            case .businessEntity: parties = [trace.applicantID ?? directory.party(for: role)]
            default: parties = [directory.party(for: role)]
            }
            if let named = draft.recipients[role] { parties = named }
            for party in parties where !targets.contains(where: { $0.party == party && $0.role == role }) {
                targets.append(
                    NotificationTarget(
                        party: party,
                        role: role,
                        kind: draft.event.kind.rawValue,
                        subject: subject,
                        due: due
                    )
                )
            }
        }
        return targets
    }
}

extension ProcessEvent {
    /// The policy decision the event records, if any.
    public var decision: Decision? {
        var found: Decision?
        if let carrier = self as? any DecisionCarrying { found = carrier.recordedDecision }
        return found
    }

    /// Whether the event records a refusal (a policy denial, or a refusal by a reviewer).
    public var isRefusal: Bool {
        if let carrier = self as? any DecisionCarrying { return carrier.refuses }
        return false
    }
}

/// An event enum that records policy decisions or refusals in some of its cases.
public protocol DecisionCarrying {
    /// The decision the event records, if any.
    var recordedDecision: Decision? { get }
    /// Whether the event is a refusal.
    var refuses: Bool { get }
}

extension DecisionCarrying {
    /// A denial is a refusal.
    public var refuses: Bool { recordedDecision.map { !$0.isPermit } ?? false }
}

// MARK: - The decision context

/// What a process's `decide` may read: the actor, the time, the policy, and other streams (read-only).
public struct DecisionContext: Sendable {
    let engine: WorkflowEngine
    /// Who issues the command.
    public let actor: Principal
    /// The instant of the decision (read once per command).
    public let now: Date
    /// The civil day of ``now`` in the calendar's time zone.
    public let today: CivilDate
    /// The command being decided.
    public let command: CommandName?
    /// The stream it targets.
    public let stream: StreamID

    /// The policy.
    public var policy: Policy { engine.policy }
    /// The policy's parameters.
    public var parameters: PolicyParameters { engine.policy.parameters }
    /// The working-day calendar.
    public var calendar: any WorkingDayCalendar { engine.calendar }

    /// A refusal of the current command.
    ///
    /// A refusal in the regulation's terms (every code but `contention`, `delivery`, `corruptEvent` and `store`)
    /// that names no article cites the command's own articles, so that no refusal of a command is silent.
    public func refuse(_ code: WorkflowError.Code, _ message: String, _ articles: [String] = []) -> WorkflowError {
        WorkflowError(
            code: code,
            message: message,
            articles: Self.citing(articles, code, command),
            command: command,
            stream: stream
        )
    }

    /// `articles`, or the articles of `command` when `articles` is empty and `code` is a regulatory refusal.
    static func citing(_ articles: [String], _ code: WorkflowError.Code, _ command: CommandName?) -> [String] {
        guard articles.isEmpty, let command else { return articles }
        switch code {
        case .contention, .delivery, .corruptEvent, .store: return articles
        default: return command.spec.articles
        }
    }

    /// A refusal by the policy, carrying the whole decision and the articles its reasons cite.
    public func policyDenied(
        _ decision: Decision,
        _ message: String,
        issues: [ValidationIssue] = []
    ) -> WorkflowError {
        WorkflowError(
            code: .policyDenied,
            message: message + ": " + decision.reasons.map(\.message).joined(separator: "; "),
            articles: Self.citing(decision.reasons.citedArticles, .policyDenied, command),
            command: command,
            stream: stream,
            issues: issues,
            decision: decision
        )
    }

    /// The actor must be `party` when acting in `role`; otherwise `notParty` citing `articles`.
    public func requireParty(_ party: PartyID?, when role: Role, _ articles: [String]) throws(WorkflowError) {
        guard actor.role == role else { return }
        guard let party, party == actor.party else {
            throw refuse(
                .notParty,
                "\(actor.party) acts as \(role.rawValue) but \(stream) belongs to \(party?.rawValue ?? "nobody")",
                articles
            )
        }
    }

    /// The instance `id` of `process` (it may have no events).
    public func instance<P: WorkflowProcess>(
        _ process: P.Type,
        _ id: String
    ) async throws(WorkflowError)
        -> ProcessInstance<P>
    {
        try await engine.instance(P.self, id)
    }

    /// The instance `id` of `process`; `notFound` when it has no events, citing the articles of the commands that
    /// create such an instance (``ProcessDescription/foundingArticles``).
    public func load<P: WorkflowProcess>(
        _ process: P.Type,
        _ id: String
    ) async throws(WorkflowError)
        -> ProcessInstance<P>
    {
        let found = try await engine.instance(P.self, id)
        guard found.exists else {
            // The articles of the step that creates such an instance: the one that must come first.
            throw refuse(
                .notFound,
                "\(found.stream) does not exist",
                Processes.description(of: P.kind).foundingArticles
            )
        }
        return found
    }

    /// The instance must be in one of `states`; otherwise `invalidState` citing `articles`.
    public func require<P: WorkflowProcess>(
        _ instance: ProcessInstance<P>,
        in states: Set<P.State>,
        _ articles: [String]
    ) throws(WorkflowError) {
        guard let state = instance.state, states.contains(state) else {
            let names = states.map(\.rawValue).sorted().joined(separator: " or ")
            throw refuse(.invalidState, "\(instance.stream) is \(instance.stateName), not \(names)", articles)
        }
    }

    /// Evaluates a policy request at ``now``.
    public func evaluate(_ request: PolicyRequest) -> Decision {
        engine.policy.evaluate(request, at: now)
    }

    /// A deadline of `instance` due on `dueDay` at `dueAt`.
    public func deadline<P: WorkflowProcess>(
        _ key: P.Deadline,
        _ instance: ProcessInstance<P>,
        dueDay: CivilDate,
        dueAt: Date
    ) -> ScheduledDeadline {
        ScheduledDeadline(
            key: key.rawValue,
            stream: instance.stream,
            dueAt: dueAt,
            dueDay: dueDay,
            openedAtVersion: instance.version + 1
        )
    }

    /// A deadline due at the end of `count` working days after today.
    public func workingDayDeadline<P: WorkflowProcess>(
        _ key: P.Deadline,
        _ instance: ProcessInstance<P>,
        count: Int
    ) -> ScheduledDeadline {
        let day = calendar.addingWorkingDays(count, to: today)
        return deadline(key, instance, dueDay: day, dueAt: calendar.endOfDay(day))
    }

    /// The agreement `id` with its terms and status; `notFound` when it does not exist.
    func agreement(
        _ id: AgreementID
    ) async throws(WorkflowError) -> (
        ProcessInstance<AgreementProcess>, AgreementContext
    ) {
        let instance = try await load(AgreementProcess.self, id.rawValue)
        guard let terms = instance.facts.terms else {
            let articles = Processes.description(of: .agreement).foundingArticles
            throw refuse(.notFound, "agreement \(id) has no terms", articles)
        }
        return (instance, AgreementContext(terms: terms, status: instance.agreementStatus))
    }

    /// The catalog entries `ids`; `notFound` for an entry that is not in the catalog.
    func entries(_ ids: [CatalogEntryID]) async throws(WorkflowError) -> [CatalogEntry] {
        var result: [CatalogEntry] = []
        for id in ids {
            guard let entry = try await instance(CatalogProcess.self, id.rawValue).facts.entry else {
                throw refuse(.notFound, "catalog entry \(id) is not in the catalog", ["Art. 8"])
            }
            result.append(entry)
        }
        return result
    }
}

extension Principal {
    /// The actor in whose name the scheduler and the exit procedure decide (deadlines and effects have no actor
    /// on their events).
    static let scheduler = Principal(party: "system", role: .dataAdministration, person: "scheduler")
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
            // Most of the time nobody waits for any stream: one hash, not two.
            guard !state.waiting.isEmpty, var queue = state.waiting[stream], !queue.isEmpty else {
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
