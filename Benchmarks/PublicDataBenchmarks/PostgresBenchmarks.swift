#if PostgreSQL
import CPublicDataLibPQ
import Foundation
import PublicDataModel
import PublicDataPostgres

/// The PostgreSQL store beside raw libpq on the same server, same rows, same durability
/// (`synchronous_commit = on`, `fsync = on` on the throwaway cluster).
enum PostgresBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Postgres")
        var cluster: PostgresTestCluster?
        let target: String
        switch PostgresTestServer.detect() {
        case .url(let url):
            target = url
        case .cluster(let bin):
            let started = try PostgresTestCluster.start(binDirectory: bin)
            cluster = started
            target = started.connectionString
        case .unavailable(let reason):
            print("  skipped: \(reason)")
            return
        }
        defer { cluster?.stop() }
        let durable = withOption(
            target,
            "options=-c%20synchronous_commit%3Don",
            keyValue: "options='-c synchronous_commit=on'"
        )
        let singles = report.quick ? 300 : 1500
        let batches = report.quick ? 20 : 100
        let group = "postgres"

        // Append, batch of 1 and of 100, one appender.
        let store = try await makeStore(durable, schema: "bench_append", connections: 1)
        let raw = try RawConnection(durable)
        try raw.exec("DROP TABLE IF EXISTS public.bench_raw")
        try raw.exec("CREATE TABLE public.bench_raw (LIKE bench_append.events INCLUDING ALL)")

        // Store and raw alternate in short rounds so that drifting disk latency (fsync under other load) hits
        // both alike.
        let rounds = 10
        let events = (0..<singles).map { makeEvent("one-\($0)") }
        var storeSingle = 0.0
        var rawSingle = 0.0
        for round in 0..<rounds {
            let range = (singles * round / rounds)..<(singles * (round + 1) / rounds)
            storeSingle += try await measureSecondsAsync {
                for index in range {
                    _ = try await store.append([events[index]], to: "single", expectedVersion: .exactly(Int64(index)))
                }
            }
            rawSingle += try measureSeconds {
                for index in range {
                    let next = Int64(index) + 1
                    try raw.insert([events[index]], stream: "single", firstVersion: next, firstPosition: next)
                }
            }
        }
        let storeSingleRate = Double(singles) / storeSingle
        let rawSingleRate = Double(singles) / rawSingle
        report.record(group, "append batch 1, store (appends/s)", storeSingleRate, "appends/s")
        report.record(group, "append batch 1, raw libpq insert (appends/s)", rawSingleRate, "appends/s")
        report.record(
            group,
            "append batch 1, ratio store/raw",
            storeSingleRate / rawSingleRate,
            "x",
            note: "target >= 0.5"
        )

        let big = (0..<batches).map { batch in (0..<100).map { makeEvent("b\(batch)-\($0)") } }
        let offset = Int64(singles)
        var storeBatch = 0.0
        var rawBatch = 0.0
        for round in 0..<rounds {
            let range = (batches * round / rounds)..<(batches * (round + 1) / rounds)
            storeBatch += try await measureSecondsAsync {
                for index in range {
                    _ = try await store.append(big[index], to: "batched", expectedVersion: .exactly(Int64(index * 100)))
                }
            }
            rawBatch += try measureSeconds {
                for index in range {
                    try raw.insert(
                        big[index],
                        stream: "batched",
                        firstVersion: Int64(index * 100) + 1,
                        firstPosition: offset + Int64(index * 100) + 1
                    )
                }
            }
        }
        let storeBatchRate = Double(batches * 100) / storeBatch
        let rawBatchRate = Double(batches * 100) / rawBatch
        report.record(group, "append batch 100, store (events/s)", storeBatchRate, "events/s")
        report.record(group, "append batch 100, raw libpq insert (events/s)", rawBatchRate, "events/s")
        report.record(
            group,
            "append batch 100, ratio store/raw",
            storeBatchRate / rawBatchRate,
            "x",
            note: "target >= 0.5"
        )

        // Reading the global log in pages of 1000.
        let total = singles + batches * 100
        var readCount = 0
        var rawCount = 0
        var storeRead = 0.0
        var rawRead = 0.0
        for _ in 0..<3 {
            readCount = 0
            storeRead += try await measureSecondsAsync {
                var after: Int64 = 0
                while true {
                    let page = try await store.readAll(after: after, limit: 1000)
                    guard let last = page.last else { break }
                    readCount += page.count
                    after = last.globalPosition
                }
            }
            rawRead += try measureSeconds { rawCount = try raw.readAll(pageSize: 1000) }
        }
        guard readCount == total, rawCount == total else {
            print("  read counts differ: store \(readCount), raw \(rawCount), expected \(total)")
            return
        }
        let storeReadRate = Double(3 * total) / storeRead
        let rawReadRate = Double(3 * total) / rawRead
        report.record(group, "readAll pages of 1000, store (events/s)", storeReadRate, "events/s")
        report.record(group, "select pages of 1000, raw libpq (events/s)", rawReadRate, "events/s")
        report.record(group, "read, ratio store/raw", storeReadRate / rawReadRate, "x", note: "target >= 0.5")
        // One round trip without a commit: what the async API and the dedicated threads cost per call.
        let trips = report.quick ? 500 : 3000
        var storeTrip = 0.0
        var rawTrip = 0.0
        for _ in 0..<rounds {
            storeTrip += try await measureSecondsAsync {
                for _ in 0..<(trips / rounds) { _ = try await store.headPosition() }
            }
            rawTrip += try measureSeconds {
                for _ in 0..<(trips / rounds) {
                    try raw.exec("SELECT last_position FROM bench_append.log_head WHERE id = 1")
                }
            }
        }
        report.record(group, "round trip (headPosition), store", storeTrip / Double(trips) * 1e6, "us")
        report.record(group, "round trip (same SELECT), raw libpq", rawTrip / Double(trips) * 1e6, "us")
        await store.close()

        // Concurrent appenders (batch 1, one stream each): the cost of ordering commits through the head row.
        let concurrentTotal = report.quick ? 320 : 1600
        for appenders in [1, 4, 16] {
            let schema = "bench_c\(appenders)"
            let concurrent = try await makeStore(durable, schema: schema, connections: appenders)
            let perAppender = concurrentTotal / appenders
            let seconds = try await measureSecondsAsync {
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    for appender in 0..<appenders {
                        tasks.addTask {
                            for index in 0..<perAppender {
                                _ = try await concurrent.append(
                                    [makeEvent("c\(appender)-\(index)")],
                                    to: StreamID("appender-\(appender)"),
                                    expectedVersion: .exactly(Int64(index))
                                )
                            }
                        }
                    }
                    try await tasks.waitForAll()
                }
            }
            report.record(
                group,
                "append batch 1, store, \(appenders) concurrent appenders",
                Double(perAppender * appenders) / seconds,
                "appends/s"
            )
            await concurrent.close()
        }
        // The same with raw inserts on 16 connections (no ordering): what the ordering guarantee costs.
        try raw.exec("TRUNCATE public.bench_raw")
        let rawConcurrent = try measureSeconds {
            try runOnThreads(16) { thread in
                let connection = try RawConnection(durable)
                let perThread = concurrentTotal / 16
                for index in 0..<perThread {
                    let position = Int64(thread * perThread + index + 1)
                    try connection.insert(
                        [makeEvent("r\(thread)-\(index)")],
                        stream: "raw-\(thread)",
                        firstVersion: Int64(index) + 1,
                        firstPosition: position
                    )
                }
            }
        }
        report.record(
            group,
            "append batch 1, raw libpq, 16 concurrent connections (unordered)",
            Double(concurrentTotal / 16 * 16) / rawConcurrent,
            "appends/s"
        )
        try raw.exec("DROP TABLE public.bench_raw")
    }

    private static func makeStore(
        _ target: String,
        schema: String,
        connections: Int
    ) async throws
        -> PostgresEventStore
    {
        let admin = try RawConnection(target)
        try admin.exec("DROP SCHEMA IF EXISTS \(schema) CASCADE")
        var configuration = PostgresConfiguration(target, schema: schema)
        configuration.maximumConnections = connections
        return try await PostgresEventStore(configuration: configuration)
    }

    private static func withOption(_ target: String, _ urlOption: String, keyValue: String) -> String {
        if target.hasPrefix("postgres") { return target + (target.contains("?") ? "&" : "?") + urlOption }
        return target + " " + keyValue
    }

    private static let actor = Actor(party: "bjdata-ops", role: .operator, person: "operator-7")

    private static func makeEvent(_ id: String) -> ProposedEvent {
        let payload =
            #"{"agreement":"agr-2026-001","amount":{"currency":"CNY","fen":125000},"scope":["entry-1","entry-2"]}"#
        return ProposedEvent(
            id: EventID(id),
            type: "agreement.usage_recorded",
            occurredAt: Date(millisecondsSince1970: 1_775_000_000_000),
            actor: actor,
            payload: Data(payload.utf8),
            metadata: EventMetadata(correlationID: "req-\(id)", causationID: nil, policyVersion: "beijing@1")
        )
    }

    /// Runs `body` on `count` threads at once and waits for all of them.
    private static func runOnThreads(_ count: Int, _ body: @escaping @Sendable (Int) throws -> Void) throws {
        let done = DispatchGroup()
        let failures = FailureBox()
        for index in 0..<count {
            done.enter()
            Thread {
                do { try body(index) } catch { failures.set("\(error)") }
                done.leave()
            }.start()
        }
        done.wait()
        if let failure = failures.value { throw BenchmarkFailure(message: failure) }
    }
}

private struct BenchmarkFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

private final class FailureBox: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: String?
    var value: String? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
    func set(_ message: String) {
        lock.lock()
        stored = message
        lock.unlock()
    }
}

/// A bare libpq connection: the baseline the store is measured against.
private final class RawConnection {
    private let handle: OpaquePointer

    init(_ connectionString: String) throws {
        guard let handle = PQconnectdb(connectionString), PQstatus(handle) == CONNECTION_OK else {
            throw BenchmarkFailure(message: "raw connect failed")
        }
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        self.handle = handle
    }

    deinit { PQfinish(handle) }

    func exec(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
        }
    }

    /// One multi-row INSERT of the batch (text parameters), committed on its own like the store's append.
    func insert(_ events: [ProposedEvent], stream: String, firstVersion: Int64, firstPosition: Int64) throws {
        var rows: [String] = []
        var values: [String?] = []
        for (offset, event) in events.enumerated() {
            let base = values.count
            rows.append("(" + (1...13).map { "$\(base + $0)" }.joined(separator: ",") + ")")
            values += [
                String(firstPosition + Int64(offset)), event.id.rawValue, stream, String(firstVersion + Int64(offset)),
                event.type, String(event.occurredAt.millisecondsSince1970),
                event.actor?.party.rawValue, event.actor?.role.rawValue, event.actor?.person,
                Self.hex(event.payload),
                event.metadata.correlationID, event.metadata.causationID, event.metadata.policyVersion,
            ]
        }
        let sql =
            "INSERT INTO public.bench_raw (global_position, event_id, stream_id, stream_version, event_type, "
            + "occurred_at_ms, actor_party, actor_role, actor_person, payload, correlation_id, causation_id, "
            + "policy_version) VALUES " + rows.joined(separator: ",")
        let cStrings = values.map { value in value.map { strdup($0) } ?? nil }
        defer {
            for pointer in cStrings { free(pointer) }
        }
        var pointers: [UnsafePointer<CChar>?] = cStrings.map { UnsafePointer($0) }
        let result = PQexecParams(handle, sql, Int32(values.count), nil, &pointers, nil, nil, 0)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK else {
            throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
        }
    }

    private static func hex(_ data: Data) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = [92, 120]  // \x
        bytes.reserveCapacity(2 + data.count * 2)
        for byte in data {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads every row in pages, copying each value out (binary results); returns the row count.
    func readAll(pageSize: Int) throws -> Int {
        var after: Int64 = 0
        var count = 0
        while true {
            let sql =
                "SELECT global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms, "
                + "actor_party, actor_role, actor_person, payload, correlation_id, causation_id, policy_version "
                + "FROM public.bench_raw WHERE global_position > \(after) "
                + "ORDER BY global_position LIMIT \(pageSize)"
            let result = PQexecParams(handle, sql, 0, nil, nil, nil, nil, 1)
            defer { PQclear(result) }
            guard PQresultStatus(result) == PGRES_TUPLES_OK else {
                throw BenchmarkFailure(message: String(cString: PQerrorMessage(handle)))
            }
            let rows = Int(PQntuples(result))
            if rows == 0 { return count }
            var checksum = 0
            for row in 0..<Int32(rows) {
                for column in 0..<Int32(13) {
                    let length = Int(PQgetlength(result, row, column))
                    if let value = PQgetvalue(result, row, column) {
                        checksum &+= Data(bytes: value, count: length).count
                    }
                }
            }
            count += rows
            if let value = PQgetvalue(result, Int32(rows - 1), 0) {
                var position: UInt64 = 0
                for index in 0..<8 { position = position << 8 | UInt64(UInt8(bitPattern: value[index])) }
                after = Int64(bitPattern: position)
            }
            _ = checksum
        }
    }
}
#else
enum PostgresBenchmarks {
    static func run(_ report: BenchmarkReport) async throws {
        report.section("Postgres")
        print(
            "  skipped: the PostgreSQL trait is off (swift run -c release --traits PostgreSQL PublicDataBenchmarks postgres)"
        )
    }
}
#endif
