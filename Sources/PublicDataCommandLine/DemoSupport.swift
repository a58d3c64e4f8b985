import Foundation
import PublicDataKit

/// The demo's clock: it reads the instant it was last set to, so the scripted year runs in seconds.
final class DemoClock: WallClock {
    private let current: LockedBox<Date>

    /// Creates a clock that reads `now` until set.
    init(now: Date) {
        current = LockedBox(now)
    }

    /// The instant last set.
    func now() -> Date { current.withLock { $0 } }

    /// Sets the clock to `instant`.
    func set(_ instant: Date) {
        current.withLock { $0 = instant }
    }
}

/// The demo's notification channel: it keeps what the outbox delivered, once per notification id, for the
/// summary the demo prints.
final class DemoNotificationSink: NotificationSink {
    private let state = LockedBox<(list: [NotificationMessage], ids: Set<String>)>(([], []))

    /// Keeps the notification unless one with its id was delivered before.
    func deliver(_ notification: NotificationMessage) async throws {
        state.withLock { state in
            if state.ids.insert(notification.id).inserted { state.list.append(notification) }
        }
    }

    /// The distinct notifications delivered, in order of first delivery.
    var notifications: [NotificationMessage] { state.withLock { $0.list } }
}
