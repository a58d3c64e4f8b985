import PublicDataPricing
import Testing

/// Issue 14: a period cut at a version boundary, caps versioned by date, credit notes by line and quantity.
@Suite("Version segments, versioned caps, line credits")
struct VersionSegmentTests {
    static let firstHalf = try! BillingPeriod(start: day("2026-03-01"), end: day("2026-03-14"))
    static let secondHalf = try! BillingPeriod(start: day("2026-03-15"), end: day("2026-03-31"))

    func request() -> RatingRequest {
        RatingRequest(invoiceID: "inv-1", subscription: subscription(), period: march2026, issuedOn: day("2026-04-01"))
    }

    /// A subscription of ¥31.00 per period for 14 of March's 31 days, then ¥62.00 for 17: 3,100 × 14 / 31 = 1,400
    /// fen and 6,200 × 17 / 31 = 3,400 fen — one line per version, prorated by days.
    @Test func perPeriodAmountsAreProratedBySegmentDays() throws {
        let v1 = plan(.subscription(pricePerPeriod: Money(fen: 3_100)), through: day("2026-03-14"))
        let v2 = plan(.subscription(pricePerPeriod: Money(fen: 6_200)), version: 2, from: day("2026-03-15"))
        let invoice = try Rating.rate(
            request(),
            segments: [
                RatingSegment(plan: v1, period: Self.firstHalf), RatingSegment(plan: v2, period: Self.secondHalf),
            ]
        )
        #expect(invoice.lines.map(\.amount.fen) == [1_400, 3_400])
        #expect(invoice.lines.map(\.planVersion) == [1, 2])
        #expect(invoice.total.fen == 4_800)
        #expect(invoice.period == march2026)
    }

    /// A ¥31.00 minimum per period over 14 days is ¥14.00: 10 calls at ¥0.10 = ¥1.00 are topped up by ¥13.00.
    @Test func theMinimumIsProratedToo() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10))))
        let v1 = plan(flat, minimum: Money(fen: 3_100), through: day("2026-03-14"))
        let v2 = plan(flat, version: 2, from: day("2026-03-15"))
        let invoice = try Rating.rate(
            request(),
            segments: [
                RatingSegment(plan: v1, period: Self.firstHalf, usage: [usage(.call, 10, period: Self.firstHalf)]),
                RatingSegment(plan: v2, period: Self.secondHalf, usage: [usage(.call, 5, period: Self.secondHalf)]),
            ]
        )
        #expect(invoice.lines.map(\.kind) == [.usage, .minimumTopUp, .usage])
        #expect(invoice.lines.map(\.amount.fen) == [100, 1_300, 50])
        #expect(invoice.total.fen == 1_450)
        #expect(invoice.lines.allSatisfy { $0.rounding == RoundingRule.statement })
    }

    @Test func segmentsOutsideThePeriodOrOutOfOrderAreRefused() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10))))
        let v1 = plan(flat, through: day("2026-03-14"))
        let v2 = plan(flat, version: 2, from: day("2026-03-15"))
        let error = try #require(throws: PricingError.self) {
            try Rating.rate(
                request(),
                segments: [
                    RatingSegment(plan: v2, period: Self.secondHalf), RatingSegment(plan: v1, period: Self.firstHalf),
                ]
            )
        }
        #expect(error.code == .invalidPeriod)
        #expect(error.period == Self.firstHalf)
        // A version not in force throughout its segment.
        let wrong = try #require(throws: PricingError.self) {
            try Rating.rate(request(), segments: [RatingSegment(plan: v1, period: march2026)])
        }
        #expect(wrong.code == .noPlanInEffect)
        #expect(wrong.period == march2026)
    }

    /// A new version supersedes the rest of a closed (trial) version.
    @Test func aNewVersionCutsAClosedVersion() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10))))
        let book = try PriceBook(
            product: "id-verify",
            versions: [plan(flat, through: day("2026-12-31"), stage: .trial)]
        )
        let next = try book.adding(plan(flat, version: 2, from: day("2026-06-01"), through: day("2026-12-31")))
        #expect(next.versions.map(\.effectiveThrough) == [day("2026-05-31"), day("2026-12-31")])
    }

    @Test func capsAreVersionedByEffectiveDate() throws {
        let high = FeeCap(
            product: "id-verify",
            limit: .perUnit(.call, UnitPrice(fen: 20)),
            setBy: "agency",
            source: "1号"
        )
        var low = high
        low.limit = .perUnit(.call, UnitPrice(fen: 15))
        low.source = "2号"
        low.effectiveFrom = day("2026-03-20")
        #expect(FeeCap.inForce([high, low], on: day("2026-03-19")) == [high])
        #expect(FeeCap.inForce([high, low], on: day("2026-03-20")) == [low])
        let flat18 = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 18))))
        // Open-ended from 1 March: the lowered cap takes effect while it runs.
        let error = try #require(throws: PricingError.self) {
            try GuidedPrice.createPlan(
                plan(flat18, from: day("2026-03-01")),
                in: PriceBook(product: "id-verify"),
                caps: [high, low],
                operationStartedOn: nil
            )
        }
        #expect(error.code == .capExceeded)
        #expect(error.capViolations.first?.cap == UnitPrice(fen: 15).describe(unit: .call))
        // Ending before the lowered cap it is accepted.
        #expect(throws: Never.self) {
            try GuidedPrice.createPlan(
                plan(flat18, from: day("2026-03-01"), through: day("2026-03-19")),
                in: PriceBook(product: "id-verify"),
                caps: [high, low],
                operationStartedOn: nil
            )
        }
    }

    /// 100 calls at ¥0.20 with a 20 % discount: line ¥20.00, discount −¥4.00, total ¥16.00. Crediting 50 calls
    /// credits the line's share of the total: 2,000 × 50 / 100 × 1,600 / 2,000 = 800 fen.
    @Test func aLineCreditIsItsShareOfTheTotalByQuantity() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 20))))
        let discounted = plan(
            flat,
            discounts: [Discount(scenarioClass: "supported", kind: .percentage(basisPoints: 2_000))]
        )
        let invoice = try rate(
            discounted,
            usage: [usage(.call, 100)],
            subscription: subscription(classes: ["supported"])
        )
        #expect(invoice.total.fen == 1_600)
        let note = try invoice.creditNote(
            id: "cn-1",
            lines: [CreditQuantity(line: 0, quantity: 50)],
            reason: "failed",
            issuedOn: day("2026-04-02")
        )
        #expect(note.amount.fen == 800)
        // The discount line is not a charge line.
        let discountLine = try #require(throws: PricingError.self) {
            try invoice.creditNote(
                id: "cn-2",
                lines: [CreditQuantity(line: 1, quantity: 1)],
                reason: "x",
                issuedOn: day("2026-04-02")
            )
        }
        #expect(discountLine.code == .mismatchedReference)
        let tooMany = try #require(throws: PricingError.self) {
            try invoice.creditNote(
                id: "cn-2",
                lines: [CreditQuantity(line: 0, quantity: 51)],
                reason: "x",
                issuedOn: day("2026-04-02"),
                earlier: [note]
            )
        }
        #expect(tooMany.code == .creditExceedsInvoice)
        #expect(tooMany.invoice == "inv-1")
    }

    /// 3 calls for ¥0.10 credited one at a time: 3, 4 and 3 fen (rounded on the cumulative quantity) — exactly ¥0.10.
    @Test func creditsRoundOnTheCumulativeQuantityAndAddUpExactly() throws {
        let flat = ChargeModel.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 10, per: 3))))
        let invoice = try rate(plan(flat), usage: [usage(.call, 3)])
        #expect(invoice.total.fen == 10)
        var notes: [CreditNote] = []
        for index in 1...3 {
            notes.append(
                try invoice.creditNote(
                    id: InvoiceID("cn-\(index)"),
                    lines: [CreditQuantity(line: 0, quantity: 1)],
                    reason: "failed",
                    issuedOn: day("2026-04-02"),
                    earlier: notes
                )
            )
        }
        #expect(notes.map(\.amount.fen) == [3, 4, 3])
        #expect(notes.map(\.amount.fen).reduce(0, +) == invoice.total.fen)
    }
}
