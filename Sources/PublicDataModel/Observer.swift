/// Something the library did that a host may want to log, count or alert on.
///
/// Each case carries structured fields, never only words, so a host can route it to its own logging and
/// metrics (swift-log, swift-metrics) without parsing text. See ``PublicDataObserver``.
public enum ObservedEvent: Sendable, Hashable {
    /// A command was decided and recorded (or found recorded before: `deduplicated`).
    case commandRecorded(command: String, stream: StreamID, events: Int, deduplicated: Bool, refusal: Bool)
    /// A command was refused or failed; nothing was recorded. `code` is the workflow error's code.
    case commandRefused(command: String, stream: StreamID?, code: String, articles: [String], message: String)
    /// An append met a version conflict; the command is decided again on fresh state.
    case conflictRetry(command: String, stream: StreamID, attempt: Int)
    /// A deadline fell due and its event was recorded.
    case deadlineFired(stream: StreamID, key: String, event: EventID)
    /// A notification reached its sink.
    case notificationDelivered(id: String, recipient: PartyID)
    /// A delivery attempt failed; `final` when no retry is left (the outbox cursor stays before it).
    case notificationFailed(id: String, recipient: PartyID, attempt: Int, final: Bool, message: String)
    /// The audit ledger appended events and now has `size` leaves.
    case ledgerExtended(appended: Int, size: Int64)
    /// The audit ledger found the store disagreeing with its tree.
    case ledgerIntegrityProblem(message: String)
    /// The event store failed. `sqlState` is the SQLSTATE when the backend reports one.
    case storeError(operation: String, code: String, sqlState: String?, message: String)
}

/// Receives structured ``ObservedEvent``s from the engine, the outbox, the ledger and the stores.
///
/// The library depends on no logging or metrics package; a host bridges this one protocol to its own:
///
/// ```swift
/// import Logging
/// import Metrics
///
/// struct LogBridge: PublicDataObserver {
///     let logger = Logger(label: "publicdata")
///     func observe(_ event: ObservedEvent) {
///         switch event {
///         case .commandRefused(let command, _, let code, let articles, let message):
///             logger.notice("refused", metadata: ["command": "\(command)", "code": "\(code)",
///                                                 "articles": "\(articles)", "message": "\(message)"])
///             Counter(label: "publicdata_refusals", dimensions: [("code", code)]).increment()
///         case .storeError(let operation, let code, let sqlState, _):
///             logger.error("store", metadata: ["operation": "\(operation)", "code": "\(code)",
///                                              "sqlstate": "\(sqlState ?? "-")"])
///         default:
///             logger.debug("\(event)")
///         }
///     }
/// }
/// ```
///
/// `observe(_:)` is called synchronously on the caller's task: keep it fast and never block.
public protocol PublicDataObserver: Sendable {
    /// Receives one event.
    func observe(_ event: ObservedEvent)
}

/// An observer that ignores everything (the default).
public struct NoOpObserver: PublicDataObserver {
    /// Creates the observer.
    public init() {}
    /// Ignores the event.
    public func observe(_ event: ObservedEvent) {}
}

/// Forwards every event to several observers, in order.
public struct MultiplexObserver: PublicDataObserver {
    /// The observers.
    public let observers: [any PublicDataObserver]

    /// Creates a multiplexing observer.
    public init(_ observers: [any PublicDataObserver]) {
        self.observers = observers
    }

    /// Forwards the event to each observer.
    public func observe(_ event: ObservedEvent) {
        for observer in observers { observer.observe(event) }
    }
}

/// A store that can tell followers of the global log when events may have been appended (PostgreSQL's
/// LISTEN/NOTIFY), so they read at once instead of polling. Cursors stay the source of truth.
public protocol EventStoreWakeUps: Sendable {
    /// An endless stream that yields whenever events may have been appended (and once at the start).
    func logWakeUps() -> AsyncStream<Void>
}
