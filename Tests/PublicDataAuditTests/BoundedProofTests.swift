import Foundation
import PublicDataAudit
import PublicDataTesting
import Testing

/// Issue 19 item 6: every proof reader bounds its input before parsing (`AuditLimits`).
struct BoundedProofTests {
    @Test func tlogProofTextIsBoundedLikeTheJSONBundle() async throws {
        let store = try await Fixtures.store(events: 12)
        let ledger = try await Fixtures.ledger(store)
        try await ledger.catchUp()
        _ = try await ledger.signCheckpoint(with: [Fixtures.signer])
        let bundle = try await ledger.proofBundle(forLeafAt: 5)
        let text = bundle.tlogProofText
        #expect(try ProofBundle.parse(tlogProof: text, entry: bundle.entry, hasher: "sha-256") == bundle)

        func code(_ body: () throws(AuditError) -> ProofBundle) -> AuditError.Code? {
            do {
                _ = try body()
                return nil
            } catch {
                return error.code
            }
        }
        // The text and the entry together against the bundle limit, before parsing.
        var small = AuditLimits.default
        small.maximumBundleBytes = text.utf8.count + bundle.entry.count - 1
        #expect(
            code { () throws(AuditError) in
                try ProofBundle.parse(tlogProof: text, entry: bundle.entry, hasher: "sha-256", limits: small)
            } == .limitExceeded
        )
        // The proof length before any hash is decoded: 4 hashes in a tree of 12, a limit of 3.
        #expect(bundle.inclusionProof.count == 4)
        var short = AuditLimits.default
        short.maximumProofHashes = 3
        #expect(
            code { () throws(AuditError) in
                try ProofBundle.parse(tlogProof: text, entry: bundle.entry, hasher: "sha-256", limits: short)
            } == .limitExceeded
        )
        // 129 lines of garbage are refused by count, not parsed.
        let flood =
            "c2sp.org/tlog-proof@v1\nindex 0\n" + String(repeating: "!\n", count: 129) + "\n"
            + bundle.checkpoint.text
        #expect(
            code { () throws(AuditError) in
                try ProofBundle.parse(tlogProof: flood, entry: bundle.entry, hasher: "sha-256")
            } == .limitExceeded
        )
        // The checkpoint within its own limit.
        var tight = AuditLimits.default
        tight.maximumCheckpointBytes = 10
        #expect(
            code { () throws(AuditError) in
                try ProofBundle.parse(tlogProof: text, entry: bundle.entry, hasher: "sha-256", limits: tight)
            } == .limitExceeded
        )
    }

    @Test func aBundleOverTheLimitIsRefusedBeforeParsing() throws {
        var limits = AuditLimits.default
        limits.maximumBundleBytes = 1024
        // Not JSON at all: a parse would say malformedDocument; the size check comes first.
        let oversized = Data(repeating: UInt8(ascii: "x"), count: 1025)
        #expect(throws: AuditError.self) { try ProofBundle.decode(oversized, limits: limits) }
        do {
            _ = try ProofBundle.decode(oversized, limits: limits)
        } catch {
            #expect(error.code == .limitExceeded)
        }
        do {
            _ = try ProofBundle.decode(Data(oversized.prefix(1024)), limits: limits)
        } catch {
            #expect(error.code == .malformedDocument)
        }
    }

    /// The bundle's entry decoder (no re-encoding) accepts exactly the texts the round-trip decoder accepts.
    @Test func canonicalBase64AsDataAgreesWithTheRoundTrip() {
        var texts = [
            "", "QQ==", "QR==", "QUI=", "QUJ=", "QUJD", "QUJD\n", " QUJD", "QUJ", "Q===", "====", "QQ=A", "QU=D",
            "QUJDRA==", "QUJDRQ==", "-_-_", "+/+/", "AAAA", "//8=", "//9=",
        ]
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n")
        for length in 0..<40 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let valid = Data(bytes).base64EncodedString()
            texts.append(valid)
            for _ in 0..<20 where !valid.isEmpty {
                var mutated = Array(valid)
                let at = Int.random(in: 0..<mutated.count, using: &generator)
                mutated[at] = alphabet.randomElement(using: &generator) ?? "A"
                texts.append(String(mutated))
            }
        }
        for text in texts {
            #expect(Base64.decodeCanonicalData(text).map { [UInt8]($0) } == Base64.decodeCanonical(text), "\(text)")
        }
    }
}
