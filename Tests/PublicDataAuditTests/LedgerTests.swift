import Foundation
import PublicDataAudit
import PublicDataTesting
import Testing

struct LedgerTests {
    @Test func ledgersEveryEventInGlobalOrder() async throws {
        let store = try await Fixtures.store(events: 10)
        let ledger = try await Fixtures.ledger(store)
        #expect(await ledger.size == 0)
        // Ten events, the ledger's creation record and the leaf record holding those eleven leaves' hashes.
        #expect(try await ledger.catchUp() == 12)
        #expect(await ledger.recordedLeafCount == 11)
        let events = try await store.readAll(after: 0, pageSize: 100)
        #expect(await ledger.size == events.count)
        var tree = MerkleTree(hasher: SHA256Hasher())
        for (index, event) in events.enumerated() {
            tree.append(try CanonicalEventEncoding.encode(event))
            #expect(await ledger.position(ofLeaf: index) == event.globalPosition)
            #expect(await ledger.leafIndex(ofPosition: event.globalPosition) == index)
        }
        #expect(await ledger.rootHash == tree.rootHash)
        #expect(await ledger.leafIndex(ofPosition: 2) == nil)  // a gap
        #expect(try await ledger.catchUp() == 0)
        #expect(await store.loadCursor("audit-ledger:test.ledger") == events.last?.globalPosition)
        #expect(events[10].type == Ledger.createdEventType)
        #expect(events.last?.type == Ledger.leavesEventType)
        let record = try #require(try Ledger.recordedLeaves(in: events[11], digestSize: 32))
        let ledgeredPositions: [Int64] = events.prefix(11).map(\.globalPosition)
        #expect(record.first == 0)
        #expect(record.positions == ledgeredPositions)
        for index in 0..<11 {
            let recorded = LedgerHash(bytes: Array(record.hash(at: index, digestSize: 32)))
            #expect(tree.leafHash(at: index) == recorded)
        }
        #expect(ledger.origin == "test.ledger/sha-256")
    }

    @Test func reopenRebuildsTheSameTreeAndKeepsTheLastCheckpoint() async throws {
        let store = try await Fixtures.store(events: 9)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        #expect(signed.checkpoint.origin == "test.ledger/sha-256")
        #expect(signed.checkpoint.size == 11)  // the creation, nine events and the leaf record
        #expect(signed.checkpoint.time == FixedClock().instant)
        #expect(signed.isSigned(byAnyOf: [Fixtures.signer]))
        _ = try await store.append([Fixtures.event(100)], to: "stream-x", expectedVersion: .any)

        let reopened = try await Fixtures.ledger(store)
        #expect(await reopened.size == 11)
        #expect(await reopened.lastCheckpoint == signed)
        #expect(await reopened.integrityProblem == nil)
        // The checkpoint record, the new event and the leaf record for them.
        #expect(try await reopened.catchUp() == 3)
        let second = try await reopened.signCheckpoint(with: [Fixtures.signer])
        #expect(second.checkpoint.size == 14)
        let proof = try await reopened.consistencyProof(from: 11, to: 14)
        #expect(
            AuditVerifier.checkConsistency(
                from: signed,
                to: second,
                proof: proof,
                hasher: SHA256Hasher(),
                trusting: [Fixtures.signer]
            ) == nil
        )
        #expect(
            AuditVerifier.checkConsistency(
                from: signed,
                to: second,
                proof: proof,
                hasher: SHA256Hasher(),
                trusting: [Fixtures.otherSigner]
            )
                == .untrustedCheckpoint
        )
        #expect(
            AuditVerifier.checkConsistency(
                from: second,
                to: signed,
                proof: proof,
                hasher: SHA256Hasher(),
                trusting: [Fixtures.signer]
            )
                == .proof(.sizesOutOfOrder)
        )
        #expect(
            AuditVerifier.checkConsistency(
                from: signed,
                to: second,
                proof: [],
                hasher: SHA256Hasher(),
                trusting: [Fixtures.signer]
            )
                == .proof(.emptyProof)
        )
    }

    @Test func refusesToReopenWithAnotherHasher() async throws {
        let store = try await Fixtures.store(events: 3)
        _ = try await Fixtures.ledger(store)
        await #expect {
            _ = try await Fixtures.ledger(store, hasher: SM3Hasher())
        } throws: { error in
            (error as? AuditError)?.code == .hasherMismatch
        }
    }

    @Test func smLedgerUsesSM3Throughout() async throws {
        let store = try await Fixtures.store(events: 5)
        let ledger = try await Fixtures.ledger(store, hasher: SM3Hasher())
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        #expect(signed.checkpoint.origin == "test.ledger/sm3")
        let bundle = try await ledger.proofBundle(forLeafAt: 2)
        #expect(AuditVerifier.verify(bundle, hasher: SM3Hasher(), trusting: [Fixtures.signer]).isValid)
        #expect(
            AuditVerifier.verify(bundle, hasher: SHA256Hasher(), trusting: [Fixtures.signer])
                == .invalid(.hasherMismatch(expected: "sha-256", found: "sm3"))
        )
    }

    @Test func rejectsBadConfiguration() async throws {
        let store = TamperableStore()
        for name in ["", "has space", "line\nbreak"] {
            await #expect(throws: AuditError.self) {
                _ = try await Ledger.open(store: store, configuration: LedgerConfiguration(name: name))
            }
        }
        await #expect(throws: AuditError.self) {
            _ = try await Ledger.open(store: store, configuration: LedgerConfiguration(name: "ok", pageSize: 0))
        }
    }

    @Test func proofBundleVerifiesOfflineAndRejectsTampering() async throws {
        let store = try await Fixtures.store(events: 12)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let events = try await store.readAll(after: 0, pageSize: 100)
        for index in 0..<signed.checkpoint.size {
            let bundle = try await ledger.proofBundle(forLeafAt: index)
            // Through JSON, as a regulator receives it.
            let received = try ProofBundle.fromJSON(try bundle.jsonData())
            #expect(received == bundle)
            let verdict = AuditVerifier.verify(received, hasher: SHA256Hasher(), trusting: [Fixtures.signer])
            #expect(verdict == .valid(events[index]))
            // Through tlog-proof text.
            let text = try ProofBundle.parse(tlogProof: bundle.tlogProofText, entry: bundle.entry, hasher: "sha-256")
            #expect(text == bundle)

            var changedEntry = bundle
            var bytes = Array(bundle.entry)
            bytes[bytes.count - 2] ^= 0x01
            changedEntry.entry = Data(bytes)
            #expect(
                AuditVerifier.verify(changedEntry, hasher: SHA256Hasher(), trusting: [Fixtures.signer])
                    == .invalid(.proof(.rootMismatch))
            )
            var wrongIndex = bundle
            wrongIndex.index = signed.checkpoint.size
            #expect(
                AuditVerifier.verify(wrongIndex, hasher: SHA256Hasher(), trusting: [Fixtures.signer])
                    == .invalid(.proof(.indexOutOfRange))
            )
            var extraNode = bundle
            extraNode.inclusionProof.append(bundle.inclusionProof[0])
            #expect(!AuditVerifier.verify(extraNode, hasher: SHA256Hasher(), trusting: [Fixtures.signer]).isValid)
            #expect(
                AuditVerifier.verify(bundle, hasher: SHA256Hasher(), trusting: [Fixtures.otherSigner])
                    == .invalid(.untrustedCheckpoint)
            )
        }
        await #expect(throws: AuditError.self) { try await ledger.proofBundle(forLeafAt: signed.checkpoint.size) }
    }

    @Test func neverSignsACheckpointInconsistentWithTheLastOne() async throws {
        let store = try await Fixtures.store(events: 6)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let original = await store.rows
        // History is rewritten while the ledger is down.
        await store.mutate(3) { $0.payload = Data("{\"n\":999}".utf8) }
        let reopened = try await Fixtures.ledger(store)
        #expect(await reopened.integrityProblem?.code == .inconsistentHistory)
        await #expect {
            _ = try await reopened.signCheckpoint(with: [Fixtures.signer])
        } throws: { error in
            (error as? AuditError)?.code == .inconsistentHistory
        }
        // The regulator's own re-read against the checkpoint sees it too.
        let check = try await AuditVerifier.verifyStore(store, against: signed.checkpoint, hasher: SHA256Hasher())
        #expect(check != .matches)
        let named = "position \(original[3].globalPosition)"
        let message = await reopened.integrityProblem?.message ?? ""
        #expect(message.contains(named))
        await store.setRows(original)
        #expect(
            try await AuditVerifier.verifyStore(store, against: signed.checkpoint, hasher: SHA256Hasher()) == .matches
        )
    }

    @Test func detectsTruncationWhileDown() async throws {
        let store = TamperableStore()
        let ledger = try await Fixtures.ledger(store)
        for number in 0..<6 {
            _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any)
        }
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        await store.truncate(to: 5)
        let reopened = try await Fixtures.ledger(store)
        #expect(await reopened.integrityProblem?.code == .inconsistentHistory)
        await #expect(throws: AuditError.self) { try await reopened.signCheckpoint(with: [Fixtures.signer]) }
        #expect(
            try await AuditVerifier.verifyStore(store, against: signed.checkpoint, hasher: SHA256Hasher())
                == .storeTooShort(count: 5)
        )
    }
}

extension LedgerTests {
    @Test func refusesToOpenWhenItsCreationRecordIsGone() async throws {
        let store = try await Fixtures.store(events: 3)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        await store.truncate(to: 3)
        await #expect {
            _ = try await Fixtures.ledger(store)
        } throws: { error in
            (error as? AuditError)?.code == .inconsistentHistory
        }
    }
}

extension LedgerTests {
    @Test func concurrentCatchUpsLedgerEachEventOnce() async throws {
        let store = InMemoryEventStore()
        for number in 0..<40 {
            _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any)
        }
        let ledger = try await Fixtures.ledger(store)
        async let first = ledger.catchUp()
        async let second = ledger.catchUp()
        let total = try await first + second
        let events = try await store.readAll(after: 0, pageSize: 100)
        #expect(total == events.count)
        #expect(await ledger.size == events.count)
        #expect(try await ledger.verifyStore() == .ok(verifiedSize: events.count, unledgered: 0))
    }
}
