import Foundation
import PublicDataPricing
import Testing

private struct FixedClock: WallClock {
    func now() -> Date { Date(timeIntervalSince1970: 1_775_000_000) }
}

@Suite("Persistence through EventStore")
struct PricingServiceTests {
    private let agency = Actor(party: "agency", role: .implementingAgency, person: "wang")
    private let clerk = Actor(party: "op", role: .operator, person: "li")
    private let priceOfficer = Actor(party: "price-dept", role: .priceDepartment, person: "zhao")

    private var callCap: FeeCap {
        FeeCap(product: "id-verify", limit: .perUnit(.call, UnitPrice(fen: 10)), setBy: "agency", source: "京价〔2026〕1号")
    }

    private func allowance(_ year: Int, maximumFen: Int64) -> AllowedRevenue {
        AllowedRevenue(
            operatorParty: "op",
            period: BillingPeriod.year(year)!,
            operatingCost: SourcedAmount(Money(fen: maximumFen - 200), source: "成本监审"),
            allowedProfit: SourcedAmount(Money(fen: 100), source: "准许收益"),
            tax: SourcedAmount(Money(fen: 100), source: "税金"),
            approvedBy: "price-dept"
        )
    }

    private func usageRecord(_ key: String, _ quantity: Int64, on text: String = "2026-03-05") -> UsageRecord {
        UsageRecord(idempotencyKey: key, subscription: "sub-1", unit: .call, quantity: quantity, occurredOn: day(text))
    }

    private func configured(_ store: InMemoryEventStore) async throws -> PricingService {
        let service = PricingService(store: store, clock: FixedClock())
        try await service.setFeeCap(callCap, actor: agency)
        try await service.createPlan(
            plan(.usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers)))),
            operationStartedOn: day("2025-01-01"),
            actor: clerk
        )
        return service
    }

    @Test func meteringIsIdempotentAcrossProcesses() async throws {
        let store = InMemoryEventStore()
        let first = try await configured(store)
        let second = PricingService(store: store, clock: FixedClock())
        #expect(try await first.recordUsage(usageRecord("k1", 600)) == .counted)
        #expect(try await second.recordUsage(usageRecord("k1", 600)) == .duplicate)
        #expect(try await first.recordUsage(usageRecord("k1", 600)) == .duplicate)
        #expect(try await second.recordUsage(usageRecord("k2", 401)) == .counted)
        let usageEvents = try await store.readStream("pricing-usage-sub-1")
        #expect(usageEvents.count == 2)
        try await first.catchUp()
        let aggregate = await first.ledger.meter.aggregate(subscription: "sub-1", unit: .call, period: march2026)
        #expect(aggregate.sum == 1001)
        #expect(aggregate.count == 2)
    }

    @Test func capRefusalRecordsNothing() async throws {
        let store = InMemoryEventStore()
        let service = try await configured(store)
        let head = await store.headPosition()
        let expensive = plan(
            .usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 11)))),
            version: 2,
            from: day("2026-06-01")
        )
        let error = try await #require(throws: PricingError.self) {
            try await service.createPlan(expensive, operationStartedOn: day("2025-01-01"), actor: clerk)
        }
        #expect(error.code == .capExceeded)
        #expect(await store.headPosition() == head)
    }

    @Test func invoiceCreditNoteCloseAndReports() async throws {
        let store = InMemoryEventStore()
        let service = try await configured(store)
        for index in 0..<3 { try await service.recordUsage(usageRecord("r\(index)", 500)) }
        let request = RatingRequest(
            invoiceID: "inv-2026-03",
            subscription: subscription(),
            period: march2026,
            issuedOn: day("2026-04-01")
        )
        let invoice = try await service.issueInvoice(request, actor: clerk)
        // 1500 calls: 1000 × 10 + 500 × 8 = 14,000 fen.
        #expect(invoice.total == Money(fen: 14_000))
        let again = try await #require(throws: PricingError.self) {
            try await service.issueInvoice(request, actor: clerk)
        }
        #expect(again.code == .invoiceAlreadyIssued)
        let note = try await service.issueCreditNote(
            id: "cn-1",
            for: "inv-2026-03",
            amount: Money(fen: 4000),
            reason: "500 test calls",
            issuedOn: day("2026-04-03"),
            actor: clerk
        )
        #expect(note.corrects == invoice.id)
        #expect(await service.ledger.invoices["inv-2026-03"] == invoice)  // never edited
        #expect(await service.ledger.outstanding("inv-2026-03") == Money(fen: 10_000))
        // A plan version starting inside the invoiced month is now retroactive.
        let retro = try await #require(throws: PricingError.self) {
            try await service.createPlan(
                plan(
                    .usage(UsageCharge(unit: .call, scheme: .flat(UnitPrice(fen: 5)))),
                    version: 2,
                    from: day("2026-03-20")
                ),
                operationStartedOn: day("2025-01-01"),
                actor: clerk
            )
        }
        #expect(retro.code == .retroactiveVersion)

        try await service.recordAccountEntry(
            AccountEntry(
                id: "cost-1",
                operatorParty: "op",
                product: "id-verify",
                bookedOn: day("2026-03-31"),
                kind: .cost,
                amount: Money(fen: 3000),
                memo: "compute"
            ),
            actor: clerk
        )
        let report = try await service.ledger.operatingReport(operatorParty: "op", period: march2026)
        #expect(report.totals.revenue == Money(fen: 10_000))
        #expect(report.totals.cost == Money(fen: 3000))
        #expect(report.totals.result == Money(fen: 7000))

        try await service.approveAllowance(allowance(2026, maximumFen: 6000), actor: priceOfficer)
        let close = try await service.closePeriod(
            operatorParty: "op",
            period: BillingPeriod.year(2026)!,
            actor: priceOfficer
        )
        #expect(close.revenue == Money(fen: 10_000))
        #expect(close.overage == Money(fen: 4000))
        let annual = try await service.ledger.annualReport(operatorParty: "op", year: 2026)
        #expect(annual.operating.maximumAllowedRevenue == Money(fen: 6000))
        #expect(annual.operating.close?.carriedToNext == Money(fen: 4000))
        #expect(annual.fees.count == 1)
        #expect(annual.fees.allSatisfy { $0.isCompliant })

        // Replaying the store into a fresh service gives the same state.
        let replay = PricingService(store: store, clock: FixedClock())
        try await replay.catchUp()
        #expect(await replay.ledger.invoices == service.ledger.invoices)
        #expect(await replay.ledger.closes == service.ledger.closes)
        #expect(await replay.ledger.entries == service.ledger.entries)
    }

    @Test func periodCloseCarriesOverageExactlyOnce() async throws {
        let store = InMemoryEventStore()
        let first = PricingService(store: store, clock: FixedClock())
        let stale = PricingService(store: store, clock: FixedClock())
        try await stale.catchUp()
        try await first.approveAllowance(allowance(2026, maximumFen: 10_000_000), actor: priceOfficer)
        try await first.approveAllowance(allowance(2027, maximumFen: 10_000_000), actor: priceOfficer)
        let year2026 = BillingPeriod.year(2026)!
        let year2027 = BillingPeriod.year(2027)!
        let close = try await first.closePeriod(
            operatorParty: "op",
            period: year2026,
            revenue: Money(fen: 12_000_000),
            actor: priceOfficer
        )
        #expect(close.carriedToNext == Money(fen: 2_000_000))
        // A second close — from this process or a stale one — is refused.
        for service in [first, stale] {
            let error = try await #require(throws: PricingError.self) {
                try await service.closePeriod(
                    operatorParty: "op",
                    period: year2026,
                    revenue: Money(fen: 1),
                    actor: priceOfficer
                )
            }
            #expect(error.code == .periodAlreadyClosed)
        }
        #expect(
            try await store.readStream("pricing-operator-op").filter { $0.type == "pricing.period_closed" }.count == 1
        )
        // 2027: the allowance is reduced by the carried ¥20,000 exactly once.
        let next = try await stale.closePeriod(
            operatorParty: "op",
            period: year2027,
            revenue: Money(fen: 8_500_000),
            actor: priceOfficer
        )
        #expect(next.deductionBroughtIn == Money(fen: 2_000_000))
        #expect(next.allowance == Money(fen: 8_000_000))
        #expect(next.overage == Money(fen: 500_000))
        // Skipping a period is refused.
        let skip = try await #require(throws: PricingError.self) {
            try await first.closePeriod(operatorParty: "op", period: BillingPeriod.year(2029)!, actor: priceOfficer)
        }
        #expect(skip.code == .periodOutOfOrder)
        let missing = try await #require(throws: PricingError.self) {
            try await first.closePeriod(operatorParty: "op", period: BillingPeriod.year(2028)!, actor: priceOfficer)
        }
        #expect(missing.code == .allowanceMissing)
    }

    @Test func distributionIsRecordedOnce() async throws {
        let store = InMemoryEventStore()
        let service = PricingService(store: store, clock: FixedClock())
        let agreement = DistributionAgreement(
            agreement: "agr-001",
            shares: [
                RevenueShare(party: "provider", role: .dataProvider, weight: 3),
                RevenueShare(party: "agency", role: .implementingAgency, weight: 2),
                RevenueShare(party: "op", role: .operator, weight: 4),
                RevenueShare(party: "pool", role: .compensationPool, weight: 1),
            ]
        )
        let record = try await service.distribute(
            id: "2026-03",
            total: Money(fen: 1_000_003),
            agreement: agreement,
            operatorParty: "op",
            period: march2026,
            actor: clerk
        )
        #expect(record.allocations.map(\.amount.fen) == [300_001, 200_001, 400_001, 100_000])
        await #expect(throws: PricingError.self) {
            try await service.distribute(
                id: "2026-03",
                total: Money(fen: 5),
                agreement: agreement,
                operatorParty: "op",
                period: march2026,
                actor: clerk
            )
        }
    }

    @Test func eventsRoundTrip() throws {
        let event = PricingEvent.usageRecorded(
            UsageRecord(idempotencyKey: "k", subscription: "s", unit: .byte, quantity: 5, occurredOn: day("2026-01-02"))
        )
        let proposed = try event.proposed(nextVersion: 1, occurredAt: Date(timeIntervalSince1970: 0), actor: nil)
        let recorded = RecordedEvent(
            id: proposed.id,
            streamID: event.stream,
            streamVersion: 1,
            globalPosition: 1,
            type: proposed.type,
            occurredAt: proposed.occurredAt,
            actor: nil,
            payload: proposed.payload,
            metadata: proposed.metadata
        )
        #expect(try PricingEvent(decoding: recorded) == event)
        #expect(PricingEvent.types.contains(event.type))
        var other = recorded
        other.type = "agreement.signed"
        #expect(try PricingEvent(decoding: other) == nil)
    }
}

@Suite("Late usage after invoicing")
struct LateUsageTests {
    private struct Clock: WallClock {
        func now() -> Date { Date(timeIntervalSince1970: 1_775_000_000) }
    }

    @Test func lateRecordsAreBilledByCreditNoteAndReplacementInvoice() async throws {
        let store = InMemoryEventStore()
        let service = PricingService(store: store, clock: Clock())
        let clerk = Actor(party: "op", role: .operator, person: "li")
        try await service.setFeeCap(
            FeeCap(product: "id-verify", limit: .perUnit(.call, UnitPrice(fen: 10)), setBy: "agency", source: "s"),
            actor: nil
        )
        try await service.createPlan(
            plan(.usage(UsageCharge(unit: .call, scheme: .graduated(standardTiers)))),
            operationStartedOn: nil,
            actor: clerk
        )
        try await service.recordUsage(
            UsageRecord(
                idempotencyKey: "a",
                subscription: "sub-1",
                unit: .call,
                quantity: 1000,
                occurredOn: day("2026-03-30")
            )
        )
        let request = RatingRequest(
            invoiceID: "inv-03",
            subscription: subscription(),
            period: march2026,
            issuedOn: day("2026-04-01")
        )
        let first = try await service.issueInvoice(request, actor: clerk)
        #expect(first.total == Money(fen: 10_000))
        // A record of 31 March arrives on 2 April: it lands in March and crosses the tier boundary.
        try await service.recordUsage(
            UsageRecord(
                idempotencyKey: "late",
                subscription: "sub-1",
                unit: .call,
                quantity: 1,
                occurredOn: day("2026-03-31")
            )
        )
        var replacementRequest = request
        replacementRequest.invoiceID = "inv-03-r1"
        replacementRequest.issuedOn = day("2026-04-02")
        let (note, replacement) = try await service.reissueInvoice(
            replacementRequest,
            replacing: "inv-03",
            creditNoteID: "cn-03",
            reason: "late usage",
            actor: clerk
        )
        #expect(note?.amount == Money(fen: 10_000))
        #expect(replacement.total == Money(fen: 10_008))
        #expect(replacement.replaces == "inv-03")
        let ledger = await service.ledger
        #expect(ledger.invoices["inv-03"] == first)
        #expect(try ledger.revenue(of: "op", in: march2026) == Money(fen: 10_008))
        // The replaced invoice cannot be replaced again; a plain second invoice is still refused.
        let stale = try await #require(throws: PricingError.self) {
            try await service.reissueInvoice(
                replacementRequest,
                replacing: "inv-03",
                creditNoteID: "cn-x",
                reason: "again",
                actor: clerk
            )
        }
        #expect(stale.code == .unknownInvoice)
        var plain = request
        plain.invoiceID = "inv-03-b"
        await #expect(throws: PricingError.self) { try await service.issueInvoice(plain, actor: clerk) }
        // The credit note and replacement were one atomic batch on the invoice stream.
        let stream = try await store.readStream("pricing-invoices-sub-1")
        #expect(
            stream.map(\.type) == ["pricing.invoice_issued", "pricing.credit_note_issued", "pricing.invoice_issued"]
        )
    }
}
