import Foundation
import PublicDataModel
import Synchronization

/// The engine's memo of "which calendar day is it": the last day it mapped an instant to, and the interval of
/// instants that map to that day.
///
/// Mapping an instant to its day asks the time zone for its offset (an ICU call) on every command. Within one
/// day whose offset does not change, every instant maps to the same day, so the memo answers from the interval
/// and asks the calendar only when an instant falls outside it. A day in which the zone's offset changes (a
/// daylight-saving transition) is never memoized; its instants are always mapped by the calendar.
///
/// The memo reads the calendar's time zone once, when it is created (the engine's calendar is a constant).
final class DayCache: Sendable {
    private struct Entry {
        var from: Date
        var until: Date
        var day: CivilDate
    }

    private let calendar: any WorkingDayCalendar
    private let zone: TimeZone
    private let entry = Mutex<Entry?>(nil)

    init(_ calendar: any WorkingDayCalendar) {
        self.calendar = calendar
        zone = calendar.timeZone
    }

    /// The calendar day of `instant`: the same as `calendar.civilDate(of:)`.
    func day(of instant: Date) -> CivilDate {
        if let hit = entry.withLock({ entry -> CivilDate? in
            guard let entry, entry.from <= instant, instant < entry.until else { return nil }
            return entry.day
        }) {
            return hit
        }
        let day = calendar.civilDate(of: instant)
        if let bounds = Self.bounds(of: day, around: instant, in: zone) {
            entry.withLock { $0 = Entry(from: bounds.from, until: bounds.until, day: day) }
        }
        return day
    }

    /// The instants of `day` when the zone's offset is the same throughout it; `nil` otherwise.
    static func bounds(of day: CivilDate, around instant: Date, in zone: TimeZone) -> (from: Date, until: Date)? {
        let offset = zone.secondsFromGMT(for: instant)
        let from = Date(timeIntervalSince1970: Double(day.daysSinceEpoch) * 86_400 - Double(offset))
        let until = from.addingTimeInterval(86_400)
        guard from <= instant, instant < until,
            zone.secondsFromGMT(for: from) == offset,
            zone.secondsFromGMT(for: until.addingTimeInterval(-1)) == offset
        else { return nil }
        if let transition = zone.nextDaylightSavingTimeTransition(after: from), transition < until { return nil }
        return (from, until)
    }
}
