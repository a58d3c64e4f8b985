import Foundation
import PublicDataModel
import PublicDataTesting
import Synchronization
import Testing

@Suite struct InMemoryStoreTests {
    @Test func inMemoryStorePassesTheConformanceSuite() async {
        await EventStoreConformance.run { InMemoryEventStore() }
    }

    @Test func conformanceSuiteCatchesABrokenStore() async {
        let failures = await EventStoreConformance.check { LossyStore() }
        #expect(failures.contains { $0.hasPrefix("idempotentEventIDs") })
        #expect(failures.contains { $0.hasPrefix("expectedVersion") })
    }
}

/// A deliberately broken store: ignores the expected version and stores retried ids again.
private actor LossyStore: EventStore {
    let inner = InMemoryEventStore()
    var counter = 0

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws
        -> AppendResult
    {
        counter += 1
        let renamed = events.map { event in
            var copy = event
            copy.id = EventID("\(event.id.rawValue)#\(counter)")
            return copy
        }
        return try await inner.append(renamed, to: stream, expectedVersion: .any)
    }

    func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await inner.readStream(stream, fromVersion: fromVersion, limit: limit)
    }

    func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await inner.readAll(after: position, limit: limit)
    }

    func streamVersion(_ stream: StreamID) async throws -> Int64 { await inner.streamVersion(stream) }
    func headPosition() async throws -> Int64 { await inner.headPosition() }
    func loadCursor(_ name: String) async throws -> Int64? { await inner.loadCursor(name) }
    func saveCursor(_ name: String, position: Int64) async throws {
        try await inner.saveCursor(name, position: position)
    }
}

/// `readAllInPlace` hands out the runs the appends stored instead of copied events.
@Suite struct InMemoryInPlaceReadTests {
    /// For every start and limit over batches of several sizes on two streams, the runs joined are exactly what
    /// `readAll` returns, and each run is the part of one append that the range covers.
    @Test func runsJoinedAreWhatReadAllReturns() async throws {
        let store = InMemoryEventStore()
        let sizes = [1, 3, 2, 5, 1, 4]
        var batchOfPosition: [Int] = []
        for (batch, size) in sizes.enumerated() {
            let events = (0..<size).map { index in
                ProposedEvent(
                    id: EventID("b\(batch)-\(index)"),
                    type: "t",
                    occurredAt: Date(millisecondsSince1970: 0),
                    actor: nil,
                    payload: Data("{\"n\":\(index)}".utf8)
                )
            }
            _ = try await store.append(events, to: StreamID("s\(batch % 2)"), expectedVersion: .any)
            batchOfPosition += Array(repeating: batch, count: size)
        }
        let head = Int(await store.headPosition())
        for after in -1...head + 1 {
            for limit in 1...head + 2 {
                let runs = try await store.readAllInPlace(after: Int64(after), limit: limit)
                let copied = try await store.readAll(after: Int64(after), limit: limit)
                #expect(Array(runs.joined()) == copied)
                // One run per append the range touches, in order.
                let covered = copied.map { batchOfPosition[Int($0.globalPosition) - 1] }
                var expected: [Int] = []
                for batch in covered where expected.last != batch { expected.append(batch) }
                #expect(runs.map { batchOfPosition[Int($0.first!.globalPosition) - 1] } == expected)
                #expect(
                    runs.allSatisfy { run in
                        run.allSatisfy {
                            $0.id.rawValue.hasPrefix("b\(batchOfPosition[Int(run.first!.globalPosition) - 1])-")
                        }
                    }
                )
            }
        }
        await #expect(throws: EventStoreError.self) { _ = try await store.readAllInPlace(after: 0, limit: 0) }
    }
}

@Suite struct InMemoryChunkBoundaryTests {
    func events(_ range: Range<Int>) -> [ProposedEvent] {
        range.map {
            ProposedEvent(
                id: EventID("e\($0)"),
                type: "t",
                occurredAt: Date(millisecondsSince1970: Int64($0)),
                actor: nil,
                payload: Data()
            )
        }
    }

    @Test func batchesAcrossChunkBoundariesStayWholeAndInOrder() async throws {
        let store = InMemoryEventStore()
        var version: Int64 = 0
        for start in stride(from: 0, to: 5000, by: 1000) {
            version = try await store.append(events(start..<start + 1000), to: "s", expectedVersion: .exactly(version))
                .streamVersion
        }
        // A batch that crosses into a new chunk and then reuses a stored id is refused whole.
        var bad = events(5000..<9000)
        bad[3999].id = "e10"
        await #expect(throws: EventStoreError.self) {
            _ = try await store.append(bad, to: "s", expectedVersion: .exactly(version))
        }
        #expect(await store.headPosition() == 5000)
        let next = try await store.append(events(5000..<5100), to: "s", expectedVersion: .exactly(version))
        #expect(next.events.first?.globalPosition == 5001)
        let all = try await store.readAll(after: 0, pageSize: 777)
        #expect(all.map(\.id.rawValue) == (0..<5100).map { "e\($0)" })
        #expect(all.map(\.globalPosition) == Array(1...5100))
        let retry = try await store.append(events(4090..<4100), to: "s", expectedVersion: .any)
        #expect(retry.deduplicated)
        #expect(retry.events.map(\.globalPosition) == Array(4091...4100))
    }
}

/// The store's own hash tables (event ids, stream ids) while they grow many times over.
@Suite struct InMemoryIndexGrowthTests {
    static func event(_ number: Int) -> ProposedEvent {
        ProposedEvent(
            id: EventID("g\(number)"),
            type: "t",
            occurredAt: Date(millisecondsSince1970: 0),
            actor: nil,
            payload: Data()
        )
    }

    @Test func everyIdAndStreamIsFoundAfterTheTablesGrew() async throws {
        let store = InMemoryEventStore()
        let streams = 3_000
        for round in 0..<3 {
            for stream in 0..<streams {
                let number = round * streams + stream
                _ = try await store.append(
                    [Self.event(number)],
                    to: StreamID("s\(stream)"),
                    expectedVersion: .exactly(Int64(round))
                )
            }
        }
        for stream in 0..<streams {
            #expect(await store.streamVersion(StreamID("s\(stream)")) == 3)
            let read = try await store.readStream(StreamID("s\(stream)"), fromVersion: 1, limit: 10)
            #expect(read.map(\.id) == (0..<3).map { EventID("g\($0 * streams + stream)") })
        }
        // Every stored id is found: a retry returns the stored event, a reuse elsewhere is refused.
        for number in stride(from: 0, to: 3 * streams, by: 7) {
            let stream = StreamID("s\(number % streams)")
            let retried = try await store.append([Self.event(number)], to: stream, expectedVersion: .any)
            #expect(retried.deduplicated && retried.events[0].globalPosition == Int64(number) + 1)
            await #expect(throws: EventStoreError.self) {
                _ = try await store.append([Self.event(number)], to: "elsewhere", expectedVersion: .any)
            }
        }
        // Refused batches leave nothing behind: no stream, no id.
        await #expect(throws: EventStoreError.self) {
            _ = try await store.append([Self.event(-1)], to: "new", expectedVersion: .exactly(4))
        }
        await #expect(throws: EventStoreError.self) {
            _ = try await store.append([Self.event(-2), Self.event(5)], to: "new", expectedVersion: .any)
        }
        #expect(await store.streamVersion("new") == 0)
        #expect(await store.headPosition() == Int64(3 * streams))
        let accepted = try await store.append([Self.event(-1), Self.event(-2)], to: "new", expectedVersion: .noStream)
        #expect(!accepted.deduplicated && accepted.streamVersion == 2)
    }
}

/// The store keeps its state behind a pointer it allocates and frees itself: dropping the store must release every
/// event.
@Suite struct InMemoryStoreReleaseTests {
    /// Counts the payload buffers freed.
    final class Releases: Sendable {
        let count = Mutex(0)
    }

    /// A payload whose bytes are freed through `releases`, so that the test sees when the last copy is gone.
    static func payload(_ releases: Releases) -> Data {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 16, alignment: 1)
        bytes.initializeMemory(as: UInt8.self, repeating: 0x20, count: 16)
        return Data(
            bytesNoCopy: bytes,
            count: 16,
            deallocator: .custom { pointer, _ in
                pointer.deallocate()
                releases.count.withLock { $0 += 1 }
            }
        )
    }

    @Test func droppingTheStoreReleasesEveryEvent() async throws {
        let releases = Releases()
        let events = 5_000
        do {
            let store = InMemoryEventStore()
            for number in 0..<events {
                let event = ProposedEvent(
                    id: EventID("r\(number)"),
                    type: "t",
                    occurredAt: Date(millisecondsSince1970: 0),
                    actor: nil,
                    payload: Self.payload(releases)
                )
                _ = try await store.append([event], to: StreamID("s\(number % 7)"), expectedVersion: .any)
            }
            #expect(await store.headPosition() == Int64(events))
            #expect(releases.count.withLock { $0 } == 0)
        }
        // The store's last reference may be dropped by the executor just after the last call returns.
        var waited = 0
        while releases.count.withLock({ $0 }) < events && waited < 200 {
            try await Task.sleep(for: .milliseconds(10))
            waited += 1
        }
        #expect(releases.count.withLock { $0 } == events)
    }
}

/// The store finds ids and streams by a hash of their UTF-8 bytes (eight bytes at a time, then the tail).
@Suite struct InMemoryByteKeyTests {
    /// Ids and stream names of every length from 1 to 40 bytes, ASCII and not, differing only in their last
    /// byte or their length: each is a key of its own, found again by a retry and refused elsewhere.
    @Test func keysDifferingOnlyInTheirTailOrLengthStayApart() async throws {
        let store = InMemoryEventStore()
        var keys: [String] = []
        for length in 1...40 {
            keys.append(String(repeating: "k", count: length))
            keys.append(String(repeating: "k", count: length - 1) + "l")
            if length >= 3 { keys.append("é" + String(repeating: "k", count: length - 2)) }  // é is two bytes
        }
        func event(_ key: String) -> ProposedEvent {
            ProposedEvent(
                id: EventID(key),
                type: "t",
                occurredAt: Date(millisecondsSince1970: 0),
                actor: nil,
                payload: Data()
            )
        }
        for (index, key) in keys.enumerated() {
            let result = try await store.append([event(key)], to: StreamID(key), expectedVersion: .noStream)
            #expect(result.events[0].globalPosition == Int64(index) + 1)
        }
        for (index, key) in keys.enumerated() {
            #expect(await store.streamVersion(StreamID(key)) == 1)
            let retry = try await store.append([event(key)], to: StreamID(key), expectedVersion: .any)
            #expect(retry.deduplicated && retry.events[0].globalPosition == Int64(index) + 1)
            await #expect(throws: EventStoreError.self) {
                _ = try await store.append([event(key)], to: "elsewhere", expectedVersion: .any)
            }
        }
        #expect(await store.headPosition() == Int64(keys.count))
    }

    /// Text canonically equivalent to a stored stream id but spelled with other bytes (not NFC, so no append
    /// accepts it) names no stream, as in the SQL stores, which compare bytes.
    @Test func aDecomposedSpellingFindsNothing() async throws {
        let store = InMemoryEventStore()
        let event = ProposedEvent(
            id: "e1",
            type: "t",
            occurredAt: Date(millisecondsSince1970: 0),
            actor: nil,
            payload: Data()
        )
        _ = try await store.append([event], to: "caf\u{E9}", expectedVersion: .noStream)
        let decomposed = StreamID("cafe\u{301}")
        #expect(decomposed == StreamID("caf\u{E9}"))  // equal to Swift, different bytes
        #expect(await store.streamVersion(decomposed) == 0)
        await #expect(throws: EventStoreError.self) {
            _ = try await store.readStream(decomposed, fromVersion: 1, limit: 10)
        }
        #expect(await store.streamVersion("caf\u{E9}") == 1)
    }
}
