import PublicDataPricing

/// A day from `"YYYY-MM-DD"`; test inputs are literals known to be valid.
func day(_ text: String) -> CivilDate {
    CivilDate(text) ?? CivilDate(daysSinceEpoch: 0)
}

let march2026 = BillingPeriod.month(2026, 3) ?? BillingPeriod.month(2000, 1)!
let april2026 = BillingPeriod.month(2026, 4) ?? BillingPeriod.month(2000, 1)!

func scenario(_ purpose: Purpose = .industryDevelopment, classes: Set<String> = []) -> FiledScenario {
    FiledScenario(id: "scn-credit", purpose: purpose, filingReference: "备案 JD-2026-0042", classes: classes)
}

func subscription(
    _ purpose: Purpose = .industryDevelopment,
    classes: Set<String> = [],
    startedOn: CivilDate = day("2026-01-15")
) -> ProductSubscription {
    ProductSubscription(
        id: "sub-1",
        product: "id-verify",
        consumer: "bank-a",
        operatorParty: "op",
        scenario: scenario(purpose, classes: classes),
        startedOn: startedOn
    )
}

func plan(
    _ charge: ChargeModel,
    minimum: Money? = nil,
    maximum: Money? = nil,
    discounts: [Discount] = [],
    version: Int = 1,
    from: CivilDate = day("2026-01-01"),
    through: CivilDate? = nil,
    stage: FeeStage = .standard
) -> PricePlan {
    PricePlan(
        id: PricePlanID("id-verify-v\(version)"),
        product: "id-verify",
        operatorParty: "op",
        version: version,
        effectiveFrom: from,
        effectiveThrough: through,
        charge: charge,
        minimumPerPeriod: minimum,
        maximumPerPeriod: maximum,
        discounts: discounts,
        feeStage: stage
    )
}

func usage(_ unit: MeterUnit, _ quantity: Int64, period: BillingPeriod = march2026) -> UsageAggregate {
    UsageAggregate(
        subscription: "sub-1",
        period: period,
        unit: unit,
        count: 1,
        sum: quantity,
        max: quantity,
        distinctCount: 1
    )
}

func rate(
    _ plan: PricePlan,
    usage aggregates: [UsageAggregate] = [],
    subscription sub: ProductSubscription = subscription(),
    period: BillingPeriod = march2026,
    freePurposes: Set<Purpose> = PurposeRule.defaultFreePurposes
) throws -> Invoice {
    try Rating.rate(
        RatingRequest(
            invoiceID: "inv-1",
            subscription: sub,
            period: period,
            usage: aggregates,
            issuedOn: day("2026-04-01"),
            freePurposes: freePurposes
        ),
        plan: plan
    )
}

/// Graduated / volume tiers used across tests: 1–1000 at 10 fen, 1001–10000 at 8 fen, above at 5 fen.
let standardTiers = [
    PriceTier(upTo: 1000, unitPrice: UnitPrice(fen: 10)),
    PriceTier(upTo: 10_000, unitPrice: UnitPrice(fen: 8)),
    PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 5)),
]

/// A small deterministic generator (SplitMix64) so property tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
