import Foundation
import PublicDataModel

/// The demo's clock: it stands still until the demo moves it, so every run prints the same instants.
///
/// It lets the lifecycle demo run without the test kit (`PublicDataTesting`), which the shipped executable
/// should not link.
public final class DemoClock: WallClock, Sendable {
    private let current: LockedBox<Date>

    /// Creates a clock that reads `now` until moved.
    public init(now: Date) {
        self.current = LockedBox(now)
    }

    /// The clock's current instant.
    public func now() -> Date { current.withLock { $0 } }

    /// Sets the clock to `instant`.
    public func set(_ instant: Date) {
        current.withLock { $0 = instant }
    }
}
