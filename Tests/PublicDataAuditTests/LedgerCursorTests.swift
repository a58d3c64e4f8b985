import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataTesting
import Testing

/// Several ledger instances share one store cursor; a slower one may save it below what a faster one ledgered and
/// signed. The signed checkpoint still proves those entries were ledgered.
struct LedgerCursorTests {
    @Test(arguments: [0, 2, 5])
    func aCursorSavedBelowTheLastCheckpointDoesNotStopTheRebuild(_ staleCursor: Int64) async throws {
        let store = InMemoryEventStore()
        let ledger = try await Fixtures.ledger(store)
        for number in 0..<9 {
            _ = try await store.append([Fixtures.event(number)], to: StreamID("s\(number % 2)"), expectedVersion: .any)
        }
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        // A slower instance saves the shared cursor below what was signed.
        try await store.saveCursor(ledger.configuration.cursorName, position: staleCursor)
        let reopened = try await Fixtures.ledger(store)
        #expect(await reopened.integrityProblem == nil)
        #expect(await reopened.snapshot.size >= signed.checkpoint.size)
        #expect(try await reopened.snapshot.rootHash(atSize: signed.checkpoint.size) == signed.checkpoint.rootHash)
        // And it goes on: it catches up and signs a checkpoint that extends the first.
        try await reopened.catchUp()
        let next = try await reopened.signCheckpoint(with: [Fixtures.signer])
        #expect(next.checkpoint.size >= signed.checkpoint.size)
    }
}
