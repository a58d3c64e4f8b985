import Foundation
import Synchronization

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
    /// The writer's state, behind a pointer: the writer appends bytes for every value, and a pointer's memory is
    /// not subject to the dynamic exclusivity checks a class's stored arrays would pay on each append.
    let state: UnsafeMutablePointer<CanonicalWriterState>

    init() {
        state = CanonicalWriterPool.take()
    }

    deinit {
        CanonicalWriterPool.give(back: state)
    }

    /// The document written so far.
    var bytes: [UInt8] { state.pointee.bytes }
    /// Whether the writer gave up on this document.
    var poisoned: Bool { state.pointee.poisoned }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    fileprivate func poison() -> any Error { state.pointee.poison() }

    // MARK: Values

    func encodeTopLevel<T: Encodable>(_ value: T) throws {
        if try state.pointee.writeScalar(value) { return }
        let base = state.pointee.beginValue()
        try value.encode(to: self)
        let context = state.pointee.endValue()
        guard context.frame != nil || context.wroteScalar else { throw poison() }
        try state.pointee.finish(downTo: base)
    }

    /// Writes a nested value at the current position.
    fileprivate func encodeNested<T: Encodable>(_ value: T) throws {
        if try state.pointee.writeScalar(value) { return }
        let base = state.pointee.beginValue()
        try value.encode(to: self)
        let context = state.pointee.endValue()
        try state.pointee.finishValue(context, base: base)
    }

    /// A value written through a single value container that encodes itself into the same encoder (as wrappers
    /// do): it shares the container's value.
    fileprivate func encodeWrapped<T: Encodable>(_ value: T) throws {
        try state.pointee.requireFreshValue()
        if try state.pointee.writeScalar(value) {
            state.pointee.contexts[state.pointee.contexts.count - 1].wroteScalar = true
            return
        }
        try value.encode(to: self)
    }

    // MARK: Encoder

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(CanonicalKeyedContainer<Key>(writer: self, frame: state.pointee.openObject()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        CanonicalUnkeyedContainer(writer: self, frame: state.pointee.openArray())
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        CanonicalSingleValueContainer(writer: self)
    }
}

/// Spare writer states, so that a document reuses the buffers an earlier one grew instead of allocating its own
/// (a payload is written on every command).
///
/// At most ``capacity`` states are kept, and none whose document outgrew ``largestKeptDocument`` bytes.
enum CanonicalWriterPool {
    /// How many spare states are kept.
    static let capacity = 8
    /// The largest document whose buffers are kept for reuse.
    static let largestKeptDocument = 64 * 1024

    /// A state's address; only the writer that took it touches the state until it gives it back.
    private struct Spare: @unchecked Sendable {
        let state: UnsafeMutablePointer<CanonicalWriterState>
    }

    private static let spares = Mutex<[Spare]>([])

    /// A state for a new document: a spare one, emptied, or a new one.
    static func take() -> UnsafeMutablePointer<CanonicalWriterState> {
        if let spare = spares.withLock({ $0.popLast() }) { return spare.state }
        let state = UnsafeMutablePointer<CanonicalWriterState>.allocate(capacity: 1)
        state.initialize(to: CanonicalWriterState())
        return state
    }

    /// Takes back a state whose document is finished: it is emptied (its buffers keep their capacity) and kept,
    /// or released when the pool is full or the document was large.
    static func give(back state: UnsafeMutablePointer<CanonicalWriterState>) {
        if keeps(state.pointee) {
            let emptied = CanonicalWriterState(reusing: &state.pointee)
            state.pointee = emptied
            let kept = spares.withLock { spares -> Bool in
                guard spares.count < capacity else { return false }
                spares.append(Spare(state: state))
                return true
            }
            if kept { return }
        }
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Whether a finished document's buffers are small enough to keep.
    static func keeps(_ state: CanonicalWriterState) -> Bool { state.bytes.capacity <= largestKeptDocument }

    /// How many spare states the pool holds (for tests).
    static var spareCount: Int { spares.withLock { $0.count } }
}

/// The state of one document being written by ``CanonicalJSONWriter``.
struct CanonicalWriterState {
    /// The document written so far.
    var bytes: [UInt8] = []
    /// Whether the writer gave up on this document.
    var poisoned = false

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
        /// The key's first eight bytes, big-endian and zero-padded: keys that differ there compare as integers.
        var prefix: UInt64
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
    fileprivate var contexts: [Context] = []
    private var nextFrame = 0
    private var scratch: [UInt8] = []
    private var order: [Int] = []

    init() {
        bytes.reserveCapacity(512)
        frames.reserveCapacity(16)
        members.reserveCapacity(64)
        contexts.reserveCapacity(16)
    }

    /// A fresh state that takes over the buffers of `old` (emptied, their capacity kept). Every other property
    /// starts as in a new state.
    init(reusing old: inout CanonicalWriterState) {
        swap(&bytes, &old.bytes)
        swap(&frames, &old.frames)
        swap(&members, &old.members)
        swap(&keyBytes, &old.keyBytes)
        swap(&contexts, &old.contexts)
        swap(&scratch, &old.scratch)
        swap(&order, &old.order)
        bytes.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        members.removeAll(keepingCapacity: true)
        keyBytes.removeAll(keepingCapacity: true)
        contexts.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
    }

    mutating func poison() -> any Error {
        poisoned = true
        return CanonicalWriterUnavailable()
    }

    // MARK: Values

    /// Begins a value; returns the depth of the frame stack it starts at.
    mutating func beginValue() -> Int {
        contexts.append(Context(base: frames.count))
        return frames.count
    }

    /// Ends the current value.
    fileprivate mutating func endValue() -> Context { contexts.removeLast() }

    /// Finishes a nested value's frames; a value that encodes nothing is written as an empty object, as
    /// `JSONEncoder` does.
    fileprivate mutating func finishValue(_ context: Context, base: Int) throws {
        guard frames.count >= base else { throw poison() }
        try finish(downTo: base)
        if context.frame == nil && !context.wroteScalar {
            bytes.append(UInt8(ascii: "{"))
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// The current value must not have been written yet.
    fileprivate mutating func requireFreshValue() throws {
        guard let context = contexts.last, context.frame == nil, !context.wroteScalar else { throw poison() }
    }

    /// Writes the values the writer formats itself; `false` for one that encodes itself.
    @inline(__always)
    mutating func writeScalar<T: Encodable>(_ value: T) throws -> Bool {
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

    fileprivate mutating func appendInteger<I: FixedWidthInteger>(_ value: I) {
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

    fileprivate mutating func appendLiteral(_ value: Bool) {
        if value {
            bytes.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        } else {
            bytes.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        }
    }

    fileprivate mutating func appendNull() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    /// Appends `text` as a JSON string with the escapes `JSONEncoder` writes (slashes unescaped).
    fileprivate mutating func appendQuoted(_ text: String) {
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
    fileprivate mutating func openObject() -> Int {
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
    fileprivate mutating func openArray() -> Int {
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
    fileprivate mutating func beginSingleValue() throws {
        guard var context = contexts.last, context.frame == nil, !context.wroteScalar else { throw poison() }
        context.wroteScalar = true
        contexts[contexts.count - 1] = context
    }

    private mutating func push(isObject: Bool) -> Int {
        bytes.append(isObject ? UInt8(ascii: "{") : UInt8(ascii: "["))
        let id = nextFrame
        nextFrame += 1
        frames.append(
            Frame(id: id, isObject: isObject, contentStart: bytes.count, firstMember: members.count, count: 0)
        )
        return id
    }

    /// Makes `frame` the innermost open frame (finishing the frames opened inside it) and returns its index.
    private mutating func enter(_ frame: Int) throws -> Int {
        guard frame >= 0 else { throw poison() }
        if let last = frames.last, last.id == frame, frames.count - 1 >= (contexts.last?.base ?? 0) {
            return frames.count - 1
        }
        guard let index = frames.lastIndex(where: { $0.id == frame }),
            index >= (contexts.last?.base ?? 0)
        else { throw poison() }
        if index < frames.count - 1 { try finish(downTo: index + 1) }
        return index
    }

    /// Finishes open frames until `depth` remain.
    mutating func finish(downTo depth: Int) throws {
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
    private mutating func finishObject(_ frame: Frame) throws {
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
        // The key order is worked out in a local buffer (the sort reads the members and keys of `self`).
        var order = self.order
        self.order = []
        defer { self.order = order }
        order.removeAll(keepingCapacity: true)
        order.append(contentsOf: first..<members.count)
        // Equal keys stay in the order written, so that the last of them is the one kept.
        order.sort {
            let order = compareKeys(members[$0], members[$1])
            return order < 0 || (order == 0 && $0 < $1)
        }
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

    private func keyPrecedes(_ left: Member, _ right: Member) -> Bool { compareKeys(left, right) < 0 }

    /// The order of two members' keys by their UTF-8 bytes: negative, zero or positive.
    private func compareKeys(_ left: Member, _ right: Member) -> Int {
        if left.prefix != right.prefix { return left.prefix < right.prefix ? -1 : 1 }
        let leftKey = keyBytes[left.keyStart..<left.keyEnd]
        let rightKey = keyBytes[right.keyStart..<right.keyEnd]
        if leftKey.elementsEqual(rightKey) { return 0 }
        return leftKey.lexicographicallyPrecedes(rightKey) ? -1 : 1
    }

    /// Begins a member of object `frame`: writes the separator and the key; the value follows.
    fileprivate mutating func beginMember(_ frame: Int, key: String) throws {
        let index = try enter(frame)
        guard frames[index].isObject else { throw poison() }
        if frames[index].count > 0 { bytes.append(UInt8(ascii: ",")) }
        frames[index].count += 1
        let keyStart = keyBytes.count
        keyBytes.append(contentsOf: key.utf8)
        var prefix: UInt64 = 0
        for offset in 0..<8 {
            let index = keyStart + offset
            prefix = prefix << 8 | UInt64(index < keyBytes.count ? keyBytes[index] : 0)
        }
        members.append(Member(start: bytes.count, keyStart: keyStart, keyEnd: keyBytes.count, prefix: prefix))
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Begins an element of array `frame`: writes the separator; the value follows.
    fileprivate mutating func beginElement(_ frame: Int) throws {
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
    fileprivate mutating func openNested(isObject: Bool) -> Int {
        if let last = frames.last, last.isObject, members.count > last.firstMember {
            members[members.count - 1].isContainer = true
        }
        return push(isObject: isObject)
    }

}

private let canonicalHexDigits: [UInt8] = Array("0123456789abcdef".utf8)

private struct CanonicalKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: CanonicalJSONWriter
    let frame: Int

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        try writer.state.pointee.beginMember(frame, key: key.stringValue)
        writer.state.pointee.appendNull()
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try writer.state.pointee.beginMember(frame, key: key.stringValue)
        writer.state.pointee.appendLiteral(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try writer.state.pointee.beginMember(frame, key: key.stringValue)
        writer.state.pointee.appendQuoted(value)
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
        try writer.state.pointee.beginMember(frame, key: key.stringValue)
        try writer.encodeNested(value)
    }

    private func integer<I: FixedWidthInteger>(_ value: I, _ key: Key) throws {
        try writer.state.pointee.beginMember(frame, key: key.stringValue)
        writer.state.pointee.appendInteger(value)
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
            try writer.state.pointee.beginMember(frame, key: key.stringValue)
            nested = writer.state.pointee.openNested(isObject: true)
        } catch {}
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(writer: writer, frame: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        var nested = -1
        do {
            try writer.state.pointee.beginMember(frame, key: key.stringValue)
            nested = writer.state.pointee.openNested(isObject: false)
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
    var count: Int { writer.state.pointee.count(of: frame) }

    mutating func encodeNil() throws {
        try writer.state.pointee.beginElement(frame)
        writer.state.pointee.appendNull()
    }
    mutating func encode(_ value: Bool) throws {
        try writer.state.pointee.beginElement(frame)
        writer.state.pointee.appendLiteral(value)
    }
    mutating func encode(_ value: String) throws {
        try writer.state.pointee.beginElement(frame)
        writer.state.pointee.appendQuoted(value)
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
        try writer.state.pointee.beginElement(frame)
        try writer.encodeNested(value)
    }

    private func integer<I: FixedWidthInteger>(_ value: I) throws {
        try writer.state.pointee.beginElement(frame)
        writer.state.pointee.appendInteger(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        var nested = -1
        do {
            try writer.state.pointee.beginElement(frame)
            nested = writer.state.pointee.openNested(isObject: true)
        } catch {}
        return KeyedEncodingContainer(CanonicalKeyedContainer<NestedKey>(writer: writer, frame: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        var nested = -1
        do {
            try writer.state.pointee.beginElement(frame)
            nested = writer.state.pointee.openNested(isObject: false)
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
        try writer.state.pointee.beginSingleValue()
        writer.state.pointee.appendNull()
    }
    mutating func encode(_ value: Bool) throws {
        try writer.state.pointee.beginSingleValue()
        writer.state.pointee.appendLiteral(value)
    }
    mutating func encode(_ value: String) throws {
        try writer.state.pointee.beginSingleValue()
        writer.state.pointee.appendQuoted(value)
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
        try writer.state.pointee.beginSingleValue()
        writer.state.pointee.appendInteger(value)
    }
}
