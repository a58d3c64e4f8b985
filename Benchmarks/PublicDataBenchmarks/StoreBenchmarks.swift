import CPublicDataSQLite
import Foundation
import PublicDataModel
import PublicDataSQLite

/// Append and read throughput of the in-memory and SQLite stores, beside a raw SQLite insert loop.
enum StoreBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("store")
        let memoryEvents = report.quick ? 100_000 : 1_000_000
        let sqliteEventsBatch1 = report.quick ? 2_000 : 10_000
        let sqliteEventsBatch100 = report.quick ? 50_000 : 200_000

        for batch in [1, 100] {
            let count = batch == 1 ? memoryEvents / 10 : memoryEvents
            let events = makeEvents(count)
            let grown = try await appendAll(InMemoryEventStore(), events, batch: batch)
            report.record("store", "in-memory append, batch \(batch)", Double(count) / grown, "events/s")
            let store = InMemoryEventStore(minimumCapacity: count)
            let seconds = try await appendAll(store, events, batch: batch)
            report.record(
                "store",
                "in-memory append, batch \(batch), capacity reserved",
                Double(count) / seconds,
                "events/s"
            )
            if batch == 100 {
                let read = try await measureSecondsAsync {
                    _ = try await store.readAll(after: 0, pageSize: 1000)
                }
                report.record("store", "in-memory global-log read", Double(count) / read, "events/s")
            }
        }

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdk-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for durability in [SQLiteEventStore.Durability.full, .normal] {
            for batch in [1, 100] {
                let count = batch == 1 ? sqliteEventsBatch1 : sqliteEventsBatch100
                let events = makeEvents(count)
                let storePath = folder.appendingPathComponent("store-\(durability)-\(batch).sqlite").path
                let store = try SQLiteEventStore(path: storePath, durability: durability)
                let storeSeconds = try await appendAll(store, events, batch: batch)
                let rawPath = folder.appendingPathComponent("raw-\(durability)-\(batch).sqlite").path
                let rawSeconds = try rawInsertLoop(path: rawPath, events: events, batch: batch, durability: durability)
                let storeRate = Double(count) / storeSeconds
                let rawRate = Double(count) / rawSeconds
                let label = "sqlite (synchronous=\(durability.rawValue)) append, batch \(batch)"
                report.record("store", label, storeRate, "events/s")
                report.record("store", "raw sqlite insert loop, same pragmas, batch \(batch)", rawRate, "events/s")
                report.record(
                    "store",
                    "ratio store/raw, \(durability.rawValue), batch \(batch)",
                    storeRate / rawRate,
                    "x"
                )
                if batch == 100 {
                    let read = try await measureSecondsAsync {
                        _ = try await store.readAll(after: 0, pageSize: 1000)
                    }
                    report.record(
                        "store",
                        "sqlite global-log read (\(durability.rawValue))",
                        Double(count) / read,
                        "events/s"
                    )
                }
                store.close()
            }
        }
    }

    static func makeEvents(_ count: Int) -> [ProposedEvent] {
        let payload = Data("{\"agreementID\":\"agr-001\",\"catalogEntryIDs\":[\"fin-credit\"],\"amount\":1250}".utf8)
        let actor = Actor(party: "operator-1", role: .operator, person: "bench")
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
