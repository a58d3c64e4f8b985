#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import Testing

/// The peers' failure (commanded/eventstore #3, Eventuous #222, emmett #336, protean #1088, Occurrent #397):
/// positions taken from a sequence commit out of order, so a reader that has seen `n + 1` never sees `n`.
@Suite(
    "Global order under out-of-order commits",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct OrderingTests {
    /// What a blocked append runs: this schema's append function or (an append that stored its batch while
    /// the head row was taken) its positioning function.
    private func appendCalls(_ schema: String) -> [String] {
        ["\(schema).append_events", "\(schema).assign_positions"]
    }

    @Test("Control: with positions from a plain sequence, a reader skips a late commit forever")
    func sequenceSkipsLateCommit() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        let a = try await TestDatabase.session()
        let b = try await TestDatabase.session()
        try await a.script("CREATE TABLE \(schema).naive (position bigserial PRIMARY KEY, label text NOT NULL)")
        try await a.script("BEGIN")
        let positionA = try await a.value("INSERT INTO \(schema).naive (label) VALUES ('A') RETURNING position")
        let positionB = try await b.value("INSERT INTO \(schema).naive (label) VALUES ('B') RETURNING position")
        #expect(positionA == "1")
        #expect(positionB == "2")
        // The reader polls while A is stalled: it sees 2 and advances its cursor past 1.
        let reader = try await TestDatabase.session()
        let firstPoll = try await reader.query(
            "SELECT position FROM \(schema).naive WHERE position > 0 ORDER BY position"
        )
        #expect(firstPoll == [["2"]])
        try await a.script("COMMIT")
        let secondPoll = try await reader.query(
            "SELECT position FROM \(schema).naive WHERE position > 2 ORDER BY position"
        )
        #expect(secondPoll.isEmpty, "the reader never receives A: this is the failure the store must prevent")
    }

    @Test("A stalled append holds back later ones; the reader receives A then B, nothing skipped or twice")
    func stalledAppendKeepsOrder() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        let a = try await TestDatabase.session()
        let observer = try await TestDatabase.session()

        // A: the store's own append statement, inside a transaction that stalls before COMMIT.
        let bindingsA = store.appendBindings([Fixture.event("A")], stream: "stream-a", expectedVersion: .noStream)
        try await a.script("BEGIN")
        let rowA = try await a.query(store.appendStatement.sql, bindingsA)
        #expect(rowA.first?[0] == "appended")
        #expect(rowA.first?[2] == "1")

        // B: a later append through the store, on another connection.
        let (appendB, blockedPID) = try await observer.startWaiting(running: appendCalls(schema)) {
            try await store.append([Fixture.event("B")], to: "stream-b", expectedVersion: .noStream)
        }
        #expect(blockedPID != nil, "B should wait for A")

        // The reader polls in between: it must not advance past A's position.
        var cursor: Int64 = 0
        var received: [RecordedEvent] = []
        for _ in 0..<5 {
            let page = try await store.readAll(after: cursor, limit: 100)
            received += page
            cursor = page.last?.globalPosition ?? cursor
            #expect(try await store.headPosition() == 0)
        }
        #expect(received.isEmpty)
        #expect(cursor == 0)

        try await a.script("COMMIT")
        let resultB = try await appendB.value
        #expect(resultB.events.map(\.globalPosition) == [2])

        let page = try await store.readAll(after: cursor, limit: 100)
        received += page
        #expect(received.map(\.id) == ["A", "B"])
        #expect(received.map(\.globalPosition) == [1, 2])
        #expect(try await store.readAll(after: 2, limit: 100).isEmpty)
    }

    @Test("A rolled-back append leaves nothing to wait for; the next append proceeds at once")
    func rolledBackAppend() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        let a = try await TestDatabase.session()
        let observer = try await TestDatabase.session()

        let bindingsA = store.appendBindings([Fixture.event("A")], stream: "stream-a", expectedVersion: .noStream)
        try await a.script("BEGIN")
        _ = try await a.query(store.appendStatement.sql, bindingsA)
        let (appendB, blockedPID) = try await observer.startWaiting(running: appendCalls(schema)) {
            try await store.append([Fixture.event("B")], to: "stream-b", expectedVersion: .noStream)
        }
        #expect(blockedPID != nil)
        try await a.script("ROLLBACK")

        let resultB = try await appendB.value
        let all = try await store.readAll(after: 0, limit: 100)
        #expect(all.map(\.id) == ["B"])
        #expect(all == resultB.events)
        #expect(try await store.headPosition() == resultB.lastPosition)
        // A's id was never stored: appending it now succeeds, after B.
        let retryA = try await store.append([Fixture.event("A")], to: "stream-a", expectedVersion: .noStream)
        #expect(retryA.deduplicated == false)
        #expect(retryA.lastPosition > resultB.lastPosition)
    }

    @Test("A reader following the log under concurrent appenders sees every event once, in position order")
    func followerUnderLoad() async throws {
        let store = try await TestDatabase.makeStore { $0.maximumConnections = 6 }
        let writers = 4
        let perWriter = 25
        let follower = Task {
            var cursor: Int64 = 0
            var seen: [RecordedEvent] = []
            while seen.count < writers * perWriter {
                let page = try await store.readAll(after: cursor, limit: 50)
                if let last = page.last {
                    // Contiguous: no position is ever skipped and later filled in.
                    #expect(page.first?.globalPosition == cursor + 1)
                    cursor = last.globalPosition
                }
                seen += page
                if page.isEmpty { try await Task.sleep(for: .milliseconds(2)) }
            }
            return seen
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<writers {
                group.addTask {
                    for index in 0..<perWriter {
                        _ = try await store.append(
                            [Fixture.event("w\(writer)-\(index)")],
                            to: StreamID("writer-\(writer)"),
                            expectedVersion: .exactly(Int64(index))
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        let seen = try await follower.value
        #expect(seen.map(\.globalPosition) == Array(1...Int64(writers * perWriter)))
        #expect(Set(seen.map(\.id)).count == writers * perWriter)
    }

    @Test("While the head row is held, other appends commit without positions and nobody sees them early")
    func contendedAppendsCommitInParallel() async throws {
        // Three calls in flight: each append goes alone, as appends of separate instances do (queued behind
        // a busy call of their own instance they would go as a group, which waits for the head row).
        let store = try await TestDatabase.makeStore {
            $0.maximumConnections = 4
            $0.concurrentAppendCalls = 3
        }
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let observer = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        let appends = (0..<3).map { index in
            Task {
                try await store.append(
                    [Fixture.event("c\(index)")],
                    to: StreamID("c\(index)"),
                    expectedVersion: .noStream
                )
            }
        }
        // All three batches are committed (stored, no position) while the head row is still held.
        let committed = try await eventually {
            try await observer.value(
                "SELECT count(*) FROM \(schema).events WHERE global_position IS NULL AND pending_order IS NOT NULL"
            ) == "3"
        }
        #expect(committed)
        #expect(try await store.readAll(after: 0, limit: 10).isEmpty)
        // Committed: the next append to c0 is checked against version 1, though no read shows it yet.
        #expect(try await store.streamVersion("c0") == 1)
        #expect(try await store.readStream("c0", fromVersion: 1, limit: 10).isEmpty)
        #expect(try await store.headPosition() == 0)
        try await holder.script("COMMIT")
        var positions: [Int64] = []
        for append in appends { positions += try await append.value.events.map(\.globalPosition) }
        #expect(positions.sorted() == [1, 2, 3])
        let all = try await store.readAll(after: 0, limit: 10)
        checkLog(all, expectedCount: 3)
        #expect(try await store.headPosition() == 3)
        #expect(try await observer.value("SELECT count(*) FROM \(schema).events WHERE global_position IS NULL") == "0")
    }

    @Test("An appender killed after its batch committed and before it was positioned: the retry finds it, nothing lost")
    func killedBeforePositioning() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let appender = try await TestDatabase.session()
        let killer = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        // The store's own statements, step by step on a session we can kill: the batch commits without
        // positions, then positioning waits for the head row.
        let batch = Fixture.batch("killed", count: 3)
        let bindings = store.appendBindings(batch, stream: "killed", expectedVersion: .noStream)
        #expect(try await appender.query(store.appendStatement.sql, bindings).first?[0] == "pending")
        let positioning = Task {
            try await appender.query(store.assignStatement.sql, [.text(batch[0].id.rawValue), .bool(true)])
        }
        let pid = try await killer.lockWaiter(running: appendCalls(schema))
        #expect(
            try await killer.value("SELECT pg_terminate_backend($1::int)", [.text(String(try #require(pid)))]) == "t"
        )
        _ = await storeError { _ = try await positioning.value }
        try await holder.script("COMMIT")

        // Still unpositioned and invisible to readers; a retry of the same batch finds and positions it.
        #expect(try await store.readAll(after: 0, limit: 10).isEmpty)
        let retry = try await store.append(batch, to: "killed", expectedVersion: .noStream)
        #expect(retry.deduplicated)
        #expect(retry.events.map(\.globalPosition) == [1, 2, 3])
        let next = try await store.append([Fixture.event("after")], to: "after", expectedVersion: .noStream)
        #expect(next.events.map(\.globalPosition) == [4])
        checkLog(try await store.readAll(after: 0, limit: 10), expectedCount: 4)
    }

    @Test("A batch left unpositioned is positioned by the next append, before that append's own events")
    func nextAppendPositionsLeftovers() async throws {
        let store = try await TestDatabase.makeStore()
        let schema = store.schema
        let holder = try await TestDatabase.session()
        let appender = try await TestDatabase.session()
        try await holder.holdHeadRow(schema)
        let batch = Fixture.batch("left", count: 2)
        let bindings = store.appendBindings(batch, stream: "left", expectedVersion: .noStream)
        #expect(try await appender.query(store.appendStatement.sql, bindings).first?[0] == "pending")
        try await holder.script("ROLLBACK")
        // Same stream: the next version is 3, and it must follow 1 and 2 in the log.
        let next = try await store.append([Fixture.event("left-next")], to: "left", expectedVersion: .exactly(2))
        #expect(next.events.map(\.globalPosition) == [3])
        let all = try await store.readAll(after: 0, limit: 10)
        #expect(all.map(\.id.rawValue) == [batch[0].id.rawValue, batch[1].id.rawValue, "left-next"])
        checkLog(all, expectedCount: 3)
    }
}
#endif
