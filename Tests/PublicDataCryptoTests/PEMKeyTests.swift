#if OpenSSL
import Foundation
import PublicDataAudit
import PublicDataCrypto
import Testing

/// Runs the system `openssl` command line; returns its exit status.
@discardableResult
func openssl(_ arguments: [String], in folder: URL) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["openssl"] + arguments
    process.currentDirectoryURL = folder
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

@Suite struct PEMKeyTests {
    let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("publicdata-crypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    func key(_ algorithm: String) throws -> (signer: PEMSigner, publicPEM: Data) {
        #expect(try openssl(["genpkey", "-algorithm", algorithm, "-out", "\(algorithm).pem"], in: folder) == 0)
        #expect(
            try openssl(["pkey", "-in", "\(algorithm).pem", "-pubout", "-out", "\(algorithm).pub"], in: folder) == 0
        )
        let privatePEM = try Data(contentsOf: folder.appendingPathComponent("\(algorithm).pem"))
        let publicPEM = try Data(contentsOf: folder.appendingPathComponent("\(algorithm).pub"))
        return (try PEMKeys.signer(pem: privatePEM, name: "example.gov.cn/\(algorithm)"), publicPEM)
    }

    /// Signs a checkpoint with our signer; OpenSSL's own command line verifies the signature, and our verifier
    /// accepts OpenSSL's signature and refuses a changed body.
    @Test(arguments: ["ed25519", "SM2"])
    func checkpointSignaturesVerifyWithTheOpenSSLCommandLine(_ algorithm: String) async throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let (signer, publicPEM) = try key(algorithm)
        let checkpoint = try Checkpoint(
            origin: "example.gov.cn/audit/sm3",
            size: 42,
            rootHash: SM3Hasher().digest(Array("root".utf8)),
            extensions: ["time 2027-03-01T08:00:00.000Z"]
        )
        let signed = try await checkpoint.signed(by: [signer])
        let parsed = try SignedCheckpoint.parse(signed.text)
        let verifier = try PEMKeys.verifier(pem: publicPEM, name: signer.name)
        #expect(parsed.isSigned(byAnyOf: [verifier]))
        try Data(checkpoint.body.utf8).write(to: folder.appendingPathComponent("body"))
        try Data(parsed.signatures[0].signature).write(to: folder.appendingPathComponent("sig"))
        var verify = ["pkeyutl", "-verify", "-pubin", "-inkey", "\(algorithm).pub", "-rawin", "-in", "body"]
        verify += ["-sigfile", "sig"]
        if algorithm == "SM2" { verify += ["-digest", "sm3", "-pkeyopt", "distid:\(PEMKeys.defaultSM2UserID)"] }
        #expect(try openssl(verify, in: folder) == 0)

        // OpenSSL signs; we verify.
        var sign = ["pkeyutl", "-sign", "-inkey", "\(algorithm).pem", "-rawin", "-in", "body", "-out", "theirs"]
        if algorithm == "SM2" { sign += ["-digest", "sm3", "-pkeyopt", "distid:\(PEMKeys.defaultSM2UserID)"] }
        #expect(try openssl(sign, in: folder) == 0)
        let theirs = try [UInt8](Data(contentsOf: folder.appendingPathComponent("theirs")))
        #expect(verifier.isValidSignature(theirs, for: Array(checkpoint.body.utf8)))
        #expect(!verifier.isValidSignature(theirs, for: Array((checkpoint.body + "x\n").utf8)))
        if algorithm == "ed25519" {
            // C2SP signed-note key id: SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4].
            #expect(signer.keyID.count == 4)
        }
    }

    @Test func badKeysAreTypedErrors() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: AuditError.self) { try PEMKeys.signer(pem: Data("not a key".utf8), name: "k") }
        #expect(
            try openssl(
                ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pem"],
                in: folder
            ) == 0
        )
        let rsa = try Data(contentsOf: folder.appendingPathComponent("rsa.pem"))
        #expect { try PEMKeys.signer(pem: rsa, name: "k") } throws: { error in
            (error as? AuditError)?.message.contains("unsupported key type") == true
        }
        let (signer, _) = try key("ed25519")
        #expect(throws: AuditError.self) { try PEMKeys.verifier(pem: Data(), name: signer.name) }
    }

    @Test func libcryptoHashersAgreeWithTheBuiltInOnesOnEveryLengthUpTo300() throws {
        let pairs: [(any LedgerHasher, any LedgerHasher)] = [
            (try OpenSSLHasher(.sha256), SHA256Hasher()), (try OpenSSLHasher(.sm3), SM3Hasher()),
        ]
        for (fast, reference) in pairs {
            #expect(fast.name == reference.name)
            var bytes: [UInt8] = []
            for length in 0...300 {
                #expect(fast.digest(bytes) == reference.digest(bytes), "\(fast.name) length \(length)")
                let leafFast = MerkleVerifier.leafHash(of: bytes, hasher: fast)
                #expect(leafFast == MerkleVerifier.leafHash(of: bytes, hasher: reference))
                bytes.append(UInt8(truncatingIfNeeded: length &* 31 &+ 7))
            }
        }
    }
}
#endif
