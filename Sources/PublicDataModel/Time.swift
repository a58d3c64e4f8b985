import Foundation

/// The source of the current time. The library never reads the system time itself; the host passes a clock.
///
/// Policy evaluation takes time as an argument and reads no clock at all; the workflow engine asks its
/// clock once per command. Tests use `TestClock` from `PublicDataTesting`.
public protocol WallClock: Sendable {
    /// The current instant.
    func now() -> Date
}

/// The system's real-time clock, for production hosts.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current system time.
    public func now() -> Date { Date() }
}

/// A calendar day without a time or time zone, e.g. an agreement's last day or a deadline.
///
/// In JSON a civil date is the string `"YYYY-MM-DD"`.
public struct CivilDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...31.
    public let day: Int

    /// Creates a date, or `nil` when the combination does not exist (e.g. 2026-02-29).
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CivilDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `"YYYY-MM-DD"`, or returns `nil`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day count ``init(daysSinceEpoch:)`` saturates at, far beyond any representable instant (±2^60).
    public static let daysSinceEpochBound = 1 << 60

    /// Creates the date `days` days after 1970-01-01 (negative for earlier days).
    ///
    /// Days outside years 1…9999 give a proleptic Gregorian date with that year (used only to print such
    /// instants); counts beyond ±``daysSinceEpochBound`` saturate there instead of overflowing.
    public init(daysSinceEpoch rawDays: Int) {
        // Civil-from-days over the proleptic Gregorian calendar (era arithmetic, exact for all Int inputs in range).
        let days = min(max(rawDays, -Self.daysSinceEpochBound), Self.daysSinceEpochBound)
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.year = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.month = m
        self.day = d
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// ISO weekday: 1 = Monday ... 7 = Sunday.
    public var isoWeekday: Int {
        let d = daysSinceEpoch  // 1970-01-01 was a Thursday (4).
        return ((d % 7 + 7 + 3) % 7) + 1
    }

    /// Whether the day is a Saturday or Sunday.
    public var isWeekend: Bool { isoWeekday >= 6 }

    /// The date `days` days later (earlier when negative).
    ///
    /// A count that would leave the representable range saturates (see ``daysSinceEpochBound``).
    public func adding(days: Int) -> CivilDate {
        let (sum, overflow) = daysSinceEpoch.addingReportingOverflow(days)
        return CivilDate(daysSinceEpoch: overflow ? (days < 0 ? .min : .max) : sum)
    }

    /// The same month and day `years` later, clamped to the month's end (Feb 29 → Feb 28).
    public func adding(years: Int) -> CivilDate? {
        let (targetYear, overflow) = year.addingReportingOverflow(years)
        guard !overflow, (1...9999).contains(targetYear) else { return nil }
        return CivilDate(
            year: targetYear,
            month: month,
            day: min(day, CivilDate.daysInMonth(year: targetYear, month: month))
        )
    }

    /// Whether `year` is a Gregorian leap year.
    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// The number of days in a month.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// `"YYYY-MM-DD"`.
    public var description: String {
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Orders dates chronologically.
    public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Decodes `"YYYY-MM-DD"`; anything else is a decoding error at the value's coding path.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CivilDate(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "Expected a date \"YYYY-MM-DD\", got \"\(text)\"."
            )
        }
        self = date
    }

    /// Encodes `"YYYY-MM-DD"`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Decides which days are working days, so that deadlines such as "5 working days" are exact.
///
/// A deployment supplies its own calendar (public holidays and make-up working days, 调休, change every
/// year); ``StandardWorkingDayCalendar`` covers the usual case.
public protocol WorkingDayCalendar: Sendable {
    /// The time zone in which instants are mapped to calendar days.
    var timeZone: TimeZone { get }

    /// Whether `day` is a working day.
    func isWorkingDay(_ day: CivilDate) -> Bool
}

extension WorkingDayCalendar {
    /// The calendar day on which `instant` falls, in ``timeZone``.
    public func civilDate(of instant: Date) -> CivilDate {
        let seconds = instant.timeIntervalSince1970 + Double(timeZone.secondsFromGMT(for: instant))
        let days = (seconds / 86_400).rounded(.down)
        let bound = Double(CivilDate.daysSinceEpochBound)
        // Clamp before converting: `Int(_:)` traps on a non-finite or out-of-range Double.
        return CivilDate(daysSinceEpoch: days.isNaN ? 0 : Int(min(max(days, -bound), bound)))
    }

    /// The first instant of `day` in ``timeZone``.
    public func startOfDay(_ day: CivilDate) -> Date {
        let local = Double(day.daysSinceEpoch) * 86_400
        let guess = Date(timeIntervalSince1970: local)
        let offset = Double(timeZone.secondsFromGMT(for: guess))
        return Date(timeIntervalSince1970: local - offset)
    }

    /// The last instant at which `day` still applies: the start of the next day, exclusive.
    public func endOfDay(_ day: CivilDate) -> Date { startOfDay(day.adding(days: 1)) }

    /// The `count`-th working day after `day`, counted from the working day after it.
    ///
    /// "Answer within 5 working days" of an objection raised on Friday 2026-01-09 is
    /// `addingWorkingDays(5, to: 2026-01-09)` = Friday 2026-01-16 on a calendar without holidays.
    /// A `count` of zero returns `day` itself.
    public func addingWorkingDays(_ count: Int, to day: CivilDate) -> CivilDate {
        var current = day
        var remaining = max(0, count)
        while remaining > 0 {
            current = current.adding(days: 1)
            if isWorkingDay(current) { remaining -= 1 }
        }
        return current
    }

    /// The number of working days in the half-open range `(from, through]`.
    public func workingDays(after from: CivilDate, through to: CivilDate) -> Int {
        guard from < to else { return 0 }
        var count = 0
        var current = from
        while current < to {
            current = current.adding(days: 1)
            if isWorkingDay(current) { count += 1 }
        }
        return count
    }
}

/// A working-day calendar of weekends plus configured public holidays and make-up working days (调休).
///
/// ```swift
/// let calendar = StandardWorkingDayCalendar(
///     holidays: [CivilDate("2026-10-01")!, CivilDate("2026-10-02")!],
///     makeUpWorkingDays: [CivilDate("2026-10-10")!]  // a Saturday that is worked
/// )
/// ```
public struct StandardWorkingDayCalendar: WorkingDayCalendar, Codable, Hashable {
    /// Days off that would otherwise be working days.
    public var holidays: Set<CivilDate>
    /// Weekend days that are worked (调休).
    public var makeUpWorkingDays: Set<CivilDate>
    /// The time zone identifier, default `Asia/Shanghai`.
    public var timeZoneIdentifier: String

    /// Creates a calendar.
    public init(
        holidays: Set<CivilDate> = [],
        makeUpWorkingDays: Set<CivilDate> = [],
        timeZoneIdentifier: String = "Asia/Shanghai"
    ) {
        self.holidays = holidays
        self.makeUpWorkingDays = makeUpWorkingDays
        self.timeZoneIdentifier = timeZoneIdentifier
    }

    /// The calendar's time zone; China Standard Time (UTC+8) when the identifier is unknown to the system.
    public var timeZone: TimeZone {
        TimeZone(identifier: timeZoneIdentifier) ?? TimeZone(secondsFromGMT: 8 * 3600) ?? .gmt
    }

    /// A make-up day is a working day; a holiday is not; otherwise Monday to Friday are working days.
    public func isWorkingDay(_ day: CivilDate) -> Bool {
        if makeUpWorkingDays.contains(day) { return true }
        if holidays.contains(day) { return false }
        return !day.isWeekend
    }
}
