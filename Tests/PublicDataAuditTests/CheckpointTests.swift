import Foundation
import PublicDataAudit
import PublicDataTesting
import Testing

struct CheckpointTests {
    let root = SHA256Hasher().digest(utf8: "root")

    @Test func bodyFollowsTlogCheckpointForm() throws {
        let checkpoint = try Checkpoint(
            origin: "example.org/log/sha-256",
            size: 12,
            rootHash: root,
            extensions: ["x y"]
        )
        #expect(checkpoint.body == "example.org/log/sha-256\n12\n\(root.base64)\nx y\n")
        #expect(try Checkpoint.parse(body: checkpoint.body) == checkpoint)
    }

    @Test func signsVerifiesAndRoundTrips() async throws {
        let checkpoint = try Checkpoint(
            origin: "example.org/log/sha-256",
            size: 3,
            rootHash: root,
            extensions: ["time 2026-11-23T18:00:00.000Z"]
        )
        let signed = try await checkpoint.signed(by: [Fixtures.signer])
        #expect(signed.text.hasPrefix(checkpoint.body + "\n\u{2014} test-ledger-key "))
        #expect(signed.text.hasSuffix("\n"))
        #expect(signed.isSigned(byAnyOf: [Fixtures.signer]))
        #expect(!signed.isSigned(byAnyOf: [Fixtures.otherSigner]))
        #expect(!signed.isSigned(byAnyOf: []))
        #expect(checkpoint.time == PublicDataJSON.parseInstant("2026-11-23T18:00:00.000Z"))
        let parsed = try SignedCheckpoint.parse(signed.text)
        #expect(parsed == signed)
        let json = try PublicDataJSON.encode(signed)
        #expect(try PublicDataJSON.decode(SignedCheckpoint.self, from: json) == signed)
        // A changed body no longer verifies.
        let forged = SignedCheckpoint(
            checkpoint: try Checkpoint(origin: checkpoint.origin, size: 4, rootHash: root),
            signatures: signed.signatures
        )
        #expect(!forged.isSigned(byAnyOf: [Fixtures.signer]))
    }

    @Test func hmacMatchesRFC4231() {
        // RFC 4231 test case 2.
        let signer = TestCheckpointSigner(name: "k", key: Array("Jefe".utf8))
        let mac = signer.mac(Array("what do ya want for nothing?".utf8))
        #expect(LedgerHash(bytes: mac).hex == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test(arguments: [
        "origin\n12\n",  // no root
        "origin\n012\nAAAA\n",  // leading zero
        "origin\n-1\nAAAA\n",
        "origin\n1\nnot base64\n",
        "origin\n1\nAAAA",  // no final newline
        "\n1\nAAAA\n",  // empty origin
    ])
    func rejectsMalformedBodies(_ body: String) {
        #expect(throws: AuditError.self) { try Checkpoint.parse(body: body) }
    }

    @Test func rejectsMalformedSignatures() async throws {
        let checkpoint = try Checkpoint(origin: "o", size: 1, rootHash: root)
        let good = try await checkpoint.signed(by: [Fixtures.signer]).text
        let cases = [
            checkpoint.body,  // no signatures
            checkpoint.body + "\n",  // blank line, no signature
            good.replacingOccurrences(of: "\u{2014}", with: "-"),
            good.replacingOccurrences(of: "test-ledger-key ", with: "test ledger-key "),
            String(good.dropLast()),
            checkpoint.body + "\n\u{2014} k AAAA\n",  // no signature after the key id
        ]
        for text in cases {
            #expect(throws: AuditError.self) { try SignedCheckpoint.parse(text) }
        }
        await #expect(throws: AuditError.self) { try await checkpoint.signed(by: []) }
        #expect(throws: AuditError.self) { try Checkpoint(origin: "two\nlines", size: 1, rootHash: root) }
        #expect(throws: AuditError.self) { try NoteSignature(name: "a+b", keyID: [1, 2, 3, 4], signature: [1]) }
        #expect(throws: AuditError.self) { try NoteSignature(name: "ab", keyID: [1, 2, 3], signature: [1]) }
    }
}
