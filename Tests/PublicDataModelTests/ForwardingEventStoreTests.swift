import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

/// Forwards everything it does not declare.
private struct PlainForwarder: ForwardingEventStore {
    let base: any EventStore
}

/// An actor forwards the same way through a `nonisolated` base.
private actor ActorForwarder: ForwardingEventStore {
    nonisolated let base: any EventStore
    private(set) var appends = 0

    init(base: any EventStore) {
        self.base = base
    }

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws -> AppendResult {
        appends += 1
        return try await base.append(events, to: stream, expectedVersion: expectedVersion)
    }
}

/// Declares one call itself: its cursor saves fail.
private struct CursorRefuser: ForwardingEventStore {
    let base: any EventStore

    func saveCursor(_ name: String, position: Int64) async throws {
        throw EventStoreError(code: .unavailable, message: "refused")
    }
}

struct ForwardingEventStoreTests {
    @Test func aStoreThatDeclaresNothingConformsLikeItsBase() async {
        let failures = await EventStoreConformance.check { PlainForwarder(base: InMemoryEventStore()) }
        #expect(failures == [])
    }

    @Test func anActorThatDeclaresOneCallConformsAndItsCallIsUsed() async throws {
        let failures = await EventStoreConformance.check { ActorForwarder(base: InMemoryEventStore()) }
        #expect(failures == [])

        let store = ActorForwarder(base: InMemoryEventStore())
        let event = ProposedEvent(
            id: "e1",
            type: "test.happened",
            occurredAt: Date(),
            actor: nil,
            payload: Data("{}".utf8)
        )
        _ = try await store.append([event], to: "s", expectedVersion: .noStream)
        #expect(await store.appends == 1)
        #expect(try await store.readStream("s", fromVersion: 1, limit: 10).map(\.id) == ["e1"])
    }

    @Test func aDeclaredCallReplacesTheForwardedOneAndOnlyThatOne() async throws {
        let base = InMemoryEventStore()
        try await base.saveCursor("c", position: 7)
        let store = CursorRefuser(base: base)
        let error = await #expect(throws: EventStoreError.self) { try await store.saveCursor("c", position: 9) }
        #expect(error?.code == .unavailable)
        #expect(try await store.loadCursor("c") == 7)
        #expect(await base.loadCursor("c") == 7)
    }
}
