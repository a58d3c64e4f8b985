import PublicDataPricing
import Testing

@Suite("Bad input")
struct BadInputTests {
    @Test(arguments: ["minute", "", "CALL", "kilobyte"])
    func unknownUnit(_ text: String) throws {
        let error = try #require(throws: PricingError.self) { try MeterUnit(parsing: text) }
        #expect(error.code == .unknownUnit)
    }

    @Test func knownUnitsParse() throws {
        #expect(try MeterUnit(parsing: "call") == .call)
        #expect(try MeterUnit(parsing: "record") == .record)
    }

    @Test(arguments: [
        ("NaN", "invalidQuantity"), ("inf", "invalidQuantity"), ("1e3", "invalidQuantity"),
        ("1.5", "invalidQuantity"), ("", "invalidQuantity"), ("-3", "negativeQuantity"),
        ("99999999999999999999", "invalidQuantity"),
    ])
    func badQuantityText(_ text: String, _ code: String) throws {
        let error = try #require(throws: PricingError.self) { try MeterUnit.call.quantity(parsing: text) }
        #expect(error.code.description == code)
    }

    @Test func goodQuantityText() throws {
        #expect(try MeterUnit.byte.quantity(parsing: "1500000") == 1_500_000)
    }

    @Test func negativeQuantityInRating() throws {
        let flat = UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 1)))
        let error = try #require(throws: PricingError.self) { try Rating.usageAmount(flat, quantity: -1) }
        #expect(error.code == .negativeQuantity)
    }

    @Test func usageInAnotherUnitIsAMismatch() throws {
        let perCall = plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 1)))))
        let error = try #require(throws: PricingError.self) { try rate(perCall, usage: [usage(.byte, 10)]) }
        #expect(error.code == .unitMismatch)
    }

    @Test func usageOfAnotherPeriodOrSubscriptionIsRefused() throws {
        let perCall = plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 1)))))
        let error = try #require(throws: PricingError.self) {
            try rate(perCall, usage: [usage(.call, 10, period: april2026)])
        }
        #expect(error.code == .mismatchedReference)
    }

    @Test func malformedPlanListsEveryIssue() throws {
        let bad = plan(
            .usage(
                UsageCharge(
                    unit: .call,
                    scheme: .graduated([
                        PriceTier(upTo: 100, unitPrice: UnitPrice(fen: -1)),
                        PriceTier(upTo: 50, unitPrice: UnitPrice(fen: 1, per: 0)),
                    ])
                )
            ),
            minimum: Money(fen: 500),
            maximum: Money(fen: 100),
            discounts: [Discount(scenarioClass: "", kind: .percentage(basisPoints: 10_001))],
            through: day("2025-01-01")
        )
        let error = try #require(throws: PricingError.self) { try bad.validate() }
        #expect(error.code == .invalidPlan)
        let paths = Set(error.issues.map(\.path))
        #expect(
            paths.isSuperset(of: [
                "$.effectiveThrough", "$.charge.usage.scheme.graduated[0].unitPrice.fen",
                "$.charge.usage.scheme.graduated[1].unitPrice.per", "$.charge.usage.scheme.graduated[1].upTo",
                "$.minimumPerPeriod", "$.discounts[0].scenarioClass", "$.discounts[0].kind.percentage",
            ])
        )
        #expect(throws: PricingError.self) {
            try plan(.usage(UsageCharge(unit: .call, scheme: .package(blockSize: 0, blockPrice: Money(fen: 1)))))
                .validate()
        }
        #expect(throws: PricingError.self) {
            try plan(.oneOff(price: Money(fen: -5))).validate()
        }
    }

    @Test func badUnitPriceText() {
        for text in ["abc", "1.123456789", "", "1.", "-1"] {
            #expect(throws: PricingError.self) { try UnitPrice(yuan: text) }
        }
        #expect(throws: PricingError.self) { try UnitPrice(yuan: "1", per: 0) }
    }

    @Test func overflowIsATypedError() throws {
        let huge = UsageCharge(unit: .byte, scheme: .flat(UnitPrice(fen: Int64.max)))
        let error = try #require(throws: PricingError.self) { try Rating.usageAmount(huge, quantity: 3) }
        #expect(error.code == .overflow)
        let period = try #require(throws: PricingError.self) {
            try BillingPeriod(start: day("2026-03-02"), end: day("2026-03-01"))
        }
        #expect(period.code == .invalidPeriod)
    }

    @Test func overCreditIsRefused() throws {
        let invoice = try rate(
            plan(.oneOff(price: Money(fen: 1000))),
            subscription: subscription(startedOn: day("2026-03-01"))
        )
        let note = try invoice.creditNote(
            id: "cn-1",
            amount: Money(fen: 400),
            reason: "wrong tier",
            issuedOn: day("2026-04-02")
        )
        #expect(note.corrects == invoice.id)
        let error = try #require(throws: PricingError.self) {
            try invoice.creditNote(
                id: "cn-2",
                amount: Money(fen: 601),
                reason: "x",
                issuedOn: day("2026-04-02"),
                alreadyCredited: note.amount
            )
        }
        #expect(error.code == .creditExceedsInvoice)
        #expect(throws: PricingError.self) {
            try invoice.creditNote(id: "cn-3", amount: .zero, reason: "x", issuedOn: day("2026-04-02"))
        }
    }
}

@Suite("Bad references")
struct BadReferenceTests {
    @Test func planOfAnotherOperatorOrProductIsRefused() throws {
        var other = subscription()
        other.operatorParty = "other-op"
        let flat = plan(.usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 1)))))
        let error = try #require(throws: PricingError.self) { try rate(flat, subscription: other) }
        #expect(error.code == .mismatchedReference)
        var otherProduct = subscription()
        otherProduct.product = "another"
        #expect(throws: PricingError.self) { try rate(flat, subscription: otherProduct) }
    }
}

@Suite("Decimal quantities")
struct DecimalQuantityTests {
    @Test(arguments: [
        ("1.5", MeterUnit.second, Int64(3600), Int64(5400)),
        ("0.25", .byte, 1_000_000, 250_000),
        ("12", .record, 1, 12),
        ("0.000001", .byte, 1_000_000, 1),
        ("2.50", .call, 2, 5),
    ])
    func exactDecimalsConvertToWholeUnits(_ text: String, _ unit: MeterUnit, _ per: Int64, _ expected: Int64) throws {
        #expect(try unit.quantity(parsingDecimal: text, unitsPer: per) == expected)
    }

    @Test(arguments: [
        ("0.0001", Int64(3600), "invalidQuantity"), ("NaN", 1, "invalidQuantity"), ("inf", 1, "invalidQuantity"),
        ("1e3", 1, "invalidQuantity"), ("-1.5", 3600, "negativeQuantity"), ("1.", 1, "invalidQuantity"),
        (".5", 2, "invalidQuantity"), ("1", 0, "invalidQuantity"), ("9223372036854775807", 2, "overflow"),
    ])
    func badDecimals(_ text: String, _ per: Int64, _ code: String) throws {
        let error = try #require(throws: PricingError.self) {
            try MeterUnit.second.quantity(parsingDecimal: text, unitsPer: per)
        }
        #expect(error.code.description == code)
    }
}

@Suite("Operating accounts")
struct OperatingAccountsTests {
    private func entry(
        _ id: String,
        _ product: ProductID,
        _ kind: AccountEntryKind,
        _ fen: Int64,
        on text: String = "2026-03-15",
        operatorParty: PartyID = "op"
    ) -> AccountEntry {
        AccountEntry(
            id: id,
            operatorParty: operatorParty,
            product: product,
            bookedOn: day(text),
            kind: kind,
            amount: Money(fen: fen)
        )
    }

    @Test func reportPerProductAndTotals() throws {
        let entries = [
            entry("1", "b-report", .revenue, 50_000), entry("2", "b-report", .cost, 20_000),
            entry("3", "a-verify", .revenue, 10_000), entry("4", "a-verify", .expense, 1500),
            entry("5", "a-verify", .revenue, -2000),  // a credit note
            entry("6", "a-verify", .revenue, 99_999, on: "2026-04-01"),  // another period
            entry("7", "a-verify", .revenue, 77_777, operatorParty: "other"),  // another operator
        ]
        let report = try OperatingAccounts.report(entries: entries, operatorParty: "op", period: march2026)
        #expect(report.products.map(\.product) == ["a-verify", "b-report"])
        #expect(report.products[0].revenue == Money(fen: 8000))
        #expect(report.products[0].result == Money(fen: 6500))
        #expect(report.products[1].result == Money(fen: 30_000))
        #expect(report.totals.revenue == Money(fen: 58_000))
        #expect(report.totals.cost == Money(fen: 20_000))
        #expect(report.totals.expense == Money(fen: 1500))
        #expect(report.totals.result == Money(fen: 36_500))
        #expect(report.maximumAllowedRevenue == nil)
    }

    @Test func negativeCostIsRefused() {
        #expect(throws: PricingError.self) { try entry("x", "p", .cost, -1).validate() }
        #expect(throws: Never.self) { try entry("x", "p", .revenue, -1).validate() }
    }

    @Test func annualReportShowsFeesAgainstCaps() throws {
        let charge = ChargeModel.usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers)))
        let book = try PriceBook(product: "id-verify", versions: [plan(charge)])
        let lowered = [
            FeeCap(
                product: "id-verify",
                limit: .perUnit(.call, UnitPrice(fen: 9)),
                setBy: "agency",
                source: "cap lowered 2026-06"
            )
        ]
        let annual = try OperatingAccounts.annualReport(
            year: 2026,
            operatorParty: "op",
            entries: [],
            books: [book],
            caps: lowered
        )
        let fee = try #require(annual.fees.first)
        #expect(!fee.isCompliant)
        #expect(fee.violations.map(\.tierIndex) == [0])
        let uncapped = try OperatingAccounts.annualReport(
            year: 2026,
            operatorParty: "op",
            entries: [],
            books: [book],
            caps: []
        )
        #expect(uncapped.fees.first?.capMissing == true)
        #expect(throws: PricingError.self) {
            try OperatingAccounts.annualReport(year: 0, operatorParty: "op", entries: [], books: [], caps: [])
        }
    }
}
