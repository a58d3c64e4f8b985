import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// The disclosure builder, which reads usage records and data requests' submissions and grants member by member,
/// against the fold it replaced (`ReferenceDisclosureBuilder`, every event decoded whole): on realistic logs, in
/// several periods, the input, every line's source positions, the JSON and the Markdown are the same, and so are
/// the errors on a corrupt log.
struct DisclosureReferenceTests {
    /// A whole year, the next year (nothing recorded in it), a period that starts after the first usage records
    /// and one that ends before the settlement closes.
    static let periods: [DisclosurePeriod] = [
        DisclosurePeriod.year(2026)!,
        DisclosurePeriod.year(2027)!,
        DisclosurePeriod(start: CivilDate("2026-03-06")!, end: CivilDate("2026-12-31")!),
        DisclosurePeriod(start: CivilDate("2026-03-01")!, end: CivilDate("2026-03-10")!),
    ]

    /// The number of rounds of requests and usage in ``busyLog()``.
    static let rounds = 36

    /// A busy month of one agreement: per round a data request (submitted, granted, provisioned) and three usage
    /// records, with a voided record every seventh round and a batch every tenth; then the period closes, a
    /// credit note corrects the invoice and the revenue is split. Returns the log and the calls it records net
    /// of the voided ones.
    static func busyLog() async throws -> (events: [RecordedEvent], calls: Int64, records: Int64) {
        let world = World()
        try await world.run(MoneyProcessTests.activeScenario)
        var (calls, records): (Int64, Int64) = (0, 0)
        var instant = testInstant("2026-03-02T02:00:00Z")
        for round in 0..<rounds {
            instant += 8 * 3600
            world.clock.set(instant)
            let request = DataRequestID("req-busy-\(round)")
            try await world.run(
                .operator,
                .dataRequest(.submitDataRequest(request: Samples.request(request, "ent-open")))
            )
            try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: request)))
            try await world.run(.bigDataCenter, .dataRequest(.provisionData(request: request, note: "sandbox")))
            for use in 0..<3 {
                let quantity = Int64(round + use + 1)
                try await world.run(
                    .operator,
                    .settlement(
                        .recordUsage(agreement: "agr-1", usage: Samples.usage("u-\(round)-\(use)", quantity: quantity))
                    )
                )
                (calls, records) = (calls + quantity, records + 1)
            }
            if round % 7 == 3 {
                try await world.run(
                    .operator,
                    .settlement(.voidUsage(agreement: "agr-1", idempotencyKey: "u-\(round)-0", reason: "test call"))
                )
                (calls, records) = (calls - Int64(round + 1), records - 1)
            }
            if round % 10 == 9 {
                let batch = [Samples.usage("b-\(round)-0", quantity: 4), Samples.usage("b-\(round)-1", quantity: 6)]
                try await world.run(.operator, .settlement(.recordUsageBatch(agreement: "agr-1", usages: batch)))
                (calls, records) = (calls + 10, records + 2)
            }
        }
        world.clock.set(testInstant("2026-04-01T02:00:00Z"))
        try await world.run(
            .implementingAgency,
            .settlement(.closeSettlementPeriod(agreement: "agr-1", period: Samples.march))
        )
        let invoice = try #require(
            try await world.engine.instance(SettlementProcess.self, "agr-1").facts.invoices.first
        )
        try await world.run(
            .operator,
            .settlement(
                .issueCreditNote(
                    agreement: "agr-1",
                    invoice: invoice.id,
                    lines: [CreditQuantity(line: 0, quantity: 2)],
                    reason: "two calls failed"
                )
            )
        )
        try await world.run(
            .financeDepartment,
            .settlement(.distributeRevenue(agreement: "agr-1", shares: Samples.shares))
        )
        return (try await world.log(), calls, records)
    }

    /// Builds the disclosure of `events` for each of `periods` with both builders and expects the same input,
    /// lines, JSON and Markdown, or the same error.
    static func expectSame(
        _ events: [RecordedEvent],
        periods: [DisclosurePeriod] = periods,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let calendar = FixedWorkingDayCalendar()
        for period in periods {
            let built = Result { try DisclosureBuilder.sources(from: events, period: period, calendar: calendar) }
            let reference = Result {
                try ReferenceDisclosureBuilder.sources(from: events, period: period, calendar: calendar)
            }
            switch (built, reference) {
            case (.success(let built), .success(let reference)):
                #expect(built.input == reference.input, "\(period)", sourceLocation: sourceLocation)
                #expect(built.lines == reference.lines, "\(period)", sourceLocation: sourceLocation)
                let disclosure = try Disclosure(built.input)
                let expected = try Disclosure(reference.input)
                #expect(try disclosure.jsonData() == expected.jsonData(), "\(period)", sourceLocation: sourceLocation)
                #expect(disclosure.markdown() == expected.markdown(), "\(period)", sourceLocation: sourceLocation)
            case (.failure(let built), .failure(let reference)):
                #expect("\(built)" == "\(reference)", "\(period)", sourceLocation: sourceLocation)
            default:
                Issue.record("\(period): \(built) against the reference's \(reference)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aBusyLogDisclosesLineForLineAsTheWholeEnvelopeFold() async throws {
        let (events, calls, records) = try await Self.busyLog()
        try Self.expectSame(events)
        // And the figures are the log's: every record counted once, voided ones taken off.
        let calendar = FixedWorkingDayCalendar()
        let sources = try DisclosureBuilder.sources(from: events, period: Self.periods[0], calendar: calendar)
        let usage = try #require(sources.input.operators.first?.dataUsage.first)
        #expect(usage.calls == calls)
        #expect(usage.records == records)
        let resources = try #require(sources.input.agencies.first?.authorizations.first?.scope)
        #expect(resources.contains("req-busy-\(Self.rounds - 1) (industry_development, privacy_computing)"))
        let line = try #require(sources.lines["operators[\(Parties.operatorParty)].dataUsage[ent-open]"])
        let used = events.filter { $0.type.hasPrefix("settlement.usage") }.map(\.globalPosition)
        #expect(Set(used).isSubset(of: Set(line)))
    }

    @Test(arguments: 0..<(Scripts.all.count + 1))
    func everyScriptDisclosesAsTheWholeEnvelopeFold(script: Int) async throws {
        let world = World()
        try await world.run(script < Scripts.all.count ? Scripts.all[script] : Scripts.money)
        try Self.expectSame(try await world.log())
    }

    /// The same log with every payload written again by Foundation (other key order, `\/` escapes) discloses the
    /// same; so does one whose usage quantities are written `5.0`, which the fast reader leaves to `JSONDecoder`.
    @Test func payloadsWrittenOtherwiseDiscloseTheSame() async throws {
        let (events, _, _) = try await Self.busyLog()
        let rewritten = try events.map { event in
            var copy = event
            copy.payload = try JSONSerialization.data(withJSONObject: JSONSerialization.jsonObject(with: event.payload))
            return copy
        }
        #expect(rewritten.map(\.payload) != events.map(\.payload))
        try Self.expectSame(rewritten)
        let calendar = FixedWorkingDayCalendar()
        let original = try DisclosureBuilder.sources(from: events, period: Self.periods[0], calendar: calendar)
        let again = try DisclosureBuilder.sources(from: rewritten, period: Self.periods[0], calendar: calendar)
        #expect(again.input == original.input)
        #expect(again.lines == original.lines)

        let fractional = events.map { event in
            guard event.type == "settlement.usageRecorded" else { return event }
            var copy = event
            let text = String(decoding: event.payload, as: UTF8.self)
            copy.payload = Data(text.replacing(#/"quantity":(\d+)/#) { "\"quantity\":\($0.1).0" }.utf8)
            return copy
        }
        #expect(fractional.map(\.payload) != events.map(\.payload))
        try Self.expectSame(fractional)
    }

    /// A usage record whose purpose is not one of the vocabulary is the same corrupt event for both builders in
    /// the periods that count it; a period that starts after it no longer reads it (the reference decoded it).
    @Test func aCorruptMemberIsTheSameErrorAsTheWholeDecode() async throws {
        let (events, _, _) = try await Self.busyLog()
        let index = try #require(events.lastIndex { $0.type == "settlement.usageRecorded" })
        var corrupt = events
        let text = String(decoding: events[index].payload, as: UTF8.self)
        corrupt[index].payload = Data(text.replacing("\"purpose\":\"", with: "\"purpose\":\"x").utf8)
        #expect(corrupt[index].payload != events[index].payload)
        let counted = Self.periods.filter { $0 != DisclosurePeriod.year(2027) }
        try Self.expectSame(corrupt, periods: counted)
        let calendar = FixedWorkingDayCalendar()
        let error = #expect(throws: WorkflowError.self) {
            try DisclosureBuilder.sources(from: corrupt, period: Self.periods[0], calendar: calendar)
        }
        #expect(error?.code == .corruptEvent)
        let later = try #require(DisclosurePeriod.year(2027))
        #expect(throws: WorkflowError.self) {
            try ReferenceDisclosureBuilder.sources(from: corrupt, period: later, calendar: calendar)
        }
        let built = try DisclosureBuilder.sources(from: corrupt, period: later, calendar: calendar)
        let clean = try DisclosureBuilder.sources(from: events, period: later, calendar: calendar)
        #expect(built.input == clean.input)
        #expect(built.lines == clean.lines)
    }
}
