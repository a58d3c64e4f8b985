import Foundation
import PublicDataModel

/// How often and how patiently the dispatcher retries a failing sink.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts per notification before the dispatcher gives up for this run (at least 1).
    public var maximumAttempts: Int
    /// The wait after the first failure.
    public var initialDelay: Duration
    /// The factor by which the wait grows after each further failure.
    public var multiplier: Int
    /// The longest wait.
    public var maximumDelay: Duration

    /// Creates a retry policy.
    public init(
        maximumAttempts: Int = 5,
        initialDelay: Duration = .milliseconds(100),
        multiplier: Int = 2,
        maximumDelay: Duration = .seconds(30)
    ) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.initialDelay = initialDelay
        self.multiplier = max(1, multiplier)
        self.maximumDelay = maximumDelay
    }

    /// The wait after the `failures`-th consecutive failure (1-based).
    public func delay(afterFailures failures: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, failures) {
            delay = delay * multiplier
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }
}

/// What one dispatch run did.
public struct DispatchReport: Sendable, Hashable {
    /// Events read from the log.
    public var eventsRead: Int
    /// Notifications delivered (including repeats after a crash).
    public var delivered: Int
    /// Failed delivery attempts that were retried.
    public var retries: Int
    /// The cursor position saved at the end.
    public var position: Int64
}

/// The outbox: delivers the notifications recorded in events to a `NotificationSink`, at least once.
///
/// Notifications are part of the events themselves (resolved by the engine when it records the event), so
/// recording an event and "enqueuing" its notifications are one atomic append — there is no separate queue
/// to lose. The dispatcher follows the global log from a durable cursor (`EventStore.loadCursor(_:)`):
///
/// 1. read the events after the cursor;
/// 2. deliver each event's notifications, retrying a failing sink with exponential back-off;
/// 3. save the cursor past the event only after all its notifications were delivered.
///
/// A crash between delivery and the cursor save delivers the same notifications again on the next run — with
/// the same `Notification.id` (`<event id>/<recipient party>/<role>`), which the sink uses as its idempotency
/// key. Nothing is ever skipped. When a notification still fails after ``RetryPolicy/maximumAttempts``, the
/// run stops *before* that event and throws; the next run starts there.
///
/// ```swift
/// let dispatcher = NotificationDispatcher(store: store, sink: sink)
/// let report = try await dispatcher.dispatchPending()
/// ```
public struct NotificationDispatcher: Sendable {
    /// The store whose log is followed.
    public let store: any EventStore
    /// The sink.
    public let sink: any NotificationSink
    /// The cursor's name in the store.
    public let cursorName: String
    /// The retry policy.
    public let retry: RetryPolicy
    /// Receives each delivery and each failed attempt.
    public let observer: any PublicDataObserver
    private let sleep: @Sendable (Duration) async throws -> Void

    /// Creates a dispatcher.
    /// - Parameters:
    ///   - store: The store.
    ///   - sink: The sink.
    ///   - cursorName: The durable cursor's name (one per independent consumer).
    ///   - retry: The retry policy.
    ///   - sleep: How to wait between attempts (tests pass a function that records and returns).
    ///   - observer: Receives `notificationDelivered` and `notificationFailed` events.
    public init(
        store: any EventStore,
        sink: any NotificationSink,
        cursorName: String = "workflow.notifications",
        retry: RetryPolicy = RetryPolicy(),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        observer: any PublicDataObserver = NoOpObserver()
    ) {
        self.observer = observer
        self.store = store
        self.sink = sink
        self.cursorName = cursorName
        self.retry = retry
        self.sleep = sleep
    }

    /// The notifications an event carries, with their stable ids.
    /// - Parameter event: An event of the log.
    /// - Returns: The notifications; empty for events without any (or not written by the workflow).
    public static func notifications(in event: RecordedEvent) -> [NotificationMessage] {
        guard event.payload.range(of: notifyKey) != nil,
            let carrier = try? event.decodePayload(NotifyCarrier.self)
        else { return [] }
        return (carrier.notify ?? []).map { target in
            NotificationMessage(
                id: "\(event.id)/\(target.party)/\(target.role.rawValue)",
                recipient: target.party,
                recipientRole: target.role,
                kind: target.kind,
                subject: target.subject,
                sourceEvent: event.id,
                sourcePosition: event.globalPosition,
                due: target.due
            )
        }
    }

    private static let notifyKey = Data("\"notify\"".utf8)

    private struct NotifyCarrier: Decodable {
        var notify: [NotificationTarget]?
    }

    /// Delivers every notification recorded after the cursor, then saves the cursor.
    /// - Parameter pageSize: Events read per page.
    /// - Returns: What was done.
    /// - Throws: ``WorkflowError`` with code `store`, or the sink's last error (wrapped, code `delivery`)
    ///   when a notification could not be delivered; the cursor then stays before that event.
    @discardableResult
    public func dispatchPending(pageSize: Int = 512) async throws(WorkflowError) -> DispatchReport {
        var report = DispatchReport(eventsRead: 0, delivered: 0, retries: 0, position: 0)
        var cursor = try await storeCall { try await store.loadCursor(cursorName) } ?? 0
        report.position = cursor
        while true {
            let after = cursor
            let page = try await storeCall { try await store.readAll(after: after, limit: pageSize) }
            var unsaved = false
            for event in page {
                report.eventsRead += 1
                let notifications = Self.notifications(in: event)
                for notification in notifications {
                    try await deliver(notification, report: &report, cursor: cursor, unsaved: unsaved)
                    report.delivered += 1
                }
                cursor = event.globalPosition
                unsaved = true
                if !notifications.isEmpty {
                    let position = cursor
                    try await storeCall { try await store.saveCursor(cursorName, position: position) }
                    unsaved = false
                }
            }
            if unsaved {
                let position = cursor
                try await storeCall { try await store.saveCursor(cursorName, position: position) }
            }
            report.position = cursor
            if page.count < pageSize { return report }
        }
    }

    private func deliver(
        _ notification: NotificationMessage,
        report: inout DispatchReport,
        cursor: Int64,
        unsaved: Bool
    ) async throws(WorkflowError) {
        var failures = 0
        while true {
            do {
                try await sink.deliver(notification)
                observer.observe(.notificationDelivered(id: notification.id, recipient: notification.recipient))
                return
            } catch {
                failures += 1
                observer.observe(
                    .notificationFailed(
                        id: notification.id,
                        recipient: notification.recipient,
                        attempt: failures,
                        final: failures >= retry.maximumAttempts,
                        message: "\(error)"
                    )
                )
                if failures >= retry.maximumAttempts {
                    if unsaved {
                        _ = try? await store.saveCursor(cursorName, position: cursor)
                    }
                    throw WorkflowError(
                        code: .delivery,
                        message: "notification \(notification.id) failed \(failures) time(s): \(error)"
                    )
                }
                report.retries += 1
                do {
                    try await sleep(retry.delay(afterFailures: failures))
                } catch {
                    throw WorkflowError(code: .delivery, message: "dispatch cancelled: \(error)")
                }
            }
        }
    }

    private func storeCall<T>(_ body: () async throws -> T) async throws(WorkflowError) -> T {
        do {
            return try await body()
        } catch let error as EventStoreError {
            throw WorkflowError(code: .store, message: error.message, storeError: error)
        } catch {
            throw WorkflowError(code: .store, message: "\(error)")
        }
    }
}
