import CPublicDataSQLite
import Foundation
import PublicDataModel
import PublicDataSQLite

/// Append and read throughput of the in-memory and SQLite stores, beside a raw SQLite insert loop.
enum StoreBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("store")
        let memoryEvents = report.quick ? 200_000 : 1_000_000
        let sqliteEventsBatch1 = report.quick ? 1_000 : 2_000
        let sqliteEventsBatch100 = report.quick ? 20_000 : 50_000

        // In memory: every round appends the same events into a new store, up to `memoryEvents`.
        for batch in [1, 100] {
            let events = makeEvents(memoryEvents)
            var reads = Samples()
            let samples = try await interleavedAsync(
                rounds: report.rounds,
                [
                    { Double(memoryEvents) / (try await appendAll(InMemoryEventStore(), events, batch: batch)) },
                    {
                        let store = InMemoryEventStore(minimumCapacity: memoryEvents)
                        let seconds = try await appendAll(store, events, batch: batch)
                        if batch == 100 {
                            let read = try await measureSecondsAsync {
                                _ = try await store.readAll(after: 0, pageSize: 1000)
                            }
                            reads.append(Double(memoryEvents) / read)
                        }
                        return Double(memoryEvents) / seconds
                    },
                ]
            )
            report.record(
                "store",
                "in-memory append, batch \(batch), \(memoryEvents) events",
                samples[0],
                "events/s",
                note: batch == 1 ? "target ≥ 1,000,000" : nil
            )
            report.record(
                "store",
                "in-memory append, batch \(batch), \(memoryEvents) events, capacity reserved",
                samples[1],
                "events/s"
            )
            if batch == 100 { report.record("store", "in-memory global-log read", reads, "events/s") }
        }
        try await memoryPerEvent(report)

        // SQLite beside a raw prepared insert loop with the same pragmas, interleaved per round.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdk-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for durability in [SQLiteEventStore.Durability.full, .normal] {
            for batch in [1, 100] {
                let count = batch == 1 ? sqliteEventsBatch1 : sqliteEventsBatch100
                let events = makeEvents(count)
                var storeRound = 0
                var rawRound = 0
                var reads = Samples()
                let samples = try await interleavedAsync(
                    rounds: report.rounds,
                    [
                        {
                            storeRound += 1
                            let path = folder.appendingPathComponent(
                                "store-\(durability)-\(batch)-\(storeRound).sqlite"
                            ).path
                            let store = try SQLiteEventStore(path: path, durability: durability)
                            defer { store.close() }
                            let seconds = try await appendAll(store, events, batch: batch)
                            if batch == 100 {
                                let read = try await measureSecondsAsync {
                                    _ = try await store.readAll(after: 0, pageSize: 1000)
                                }
                                reads.append(Double(count) / read)
                            }
                            return Double(count) / seconds
                        },
                        {
                            rawRound += 1
                            let path = folder.appendingPathComponent("raw-\(durability)-\(batch)-\(rawRound).sqlite")
                                .path
                            return Double(count)
                                / (try rawInsertLoop(path: path, events: events, batch: batch, durability: durability))
                        },
                    ]
                )
                let label = "sqlite (synchronous=\(durability.rawValue)) append, batch \(batch)"
                report.record("store", label, samples[0], "events/s")
                report.record(
                    "store",
                    "raw sqlite insert loop, \(durability.rawValue), batch \(batch)",
                    samples[1],
                    "events/s"
                )
                report.record(
                    "store",
                    "ratio store/raw, \(durability.rawValue), batch \(batch)",
                    samples[0].ratio(to: samples[1]),
                    "x"
                )
                if batch == 100 {
                    report.record("store", "sqlite global-log read (\(durability.rawValue))", reads, "events/s")
                }
            }
        }
    }

    /// The hidden command line `--store-profile EVENTS ROUNDS`: appends EVENTS events one per call into a new
    /// in-memory store, ROUNDS times (for a profiler such as `perf record`).
    static let profileFlag = "--store-profile"

    static func profile(_ arguments: [String]) async throws -> Int32 {
        guard arguments.count == 3, let count = Int(arguments[1]), let rounds = Int(arguments[2]) else { return 2 }
        let events = makeEvents(count)
        for _ in 0..<rounds {
            let seconds = try await appendAll(InMemoryEventStore(), events, batch: 1)
            print("in-memory append, batch 1, \(count) events: \(Double(count) / seconds) events/s")
        }
        return 0
    }

    /// Resident bytes per stored event, measured in a fresh process (see `memoryProbe`).
    static func memoryPerEvent(_ report: BenchmarkReport) async throws {
        guard let perEvent = runMemoryProbe(report.quick ? "store-quick" : "store") else { return }
        report.record(
            "store",
            "in-memory store, resident bytes per event (distinct payloads, fresh process)",
            perEvent,
            "bytes",
            note: "payloads of about 75 bytes; ids, correlation ids and payloads all distinct"
        )
    }

    /// Resident bytes per event when every event has its own payload (nothing shared with the input): each
    /// batch is made, appended and dropped, so the store holds the only copy.
    static func memoryProbe(count: Int) async throws -> Double {
        let store = InMemoryEventStore()
        let actor = Principal(party: "operator-1", role: .operator, person: "bench")
        let base = Date(millisecondsSince1970: 1_767_225_600_000)
        let before = residentBytes()
        for first in stride(from: 0, to: count, by: 100) {
            let batch = (first..<first + 100).map { index in
                ProposedEvent(
                    id: EventID("mem-\(index)"),
                    type: "usage.recorded",
                    occurredAt: base,
                    actor: actor,
                    payload: Data(
                        "{\"agreementID\":\"agr-\(index)\",\"catalogEntryIDs\":[\"entry-\(index % 977)\"],\"amount\":\(index)}"
                            .utf8
                    ),
                    metadata: EventMetadata(correlationID: "corr-\(index)")
                )
            }
            _ = try await store.append(batch, to: StreamID("stream-\(first / 100 % 1000)"), expectedVersion: .any)
        }
        let after = residentBytes()
        _ = await store.headPosition()
        return Double(after - before) / Double(count)
    }

    static func makeEvents(_ count: Int) -> [ProposedEvent] {
        let payload = Data("{\"agreementID\":\"agr-001\",\"catalogEntryIDs\":[\"fin-credit\"],\"amount\":1250}".utf8)
        let actor = Principal(party: "operator-1", role: .operator, person: "bench")
        let base = Date(millisecondsSince1970: 1_767_225_600_000)
        return (0..<count).map { index in
            ProposedEvent(
                id: EventID("evt-\(index)"),
                type: "usage.recorded",
                occurredAt: base,
                actor: actor,
                payload: payload,
                metadata: EventMetadata(correlationID: "c")
            )
        }
    }

    /// Appends `events` in batches of `batch` to 100 streams in turn; returns the seconds taken.
    static func appendAll(_ store: some EventStore, _ events: [ProposedEvent], batch: Int) async throws -> Double {
        let streams = (0..<100).map { StreamID("stream-\($0)") }
        var versions = [Int64](repeating: 0, count: streams.count)
        let batches = stride(from: 0, to: events.count, by: batch).map {
            Array(events[$0..<min(events.count, $0 + batch)])
        }
        return try await measureSecondsAsync {
            for (index, slice) in batches.enumerated() {
                let stream = index % streams.count
                let result = try await store.append(
                    slice,
                    to: streams[stream],
                    expectedVersion: .exactly(versions[stream])
                )
                versions[stream] = result.streamVersion
            }
        }
    }

    /// The baseline: the same rows inserted with a prepared statement, one transaction per batch.
    static func rawInsertLoop(
        path: String,
        events: [ProposedEvent],
        batch: Int,
        durability: SQLiteEventStore.Durability
    ) throws -> Double {
        struct Failure: Error { let message: String }
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw Failure(message: "open") }
        defer { sqlite3_close(db) }
        func exec(_ sql: String) throws {
            guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
                throw Failure(message: String(cString: sqlite3_errmsg(db)))
            }
        }
        try exec(SQLiteEventStore.pragmas(durability: durability))
        try exec(
            """
            CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, stream_id TEXT NOT NULL,
              stream_version INTEGER NOT NULL, type TEXT NOT NULL, occurred_at_ms INTEGER NOT NULL, actor_party TEXT,
              actor_role TEXT, actor_person TEXT, correlation_id TEXT, causation_id TEXT, policy_version TEXT,
              payload BLOB NOT NULL, UNIQUE (stream_id, stream_version));
            """
        )
        var statement: OpaquePointer?
        let sql =
            "INSERT INTO events (event_id, stream_id, stream_version, type, occurred_at_ms, actor_party, actor_role, "
            + "actor_person, correlation_id, causation_id, policy_version, payload) "
            + "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw Failure(message: "prepare") }
        defer { sqlite3_finalize(statement) }
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var versions = [Int64](repeating: 0, count: 100)
        return try measureSeconds {
            var index = 0
            var batchIndex = 0
            while index < events.count {
                try exec("BEGIN IMMEDIATE")
                let stream = batchIndex % 100
                for event in events[index..<min(events.count, index + batch)] {
                    versions[stream] += 1
                    sqlite3_reset(statement)
                    sqlite3_bind_text(statement, 1, event.id.rawValue, -1, transient)
                    sqlite3_bind_text(statement, 2, "stream-\(stream)", -1, transient)
                    sqlite3_bind_int64(statement, 3, versions[stream])
                    sqlite3_bind_text(statement, 4, event.type, -1, transient)
                    sqlite3_bind_int64(statement, 5, event.occurredAt.millisecondsSince1970)
                    sqlite3_bind_text(statement, 6, event.actor?.party.rawValue, -1, transient)
                    sqlite3_bind_text(statement, 7, event.actor?.role.rawValue, -1, transient)
                    sqlite3_bind_text(statement, 8, event.actor?.person, -1, transient)
                    sqlite3_bind_text(statement, 9, event.metadata.correlationID, -1, transient)
                    sqlite3_bind_null(statement, 10)
                    sqlite3_bind_null(statement, 11)
                    _ = event.payload.withUnsafeBytes {
                        sqlite3_bind_blob(statement, 12, $0.baseAddress, Int32($0.count), transient)
                    }
                    guard sqlite3_step(statement) == SQLITE_DONE else { throw Failure(message: "insert") }
                }
                try exec("COMMIT")
                index += batch
                batchIndex += 1
            }
        }
    }
}
