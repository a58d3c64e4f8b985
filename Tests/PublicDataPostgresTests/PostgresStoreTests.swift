#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import PublicDataTesting
import Testing

/// Polls `condition` until it holds (at most `attempts` × 20 ms); a bounded wait, not a timing assertion.
func eventually(attempts: Int = 500, _ condition: () async throws -> Bool) async throws -> Bool {
    for _ in 0..<attempts {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(20))
    }
    return false
}

/// `base` with extra `key=value` parameters, for key/value strings and `postgresql://` URLs alike.
func withParameters(_ base: String, _ parameters: [String]) -> String {
    if base.hasPrefix("postgres") {
        return base + (base.contains("?") ? "&" : "?") + parameters.joined(separator: "&")
    }
    return ([base] + parameters).joined(separator: " ")
}

/// The error thrown by `body`, as an ``EventStoreError`` (nil when it succeeds or throws something else).
func storeError(_ body: () async throws -> Void) async -> EventStoreError? {
    do {
        try await body()
        return nil
    } catch let error as EventStoreError {
        return error
    } catch {
        return nil
    }
}

@Suite(
    "PostgreSQL store on a real server",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct PostgresStoreTests {
    @Test("The whole storage conformance suite passes")
    func conformance() async throws {
        let target = try await TestDatabase.connectionString()
        await EventStoreConformance.run { try await TestDatabase.makeStore(connectionString: target) }
    }

    @Test("An audit ledger's witness cosignatures are stored once and served with the checkpoint")
    func ledgerCosignatures() async throws {
        let store = try await TestDatabase.makeStore()
        #expect(await LedgerStoreConformance.checkCosignatures(on: store) == [])
    }

    @Test("Appended events read back equal, by stream and in the global log")
    func roundTrip() async throws {
        let store = try await TestDatabase.makeStore()
        let first = try await store.append(Fixture.batch("a", count: 3), to: "plan-1", expectedVersion: .noStream)
        let second = try await store.append([Fixture.event("b-1")], to: "plan-2", expectedVersion: .noStream)
        #expect(first.events.map(\.globalPosition) == [1, 2, 3])
        #expect(second.events.map(\.globalPosition) == [4])
        #expect(try await store.readStream("plan-1", fromVersion: 2, limit: 10) == Array(first.events.dropFirst()))
        #expect(try await store.readAll(after: 0, limit: 10) == first.events + second.events)
        #expect(try await store.headPosition() == 4)
        #expect(try await store.streamVersion("plan-1") == 3)
        #expect(try await store.streamVersion("missing") == 0)
        await store.close()
        let closed = await storeError { _ = try await store.headPosition() }
        #expect(closed?.code == .unavailable)
    }

    @Test("Text the server cannot hold (a NUL character) is an invalid argument; nothing is written")
    func nulCharacter() async throws {
        let store = try await TestDatabase.makeStore()
        let error = await storeError {
            _ = try await store.append([Fixture.event("nul")], to: "bad\u{0}stream", expectedVersion: .any)
        }
        // Refused by the model's identifier rules before anything is sent to the server.
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("U+0000") == true)
        #expect(try await store.headPosition() == 0)
    }

    // MARK: - Bad input

    @Test("An unreachable server is unavailable, with the target named")
    func unreachableServer() async throws {
        let folder = NSTemporaryDirectory() + "pd-none-\(UInt32.random(in: 0...UInt32.max))"
        var configuration = PostgresConfiguration("host=\(folder) port=5999 user=nobody dbname=none", schema: "x")
        configuration.reconnectWindow = .zero
        let error = await storeError { _ = try await PostgresEventStore(configuration: configuration) }
        #expect(error?.code == .unavailable)
        #expect(error?.location?.contains("port=5999") == true)
        #expect(error?.message.contains("cannot connect") == true)
    }

    @Test("A missing database is unavailable with SQLSTATE 3D000")
    func missingDatabase() async throws {
        let base = try await TestDatabase.connectionString()
        let missing = "dbname=no_such_database_\(UInt16.random(in: 0...9999))"
        let target = withParameters(base, [missing])
        var configuration = PostgresConfiguration(target, schema: TestDatabase.freshSchema())
        configuration.reconnectWindow = .zero
        let error = await storeError { _ = try await PostgresEventStore(configuration: configuration) }
        #expect(error?.code == .unavailable)
        #expect(error?.backendCode == "3D000")
    }

    @Test("A wrong password is unavailable with SQLSTATE 28P01")
    func wrongPassword() async throws {
        let target = try await TestDatabase.connectionString()
        let admin = try await TestDatabase.session()
        let role = "pw_\(UInt32.random(in: 0...UInt32.max))"
        // The throwaway cluster asks members of publicdata_password_login for a password (pg_hba.conf).
        try await admin.script(
            """
            DO $$ BEGIN
                CREATE ROLE publicdata_password_login NOLOGIN;
            EXCEPTION WHEN duplicate_object THEN NULL; END $$;
            CREATE ROLE \(role) LOGIN PASSWORD 'right' IN ROLE publicdata_password_login;
            """
        )
        var right = PostgresConfiguration(withParameters(target, ["user=\(role)", "password=right"]), schema: "pw")
        right.reconnectWindow = .zero
        right.migration = .verifyOnly
        var wrong = right
        wrong.connectionString = withParameters(target, ["user=\(role)", "password=wrong"])
        let rightError = await storeError { _ = try await PostgresEventStore(configuration: right) }
        let wrongError = await storeError { _ = try await PostgresEventStore(configuration: wrong) }
        try await admin.script("DROP ROLE \(role)")
        // With the right password the login works (the schema check then fails, as it should).
        #expect(rightError?.backendCode != "28P01")
        let trusted = wrongError?.message.contains("schema pw is at version") == true
        if case .cluster = TestDatabase.server {
            #expect(!trusted, "the throwaway cluster asks this role for a password")
        }
        guard !trusted else {
            // A server that trusts local connections accepts any password; check the mapping of libpq's message.
            let message = "connection to server failed: FATAL:  password authentication failed for user \"x\""
            #expect(PostgresConnectionSettings.connectionFailureCode(message) == "28P01")
            return
        }
        #expect(wrongError?.code == .unavailable)
        #expect(wrongError?.backendCode == "28P01")
        #expect(wrongError?.message.contains("password authentication failed") == true)
    }

    @Test(
        "A malformed connection string or schema name is an invalid argument",
        arguments: [
            ("host=localhost port", "ok_schema"), ("postgresql://[::1", "ok_schema"), ("", "Bad-Name"), ("", "1abc"),
        ]
    )
    func invalidConfiguration(connectionString: String, schema: String) async throws {
        let error = await storeError { _ = try await PostgresEventStore(connectionString, schema: schema) }
        #expect(error?.code == .invalidArgument)
    }

    // MARK: - Connections

    @Test("Reads and cursor calls are prepared once per connection, and prepared again after DEALLOCATE ALL")
    func preparedReads() async throws {
        let store = try await TestDatabase.makeStore { $0.maximumConnections = 1 }
        _ = try await store.append([Fixture.event("p1")], to: "p", expectedVersion: .noStream)
        for _ in 0..<2 {
            #expect(try await store.headPosition() == 1)
            #expect(try await store.streamVersion("p") == 1)
            #expect(try await store.readStream("p", fromVersion: 1, limit: 10).map(\.id) == ["p1"])
            #expect(try await store.readAll(after: 0, limit: 10).map(\.id) == ["p1"])
            try await store.saveCursor("c", position: 1)
            #expect(try await store.loadCursor("c") == 1)
        }
        let names = try await store.withConnection { connection in
            let result = try connection.execute("SELECT name FROM pg_prepared_statements", textResults: true)
            return Set((0..<result.rowCount).compactMap { result.string($0, 0) })
        }
        let prefixes = [
            "pd_head_", "pd_version_", "pd_read_stream_", "pd_read_all_", "pd_cursor_get_", "pd_cursor_set_",
        ]
        for prefix in prefixes {
            #expect(names.contains(prefix + store.schema), "\(prefix) is not prepared")
        }
        // The session loses them (as behind a pooler): each call prepares its statement again and runs once.
        try await store.withConnection { connection in try connection.executeScript("DEALLOCATE ALL") }
        #expect(try await store.headPosition() == 1)
        #expect(try await store.readAll(after: 0, limit: 10).map(\.id) == ["p1"])
        try await store.saveCursor("c", position: 2)
        #expect(try await store.loadCursor("c") == 2)
    }

    @Test("libpq calls run on the connection's dedicated thread, not on the cooperative pool")
    func dedicatedThreads() async throws {
        let store = try await TestDatabase.makeStore()
        let onWorker = try await store.withConnection { _ in WorkerThread.isCurrentThreadWorker }
        #expect(onWorker)
        #expect(WorkerThread.isCurrentThreadWorker == false)
    }

    @Test("A statement waiting past the statement timeout fails as unavailable (57014) and writes nothing")
    func statementTimeout() async throws {
        // Migrate with the default timeout, then open the same schema with a short one.
        let schema = try await TestDatabase.makeStore().schema
        let store = try await TestDatabase.makeStore(schema: schema) { $0.statementTimeout = .milliseconds(300) }
        let holder = try await TestDatabase.session()
        try await holder.script("BEGIN; SELECT * FROM \(store.schema).log_head FOR UPDATE")
        let error = await storeError {
            _ = try await store.append([Fixture.event("late")], to: "s", expectedVersion: .noStream)
        }
        try await holder.script("ROLLBACK")
        #expect(error?.code == .unavailable)
        #expect(error?.backendCode == "57014")
        #expect(try await store.headPosition() == 0)
        let later = try await store.append([Fixture.event("late")], to: "s", expectedVersion: .noStream)
        #expect(later.lastPosition == 1)
    }

    @Test("The pool is bounded: with every connection busy, a caller waits, then fails after the acquire timeout")
    func boundedPool() async throws {
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 1
            $0.acquireTimeout = .milliseconds(300)
        }
        let holder = try await TestDatabase.session()
        try await holder.script("BEGIN; SELECT * FROM \(store.schema).log_head FOR UPDATE")
        // The only connection waits for the lock; a second call cannot get a connection.
        let blocked = Task { try await store.append([Fixture.event("one")], to: "s", expectedVersion: .noStream) }
        let observer = try await TestDatabase.session()
        _ = try await eventually {
            try await observer.value(
                """
                SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'
                   AND (position($1 IN query) > 0 OR position($2 IN query) > 0)
                """,
                // The append stores its batch without a position and waits in the positioning call.
                [.text("\(store.schema).append_events"), .text("\(store.schema).assign_positions")]
            ) == "1"
        }
        let error = await storeError { _ = try await store.headPosition() }
        #expect(error?.code == .unavailable)
        #expect(error?.message.contains("pool exhausted") == true)
        try await holder.script("ROLLBACK")
        #expect(try await blocked.value.lastPosition == 1)
        #expect(try await store.headPosition() == 1)
    }

    @Test("The wake-up listener reconnects after its backend is terminated, and says so with a wake-up")
    func wakeUpsReconnect() async throws {
        let store = try await TestDatabase.makeStore()
        let channel = PostgresSchema.notificationChannel(schema: store.schema)
        let killer = try await TestDatabase.session()
        let woke = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = store.logWakeUps().makeAsyncIterator()
                guard await iterator.next() != nil else { return false }  // connected and listening
                let terminated = try await eventually {
                    try await killer.value(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE query = $1",
                        [.text("LISTEN \(channel)")]
                    ) == "1"
                }
                guard terminated else { return false }
                // No append happens: the next element can only come from the reconnection.
                return await iterator.next() != nil
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(woke)
    }

    // MARK: - Schema

    @Test("Migrations are idempotent and safe when instances start together")
    func concurrentMigrations() async throws {
        let schema = TestDatabase.freshSchema()
        let target = try await TestDatabase.connectionString()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<6 {
                group.addTask { _ = try await TestDatabase.makeStore(schema: schema, connectionString: target) }
            }
            try await group.waitForAll()
        }
        _ = try await TestDatabase.makeStore(schema: schema, connectionString: target)
        let session = try await TestDatabase.session()
        let rows = try await session.query("SELECT version FROM \(schema).schema_migrations ORDER BY version")
        #expect(rows == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]])
    }

    @Test("A schema newer than the library is refused and left untouched")
    func schemaTooNew() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        _ = try await store.append([Fixture.event("kept")], to: "s", expectedVersion: .noStream)
        await store.close()
        let session = try await TestDatabase.session()
        try await session.script("INSERT INTO \(schema).schema_migrations (version, summary) VALUES (99, 'future')")
        let snapshot = """
            SELECT string_agg(c.relname || ':' || c.relkind::text, ',' ORDER BY c.relname)
                || '|' || (SELECT string_agg(version::text, ',' ORDER BY version) FROM \(schema).schema_migrations)
                || '|' || (SELECT count(*) FROM \(schema).events)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '\(schema)'
            """
        let before = try await session.value(snapshot)
        let error = await storeError { _ = try await TestDatabase.makeStore(schema: schema) }
        #expect(error?.code == .schemaTooNew)
        #expect(error?.message.contains("99") == true)
        #expect(try await session.value(snapshot) == before)
    }

    @Test("Operations.md shows the migration SQL the library runs")
    func documentedSQL() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let text = try String(
            contentsOf: root.appendingPathComponent("Documentation/Operations.md"),
            encoding: .utf8
        )
        for migration in try PostgresSchema.migrations(schema: "publicdata") {
            #expect(text.contains(migration.sql), "migration \(migration.version) is not in Operations.md verbatim")
        }
    }

    @Test("Verify-only mode refuses a missing schema without creating it")
    func verifyOnly() async throws {
        let schema = TestDatabase.freshSchema()
        let error = await storeError {
            _ = try await TestDatabase.makeStore(schema: schema) { $0.migration = .verifyOnly }
        }
        #expect(error?.code == .unavailable)
        let session = try await TestDatabase.session()
        #expect(try await session.value("SELECT count(*) FROM pg_namespace WHERE nspname = $1", [.text(schema)]) == "0")
    }

    // MARK: - Wake-ups

    @Test("LISTEN/NOTIFY wakes a follower when another instance appends")
    func wakeUps() async throws {
        let store = try await TestDatabase.makeStore()
        let other = try await TestDatabase.makeStore(schema: store.schema)
        let woke = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                var iterator = store.logWakeUps().makeAsyncIterator()
                guard await iterator.next() != nil else { return false }  // the initial wake-up
                var seen: [RecordedEvent] = []
                // Keep appending until a wake-up arrives (the listener may subscribe after the first append).
                let writer = Task {
                    for index in 1...200 {
                        _ = try await other.append([Fixture.event("w\(index)")], to: "w", expectedVersion: .any)
                        try await Task.sleep(for: .milliseconds(50))
                    }
                }
                defer { writer.cancel() }
                while seen.isEmpty {
                    guard await iterator.next() != nil else { return false }
                    seen = try await store.readAll(after: 0, limit: 10)
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: .seconds(20))
                return false
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            return first
        }
        #expect(woke)
    }
}
#endif
