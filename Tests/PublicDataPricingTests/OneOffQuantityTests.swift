import Foundation
import PublicDataPricing
import Testing

/// One-off charges take a quantity (issue 14, item 5): `quantity × price` in whole fen, one line with its
/// quantity, plan version and fee stage, creditable by quantity; plans stored without a quantity mean 1.
@Suite struct OneOffQuantityTests {
    /// ¥800.00 per report.
    let perReport = Money(fen: 80_000)

    func recorded(_ quantities: [Int64], period: BillingPeriod = march2026) -> UsageAggregate {
        UsageAggregate(
            subscription: "sub-1",
            period: period,
            unit: .record,
            count: Int64(quantities.count),
            sum: quantities.reduce(0, +),
            max: quantities.max() ?? 0,
            distinctCount: Int64(quantities.count)
        )
    }

    @Test func thePlanQuantityIsChargedOnceInTheStartingPeriod() throws {
        // 3 reports × ¥800.00 = ¥2,400.00 = 240,000 fen.
        let reports = plan(.oneOff(price: perReport, quantity: 3), stage: .trial)
        let invoice = try rate(reports, subscription: subscription(startedOn: day("2026-03-10")))
        let line = try #require(invoice.lines.first)
        #expect(invoice.lines.count == 1)
        #expect(line.kind == .oneOff)
        #expect(line.quantity == 3)
        #expect(line.amount == Money(fen: 240_000))
        #expect(line.planVersion == 1)
        #expect(line.feeStage == .trial)
        #expect(line.rounding == RoundingRule.statement)
        #expect(invoice.total == Money(fen: 240_000))
        // The next period charges nothing more.
        let april = try rate(reports, subscription: subscription(startedOn: day("2026-03-10")), period: april2026)
        #expect(april.lines.isEmpty)
        #expect(april.total == .zero)
    }

    @Test func recordedChargesGiveTheQuantityInAnyPeriod() throws {
        // Two deliveries recorded in April (2 + 3 reports): 5 × ¥800.00 = 400,000 fen; the plan's quantity is
        // not charged on top, and the subscription started in January.
        let reports = plan(.oneOff(price: perReport, quantity: 3))
        let invoice = try rate(reports, usage: [recorded([2, 3], period: april2026)], period: april2026)
        #expect(invoice.lines.map(\.quantity) == [5])
        #expect(invoice.lines.map(\.amount.fen) == [400_000])
        #expect(invoice.total == Money(fen: 400_000))
        // Recorded in the starting period: the records replace the plan's quantity (1 report, not 3 + 1).
        let starting = try rate(
            reports,
            usage: [recorded([1])],
            subscription: subscription(startedOn: day("2026-03-02"))
        )
        #expect(starting.lines.map(\.quantity) == [1])
        #expect(starting.total == Money(fen: 80_000))
    }

    @Test func aPlanWithoutQuantityMeansOneAndOldPlansStillDecode() throws {
        let money = String(decoding: try PublicDataJSON.encode(perReport), as: UTF8.self)
        let current = plan(.oneOff(price: perReport))
        let encoded = String(decoding: try PublicDataJSON.encode(current), as: UTF8.self)
        #expect(!encoded.contains("quantity"))
        // A charge model as plans were stored before the quantity existed.
        let stored = Data("{\"oneOff\":{\"price\":\(money)}}".utf8)
        let old = try PublicDataJSON.decode(ChargeModel.self, from: stored)
        #expect(old == .oneOff(price: perReport, quantity: nil))
        #expect(try JSONDecoder().decode(ChargeModel.self, from: stored) == old)
        let invoice = try rate(plan(old), subscription: subscription(startedOn: day("2026-03-01")))
        #expect(invoice.lines.map(\.quantity) == [1])
        #expect(invoice.total == perReport)
        // The quantity round-trips.
        let three = ChargeModel.oneOff(price: perReport, quantity: 3)
        #expect(try PublicDataJSON.decode(ChargeModel.self, from: PublicDataJSON.encode(three)) == three)
    }

    @Test func aOneOffLineIsCreditedByQuantity() throws {
        // 3 reports at ¥800.00 with a 10 % supported-scenario discount: 240,000 − 24,000 = 216,000 fen.
        // One report credited: 240,000 × 1 × 216,000 / (240,000 × 3) = 72,000 fen; then two: 144,000.
        let discounted = plan(
            .oneOff(price: perReport, quantity: 3),
            discounts: [Discount(scenarioClass: "supported", kind: .percentage(basisPoints: 1000))]
        )
        let invoice = try rate(
            discounted,
            subscription: subscription(classes: ["supported"], startedOn: day("2026-03-05"))
        )
        #expect(invoice.lines.map(\.amount.fen) == [240_000, -24_000])
        #expect(invoice.total == Money(fen: 216_000))
        let first = try invoice.creditNote(
            id: "cn-1",
            lines: [CreditQuantity(line: 0, quantity: 1)],
            reason: "one report not delivered",
            issuedOn: day("2026-04-02")
        )
        #expect(first.amount == Money(fen: 72_000))
        #expect(first.lines?.map(\.quantity) == [1])
        #expect(first.lines?.map(\.planVersion) == [1])
        let rest = try invoice.creditNote(
            id: "cn-2",
            lines: [CreditQuantity(line: 0, quantity: 2)],
            reason: "cancelled",
            issuedOn: day("2026-04-03"),
            earlier: [first]
        )
        #expect(rest.amount == Money(fen: 144_000))
        #expect(first.amount.fen + rest.amount.fen == invoice.total.fen)
        #expect(throws: PricingError.self) {
            try invoice.creditNote(
                id: "cn-3",
                lines: [CreditQuantity(line: 0, quantity: 1)],
                reason: "again",
                issuedOn: day("2026-04-04"),
                earlier: [first, rest]
            )
        }
    }

    @Test func eachVersionPricesTheChargesRecordedWhileItWasInForce() throws {
        // v1 ¥800.00 through 14 March, v2 ¥600.00 from 15 March: 2 reports under v1, 1 under v2
        // = 160,000 + 60,000 = 220,000 fen, one line per version.
        let v1 = plan(.oneOff(price: perReport), version: 1, through: day("2026-03-14"))
        let v2 = plan(.oneOff(price: Money(fen: 60_000)), version: 2, from: day("2026-03-15"))
        let first = try BillingPeriod(start: day("2026-03-01"), end: day("2026-03-14"))
        let second = try BillingPeriod(start: day("2026-03-15"), end: day("2026-03-31"))
        let request = RatingRequest(
            invoiceID: "inv-1",
            subscription: subscription(startedOn: day("2026-03-01")),
            period: march2026,
            issuedOn: day("2026-04-01")
        )
        let invoice = try Rating.rate(
            request,
            segments: [
                RatingSegment(plan: v1, period: first, usage: [recorded([2], period: first)]),
                RatingSegment(plan: v2, period: second, usage: [recorded([1], period: second)]),
            ]
        )
        #expect(invoice.lines.map(\.quantity) == [2, 1])
        #expect(invoice.lines.map(\.amount.fen) == [160_000, 60_000])
        #expect(invoice.lines.map(\.planVersion) == [1, 2])
        #expect(invoice.total == Money(fen: 220_000))
        // Charges recorded only under v2: v1's segment (where the subscription started) charges nothing.
        let onlySecond = try Rating.rate(
            request,
            segments: [
                RatingSegment(plan: v1, period: first),
                RatingSegment(plan: v2, period: second, usage: [recorded([4], period: second)]),
            ]
        )
        #expect(onlySecond.lines.map(\.planVersion) == [2])
        #expect(onlySecond.total == Money(fen: 240_000))
    }

    @Test func freeUseKeepsTheQuantityAndWaivesTheAmount() throws {
        let reports = plan(.oneOff(price: perReport, quantity: 2))
        let invoice = try rate(reports, subscription: subscription(.publicWelfare, startedOn: day("2026-03-03")))
        #expect(invoice.lines.map(\.quantity) == [2])
        #expect(invoice.total == .zero)
        #expect(invoice.waivedAmount == Money(fen: 160_000))
    }

    @Test func badQuantitiesAreTypedErrors() throws {
        for bad: Int64 in [0, -2] {
            let error = try #require(throws: PricingError.self) {
                try plan(.oneOff(price: perReport, quantity: bad)).validate()
            }
            #expect(error.code == .invalidPlan)
            #expect(error.issues.map(\.path) == ["$.charge.oneOff.quantity"])
        }
        let huge = plan(.oneOff(price: perReport, quantity: .max))
        let overflow = try #require(throws: PricingError.self) {
            try rate(huge, subscription: subscription(startedOn: day("2026-03-01")))
        }
        #expect(overflow.code == .overflow)
        var negative = recorded([1])
        negative.sum = -1
        let refused = try #require(throws: PricingError.self) { try rate(reports(), usage: [negative]) }
        #expect(refused.code == .negativeQuantity)
    }

    func reports() -> PricePlan { plan(.oneOff(price: perReport)) }
}
