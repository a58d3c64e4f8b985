import Foundation
import PublicDataKit

/// The workflow group's replay alone: one in-memory lifecycle mix, its log copied to 1M events with distinct payload
/// buffers, replayed into the projections over the report's rounds, then the process's resident memory. For A/B
/// comparisons and profiles of the replay without the mix rounds, the SQLite mixes and the cold fold.
enum ReplayBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("replay")
        let source = InMemoryEventStore()
        _ = try await WorkflowBenchmarks.lifecycleMix(on: source, iterations: report.quick ? 300 : 2_000)
        let target = report.quick ? 100_000 : 1_000_000
        let log = try await WorkflowBenchmarks.replicate(try await source.readAll(after: 0, pageSize: 4096), to: target)
        let count = await log.headPosition()
        var projection = WorkflowProjection()
        let replay = try await interleavedAsync(
            rounds: report.rounds,
            [
                {
                    let seconds = try await measureSecondsAsync {
                        projection = try await WorkflowProjection.rebuild(from: log)
                    }
                    return Double(projection.eventCount) / seconds
                }
            ]
        )
        report.record(
            "replay",
            "replay \(count) events into the projections",
            replay[0],
            "events/s",
            note: "target >= 500000"
        )
        report.record(
            "replay",
            "process memory: the \(count)-event log in memory and its projections",
            Double(residentBytes()) / 1_048_576,
            "MiB RSS",
            note: "target <= 1024 MiB for 1M events; distinct payload buffers"
        )
    }
}
