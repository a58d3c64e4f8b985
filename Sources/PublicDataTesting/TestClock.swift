import Foundation
import PublicDataModel

/// A clock for tests that stands still until you move it.
///
/// ```swift
/// let clock = TestClock(now: testInstant("2026-01-05T09:00:00Z"))
/// clock.advance(bySeconds: 86_400)
/// ```
public final class TestClock: WallClock {
    private let current: LockedBox<Date>

    /// Creates a clock that reads `now` until advanced.
    public init(now: Date) {
        self.current = LockedBox(now)
    }

    /// Creates a clock at midnight (China Standard Time) of `day`.
    public convenience init(day: CivilDate, calendar: some WorkingDayCalendar = StandardWorkingDayCalendar()) {
        self.init(now: calendar.startOfDay(day))
    }

    /// The clock's current instant.
    public func now() -> Date { current.withLock { $0 } }

    /// Moves the clock forward (or backward, for negative values) by `seconds`.
    public func advance(bySeconds seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    /// Moves the clock forward by whole days.
    public func advance(byDays days: Int) {
        advance(bySeconds: TimeInterval(days) * 86_400)
    }

    /// Sets the clock to `instant`.
    public func set(_ instant: Date) {
        current.withLock { $0 = instant }
    }
}

/// A working-day calendar for tests: weekends off, plus exactly the listed holidays and make-up days.
///
/// It is a `StandardWorkingDayCalendar` under a name that says "fixed for this test".
public typealias FixedWorkingDayCalendar = StandardWorkingDayCalendar

/// Parses an ISO 8601 instant for tests, e.g. `"2026-01-05T09:00:00Z"`; the Unix epoch when malformed.
public func testInstant(_ text: String) -> Date {
    PublicDataJSON.parseInstant(text) ?? Date(timeIntervalSince1970: 0)
}
