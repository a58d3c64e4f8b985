import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// The annual operating report (Art. 21; 65号 step 6) carries figures built from the recorded invoices and credit
/// notes, and a one-off product is invoiced by quantity through the workflow (issue 14).
struct AnnualReportTests {
    /// The sums of the invoices and credit notes of `year` as the event log records them (decoded here, not read
    /// from the settlement's facts): invoices whose period ends in the year, credit notes issued in it.
    static func recordedSums(_ log: [RecordedEvent], year: Int) throws -> (invoiced: Int64, credited: Int64) {
        var invoiced: Int64 = 0
        var credited: Int64 = 0
        for event in log where event.type.hasPrefix("settlement.") {
            switch try EventEnvelope<SettlementProcess>(decoding: event).event {
            case .periodClosed(let closed), .accountsSettled(let closed), .settledOnExit(let closed):
                for invoice in closed.invoices where invoice.period.end.year == year { invoiced += invoice.total.fen }
            case .creditNoteIssued(let issued) where issued.creditNote.issuedOn.year == year:
                credited += issued.creditNote.amount.fen
            default: break
            }
        }
        return (invoiced, credited)
    }

    /// `Scripts.money`: 17 calls × ¥0.20 = 340 fen invoiced in March 2026, 2 calls credited (40 fen), the year
    /// closed against the ¥125.00 allowance; the filed report's figures are those sums, not free text.
    @Test func theFiledReportCarriesTheFiguresOfTheRecordedInvoicesAndCredits() async throws {
        let world = World()
        try await world.run(Scripts.money)
        let settlement = try await world.engine.instance(SettlementProcess.self, "agr-1")
        let filed = try #require(settlement.facts.annualReports[2026])
        #expect(filed.report == "2026 经营情况报告")
        let report = try #require(filed.operating)
        let sums = try Self.recordedSums(try await world.log(), year: 2026)
        #expect(sums.invoiced == 340)
        #expect(sums.credited == 40)
        #expect(report.invoiced.fen == sums.invoiced)
        #expect(report.credited.fen == sums.credited)
        #expect(report.netRevenue.fen == 300)
        #expect(report.operating.totals.revenue.fen == 300)
        #expect(report.operating.products.map(\.product) == ["prod-1"])
        #expect(report.operating.products.map(\.revenue.fen) == [300])
        // The allowance and its close: the same net revenue the year close compared with ¥125.00.
        #expect(report.operating.maximumAllowedRevenue?.fen == 12_500)
        #expect(report.operating.close == settlement.facts.yearCloses[2026])
        #expect(report.operating.close?.revenue.fen == 300)
        #expect(report.operating.close?.deductionBroughtIn.fen == 0)
        // Revenue by line: the usage line of pp-1 (trial), 17 calls invoiced, 2 credited.
        #expect(report.lines.count == 1)
        let line = try #require(report.lines.first)
        #expect(line.kind == .usage)
        #expect(line.planVersion == 1)
        #expect(line.feeStage == .trial)
        #expect(line.quantity == 17)
        #expect(line.invoiced.fen == 340)
        #expect(line.creditedQuantity == 2)
        #expect(line.credited.fen == 40)
        #expect(line.net.fen == 300)
        #expect(report.lines.map(\.invoiced.fen).reduce(0, +) == report.invoiced.fen)
        #expect(report.lines.map(\.credited.fen).reduce(0, +) == report.credited.fen)
        #expect(report.invoices.map(\.id) == ["inv:settlement-agr-1:5:sub-1"])
        #expect(report.creditNotes.map(\.amount.fen) == [40])
        #expect(report.fees.map(\.version) == [1])
        // The query returns the filed report.
        #expect(try await world.engine.annualReport(agreement: "agr-1", year: 2026) == report)
    }

    /// A credit note issued in 2027 for the March 2026 invoice lowers 2027's figures; the filed 2026 report stays.
    @Test func aCreditNoteCountsInTheYearItIsIssued() async throws {
        let world = World()
        try await world.run(Scripts.money)
        let filed = try #require(try await world.engine.annualReport(agreement: "agr-1", year: 2026))
        // The year close needed 2026 over: today is in 2027.
        try await world.run(
            .operator,
            .settlement(
                .issueCreditNote(
                    agreement: "agr-1",
                    invoice: "inv:settlement-agr-1:5:sub-1",
                    lines: [CreditQuantity(line: 0, quantity: 5)],
                    reason: "five calls failed"
                )
            )
        )
        let notes = try await world.engine.instance(SettlementProcess.self, "agr-1").facts.credits.values.joined()
        #expect(notes.map(\.issuedOn.year).sorted() == [2026, 2027])
        let next = try #require(try await world.engine.annualReport(agreement: "agr-1", year: 2027))
        let sums = try Self.recordedSums(try await world.log(), year: 2027)
        #expect(sums.invoiced == 0)
        #expect(sums.credited == 100)  // 5 × ¥0.20
        #expect(next.invoiced.fen == 0)
        #expect(next.credited.fen == 100)
        #expect(next.netRevenue.fen == -100)
        #expect(next.operating.totals.revenue.fen == -100)
        #expect(next.lines.map(\.creditedQuantity) == [5])
        #expect(next.lines.map(\.planVersion) == [1])
        #expect(try await world.engine.annualReport(agreement: "agr-1", year: 2026) == filed)
        #expect(filed.netRevenue.fen == 300)
        #expect(try await world.engine.annualReport(agreement: "agr-1", year: 2030) == nil)
    }

    /// A one-off product (¥800.00 per report, cap ¥1,000.00 per product): deliveries of 2 and 3 reports are
    /// invoiced as one line of 5 × ¥800.00 = ¥4,000.00 with its plan version and fee stage, and one report is
    /// credited by quantity (¥800.00).
    @Test func aOneOffProductIsInvoicedByQuantityAndCreditedByQuantity() async throws {
        let world = World()
        var plan = Samples.pricePlan()
        plan.charge = .oneOff(price: Money(fen: 80_000))
        let cap = FeeCap(
            product: "prod-1",
            limit: .perProduct(Money(fen: 100_000)),
            setBy: Samples.cap.setBy,
            source: "京数据〔2026〕2号"
        )
        try await world.run(Array(Scripts.toPublishedProduct.dropLast(2)))
        try await world.run(.implementingAgency, .product(.setFeeCap(product: "prod-1", cap: cap)))
        try await world.run(.operator, .product(.publishProduct(product: "prod-1", plan: plan)))
        let count = Scripts.toPublishedProduct.count
        try await world.run(Array(Scripts.lifecycle[count..<count + 4]))
        func deliver(_ key: String, _ reports: Int64) -> WorkflowCommand {
            var usage = Samples.usage(key, quantity: reports)
            usage.unit = .record
            return .settlement(.recordUsage(agreement: "agr-1", usage: usage))
        }
        try await world.run(.operator, deliver("d-1", 2))
        try await world.run(.operator, deliver("d-2", 3))
        let invoices = try await MoneyProcessTests.close(
            world,
            "2026-03-01",
            "2026-03-31",
            at: "2026-04-01T02:00:00Z"
        )
        let invoice = try #require(invoices.first)
        #expect(invoice.lines.map(\.kind) == [.oneOff])
        #expect(invoice.lines.map(\.quantity) == [5])
        #expect(invoice.lines.map(\.amount.fen) == [400_000])
        #expect(invoice.lines.map(\.planVersion) == [1])
        #expect(invoice.lines.map(\.feeStage) == [.trial])
        #expect(invoice.total.fen == 400_000)
        try await world.run(
            .operator,
            .settlement(
                .issueCreditNote(
                    agreement: "agr-1",
                    invoice: invoice.id,
                    lines: [CreditQuantity(line: 0, quantity: 1)],
                    reason: "one report not delivered"
                )
            )
        )
        let notes = try await world.engine.instance(SettlementProcess.self, "agr-1").facts.credits[invoice.id]
        #expect(notes?.map(\.amount.fen) == [80_000])
        try await MoneyProcessTests.refused(world, .pricing) {
            try await world.run(
                .operator,
                .settlement(
                    .issueCreditNote(
                        agreement: "agr-1",
                        invoice: invoice.id,
                        lines: [CreditQuantity(line: 0, quantity: 5)],
                        reason: "more than is left"
                    )
                )
            )
        }
    }
}
