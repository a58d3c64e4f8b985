import Foundation

/// Writes the bytes that identify an `Encodable` value, for the engine's command key.
///
/// The command key only has to be equal for equal commands and different for different ones, within one release:
/// it is hashed, never read back. So this encoder writes what a value encodes in the order it encodes it, with no
/// JSON syntax, no escaping and no key sorting. Every entry names the container it belongs to (containers are
/// numbered in the order they open), every key, string and byte run is length-prefixed, and every scalar carries
/// a type tag; so two values of one type write equal bytes exactly when they encode equal content (a value that
/// writes one key twice writes both, which still identifies it).
package enum CommandIdentity {
    /// The identifying bytes of `value`, appended to `bytes`.
    package static func append<T: Encodable>(_ value: T, to bytes: inout [UInt8]) throws {
        let encoder = CommandIdentityEncoder(bytes: bytes)
        bytes = []
        defer { bytes = encoder.take() }
        try encoder.encodeValue(value)
    }
}

/// The tags written before each entry; values are fixed within a release, not a file format.
private enum IdentityTag: UInt8 {
    case keyedContainer = 1
    case unkeyedContainer, key, element, single, end
    case null, boolean, string, signed, unsigned, double, float
}

/// The encoder behind ``CommandIdentity``; its buffer lives behind a pointer so that appends pay no exclusivity
/// checks.
private final class CommandIdentityEncoder: Encoder {
    let buffer: UnsafeMutablePointer<[UInt8]>
    private var nextContainer: UInt32 = 0

    init(bytes: [UInt8]) {
        buffer = .allocate(capacity: 1)
        buffer.initialize(to: bytes)
    }

    deinit {
        buffer.deinitialize(count: 1)
        buffer.deallocate()
    }

    func take() -> [UInt8] {
        let bytes = buffer.pointee
        buffer.pointee = []
        return bytes
    }

    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// A nested value: its entries are bracketed, so where it ends is part of the bytes.
    func encodeValue<T: Encodable>(_ value: T) throws {
        if T.self == String.self {
            string(unsafeBitCast(value, to: String.self))
            return
        }
        try value.encode(to: self)
        tag(.end)
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(IdentityKeyedContainer<Key>(encoder: self, id: open(.keyedContainer)))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        IdentityUnkeyedContainer(encoder: self, id: open(.unkeyedContainer))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        tag(.single)
        return IdentitySingleValueContainer(encoder: self)
    }

    // MARK: Writing

    func open(_ kind: IdentityTag) -> UInt32 {
        let id = nextContainer
        nextContainer &+= 1
        tag(kind)
        word(id)
        return id
    }

    @inline(__always)
    func tag(_ tag: IdentityTag) { buffer.pointee.append(tag.rawValue) }

    @inline(__always)
    func word(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { buffer.pointee.append(contentsOf: $0) }
    }

    func entry(in container: UInt32, key: String) {
        tag(.key)
        word(container)
        counted(key)
    }

    func element(in container: UInt32) {
        tag(.element)
        word(container)
    }

    func counted(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            word(UInt32(truncatingIfNeeded: utf8.count))
            buffer.pointee.append(contentsOf: utf8)
        }
    }

    func string(_ text: String) {
        tag(.string)
        counted(text)
    }

    func null() { tag(.null) }

    func boolean(_ value: Bool) {
        tag(.boolean)
        buffer.pointee.append(value ? 1 : 0)
    }

    func integer<I: FixedWidthInteger>(_ value: I) {
        if I.isSigned {
            tag(.signed)
            withUnsafeBytes(of: Int64(truncatingIfNeeded: value).littleEndian) { buffer.pointee.append(contentsOf: $0) }
        } else {
            tag(.unsigned)
            withUnsafeBytes(of: UInt64(truncatingIfNeeded: value).littleEndian) {
                buffer.pointee.append(contentsOf: $0)
            }
        }
    }

    func double(_ value: Double) {
        tag(.double)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.pointee.append(contentsOf: $0) }
    }

    func float(_ value: Float) {
        tag(.float)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { buffer.pointee.append(contentsOf: $0) }
    }
}

private struct IdentityKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: CommandIdentityEncoder
    let id: UInt32

    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws {
        encoder.entry(in: id, key: key.stringValue)
        encoder.null()
    }
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        encoder.entry(in: id, key: key.stringValue)
        encoder.boolean(value)
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        encoder.entry(in: id, key: key.stringValue)
        encoder.string(value)
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        encoder.entry(in: id, key: key.stringValue)
        encoder.double(value)
    }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        encoder.entry(in: id, key: key.stringValue)
        encoder.float(value)
    }
    mutating func encode(_ value: Int, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { integer(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { integer(value, key) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        encoder.entry(in: id, key: key.stringValue)
        try encoder.encodeValue(value)
    }

    private func integer<I: FixedWidthInteger>(_ value: I, _ key: Key) {
        encoder.entry(in: id, key: key.stringValue)
        encoder.integer(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type,
        forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        encoder.entry(in: id, key: key.stringValue)
        return KeyedEncodingContainer(
            IdentityKeyedContainer<NestedKey>(encoder: encoder, id: encoder.open(.keyedContainer))
        )
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        encoder.entry(in: id, key: key.stringValue)
        return IdentityUnkeyedContainer(encoder: encoder, id: encoder.open(.unkeyedContainer))
    }

    mutating func superEncoder() -> any Encoder {
        encoder.entry(in: id, key: "super")
        return encoder
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        encoder.entry(in: id, key: key.stringValue)
        return encoder
    }
}

private struct IdentityUnkeyedContainer: UnkeyedEncodingContainer {
    let encoder: CommandIdentityEncoder
    let id: UInt32
    private(set) var count = 0

    init(encoder: CommandIdentityEncoder, id: UInt32) {
        self.encoder = encoder
        self.id = id
    }

    var codingPath: [any CodingKey] { [] }

    private mutating func next() {
        count += 1
        encoder.element(in: id)
    }

    mutating func encodeNil() throws {
        next()
        encoder.null()
    }
    mutating func encode(_ value: Bool) throws {
        next()
        encoder.boolean(value)
    }
    mutating func encode(_ value: String) throws {
        next()
        encoder.string(value)
    }
    mutating func encode(_ value: Double) throws {
        next()
        encoder.double(value)
    }
    mutating func encode(_ value: Float) throws {
        next()
        encoder.float(value)
    }
    mutating func encode(_ value: Int) throws { integer(value) }
    mutating func encode(_ value: Int8) throws { integer(value) }
    mutating func encode(_ value: Int16) throws { integer(value) }
    mutating func encode(_ value: Int32) throws { integer(value) }
    mutating func encode(_ value: Int64) throws { integer(value) }
    mutating func encode(_ value: UInt) throws { integer(value) }
    mutating func encode(_ value: UInt8) throws { integer(value) }
    mutating func encode(_ value: UInt16) throws { integer(value) }
    mutating func encode(_ value: UInt32) throws { integer(value) }
    mutating func encode(_ value: UInt64) throws { integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        next()
        try encoder.encodeValue(value)
    }

    private mutating func integer<I: FixedWidthInteger>(_ value: I) {
        next()
        encoder.integer(value)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        next()
        return KeyedEncodingContainer(
            IdentityKeyedContainer<NestedKey>(encoder: encoder, id: encoder.open(.keyedContainer))
        )
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        next()
        return IdentityUnkeyedContainer(encoder: encoder, id: encoder.open(.unkeyedContainer))
    }

    mutating func superEncoder() -> any Encoder {
        next()
        return encoder
    }
}

private struct IdentitySingleValueContainer: SingleValueEncodingContainer {
    let encoder: CommandIdentityEncoder
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { encoder.null() }
    mutating func encode(_ value: Bool) throws { encoder.boolean(value) }
    mutating func encode(_ value: String) throws { encoder.string(value) }
    mutating func encode(_ value: Double) throws { encoder.double(value) }
    mutating func encode(_ value: Float) throws { encoder.float(value) }
    mutating func encode(_ value: Int) throws { encoder.integer(value) }
    mutating func encode(_ value: Int8) throws { encoder.integer(value) }
    mutating func encode(_ value: Int16) throws { encoder.integer(value) }
    mutating func encode(_ value: Int32) throws { encoder.integer(value) }
    mutating func encode(_ value: Int64) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt8) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt16) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt32) throws { encoder.integer(value) }
    mutating func encode(_ value: UInt64) throws { encoder.integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try encoder.encodeValue(value) }
}
