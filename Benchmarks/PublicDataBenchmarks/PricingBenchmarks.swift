import Foundation
import PublicDataKit

enum PricingBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Pricing")
        let recordCount = report.quick ? 100_000 : 1_000_000
        let subscriptionCount = 1000
        guard let march = BillingPeriod.month(2026, 3), let start = CivilDate("2026-01-01") else { return }
        let tiers = [
            PriceTier(upTo: 1000, unitPrice: UnitPrice(fen: 10)),
            PriceTier(upTo: 10_000, unitPrice: UnitPrice(fen: 8)),
            PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 1, per: 2)),
        ]
        let plan = PricePlan(
            id: "bench-v1",
            product: "bench",
            operatorParty: "op",
            effectiveFrom: start,
            charge: .usage(UsageCharge(unit: .call, scheme: .graduated(tiers))),
            discounts: [Discount(scenarioClass: "supported", kind: .percentage(basisPoints: 1500))]
        )
        let book = try PriceBook(product: "bench", versions: [plan])
        let subscriptions = (0..<subscriptionCount).map { index in
            ProductSubscription(
                id: SubscriptionID("sub-\(index)"),
                product: "bench",
                consumer: PartyID("consumer-\(index)"),
                operatorParty: "op",
                scenario: FiledScenario(
                    id: ScenarioID("scn-\(index)"),
                    purpose: index % 10 == 0 ? .publicWelfare : .industryDevelopment,
                    filingReference: "filing-\(index)",
                    classes: index % 3 == 0 ? ["supported"] : []
                ),
                startedOn: start
            )
        }
        var generator = BenchmarkRandom(seed: 42)
        let records = (0..<recordCount).map { index in
            let subscription = subscriptions[Int(generator.next() % UInt64(subscriptionCount))]
            return UsageRecord(
                idempotencyKey: "k\(index)",
                subscription: subscription.id,
                unit: .call,
                quantity: Int64(generator.next() % 5) + 1,
                occurredOn: CivilDate(daysSinceEpoch: march.start.daysSinceEpoch + Int(generator.next() % 31))
            )
        }

        // Metering (idempotency keys, aggregation) plus rating every subscription's month into an invoice.
        var invoiceTotal: Int64 = 0
        let seconds = try measureSeconds {
            var meter = UsageMeter(cycle: .monthly)
            for record in records { try meter.record(record) }
            for subscription in subscriptions {
                let request = RatingRequest(
                    invoiceID: InvoiceID("inv-\(subscription.id)"),
                    subscription: subscription,
                    period: march,
                    usage: [meter.aggregate(subscription: subscription.id, unit: .call, period: march)],
                    issuedOn: march.end
                )
                invoiceTotal &+= try Rating.rate(request, book: book).total.fen
            }
        }
        report.record(
            "pricing",
            "meter + rate \(recordCount) usage records into \(subscriptionCount) invoices",
            Double(recordCount) / seconds,
            "records/s",
            note: "\(String(format: "%.3f", seconds)) s, total ¥\(Money(fen: invoiceTotal).yuanString)"
        )

        // Rating alone: one invoice per pre-aggregated subscription month.
        var meter = UsageMeter(cycle: .monthly)
        for record in records { try meter.record(record) }
        let aggregates = subscriptions.map { meter.aggregate(subscription: $0.id, unit: .call, period: march) }
        let rounds = report.quick ? 20 : 200
        let rateSeconds = try measureSeconds {
            for _ in 0..<rounds {
                for (subscription, aggregate) in zip(subscriptions, aggregates) {
                    let request = RatingRequest(
                        invoiceID: "inv",
                        subscription: subscription,
                        period: march,
                        usage: [aggregate],
                        issuedOn: march.end
                    )
                    _ = try Rating.rate(request, book: book)
                }
            }
        }
        report.record(
            "pricing",
            "rate tiered invoices (pre-aggregated usage)",
            Double(rounds * subscriptionCount) / rateSeconds,
            "invoices/s"
        )

        // Revenue splits: four parties, random totals, largest remainder.
        let splitCount = report.quick ? 100_000 : 1_000_000
        let shares = [
            RevenueShare(party: "provider", role: .dataProvider, weight: 37),
            RevenueShare(party: "agency", role: .implementingAgency, weight: 13),
            RevenueShare(party: "op", role: .operator, weight: 41),
            RevenueShare(party: "pool", role: .compensationPool, weight: 9),
        ]
        let totals = (0..<splitCount).map { _ in Money(fen: Int64(generator.next() % 100_000_000)) }
        var check: Int64 = 0
        let splitSeconds = try measureSeconds {
            for total in totals {
                let parts = try RevenueDistribution.split(total, among: shares)
                check &+= parts[0].amount.fen
            }
        }
        report.record(
            "pricing",
            "revenue splits (4 parties, largest remainder)",
            Double(splitCount) / splitSeconds,
            "splits/s",
            note: "\(String(format: "%.3f", splitSeconds)) s for \(splitCount)"
        )
        if check < 0 { print(check) }
    }
}

/// SplitMix64, so the benchmark data is the same on every run.
private struct BenchmarkRandom {
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
