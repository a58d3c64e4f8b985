import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataPolicy
import PublicDataWorkflow

/// Everything a host hands to a ``PublicDataApplication``: its store, sink, clock, calendar, policy and hasher.
///
/// Nothing is global: two applications in one process with two configurations never share state.
public struct PublicDataConfiguration: Sendable {
    /// The event store (the system of record).
    public var store: any EventStore
    /// Where notifications go.
    public var sink: any NotificationSink
    /// The clock (the library never reads the system time itself).
    public var clock: any WallClock
    /// The working-day calendar for deadlines.
    public var calendar: any WorkingDayCalendar
    /// The policy that decides requests, releases, scenarios and eligibility.
    public var policy: Policy
    /// The audit ledger's hash (SHA-256, or SM3 for 国密 deployments).
    public var hasher: any LedgerHasher
    /// The audit ledger's name (its checkpoint origin starts with it).
    public var ledgerName: String
    /// The parties holding the city-wide roles, for notifications.
    public var authorities: AuthorityDirectory
    /// How the notification outbox retries a failing sink.
    public var retry: RetryPolicy
    /// Receives structured events from the engine, the outbox and the ledger (none by default).
    public var observer: any PublicDataObserver

    /// Creates a configuration.
    /// - Parameters:
    ///   - store: The event store.
    ///   - sink: The notification sink (default: drop every notification).
    ///   - clock: The clock (default: the system clock).
    ///   - calendar: The working-day calendar (default: weekends off, China Standard Time).
    ///   - policy: The policy (default: the Beijing default).
    ///   - hasher: The ledger hash (default: SHA-256).
    ///   - ledgerName: The ledger's name.
    ///   - authorities: The parties holding the authority roles.
    ///   - retry: The outbox retry policy.
    ///   - observer: Receives structured events (`ObservedEvent`) from the engine, outbox and ledger.
    public init(
        store: any EventStore,
        sink: any NotificationSink = NoOpNotificationSink(),
        clock: any WallClock = SystemWallClock(),
        calendar: any WorkingDayCalendar = StandardWorkingDayCalendar(),
        policy: Policy = .beijingDefault,
        hasher: any LedgerHasher = SHA256Hasher(),
        ledgerName: String = "publicdata.local/audit",
        authorities: AuthorityDirectory = AuthorityDirectory(),
        retry: RetryPolicy = RetryPolicy(),
        observer: any PublicDataObserver = NoOpObserver()
    ) {
        self.observer = observer
        self.store = store
        self.sink = sink
        self.clock = clock
        self.calendar = calendar
        self.policy = policy
        self.hasher = hasher
        self.ledgerName = ledgerName
        self.authorities = authorities
        self.retry = retry
    }
}

/// What one ``PublicDataApplication/tick()`` did.
public struct TickReport: Sendable {
    /// The deadlines fired.
    public var firedDeadlines: [FiredDeadline]
    /// The notification dispatch.
    public var notifications: DispatchReport
    /// Events newly added to the audit ledger.
    public var ledgeredEvents: Int
    /// The policy monitor's re-judgements this round caught up with (changes a crashed instance left unjudged;
    /// `WorkflowEngine.resumeMonitor()`).
    public var monitorReassessments: [MonitorTrigger] = []
}

/// The one entry point a host creates: the workflow engine, the notification outbox and the audit ledger over
/// one store, with the host's clock, calendar, policy and hasher.
///
/// In the style of a Hummingbird application, the host builds it from explicit parts and drives it; there is
/// no global state and no background task the host did not start.
///
/// ```swift
/// let app = PublicDataApplication(
///     configuration: PublicDataConfiguration(store: try SQLiteEventStore(path: "records.sqlite"), sink: mailer)
/// )
/// let clerk = Principal(party: "agency-finance", role: .implementingAgency, person: "wang.li")
/// try await app.execute(.plan(.draftPlan(plan: plan)), by: clerk)
/// try await app.tick()   // fire due deadlines, deliver notifications, extend the audit ledger
/// ```
public final class PublicDataApplication: Sendable {
    /// The configuration the application was created with.
    public let configuration: PublicDataConfiguration
    /// The workflow engine.
    public let engine: WorkflowEngine
    /// The notification outbox.
    public let notifications: NotificationDispatcher
    private let ledgerBox: LedgerBox

    /// Creates an application.
    /// - Parameter configuration: The store, sink, clock, calendar, policy and hasher.
    public init(configuration: PublicDataConfiguration) {
        self.configuration = configuration
        self.engine = WorkflowEngine(
            store: configuration.store,
            clock: configuration.clock,
            calendar: configuration.calendar,
            policy: configuration.policy,
            directory: configuration.authorities,
            observer: configuration.observer
        )
        self.notifications = NotificationDispatcher(
            store: configuration.store,
            sink: configuration.sink,
            retry: configuration.retry,
            observer: configuration.observer
        )
        self.ledgerBox = LedgerBox(configuration: configuration)
    }

    /// Creates an application from its parts.
    /// - Parameters:
    ///   - store: The event store.
    ///   - sink: The notification sink.
    ///   - clock: The clock.
    ///   - calendar: The working-day calendar.
    ///   - policy: The policy.
    ///   - hasher: The audit ledger's hash.
    ///   - authorities: The parties holding the authority roles.
    public convenience init(
        store: any EventStore,
        sink: any NotificationSink,
        clock: any WallClock,
        calendar: any WorkingDayCalendar,
        policy: Policy = .beijingDefault,
        hasher: any LedgerHasher = SHA256Hasher(),
        authorities: AuthorityDirectory = AuthorityDirectory()
    ) {
        self.init(
            configuration: PublicDataConfiguration(
                store: store,
                sink: sink,
                clock: clock,
                calendar: calendar,
                policy: policy,
                hasher: hasher,
                authorities: authorities
            )
        )
    }

    /// The event store.
    public var store: any EventStore { configuration.store }

    /// Decides and records a command (see `WorkflowEngine.execute(_:by:idempotencyKey:)`).
    /// - Parameters:
    ///   - command: The command.
    ///   - actor: Who issues it.
    ///   - idempotencyKey: The caller's id for this command (an HTTP `Idempotency-Key`, a message id): a retry
    ///     with the same key by the same actor is recorded once and returns the first outcome.
    /// - Returns: The recorded events, the new state and the policy decision, if any.
    /// - Throws: `WorkflowError`. A refusal (every code but `contention`, `corruptEvent` and `store`) records
    ///   nothing. Those three may also come from the command's follow-up effects (the exit procedure,
    ///   re-judgements, suspensions) after the command itself was recorded: retry with the same
    ///   `idempotencyKey`, which returns the first outcome and runs the follow-up again.
    @discardableResult
    public func execute(
        _ command: WorkflowCommand,
        by actor: Principal,
        idempotencyKey: String? = nil
    ) async throws(WorkflowError) -> CommandOutcome {
        try await engine.execute(command, by: actor, idempotencyKey: idempotencyKey)
    }

    /// The state of one process instance, e.g. `try await app.instance(AgreementProcess.self, "agr-1")`.
    /// - Parameters:
    ///   - process: The process type.
    ///   - id: The instance id (the stream id without the process's prefix).
    /// - Returns: The instance folded from its events: typed state, facts, trace keys and open deadlines.
    /// - Throws: `WorkflowError` (`store`, or `corruptEvent` for an unreadable event).
    public func instance<P: WorkflowProcess>(
        _ process: P.Type,
        _ id: String
    ) async throws(WorkflowError) -> ProcessInstance<P> {
        try await engine.instance(P.self, id)
    }

    /// Fires the deadlines due at the clock's current time.
    /// - Throws: `WorkflowError`.
    @discardableResult
    public func advanceDeadlines() async throws(WorkflowError) -> [FiredDeadline] {
        try await engine.advance()
    }

    /// Delivers the notifications recorded since the outbox cursor.
    /// - Throws: `WorkflowError` (`delivery` when the sink keeps failing, `store`).
    @discardableResult
    public func dispatchNotifications() async throws(WorkflowError) -> DispatchReport {
        try await notifications.dispatchPending()
    }

    /// The read-side projections, caught up with the store.
    /// - Throws: `WorkflowError`.
    public func projections() async throws(WorkflowError) -> WorkflowProjection {
        try await engine.projections()
    }

    /// The audit ledger over the store, opened on first use with the configured hasher.
    /// - Throws: `AuditError`.
    public func ledger() async throws -> Ledger {
        try await ledgerBox.ledger()
    }

    /// A traceability index over the whole log (溯源: products → entries, agreements, plans, decisions).
    /// - Throws: The store's error.
    public func traceIndex() async throws -> TraceIndex {
        try await TraceIndex.build(from: configuration.store)
    }

    /// One round of background work: fire due deadlines, catch the policy monitor up with the log (what a crashed
    /// instance left unjudged), deliver notifications, extend the audit ledger.
    ///
    /// A host calls it on a timer (or after every command in a small deployment). Each part is safe to run
    /// from several processes on one store.
    /// - Returns: What was done.
    /// - Throws: `WorkflowError` or `AuditError`.
    @discardableResult
    public func tick() async throws -> TickReport {
        let fired = try await engine.advance()
        let reassessed = try await engine.resumeMonitor()
        let dispatched = try await notifications.dispatchPending()
        let ledger = try await ledger()
        let ledgered: Int
        do {
            ledgered = try await ledger.catchUp()
        } catch {
            if error.code == .storeFailure {
                configuration.observer.observe(
                    .storeError(operation: "ledger", code: "\(error.code)", sqlState: nil, message: error.message)
                )
            } else {
                configuration.observer.observe(.ledgerIntegrityProblem(message: "\(error)"))
            }
            throw error
        }
        if ledgered > 0 {
            configuration.observer.observe(.ledgerExtended(appended: ledgered, size: Int64(await ledger.size)))
        }
        return TickReport(
            firedDeadlines: fired,
            notifications: dispatched,
            ledgeredEvents: ledgered,
            monitorReassessments: reassessed
        )
    }
}

/// Opens the ledger once, however many callers ask at the same time.
private actor LedgerBox {
    private let configuration: PublicDataConfiguration
    private var opening: Task<Ledger, any Error>?

    init(configuration: PublicDataConfiguration) {
        self.configuration = configuration
    }

    func ledger() async throws -> Ledger {
        if let opening { return try await opening.value }
        let configuration = self.configuration
        let task = Task<Ledger, any Error> {
            try await Ledger.open(
                store: configuration.store,
                configuration: LedgerConfiguration(name: configuration.ledgerName, hasher: configuration.hasher),
                clock: configuration.clock
            )
        }
        opening = task
        do {
            return try await task.value
        } catch {
            opening = nil
            throw error
        }
    }
}
