import Foundation
import PublicDataAudit
import PublicDataTesting
import Testing

@Suite struct AuditExportTests {
    func exported(positions: ClosedRange<Int64> = 1...Int64.max) async throws -> (AuditExport, SignedCheckpoint) {
        let store = try await Fixtures.store(events: 12)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let cosigned = signed.adding([
            try await signed.checkpoint.cosigned(by: Witnesses.bureau, at: 1_790_000_000).noteSignature
        ])
        return (try await ledger.export(positions: positions, checkpoint: cosigned), cosigned)
    }

    static let policy = try! TrustPolicy(logKeys: [Fixtures.signer], witnesses: [Witnesses.bureau], quorum: 1)

    @Test func anExportVerifiesOfflineAfterAJSONRoundTrip() async throws {
        let (export, cosigned) = try await exported(positions: 5...15)
        #expect(export.entries.map(\.position) == [5, 7, 9, 11, 13, 15])
        let decoded = try AuditExport.decode(try export.jsonData())
        #expect(decoded == export)
        guard
            case .valid(let events) = AuditVerifier.verify(
                decoded,
                hasher: SHA256Hasher(),
                policy: Self.policy,
                now: Witnesses.now
            )
        else {
            Issue.record("the export did not verify")
            return
        }
        #expect(events.map(\.globalPosition) == [5, 7, 9, 11, 13, 15])
        #expect(events.first?.id == EventID("evt-2"))
        // Without the witness's cosignature the quorum is not met.
        var logOnly = export
        logOnly.checkpoint = SignedCheckpoint(checkpoint: cosigned.checkpoint, signatures: [cosigned.signatures[0]])
        #expect(
            AuditVerifier.verify(logOnly, hasher: SHA256Hasher(), policy: Self.policy, now: Witnesses.now)
                == .invalid(entry: nil, .insufficientCosignatures(found: 0, required: 1))
        )
    }

    @Test func everyKindOfTamperingIsNamedByEntry() async throws {
        let (export, _) = try await exported()
        func verdict(_ change: (inout AuditExport) -> Void) -> ExportVerification {
            var copy = export
            change(&copy)
            return AuditVerifier.verify(copy, hasher: SHA256Hasher(), policy: Self.policy, now: Witnesses.now)
        }
        #expect(verdict { _ in }.isValid)
        #expect(verdict { $0.entries[3].entry[40] ^= 1 } == .invalid(entry: 3, .proof(.rootMismatch)))
        if case .invalid(let entry, .malformedEntry) = verdict({ $0.entries[2].position += 1 }) {
            #expect(entry == 2)
        } else {
            Issue.record("a wrong position was accepted")
        }
        if case .invalid(let entry, .malformedEntry) = verdict({ $0.entries.swapAt(0, 1) }) {
            #expect(entry == 1)
        } else {
            Issue.record("unsorted entries were accepted")
        }
        #expect(verdict { $0.entries[1].inclusionProof.removeLast() } == .invalid(entry: 1, .proof(.proofTooShort)))
        #expect(verdict { $0.format = "v0" } == .invalid(entry: nil, .unknownFormat("v0")))
        #expect(
            AuditVerifier.verify(export, hasher: SM3Hasher(), policy: Self.policy, now: Witnesses.now)
                == .invalid(entry: nil, .hasherMismatch(expected: "sm3", found: "sha-256"))
        )
    }

    @Test func malformedExportsAreTypedErrors() async throws {
        let (export, _) = try await exported(positions: 1...3)
        let text = String(decoding: try export.jsonData(), as: UTF8.self)
        let entry = try #require(export.entries.first).entry.base64EncodedString()
        let nonCanonical = text.replacingOccurrences(of: entry, with: entry.replacingOccurrences(of: "=", with: ""))
        for bad in ["not json", "{}", nonCanonical] {
            #expect { try AuditExport.decode(Data(bad.utf8)) } throws: { error in
                (error as? AuditError)?.code == .malformedDocument
            }
        }
        var limits = AuditLimits.default
        limits.maximumBundleBytes = 100
        #expect { try AuditExport.decode(Data(text.utf8), limits: limits) } throws: { error in
            (error as? AuditError)?.code == .limitExceeded
        }
    }
}
