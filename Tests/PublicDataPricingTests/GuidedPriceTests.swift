import PublicDataPricing
import Testing

/// A cap-refusal row: a plan, the caps, and the components expected to offend.
struct CapCase: CustomTestStringConvertible, Sendable {
    var name: String
    var charge: ChargeModel
    var caps: [FeeLimit]
    var offendingTiers: [Int?]
    var testDescription: String { name }
}

private func usageCharge(_ unit: MeterUnit, _ scheme: UsageScheme) -> ChargeModel {
    .usage(UsageCharge(unit: unit, scheme: scheme))
}

let capRefusals: [CapCase] = [
    CapCase(
        name: "one-off above per-product cap",
        charge: .oneOff(price: Money(fen: 100_000)),
        caps: [.perProduct(Money(fen: 80_000))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "subscription above per-period cap",
        charge: .subscription(pricePerPeriod: Money(fen: 50_000)),
        caps: [.perPeriod(Money(fen: 40_000))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "per call",
        charge: usageCharge(.call, .flat(UnitPrice(fen: 12))),
        caps: [.perUnit(.call, UnitPrice(fen: 10))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "per call sub-fen (1/2 fen vs 1/3 fen)",
        charge: usageCharge(.call, .flat(UnitPrice(fen: 1, per: 2))),
        caps: [.perUnit(.call, UnitPrice(fen: 1, per: 3))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "per service time",
        charge: usageCharge(.second, .flat(UnitPrice(fen: 200, per: 3600))),
        caps: [.perUnit(.second, UnitPrice(fen: 150, per: 3600))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "per data volume (records)",
        charge: usageCharge(.record, .flat(UnitPrice(fen: 400, per: 1000))),
        caps: [.perUnit(.record, UnitPrice(fen: 3, per: 10))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "per data volume (bytes)",
        charge: usageCharge(.byte, .flat(UnitPrice(fen: 101, per: 1_000_000))),
        caps: [.perUnit(.byte, UnitPrice(fen: 1, per: 10_000))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "graduated: every offending tier named",
        charge: usageCharge(
            .call,
            .graduated([
                PriceTier(upTo: 1000, unitPrice: UnitPrice(fen: 12)),
                PriceTier(upTo: 10_000, unitPrice: UnitPrice(fen: 8)),
                PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 11)),
            ])
        ),
        caps: [.perUnit(.call, UnitPrice(fen: 10))],
        offendingTiers: [0, 2]
    ),
    CapCase(
        name: "volume: every offending tier named",
        charge: usageCharge(
            .call,
            .volume([
                PriceTier(upTo: 1000, unitPrice: UnitPrice(fen: 15)),
                PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 11)),
            ])
        ),
        caps: [.perUnit(.call, UnitPrice(fen: 10))],
        offendingTiers: [0, 1]
    ),
    CapCase(
        name: "package: block price per unit above cap",
        charge: usageCharge(.call, .package(blockSize: 100, blockPrice: Money(fen: 1100))),
        caps: [.perUnit(.call, UnitPrice(fen: 10))],
        offendingTiers: [nil]
    ),
    CapCase(
        name: "minimum per period above per-period cap",
        charge: .subscription(pricePerPeriod: Money(fen: 100)),
        caps: [.perPeriod(Money(fen: 1000))],
        offendingTiers: []
    ),
]

@Suite("Guided price")
struct GuidedPriceTests {
    private func caps(_ limits: [FeeLimit]) -> [FeeCap] {
        limits.map { FeeCap(product: "id-verify", limit: $0, setBy: "agency", source: "京数据价〔2026〕1号") }
    }

    @Test(arguments: capRefusals)
    func planAboveCapIsRefusedAtCreation(_ row: CapCase) throws {
        let minimum: Money? = row.offendingTiers.isEmpty ? Money(fen: 2000) : nil
        let candidate = plan(row.charge, minimum: minimum)
        let error = try #require(throws: PricingError.self) {
            try GuidedPrice.createPlan(
                candidate,
                in: PriceBook(product: "id-verify"),
                caps: caps(row.caps),
                operationStartedOn: nil
            )
        }
        #expect(error.code == .capExceeded)
        #expect(error.product == "id-verify")
        let expected = row.offendingTiers.isEmpty ? [nil] : row.offendingTiers
        #expect(error.capViolations.map(\.tierIndex) == expected)
        #expect(error.capViolations.allSatisfy { $0.product == "id-verify" && !$0.cap.isEmpty && !$0.price.isEmpty })
    }

    @Test func capViolationNamesCapAndPrice() throws {
        let error = try #require(throws: PricingError.self) {
            try GuidedPrice.checkCaps(
                plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 12))))),
                caps: caps([.perUnit(.call, UnitPrice(fen: 10))])
            )
        }
        let violation = try #require(error.capViolations.first)
        #expect(violation.cap == "10 fen per call")
        #expect(violation.price == "12 fen per call")
        #expect(error.description.contains("id-verify"))
    }

    @Test func priceAtTheCapIsAccepted() throws {
        let atCap = plan(
            .usage(
                UsageCharge(
                    unit: .call,
                    scheme: .graduated([
                        PriceTier(upTo: 1000, unitPrice: UnitPrice(fen: 10)),
                        PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 20, per: 2)),
                    ])
                )
            )
        )
        let book = try GuidedPrice.createPlan(
            atCap,
            in: PriceBook(product: "id-verify"),
            caps: caps([.perUnit(.call, UnitPrice(fen: 10))]),
            operationStartedOn: nil
        )
        #expect(book.versions.count == 1)
        #expect(throws: Never.self) {
            try GuidedPrice.checkCaps(plan(.oneOff(price: Money(fen: 800))), caps: caps([.perProduct(Money(fen: 800))]))
        }
    }

    @Test func capsOfOtherProductsDoNotCount() throws {
        let other = [
            FeeCap(product: "other", limit: .perUnit(.call, UnitPrice(fen: 100)), setBy: "agency", source: "x")
        ]
        let error = try #require(throws: PricingError.self) {
            try GuidedPrice.checkCaps(
                plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 12))))),
                caps: other
            )
        }
        #expect(error.code == .capMissing)
    }

    @Test(arguments: [
        ChargeModel.oneOff(price: Money(fen: 1)),
        .subscription(pricePerPeriod: Money(fen: 1)),
        .usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 1)))),
        .usage(UsageCharge(unit: .second, scheme: .graduated(standardTiers))),
    ])
    func missingCapIsAnError(_ charge: ChargeModel) throws {
        // A cap exists, but for another basis (per record), so the plan's basis has none.
        let error = try #require(throws: PricingError.self) {
            try GuidedPrice.checkCaps(plan(charge), caps: caps([.perUnit(.record, UnitPrice(fen: 100))]))
        }
        #expect(error.code == .capMissing)
        #expect(error.product == "id-verify")
        #expect(throws: Never.self) {
            try GuidedPrice.checkCaps(plan(charge), caps: [], capRequired: false)
        }
    }

    @Test func freePlanNeedsNoCap() throws {
        #expect(throws: Never.self) {
            try GuidedPrice.checkCaps(
                plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 0))))),
                caps: []
            )
        }
    }

    @Test func trialFeeBeforeAFullYear() throws {
        let started = day("2025-07-01")
        let callCaps = caps([.perUnit(.call, UnitPrice(fen: 10))])
        let charge = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 8))))
        let standardEarly = plan(charge, from: day("2026-01-01"))
        let error = try #require(throws: PricingError.self) {
            try GuidedPrice.createPlan(
                standardEarly,
                in: PriceBook(product: "id-verify"),
                caps: callCaps,
                operationStartedOn: started
            )
        }
        #expect(error.code == .trialFeeRequired)
        let trialTooLong = plan(charge, from: day("2026-01-01"), through: day("2026-07-01"), stage: .trial)
        #expect(throws: PricingError.self) {
            try GuidedPrice.createPlan(
                trialTooLong,
                in: PriceBook(product: "id-verify"),
                caps: callCaps,
                operationStartedOn: started
            )
        }
        let trial = plan(charge, from: day("2026-01-01"), through: day("2026-06-30"), stage: .trial)
        var book = try GuidedPrice.createPlan(
            trial,
            in: PriceBook(product: "id-verify"),
            caps: callCaps,
            operationStartedOn: started
        )
        let standard = plan(charge, version: 2, from: day("2026-07-01"))
        book = try GuidedPrice.createPlan(standard, in: book, caps: callCaps, operationStartedOn: started)
        #expect(try book.plan(on: day("2026-06-30")).feeStage == .trial)
        #expect(try book.plan(on: day("2026-07-01")).feeStage == .standard)
    }

    private func allowed(
        cost: Int64 = 8_000_000,
        profit: Int64 = 1_000_000,
        tax: Int64 = 1_000_000,
        period: BillingPeriod = BillingPeriod.year(2026)!
    ) -> AllowedRevenue {
        AllowedRevenue(
            operatorParty: "op",
            period: period,
            operatingCost: SourcedAmount(Money(fen: cost), source: "成本监审报告 2026"),
            allowedProfit: SourcedAmount(Money(fen: profit), source: "准许收益率 8%"),
            tax: SourcedAmount(Money(fen: tax), source: "税务核定"),
            approvedBy: "price-dept"
        )
    }

    @Test func maximumAllowedRevenueIsCostPlusProfitPlusTax() throws {
        #expect(try allowed().maximum() == Money(fen: 10_000_000))
        let error = try #require(throws: PricingError.self) { try allowed(tax: -1).maximum() }
        #expect(error.code == .negativeAmount)
    }

    @Test func closeCarriesOverageIntoNextAllowance() throws {
        // Max ¥100,000. Revenue ¥120,000 → overage ¥20,000 carried.
        let first = try GuidedPrice.close(allowed(), revenue: Money(fen: 12_000_000), deductionBroughtIn: .zero)
        #expect(first.allowance == Money(fen: 10_000_000))
        #expect(first.overage == Money(fen: 2_000_000))
        #expect(first.carriedToNext == Money(fen: 2_000_000))
        // Next year: allowance ¥80,000; revenue ¥85,000 → overage ¥5,000.
        let second = try GuidedPrice.close(
            allowed(period: BillingPeriod.year(2027)!),
            revenue: Money(fen: 8_500_000),
            deductionBroughtIn: first.carriedToNext
        )
        #expect(second.allowance == Money(fen: 8_000_000))
        #expect(second.overage == Money(fen: 500_000))
        #expect(second.carriedToNext == Money(fen: 500_000))
        // Under the allowance: nothing carried.
        let third = try GuidedPrice.close(allowed(), revenue: Money(fen: 1), deductionBroughtIn: .zero)
        #expect(third.carriedToNext == .zero)
        // A deduction larger than the maximum: allowance zero, the rest carried again.
        let huge = try GuidedPrice.close(
            allowed(),
            revenue: Money(fen: 100),
            deductionBroughtIn: Money(fen: 10_000_300)
        )
        #expect(huge.allowance == .zero)
        #expect(huge.unusedDeduction == Money(fen: 300))
        #expect(huge.carriedToNext == Money(fen: 400))
    }
}
