import PublicDataPricing
import Testing

@Suite("Metering")
struct MeteringTests {
    private func record(
        _ key: String,
        _ quantity: Int64,
        on text: String = "2026-03-10",
        distinct: String? = nil
    )
        -> UsageRecord
    {
        UsageRecord(
            idempotencyKey: key,
            subscription: "sub-1",
            unit: .call,
            quantity: quantity,
            occurredOn: day(text),
            distinctKey: distinct
        )
    }

    @Test func duplicateIsCountedOnce() throws {
        var meter = UsageMeter(cycle: .monthly)
        #expect(try meter.record(record("k1", 5)) == .counted)
        #expect(try meter.record(record("k1", 5)) == .duplicate)
        #expect(try meter.record(record("k2", 7)) == .counted)
        let march = meter.aggregate(subscription: "sub-1", unit: .call, period: march2026)
        #expect(march.count == 2)
        #expect(march.sum == 12)
        #expect(meter.recordCount == 2)
    }

    @Test func sameKeyDifferentContentIsAConflictAndChangesNothing() throws {
        var meter = UsageMeter(cycle: .monthly)
        try meter.record(record("k1", 5))
        let before = meter
        let error = try #require(throws: PricingError.self) { try meter.record(record("k1", 6)) }
        #expect(error.code == .idempotencyConflict)
        #expect(meter == before)
    }

    @Test func keysAreScopedPerSubscription() throws {
        var meter = UsageMeter(cycle: .monthly)
        try meter.record(record("k1", 5))
        var other = record("k1", 5)
        other.subscription = "sub-2"
        #expect(try meter.record(other) == .counted)
    }

    @Test func lateRecordLandsInThePeriodItOccurredIn() throws {
        var meter = UsageMeter(cycle: .monthly)
        try meter.record(record("april-1", 10, on: "2026-04-02"))
        // Arrives after April's records, occurred on 31 March: belongs to March.
        try meter.record(record("late", 3, on: "2026-03-31"))
        #expect(meter.aggregate(subscription: "sub-1", unit: .call, period: march2026).sum == 3)
        #expect(meter.aggregate(subscription: "sub-1", unit: .call, period: april2026).sum == 10)
        #expect(meter.aggregates.map(\.period) == [march2026, april2026])
    }

    @Test func aggregatesCountSumMaxAndDistinct() throws {
        var meter = UsageMeter(cycle: .monthly)
        try meter.record(contentsOf: [
            record("a", 5, distinct: "p1"), record("b", 9, distinct: "p2"), record("c", 2, distinct: "p1"),
            record("d", 0), record("b", 9, distinct: "p2"),
        ])
        let march = meter.aggregate(subscription: "sub-1", unit: .call, period: march2026)
        #expect(march.count == 4)
        #expect(march.sum == 16)
        #expect(march.max == 9)
        #expect(march.distinctCount == 2)
    }

    @Test func quarterlyAndYearlyCycles() {
        #expect(BillingCycle.quarterly.period(containing: day("2026-05-20")).start == day("2026-04-01"))
        #expect(BillingCycle.quarterly.period(containing: day("2026-05-20")).end == day("2026-06-30"))
        #expect(BillingCycle.yearly.period(containing: day("2026-05-20")).end == day("2026-12-31"))
        #expect(BillingCycle.monthly.period(containing: day("2028-02-10")).end == day("2028-02-29"))
    }

    @Test func negativeQuantityIsRefusedAndBatchIsAllOrNothing() throws {
        var meter = UsageMeter(cycle: .monthly)
        let error = try #require(throws: PricingError.self) {
            try meter.record(contentsOf: [record("a", 5), record("b", -1)])
        }
        #expect(error.code == .negativeQuantity)
        #expect(meter.recordCount == 0)
        #expect(!meter.contains(key: "a", subscription: "sub-1"))
    }

    @Test func meteredUsageRatesIntoAnInvoice() throws {
        var meter = UsageMeter(cycle: .monthly)
        for index in 0..<1001 { try meter.record(record("r\(index)", 1)) }
        try meter.record(record("r0", 1))  // a redelivery
        let aggregate = meter.aggregate(subscription: "sub-1", unit: .call, period: march2026)
        let invoice = try rate(
            plan(.usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers)))),
            usage: [aggregate]
        )
        #expect(invoice.total == Money(fen: 10_008))
    }
}
