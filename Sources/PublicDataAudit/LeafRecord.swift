import Foundation

/// The persisted tree state: the leaf hashes and global positions of a run of consecutive leaves, recorded by a
/// ``Ledger`` as an `audit.ledger.leaves` event in its stream (``LedgerConfiguration/streamID``).
///
/// In JSON (`PublicDataJSON`): `{"first":<leaf index>,"leaves":"<base64>","positions":"<base64>"}` where
/// `leaves` is the concatenation of the leaf hashes (``LedgerHasher/digestSize`` bytes each) and `positions`
/// the concatenation of the leaves' global positions as 8-byte big-endian signed integers. Both are canonical
/// standard base64 with padding. A record holds at most ``maximumCount`` leaves; the records of one ledger
/// cover leaf indices `0, 1, 2, …` without gap or overlap, in stream order.
///
/// Reopened ledgers and offline verifiers compare every event's recomputed leaf hash with these records, so a
/// change made while no ledger was running is named by its global position. The records are themselves events
/// of the global log and therefore leaves of the tree: a signed checkpoint covers them too.
public struct LeafRecord: Sendable, Hashable {
    /// The most leaves one record holds.
    public static let maximumCount = 4096

    /// The leaf index of the first leaf.
    public var first: Int
    /// The global position of each leaf, in order.
    public var positions: [Int64]
    /// The leaf hashes, concatenated (`positions.count × digestSize` bytes).
    public var hashes: [UInt8]

    /// Creates a record.
    public init(first: Int, positions: [Int64], hashes: [UInt8]) {
        self.first = first
        self.positions = positions
        self.hashes = hashes
    }

    /// The number of leaves.
    public var count: Int { positions.count }

    /// The hash of the `offset`-th leaf of the record (`digestSize` bytes).
    public func hash(at offset: Int, digestSize: Int) -> ArraySlice<UInt8> {
        hashes[(offset * digestSize)..<((offset + 1) * digestSize)]
    }

    /// The JSON payload.
    func payload() throws(AuditError) -> Data {
        var positionBytes: [UInt8] = []
        positionBytes.reserveCapacity(positions.count * 8)
        for position in positions {
            let bits = UInt64(bitPattern: position)
            for shift in stride(from: 56, through: 0, by: -8) {
                positionBytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
            }
        }
        let json =
            "{\"first\":\(first),\"leaves\":\"\(Data(hashes).base64EncodedString())\","
            + "\"positions\":\"\(Data(positionBytes).base64EncodedString())\"}"
        return Data(json.utf8)
    }

    /// Reads a record's payload.
    /// - Parameters:
    ///   - payload: The event's payload.
    ///   - digestSize: The ledger's digest size.
    /// - Throws: ``AuditError`` `malformedDocument` when the payload is not a well-formed record.
    static func decode(_ payload: Data, digestSize: Int) throws(AuditError) -> LeafRecord {
        struct Wire: Decodable {
            var first: Int
            var leaves: String
            var positions: String
        }
        func fail(_ message: String) -> AuditError {
            AuditError(code: .malformedDocument, message: "leaf record: \(message)")
        }
        let wire: Wire
        do {
            wire = try PublicDataJSON.decode(Wire.self, from: payload)
        } catch {
            throw fail("\(error.path): \(error.message)")
        }
        guard let leaves = Base64.decodeCanonical(wire.leaves),
            let positionBytes = Base64.decodeCanonical(wire.positions)
        else { throw fail("the hashes or positions are not canonical base64") }
        guard wire.first >= 0, digestSize > 0, positionBytes.count % 8 == 0, !positionBytes.isEmpty,
            positionBytes.count / 8 <= maximumCount, leaves.count == positionBytes.count / 8 * digestSize
        else { throw fail("the hashes and positions do not describe 1…\(maximumCount) leaves") }
        var positions: [Int64] = []
        positions.reserveCapacity(positionBytes.count / 8)
        var index = 0
        while index < positionBytes.count {
            var value: UInt64 = 0
            for byte in positionBytes[index..<(index + 8)] { value = value << 8 | UInt64(byte) }
            positions.append(Int64(bitPattern: value))
            index += 8
        }
        return LeafRecord(first: wire.first, positions: positions, hashes: leaves)
    }
}

/// Strict standard base64 (RFC 4648 §4, with padding): exactly one text per byte string.
public enum Base64 {
    /// Decodes `text` only when it is the canonical encoding of its bytes (padding present, no whitespace, no
    /// non-zero trailing bits); otherwise `nil`.
    /// - Parameter text: The base64 text.
    /// - Returns: The bytes, or `nil`.
    public static func decodeCanonical(_ text: String) -> [UInt8]? {
        guard text.utf8.count % 4 == 0, let data = Data(base64Encoded: text) else { return nil }
        let bytes = [UInt8](data)
        return Data(bytes).base64EncodedString() == text ? bytes : nil
    }

    /// ``decodeCanonical(_:)`` as `Data`, without re-encoding: for large texts (a proof bundle's entry), it holds
    /// only the text and the decoded bytes.
    ///
    /// Canonical means: a length that is a multiple of 4, only the standard alphabet, `=` only as the last one
    /// or two characters, and zero bits in the unused low bits of the last symbol before the padding; exactly the
    /// texts ``decodeCanonical(_:)`` accepts.
    /// - Parameter text: The base64 text.
    /// - Returns: The bytes, or `nil`.
    public static func decodeCanonicalData(_ text: String) -> Data? {
        var text = text
        let shape: (valid: Bool, padding: Int, lastSymbol: UInt8)? = text.withUTF8 { bytes in
            guard bytes.count % 4 == 0 else { return nil }
            var padding = 0
            while padding < 2, padding < bytes.count, bytes[bytes.count - 1 - padding] == UInt8(ascii: "=") {
                padding += 1
            }
            for byte in bytes[..<(bytes.count - padding)] {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                    continue
                default: return (false, 0, 0)
                }
            }
            let last = bytes.count > padding ? bytes[bytes.count - 1 - padding] : UInt8(ascii: "A")
            return (true, padding, last)
        }
        guard let shape, shape.valid else { return nil }
        if shape.padding > 0 {
            // The value of the last symbol; with one `=` its low 2 bits are unused, with two its low 4.
            let symbol: UInt8
            switch shape.lastSymbol {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): symbol = shape.lastSymbol - UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): symbol = shape.lastSymbol - UInt8(ascii: "a") + 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): symbol = shape.lastSymbol - UInt8(ascii: "0") + 52
            case UInt8(ascii: "+"): symbol = 62
            default: symbol = 63
            }
            let unused: UInt8 = shape.padding == 1 ? 0b11 : 0b1111
            guard symbol & unused == 0 else { return nil }
        }
        return Data(base64Encoded: text)
    }
}
