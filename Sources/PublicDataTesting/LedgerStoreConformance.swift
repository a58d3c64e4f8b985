import Foundation
import PublicDataAudit
import PublicDataModel

/// Checks that a store keeps an audit ledger's witness cosignatures as the ledger expects: stored once per
/// checkpoint and witness (the store's idempotent event ids), served with the checkpoint by every ledger
/// instance and by an offline store audit, and refused when they come from an unconfigured witness, do not
/// verify, or name another ledger.
///
/// Run it on every store the host uses (memory, SQLite, PostgreSQL, its own):
///
/// ```swift
/// @Test func cosignaturesPersist() async throws {
///     #expect(await LedgerStoreConformance.checkCosignatures(on: try await MyStore.openFresh()) == [])
/// }
/// ```
public enum LedgerStoreConformance {
    /// The ledger's log key.
    static let logKey = TestCheckpointSigner(name: "conformance-log", key: Array("log".utf8))
    /// Two witnesses.
    static let witnesses = [
        TestCheckpointSigner(name: "audit-bureau", key: Array("bureau".utf8)),
        TestCheckpointSigner(name: "big-data-center", key: Array("center".utf8)),
    ]

    /// Runs the cosignature checks on `store`, which must be empty.
    /// - Parameter store: An empty store.
    /// - Returns: The failures as readable lines; empty when the store behaves.
    public static func checkCosignatures(on store: any EventStore) async -> [String] {
        var failures: [String] = []
        func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { failures.append(message()) }
        }
        do {
            for number in 0..<5 {
                let event = ProposedEvent(
                    id: EventID("cosign-conformance-\(number)"),
                    type: "test.happened",
                    occurredAt: Date(millisecondsSince1970: 1_780_000_000_000 + Int64(number) * 1000),
                    actor: nil,
                    payload: Data("{\"n\":\(number)}".utf8)
                )
                _ = try await store.append([event], to: StreamID("cosign-stream-\(number % 2)"), expectedVersion: .any)
            }
            let configuration = LedgerConfiguration(name: "conformance.ledger")
            let ledger = try await Ledger.open(store: store, configuration: configuration)
            try await ledger.catchUp()
            let signed = try await ledger.signCheckpoint(with: [logKey])
            let body = signed.checkpoint
            let policy = try TrustPolicy(logKeys: [logKey], witnesses: witnesses, quorum: 2)

            // Before any cosignature is stored, a quorum policy trusts no recorded checkpoint.
            let before = try await AuditVerifier.auditStore(
                store,
                ledgerName: configuration.name,
                hasher: configuration.hasher,
                held: [],
                policy: policy
            )
            expect(!before.isOK, "a store audit with a quorum of 2 passed before any cosignature was stored")

            let first = try await body.cosigned(by: witnesses[0], at: 1_790_000_000)
            let second = try await body.cosigned(by: witnesses[1], at: 1_790_000_001)
            let stored = try await ledger.recordCosignatures([first, second], for: body, witnesses: witnesses)
            expect(stored == [first, second], "recording two fresh cosignatures stored \(stored.count)")

            // Again, and a later cosignature by the same witness: the store deduplicates, the first stays.
            let again = try await ledger.recordCosignatures([first], for: body, witnesses: witnesses)
            expect(again.isEmpty, "recording a stored cosignature again stored it again")
            let later = try await body.cosigned(by: witnesses[0], at: 1_790_000_100)
            let laterStored = try await ledger.recordCosignatures([later], for: body, witnesses: witnesses)
            expect(laterStored.isEmpty, "a second cosignature by one witness of one checkpoint was stored")

            // Another instance (as another process would) sees them, and its own duplicate is deduplicated.
            let other = try await Ledger.open(store: store, configuration: configuration)
            let fromOther = try await other.recordCosignatures([second], for: body, witnesses: witnesses)
            expect(fromOther.isEmpty, "another instance stored a duplicate cosignature")
            let served = try await other.cosignedCheckpoint()
            expect(
                served?.signatures == [signed.signatures[0], first.noteSignature, second.noteSignature],
                "the checkpoint is not served with exactly its stored cosignatures: \(served?.text ?? "nil")"
            )
            expect(served.map { policy.trusts($0) } == true, "the served checkpoint does not satisfy the quorum")
            let rows = try await store.readStream(configuration.cosignatureStreamID, pageSize: 100)
            expect(rows.count == 2, "the cosignature stream holds \(rows.count) events, expected 2")

            // Refusals store nothing.
            let stranger = TestCheckpointSigner(name: "stranger", key: Array("x".utf8))
            let foreign = try await body.cosigned(by: stranger, at: 1_790_000_002)
            await expectRefusal(
                "an unconfigured witness",
                { try await ledger.recordCosignatures([foreign], for: body, witnesses: witnesses) },
                &failures
            )
            let otherBody = try Checkpoint(
                origin: body.origin,
                size: body.size,
                rootHash: body.rootHash,
                extensions: ["time 2030-01-01T00:00:00.000Z"]
            )
            let misplaced = try await otherBody.cosigned(by: witnesses[0], at: 1_790_000_003)
            await expectRefusal(
                "a cosignature of another body",
                { try await ledger.recordCosignatures([misplaced], for: body, witnesses: witnesses) },
                &failures
            )
            let elsewhere = try Checkpoint(origin: "elsewhere/sha-256", size: body.size, rootHash: body.rootHash)
            let foreignLog = try await elsewhere.cosigned(by: witnesses[0], at: 1_790_000_004)
            await expectRefusal(
                "a checkpoint of another origin",
                { try await ledger.recordCosignatures([foreignLog], for: elsewhere, witnesses: witnesses) },
                &failures
            )
            let after = try await store.readStream(configuration.cosignatureStreamID, pageSize: 100)
            expect(after.count == 2, "a refused cosignature was stored (\(after.count) events)")

            // An offline audit serves the stored cosignatures with the recorded checkpoint.
            let audit = try await AuditVerifier.auditStore(
                store,
                ledgerName: configuration.name,
                hasher: configuration.hasher,
                held: [],
                policy: policy
            )
            expect(audit.isOK, "the store audit with stored cosignatures failed: \(audit.checkpoints.map(\.verdict))")
        } catch {
            failures.append("unexpected error: \(error)")
        }
        return failures
    }

    private static func expectRefusal(
        _ what: String,
        _ body: () async throws -> [Cosignature],
        _ failures: inout [String]
    ) async {
        do {
            _ = try await body()
            failures.append("\(what) was stored")
        } catch let error as AuditError where error.code == .invalidArgument {
        } catch {
            failures.append("\(what): unexpected error \(error)")
        }
    }
}
