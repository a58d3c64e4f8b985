import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Money end to end under 65号 (issue 14): effective-dated prices cut at the version boundary, versioned caps,
/// the allowance and its deduction as commands, classes only from the filing, invoices that state their rules,
/// voided usage, line-level credit notes and typed error details. Amounts are hand-computed, exact to the fen.
struct MoneyProcessTests {
    /// The published product (pp-1: trial, ¥0.20 per call, 2026-03-01 through 2027-02-28) with scn-1 active.
    static let activeScenario = Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4))

    /// A version of prod-1's price at `fen` per call.
    static func version(
        _ number: Int,
        fen: Int64,
        from: String,
        through: String? = "2027-02-28",
        stage: FeeStage = .trial,
        discounts: [Discount] = []
    ) -> PricePlan {
        var plan = Samples.pricePlan(fen: fen)
        plan.id = PricePlanID("pp-\(number)")
        plan.version = number
        plan.effectiveFrom = CivilDate(from)!
        plan.effectiveThrough = through.flatMap { CivilDate($0) }
        plan.feeStage = stage
        plan.discounts = discounts
        return plan
    }

    static func use(_ world: World, _ key: String, _ quantity: Int64, at instant: String) async throws {
        world.clock.set(testInstant(instant))
        try await world.run(
            .operator,
            .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage(key, quantity: quantity)))
        )
    }

    static func close(_ world: World, _ start: String, _ end: String, at instant: String) async throws -> [Invoice] {
        world.clock.set(testInstant(instant))
        let period = try BillingPeriod(start: CivilDate(start)!, end: CivilDate(end)!)
        try await world.run(
            .implementingAgency,
            .settlement(.closeSettlementPeriod(agreement: "agr-1", period: period))
        )
        return try await world.engine.instance(SettlementProcess.self, "agr-1").facts.invoices
    }

    /// Expects `body` to be refused with `code`, the store left exactly as it was; returns the error.
    @discardableResult
    static func refused(
        _ world: World,
        _ code: WorkflowError.Code,
        sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () async throws -> Void
    ) async throws -> WorkflowError? {
        let before = try await world.log()
        var caught: WorkflowError?
        do {
            try await body()
            Issue.record("expected \(code), but the command succeeded", sourceLocation: sourceLocation)
        } catch let error as WorkflowError {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(!error.articles.isEmpty, "\(error)", sourceLocation: sourceLocation)
            caught = error
        }
        #expect(try await world.log() == before, "the refusal changed the store", sourceLocation: sourceLocation)
        return caught
    }

    // MARK: - 1. Effective-dated prices

    /// v2 (¥0.10) takes effect on 2026-03-15 at 00:00:00 Beijing time (2026-03-14T16:00:00Z): a call one second
    /// earlier is priced by v1 (¥0.20), a call at the instant by v2; March is invoiced with one line per version.
    @Test func aPeriodSpanningTwoVersionsIsInvoicedPerVersionCutAtTheSecond() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Self.version(2, fen: 10, from: "2026-03-15")))
        )
        let book = try #require(try await world.engine.instance(ProductProcess.self, "prod-1").facts.priceBook)
        #expect(book.versions.map(\.effectiveThrough) == [CivilDate("2026-03-14"), CivilDate("2027-02-28")])

        try await Self.use(world, "u-before", 100, at: "2026-03-14T15:59:59Z")
        try await Self.use(world, "u-at", 50, at: "2026-03-14T16:00:00Z")
        let invoices = try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-04-01T02:00:00Z")
        let invoice = try #require(invoices.first)
        #expect(invoice.lines.map(\.amount.fen) == [2_000, 500])  // 100 × ¥0.20, 50 × ¥0.10
        #expect(invoice.lines.map(\.quantity) == [100, 50])
        #expect(invoice.lines.map(\.planVersion) == [1, 2])
        #expect(invoice.lines.map(\.plan) == ["pp-1", "pp-2"])
        #expect(invoice.lines.map(\.feeStage) == [.trial, .trial])
        #expect(
            invoice.lines.map(\.segment)
                == [
                    try BillingPeriod(start: CivilDate("2026-03-01")!, end: CivilDate("2026-03-14")!),
                    try BillingPeriod(start: CivilDate("2026-03-15")!, end: CivilDate("2026-03-31")!),
                ]
        )
        #expect(invoice.total.fen == 2_500)
        #expect(invoice.lines.map(\.amount.fen).reduce(0, +) == invoice.total.fen)
        #expect(invoice.rounding == RoundingRule.statement)
        #expect(invoice.lines.allSatisfy { $0.rounding == RoundingRule.statement })

        // An issued invoice never changes: a version may not start in an invoiced period (nor on or before today).
        let error = try await Self.refused(world, .pricing) {
            try await world.run(
                .operator,
                .product(.publishProduct(product: "prod-1", plan: Self.version(3, fen: 5, from: "2026-03-20")))
            )
        }
        #expect(error?.details?.pricingCode == "retroactiveVersion")
        #expect(error?.details?.planVersion == 3)
    }

    @Test func aNewVersionStartsAfterTodayAndWithinTheCapInForce() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        // Today is 2026-03-02: a version starting today would re-price calls already priced today.
        let today = try await Self.refused(world, .pricing) {
            try await world.run(
                .operator,
                .product(.publishProduct(product: "prod-1", plan: Self.version(2, fen: 10, from: "2026-03-02")))
            )
        }
        #expect(today?.details?.pricingCode == "retroactiveVersion")
        #expect(today?.details?.product == "prod-1")
        // Above the ¥0.50 cap.
        let above = try await Self.refused(world, .pricing) {
            try await world.run(
                .operator,
                .product(.publishProduct(product: "prod-1", plan: Self.version(2, fen: 60, from: "2026-03-20")))
            )
        }
        #expect(above?.details?.pricingCode == "capExceeded")
        #expect(above?.details?.cap == UnitPrice(fen: 50).describe(unit: .call))
        #expect(above?.details?.price == UnitPrice(fen: 60).describe(unit: .call))
    }

    /// 65号 step 3: before a full year of operation (the agreement starts 2026-03-01) fees are trial fees; the
    /// standard fee is a new version from 2027-03-01. A call at 23:59:59 on 28 February is a trial-fee call.
    @Test func theMoveFromTrialToStandardFeeIsAVersionInvoicedAtItsBoundary() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await Self.refused(world, .pricing) {
            try await world.run(
                .operator,
                .product(
                    .publishProduct(
                        product: "prod-1",
                        plan: Self.version(2, fen: 30, from: "2027-02-01", through: nil, stage: .standard)
                    )
                )
            )
        }
        try await world.run(
            .operator,
            .product(
                .publishProduct(
                    product: "prod-1",
                    plan: Self.version(2, fen: 30, from: "2027-03-01", through: nil, stage: .standard)
                )
            )
        )
        try await Self.use(world, "u-trial", 10, at: "2027-02-28T15:59:59Z")
        try await Self.use(world, "u-standard", 10, at: "2027-02-28T16:00:00Z")
        let invoice = try #require(
            try await Self.close(world, "2027-02-01", "2027-03-31", at: "2027-04-01T02:00:00Z").first
        )
        #expect(invoice.lines.map(\.feeStage) == [.trial, .standard])
        #expect(invoice.lines.map(\.amount.fen) == [200, 300])
        #expect(invoice.total.fen == 500)
    }

    /// Caps are versioned by effective date: a cap lowered to ¥0.15 from 2026-03-20 refuses calls priced above it
    /// from that day (never silently billed) until a version within it takes over; earlier days keep their price.
    @Test func aLoweredCapAppliesFromItsDate() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        var lowered = Samples.cap
        lowered.limit = .perUnit(.call, UnitPrice(fen: 15))
        lowered.effectiveFrom = CivilDate("2026-03-20")
        try await world.run(.implementingAgency, .product(.setFeeCap(product: "prod-1", cap: lowered)))
        // A retroactive cap is refused.
        var retroactive = lowered
        retroactive.effectiveFrom = CivilDate("2026-03-01")
        try await Self.refused(world, .invalidInput) {
            try await world.run(.implementingAgency, .product(.setFeeCap(product: "prod-1", cap: retroactive)))
        }
        // A version that would run into the lowered cap at ¥0.18 is refused now.
        try await Self.refused(world, .pricing) {
            try await world.run(
                .operator,
                .product(.publishProduct(product: "prod-1", plan: Self.version(2, fen: 18, from: "2026-03-10")))
            )
        }
        try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Self.version(2, fen: 15, from: "2026-03-25")))
        )

        try await Self.use(world, "u-19", 10, at: "2026-03-19T15:59:59Z")  // 23:59:59 on the 19th: ¥0.20 is in force
        let error = try await Self.refused(world, .pricing) {
            try await Self.use(world, "u-20", 10, at: "2026-03-19T16:00:00Z")
        }
        #expect(error?.details?.pricingCode == "capExceeded")
        #expect(error?.details?.product == "prod-1")
        #expect(error?.details?.cap == UnitPrice(fen: 15).describe(unit: .call))
        #expect(error?.details?.price == UnitPrice(fen: 20).describe(unit: .call))
        try await Self.use(world, "u-25", 10, at: "2026-03-24T16:00:00Z")
        let invoice = try #require(
            try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-04-01T02:00:00Z").first
        )
        #expect(invoice.lines.map(\.amount.fen) == [200, 150])
    }

    // MARK: - 2. The allowance as commands

    /// ¥125 approved for 2026 (cost ¥100 + profit ¥20 + tax ¥5); 2026 revenue ¥200 → ¥75 excess deducted once from
    /// 2027 (¥120 − ¥75 = ¥45); 2027 revenue ¥100 → ¥55 carried to 2028 (¥200 − ¥55 = ¥145); 2028 revenue ¥20.
    @Test func theAllowanceAndItsExcessOverThreeYearsDeductOnce() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(
            .operator,
            .product(
                .publishProduct(
                    product: "prod-1",
                    plan: Self.version(2, fen: 20, from: "2027-03-01", through: nil, stage: .standard)
                )
            )
        )
        try await world.run(.priceDepartment, Samples.approveAllowance(2026))
        #expect(try await world.engine.allowance(agreement: "agr-1", year: 2026) == nil, "one approval is not enough")
        try await Self.refused(world, .invalidInput) {
            try await world.run(.dataAdministration, Samples.approveAllowance(2026, cost: 99_999))
        }
        try await world.run(.dataAdministration, Samples.approveAllowance(2026))
        try await Self.refused(world, .invalidState) {
            try await world.run(.priceDepartment, Samples.approveAllowance(2026))
        }
        for role in [Role.priceDepartment, .dataAdministration] {
            try await world.run(role, Samples.approveAllowance(2027, cost: 9_000, profit: 2_500, tax: 500))
            try await world.run(role, Samples.approveAllowance(2028, cost: 15_000, profit: 4_000, tax: 1_000))
        }

        try await Self.use(world, "u-2026", 1_000, at: "2026-06-10T02:00:00Z")
        _ = try await Self.close(world, "2026-06-01", "2026-06-30", at: "2026-07-01T02:00:00Z")
        try await Self.refused(world, .invalidState) {  // the year is not over
            try await world.run(.priceDepartment, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2026)))
        }
        try await Self.use(world, "u-2027", 500, at: "2027-02-10T02:00:00Z")
        // Usage of 2027 is still open, but 2026's is invoiced.
        try await world.run(.priceDepartment, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2026)))
        let status2026 = try #require(try await world.engine.allowance(agreement: "agr-1", year: 2026))
        #expect(status2026.maximumAllowedRevenue.fen == 12_500)
        #expect(status2026.close?.revenue.fen == 20_000)
        #expect(status2026.close?.overage.fen == 7_500)
        #expect(status2026.close?.carriedToNext.fen == 7_500)
        try await Self.refused(world, .invalidState) {  // a second close of the year
            try await world.run(.dataAdministration, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2026)))
        }
        let status2027 = try #require(try await world.engine.allowance(agreement: "agr-1", year: 2027))
        #expect(status2027.deductionBroughtIn.fen == 7_500)
        #expect(status2027.effectiveAllowance.fen == 4_500)

        _ = try await Self.close(world, "2027-02-01", "2027-02-28", at: "2027-03-01T02:00:00Z")
        world.clock.set(testInstant("2028-01-05T02:00:00Z"))
        try await Self.refused(world, .invalidState) {  // 2028 before 2027
            world.clock.set(testInstant("2029-01-05T02:00:00Z"))
            try await world.run(.priceDepartment, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2028)))
        }
        world.clock.set(testInstant("2028-01-05T02:00:00Z"))
        try await world.run(.dataAdministration, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2027)))
        let closed2027 = try #require(try await world.engine.allowance(agreement: "agr-1", year: 2027)?.close)
        #expect(closed2027.deductionBroughtIn.fen == 7_500)
        #expect(closed2027.allowance.fen == 4_500)
        #expect(closed2027.revenue.fen == 10_000)
        #expect(closed2027.overage.fen == 5_500)
        #expect(closed2027.carriedToNext.fen == 5_500)

        try await Self.use(world, "u-2028", 100, at: "2028-05-10T02:00:00Z")
        _ = try await Self.close(world, "2028-05-01", "2028-05-31", at: "2028-06-01T02:00:00Z")
        world.clock.set(testInstant("2029-01-05T02:00:00Z"))
        try await world.run(.priceDepartment, .settlement(.closeAllowanceYear(agreement: "agr-1", year: 2028)))
        let closed2028 = try #require(try await world.engine.allowance(agreement: "agr-1", year: 2028)?.close)
        #expect(closed2028.deductionBroughtIn.fen == 5_500)  // 2027's carry only, never 2026's again
        #expect(closed2028.allowance.fen == 14_500)
        #expect(closed2028.revenue.fen == 2_000)
        #expect(closed2028.overage.fen == 0)
        #expect(closed2028.carriedToNext.fen == 0)
    }

    @Test func theAnnualReportIsDueOn31MarchAndIsRecordedOnce() async throws {
        let world = World()
        let steps = Scripts.money.dropLast()
        try await world.run(Array(steps))
        let settlement = try await world.engine.instance(SettlementProcess.self, "agr-1")
        #expect(settlement.openDeadlines[.annualReport]?.dueDay == CivilDate("2027-03-31"))
        world.clock.set(testInstant("2027-04-01T02:00:00Z"))
        try await world.engine.advance()
        #expect(try await world.log().contains { $0.type == "settlement.annualReportOverdue" })
        let filed = try await world.run(
            .operator,
            .settlement(.fileAnnualReport(agreement: "agr-1", year: 2026, report: "报告"))
        )
        #expect(filed.events.map(\.type) == ["settlement.annualReportFiled"])
        #expect(
            try await world.engine.instance(SettlementProcess.self, "agr-1").facts.annualReports[2026]?.late == true
        )
        try await Self.refused(world, .invalidState) {
            try await world.run(
                .operator,
                .settlement(.fileAnnualReport(agreement: "agr-1", year: 2026, report: "again"))
            )
        }
    }

    // MARK: - 3. Purpose and classes only from the filing

    /// A 20 % discount for "supported_scenario": a caller's JSON asserting public welfare and the class is ignored
    /// (the industry price is charged in full); once the agency records the class on the filing, it applies.
    @Test func purposeAndClassesComeOnlyFromTheFiling() async throws {
        let world = World()
        try await world.run(Array(Scripts.toPublishedProduct.dropLast()))
        var plan = Samples.pricePlan()
        plan.discounts = [
            Discount(scenarioClass: "supported_scenario", kind: .percentage(basisPoints: 2_000), label: "扶持场景")
        ]
        try await world.run(.operator, .product(.publishProduct(product: "prod-1", plan: plan)))
        try await world.run(Array(Self.activeScenario.suffix(4)))

        let asserted = """
            {"settlement":{"recordUsage":{"agreement":"agr-1","usage":{"product":"prod-1","subscription":"sub-1",\
            "consumer":"biz-1","scenario":"scn-1","unit":"call","quantity":100,"idempotencyKey":"u-claim",\
            "purpose":"public_welfare","classes":["supported_scenario"]}}}}
            """
        let command = try JSONDecoder().decode(WorkflowCommand.self, from: Data(asserted.utf8))
        let recorded = try await world.engine.execute(command, by: Parties.actor(.operator))
        #expect(recorded.events.count == 1)
        let charged = try #require(
            try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-03-31T02:00:00Z").first
        )
        #expect(charged.purpose == .industryDevelopment)
        #expect(charged.exemption == nil)
        #expect(charged.total.fen == 2_000)
        #expect(!charged.lines.contains { $0.kind == .discount })

        try await world.run(
            .implementingAgency,
            .scenario(.recordScenarioClasses(scenario: "scn-1", classes: ["supported_scenario"], basis: "扶持 2026-1"))
        )
        try await Self.use(world, "u-april", 100, at: "2026-04-02T02:00:00Z")
        let discounted = try #require(
            try await Self.close(world, "2026-04-01", "2026-04-30", at: "2026-05-01T02:00:00Z").first
        )
        #expect(discounted.lines.map(\.amount.fen) == [2_000, -400])
        #expect(discounted.lines.last?.discountClass == "supported_scenario")
        #expect(discounted.total.fen == 1_600)
        // Only the agency records classes.
        try await Self.refused(world, .roleNotPermitted) {
            try await world.run(
                .businessEntity,
                .scenario(.recordScenarioClasses(scenario: "scn-1", classes: ["x"], basis: "self"))
            )
        }
    }

    /// The free purposes are the adopted policy's: with public welfare no longer free, a welfare filing pays.
    @Test func freePurposesComeFromThePolicyOnly() async throws {
        for (free, total) in [([Purpose.publicGovernance, .publicWelfare], Int64(0)), ([.publicGovernance], 2_000)] {
            let world = World { $0.freePurposes = Set(free) }
            var steps = Self.activeScenario
            var welfare = Samples.scenario
            welfare.purpose = .publicWelfare
            steps[Scripts.toPublishedProduct.count] = .by(.businessEntity, .scenario(.applyScenario(scenario: welfare)))
            try await world.run(steps)
            try await Self.use(world, "u-1", 100, at: "2026-03-10T02:00:00Z")
            let invoice = try #require(
                try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-04-01T02:00:00Z").first
            )
            #expect(invoice.total.fen == total)
            if total == 0 {
                #expect(invoice.exemption?.evidence == "filed scenario scn-1")
                #expect(invoice.exemption?.condition.contains("有条件无偿使用") == true)
                #expect(invoice.waivedAmount.fen == 2_000)
            }
        }
    }

    // MARK: - 5. Metering that cannot poison a period

    @Test func aUsageInAnUnmeteredUnitIsRefusedAndAVoidedRecordIsNotInvoiced() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        var seconds = Samples.usage("u-seconds")
        seconds.unit = .second
        let error = try await Self.refused(world, .invalidInput) {
            try await world.run(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: seconds)))
        }
        #expect(error?.details?.unit == .second)
        #expect(error?.details?.product == "prod-1")
        #expect(error?.details?.party == Parties.business)

        try await Self.use(world, "u-1", 10, at: "2026-03-10T02:00:00Z")
        try await Self.use(world, "u-2", 5, at: "2026-03-10T03:00:00Z")
        let voided = try await world.run(
            .operator,
            .settlement(.voidUsage(agreement: "agr-1", idempotencyKey: "u-2", reason: "test call"))
        )
        #expect(voided.events.map(\.type) == ["settlement.usageVoided"])
        try await Self.refused(world, .notFound) {
            try await world.run(
                .operator,
                .settlement(.voidUsage(agreement: "agr-1", idempotencyKey: "u-2", reason: "again"))
            )
        }
        try await Self.refused(world, .invalidState) {  // a voided key is never counted again
            try await Self.use(world, "u-2", 5, at: "2026-03-10T04:00:00Z")
        }
        let invoice = try #require(
            try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-04-01T02:00:00Z").first
        )
        #expect(invoice.lines.map(\.quantity) == [10])
        #expect(invoice.total.fen == 200)
        // The record stays in the log: voiding is traceable, never a deletion.
        #expect(try await world.log().contains { $0.id == EventID("usage:agr-1:u-2") })
    }

    /// A portal reports many calls at once: one command, idempotent per record.
    @Test func aBatchOfUsageRecordsIsOneCommandIdempotentPerRecord() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await Self.use(world, "u-1", 10, at: "2026-03-10T02:00:00Z")
        let batch = (1...200).map { Samples.usage("u-\($0)", quantity: 1) }
        let outcome = try await world.run(.operator, .settlement(.recordUsageBatch(agreement: "agr-1", usages: batch)))
        #expect(outcome.events.count == 199)  // u-1 was already counted
        try await Self.refused(world, .invalidState) {  // the same batch again: nothing new
            try await world.run(.operator, .settlement(.recordUsageBatch(agreement: "agr-1", usages: batch)))
        }
        var bad = batch + [Samples.usage("u-seconds")]
        bad[bad.count - 1].unit = .second
        try await Self.refused(world, .invalidInput) {  // one bad record refuses the batch
            try await world.run(.operator, .settlement(.recordUsageBatch(agreement: "agr-1", usages: bad)))
        }
        let invoice = try #require(
            try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-04-01T02:00:00Z").first
        )
        #expect(invoice.lines.map(\.quantity) == [209])  // 10 + 199
        #expect(invoice.total.fen == 4_180)
    }

    // MARK: - 6. Credit notes by line and quantity

    @Test func creditNotesCreditLinesByQuantityNeverAboveTheInvoiceAndNetRevenueIsSplit() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Self.version(2, fen: 10, from: "2026-03-15")))
        )
        try await Self.use(world, "u-before", 100, at: "2026-03-10T02:00:00Z")
        try await Self.use(world, "u-after", 50, at: "2026-03-20T02:00:00Z")
        let invoice = try #require(
            try await Self.close(world, "2026-03-01", "2026-03-31", at: "2026-04-01T02:00:00Z").first
        )
        #expect(invoice.total.fen == 2_500)

        func credit(_ lines: [CreditQuantity]) async throws {
            try await world.run(
                .operator,
                .settlement(
                    .issueCreditNote(agreement: "agr-1", invoice: invoice.id, lines: lines, reason: "failed calls")
                )
            )
        }
        try await credit([CreditQuantity(line: 0, quantity: 40), CreditQuantity(line: 1, quantity: 10)])
        let notes = try await world.engine.instance(SettlementProcess.self, "agr-1").facts.credits[invoice.id] ?? []
        #expect(notes.first?.amount.fen == 900)  // 40 × ¥0.20 + 10 × ¥0.10
        #expect(notes.first?.lines?.map(\.amount.fen) == [800, 100])
        #expect(notes.first?.lines?.map(\.planVersion) == [1, 2])
        #expect(notes.first?.corrects == invoice.id)

        let error = try await Self.refused(world, .pricing) {
            try await credit([CreditQuantity(line: 0, quantity: 61)])
        }
        #expect(error?.details?.pricingCode == "creditExceedsInvoice")
        #expect(error?.details?.invoice == invoice.id)
        try await Self.refused(world, .notFound) {
            try await world.run(
                .operator,
                .settlement(
                    .issueCreditNote(
                        agreement: "agr-1",
                        invoice: "inv-none",
                        lines: [CreditQuantity(line: 0, quantity: 1)],
                        reason: "x"
                    )
                )
            )
        }
        // Net revenue flows to the split, the year's revenue and the disclosure: ¥25.00 − ¥9.00 = ¥16.00.
        try await world.run(
            .financeDepartment,
            .settlement(.distributeRevenue(agreement: "agr-1", shares: Samples.shares))
        )
        let settlement = try await world.engine.instance(SettlementProcess.self, "agr-1")
        #expect(settlement.facts.allocations.map(\.amount.fen).reduce(0, +) == 1_600)
        #expect(settlement.facts.netRevenue(2026).fen == 1_600)
        // The invoice itself never changes.
        #expect(settlement.facts.issued[invoice.id] == invoice)
    }

    // MARK: - 7. Typed error details survive JSON

    @Test func errorDetailsAreTypedAndEncoded() throws {
        var error = WorkflowError(code: .pricing, message: "cap", articles: ["65号"])
        error.details = WorkflowError.Details(
            party: "op-1",
            product: "prod-1",
            unit: .call,
            period: Samples.march,
            year: 2026,
            capViolations: [CapViolation(product: "prod-1", component: "per call", cap: "¥0.15", price: "¥0.20")]
        )
        let decoded = try JSONDecoder().decode(WorkflowError.self, from: JSONEncoder().encode(error))
        #expect(decoded.details == error.details)
        #expect(decoded.details?.cap == "¥0.15")
        #expect(decoded.details?.price == "¥0.20")
    }
}
