import Foundation
import PublicDataModel

/// A sink that keeps every notification in memory, de-duplicated by id; for tests.
public final class RecordingNotificationSink: NotificationSink {
    private let state = LockedBox<(list: [NotificationMessage], ids: Set<String>, attempts: Int)>(([], [], 0))

    /// Creates an empty recording sink.
    public init() {}

    /// Records the notification once per id.
    public func deliver(_ notification: NotificationMessage) async throws {
        state.withLock { state in
            state.attempts += 1
            if state.ids.insert(notification.id).inserted { state.list.append(notification) }
        }
    }

    /// The distinct notifications received, in order of first delivery.
    public var notifications: [NotificationMessage] { state.withLock { $0.list } }

    /// How many deliveries were attempted, counting repeats.
    public var deliveryAttempts: Int { state.withLock { $0.attempts } }

    /// Forgets everything recorded.
    public func reset() {
        state.withLock { $0 = ([], [], 0) }
    }
}
