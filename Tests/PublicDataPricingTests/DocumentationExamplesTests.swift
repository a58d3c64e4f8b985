import PublicDataPricing
import Testing

/// The worked examples of Documentation/Pricing.md, computed through the public API.
@Suite("Documentation examples")
struct DocumentationExamplesTests {
    private let tiers = [
        PriceTier(upTo: 10_000, unitPrice: UnitPrice(fen: 10)),
        PriceTier(upTo: 100_000, unitPrice: UnitPrice(fen: 8)),
        PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 5)),
    ]
    private let cap = FeeCap(
        product: "id-verify",
        limit: .perUnit(.call, UnitPrice(fen: 10)),
        setBy: "agency",
        source: "京价〔2026〕1号"
    )

    @Test func freePublicWelfareCall() throws {
        let flat = plan(.usage(UsageCharge(unit: .call, scheme: .flat(try UnitPrice(yuan: "0.10")))))
        var welfare = subscription(.publicWelfare)
        welfare.scenario.filingReference = "备案 MZ-2026-0007"
        let invoice = try rate(flat, usage: [usage(.call, 1)], subscription: welfare)
        #expect(invoice.total.yuanString == "0.00")
        #expect(invoice.waivedAmount.yuanString == "0.10")
        #expect(invoice.exemption?.evidence == "备案 MZ-2026-0007")
    }

    @Test func cappedPerCallFeeWithTiers() throws {
        let tiered = plan(
            .usage(UsageCharge(unit: .call, scheme: .graduated(tiers))),
            discounts: [
                Discount(
                    scenarioClass: "supported_scenario",
                    kind: .percentage(basisPoints: 1000),
                    label: "扶持场景"
                )
            ]
        )
        let book = try GuidedPrice.createPlan(
            tiered,
            in: PriceBook(product: "id-verify"),
            caps: [cap],
            operationStartedOn: day("2025-01-01")
        )
        let invoice = try Rating.rate(
            RatingRequest(
                invoiceID: "inv",
                subscription: subscription(classes: ["supported_scenario"]),
                period: march2026,
                usage: [usage(.call, 123_456)],
                issuedOn: day("2026-04-01")
            ),
            book: book
        )
        #expect(invoice.lines.first?.tiers.map(\.exact.whole) == [100_000, 720_000, 117_280])
        #expect(invoice.lines.map(\.amount.yuanString) == ["9372.80", "-937.28"])
        #expect(invoice.total.yuanString == "8435.52")

        let tooHigh = plan(
            .usage(
                UsageCharge(
                    unit: .call,
                    scheme: .graduated([
                        PriceTier(upTo: 10_000, unitPrice: UnitPrice(fen: 12)),
                        PriceTier(upTo: 100_000, unitPrice: UnitPrice(fen: 8)),
                        PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 11)),
                    ])
                )
            )
        )
        let error = try #require(throws: PricingError.self) { try GuidedPrice.checkCaps(tooHigh, caps: [cap]) }
        #expect(error.code == .capExceeded)
        #expect(
            error.capViolations.map(\.component) == [
                "graduated tier 1 (units 1–10000)",
                "graduated tier 3 (units from 100001)",
            ]
        )
        #expect(error.capViolations.map(\.price) == ["12 fen per call", "11 fen per call"])

        let subFen = plan(.usage(UsageCharge(unit: .call, scheme: .flat(try UnitPrice(yuan: "0.005")))))
        #expect(try rate(subFen, usage: [usage(.call, 3)]).total.yuanString == "0.02")
    }

    @Test func periodCloseWithOverage() throws {
        func allowed(_ year: Int, cost: String, profit: String, tax: String) throws -> AllowedRevenue {
            AllowedRevenue(
                operatorParty: "op",
                period: BillingPeriod.year(year)!,
                operatingCost: SourcedAmount(try Money(yuan: cost), source: "成本监审报告"),
                allowedProfit: SourcedAmount(try Money(yuan: profit), source: "准许收益率 8%"),
                tax: SourcedAmount(try Money(yuan: tax), source: "税务核定"),
                approvedBy: "price-dept"
            )
        }
        let y2026 = try allowed(2026, cost: "8000000", profit: "640000", tax: "360000")
        #expect(try y2026.maximum().yuanString == "9000000.00")
        let first = try GuidedPrice.close(y2026, revenue: try Money(yuan: "9500000"), deductionBroughtIn: .zero)
        #expect(first.overage.yuanString == "500000.00")
        #expect(first.carriedToNext.yuanString == "500000.00")
        let y2027 = try allowed(2027, cost: "8200000", profit: "640000", tax: "360000")
        let second = try GuidedPrice.close(
            y2027,
            revenue: try Money(yuan: "8600000"),
            deductionBroughtIn: first.carriedToNext
        )
        #expect(second.allowance.yuanString == "8700000.00")
        #expect(second.overage == .zero)
        #expect(second.carriedToNext == .zero)
    }

    @Test func revenueSplitExample() throws {
        let agreement = DistributionAgreement(
            agreement: "agr-001",
            shares: [
                RevenueShare(party: "provider", role: .dataProvider, weight: 3),
                RevenueShare(party: "agency", role: .implementingAgency, weight: 2),
                RevenueShare(party: "operator", role: .operator, weight: 4),
                RevenueShare(party: "pool", role: .compensationPool, weight: 1),
            ]
        )
        let parts = try RevenueDistribution.split(try Money(yuan: "10000.01"), agreement: agreement)
        #expect(parts.map(\.amount.yuanString) == ["3000.00", "2000.00", "4000.01", "1000.00"])
    }
}
