import Foundation

/// The canonical bytes of a `RecordedEvent`: the exact bytes the audit ledger hashes as one leaf.
///
/// The encoding is binary, platform-independent and stable across releases; a new layout would get a new
/// version byte and the old one would still be read. All integers are big-endian; a *string* is a 4-byte
/// unsigned length followed by that many UTF-8 bytes; an *optional* is one marker byte, `0x00` for absent or
/// `0x01` followed by the value.
///
/// | # | Field | Encoding |
/// |---|-------|----------|
/// | 1 | format version | 1 byte, `0x01` |
/// | 2 | global position | 8-byte signed integer |
/// | 3 | event id | string |
/// | 4 | stream id | string |
/// | 5 | stream version | 8-byte signed integer |
/// | 6 | type | string |
/// | 7 | occurred at | 8-byte signed integer: milliseconds since 1970-01-01T00:00:00Z (`Date.millisecondsSince1970`) |
/// | 8 | actor | optional: party id string, role raw value string (e.g. `implementing_agency`), person string |
/// | 9 | correlation id | optional string |
/// | 10 | causation id | optional string |
/// | 11 | policy version | optional string |
/// | 12 | payload | 4-byte unsigned length, then the payload bytes exactly as stored |
///
/// Nothing follows the payload. The payload is hashed as the store returns it (no JSON re-encoding), so a
/// store must return the bytes it was given; every shipped store does.
///
/// ```swift
/// let bytes = try CanonicalEventEncoding.encode(event)
/// let back = try CanonicalEventEncoding.decode(bytes)   // == event
/// ```
public enum CanonicalEventEncoding {
    /// The format version written by ``encode(_:)``.
    public static let version: UInt8 = 1

    /// The canonical bytes of `event`.
    /// - Parameter event: The recorded event.
    /// - Returns: The bytes, laid out as documented on ``CanonicalEventEncoding``.
    /// - Throws: ``AuditError`` `malformedEntry` when a field is longer than 4 GiB − 1 bytes.
    public static func encode(_ event: RecordedEvent) throws(AuditError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(96 + event.payload.count + event.type.utf8.count + event.streamID.rawValue.utf8.count)
        try encode(event, appendingTo: &out)
        return out
    }

    /// Appends the canonical bytes of `event` to `out` (for callers that reuse one buffer per event).
    /// - Throws: ``AuditError`` `malformedEntry` when a field is longer than 4 GiB − 1 bytes; `out` may then
    ///   hold a partial encoding.
    static func encode(_ event: RecordedEvent, appendingTo out: inout [UInt8]) throws(AuditError) {
        out.append(version)
        appendInteger(event.globalPosition, to: &out)
        try appendString(event.id.rawValue, to: &out)
        try appendString(event.streamID.rawValue, to: &out)
        appendInteger(event.streamVersion, to: &out)
        try appendString(event.type, to: &out)
        appendInteger(event.occurredAt.millisecondsSince1970, to: &out)
        if let actor = event.actor {
            out.append(1)
            try appendString(actor.party.rawValue, to: &out)
            try appendString(actor.role.rawValue, to: &out)
            try appendString(actor.person, to: &out)
        } else {
            out.append(0)
        }
        try appendOptional(event.metadata.correlationID, to: &out)
        try appendOptional(event.metadata.causationID, to: &out)
        try appendOptional(event.metadata.policyVersion, to: &out)
        try appendLength(event.payload.count, to: &out)
        out.append(contentsOf: event.payload)
    }

    private static func appendOptional(_ value: String?, to out: inout [UInt8]) throws(AuditError) {
        if let value {
            out.append(1)
            try appendString(value, to: &out)
        } else {
            out.append(0)
        }
    }

    /// Reads canonical bytes back into the event they encode.
    ///
    /// The reader is strict: an unknown version, a bad marker, invalid UTF-8, an unknown role, a truncated
    /// field, trailing bytes, or an occurred-at value an instant cannot hold exactly (beyond ±2^53 ms in
    /// practice) are all errors, so one event has exactly one canonical form and a decoded event re-encodes
    /// to the same bytes. No value passes through floating point except the instant, which is checked.
    /// - Parameter bytes: Canonical bytes produced by ``encode(_:)``.
    /// - Returns: The event.
    /// - Throws: ``AuditError`` `malformedEntry`, naming the offset of the problem.
    public static func decode(_ bytes: [UInt8]) throws(AuditError) -> RecordedEvent {
        var reader = Reader(bytes: bytes)
        let format = try reader.byte()
        guard format == version else { throw reader.error("unknown canonical format version \(format)") }
        let position = try reader.integer()
        let id = try reader.string()
        let stream = try reader.string()
        let streamVersion = try reader.integer()
        let type = try reader.string()
        let occurred = try reader.integer()
        // `Date` holds a Double: beyond ±2^53 ms not every value survives, and a decoded event must re-encode
        // to exactly the bytes that were hashed.
        guard Date(millisecondsSince1970: occurred).millisecondsSince1970 == occurred else {
            throw reader.error("occurred-at \(occurred) ms is not exactly representable as an instant")
        }
        var actor: Principal?
        if try reader.marker() {
            let party = try reader.string()
            let roleText = try reader.string()
            guard let role = Role(rawValue: roleText) else { throw reader.error("unknown role \"\(roleText)\"") }
            actor = Principal(party: PartyID(party), role: role, person: try reader.string())
        }
        var optionals: [String?] = []
        for _ in 0..<3 {
            optionals.append(try reader.marker() ? try reader.string() : nil)
        }
        let payload = try reader.block()
        guard reader.offset == bytes.count else { throw reader.error("trailing bytes after the payload") }
        return RecordedEvent(
            id: EventID(id),
            streamID: StreamID(stream),
            streamVersion: streamVersion,
            globalPosition: position,
            type: type,
            occurredAt: Date(millisecondsSince1970: occurred),
            actor: actor,
            payload: Data(payload),
            metadata: EventMetadata(correlationID: optionals[0], causationID: optionals[1], policyVersion: optionals[2])
        )
    }

    private static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        let bits = UInt64(bitPattern: value)
        for shift in stride(from: 56, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift)))
        }
    }

    private static func appendLength(_ count: Int, to out: inout [UInt8]) throws(AuditError) {
        guard count <= Int(UInt32.max) else {
            throw AuditError(code: .malformedEntry, message: "a field of \(count) bytes exceeds the 4 GiB limit")
        }
        let value = UInt32(count)
        for shift in stride(from: 24, through: 0, by: -8) {
            out.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
        }
    }

    private static func appendString(_ text: String, to out: inout [UInt8]) throws(AuditError) {
        let utf8 = text.utf8
        try appendLength(utf8.count, to: &out)
        out.append(contentsOf: utf8)
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset = 0

        func error(_ message: String) -> AuditError {
            AuditError(code: .malformedEntry, message: "canonical event bytes at offset \(offset): \(message)")
        }

        mutating func byte() throws(AuditError) -> UInt8 {
            guard offset < bytes.count else { throw error("unexpected end") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func marker() throws(AuditError) -> Bool {
            let value = try byte()
            guard value <= 1 else { throw error("presence marker \(value) is neither 0 nor 1") }
            return value == 1
        }

        mutating func integer() throws(AuditError) -> Int64 {
            guard bytes.count - offset >= 8 else { throw error("unexpected end") }
            var value: UInt64 = 0
            for index in offset..<(offset + 8) { value = value << 8 | UInt64(bytes[index]) }
            offset += 8
            return Int64(bitPattern: value)
        }

        mutating func block() throws(AuditError) -> ArraySlice<UInt8> {
            guard bytes.count - offset >= 4 else { throw error("unexpected end") }
            var length = 0
            for index in offset..<(offset + 4) { length = length << 8 | Int(bytes[index]) }
            offset += 4
            guard bytes.count - offset >= length else { throw error("a field of \(length) bytes runs past the end") }
            defer { offset += length }
            return bytes[offset..<(offset + length)]
        }

        mutating func string() throws(AuditError) -> String {
            let start = offset
            let raw = try block()
            let text = String(decoding: raw, as: UTF8.self)
            guard text.utf8.elementsEqual(raw) else {
                offset = start
                throw error("a string is not valid UTF-8")
            }
            return text
        }
    }
}
