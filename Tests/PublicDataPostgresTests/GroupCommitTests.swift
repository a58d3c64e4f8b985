#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import Testing

/// Group commit (migration 4): appends that arrive while the store's append calls are busy go to the server
/// together, in one transaction, and each keeps the outcome it would have had alone.
@Suite(
    "Group commit of concurrent appends",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct GroupCommitTests {
    /// The advisory lock key an append of `stream` takes (see `append_events`).
    private func streamLock(_ schema: String, _ stream: String) -> [PostgresBinding] {
        [.text("publicdata.stream.\(schema).\(stream)")]
    }

    /// Waits until a session of this schema's `function` waits on a lock; returns its pid.
    private func waitForLockedCall(_ observer: RawSession, _ function: String) async throws -> Int32? {
        var pid: Int32?
        let found = try await eventually {
            pid = try await observer.value(
                """
                SELECT pid FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND state = 'active' AND position($1 IN query) > 0 LIMIT 1
                """,
                [.text(function)]
            ).flatMap { Int32($0) }
            return pid != nil
        }
        return found ? pid : nil
    }

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
        try await blocker.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", streamLock(schema, "first"))
        let first = Task { try await store.append([Fixture.event("first")], to: "first", expectedVersion: .noStream) }
        #expect(try await waitForLockedCall(observer, "\(schema).append_events") != nil)

        // Queued in this order while the only call slot is busy.
        let three = try await queued(store, Fixture.batch("g1", count: 3), to: "g1", expected: .noStream)
        let any = try await queued(store, [Fixture.event("g2")], to: "g2", expected: .any)
        let conflict = try await queued(store, [Fixture.event("c")], to: "taken", expected: .noStream)
        let elsewhere = try await queued(store, [Fixture.event("used")], to: "other", expected: .any)
        let retried = try await queued(store, [Fixture.event("used")], to: "taken", expected: .noStream)
        let sameStream = try await queued(store, [Fixture.event("g1-next")], to: "g1", expected: .exactly(3))
        try await blocker.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", streamLock(schema, "first"))

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
        try await blocker.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", streamLock(schema, "first"))
        try await blocker.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", streamLock(schema, "g-b"))
        let first = Task { try await store.append([Fixture.event("first")], to: "first", expectedVersion: .noStream) }
        #expect(try await waitForLockedCall(observer, "\(schema).append_events") != nil)
        let batches = ["g-a", "g-b", "g-c"].map { (StreamID($0), Fixture.batch($0, count: 2)) }
        var tasks: [Task<AppendResult, any Error>] = []
        for (stream, batch) in batches {
            tasks.append(try await queued(store, batch, to: stream, expected: .noStream))
        }
        try await blocker.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", streamLock(schema, "first"))
        _ = try await first.value
        // The group call now waits for g-b's lock: terminate its backend.
        let pid = try #require(try await waitForLockedCall(observer, "\(schema).append_group"))
        #expect(try await observer.value("SELECT pg_terminate_backend($1::int)", [.text(String(pid))]) == "t")
        for task in tasks {
            let error = await storeError { _ = try await task.value }
            #expect(error?.code == .unavailable)
        }
        try await blocker.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", streamLock(schema, "g-b"))
        #expect(try await observer.value("SELECT count(*) FROM \(schema).events") == "1", "a batch was stored")

        for (stream, batch) in batches {
            let (result, _) = try await appendRetrying(store, batch, to: stream, exact: false)
            #expect(result.deduplicated == false)
        }
        checkLog(try await store.readAll(after: 0, limit: 100), expectedCount: 7)
    }

    @Test("A group stored without positions whose positioning is terminated: the retries find every batch, together")
    func groupKilledBeforePositioning() async throws {
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 1
        }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let blocker = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        try await holder.script("BEGIN")
        try await holder.query("SELECT last_position FROM \(schema).log_head WHERE id = 1 FOR UPDATE")
        try await blocker.query("SELECT pg_advisory_lock(hashtextextended($1, 0))", streamLock(schema, "first"))
        let first = Task { try await store.append([Fixture.event("first")], to: "first", expectedVersion: .noStream) }
        #expect(try await waitForLockedCall(observer, "\(schema).append_events") != nil)
        let a = Fixture.batch("a", count: 2)
        let b = Fixture.batch("b", count: 3)
        let taskA = try await queued(store, a, to: "a", expected: .noStream)
        let taskB = try await queued(store, b, to: "b", expected: .noStream)
        try await blocker.query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", streamLock(schema, "first"))

        // `first` positions (it waits for the head row); the group committed without positions and polls.
        let polling = try await eventually {
            try await observer.value(
                """
                SELECT pid FROM pg_stat_activity
                 WHERE state = 'active' AND position($1 IN query) > 0 LIMIT 1
                """,
                [.text("\(schema).positions_of")]
            ) != nil
        }
        #expect(polling)
        #expect(
            try await observer.value(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE position($1 IN query) > 0",
                [.text("\(schema).positions_of")]
            ) == "1"
        )
        #expect(await storeError { _ = try await taskA.value }?.code == .unavailable)
        #expect(await storeError { _ = try await taskB.value }?.code == .unavailable)
        #expect(try await store.readAll(after: 0, limit: 10).isEmpty)
        try await holder.script("COMMIT")

        // `first` positioned everything committed: itself, then the group's batches, each in one piece.
        #expect(try await first.value.events.map(\.globalPosition) == [1])
        let retryA = try await store.append(a, to: "a", expectedVersion: .noStream)
        let retryB = try await store.append(b, to: "b", expectedVersion: .noStream)
        #expect(retryA.deduplicated && retryB.deduplicated)
        #expect(retryA.events.map(\.globalPosition) == [2, 3])
        #expect(retryB.events.map(\.globalPosition) == [4, 5, 6])
        checkLog(try await store.readAll(after: 0, limit: 10), expectedCount: 6)
    }

    @Test("Two large batches stored without positions at the same moment each get consecutive positions, as answered")
    func concurrentPendingBatchesStayWhole() async throws {
        let store = try await TestDatabase.makeStore { $0.maximumConnections = 4 }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        try await holder.script("BEGIN")
        try await holder.query("SELECT last_position FROM \(schema).log_head WHERE id = 1 FOR UPDATE")
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
}
#endif
