import Foundation
import PublicDataModel
import PublicDataPricing

/// A minimal forward-only JSON reader for the few payload fields the projections need.
///
/// It reads the library's own payloads (objects of strings, numbers, arrays and objects); anything it does not
/// understand makes it give up (`nil`), and the caller falls back to `JSONDecoder`. It never guesses.
struct JSONCursor {
    let bytes: UnsafeRawBufferPointer
    var index: Int

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        self.index = 0
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func skipSpace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func expect(_ byte: UInt8) -> Bool {
        skipSpace()
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// The raw bytes of a string without escapes, or `nil` (escapes present or not a string).
    mutating func string() -> String? {
        skipSpace()
        guard current == Self.quote else { return nil }
        let start = index + 1
        var end = start
        while end < bytes.count, bytes[end] != Self.quote {
            if bytes[end] == Self.backslash { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        index = end + 1
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    mutating func integer() -> Int64? {
        skipSpace()
        var value: Int64 = 0
        var negative = false
        if current == UInt8(ascii: "-") {
            negative = true
            index += 1
        }
        let start = index
        while let byte = current, byte >= 0x30, byte <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(Int64(byte - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
            index += 1
        }
        guard index > start else { return nil }
        if let byte = current, byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
            return nil
        }
        return negative ? -value : value
    }

    /// Skips one value of any kind; `false` when the JSON is malformed.
    mutating func skipValue() -> Bool {
        skipSpace()
        guard let first = current else { return false }
        if first == Self.quote {
            index += 1
            while index < bytes.count {
                let byte = bytes[index]
                index += 1
                if byte == Self.backslash {
                    index += 1
                } else if byte == Self.quote {
                    return true
                }
            }
            return false
        }
        if first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            var depth = 0
            while index < bytes.count {
                let byte = bytes[index]
                if byte == Self.quote {
                    guard skipValue() else { return false }
                    continue
                }
                index += 1
                if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    depth += 1
                } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                    depth -= 1
                    if depth == 0 { return true }
                }
            }
            return false
        }
        while let byte = current, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"), byte != UInt8(ascii: "]") {
            index += 1
        }
        return true
    }

    /// Calls `body` for each member of an object; `body` consumes the value (returning `true`) or leaves it to
    /// be skipped (returning `false`). Returns `false` when the JSON is malformed or `body` failed.
    mutating func members(_ body: (String, inout JSONCursor) -> Bool?) -> Bool {
        guard expect(UInt8(ascii: "{")) else { return false }
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            guard let key = string(), expect(UInt8(ascii: ":")) else { return false }
            switch body(key, &self) {
            case nil: return false
            case false?: guard skipValue() else { return false }
            case true?: break
            }
            skipSpace()
            guard let next = current else { return false }
            index += 1
            if next == UInt8(ascii: "}") { return true }
            guard next == UInt8(ascii: ",") else { return false }
        }
    }

    /// Calls `body` for each element of an array; `false` when malformed or `body` failed.
    mutating func elements(_ body: (inout JSONCursor) -> Bool) -> Bool {
        guard expect(UInt8(ascii: "[")) else { return false }
        skipSpace()
        if current == UInt8(ascii: "]") {
            index += 1
            return true
        }
        while true {
            guard body(&self) else { return false }
            skipSpace()
            guard let next = current else { return false }
            index += 1
            if next == UInt8(ascii: "]") { return true }
            guard next == UInt8(ascii: ",") else { return false }
        }
    }
}

extension ProjectionFields {
    /// Reads the fields with ``JSONCursor``, or returns `nil` so that the caller decodes with `JSONDecoder`.
    static func fast(_ data: Data) -> ProjectionFields? {
        data.withUnsafeBytes { raw -> ProjectionFields? in
            var fields = ProjectionFields()
            var cursor = JSONCursor(raw)
            let ok = cursor.members { key, cursor in
                switch key {
                case "operatorID":
                    guard let text = cursor.string() else { return nil }
                    fields.operatorID = PartyID(text)
                case "agreementID":
                    guard let text = cursor.string() else { return nil }
                    fields.agreementID = AgreementID(text)
                case "catalogEntryIDs":
                    var ids: [CatalogEntryID] = []
                    let ok = cursor.elements { cursor in
                        guard let text = cursor.string() else { return false }
                        ids.append(CatalogEntryID(text))
                        return true
                    }
                    guard ok else { return nil }
                    fields.catalogEntryIDs = ids
                case "product":
                    var name: String?
                    let ok = cursor.members { key, cursor in
                        guard key == "name" else { return false }
                        name = cursor.string()
                        return name == nil ? nil : true
                    }
                    guard ok, let name else { return nil }
                    fields.product = Named(name: name)
                case "objection":
                    var provider: String?
                    let ok = cursor.members { key, cursor in
                        guard key == "provider" else { return false }
                        provider = cursor.string()
                        return provider == nil ? nil : true
                    }
                    guard ok, let provider else { return nil }
                    fields.objection = Addressed(provider: PartyID(provider))
                case "pricePlan":
                    cursor.skipSpace()
                    let start = cursor.index
                    guard cursor.skipValue(),
                        let plan = try? PublicDataJSON.decode(
                            PricePlan.self,
                            from: Data(UnsafeRawBufferPointer(rebasing: raw[start..<cursor.index]))
                        )
                    else { return nil }
                    fields.pricePlan = plan
                case "deadlines":
                    var deadlines: [ScheduledDeadline] = []
                    let ok = cursor.elements { cursor in
                        guard let deadline = Self.deadline(&cursor) else { return false }
                        deadlines.append(deadline)
                        return true
                    }
                    guard ok else { return nil }
                    fields.deadlines = deadlines
                default:
                    return false
                }
                return true
            }
            return ok ? fields : nil
        }
    }

    private static func deadline(_ cursor: inout JSONCursor) -> ScheduledDeadline? {
        var key: String?
        var stream: String?
        var dueAt: Date?
        var dueDay: CivilDate?
        var version: Int64?
        let ok = cursor.members { name, cursor in
            switch name {
            case "key": key = cursor.string()
            case "stream": stream = cursor.string()
            case "dueAt": dueAt = cursor.string().flatMap(PublicDataJSON.parseInstant)
            case "dueDay": dueDay = cursor.string().flatMap { CivilDate($0) }
            case "openedAtVersion": version = cursor.integer()
            default: return false
            }
            return true
        }
        guard ok, let key, let stream, let dueAt, let dueDay, let version else { return nil }
        return ScheduledDeadline(
            key: key,
            stream: StreamID(stream),
            dueAt: dueAt,
            dueDay: dueDay,
            openedAtVersion: version
        )
    }
}
