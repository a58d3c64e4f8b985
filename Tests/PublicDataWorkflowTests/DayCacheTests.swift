import Foundation
import PublicDataModel
import Testing

@testable import PublicDataWorkflow

/// The engine's day memo answers exactly what the calendar answers, across daylight-saving transitions too.
struct DayCacheTests {
    static let zones = [
        "Asia/Shanghai", "UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe", "America/Santiago",
        "Pacific/Chatham",
    ]

    @Test(arguments: zones)
    func everyInstantMapsToTheCalendarsDay(_ zone: String) throws {
        let calendar = StandardWorkingDayCalendar(timeZoneIdentifier: zone)
        let cache = DayCache(calendar)
        // Every 37 minutes over 2026, in order, then the same instants shuffled by a fixed stride.
        let start = try #require(ISO8601DateFormatter().date(from: "2026-01-01T00:00:00Z"))
        let steps = 366 * 24 * 60 / 37
        let instants = (0..<steps).map { start.addingTimeInterval(Double($0) * 37 * 60) }
        for instant in instants { #expect(cache.day(of: instant) == calendar.civilDate(of: instant)) }
        var index = 0
        for _ in instants.indices {
            index = (index + 7_919) % instants.count
            #expect(cache.day(of: instants[index]) == calendar.civilDate(of: instants[index]))
        }
    }

    @Test func theFirstAndLastInstantsOfADayAreThatDay() throws {
        let calendar = StandardWorkingDayCalendar()
        let cache = DayCache(calendar)
        let day = try #require(CivilDate("2026-06-01"))
        let start = calendar.startOfDay(day)
        #expect(cache.day(of: start.addingTimeInterval(3_600)) == day)  // memoizes the day
        #expect(cache.day(of: start) == day)
        #expect(cache.day(of: start.addingTimeInterval(-0.001)) == day.adding(days: -1))
        #expect(cache.day(of: start.addingTimeInterval(86_400 - 0.001)) == day)
        #expect(cache.day(of: start.addingTimeInterval(86_400)) == day.adding(days: 1))
    }

    @Test func aDayWhoseOffsetChangesIsNeverMemoized() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let calendar = StandardWorkingDayCalendar(timeZoneIdentifier: "America/New_York")
        // 2026-03-08: clocks go forward at 02:00 local; 2026-11-01: back at 02:00.
        for text in ["2026-03-08", "2026-11-01"] {
            let day = try #require(CivilDate(text))
            let noon = calendar.startOfDay(day).addingTimeInterval(12 * 3_600)
            #expect(DayCache.bounds(of: day, around: noon, in: zone) == nil)
        }
        let plain = try #require(CivilDate("2026-03-09"))
        let noon = calendar.startOfDay(plain).addingTimeInterval(12 * 3_600)
        let bounds = try #require(DayCache.bounds(of: plain, around: noon, in: zone))
        #expect(bounds.from == calendar.startOfDay(plain))
        #expect(bounds.until == calendar.endOfDay(plain))
    }
}
