// PublicDataKit benchmarks. Run in release mode:
//
//     swift run -c release PublicDataBenchmarks [--json] [--quick] [GROUP ...]
//
// Groups: store, policy, audit, ledger (the audit ledger's figures alone), pricing, workflow, mix (the workflow's
// in-memory lifecycle mix alone, for profiling), followers (disclosure, trace index, projections and ledger catch-up
// at three sizes), postgres (postgres needs --traits PostgreSQL and a server), limits (peak memory of the largest
// proof bundle).
// Group replay: the workflow group's replay of 1M events and its memory alone (for A/B comparisons and profiles).
// Figures measured over rounds print their median, range and spread; `--json` prints one JSON document
// (format "publicdatakit.benchmarks/2") and nothing else on stdout.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == memoryProbeFlag, arguments.count == 2 {
    // A fresh process measuring one structure's resident size for the parent.
    switch arguments[1] {
    case "policy": print(PolicyBenchmarks.memoryProbe())
    case "store": print(try await StoreBenchmarks.memoryProbe(count: 500_000))
    case "store-quick": print(try await StoreBenchmarks.memoryProbe(count: 100_000))
    default: exit(2)
    }
    exit(0)
}
if arguments.first == PolicyBenchmarks.profileFlag {
    exit(PolicyBenchmarks.profile(arguments))
}
if arguments.first == StoreBenchmarks.profileFlag {
    exit(try await StoreBenchmarks.profile(arguments))
}
if arguments.first == LimitsBenchmarks.probeFlag {
    // A fresh process measuring the memory of the largest proof bundle for the limits group.
    exit(await LimitsBenchmarks.probeMain(arguments))
}
#if PostgreSQL
if arguments.first == PostgresBenchmarks.appenderFlag {
    // A child started by the postgres group's multi-process measurement.
    exit(await PostgresBenchmarks.appenderProcessMain(arguments))
}
#endif
let report = BenchmarkReport(json: arguments.contains("--json"), quick: arguments.contains("--quick"))
let requested = Set(arguments.filter { !$0.hasPrefix("--") })
let groups: [(String, (BenchmarkReport) async throws -> Void)] = [
    ("store", StoreBenchmarks.run),
    ("policy", PolicyBenchmarks.run),
    ("audit", AuditBenchmarks.run),
    ("ledger", AuditBenchmarks.runLedger),
    ("pricing", PricingBenchmarks.run),
    ("workflow", WorkflowBenchmarks.run),
    ("mix", WorkflowBenchmarks.runMix),
    ("replay", ReplayBenchmarks.run),
    ("followers", FollowerBenchmarks.run),
    ("postgres", PostgresBenchmarks.run),
    ("limits", LimitsBenchmarks.run),
]
let unknown = requested.subtracting(groups.map(\.0))
if !unknown.isEmpty {
    FileHandle.standardError.write(Data("unknown benchmark group(s): \(unknown.sorted())\n".utf8))
    exit(2)
}
for (name, run) in groups where requested.isEmpty || requested.contains(name) {
    try await run(report)
}
try report.finish()
