import Foundation
import PublicDataAudit
import Testing

/// A hasher that only implements the required single-buffer method, to exercise the protocol's default.
private struct PlainSHA256: LedgerHasher {
    var name: String { "plain-sha-256" }
    var digestSize: Int { 32 }
    func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) {
        SHA256Hasher().hash(message, into: output)
    }
}

struct HasherTests {
    struct Vector: Sendable, CustomStringConvertible {
        let hasher: String
        let input: [UInt8]
        let label: String
        let expected: String
        var description: String { "\(hasher) \(label)" }
    }

    static func hasher(named name: String) -> any LedgerHasher {
        name == "sm3" ? SM3Hasher() : SHA256Hasher()
    }

    static let vectors: [Vector] = [
        Vector(
            hasher: "sha-256",
            input: Array("abc".utf8),
            label: "abc",
            expected: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        ),
        Vector(
            hasher: "sha-256",
            input: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
            label: "448-bit",
            expected: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        Vector(
            hasher: "sha-256",
            input: [],
            label: "empty",
            expected: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        ),
        Vector(
            hasher: "sha-256",
            input: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000),
            label: "one million a",
            expected: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        ),
        Vector(
            hasher: "sm3",
            input: Array("abc".utf8),
            label: "abc",
            expected: "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        ),
        Vector(
            hasher: "sm3",
            input: Array(String(repeating: "abcd", count: 16).utf8),
            label: "abcd x 16",
            expected: "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
        ),
        Vector(
            hasher: "sm3",
            input: [],
            label: "empty",
            expected: "1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b"
        ),
    ]

    @Test(arguments: vectors)
    func officialVector(_ vector: Vector) {
        let hasher = Self.hasher(named: vector.hasher)
        #expect(hasher.name == vector.hasher)
        #expect(hasher.digestSize == 32)
        #expect(hasher.digest(vector.input).hex == vector.expected)
        #expect(hasher.digest(Data(vector.input)).hex == vector.expected)
    }

    @Test(arguments: ["sha-256", "sm3"])
    func prefixedHashEqualsHashOfConcatenation(_ name: String) {
        let hasher = Self.hasher(named: name)
        let plain = PlainSHA256()
        let bytes = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        for firstCount in [0, 1, 54, 55, 56, 63, 64, 65, 127, 128, 200] {
            for secondCount in [0, 1, 8, 63, 64, 100] {
                let first = Array(bytes[0..<firstCount])
                let second = Array(bytes[firstCount..<(firstCount + secondCount)])
                let expected = hasher.digest([0x01] + first + second)
                var out = [UInt8](repeating: 0, count: 32)
                first.withUnsafeBytes { f in
                    second.withUnsafeBytes { s in
                        out.withUnsafeMutableBytes { hasher.hash(prefix: 0x01, f, s, into: $0) }
                    }
                }
                #expect(out == expected.bytes, "\(name) split \(firstCount)+\(secondCount)")
                if name == "sha-256" {
                    var viaDefault = [UInt8](repeating: 0, count: 32)
                    first.withUnsafeBytes { f in
                        second.withUnsafeBytes { s in
                            viaDefault.withUnsafeMutableBytes { plain.hash(prefix: 0x01, f, s, into: $0) }
                        }
                    }
                    #expect(viaDefault == expected.bytes)
                }
            }
        }
    }

    @Test(arguments: ["sha-256", "sm3"])
    func lengthsAroundBlockBoundariesAreDistinct(_ name: String) {
        let hasher = Self.hasher(named: name)
        var seen: Set<LedgerHash> = []
        for length in 0...130 {
            seen.insert(hasher.digest([UInt8](repeating: 0x61, count: length)))
        }
        #expect(seen.count == 131)
    }

    @Test func digestTextForms() throws {
        let digest = SHA256Hasher().digest(utf8: "abc")
        #expect(LedgerHash(hex: digest.hex) == digest)
        #expect(LedgerHash(hex: digest.hex.uppercased()) == digest)
        #expect(LedgerHash(base64: digest.base64) == digest)
        #expect(LedgerHash(hex: "abc") == nil)
        #expect(LedgerHash(hex: "zz") == nil)
        #expect(LedgerHash(base64: "not base64!") == nil)
        let json = try JSONEncoder().encode([digest])
        #expect(try JSONDecoder().decode([LedgerHash].self, from: json) == [digest])
    }
}
