import PublicDataModel
import PublicDataTesting
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
