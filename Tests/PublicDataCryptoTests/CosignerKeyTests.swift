#if OpenSSL
import Foundation
import PublicDataAudit
import PublicDataCrypto
import Testing

@Suite struct CosignerKeyTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("publicdata-cosign-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    /// Generates a key with the openssl command line: (private PEM, public PEM).
    func generate(_ algorithm: String, _ file: String) throws -> (Data, Data) {
        #expect(try openssl(["genpkey", "-algorithm", algorithm, "-out", "\(file).pem"], in: folder) == 0)
        #expect(try openssl(["pkey", "-in", "\(file).pem", "-pubout", "-out", "\(file).pub"], in: folder) == 0)
        return (
            try Data(contentsOf: folder.appendingPathComponent("\(file).pem")),
            try Data(contentsOf: folder.appendingPathComponent("\(file).pub"))
        )
    }

    /// The C2SP signed-note example: the published vkey verifies the published signature line.
    @Test func theSignedNoteSpecExampleVerifies() throws {
        let verifier = try PEMKeys.verifier(
            vkey: "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
        )
        let blob = try #require(
            Base64.decodeCanonical(
                "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
            )
        )
        #expect(Array(blob.prefix(4)) == verifier.keyID)
        let text = Array("This is an example message.\n".utf8)
        #expect(verifier.isValidSignature(Array(blob.dropFirst(4)), for: text))
        #expect(!verifier.isValidSignature(Array(blob.dropFirst(4)), for: text + [0x0a]))
    }

    /// Published vkeys parse (key ids checked); malformed ones are typed errors (vectors of
    /// transparency-dev/formats).
    @Test(arguments: [
        ("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6", true),
        ("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2", true),
        ("bananas.sigstore.dev+12344556", false),
        ("rekor.sigstore.dev+12345678+THIS_IS_NOT_BASE64!", false),
        ("rekor.sigstore.dev+12345678+AwEB", false),
        ("remora.n621.de+00000000+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2", false),
        ("remora.n621.de+NOT_A_NUMBER+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2", false),
    ])
    func verifierKeysAreCheckedAsTheSpecSays(_ vkey: String, _ valid: Bool) {
        if valid {
            #expect(throws: Never.self) { try PEMKeys.verifier(vkey: vkey) }
        } else {
            #expect(throws: AuditError.self) { try PEMKeys.verifier(vkey: vkey) }
        }
    }

    /// An Ed25519 cosignature made by our cosigner verifies with OpenSSL's command line over the
    /// `cosignature/v1` message, and with a verifier built from the published vkey; the key id is the C2SP
    /// cosigner id (type 0x04), not the checkpoint key id (0x01).
    @Test func ed25519CosignaturesVerifyWithTheOpenSSLCommandLine() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (privatePEM, publicPEM) = try generate("ed25519", "witness")
        let cosigner = try PEMKeys.cosigner(pem: privatePEM, name: "audit-bureau.example.gov.cn/w1")
        let asLogKey = try PEMKeys.signer(pem: privatePEM, name: cosigner.name)
        #expect(cosigner.keyID != asLogKey.keyID)
        let vkey = try #require(PEMKeys.vkey(of: cosigner))
        #expect(vkey.hasPrefix("audit-bureau.example.gov.cn/w1+\(LedgerHash(bytes: cosigner.keyID).hex)+B"))
        let material = try #require(Base64.decodeCanonical(String(vkey.split(separator: "+", maxSplits: 2)[2])))
        #expect(Cosignature.ed25519KeyID(name: cosigner.name, publicKey: Array(material.dropFirst())) == cosigner.keyID)
        #expect(PEMKeys.vkey(of: asLogKey)?.split(separator: "+", maxSplits: 2).last?.hasPrefix("A") == true)

        let checkpoint = try Checkpoint(
            origin: "example.gov.cn/audit/sm3",
            size: 42,
            rootHash: SM3Hasher().digest(Array("root".utf8)),
            extensions: ["time 2027-03-01T08:00:00.000Z"]
        )
        let cosignature = try await checkpoint.cosigned(by: cosigner, at: 1_790_000_000)
        #expect(cosignature.signature.count == 64)
        #expect(cosignature.noteSignature.signature.count == 72)
        let message = Cosignature.signedMessage(for: checkpoint, timestamp: cosignature.timestamp)
        try Data(message).write(to: folder.appendingPathComponent("message"))
        try Data(cosignature.signature).write(to: folder.appendingPathComponent("sig"))
        let verify = [
            "pkeyutl", "-verify", "-pubin", "-inkey", "witness.pub", "-rawin", "-in", "message", "-sigfile", "sig",
        ]
        #expect(try openssl(verify, in: folder) == 0)
        // The signature covers the header and timestamp: the bare body does not verify.
        try Data(checkpoint.body.utf8).write(to: folder.appendingPathComponent("message"))
        #expect(try openssl(verify, in: folder) != 0)

        let fromVKey = try PEMKeys.verifier(vkey: vkey)
        let fromPEM = try PEMKeys.cosignatureVerifier(pem: publicPEM, name: cosigner.name)
        #expect(cosignature.isValid(for: checkpoint, using: fromVKey))
        #expect(cosignature.isValid(for: checkpoint, using: fromPEM))
        #expect(!cosignature.isValid(for: checkpoint, using: try PEMKeys.verifier(pem: publicPEM, name: cosigner.name)))
    }

    /// SM2 cosignatures (a PublicDataKit extension): the same message, SM2-with-SM3, verified by OpenSSL.
    @Test func sm2CosignaturesVerifyWithTheOpenSSLCommandLine() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (privatePEM, publicPEM) = try generate("SM2", "witness")
        let cosigner = try PEMKeys.cosigner(pem: privatePEM, name: "audit-bureau.example.gov.cn/sm2")
        #expect(PEMKeys.vkey(of: cosigner) == nil)
        let checkpoint = try Checkpoint(origin: "example.gov.cn/audit/sm3", size: 7, rootHash: SM3Hasher().digest([7]))
        let cosignature = try await checkpoint.cosigned(by: cosigner, at: 1_790_000_000)
        try Data(Cosignature.signedMessage(for: checkpoint, timestamp: 1_790_000_000))
            .write(to: folder.appendingPathComponent("message"))
        try Data(cosignature.signature).write(to: folder.appendingPathComponent("sig"))
        var verify = ["pkeyutl", "-verify", "-pubin", "-inkey", "witness.pub", "-rawin", "-in", "message"]
        verify += ["-sigfile", "sig", "-digest", "sm3", "-pkeyopt", "distid:\(PEMKeys.defaultSM2UserID)"]
        #expect(try openssl(verify, in: folder) == 0)
        let verifier = try PEMKeys.cosignatureVerifier(pem: publicPEM, name: cosigner.name)
        #expect(cosignature.isValid(for: checkpoint, using: verifier))
    }

    /// Three witnesses with real Ed25519 keys over a log with an SM2 key: each checks and cosigns, and a
    /// 2-of-3 policy trusts the result.
    @Test func aWitnessWithRealKeysCosignsAndAQuorumIsMet() async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (logPEM, _) = try generate("SM2", "log")
        let log = try PEMKeys.signer(pem: logPEM, name: "example.gov.cn/audit")
        var witnesses: [Witness] = []
        var verifiers: [any CheckpointVerifier] = []
        for number in 1...3 {
            let (pem, _) = try generate("ed25519", "w\(number)")
            let cosigner = try PEMKeys.cosigner(pem: pem, name: "w\(number).example.gov.cn")
            verifiers.append(try PEMKeys.verifier(vkey: try #require(PEMKeys.vkey(of: cosigner))))
            witnesses.append(
                Witness(
                    cosigner: cosigner,
                    logs: [WitnessedLog(origin: "example.gov.cn/audit/sm3", keys: [log.verifier], hasher: SM3Hasher())],
                    state: InMemoryWitnessState()
                )
            )
        }
        var tree = MerkleTree(hasher: SM3Hasher())
        for number in 0..<9 { tree.append(Array("entry \(number)".utf8)) }
        let checkpoint = try Checkpoint(origin: "example.gov.cn/audit/sm3", size: tree.size, rootHash: tree.rootHash)
        let signed = try await checkpoint.signed(by: [log])
        let policy = try TrustPolicy(logKeys: [log.verifier], witnesses: verifiers, quorum: 2)
        var cosigned = signed
        for witness in witnesses.prefix(2) {
            let response = await witness.handleAddCheckpoint(
                Data(AddCheckpointRequest(oldSize: 0, proof: [], checkpoint: signed).text.utf8)
            )
            #expect(response.status == 200)
            cosigned = try SignedCheckpoint.parse(cosigned.text + response.body)
        }
        #expect(policy.evaluate(cosigned).cosigners == ["w1.example.gov.cn", "w2.example.gov.cn"])
        #expect(policy.evaluate(cosigned).isTrusted)
        #expect(!policy.evaluate(signed).isTrusted)
    }
}
#endif
