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
        let events = try await source.readAll(after: 0, pageSize: 4096)
        try await checkAgainstJSONDecoder(events, source: source)
        let target = report.quick ? 100_000 : 1_000_000
        let log = try await WorkflowBenchmarks.replicate(events, to: target)
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

    /// Before timing: the mix's log replayed as it is and with every payload preceded by a space (which the fast member
    /// reader declines, so that `JSONDecoder` reads every payload the projection reads) give equal projections.
    static func checkAgainstJSONDecoder(_ events: [RecordedEvent], source: InMemoryEventStore) async throws {
        let spaced = InMemoryEventStore()
        var batch: [ProposedEvent] = []
        for (index, event) in events.enumerated() {
            var proposed = event.proposed
            proposed.payload = Data(" ".utf8) + event.payload
            batch.append(proposed)
            if index + 1 == events.count || events[index + 1].streamID != event.streamID {
                _ = try await spaced.append(batch, to: event.streamID, expectedVersion: .any)
                batch.removeAll(keepingCapacity: true)
            }
        }
        let fast = try await WorkflowProjection.rebuild(from: source)
        let general = try await WorkflowProjection.rebuild(from: spaced)
        guard fast == general, fast.eventCount == events.count else {
            throw ReplayCheckFailure(description: "the fast replay differs from the replay through JSONDecoder")
        }
    }
}

/// The replay's check before timing failed.
struct ReplayCheckFailure: Error, CustomStringConvertible {
    var description: String
}
