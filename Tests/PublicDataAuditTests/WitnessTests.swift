import Foundation
import PublicDataAudit
import PublicDataTesting
import Testing

/// Witness keys for tests: HMAC stand-ins with the protocol of real Ed25519 cosigners.
enum Witnesses {
    static let bureau = TestCheckpointSigner(name: "audit-bureau.example.gov.cn/w1", key: Array("w1".utf8))
    static let center = TestCheckpointSigner(name: "bigdata-center.example.gov.cn/w2", key: Array("w2".utf8))
    static let administration = TestCheckpointSigner(name: "data-admin.example.gov.cn/w3", key: Array("w3".utf8))
    static let stranger = TestCheckpointSigner(name: "stranger.example/w9", key: Array("w9".utf8))
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func witness(_ key: TestCheckpointSigner, state: any WitnessState = InMemoryWitnessState()) -> Witness {
        Witness(
            cosigner: key,
            logs: [WitnessedLog(origin: "test.ledger/sha-256", keys: [Fixtures.signer], hasher: SHA256Hasher())],
            state: state,
            clock: { now }
        )
    }
}

@Suite struct CosignatureFormatTests {
    /// The signed message of C2SP tlog-cosignature's example, byte for byte.
    @Test func theSignedMessageIsTheSpecsExample() throws {
        let root = try #require(LedgerHash(base64: "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I="))
        let checkpoint = try Checkpoint(origin: "example.com/behind-the-sofa", size: 20_852_163, rootHash: root)
        let expected =
            "cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
            + "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        #expect(Cosignature.signedMessage(for: checkpoint, timestamp: 1_679_315_147) == Array(expected.utf8))
    }

    /// The timestamps of the spec's example line and of transparency-dev/formats' vector; the line re-encodes
    /// to the same text.
    @Test(arguments: [
        (
            "witness.example.com/w1",
            "jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==",
            UInt64(1_679_315_147), "8d66cf3f"
        ),
        (
            "w",
            "ZGhGuQAAAABm/qTPeyKXD+R2rzyQsxPiP8mXum7qq/iF0u4vanlqJyocWODBt97w9uL+8qT7S5gxEHWWOworDcFiEBYJXORmnFBOBA==",
            UInt64(1_727_964_367), "646846b9"
        ),
    ])
    func timestampsAreReadFromTheSpecsVectors(name: String, base64: String, timestamp: UInt64, keyID: String) throws {
        let text = "origin\n1\n\(LedgerHash(bytes: [UInt8](repeating: 1, count: 32)).base64)\n\n— \(name) \(base64)\n"
        let signed = try SignedCheckpoint.parse(text)
        let cosignature = try Cosignature(signed.signatures[0])
        #expect(cosignature.timestamp == timestamp)
        #expect(LedgerHash(bytes: cosignature.keyID).hex == keyID)
        #expect(cosignature.signature.count == 64)
        #expect(cosignature.line == "— \(name) \(base64)")
    }

    /// C2SP Ed25519 cosigner key id: SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4], checked on a published vkey
    /// (`remora.n621.de+da77ade7+BOvN…`, type byte 0x04).
    @Test func theEd25519CosignerKeyIDMatchesAPublishedVerifierKey() throws {
        let material = try #require(Base64.decodeCanonical("BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2"))
        #expect(material.first == Cosignature.ed25519SignatureType)
        let id = Cosignature.ed25519KeyID(name: "remora.n621.de", publicKey: Array(material.dropFirst()))
        #expect(LedgerHash(bytes: id).hex == "da77ade7")
    }

    @Test func aLineTooShortForATimestampIsMalformed() throws {
        let line = try NoteSignature(name: "w", keyID: [1, 2, 3, 4], signature: [0, 0, 0, 0, 0, 0, 0, 1])
        #expect(throws: AuditError.self) { try Cosignature(line) }
        let future = try NoteSignature(name: "w", keyID: [1, 2, 3, 4], signature: [0x80, 0, 0, 0, 0, 0, 0, 1, 9])
        #expect(throws: AuditError.self) { try Cosignature(future) }
    }
}

@Suite struct WitnessTests {
    /// A ledger with `count` events and a signed checkpoint.
    func signedLedger(events count: Int) async throws -> (TamperableStore, Ledger, SignedCheckpoint) {
        let store = try await Fixtures.store(events: count)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        return (store, ledger, try await ledger.signCheckpoint(with: [Fixtures.signer]))
    }

    @Test func cosignsTheFirstCheckpointAndThenOnlyConsistentOnes() async throws {
        let (store, ledger, first) = try await signedLedger(events: 5)
        let state = InMemoryWitnessState()
        let witness = Witnesses.witness(Witnesses.bureau, state: state)
        let cosignature = try await witness.addCheckpoint(
            AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: first)
        )
        #expect(cosignature.timestamp == 1_790_000_000)
        #expect(cosignature.isValid(for: first.checkpoint, using: Witnesses.bureau))
        #expect(await state.latest(origin: first.checkpoint.origin)?.checkpoint == first.checkpoint)

        for number in 5..<9 { _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any) }
        try await ledger.catchUp()
        let second = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let proof = try await ledger.consistencyProof(from: first.checkpoint.size, to: second.checkpoint.size)
        let request = AddCheckpointRequest(oldSize: first.checkpoint.size, proof: proof, checkpoint: second)
        // The request travels as text.
        let parsed = try AddCheckpointRequest.parse(request.text)
        #expect(parsed == request)
        let response = await witness.handleAddCheckpoint(Data(request.text.utf8))
        #expect(response.status == 200)
        let cosigned = try SignedCheckpoint.parse(second.text + response.body)
        let policy = try TrustPolicy(logKeys: [Fixtures.signer], witnesses: [Witnesses.bureau], quorum: 1)
        #expect(policy.evaluate(cosigned, now: Witnesses.now).isTrusted)

        // Rollback: the first checkpoint again, from the size the witness holds.
        let rollback = await witness.handleAddCheckpoint(
            Data(AddCheckpointRequest(oldSize: second.checkpoint.size, proof: [], checkpoint: first).text.utf8)
        )
        #expect(rollback.status == 400)
        let stale = await witness.handleAddCheckpoint(
            Data(AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: first).text.utf8)
        )
        #expect(stale.status == 409)
        #expect(stale.body == "\(second.checkpoint.size)\n")
        #expect(await state.latest(origin: first.checkpoint.origin)?.checkpoint == second.checkpoint)
    }

    @Test func refusesUnknownOriginsUnsignedCheckpointsAndBadRequests() async throws {
        let (_, _, first) = try await signedLedger(events: 3)
        let witness = Witnesses.witness(Witnesses.bureau)
        let foreign = try await Checkpoint(origin: "other.ledger/sha-256", size: 3, rootHash: first.checkpoint.rootHash)
            .signed(by: [Fixtures.signer])
        let cases: [(SignedCheckpoint, Int)] = [
            (foreign, 404),
            (try await first.checkpoint.signed(by: [Fixtures.otherSigner]), 403),
            (try await first.checkpoint.signed(by: [Witnesses.stranger]), 403),
        ]
        for (checkpoint, status) in cases {
            let request = AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: checkpoint)
            #expect(await witness.handleAddCheckpoint(Data(request.text.utf8)).status == status)
        }
        // A known key whose signature fails makes the note invalid, even beside a valid one.
        let forged = first.adding([
            try NoteSignature(name: Fixtures.signer.name, keyID: Fixtures.signer.keyID, signature: [1])
        ])
        let forgedRequest = AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: forged)
        #expect(await witness.handleAddCheckpoint(Data(forgedRequest.text.utf8)).status == 403)
        for body in ["old 01\n\n\(first.text)", "old 0\nnot base64\n\n\(first.text)", "{}", "old 0\n\n"] {
            #expect(await witness.handleAddCheckpoint(Data(body.utf8)).status == 400)
        }
        let tooLong =
            "old 0\n" + String(repeating: LedgerHash(bytes: [UInt8](repeating: 7, count: 32)).base64 + "\n", count: 64)
        #expect(await witness.handleAddCheckpoint(Data((tooLong + "\n" + first.text).utf8)).status == 400)
        // A proof from size 0 must be empty; a size-0 checkpoint must have the empty root.
        let withProof = AddCheckpointRequest(oldSize: 0, proof: [first.checkpoint.rootHash], checkpoint: first)
        #expect(await witness.handleAddCheckpoint(Data(withProof.text.utf8)).status == 422)
        let emptyWrong = try await Checkpoint(
            origin: first.checkpoint.origin,
            size: 0,
            rootHash: first.checkpoint.rootHash
        )
        .signed(by: [Fixtures.signer])
        let emptyRequest = AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: emptyWrong)
        #expect(await witness.handleAddCheckpoint(Data(emptyRequest.text.utf8)).status == 422)
    }

    /// Edit an old event, delete the ledger's records and move its cursor back: the restarted ledger signs the
    /// rewritten log, but a witness that cosigned the original refuses it and keeps the two signed checkpoints
    /// as evidence, and an audit against the cosigned checkpoint fails.
    @Test func aRewrittenAndReSignedHistoryIsRefusedAndCaught() async throws {
        let (store, _, original) = try await signedLedger(events: 6)
        let state = InMemoryWitnessState()
        let witness = Witnesses.witness(Witnesses.bureau, state: state)
        let cosignature = try await witness.addCheckpoint(
            AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: original)
        )
        let held = original.adding([cosignature.noteSignature])

        // The rewrite: event 3 changed, every ledger record deleted, the cursor moved back, more events.
        let rows = await store.rows.filter { !$0.streamID.rawValue.hasPrefix("audit-ledger-") }
        await store.setRows(rows)
        await store.mutate(3) { $0.payload = Data("{\"n\":999}".utf8) }
        await store.saveCursor("audit-ledger:test.ledger", position: 0)
        for number in 6..<12 { _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any) }
        let restarted = try await Fixtures.ledger(store)
        #expect(await restarted.integrityProblem == nil)
        try await restarted.catchUp()
        let rewritten = try await restarted.signCheckpoint(with: [Fixtures.signer])
        #expect(rewritten.checkpoint.size > original.checkpoint.size)

        // The witness refuses whatever proof the log offers.
        let proof = try await restarted.consistencyProof(from: original.checkpoint.size, to: rewritten.checkpoint.size)
        await #expect {
            _ = try await witness.addCheckpoint(
                AddCheckpointRequest(oldSize: original.checkpoint.size, proof: proof, checkpoint: rewritten)
            )
        } throws: { error in
            guard let refusal = error as? WitnessRefusal, refusal.status == .unprocessable else { return false }
            return refusal.evidence?.latest.checkpoint == original.checkpoint
                && refusal.evidence?.submitted == rewritten
        }
        #expect(await state.evidence.count == 1)
        #expect(await state.latest(origin: original.checkpoint.origin)?.checkpoint == original.checkpoint)

        // The auditor holding the cosigned checkpoint sees the rewrite, though the store signs its own log.
        let policy = try TrustPolicy(logKeys: [Fixtures.signer], witnesses: [Witnesses.bureau], quorum: 1)
        let audit = try await AuditVerifier.auditStore(
            store,
            ledgerName: "test.ledger",
            hasher: SHA256Hasher(),
            held: [(label: "cosigned", checkpoint: held)],
            policy: policy,
            now: Witnesses.now
        )
        #expect(!audit.isOK)
        #expect(audit.checkpoints.first?.verdict != .matches)
        #expect(
            audit.checkpoints.dropFirst().allSatisfy { $0.verdict == .insufficientCosignatures(found: 0, required: 1) }
        )
    }

    /// Same size, different root: the refusal's evidence is a fork proven by the log's own signatures.
    @Test func aSplitViewIsRefusedAndOnlyOneViewReachesAQuorum() async throws {
        let (_, _, viewA) = try await signedLedger(events: 6)
        let other = try await Fixtures.store(events: 6)
        await other.mutate(2) { $0.payload = Data("{\"n\":-1}".utf8) }
        let otherLedger = try await Fixtures.ledger(other)
        try await otherLedger.catchUp()
        let viewB = try await otherLedger.signCheckpoint(with: [Fixtures.signer])
        #expect(viewA.checkpoint.size == viewB.checkpoint.size)
        #expect(viewA.checkpoint.rootHash != viewB.checkpoint.rootHash)

        let bureau = Witnesses.witness(Witnesses.bureau)
        let center = Witnesses.witness(Witnesses.center)
        let administration = Witnesses.witness(Witnesses.administration)
        let first = AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: viewA)
        let a1 = try await bureau.addCheckpoint(first)
        let a2 = try await center.addCheckpoint(first)
        let b3 = try await administration.addCheckpoint(AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: viewB))
        // View B shown to a witness that saw view A.
        do {
            _ = try await bureau.addCheckpoint(
                AddCheckpointRequest(oldSize: viewA.checkpoint.size, proof: [], checkpoint: viewB)
            )
            Issue.record("a fork was cosigned")
        } catch {
            #expect(error.status == .unprocessable)
            #expect(error.evidence?.isFork == true)
        }
        let policy = try TrustPolicy(
            logKeys: [Fixtures.signer],
            witnesses: [Witnesses.bureau, Witnesses.center, Witnesses.administration],
            quorum: 2
        )
        let cosignedA = viewA.adding([a1.noteSignature, a2.noteSignature])
        let cosignedB = viewB.adding([b3.noteSignature, a1.noteSignature])  // a1 does not cover view B
        #expect(policy.evaluate(cosignedA, now: Witnesses.now).isTrusted)
        let verdictB = policy.evaluate(cosignedB, now: Witnesses.now)
        #expect(!verdictB.isTrusted)
        #expect(verdictB.invalidSignatures == [Witnesses.bureau.name])
    }

    @Test func concurrentRequestsFromOneOldSizeCosignOnlyOne() async throws {
        let (store, ledger, first) = try await signedLedger(events: 4)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("witness-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let state = try FileWitnessState(directory: folder)
        let witness = Witnesses.witness(Witnesses.bureau, state: state)
        _ = try await witness.addCheckpoint(AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: first))
        var requests: [AddCheckpointRequest] = []
        for round in 0..<6 {
            _ = try await store.append([Fixtures.event(100 + round)], to: "s", expectedVersion: .any)
            try await ledger.catchUp()
            let next = try await ledger.signCheckpoint(with: [Fixtures.signer])
            let proof = try await ledger.consistencyProof(from: first.checkpoint.size, to: next.checkpoint.size)
            requests.append(AddCheckpointRequest(oldSize: first.checkpoint.size, proof: proof, checkpoint: next))
        }
        // Every request reads the witness's state before any records: only the compare-and-swap decides.
        let racing = Witnesses.witness(
            Witnesses.bureau,
            state: ReadBarrierState(base: state, barrier: ReadBarrier(count: requests.count))
        )
        let statuses = await withTaskGroup(of: Int.self) { group in
            for request in requests {
                group.addTask { await racing.handleAddCheckpoint(Data(request.text.utf8)).status }
            }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 1)
        #expect(statuses.filter { $0 == 409 }.count == requests.count - 1)
        // A second process (a new state over the same folder) sees what the first recorded.
        let reread = try await FileWitnessState(directory: folder).latest(origin: first.checkpoint.origin)
        #expect(requests.map(\.checkpoint.checkpoint).contains(try #require(reread).checkpoint))
    }
}

@Suite struct TrustPolicyTests {
    func cosigned(
        by keys: [TestCheckpointSigner],
        at timestamp: UInt64 = 1_790_000_000
    ) async throws -> SignedCheckpoint {
        let checkpoint = try Checkpoint(origin: "test.ledger/sha-256", size: 3, rootHash: SHA256Hasher().digest([1]))
        var signed = try await checkpoint.signed(by: [Fixtures.signer])
        for key in keys {
            signed = signed.adding([try await checkpoint.cosigned(by: key, at: timestamp).noteSignature])
        }
        return signed
    }

    static let all = [Witnesses.bureau, Witnesses.center, Witnesses.administration]

    @Test(arguments: [
        (0, 2, false), (1, 2, false), (2, 2, true), (3, 2, true), (3, 3, true), (2, 3, false), (0, 0, true),
    ])
    func aQuorumOfConfiguredWitnessesIsRequired(cosigners: Int, quorum: Int, trusted: Bool) async throws {
        let policy = try TrustPolicy(logKeys: [Fixtures.signer], witnesses: Self.all, quorum: quorum)
        let signed = try await cosigned(by: Array(Self.all.prefix(cosigners)))
        let verdict = policy.evaluate(signed, now: Witnesses.now)
        #expect(verdict.isTrusted == trusted)
        #expect(verdict.cosigners.count == cosigners)
    }

    @Test func unconfiguredDuplicateAndFutureCosignaturesDoNotCount() async throws {
        let policy = try TrustPolicy(logKeys: [Fixtures.signer], witnesses: Self.all, quorum: 2)
        // A stranger's cosignature is ignored; one witness twice counts once.
        let stranger = try await cosigned(by: [Witnesses.bureau, Witnesses.stranger])
        #expect(!policy.evaluate(stranger, now: Witnesses.now).isTrusted)
        let twice = try await cosigned(by: [Witnesses.bureau]).adding(
            [try await cosigned(by: [Witnesses.bureau], at: 1_790_000_001).signatures[1]]
        )
        #expect(twice.signatures.count == 3)
        #expect(policy.evaluate(twice, now: Witnesses.now).cosigners == [Witnesses.bureau.name])
        // A cosignature an hour in the future does not count.
        let future = try await cosigned(by: Self.all, at: 1_790_003_600)
        let verdict = policy.evaluate(future, now: Witnesses.now)
        #expect(!verdict.isTrusted)
        #expect(verdict.futureCosigners.count == 3)
        // A cosignature is not a log signature, and a log signature is not a cosignature.
        let onlyCosigned = try await cosigned(by: Self.all)
        let noLog = SignedCheckpoint(
            checkpoint: onlyCosigned.checkpoint,
            signatures: Array(onlyCosigned.signatures.dropFirst())
        )
        #expect(policy.evaluate(noLog, now: Witnesses.now).logSigners.isEmpty)
        #expect(!policy.evaluate(noLog, now: Witnesses.now).isTrusted)
        let asWitness = try TrustPolicy(logKeys: [Witnesses.bureau], witnesses: [Fixtures.signer], quorum: 1)
        #expect(!asWitness.evaluate(onlyCosigned, now: Witnesses.now).isTrusted)
    }

    @Test func aCosignatureCoversExtensionLinesAndTheTimestamp() async throws {
        let checkpoint = try Checkpoint(
            origin: "test.ledger/sha-256",
            size: 3,
            rootHash: SHA256Hasher().digest([1]),
            extensions: ["time 2027-03-01T08:00:00.000Z"]
        )
        let cosignature = try await checkpoint.cosigned(by: Witnesses.bureau, at: 1_790_000_000)
        #expect(cosignature.isValid(for: checkpoint, using: Witnesses.bureau))
        let changed = try Checkpoint(
            origin: checkpoint.origin,
            size: 3,
            rootHash: checkpoint.rootHash,
            extensions: ["time 2027-03-01T08:00:00.001Z"]
        )
        #expect(!cosignature.isValid(for: changed, using: Witnesses.bureau))
        let restamped = try Cosignature(
            name: cosignature.name,
            keyID: cosignature.keyID,
            timestamp: cosignature.timestamp + 1,
            signature: cosignature.signature
        )
        #expect(!restamped.isValid(for: checkpoint, using: Witnesses.bureau))
        await #expect(throws: AuditError.self) { try await checkpoint.cosigned(by: Witnesses.bureau, at: 0) }
    }

    @Test func badPoliciesAreTypedErrors() {
        #expect(throws: AuditError.self) { try TrustPolicy(logKeys: [], witnesses: Self.all, quorum: 1) }
        #expect(throws: AuditError.self) { try TrustPolicy(logKeys: [Fixtures.signer], witnesses: Self.all, quorum: 4) }
        #expect(throws: AuditError.self) {
            try TrustPolicy(logKeys: [Fixtures.signer], witnesses: [Witnesses.bureau, Witnesses.bureau], quorum: 1)
        }
    }

    @Test func bundlesAndConsistencyChecksApplyThePolicy() async throws {
        let store = try await Fixtures.store(events: 5)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        let signed = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let bundle = try await ledger.proofBundle(forLeafAt: 2, checkpoint: signed)
        let policy = try TrustPolicy(logKeys: [Fixtures.signer], witnesses: Self.all, quorum: 2)
        #expect(
            AuditVerifier.verify(bundle, hasher: SHA256Hasher(), policy: policy, now: Witnesses.now)
                == .invalid(.insufficientCosignatures(found: 0, required: 2))
        )
        var cosigned = signed
        for key in Self.all.prefix(2) {
            cosigned = cosigned.adding([try await signed.checkpoint.cosigned(by: key, at: 1_790_000_000).noteSignature])
        }
        let witnessed = ProofBundle(
            hasher: bundle.hasher,
            entry: bundle.entry,
            index: bundle.index,
            inclusionProof: bundle.inclusionProof,
            checkpoint: cosigned
        )
        #expect(AuditVerifier.verify(witnessed, hasher: SHA256Hasher(), policy: policy, now: Witnesses.now).isValid)
        #expect(
            AuditVerifier.checkConsistency(
                from: signed,
                to: cosigned,
                proof: [],
                hasher: SHA256Hasher(),
                policy: policy,
                now: Witnesses.now
            ) == .insufficientCosignatures(found: 0, required: 2)
        )
    }
}

/// Holds every reader of the witness state until `count` readers have read, so concurrent requests all pass
/// the old-size check before any of them records.
actor ReadBarrier {
    let count: Int
    private var arrived = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { self.count = count }

    func arrive() async {
        arrived += 1
        if arrived >= count {
            for continuation in waiting { continuation.resume() }
            waiting = []
        } else {
            await withCheckedContinuation { waiting.append($0) }
        }
    }
}

/// A real witness state whose reads wait at a ``ReadBarrier``.
struct ReadBarrierState: WitnessState {
    let base: any WitnessState
    let barrier: ReadBarrier

    func latest(origin: String) async throws -> SignedCheckpoint? {
        let value = try await base.latest(origin: origin)
        await barrier.arrive()
        return value
    }

    func replace(origin: String, expected: Checkpoint?, with checkpoint: SignedCheckpoint) async throws -> Bool {
        try await base.replace(origin: origin, expected: expected, with: checkpoint)
    }

    func record(_ evidence: WitnessEvidence) async throws { try await base.record(evidence) }
}
