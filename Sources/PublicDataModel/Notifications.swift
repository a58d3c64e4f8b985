import Foundation

/// Something a party must know or do, derived from an event: "file this agreement by 2026-03-10".
///
/// (Named `NotificationMessage`, not `Notification`, so that it never clashes with Foundation's type.)
public struct NotificationMessage: Codable, Sendable, Hashable, Identifiable {
    /// A stable id (derived from the source event and recipient) used as the delivery idempotency key.
    public var id: String
    /// The party to notify.
    public var recipient: PartyID
    /// The role in which the recipient must act.
    public var recipientRole: Role
    /// The kind, e.g. `"agreement.fileRequired"`.
    public var kind: String
    /// A one-line subject a person reads.
    public var subject: String
    /// The event the notification comes from.
    public var sourceEvent: EventID
    /// The global position of the source event.
    public var sourcePosition: Int64
    /// The last day to act, when there is a deadline.
    public var due: CivilDate?

    /// Creates a notification.
    public init(
        id: String,
        recipient: PartyID,
        recipientRole: Role,
        kind: String,
        subject: String,
        sourceEvent: EventID,
        sourcePosition: Int64,
        due: CivilDate? = nil
    ) {
        self.id = id
        self.recipient = recipient
        self.recipientRole = recipientRole
        self.kind = kind
        self.subject = subject
        self.sourceEvent = sourceEvent
        self.sourcePosition = sourcePosition
        self.due = due
    }
}

/// Receives notifications: e-mail, SMS, a portal inbox, a message queue — the host decides.
///
/// Delivery is **at least once**: after a crash the same notification (same ``NotificationMessage/id``) may be
/// delivered again, so a sink should treat the id as an idempotency key. Throwing means "not delivered";
/// the dispatcher retries with back-off.
public protocol NotificationSink: Sendable {
    /// Delivers one notification.
    /// - Throws: Any error; the notification will be retried.
    func deliver(_ notification: NotificationMessage) async throws
}

/// A sink that drops every notification.
public struct NoOpNotificationSink: NotificationSink {
    /// Creates the sink.
    public init() {}

    /// Does nothing.
    public func deliver(_ notification: NotificationMessage) async throws {}
}

/// A sink that forwards every notification to several sinks, in order.
///
/// Every sink is tried; if any throws, the first error is rethrown after all were tried, so the
/// notification is retried (sinks must be idempotent on the notification id).
public struct MultiplexNotificationSink: NotificationSink {
    /// The sinks, in delivery order.
    public let sinks: [any NotificationSink]

    /// Creates a multiplexing sink.
    public init(_ sinks: [any NotificationSink]) {
        self.sinks = sinks
    }

    /// Delivers to every sink.
    public func deliver(_ notification: NotificationMessage) async throws {
        var firstError: (any Error)?
        for sink in sinks {
            do {
                try await sink.deliver(notification)
            } catch {
                if firstError == nil { firstError = error }
            }
        }
        if let firstError { throw firstError }
    }
}
