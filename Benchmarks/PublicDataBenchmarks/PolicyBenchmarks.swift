import Foundation
import PublicDataKit
import PublicDataTesting

/// Policy evaluation speed: decisions per second on the Beijing default policy, on best-case generated
/// policies (every rule keyed on a unique id) and on realistic ones (rules scoped to shared organisation and
/// domain keys, eight conditions each, varied requests) of 10 … 10,000 rules; sizes are interleaved within
/// each round. Also the memory a compiled rule takes.
enum PolicyBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        // All work is synchronous; keeping it out of the async function also sidesteps a compiler crash
        // (Swift 6.3.1, coroutine splitting of a large async body in release mode).
        try runSynchronously(report)
    }

    static let sizes = [10, 100, 1_000, 10_000]

    static func runSynchronously(_ report: BenchmarkReport) throws {
        report.section("Policy")
        let time = PolicyFixtures.time

        // The default policy: a permitted data request, a denied one, a conditional grant and a pricing request.
        var conditional = PolicyFixtures.dataRequest()
        conditional.entry.sharing = .conditional
        var core = PolicyFixtures.dataRequest()
        core.entry.grade = .core
        let mix: [PolicyRequest] = [
            .dataRequest(PolicyFixtures.dataRequest()), .dataRequest(conditional), .dataRequest(core),
            .pricing(PolicyFixtures.pricing()),
        ]
        let policy = Policy.beijingDefault
        let defaultIterations = report.quick ? 200_000 : 1_000_000
        let defaults = try interleaved(
            rounds: report.rounds,
            [
                { rate(policy, [mix[0]], defaultIterations, time) },
                { rate(policy, mix, defaultIterations, time) },
                { rate(policy, mix, defaultIterations, time, copying: true) },
            ]
        )
        report.record("policy", "default policy, data request (permit): decisions/s", defaults[0], "1/s")
        report.record(
            "policy",
            "default policy, mixed requests: decisions/s",
            defaults[1],
            "1/s",
            note: "target ≥ 1,000,000; requests borrowed, as a host passes the request it holds"
        )
        report.record(
            "policy",
            "default policy, mixed requests, request copied per call: decisions/s",
            defaults[2],
            "1/s",
            note: "as measured before session 8: the copy is the benchmark's, not the engine's"
        )
        latencies(report, "default policy, mixed requests", policy, mix, time)
        var checked = try agreement(policy, mix, time)

        // Best case: the request's own bucket holds one rule, every other rule is unrelated.
        let bestRequest = PolicyWorkloads.bestCaseRequest()
        let best = sizes.map { PolicyWorkloads.bestCasePolicy(rules: $0) }
        for (size, generated) in zip(sizes, best) {
            let decision = generated.evaluate(bestRequest, at: time)
            guard decision.isPermit, decision.firedRules.count == 2 else {
                throw PolicyBenchmarkFailure(message: "best-case policy of \(size) rules decided \(decision)")
            }
        }
        for generated in best { checked += try agreement(generated, [bestRequest], time) }
        let bestIterations = report.quick ? 100_000 : 500_000
        try scaling(report, "best-case policy", best, [bestRequest], bestIterations, time)

        // Realistic: shared keys, eight conditions, 64 varied requests.
        let requests = PolicyWorkloads.realisticRequests(count: 64)
        let realistic = sizes.map { PolicyWorkloads.realisticPolicy(rules: $0) }
        for generated in realistic { checked += try agreement(generated, requests, time) }
        report.record(
            "policy",
            "indexed = unindexed evaluation: decisions compared",
            Double(checked),
            "decisions",
            note: "every benchmark policy and request; all equal (effect, fired rules, reasons, obligations)"
        )
        let realisticIterations = report.quick ? 10_000 : 50_000
        try scaling(report, "realistic policy", realistic, requests, realisticIterations, time)
        try scaling(
            report,
            "realistic policy, request copied per call",
            realistic,
            requests,
            realisticIterations,
            time,
            copying: true
        )
        if let large = realistic.last {
            var fired = 0
            var permits = 0
            for request in requests {
                let decision = large.evaluate(request, at: time)
                fired += decision.firedRules.count
                if decision.isPermit { permits += 1 }
            }
            report.record(
                "policy",
                "realistic policy, 10000 rules: fired rules per request",
                Double(fired) / Double(requests.count),
                "rules",
                note: "\(permits) of \(requests.count) requests permitted"
            )
        }

        // Memory per compiled rule, measured in a fresh process (see `memoryProbe`).
        if let perRule = runMemoryProbe("policy") {
            report.record(
                "policy",
                "memory per rule (20,000-rule realistic policy, RSS in a fresh process)",
                perRule,
                "bytes",
                note: "rules as written plus their compiled form; every rule has its own id, message and keys"
            )
        }
        let load = try interleaved(
            rounds: report.rounds,
            [
                {
                    try measureSeconds { _ = try Policy.load(from: Policy.beijingDefault.jsonData) } * 1e3
                }
            ]
        )
        report.record("policy", "load + validate the default policy JSON", load[0], "ms")
    }

    /// Decisions per second of each policy (sizes interleaved per round), microseconds per decision, and the
    /// per-round ratio of the largest size's time to the smallest's.
    static func scaling(
        _ report: BenchmarkReport,
        _ label: String,
        _ policies: [Policy],
        _ requests: [PolicyRequest],
        _ iterations: Int,
        _ time: Date,
        copying: Bool = false
    ) throws {
        let samples = try interleaved(
            rounds: report.rounds,
            policies.map { policy in { rate(policy, requests, iterations, time, copying: copying) } }
        )
        // With the request copied per call (the figures before session 8), only the ratio and the largest size.
        for (size, rates) in zip(sizes, samples) where !copying || size == sizes.last {
            report.record("policy", "\(label), \(size) rules: decisions/s", rates, "1/s")
            report.record(
                "policy",
                "\(label), \(size) rules: time per decision",
                Samples(rates.values.map { 1e6 / $0 }),
                "us",
                note: size == 10_000 && label == "realistic policy" ? "target ≤ 3" : nil
            )
        }
        if let small = samples.first, let large = samples.last {
            report.record(
                "policy",
                "\(label): time at 10,000 rules / time at 10 rules",
                small.ratio(to: large),
                "x",
                note: "target ≤ 2"
            )
        }
    }

    /// Checks that the index decides every request exactly as testing each rule in order does; returns how
    /// many requests were compared.
    static func agreement(_ policy: Policy, _ requests: [PolicyRequest], _ time: Date) throws -> Int {
        for request in requests {
            let indexed = policy.evaluate(request, at: time)
            let scanned = policy.evaluateByScanning(request, at: time)
            guard indexed == scanned else {
                throw PolicyBenchmarkFailure(
                    message: "\(policy.id): the index decided \(indexed), scanning decided \(scanned)"
                )
            }
        }
        return requests.count
    }

    /// The hidden command line `--policy-profile default|best|realistic RULES SECONDS [REQUESTS]`: evaluates one
    /// workload in a loop (for a profiler such as `perf record`); REQUESTS (realistic only, default 64) sets how
    /// many distinct requests are cycled through.
    static let profileFlag = "--policy-profile"

    static func profile(_ arguments: [String]) -> Int32 {
        guard arguments.count == 4 || arguments.count == 5, let rules = Int(arguments[2]),
            let seconds = Double(arguments[3])
        else { return 2 }
        let requestCount = arguments.count == 5 ? Int(arguments[4]) ?? 64 : 64
        let time = PolicyFixtures.time
        let policy: Policy
        let requests: [PolicyRequest]
        switch arguments[1] {
        case "default":
            policy = .beijingDefault
            requests = [.dataRequest(PolicyFixtures.dataRequest()), .pricing(PolicyFixtures.pricing())]
        case "best":
            policy = PolicyWorkloads.bestCasePolicy(rules: rules)
            requests = [PolicyWorkloads.bestCaseRequest()]
        case "realistic":
            policy = PolicyWorkloads.realisticPolicy(rules: rules)
            requests = PolicyWorkloads.realisticRequests(count: max(1, requestCount))
        default: return 2
        }
        var total = 0.0
        var decisions = 0.0
        while total < seconds {
            total += 1 / rate(policy, requests, 100_000, time) * 100_000
            decisions += 100_000
        }
        print("\(arguments[1]) \(rules): \(decisions / total) decisions/s")
        return 0
    }

    /// Decisions per second over `iterations` decisions cycling through `requests`.
    ///
    /// Each request is held in an immutable field of an object and passed to `evaluate` from there, as a host
    /// passes the request it holds: borrowed, not copied. Reading it from an array or a buffer instead copies
    /// it on every call (a reference count for each of its dozen reference fields, and their release), a cost
    /// of the benchmark's loop that no host pays; `copying` measures that way (the figures before session 8).
    static func rate(
        _ policy: Policy,
        _ requests: [PolicyRequest],
        _ iterations: Int,
        _ time: Date,
        copying: Bool = false
    ) -> Double {
        var permits = 0
        let seconds: Double
        if copying {
            seconds = requests.withUnsafeBufferPointer { requests in
                measureSeconds {
                    for index in 0..<iterations
                    where policy.evaluate(requests[index % requests.count], at: time).isPermit {
                        permits &+= 1
                    }
                }
            }
        } else {
            let held = requests.map { Unmanaged.passRetained(HeldRequest(request: $0)) }
            defer { for request in held { request.release() } }
            seconds = held.withUnsafeBufferPointer { held in
                measureSeconds {
                    for index in 0..<iterations {
                        let permitted = held[index % held.count]._withUnsafeGuaranteedRef {
                            policy.evaluate($0.request, at: time).isPermit
                        }
                        if permitted { permits &+= 1 }
                    }
                }
            }
        }
        if permits < 0 { print(permits) }  // keeps the loop from being optimised away
        return Double(iterations) / seconds
    }

    /// p50 and p99 latency of single decisions.
    static func latencies(
        _ report: BenchmarkReport,
        _ name: String,
        _ policy: Policy,
        _ requests: [PolicyRequest],
        _ time: Date
    ) {
        let samples = report.quick ? 50_000 : 200_000
        var latencies = [UInt64](repeating: 0, count: samples)
        var permits = 0
        for index in 0..<samples {
            let start = nowNanoseconds()
            let decision = policy.evaluate(requests[index % requests.count], at: time)
            latencies[index] = nowNanoseconds() - start
            if decision.isPermit { permits &+= 1 }
        }
        latencies.sort()
        report.record("policy", "\(name): p50", Double(latencies[samples / 2]), "ns")
        report.record("policy", "\(name): p99", Double(latencies[samples * 99 / 100]), "ns")
        if permits < 0 { print(permits) }
    }
}

/// A request held by a host while it is decided (see ``PolicyBenchmarks/rate(_:_:_:_:copying:)``).
final class HeldRequest {
    let request: PolicyRequest

    init(request: PolicyRequest) { self.request = request }
}

/// A benchmark precondition failed.
struct PolicyBenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension PolicyBenchmarks {
    /// Resident bytes per rule of a 20,000-rule realistic policy (run in a fresh process).
    static func memoryProbe() -> Double {
        let before = residentBytes()
        let big = PolicyWorkloads.realisticPolicy(rules: 20_000, seed: 99)
        let after = residentBytes()
        let decision = big.evaluate(PolicyWorkloads.realisticRequests(count: 1)[0], at: PolicyFixtures.time)
        if decision.policyID.isEmpty { print("") }
        return Double(after - before) / 20_000
    }
}
