import Foundation
import PublicDataAudit
import PublicDataTesting
import Testing

/// A store that writers keep appending to faster than a ledger follows: every read of the global log first
/// appends a full page of new events, until the writers stop (or `budget` pages were written).
actor OutpacedStore: ForwardingEventStore {
    nonisolated let base: any EventStore = InMemoryEventStore()
    private var budget: Int
    private(set) var reads = 0
    private var written = 0

    init(budget: Int) {
        self.budget = budget
    }

    func stopWriters() { budget = 0 }

    func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        reads += 1
        if budget > 0 {
            budget -= 1
            let events = (0..<limit).map { _ in
                written += 1
                return Fixtures.event(written)
            }
            _ = try await base.append(events, to: "writer", expectedVersion: .any)
        }
        return try await base.readAll(after: position, limit: limit)
    }
}

struct CatchUpUnderLoadTests {
    @Test func catchUpReturnsWhileWritersOutpaceTheLedger() async throws {
        let store = OutpacedStore(budget: 1_000)
        let ledger = try await Fixtures.ledger(store)  // 4 events per page
        let before = await store.reads
        let head = try await store.headPosition()
        try await ledger.catchUp()
        // Up to the head the call began with, one page beyond it (with its leaf record), and no further:
        // without the bound it reads until the writers stop, 1,000 pages later.
        #expect(await store.reads - before <= Int(head) / 4 + 4)
        #expect(await ledger.size >= Int(head))

        // Once the writers stop, calls converge: the whole log ledgered, the ledger's own records included.
        await store.stopWriters()
        var calls = 0
        while try await ledger.catchUp() > 0, calls < 1_000 { calls += 1 }
        let events = try await store.readAll(after: 0, pageSize: 100)
        #expect(await ledger.size == events.count)
        #expect(try await ledger.verifyStore().isOK)
    }
}
