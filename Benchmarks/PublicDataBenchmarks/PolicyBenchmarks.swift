import Foundation
import PublicDataKit

/// Policy evaluation speed: decisions per second and per-decision latency on the Beijing default policy and on
/// generated policies of 10 … 10,000 rules, plus the memory a compiled rule takes.
enum PolicyBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        // All work is synchronous; keeping it out of the async function also sidesteps a compiler crash
        // (Swift 6.3.1, coroutine splitting of a large async body in release mode).
        try runSynchronously(report)
    }

    static func runSynchronously(_ report: BenchmarkReport) throws {
        report.section("Policy")
        let iterations = report.quick ? 200_000 : 2_000_000
        let time = PolicyBenchmarkFixtures.time

        // The default policy: a permitted data request, a denied one, a conditional grant and a pricing request.
        var conditional = PolicyBenchmarkFixtures.dataRequest()
        conditional.entry.sharing = .conditional
        var core = PolicyBenchmarkFixtures.dataRequest()
        core.entry.grade = .core
        let mix: [PolicyRequest] = [
            .dataRequest(PolicyBenchmarkFixtures.dataRequest()), .dataRequest(conditional), .dataRequest(core),
            .pricing(PolicyBenchmarkFixtures.pricing()),
        ]
        let policy = Policy.beijingDefault
        measure(report, "default policy, data request (permit)", policy, [mix[0]], iterations, time)
        measure(report, "default policy, mixed requests", policy, mix, iterations, time)

        // Generated policies: the request's own bucket holds one rule, every other rule is unrelated.
        let request = PolicyRequest.dataRequest(generatedRequest())
        var perDecision: [Int: Double] = [:]
        for size in [10, 100, 1_000, 10_000] {
            let generated = generatedPolicy(rules: size)
            let decision = generated.evaluate(request, at: time)
            guard decision.isPermit, decision.firedRules.count == 2 else {
                throw PolicyBenchmarkFailure(message: "generated policy of \(size) rules decided \(decision)")
            }
            perDecision[size] = measure(
                report,
                "generated policy, \(size) rules",
                generated,
                [request],
                iterations,
                time
            )
        }
        if let small = perDecision[10], let large = perDecision[10_000] {
            report.record("policy", "time at 10,000 rules / time at 10 rules", large / small, "x", note: "target ≤ 2")
        }

        // Memory per compiled rule: resident size before and after building a 10,000-rule policy.
        let before = residentBytes()
        let big = generatedPolicy(rules: 20_000)
        let after = residentBytes()
        _ = big.evaluate(request, at: time)
        if before > 0 {
            report.record(
                "policy",
                "memory per rule (20,000-rule policy, RSS)",
                Double(after - before) / 20_000,
                "bytes"
            )
        }
        let loadSeconds = try measureSeconds { _ = try Policy.load(from: Policy.beijingDefault.jsonData) }
        report.record("policy", "load + validate the default policy JSON", loadSeconds * 1e3, "ms")
    }

    /// Runs `iterations` decisions; records decisions/s and p50/p99 latency; returns the mean ns per decision.
    @discardableResult
    static func measure(
        _ report: BenchmarkReport,
        _ name: String,
        _ policy: Policy,
        _ requests: [PolicyRequest],
        _ iterations: Int,
        _ time: Date
    ) -> Double {
        var permits = 0
        for request in requests where policy.evaluate(request, at: time).isPermit { permits += 1 }  // warm up
        // Best of three runs: the machine may be shared, and the fastest run is the least disturbed one.
        var seconds = Double.infinity
        for _ in 0..<3 {
            seconds = min(
                seconds,
                measureSeconds {
                    for index in 0..<iterations
                    where policy.evaluate(requests[index % requests.count], at: time).isPermit {
                        permits &+= 1
                    }
                }
            )
        }
        let samples = min(iterations, 200_000)
        var latencies = [UInt64](repeating: 0, count: samples)
        for index in 0..<samples {
            let start = nowNanoseconds()
            let decision = policy.evaluate(requests[index % requests.count], at: time)
            latencies[index] = nowNanoseconds() - start
            if decision.isPermit { permits &+= 1 }
        }
        latencies.sort()
        let perSecond = Double(iterations) / seconds
        report.record("policy", "\(name): decisions/s", perSecond, "1/s", note: permits > 0 ? nil : "no permits")
        report.record("policy", "\(name): p50", Double(latencies[samples / 2]), "ns")
        report.record("policy", "\(name): p99", Double(latencies[samples * 99 / 100]), "ns")
        return seconds / Double(iterations) * 1e9
    }

    /// A data request for catalog entry `gen-entry-0` by operator `gen-op-1`.
    static func generatedRequest() -> DataAccessRequest {
        var request = PolicyBenchmarkFixtures.dataRequest(entry: PolicyBenchmarkFixtures.entry(id: "gen-entry-0"))
        request.operatorParty = "gen-op-1"
        request.agreement.operatorParty = "gen-op-1"
        return request
    }

    /// `size` rules: one generic permit and `size - 1` rules keyed to one catalog entry, operator or product
    /// each, spread over three decision points (as a deployment's local restrictions would be).
    static func generatedPolicy(rules size: Int) -> Policy {
        Policy(id: "generated-\(size)", version: "1") {
            Rule(permit: "gen.permit", at: .dataRequest, articles: ["Art. 16"], message: "generic grant") {
                Condition.notEquals("entry.grade", "core")
            }
            for index in 0..<(size - 1) {
                switch index % 4 {
                case 0:
                    Rule(deny: "gen.entry-\(index)", at: .dataRequest, articles: ["Art. 16"], message: "local") {
                        Condition.equals("entry.id", .string("gen-entry-\(index)"))
                        Condition.equals("request.purpose", "sector_development")
                    }
                case 1:
                    Rule(
                        obligation: "gen.operator-\(index)",
                        at: .dataRequest,
                        articles: ["Art. 20"],
                        message: "local duty",
                        obligations: [Obligation(kind: .fileScenario, article: "Art. 20")]
                    ) {
                        Condition.equals("request.operator", .string("gen-op-\(index)"))
                    }
                case 2:
                    Rule(deny: "gen.product-\(index)", at: .productRelease, articles: ["Art. 27"], message: "local") {
                        Condition.equals("product.id", .string("gen-prd-\(index)"))
                    }
                default:
                    Rule(deny: "gen.price-\(index)", at: .pricing, articles: ["Art. 22"], message: "local") {
                        Condition.equals("product.id", .string("gen-prd-\(index)"))
                        Condition.equals("request.chargeRequested", true)
                    }
                }
            }
        }
    }
}

/// A benchmark precondition failed.
struct PolicyBenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// The request fixtures of the benchmarks (the benchmark target does not link PublicDataTesting).
enum PolicyBenchmarkFixtures {
    static let time = Date(timeIntervalSince1970: 1_780_279_200)
    static let day = CivilDate(daysSinceEpoch: 20_605)  // 2026-06-01

    static func entry(id: CatalogEntryID = "ent-licenses") -> CatalogEntry {
        CatalogEntry(
            id: id,
            name: "Company licenses",
            owningDepartment: "dept-market",
            sharing: .unconditional,
            openness: .notOpen,
            grade: .general,
            fields: [CatalogField(name: "licenseNo"), CatalogField(name: "companyName"), CatalogField(name: "status")]
        )
    }

    static func dataRequest(entry: CatalogEntry = entry()) -> DataAccessRequest {
        DataAccessRequest(
            operatorParty: "op-1",
            entry: entry,
            agreement: AgreementTerms(
                id: "agr-1",
                plan: "plan-1",
                implementingAgency: "agency",
                operatorParty: "op-1",
                scope: [ScopeItem(entry: entry.id)],
                start: CivilDate(daysSinceEpoch: 20_454),  // 2026-01-01
                end: CivilDate(daysSinceEpoch: 22_279)  // 2030-12-31
            ),
            agreementStatus: .active,
            requestedFields: ["licenseNo"],
            neededFields: ["licenseNo", "companyName"],
            purpose: .publicGovernance,
            delivery: .privacyComputing,
            day: day
        )
    }

    static func pricing() -> PricingEligibilityRequest {
        PricingEligibilityRequest(
            product: "prd-1",
            purpose: .industryDevelopment,
            chargeRequested: true,
            priceCapApproved: true
        )
    }
}
