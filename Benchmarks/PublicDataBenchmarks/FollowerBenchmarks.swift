import Foundation
import PublicDataKit

/// Followers of the global log at three sizes: the Art. 32 disclosure, the trace index, the workflow projections
/// and ledger catch-up each read the first third, the first two thirds... of one workflow log, and print their
/// events per second at each size beside the ratio of time per event at the largest size to the smallest (1.0 is
/// linear; a follower that grows worse than linearly shows a ratio near the size factor).
///
/// The log is the workflow group's lifecycle mix: one agreement whose data requests are granted again and again
/// (every grant lands on the same agreement), objections, and usage records on one settlement stream.
enum FollowerBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("followers")
        let iterations = report.quick ? 1_200 : 6_000
        let source = InMemoryEventStore()
        _ = try await WorkflowBenchmarks.lifecycleMix(on: source, iterations: iterations)
        let log = try await source.readAll(after: 0, pageSize: 4096)
        // Three sizes, 1 : 3 : 9.
        let sizes = [log.count / 9, log.count / 3, log.count]
        let prefixes = sizes.map { Array(log[0..<$0]) }
        report.info("log of \(log.count) events from \(iterations) lifecycle iterations; sizes \(sizes)")
        guard let period = DisclosurePeriod.year(2026) else { return }

        var disclosed = 0
        try scaling(report, "disclosure (DisclosureBuilder.sources)", sizes, note: "target ≥ 100,000 events/s") {
            size in
            let events = prefixes[size]
            return try measureSeconds {
                disclosed += try DisclosureBuilder.sources(from: events, period: period).lines.count
            }
        }
        try scaling(report, "trace index (TraceIndex(events:))", sizes) { size in
            let events = prefixes[size]
            return measureSeconds { disclosed += TraceIndex(events: events).events.count }
        }
        try scaling(report, "workflow projections (apply)", sizes) { size in
            let events = prefixes[size]
            return try measureSeconds {
                var projection = WorkflowProjection()
                for event in events { try projection.apply(event) }
                disclosed += projection.eventCount
            }
        }
        // Ledger catch-up reads a store: each round fills a fresh one (outside the timing).
        try await scalingAsync(report, "ledger catch-up (SHA-256)", sizes) { size in
            let store = InMemoryEventStore()
            try await copy(prefixes[size], to: store)
            let ledger = try await Ledger.open(
                store: store,
                configuration: LedgerConfiguration(name: "bench.followers", pageSize: 5000)
            )
            return try await measureSecondsAsync { disclosed += try await ledger.catchUp() }
        }
        if disclosed < 0 { print(disclosed) }
    }

    /// Records events per second at each size (sizes interleaved within each round) and the per-round ratio of
    /// time per event at the largest size to the smallest.
    static func scaling(
        _ report: BenchmarkReport,
        _ label: String,
        _ sizes: [Int],
        note: String? = nil,
        _ seconds: @escaping (Int) throws -> Double
    ) throws {
        let samples = try interleaved(
            rounds: report.rounds,
            sizes.indices.map { index in { Double(sizes[index]) / (try seconds(index)) } }
        )
        record(report, label, sizes, samples, note: note)
    }

    /// ``scaling(_:_:_:note:_:)`` for an async measurement.
    static func scalingAsync(
        _ report: BenchmarkReport,
        _ label: String,
        _ sizes: [Int],
        note: String? = nil,
        _ seconds: @escaping (Int) async throws -> Double
    ) async throws {
        let samples = try await interleavedAsync(
            rounds: report.rounds,
            sizes.indices.map { index in { Double(sizes[index]) / (try await seconds(index)) } }
        )
        record(report, label, sizes, samples, note: note)
    }

    static func record(_ report: BenchmarkReport, _ label: String, _ sizes: [Int], _ samples: [Samples], note: String?)
    {
        for (size, rates) in zip(sizes, samples) {
            report.record("followers", "\(label), \(size) events", rates, "events/s", note: note)
        }
        if let small = samples.first, let large = samples.last, let first = sizes.first, let last = sizes.last {
            report.record(
                "followers",
                "\(label): time per event at \(last) / at \(first) events",
                small.ratio(to: large),
                "x",
                note: "1.0 = linear in events; \(last / max(1, first))x the events"
            )
        }
    }

    /// Appends `events` to `store` as they were recorded (same streams and ids), a stream's run at a time.
    static func copy(_ events: [RecordedEvent], to store: InMemoryEventStore) async throws {
        var batch: [ProposedEvent] = []
        var stream: StreamID?
        for event in events {
            if event.streamID != stream, let current = stream, !batch.isEmpty {
                _ = try await store.append(batch, to: current, expectedVersion: .any)
                batch.removeAll(keepingCapacity: true)
            }
            stream = event.streamID
            batch.append(event.proposed)
        }
        if let current = stream, !batch.isEmpty {
            _ = try await store.append(batch, to: current, expectedVersion: .any)
        }
    }
}
