import Foundation

/// The output of a ``LedgerHasher``: a fixed-size byte string (32 bytes for SHA-256 and SM3).
///
/// In JSON a digest is its canonical standard base64 text (padding, no whitespace, zero trailing bits) (as in C2SP checkpoints); ``hex`` gives the lowercase
/// hexadecimal form used by the published test vectors.
public struct LedgerHash: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The digest's bytes.
    public let bytes: [UInt8]

    /// Wraps `bytes` as a digest.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses lowercase or uppercase hexadecimal text; `nil` when the text is not an even run of hex digits.
    public init?(hex: String) {
        let chars = Array(hex.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(chars.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        self.bytes = result
    }

    /// Parses standard base64 text; `nil` when the text is not valid base64.
    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64) else { return nil }
        self.bytes = Array(data)
    }

    /// The number of bytes.
    public var count: Int { bytes.count }

    /// Lowercase hexadecimal text.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Standard base64 text with padding.
    public var base64: String { Data(bytes).base64EncodedString() }

    /// The hexadecimal text.
    public var description: String { hex }

    /// Decodes a digest from a base64 JSON string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let bytes = Base64.decodeCanonical(text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "Expected canonical base64, got \"\(text.prefix(80))\"."
            )
        }
        self.init(bytes: bytes)
    }

    /// Encodes the digest as a base64 JSON string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(base64)
    }
}
