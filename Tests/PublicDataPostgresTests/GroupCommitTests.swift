#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import Testing

/// Group commit (migrations 4 and 5): appends that arrive while the store's append calls are busy go to the server
/// together, in one transaction, and each keeps the outcome it would have had alone.
@Suite(
    "Group commit of concurrent appends",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct GroupCommitTests {
    /// Starts an append and waits until it is queued behind the busy call.
    private func queued(
        _ store: PostgresEventStore,
        _ events: [ProposedEvent],
        to stream: StreamID,
        expected: ExpectedVersion
    ) async throws -> Task<AppendResult, any Error> {
        let before = store.groups.queuedCount
        let task = Task { try await store.append(events, to: stream, expectedVersion: expected) }
        #expect(try await eventually { store.groups.queuedCount == before + 1 }, "the append did not queue")
        return task
    }

    @Test("Appends queued behind a busy call go to the server in one transaction, each with its own outcome")
    func queuedAppendsShareOneCall() async throws {
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 1
        }
        let schema = store.schema
        _ = try await store.append([Fixture.event("used")], to: "taken", expectedVersion: .noStream)
        let blocker = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        try await blocker.lockStream(schema, "first")
        // `first` waits in append_events on its stream's lock.
        let (first, firstPID) = try await observer.startWaiting(running: ["\(schema).append_events"]) {
            try await store.append([Fixture.event("first")], to: "first", expectedVersion: .noStream)
        }
        #expect(firstPID != nil)

        // Queued in this order while the only call slot is busy.
        let three = try await queued(store, Fixture.batch("g1", count: 3), to: "g1", expected: .noStream)
        let any = try await queued(store, [Fixture.event("g2")], to: "g2", expected: .any)
        let conflict = try await queued(store, [Fixture.event("c")], to: "taken", expected: .noStream)
        let elsewhere = try await queued(store, [Fixture.event("used")], to: "other", expected: .any)
        let retried = try await queued(store, [Fixture.event("used")], to: "taken", expected: .noStream)
        let sameStream = try await queued(store, [Fixture.event("g1-next")], to: "g1", expected: .exactly(3))
        try await blocker.unlockStream(schema, "first")

        #expect(try await first.value.events.map(\.globalPosition) == [2])
        let threeResult = try await three.value
        #expect(threeResult.events.map(\.globalPosition) == [3, 4, 5])
        #expect(threeResult.events.map(\.streamVersion) == [1, 2, 3])
        #expect(try await any.value.events.map(\.globalPosition) == [6])
        let conflictError = await storeError { _ = try await conflict.value }
        #expect(conflictError?.code == .versionConflict)
        let duplicateError = await storeError { _ = try await elsewhere.value }
        #expect(duplicateError?.code == .duplicateEventID)
        let retriedResult = try await retried.value
        #expect(retriedResult.deduplicated)
        #expect(retriedResult.events.map(\.globalPosition) == [1])
        let next = try await sameStream.value
        #expect(next.events.map(\.globalPosition) == [7])
        #expect(next.events.map(\.streamVersion) == [4])

        let all = try await store.readAll(after: 0, limit: 100)
        checkLog(all, expectedCount: 7)
        #expect(all.map(\.id.rawValue) == ["used", "first", "g1-1", "g1-2", "g1-3", "g2", "g1-next"])
        // One transaction: its rows share the transaction's start time; separate appends would not.
        let transactions = try await observer.value(
            "SELECT count(DISTINCT recorded_at) FROM \(schema).events WHERE event_id = ANY ($1)",
            [.textArray(["g1-1", "g1-2", "g1-3", "g2", "g1-next"])]
        )
        #expect(transactions == "1")
        #expect(store.groups.batchesSentInGroups == 6)
    }

    @Test("A group call terminated mid-call fails every batch in it and stores none; retries store each once")
    func terminatedGroupCall() async throws {
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 1
        }
        let schema = store.schema
        let blocker = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        try await blocker.lockStream(schema, "first")
        try await blocker.lockStream(schema, "g-b")
        // `first` waits in append_events on its stream's lock.
        let (first, firstPID) = try await observer.startWaiting(running: ["\(schema).append_events"]) {
            try await store.append([Fixture.event("first")], to: "first", expectedVersion: .noStream)
        }
        #expect(firstPID != nil)
        let batches = ["g-a", "g-b", "g-c"].map { (StreamID($0), Fixture.batch($0, count: 2)) }
        var tasks: [Task<AppendResult, any Error>] = []
        for (stream, batch) in batches {
            tasks.append(try await queued(store, batch, to: stream, expected: .noStream))
        }
        try await blocker.unlockStream(schema, "first")
        _ = try await first.value
        // The group call now waits for g-b's lock: terminate its backend.
        let pid = try #require(try await observer.lockWaiter(running: ["\(schema).append_group"]))
        #expect(try await observer.value("SELECT pg_terminate_backend($1::int)", [.text(String(pid))]) == "t")
        for task in tasks {
            let error = await storeError { _ = try await task.value }
            #expect(error?.code == .unavailable)
        }
        try await blocker.unlockStream(schema, "g-b")
        #expect(try await observer.value("SELECT count(*) FROM \(schema).events") == "1", "a batch was stored")

        for (stream, batch) in batches {
            let (result, _) = try await appendRetrying(store, batch, to: stream, exact: false)
            #expect(result.deduplicated == false)
        }
        checkLog(try await store.readAll(after: 0, limit: 100), expectedCount: 7)
    }

    /// Holds the head row in `holder`'s open transaction, makes the store's only call slot busy with a lone
    /// append of `first` (stored without a position: the head row is taken), queues `a` and `b` behind it and
    /// lets `first` go: the slot passes to `a`, which sends `a` and `b` as one group.
    private func groupBehindHeldHead(
        _ store: PostgresEventStore,
        holder: RawSession,
        observer: RawSession
    ) async throws -> (
        first: Task<AppendResult, any Error>, a: Task<AppendResult, any Error>, b: Task<AppendResult, any Error>
    ) {
        let schema = store.schema
        let blocker = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        try await blocker.lockStream(schema, "first")
        let (first, firstPID) = try await observer.startWaiting(running: ["\(schema).append_events"]) {
            try await store.append([Fixture.event("first")], to: "first", expectedVersion: .noStream)
        }
        #expect(firstPID != nil)
        let a = try await queued(store, Fixture.batch("a", count: 2), to: "a", expected: .noStream)
        let b = try await queued(store, Fixture.batch("b", count: 3), to: "b", expected: .noStream)
        try await blocker.unlockStream(schema, "first")
        return (first, a, b)
    }

    @Test("A group waits for the head row: none of its batches is stored without a position, all commit at once")
    func groupWaitsForTheHeadRow() async throws {
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 1
        }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        let (first, taskA, taskB) = try await groupBehindHeldHead(store, holder: holder, observer: observer)

        // The group waits in the head row's queue (migration 4 stored it without positions instead).
        #expect(try await observer.lockWaiter(running: ["\(schema).append_group"]) != nil)
        #expect(try await observer.value("SELECT count(*) FROM \(schema).events") == "1", "the group stored rows")
        #expect(try await store.readAll(after: 0, limit: 10).isEmpty)
        try await holder.script("COMMIT")

        let resultA = try await taskA.value
        let resultB = try await taskB.value
        let resultFirst = try await first.value
        let all = try await store.readAll(after: 0, limit: 10)
        checkLog(all, expectedCount: 6)
        let byStream = Dictionary(grouping: all, by: \.streamID)
        for result in [resultA, resultB, resultFirst] {
            let stream = try #require(result.events.first?.streamID)
            #expect(result.events == byStream[stream] ?? [], "the answer differs from the log")
        }
        // The group's batches are one transaction (one commit), and consecutive in the log.
        #expect(resultB.events.first?.globalPosition == (resultA.events.last?.globalPosition ?? 0) + 1)
        let transactions = try await observer.value(
            "SELECT count(DISTINCT xmin::text) FROM \(schema).events WHERE stream_id IN ('a', 'b')"
        )
        #expect(transactions == "1")
    }

    @Test("A group terminated while it waits for the head row stores nothing; retries store each batch once")
    func groupKilledWhileWaitingForTheHeadRow() async throws {
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 1
        }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        let (first, taskA, taskB) = try await groupBehindHeldHead(store, holder: holder, observer: observer)

        let pid = try #require(try await observer.lockWaiter(running: ["\(schema).append_group"]))
        #expect(try await observer.value("SELECT pg_terminate_backend($1::int)", [.text(String(pid))]) == "t")
        #expect(await storeError { _ = try await taskA.value }?.code == .unavailable)
        #expect(await storeError { _ = try await taskB.value }?.code == .unavailable)
        #expect(try await observer.value("SELECT count(*) FROM \(schema).events") == "1", "a batch was stored")
        try await holder.script("COMMIT")

        #expect(try await first.value.events.map(\.globalPosition) == [1])
        let retryA = try await store.append(Fixture.batch("a", count: 2), to: "a", expectedVersion: .noStream)
        let retryB = try await store.append(Fixture.batch("b", count: 3), to: "b", expectedVersion: .noStream)
        #expect(!retryA.deduplicated && !retryB.deduplicated)
        #expect(retryA.events.map(\.globalPosition) == [2, 3])
        #expect(retryB.events.map(\.globalPosition) == [4, 5, 6])
        checkLog(try await store.readAll(after: 0, limit: 10), expectedCount: 6)
    }

    @Test("Migration 5 upgrades a version-4 schema whose log has a batch waiting for its position")
    func upgradeFromVersion4() async throws {
        let schema = TestDatabase.freshSchema()
        let session = try await TestDatabase.session()
        try await session.script(PostgresSchema.bookkeeping(schema: schema))
        for migration in try PostgresSchema.migrations(schema: schema) where migration.version <= 4 {
            try await session.script(migration.sql)
            try await session.query(
                "INSERT INTO \(schema).schema_migrations (version, summary) VALUES ($1, $2)",
                [.int64(Int64(migration.version)), .text(migration.summary)]
            )
        }
        // A version-4 append that found the head row taken: committed, not yet positioned.
        let holder = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        let outcome = try await session.value(
            """
            SELECT r_outcome FROM \(schema).append_events('old', NULL, ARRAY['old-1'], ARRAY['test.happened'],
                ARRAY[1775000000123::bigint], ARRAY[NULL::text], ARRAY[NULL::text], ARRAY[NULL::text],
                ARRAY['\\x7b7d'::bytea], ARRAY[NULL::text], ARRAY[NULL::text], ARRAY[NULL::text], false)
            """
        )
        #expect(outcome == "pending")
        try await holder.script("COMMIT")

        let store = try await TestDatabase.makeStore(schema: schema) { $0.concurrentAppendCalls = 1 }
        let versions = try await session.query("SELECT version FROM \(schema).schema_migrations ORDER BY version")
        #expect(versions == [["1"], ["2"], ["3"], ["4"], ["5"], ["6"]])
        let skips = try await session.value(
            "SELECT position('SKIP LOCKED' IN pg_get_functiondef(to_regproc($1)))",
            [.text("\(schema).append_group")]
        )
        #expect(skips == "0", "append_group still skips a taken head row")
        // Appends through the upgraded schema position the waiting batch first, then their own.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 1...6 {
                group.addTask {
                    _ = try await store.append([Fixture.event("new-\(index)")], to: "new", expectedVersion: .any)
                }
            }
            try await group.waitForAll()
        }
        let all = try await store.readAll(after: 0, limit: 10)
        checkLog(all, expectedCount: 7)
        #expect(all.first?.id.rawValue == "old-1")
        #expect(all.filter { $0.streamID == "new" }.map(\.streamVersion) == [1, 2, 3, 4, 5, 6])
    }

    @Test("Two large batches stored without positions at the same moment each get consecutive positions, as answered")
    func concurrentPendingBatchesStayWhole() async throws {
        // Two calls in flight, so that both batches go alone through append_events (a group would wait for the
        // head row instead).
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 2
        }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        let size = 2_000
        let appends = (1...2).map { index in
            Task {
                try await store.append(
                    Fixture.batch("big\(index)", count: size),
                    to: StreamID("big\(index)"),
                    expectedVersion: .noStream
                )
            }
        }
        #expect(
            try await eventually {
                try await observer.value("SELECT count(*) FROM \(schema).events WHERE global_position IS NULL")
                    == String(2 * size)
            }
        )
        try await holder.script("COMMIT")
        var results: [AppendResult] = []
        for append in appends { results.append(try await append.value) }
        let all = try await store.readAll(after: 0, pageSize: 1_000)
        checkLog(all, expectedCount: 2 * size)
        let stored = Dictionary(grouping: all, by: \.streamID)
        for result in results {
            let first = try #require(result.events.first)
            let positions = result.events.map(\.globalPosition)
            #expect(positions == Array(first.globalPosition..<first.globalPosition + Int64(size)))
            #expect(stored[first.streamID]?.map(\.globalPosition) == positions, "the answer differs from the log")
            #expect(result.events == stored[first.streamID] ?? [])
        }
    }

    @Test("Migration 6: a group of one-event batches is stored in one statement, each batch with its own outcome")
    func oneEventBatchGroups() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        let session = try await TestDatabase.session()
        let body = try await session.value(
            "SELECT position('v_plain' IN pg_get_functiondef(to_regproc($1)))",
            [.text("\(schema).append_group")]
        )
        #expect(body != "0", "append_group has no one-statement path for one-event batches")
        _ = try await store.append([Fixture.event("first")], to: "a", expectedVersion: .noStream)
        // A lone append that found the head row taken: committed without a position, positioned by the next group.
        let holder = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        let outcome = try await session.value(
            """
            SELECT r_outcome FROM \(schema).append_events('w', NULL, ARRAY['waiting'], ARRAY['test.happened'],
                ARRAY[1775000000123::bigint], ARRAY[NULL::text], ARRAY[NULL::text], ARRAY[NULL::text],
                ARRAY['\\x7b7d'::bytea], ARRAY[NULL::text], ARRAY[NULL::text], ARRAY[NULL::text], false)
            """
        )
        #expect(outcome == "pending")
        try await holder.script("COMMIT")
        func group(_ batches: [(String, String, ExpectedVersion)]) async throws -> [[String?]] {
            let requests = batches.map { id, stream, expected in
                PostgresAppendRequest(events: [Fixture.event(id)], stream: StreamID(stream), expectedVersion: expected)
            }
            return try await session.query(store.groupStatement.sql, store.groupBindings(requests))
        }

        // Plain: distinct streams and ids, none stored, every expected version met. The waiting batch comes first.
        let plain = try await group([("p1", "a", .exactly(1)), ("p2", "b", .noStream), ("p3", "c", .any)])
        #expect(
            plain == [["appended", "2", "3", nil], ["appended", "1", "4", nil], ["appended", "1", "5", nil]]
        )
        // Stored by one statement (one command id in the transaction); the batch-by-batch path, below, takes one
        // statement per batch.
        func statements(_ ids: [String]) async throws -> String? {
            try await session.value(
                "SELECT count(DISTINCT cmin::text) FROM \(schema).events WHERE event_id = ANY($1::text[])",
                [.text("{" + ids.joined(separator: ",") + "}")]
            )
        }
        #expect(try await statements(["p1", "p2", "p3"]) == "1")
        // Not plain: each batch is answered as if the batches had been appended one after another.
        let sameStream = try await group([("s1", "a", .exactly(2)), ("s2", "a", .exactly(3)), ("s3", "d", .any)])
        #expect(
            sameStream == [["appended", "3", "6", nil], ["appended", "4", "7", nil], ["appended", "1", "8", nil]]
        )
        #expect(try await statements(["s1", "s2", "s3"]) == "3")
        let repeatedID = try await group([("r1", "e", .any), ("r1", "f", .any)])
        #expect(repeatedID == [["appended", "1", "9", nil], ["duplicate", nil, nil, "r1"]])
        let conflict = try await group([("c1", "a", .exactly(99)), ("c2", "g", .noStream)])
        #expect(conflict == [["conflict", "4", nil, nil], ["appended", "1", "10", nil]])
        let stored = try await group([("p2", "b", .noStream), ("n1", "h", .any)])
        #expect(stored == [["deduplicated", "1", nil, nil], ["appended", "1", "11", nil]])
        let elsewhere = try await group([("p3", "i", .any), ("n2", "j", .any)])
        #expect(elsewhere == [["duplicate", nil, nil, "p3"], ["appended", "1", "12", nil]])

        let all = try await store.readAll(after: 0, limit: 100)
        checkLog(all, expectedCount: 12)
        #expect(
            all.map(\.id.rawValue) == ["first", "waiting", "p1", "p2", "p3", "s1", "s2", "s3", "r1", "c2", "n1", "n2"]
        )
        #expect(all.filter { $0.streamID == "a" }.map(\.streamVersion) == [1, 2, 3, 4])
        #expect(try await store.headPosition() == 12)
    }
}
#endif
