import Foundation

extension FastJSON {
    /// Encodes `value` exactly as ``PublicDataJSON/makeEncoder()`` does (sorted keys by UTF-8 bytes, slashes
    /// unescaped, instants in the library's form), or returns `nil` when it cannot vouch for the bytes (floating
    /// point numbers, data, URLs, decimals, instants outside years 1…9999, a value that encodes nothing at the
    /// top level, a key written twice, a container used after its value was finished, any error); the caller then
    /// encodes with `JSONEncoder`.
    ///
    /// It writes in one pass into one buffer: an object's members are written as they come and, when the object
    /// is finished, put in key order by moving their bytes (most payloads need no move at all).
    package static func encode<T: Encodable>(_ value: T) -> Data? {
        let writer = CanonicalJSONWriter()
        do {
            try writer.encodeTopLevel(value)
        } catch {
            return nil
        }
        return writer.poisoned ? nil : Data(writer.bytes)
    }
}

/// Thrown inside the writer when it steps outside what it vouches for; never escapes ``FastJSON/encode(_:)``.
private struct CanonicalWriterUnavailable: Error {}

/// The one-pass canonical JSON writer behind ``FastJSON/encode(_:)``.
///
/// One writer is the `Encoder` of every value of a document: containers are small structs that name their frame,
/// and the writer keeps the stack of open frames. A nested value's frames are finished when its `encode(to:)`
/// returns; a container from `nestedContainer` is finished when its parent is written to again, or when its
/// parent is finished. A write to a container that is no longer open, or to one of an enclosing value while a
/// nested value is being written, is something `JSONEncoder` would handle differently: the writer gives up.
final class CanonicalJSONWriter: Encoder {
    /// The document written so far.
    fileprivate(set) var bytes: [UInt8] = []
    /// Whether the writer gave up on this document.
    fileprivate(set) var poisoned = false

    /// An open object or array.
    fileprivate struct Frame {
        var id: Int
        var isObject: Bool
        /// The offset of the first byte after the opening bracket.
        var contentStart: Int
        /// The index of the frame's first member in `members`.
        var firstMember: Int
        /// How many members or elements were written.
        var count: Int
    }

    /// One member of an open object: where its `"key":value` starts and where its raw key bytes are.
    fileprivate struct Member {
        var start: Int
        var keyStart: Int
        var keyEnd: Int
        /// Whether the value is a container opened with `nestedContainer` (which `JSONEncoder` merges with an
        /// earlier value of the same key, where a plain value replaces it).
        var isContainer = false
    }

    /// A value being written: the frame it opened, if any, and whether it wrote a scalar.
    fileprivate struct Context {
        var frame: Int?
        var wroteScalar = false
        /// The depth of the frame stack when the value began.
        var base: Int
    }

    private var frames: [Frame] = []
    private var members: [Member] = []
    /// The raw (unescaped) UTF-8 bytes of the open objects' keys, for sorting.
    private var keyBytes: [UInt8] = []
    private var contexts: [Context] = []
    private var nextFrame = 0
    private var scratch: [UInt8] = []
    private var order: [Int] = []

    init() {
        bytes.reserveCapacity(512)
        frames.reserveCapacity(16)
        members.reserveCapacity(64)
        contexts.reserveCapacity(16)
    }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    fileprivate func poison() -> any Error {
        poisoned = true
        return CanonicalWriterUnavailable()
    }

    // MARK: Values

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        if try writeScalar(value) { return }
        contexts.append(Context(base: frames.count))
        try value.encode(to: self)
        let context = contexts.removeLast()
        guard context.frame != nil || context.wroteScalar else { throw poison() }
        try finish(downTo: context.base)
    }

    /// Writes a nested value at the current position.
    fileprivate func encodeNested<T: Encodable>(_ value: T) throws {
        if try writeScalar(value) { return }
        let base = frames.count
        contexts.append(Context(base: base))
        try value.encode(to: self)
        let context = contexts.removeLast()
        guard frames.count >= base else { throw poison() }
        try finish(downTo: base)
        if context.frame == nil && !context.wroteScalar {
            // A value that encodes nothing is written as an empty object, as `JSONEncoder` does.
            bytes.append(UInt8(ascii: "{"))
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Writes the values the writer formats itself; `false` for one that encodes itself.
    @inline(__always)
    private func writeScalar<T: Encodable>(_ value: T) throws -> Bool {
        if T.self == String.self {
            appendQuoted(unsafeBitCast(value, to: String.self))
            return true
        }
        if T.self == Date.self {
            let date = unsafeBitCast(value, to: Date.self)
            let ms = date.millisecondsSince1970
            guard date.timeIntervalSince1970.isFinite, ms >= PublicDataJSON.earliestInstantMilliseconds,
                ms <= PublicDataJSON.latestInstantMilliseconds
            else { throw poison() }
            bytes.append(UInt8(ascii: "\""))
            bytes.append(contentsOf: PublicDataJSON.formatInstant(date).utf8)
            bytes.append(UInt8(ascii: "\""))
            return true
        }
        if T.self == Double.self || T.self == Float.self || T.self == Data.self || T.self == URL.self
            || T.self == Decimal.self
        {
            throw poison()
        }
        return false
    }

    fileprivate func appendInteger<I: FixedWidthInteger>(_ value: I) {
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        let start = bytes.count
        while magnitude > 0 {
            let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10)
            bytes.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: remainder))
            magnitude = quotient
        }
        bytes[start...].reverse()
    }

    fileprivate func appendLiteral(_ value: Bool) {
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    fileprivate func appendNull() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    /// Appends `text` as a JSON string with the escapes `JSONEncoder` writes (slashes unescaped).
    fileprivate func appendQuoted(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var mark = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                let escape: UInt8
                switch byte {
                case UInt8(ascii: "\""): escape = UInt8(ascii: "\"")
                case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
                case 0x08: escape = UInt8(ascii: "b")
                case 0x0C: escape = UInt8(ascii: "f")
                case 0x0A: escape = UInt8(ascii: "n")
                case 0x0D: escape = UInt8(ascii: "r")
                case 0x09: escape = UInt8(ascii: "t")
                case 0x00...0x1F: escape = 0
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<index]))
                bytes.append(UInt8(ascii: "\\"))
                if escape == 0 {
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                    bytes.append(canonicalHexDigits[Int(byte >> 4)])
                    bytes.append(canonicalHexDigits[Int(byte & 0xF)])
                } else {
                    bytes.append(escape)
                }
                mark = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[mark..<utf8.count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: Frames

    /// Opens the current value's object (or returns the one it opened already, as `JSONEncoder` merges them).
    fileprivate func openObject() -> Int {
        guard var context = contexts.last else {
            poisoned = true
            return -1
        }
        if let frame = context.frame {
            if let index = frames.lastIndex(where: { $0.id == frame }), frames[index].isObject { return frame }
            poisoned = true
            return -1
        }
        guard !context.wroteScalar else {
            poisoned = true
            return -1
        }
        let id = push(isObject: true)
        context.frame = id
        contexts[contexts.count - 1] = context
        return id
    }

    /// Opens the current value's array.
    fileprivate func openArray() -> Int {
        guard var context = contexts.last else {
            poisoned = true
            return -1
        }
        if let frame = context.frame {
            if let index = frames.lastIndex(where: { $0.id == frame }), !frames[index].isObject { return frame }
            poisoned = true
            return -1
        }
        guard !context.wroteScalar else {
            poisoned = true
            return -1
        }
        let id = push(isObject: false)
        context.frame = id
        contexts[contexts.count - 1] = context
        return id
    }

    /// Marks the current value as a scalar written through a single value container.
    fileprivate func beginSingleValue() throws {
        guard var context = contexts.last, context.frame == nil, !context.wroteScalar else { throw poison() }
        context.wroteScalar = true
        contexts[contexts.count - 1] = context
    }

    /// A value written through a single value container that encodes itself into the same encoder (as wrappers
    /// do): it shares the container's value.
    fileprivate func encodeWrapped<T: Encodable>(_ value: T) throws {
        guard let context = contexts.last, context.frame == nil, !context.wroteScalar else { throw poison() }
        if try writeScalar(value) {
            contexts[contexts.count - 1].wroteScalar = true
            return
        }
        try value.encode(to: self)
    }

    private func push(isObject: Bool) -> Int {
        bytes.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        let id = nextFrame
        nextFrame += 1
        frames.append(
            Frame(id: id, isObject: isObject, contentStart: bytes.count, firstMember: members.count, count: 0)
        )
        return id
    }

    /// Makes `frame` the innermost open frame (finishing the frames opened inside it) and returns its index.
    private func enter(_ frame: Int) throws -> Int {
        guard frame >= 0 else { throw poison() }
        guard let index = frames.lastIndex(where: { $0.id == frame }),
            index >= (contexts.last?.base ?? 0)
        else { throw poison() }
        if index < frames.count - 1 { try finish(downTo: index + 1) }
        return index
    }

    /// Finishes open frames until `depth` remain.
    private func finish(downTo depth: Int) throws {
        while frames.count > depth {
            let frame = frames.removeLast()
            if frame.isObject {
                try finishObject(frame)
                bytes.append(UInt8(ascii: "}"))
            } else {
                bytes.append(UInt8(ascii: "]"))
            }
        }
    }

    /// Puts an object's members in key order (by their keys' UTF-8 bytes) and drops its bookkeeping.
    private func finishObject(_ frame: Frame) throws {
        let first = frame.firstMember
        let count = members.count - first
        defer {
            if count > 0 {
                keyBytes.removeSubrange(members[first].keyStart...)
                members.removeSubrange(first...)
            }
        }
        guard count > 1 else { return }
        var sorted = true
        for index in (first + 1)..<members.count where !keyPrecedes(members[index - 1], members[index]) {
            sorted = false
            break
        }
        if sorted { return }
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: first..<members.count)
        // Equal keys stay in the order written, so that the last of them is the one kept.
        order.sort { keyPrecedes(members[$0], members[$1]) || (!keyPrecedes(members[$1], members[$0]) && $0 < $1) }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: bytes[frame.contentStart...])
        let end = bytes.count
        bytes.removeSubrange(frame.contentStart...)
        var written = 0
        for (position, index) in order.enumerated() {
            if position + 1 < order.count, !keyPrecedes(members[index], members[order[position + 1]]) {
                // A key written again replaces its value, as `JSONEncoder` does; a nested container would be
                // merged with it instead, which is left to `JSONEncoder`.
                if members[index].isContainer || members[order[position + 1]].isContainer { throw poison() }
                continue
            }
            if written > 0 { bytes.append(UInt8(ascii: ",")) }
            written += 1
            let start = members[index].start - frame.contentStart
            let stop = (index + 1 < members.count ? members[index + 1].start - 1 : end) - frame.contentStart
            bytes.append(contentsOf: scratch[start..<stop])
        }
    }

    private func keyPrecedes(_ left: Member, _ right: Member) -> Bool {
        keyBytes[left.keyStart..<left.keyEnd].lexicographicallyPrecedes(keyBytes[right.keyStart..<right.keyEnd])
    }

    /// Begins a member of object `frame`: writes the separator and the key; the value follows.
    fileprivate func beginMember(_ frame: Int, key: String) throws {
        let index = try enter(frame)
        guard frames[index].isObject else { throw poison() }
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
        let keyStart = keyBytes.count
        keyBytes.append(contentsOf: key.utf8)
        members.append(Member(start: bytes.count, keyStart: keyStart, keyEnd: keyBytes.count))
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Begins an element of array `frame`: writes the separator; the value follows.
    fileprivate func beginElement(_ frame: Int) throws {
        let index = try enter(frame)
        guard !frames[index].isObject else { throw poison() }
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
    }

    /// How many elements array `frame` has.
    fileprivate func count(of frame: Int) -> Int {
        frames.last { $0.id == frame }?.count ?? 0
    }

    /// Opens an object as the value of the member or element just begun (a nested container).
    fileprivate func openNested(isObject: Bool) -> Int {
        if let last = frames.last, last.isObject, members.count > last.firstMember {
            members[members.count - 1].isContainer = true
        }
        return push(isObject: isObject)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(CanonicalKeyedContainer<Key>(writer: self, frame: openObject()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        CanonicalUnkeyedContainer(writer: self, frame: openArray())
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleValueContainer(writer: self)
    }
}

private let canonicalHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

private struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: CanonicalJSONWriter
    let frame: Int

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        try writer.beginMember(frame, key: key.stringValue)
        writer.appendNull()
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try writer.beginMember(frame, key: key.stringValue)
        writer.appendLiteral(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try writer.beginMember(frame, key: key.stringValue)
        writer.appendQuoted(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws { throw writer.poison() }
    mutating func encode(_ value: Float, forKey key: Key) throws { throw writer.poison() }
    mutating func encode(_ value: Int, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try integer(value, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try writer.beginMember(frame, key: key.stringValue)
        try writer.encodeNested(value)
    }

    private func integer<I: FixedWidthInteger>(_ value: I, _ key: Key) throws {
        try writer.beginMember(frame, key: key.stringValue)
        writer.appendInteger(value)
    }

    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }
    mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) }
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        var nested = -1
        do {
            try writer.beginMember(frame, key: key.stringValue)
            nested = writer.openNested(isObject: true)
        } catch {}
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(writer: writer, frame: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        var nested = -1
        do {
            try writer.beginMember(frame, key: key.stringValue)
            nested = writer.openNested(isObject: false)
        } catch {}
        return CanonicalUnkeyedContainer(writer: writer, frame: nested)
    }

    mutating func superEncoder() -> any Encoder {
        _ = writer.poison()
        return writer
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        _ = writer.poison()
        return writer
    }
}

private struct CanonicalUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: CanonicalJSONWriter
    let frame: Int

    var codingPath: [any CodingKey] { [] }
    var count: Int { writer.count(of: frame) }

    mutating func encodeNil() throws {
        try writer.beginElement(frame)
        writer.appendNull()
    }
    mutating func encode(_ value: Bool) throws {
        try writer.beginElement(frame)
        writer.appendLiteral(value)
    }
    mutating func encode(_ value: String) throws {
        try writer.beginElement(frame)
        writer.appendQuoted(value)
    }
    mutating func encode(_ value: Double) throws { throw writer.poison() }
    mutating func encode(_ value: Float) throws { throw writer.poison() }
    mutating func encode(_ value: Int) throws { try integer(value) }
    mutating func encode(_ value: Int8) throws { try integer(value) }
    mutating func encode(_ value: Int16) throws { try integer(value) }
    mutating func encode(_ value: Int32) throws { try integer(value) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try integer(value) }
    mutating func encode(_ value: UInt8) throws { try integer(value) }
    mutating func encode(_ value: UInt16) throws { try integer(value) }
    mutating func encode(_ value: UInt32) throws { try integer(value) }
    mutating func encode(_ value: UInt64) throws { try integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        try writer.beginElement(frame)
        try writer.encodeNested(value)
    }

    private func integer<I: FixedWidthInteger>(_ value: I) throws {
        try writer.beginElement(frame)
        writer.appendInteger(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        var nested = -1
        do {
            try writer.beginElement(frame)
            nested = writer.openNested(isObject: true)
        } catch {}
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(writer: writer, frame: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        var nested = -1
        do {
            try writer.beginElement(frame)
            nested = writer.openNested(isObject: false)
        } catch {}
        return CanonicalUnkeyedContainer(writer: writer, frame: nested)
    }

    mutating func superEncoder() -> any Encoder {
        _ = writer.poison()
        return writer
    }
}

private struct CanonicalSingleValueContainer: SingleValueEncodingContainer {
    let writer: CanonicalJSONWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws {
        try writer.beginSingleValue()
        writer.appendNull()
    }
    mutating func encode(_ value: Bool) throws {
        try writer.beginSingleValue()
        writer.appendLiteral(value)
    }
    mutating func encode(_ value: String) throws {
        try writer.beginSingleValue()
        writer.appendQuoted(value)
    }
    mutating func encode(_ value: Double) throws { throw writer.poison() }
    mutating func encode(_ value: Float) throws { throw writer.poison() }
    mutating func encode(_ value: Int) throws { try integer(value) }
    mutating func encode(_ value: Int8) throws { try integer(value) }
    mutating func encode(_ value: Int16) throws { try integer(value) }
    mutating func encode(_ value: Int32) throws { try integer(value) }
    mutating func encode(_ value: Int64) throws { try integer(value) }
    mutating func encode(_ value: UInt) throws { try integer(value) }
    mutating func encode(_ value: UInt8) throws { try integer(value) }
    mutating func encode(_ value: UInt16) throws { try integer(value) }
    mutating func encode(_ value: UInt32) throws { try integer(value) }
    mutating func encode(_ value: UInt64) throws { try integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.encodeWrapped(value) }

    private func integer<I: FixedWidthInteger>(_ value: I) throws {
        try writer.beginSingleValue()
        writer.appendInteger(value)
    }
}
