import PublicDataPricing
import Testing

/// One row of the charge-model table: a plan, the metered quantity and the hand-computed total.
struct ChargeCase: CustomTestStringConvertible, Sendable {
    var name: String
    var charge: ChargeModel
    var unit: MeterUnit
    var quantity: Int64
    var expectedFen: Int64
    /// Units per tier applied (index → units), for usage lines.
    var expectedTierUnits: [Int: Int64] = [:]
    var testDescription: String { name }
}

private func usageCharge(_ unit: MeterUnit, _ scheme: UsageScheme) -> ChargeModel {
    .usage(UsageCharge(unit: unit, scheme: scheme))
}

let chargeCases: [ChargeCase] = [
    // Per call, flat ¥0.08: 1,234 × 8 = 9,872 fen.
    ChargeCase(
        name: "per call flat",
        charge: usageCharge(.call, .flat(UnitPrice(fen: 8))),
        unit: .call,
        quantity: 1234,
        expectedFen: 9872,
        expectedTierUnits: [0: 1234]
    ),
    // Half a fen per call: 3 calls = 1.5 fen → 2 (half-up); 5 calls = 2.5 → 3; 4 calls = 2.
    ChargeCase(
        name: "half fen × 3",
        charge: usageCharge(.call, .flat(UnitPrice(fen: 1, per: 2))),
        unit: .call,
        quantity: 3,
        expectedFen: 2,
        expectedTierUnits: [0: 3]
    ),
    ChargeCase(
        name: "half fen × 5",
        charge: usageCharge(.call, .flat(UnitPrice(fen: 1, per: 2))),
        unit: .call,
        quantity: 5,
        expectedFen: 3,
        expectedTierUnits: [0: 5]
    ),
    ChargeCase(
        name: "half fen × 4",
        charge: usageCharge(.call, .flat(UnitPrice(fen: 1, per: 2))),
        unit: .call,
        quantity: 4,
        expectedFen: 2,
        expectedTierUnits: [0: 4]
    ),
    // Graduated: 1–1000 @10, 1001–10000 @8, above @5.
    ChargeCase(
        name: "graduated 0",
        charge: usageCharge(.call, .graduated(standardTiers)),
        unit: .call,
        quantity: 0,
        expectedFen: 0
    ),
    ChargeCase(
        name: "graduated 999",
        charge: usageCharge(.call, .graduated(standardTiers)),
        unit: .call,
        quantity: 999,
        expectedFen: 9990,
        expectedTierUnits: [0: 999]
    ),
    ChargeCase(
        name: "graduated on boundary 1000",
        charge: usageCharge(.call, .graduated(standardTiers)),
        unit: .call,
        quantity: 1000,
        expectedFen: 10_000,
        expectedTierUnits: [0: 1000]
    ),
    ChargeCase(
        name: "graduated 1001",
        charge: usageCharge(.call, .graduated(standardTiers)),
        unit: .call,
        quantity: 1001,
        expectedFen: 10_008,
        expectedTierUnits: [0: 1000, 1: 1]
    ),
    ChargeCase(
        name: "graduated on boundary 10000",
        charge: usageCharge(.call, .graduated(standardTiers)),
        unit: .call,
        quantity: 10_000,
        expectedFen: 82_000,
        expectedTierUnits: [0: 1000, 1: 9000]
    ),
    ChargeCase(
        name: "graduated 12000",
        charge: usageCharge(.call, .graduated(standardTiers)),
        unit: .call,
        quantity: 12_000,
        expectedFen: 92_000,
        expectedTierUnits: [0: 1000, 1: 9000, 2: 2000]
    ),
    // Volume: all units at the tier reached.
    ChargeCase(
        name: "volume on boundary 1000",
        charge: usageCharge(.call, .volume(standardTiers)),
        unit: .call,
        quantity: 1000,
        expectedFen: 10_000,
        expectedTierUnits: [0: 1000]
    ),
    ChargeCase(
        name: "volume 1001",
        charge: usageCharge(.call, .volume(standardTiers)),
        unit: .call,
        quantity: 1001,
        expectedFen: 8008,
        expectedTierUnits: [1: 1001]
    ),
    ChargeCase(
        name: "volume on boundary 10000",
        charge: usageCharge(.call, .volume(standardTiers)),
        unit: .call,
        quantity: 10_000,
        expectedFen: 80_000,
        expectedTierUnits: [1: 10_000]
    ),
    ChargeCase(
        name: "volume 10001",
        charge: usageCharge(.call, .volume(standardTiers)),
        unit: .call,
        quantity: 10_001,
        expectedFen: 50_005,
        expectedTierUnits: [2: 10_001]
    ),
    // Package: ¥5 per block of 1000 calls, partial block rounds up.
    ChargeCase(
        name: "package 0",
        charge: usageCharge(.call, .package(blockSize: 1000, blockPrice: Money(fen: 500))),
        unit: .call,
        quantity: 0,
        expectedFen: 0
    ),
    ChargeCase(
        name: "package 1",
        charge: usageCharge(.call, .package(blockSize: 1000, blockPrice: Money(fen: 500))),
        unit: .call,
        quantity: 1,
        expectedFen: 500,
        expectedTierUnits: [0: 1]
    ),
    ChargeCase(
        name: "package on boundary 1000",
        charge: usageCharge(.call, .package(blockSize: 1000, blockPrice: Money(fen: 500))),
        unit: .call,
        quantity: 1000,
        expectedFen: 500,
        expectedTierUnits: [0: 1000]
    ),
    ChargeCase(
        name: "package 1001",
        charge: usageCharge(.call, .package(blockSize: 1000, blockPrice: Money(fen: 500))),
        unit: .call,
        quantity: 1001,
        expectedFen: 1000,
        expectedTierUnits: [0: 1001]
    ),
    // Service time: ¥2 per hour = 200 fen per 3600 s. 5400 s = 300 fen; 100 s = 5.55… → 6 fen.
    ChargeCase(
        name: "service time 1.5 h",
        charge: usageCharge(.second, .flat(UnitPrice(fen: 200, per: 3600))),
        unit: .second,
        quantity: 5400,
        expectedFen: 300,
        expectedTierUnits: [0: 5400]
    ),
    ChargeCase(
        name: "service time 100 s",
        charge: usageCharge(.second, .flat(UnitPrice(fen: 200, per: 3600))),
        unit: .second,
        quantity: 100,
        expectedFen: 6,
        expectedTierUnits: [0: 100]
    ),
    // Data volume: ¥3 per 1000 records; 2500 records = 750 fen; 1 record = 0.3 fen → 0.
    ChargeCase(
        name: "records 2500",
        charge: usageCharge(.record, .flat(UnitPrice(fen: 300, per: 1000))),
        unit: .record,
        quantity: 2500,
        expectedFen: 750,
        expectedTierUnits: [0: 2500]
    ),
    ChargeCase(
        name: "records 1",
        charge: usageCharge(.record, .flat(UnitPrice(fen: 300, per: 1000))),
        unit: .record,
        quantity: 1,
        expectedFen: 0,
        expectedTierUnits: [0: 1]
    ),
    // Data volume: ¥1 per MB (10^6 bytes); 1.5 MB = 150 fen; 5000 bytes = 0.5 fen → 1 (tie rounds up).
    ChargeCase(
        name: "bytes 1.5 MB",
        charge: usageCharge(.byte, .flat(UnitPrice(fen: 100, per: 1_000_000))),
        unit: .byte,
        quantity: 1_500_000,
        expectedFen: 150,
        expectedTierUnits: [0: 1_500_000]
    ),
    ChargeCase(
        name: "bytes 5000",
        charge: usageCharge(.byte, .flat(UnitPrice(fen: 100, per: 1_000_000))),
        unit: .byte,
        quantity: 5000,
        expectedFen: 1,
        expectedTierUnits: [0: 5000]
    ),
    // Graduated with sub-fen tiers: 1–3 @ 1/2 fen (1.5), 4–∞ @ 1/3 fen (3 units = 1): exact 2.5 → 3 fen.
    ChargeCase(
        name: "graduated sub-fen tiers summed exactly before rounding",
        charge: usageCharge(
            .call,
            .graduated([
                PriceTier(upTo: 3, unitPrice: UnitPrice(fen: 1, per: 2)),
                PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 1, per: 3)),
            ])
        ),
        unit: .call,
        quantity: 6,
        expectedFen: 3,
        expectedTierUnits: [0: 3, 1: 3]
    ),
]

@Suite("Charge models")
struct ChargeModelTests {
    @Test(arguments: chargeCases)
    func usageTable(_ row: ChargeCase) throws {
        let invoice = try rate(plan(row.charge), usage: [usage(row.unit, row.quantity)])
        #expect(invoice.total == Money(fen: row.expectedFen))
        #expect(invoice.subtotal == Money(fen: row.expectedFen))
        let line = try #require(invoice.lines.first { $0.kind == .usage })
        #expect(line.quantity == row.quantity)
        #expect(line.amount.fen == row.expectedFen)
        var units: [Int: Int64] = [:]
        for tier in line.tiers { units[tier.tier, default: 0] += tier.units }
        #expect(units == row.expectedTierUnits)
        // The tiers applied account for every unit exactly once.
        #expect(line.tiers.reduce(0) { $0 + $1.units } == row.quantity)
    }

    @Test func tierBoundsAreInclusiveAndContiguous() throws {
        let invoice = try rate(
            plan(.usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers)))),
            usage: [usage(.call, 12_000)]
        )
        let tiers = try #require(invoice.lines.first?.tiers)
        #expect(tiers.map(\.firstUnit) == [1, 1001, 10_001])
        #expect(tiers.map(\.lastUnit) == [1000, 10_000, 12_000])
    }

    @Test func packageRecordsBlocks() throws {
        let invoice = try rate(
            plan(.usage(UsageCharge(unit: .call, scheme: .package(blockSize: 1000, blockPrice: Money(fen: 500))))),
            usage: [usage(.call, 2001)]
        )
        #expect(invoice.lines.first?.tiers.first?.blocks == 3)
        #expect(invoice.total == Money(fen: 1500))
    }

    @Test func oneOffIsChargedOnlyInTheStartingPeriod() throws {
        let oneOff = plan(.oneOff(price: Money(fen: 100_000)))
        let starting = try rate(oneOff, subscription: subscription(startedOn: day("2026-03-10")))
        #expect(starting.total == Money(fen: 100_000))
        #expect(starting.lines.map(\.kind) == [.oneOff])
        let later = try rate(oneOff, subscription: subscription(startedOn: day("2026-03-10")), period: april2026)
        #expect(later.total == .zero)
        #expect(later.lines.isEmpty)
    }

    @Test func subscriptionChargesEveryActivePeriodInFull() throws {
        let monthly = plan(.subscription(pricePerPeriod: Money(fen: 50_000)))
        #expect(try rate(monthly).total == Money(fen: 50_000))
        var ended = subscription()
        ended.endedOn = day("2026-02-28")
        #expect(try rate(monthly, subscription: ended).total == .zero)
        // Started on the period's last day: still a full period (no proration).
        #expect(try rate(monthly, subscription: subscription(startedOn: day("2026-03-31"))).total == Money(fen: 50_000))
    }

    @Test func minimumTopsUpAndMaximumReduces() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10))))
        let bounded = plan(flat, minimum: Money(fen: 1000), maximum: Money(fen: 5000))
        let low = try rate(bounded, usage: [usage(.call, 30)])
        #expect(low.lines.map(\.kind) == [.usage, .minimumTopUp])
        #expect(low.lines.map(\.amount.fen) == [300, 700])
        #expect(low.total == Money(fen: 1000))
        let high = try rate(bounded, usage: [usage(.call, 600)])
        #expect(high.lines.map(\.amount.fen) == [6000, -1000])
        #expect(high.total == Money(fen: 5000))
        let between = try rate(bounded, usage: [usage(.call, 250)])
        #expect(between.lines.count == 1)
        #expect(between.total == Money(fen: 2500))
    }

    @Test func discountsApplyInOrderToWhatIsLeft() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10))))
        let discounted = plan(
            flat,
            discounts: [
                Discount(scenarioClass: "supported_scenario", kind: .percentage(basisPoints: 2000), label: "扶持场景"),
                Discount(scenarioClass: "small_enterprise", kind: .fixed(Money(fen: 1000)), label: "小微企业"),
                Discount(scenarioClass: "unused_class", kind: .percentage(basisPoints: 5000)),
            ]
        )
        let both = try rate(
            discounted,
            usage: [usage(.call, 1005)],
            subscription: subscription(classes: ["supported_scenario", "small_enterprise"])
        )
        // 10,050 fen; 20 % = 2,010; then ¥10 fixed: 10,050 − 2,010 − 1,000 = 7,040.
        #expect(both.subtotal == Money(fen: 10_050))
        #expect(both.lines.map(\.amount.fen) == [10_050, -2010, -1000])
        #expect(both.discountTotal == Money(fen: -3010))
        #expect(both.total == Money(fen: 7040))
        let none = try rate(discounted, usage: [usage(.call, 1005)])
        #expect(none.total == Money(fen: 10_050))
        // 15 % of 30 fen = 4.5 fen → 5 (half-up, the discount line is where it rounds) → 25 fen.
        let small = plan(flat, discounts: [Discount(scenarioClass: "s", kind: .percentage(basisPoints: 1500))])
        #expect(
            try rate(small, usage: [usage(.call, 3)], subscription: subscription(classes: ["s"])).total
                == Money(fen: 25)
        )
        // A fixed discount never takes the total below zero.
        let big = plan(flat, discounts: [Discount(scenarioClass: "s", kind: .fixed(Money(fen: 99_999)))])
        #expect(try rate(big, usage: [usage(.call, 3)], subscription: subscription(classes: ["s"])).total == .zero)
    }

    @Test(arguments: [Purpose.publicGovernance, .publicWelfare])
    func freePurposeIsZeroWithConditionAndEvidence(_ purpose: Purpose) throws {
        let tiered = plan(
            .usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers))),
            minimum: Money(fen: 100_000)
        )
        let invoice = try rate(tiered, usage: [usage(.call, 1001)], subscription: subscription(purpose))
        #expect(invoice.total == .zero)
        #expect(invoice.subtotal == .zero)
        #expect(invoice.lines.allSatisfy { $0.amount == .zero })
        #expect(invoice.lines.first?.quantity == 1001)  // still metered (Art. 28)
        #expect(invoice.waivedAmount == Money(fen: 100_000))
        let exemption = try #require(invoice.exemption)
        #expect(exemption.purpose == purpose)
        #expect(exemption.evidence == "备案 JD-2026-0042")
        #expect(exemption.scenario == "scn-credit")
        #expect(exemption.condition.contains("Art. 22"))
    }

    @Test(arguments: [Purpose.industryDevelopment, .sectorDevelopment])
    func developmentPurposeIsCharged(_ purpose: Purpose) throws {
        let flat = plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10)))))
        let invoice = try rate(flat, usage: [usage(.call, 7)], subscription: subscription(purpose))
        #expect(invoice.total == Money(fen: 70))
        #expect(invoice.exemption == nil)
    }

    @Test func freePurposesAreAParameter() throws {
        let flat = plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10)))))
        let charged = try rate(
            flat,
            usage: [usage(.call, 7)],
            subscription: subscription(.publicWelfare),
            freePurposes: []
        )
        #expect(charged.total == Money(fen: 70))
        let free = try rate(
            flat,
            usage: [usage(.call, 7)],
            subscription: subscription(.industryDevelopment),
            freePurposes: [.industryDevelopment]
        )
        #expect(free.total == .zero)
    }

    @Test func measuresPickTheAggregateFigure() throws {
        let aggregate = UsageAggregate(
            subscription: "sub-1",
            period: march2026,
            unit: .record,
            count: 4,
            sum: 100,
            max: 60,
            distinctCount: 3
        )
        for (measure, expected) in [(UsageMeasure.sum, 100), (.count, 4), (.max, 60), (.distinctCount, 3)] {
            let charge = ChargeModel.usage(
                UsageCharge(unit: .record, measure: measure, scheme: .flat(UnitPrice(fen: 1)))
            )
            #expect(try rate(plan(charge), usage: [aggregate]).total == Money(fen: Int64(expected)))
        }
    }

    @Test func unitPriceParsesYuanExactly() throws {
        #expect(try UnitPrice(yuan: "0.005") == UnitPrice(fen: 1, per: 2))
        #expect(try UnitPrice(yuan: "0.08") == UnitPrice(fen: 8))
        #expect(try UnitPrice(yuan: "3", per: 1000) == UnitPrice(fen: 3, per: 10))
        #expect(try UnitPrice(yuan: "12.345678") == UnitPrice(fen: 6_172_839, per: 5000))
    }

    @Test func roundingIsHalfUpAwayFromZero() throws {
        #expect(RoundingRule.fen(try ExactAmount.ratio(1, times: 1, over: 2)) == 1)
        #expect(RoundingRule.fen(try ExactAmount.ratio(1, times: 1, over: 3)) == 0)
        #expect(RoundingRule.fen(try ExactAmount.ratio(2, times: 1, over: 3)) == 1)
        #expect(RoundingRule.fen(try ExactAmount.ratio(5, times: 1, over: 2)) == 3)
        #expect(RoundingRule.fen(ExactAmount(fen: 42)) == 42)
    }

    @Test func plansAndInvoicesRoundTripThroughJSON() throws {
        let tiered = plan(
            .usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers))),
            discounts: [Discount(scenarioClass: "s", kind: .percentage(basisPoints: 100))]
        )
        let data = try PublicDataJSON.encode(tiered)
        #expect(try PublicDataJSON.decode(PricePlan.self, from: data) == tiered)
        let invoice = try rate(tiered, usage: [usage(.call, 1500)])
        #expect(try PublicDataJSON.decode(Invoice.self, from: PublicDataJSON.encode(invoice)) == invoice)
    }
}
