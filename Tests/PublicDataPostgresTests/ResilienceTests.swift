#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import PublicDataPostgresTesting
import Testing

/// Checks a whole log: positions 1...n without holes, every id once, each stream's versions 1...k in log order.
func checkLog(_ events: [RecordedEvent], expectedCount: Int) {
    #expect(events.count == expectedCount)
    #expect(events.map(\.globalPosition) == (0..<events.count).map { Int64($0 + 1) }, "positions have holes")
    #expect(Set(events.map(\.id)).count == events.count, "an event is stored twice")
    let byStream = Dictionary(grouping: events, by: \.streamID)
    for (stream, streamEvents) in byStream {
        #expect(
            streamEvents.map(\.streamVersion) == Array(1...Int64(streamEvents.count)),
            "stream \(stream) has versions out of log order or with gaps"
        )
    }
}

/// Appends with retries: an `unavailable` failure is retried with the same event ids (the contract's advice);
/// a version conflict re-reads the version.
func appendRetrying(
    _ store: PostgresEventStore,
    _ events: [ProposedEvent],
    to stream: StreamID,
    exact: Bool
)
    async throws -> (AppendResult, failures: Int)
{
    var failures = 0
    while true {
        do {
            let expected: ExpectedVersion = exact ? .exactly(try await store.streamVersion(stream)) : .any
            return (try await store.append(events, to: stream, expectedVersion: expected), failures)
        } catch let error as EventStoreError where error.code == .unavailable || error.code == .versionConflict {
            failures += 1
            if failures > 200 { throw error }
            try await Task.sleep(for: .milliseconds(error.code == .unavailable ? 50 : 1))
        }
    }
}

@Suite(
    "Several instances, killed backends and restarts",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct ResilienceTests {
    @Test("Two store instances with separate pools append to shared and own streams: nothing lost, twice or reordered")
    func twoInstances() async throws {
        let first = try await TestDatabase.makeStore()
        let second = try await TestDatabase.makeStore(schema: first.schema)
        let tasksPerStore = 4
        let appendsPerTask = 15
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (storeIndex, store) in [first, second].enumerated() {
                for task in 0..<tasksPerStore {
                    group.addTask {
                        for index in 0..<appendsPerTask {
                            let tag = "s\(storeIndex)-t\(task)-\(index)"
                            // Own stream with exact versions, shared stream with optimistic retries.
                            _ = try await appendRetrying(
                                store,
                                [Fixture.event("own-\(tag)")],
                                to: StreamID("own-\(storeIndex)-\(task)"),
                                exact: true
                            )
                            _ = try await appendRetrying(
                                store,
                                [Fixture.event("shared-\(tag)-a"), Fixture.event("shared-\(tag)-b")],
                                to: "shared",
                                exact: index % 2 == 0
                            )
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let total = 2 * tasksPerStore * appendsPerTask * 3
        let fromFirst = try await first.readAll(after: 0, pageSize: 100)
        let fromSecond = try await second.readAll(after: 0, pageSize: 100)
        checkLog(fromFirst, expectedCount: total)
        #expect(fromFirst == fromSecond)
        // Each shared batch is contiguous in the stream.
        let shared = fromFirst.filter { $0.streamID == "shared" }
        for pair in stride(from: 0, to: shared.count, by: 2) {
            #expect(shared[pair].id.rawValue.dropLast(2) == shared[pair + 1].id.rawValue.dropLast(2))
        }
    }

    @Test(
        "Four psql processes append beside the store and a follower: every event once, gap-free, streams in order",
        .enabled(if: ResilienceTests.psqlPath != nil, "psql not found")
    )
    func otherProcesses() async throws {
        let store = try await TestDatabase.makeStore { $0.maximumConnections = 6 }
        let schema = store.schema
        let target = try await TestDatabase.connectionString()
        let processes = 4
        let count = 40
        let psql = try #require(Self.psqlPath)
        var running: [(Process, Pipe, String)] = []
        for process in 0..<processes {
            // Each process appends to its own stream with the store's two-step protocol: append_events, then
            // assign_positions for a batch that was stored while the head row was taken.
            var script = "\\set ON_ERROR_STOP on\n"
            for index in 0..<count {
                let id = "psql-\(process)-\(index)"
                script += """
                    SELECT r_outcome FROM \(schema).append_events('psql-\(process)', \(index), ARRAY['\(id)'],
                      ARRAY['test.psql'], ARRAY[\(1_775_000_000_000 + index)]::bigint[], ARRAY[NULL]::text[],
                      ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY['\\x7b7d'::bytea], ARRAY['corr-\(index)'],
                      ARRAY[NULL]::text[], ARRAY[NULL]::text[], true);
                    SELECT \(schema).assign_positions('\(id)', true);

                    """
            }
            let file = NSTemporaryDirectory() + "pd-psql-\(UInt32.random(in: 0...UInt32.max)).sql"
            try Data(script.utf8).write(to: URL(fileURLWithPath: file))
            let child = Process()
            child.executableURL = URL(fileURLWithPath: psql)
            child.arguments = ["-X", "-q", "-d", target, "-f", file]
            child.standardInput = FileHandle.nullDevice
            child.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            child.standardError = errors
            try child.run()
            running.append((child, errors, file))
        }
        let total = processes * count + 2 * count
        let follower = Task {
            var cursor: Int64 = 0
            var seen: [RecordedEvent] = []
            while seen.count < total {
                let page = try await store.readAll(after: cursor, limit: 50)
                if let first = page.first {
                    #expect(first.globalPosition == cursor + 1, "a position was skipped and filled in later")
                    cursor = page.last?.globalPosition ?? cursor
                }
                seen += page
                if page.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<2 {
                group.addTask {
                    for index in 0..<count {
                        let stream: StreamID = index % 2 == 0 ? "shared" : StreamID("swift-\(task)")
                        _ = try await appendRetrying(
                            store,
                            [Fixture.event("swift-\(task)-\(index)")],
                            to: stream,
                            exact: index % 4 == 0
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        for (child, errors, file) in running {
            let status = try await runBlocking {
                child.waitUntilExit()
                return child.terminationStatus
            }
            let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(status == 0, "psql failed: \(errorText)")
            try? FileManager.default.removeItem(atPath: file)
        }
        let seen = try await follower.value
        let all = try await store.readAll(after: 0, pageSize: 100)
        checkLog(all, expectedCount: total)
        #expect(seen == all)
        #expect(all.filter { $0.id.rawValue.hasPrefix("psql-") }.count == processes * count)
    }

    static let psqlPath: String? = {
        var candidates = ["/usr/bin/psql", "/usr/local/bin/psql", "/opt/homebrew/bin/psql"]
        if let bin = PostgresTestCluster.serverProgramsDirectory() { candidates.insert(bin + "/psql", at: 0) }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    @Test("A backend killed mid-append: typed error with SQLSTATE, nothing partial, the pool recovers")
    func terminatedBackend() async throws {
        let store = try await TestDatabase.makeStore { $0.maximumConnections = 1 }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let killer = try await TestDatabase.session()
        // Hold an uncommitted row at version 3 of the victim stream: the store's insert of its batch writes
        // versions 1 and 2, then waits on this row's unique-index entry — the batch is half inserted.
        try await holder.script("BEGIN")
        try await holder.query(
            """
            INSERT INTO \(schema).events (global_position, event_id, stream_id, stream_version, event_type,
                occurred_at_ms, payload)
            VALUES (1000000, 'blocker', 'victim', 3, 'test.blocker', 0, '\\x')
            """
        )
        let batch = Fixture.batch("victim", count: 5)
        let (append, pid) = try await killer.startWaiting(running: ["\(schema).append_events"]) {
            try await store.append(batch, to: "victim", expectedVersion: .noStream)
        }
        #expect(pid != nil)
        let victimPID = try #require(pid)
        #expect(try await killer.value("SELECT pg_terminate_backend($1::int)", [.text(String(victimPID))]) == "t")

        let error = await storeError { _ = try await append.value }
        #expect(error?.code == .unavailable)
        #expect(error?.backendCode == "57P01" || error?.backendCode?.hasPrefix("08") == true)
        try await holder.script("ROLLBACK")

        #expect(try await store.streamVersion("victim") == 0)
        #expect(try await store.headPosition() == 0)
        #expect(try await store.readAll(after: 0, limit: 10).isEmpty)
        // The single pooled connection was replaced: the same batch now goes through whole.
        let retry = try await store.append(batch, to: "victim", expectedVersion: .noStream)
        #expect(retry.deduplicated == false)
        #expect(retry.events.map(\.globalPosition) == [1, 2, 3, 4, 5])
    }

    @Test(
        "The server restarted mid-run: the store reconnects and the run completes",
        .enabled(if: TestDatabase.canStartCluster, "needs PostgreSQL's server programs to restart a private cluster")
    )
    func serverRestart() async throws {
        let cluster = try #require(try await TestDatabase.startPrivateCluster())
        defer { cluster.stop() }
        let store = try await TestDatabase.makeStore(schema: "restart", connectionString: cluster.connectionString) {
            $0.maximumConnections = 4
            $0.reconnectWindow = .seconds(60)
        }
        let writers = 4
        let perWriter = 30
        let progress = Counter()
        let restarted = Task {
            _ = try await eventually(attempts: 3000) { await progress.value >= writers * perWriter / 3 }
            try await runBlocking { try cluster.restart() }
            return await progress.value
        }
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    var failures = 0
                    for index in 0..<perWriter {
                        let (_, failed) = try await appendRetrying(
                            store,
                            [Fixture.event("r\(writer)-\(index)")],
                            to: StreamID("restart-\(writer)"),
                            exact: true
                        )
                        failures += failed
                        await progress.increment()
                    }
                    return failures
                }
            }
            return try await group.reduce(0, +)
        }
        let atRestart = try await restarted.value
        #expect(atRestart < writers * perWriter, "the restart should happen while the writers run")
        let all = try await store.readAll(after: 0, pageSize: 100)
        checkLog(all, expectedCount: writers * perWriter)
        // Every writer's stream is complete and in order.
        for writer in 0..<writers {
            #expect(try await store.streamVersion(StreamID("restart-\(writer)")) == Int64(perWriter))
        }
        _ = failures
        await store.close()
    }
}

/// A shared counter.
actor Counter {
    private(set) var value = 0
    func increment() { value += 1 }
}
#endif
