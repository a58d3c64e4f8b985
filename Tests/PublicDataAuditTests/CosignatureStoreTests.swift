import Foundation
import PublicDataAudit
import PublicDataSQLite
import PublicDataTesting
import Testing

/// Witness cosignatures kept in the store (`Ledger.recordCosignatures`), on the in-memory and SQLite stores;
/// the PostgreSQL store runs the same checks in `PublicDataPostgresTests`.
struct CosignatureStoreTests {
    @Test func cosignaturesPersistInTheInMemoryStore() async {
        #expect(await LedgerStoreConformance.checkCosignatures(on: InMemoryEventStore()) == [])
    }

    @Test func cosignaturesPersistInSQLiteAndSurviveAReopen() async throws {
        let folder = try auditTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("cosign.sqlite").path
        do {
            let store = try SQLiteEventStore(path: path)
            #expect(await LedgerStoreConformance.checkCosignatures(on: store) == [])
            store.close()
        }
        // A new process reopening the file serves the checkpoint with the two stored cosignatures.
        let reopened = try SQLiteEventStore(path: path)
        defer { reopened.close() }
        let ledger = try await Ledger.open(
            store: reopened,
            configuration: LedgerConfiguration(name: "conformance.ledger")
        )
        let served = try #require(try await ledger.cosignedCheckpoint())
        #expect(served.signatures.map(\.name) == ["conformance-log", "audit-bureau", "big-data-center"])
    }

    @Test func aStoreThatForgetsIdempotentIDsIsCaught() async {
        // A double that stores every append (no deduplication) fails the checks: they test the store's dedup.
        let failures = await LedgerStoreConformance.checkCosignatures(on: TamperableStore())
        #expect(failures.contains { $0.contains("stored it again") })
    }

    @Test func aStoreAuditCountsStoredCosignaturesTowardsTheQuorum() async throws {
        let store = InMemoryEventStore()
        _ = try await store.append([Fixtures.event(1)], to: "s", expectedVersion: .any)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let witness = TestCheckpointSigner(name: "bureau", key: Array("w".utf8))
        let cosignature = try await signed.checkpoint.cosigned(by: witness, at: 1_790_000_000)
        try await ledger.recordCosignatures([cosignature], for: signed.checkpoint, witnesses: [witness])
        let policy = try TrustPolicy(logKeys: [Fixtures.signer], witnesses: [witness], quorum: 1)
        let audit = try await AuditVerifier.auditStore(
            store,
            ledgerName: "test.ledger",
            hasher: SHA256Hasher(),
            held: [],
            policy: policy
        )
        #expect(audit.isOK)
        #expect(audit.checkpoints.first?.checkpoint.signatures.count == 2)
        // An audit export carries the checkpoint with its stored cosignature, so it meets the quorum offline.
        let export = try await ledger.export(positions: 1...Int64.max)
        #expect(export.checkpoint.signatures.count == 2)
        #expect(AuditVerifier.verify(export, hasher: SHA256Hasher(), policy: policy).isValid)
    }
}
