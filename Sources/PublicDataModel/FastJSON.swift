import Foundation

/// The library's fast JSON reader: one contained decoder that serves every `Decodable` type from its own
/// definition (synthesized or hand-written `init(from:)`), with no per-type or per-field lists.
///
/// It parses a document once, where its bytes lie (no copy), into a flat tape of nodes and hands the type a
/// `Decoder` over that tape; arrays are read element by element from the tape. It exists because event folds and
/// projection replays decode hundreds of thousands of payloads, and the general-purpose decoder spends most of that
/// time on work the library's own documents never need (coding-path bookkeeping, dictionary-backed objects,
/// strategy dispatch).
///
/// **It never decides differently from Foundation's `JSONDecoder` in the library's style.** It accepts a
/// strict subset: RFC 8259 JSON in UTF-8 without a byte-order mark, integers written as plain digits, no
/// duplicate keys in an object a type reads (whether it reads that key or not), nesting up to 512 levels, instants
/// in the ``PublicDataJSON`` form. When a document or a type steps outside that subset — or when decoding throws
/// for any reason, even if the type catches the error and tries something else — the result is discarded and the
/// caller decodes the same bytes with `JSONDecoder`, whose value or error (with its coding path) is the answer.
/// Differential tests compare both on every event type and on mutated documents.
package enum FastJSON {
    /// Decodes `type` from `data`, or returns `nil` when the fast reader cannot vouch for the result (the
    /// caller then uses `JSONDecoder`).
    package static func decode<T: Decodable>(
        _ type: T.Type,
        from data: Data,
        userInfo: [CodingUserInfoKey: any Sendable] = [:]
    ) -> T? {
        // The document is read where it lies (no copy of its bytes); the tape is emptied before the bytes go.
        withBytes(of: data) { bytes -> T? in
            guard let tape = Tape(parsing: bytes) else { return nil }
            defer { tape.invalidate() }
            tape.userInfo = userInfo
            let decoder = TapeDecoder(tape: tape, node: 0)
            do {
                let value = try T(from: decoder)
                return tape.poisoned ? nil : value
            } catch {
                return nil
            }
        }
    }
}

/// Calls `body` with the bytes of `data` in place, typed as UTF-8 code units.
@inline(__always) func withBytes<R>(of data: Data, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    data.withUnsafeBytes { raw in body(raw.bindMemory(to: UInt8.self)) }
}

/// A parsed JSON object from which a reader takes a few top-level members by key, without a `Decoder` for the
/// whole document: for readers that need a handful of fields of many documents (the workflow's projection replay).
///
/// It keeps ``FastJSON``'s promise: every accessor returns `nil` when it cannot vouch for the value — a value of
/// another shape, an identifier or string the library would refuse, anything outside the subset — and the caller
/// then decodes the document with the general path, whose value or error is the answer. A key requested twice in
/// the document makes the whole reader `nil`.
package struct FastJSONObject {
    private let tape: Tape
    private let values: [Int]

    /// The member names a reader asks for, in UTF-8, prepared once (a reader's `CodingKeys`, for instance).
    package struct Keys: Sendable {
        fileprivate let names: [[UInt8]]
        /// The length of the longest name.
        fileprivate let longest: Int

        /// The names `names`; a member's index is its position here.
        package init(_ names: [String]) {
            self.names = names.map { Array($0.utf8) }
            longest = self.names.map(\.count).max() ?? 0
        }
    }

    /// Parses `data` and finds the value of each of `keys` among the object's top-level members; `nil` when the
    /// document is not an object the fast reader takes, a member's key holds an escape, or a requested key occurs
    /// twice. Only the requested members' values are kept as nodes; every other member is checked as strictly (the
    /// whole document must be JSON the fast reader takes) but leaves nothing behind.
    package init?(_ data: Data, keys: Keys) {
        guard data.first == UInt8(ascii: "{") else { return nil }
        let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: data.count)
        _ = data.copyBytes(to: copy)
        guard let (tape, values) = Tape.members(of: UnsafeBufferPointer(copy), keys: keys, owned: true) else {
            copy.deallocate()
            return nil
        }
        self.tape = tape
        self.values = values
    }

    private init(tape: Tape, values: [Int]) {
        self.tape = tape
        self.values = values
    }

    /// Parses `data` where it lies, without copying its bytes, and calls `body` with the reader (`nil` when ``init(_:keys:)``
    /// would be `nil`); the reader and every value decoded through it must not outlive `body` except as values
    /// `body` returns (decoded strings and arrays own their storage). For readers of many documents, such as
    /// the projection's replay.
    package static func reading<R>(_ data: Data, keys: Keys, _ body: (FastJSONObject?) -> R) -> R {
        guard data.first == UInt8(ascii: "{") else { return body(nil) }
        return withBytes(of: data) { bytes in
            guard let (tape, values) = Tape.members(of: bytes, keys: keys, owned: false) else { return body(nil) }
            // A reader kept past this point finds an empty tape (every access is bounds-checked) rather than freed
            // bytes.
            defer { tape.invalidate() }
            return body(FastJSONObject(tape: tape, values: values))
        }
    }

    /// Whether the member `key` (an index into the keys asked for) is absent or `null`.
    package func isAbsent(_ key: Int) -> Bool {
        values[key] < 0 || tape.nodes[values[key]].kind == .null
    }

    /// The member's kind is an object.
    package func isObject(_ key: Int) -> Bool {
        values[key] >= 0 && tape.nodes[values[key]].kind == .object
    }

    /// The member as a string; `nil` when it is not a string this reader takes.
    package func string(_ key: Int) -> String? {
        guard values[key] >= 0 else { return nil }
        let kind = tape.nodes[values[key]].kind
        guard kind == .string || kind == .escapedString else { return nil }
        return tape.string(at: values[key])
    }

    /// The member as an array of strings; `nil` when it is not one this reader takes.
    package func strings(_ key: Int) -> [String]? {
        guard values[key] >= 0, tape.nodes[values[key]].kind == .array else { return nil }
        var result: [String] = []
        var index = values[key] + 1
        let end = Int(tape.nodes[values[key]].end)
        while index < end {
            let kind = tape.nodes[index].kind
            guard kind == .string || kind == .escapedString, let text = tape.string(at: index) else { return nil }
            result.append(text)
            index += 1
        }
        return result
    }

    /// The member decoded as `type` over the same tape; `nil` when the fast reader cannot vouch for it.
    package func decode<T: Decodable>(_ type: T.Type, _ key: Int) -> T? {
        guard values[key] >= 0 else { return nil }
        do {
            let value = try tape.value(type, at: values[key])
            return tape.poisoned ? nil : value
        } catch {
            return nil
        }
    }
}

// MARK: - The tape

/// A parsed document: the bytes and a flat array of nodes in document order.
final class Tape {
    /// One value (or object key) of the document.
    struct Node {
        /// The value's kind.
        var kind: Kind
        /// Scalars: the first byte (strings: after the opening quote). Containers: the number of elements
        /// (arrays) or members (objects).
        var start: Int32
        /// Scalars: one past the last byte (strings: the closing quote). Containers: the index of the node
        /// after the container's last descendant.
        var end: Int32
    }

    enum Kind: UInt8 {
        case null, `true`, `false`, integer, number, string, escapedString, array, object
    }

    /// The document's bytes: the tape's own copy (freed with it), or borrowed for the duration of a read and
    /// emptied by ``invalidate()`` before the caller's bytes go.
    private(set) var bytes: UnsafeBufferPointer<UInt8>
    private let ownsBytes: Bool
    private(set) var nodes: [Node]
    /// Set when decoding met anything outside the subset this reader vouches for.
    var poisoned = false
    /// The caller's user info, handed to every type decoded from this tape.
    var userInfo: [CodingUserInfoKey: Any] = [:]
    /// The object whose member a keyed container found last, and the key node after that member: the next key a
    /// type asks for is looked for from there first (synthesized decoders ask in the order types encode).
    var hintObject = -1
    var hintKey = -1

    static let maximumDepth = 512

    /// Parses a document whose top level is an object or an array; `nil` for anything else. The tape borrows
    /// `buffer`: the caller calls ``invalidate()`` before the bytes go.
    init?(parsing buffer: UnsafeBufferPointer<UInt8>) {
        guard buffer.count < Int(Int32.max) else { return nil }
        var nodes = NodeList(nodes: [])
        nodes.nodes.reserveCapacity(buffer.count / 8 + 4)
        var parser = Parser(bytes: buffer)
        parser.skipWhitespace()
        guard parser.index < buffer.count,
            buffer[parser.index] == UInt8(ascii: "{") || buffer[parser.index] == UInt8(ascii: "["),
            parser.parseValue(into: &nodes, depth: 0)
        else { return nil }
        parser.skipWhitespace()
        guard parser.index == buffer.count && (!parser.sawNonASCII || isValidUTF8(buffer)) else { return nil }
        self.bytes = buffer
        self.ownsBytes = false
        self.nodes = nodes.nodes
    }

    deinit {
        if ownsBytes { UnsafeMutableBufferPointer(mutating: bytes).deallocate() }
    }

    /// Ends a borrowed tape's read: no node and no byte is reachable afterwards, so that a decoder kept past the
    /// read meets a bounds check, never the caller's released bytes.
    func invalidate() {
        precondition(!ownsBytes, "only a borrowed tape is invalidated")
        nodes = []
        bytes = UnsafeBufferPointer(start: nil, count: 0)
    }

    /// A document whose top level is an object, with nodes only for the values of the members named in `keys`
    /// (every other member is checked as strictly, without nodes): the tape and, for each key, the index of its
    /// value's node (-1 when absent). `nil` when the document is not one the fast reader takes, a member's key holds
    /// an escape (it may spell a requested name another way) or a requested key occurs twice. With `owned`, the
    /// tape takes `buffer` (allocated by the caller) and frees it; otherwise it borrows it (the caller calls
    /// ``invalidate()`` before the bytes go). On `nil`, the caller keeps `buffer`.
    static func members(
        of buffer: UnsafeBufferPointer<UInt8>,
        keys: FastJSONObject.Keys,
        owned: Bool
    ) -> (tape: Tape, values: [Int])? {
        guard buffer.count < Int(Int32.max), buffer.first == UInt8(ascii: "{") else { return nil }
        var nodes = NodeList(nodes: [])
        // Nodes only for the requested members' values: usually a few, whatever the document's size.
        nodes.nodes.reserveCapacity(min(buffer.count / 8 + 4, 64))
        nodes.append(Node(kind: .object, start: 0, end: 0))
        var values = [Int](repeating: -1, count: keys.names.count)
        var parser = Parser(bytes: buffer)
        guard parser.parseMembers(named: keys, into: &nodes, values: &values) else { return nil }
        parser.skipWhitespace()
        guard parser.index == buffer.count && (!parser.sawNonASCII || isValidUTF8(buffer)) else { return nil }
        nodes.close(0, elements: Int32(values.count(where: { $0 >= 0 })))
        return (Tape(bytes: buffer, owned: owned, nodes: nodes.nodes), values)
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, owned: Bool, nodes: [Node]) {
        self.bytes = bytes
        self.ownsBytes = owned
        self.nodes = nodes
    }

    /// The index of the node after `index` and all its descendants.
    @inline(__always) func next(after index: Int) -> Int {
        let node = nodes[index]
        switch node.kind {
        case .array, .object: return Int(node.end)
        default: return index + 1
        }
    }

    /// Records that the result cannot be vouched for and returns the error to throw.
    func poison(_ message: String) -> any Error {
        poisoned = true
        return FastJSONUnavailable(message: message)
    }

    /// The text of a string node; `nil` (and poisoned) for an escape this reader does not take.
    func string(at index: Int) -> String? {
        let node = nodes[index]
        let start = Int(node.start)
        let end = Int(node.end)
        if node.kind == .string {
            // The parser took the document only if it is valid UTF-8, and a string without escapes lies between two
            // quotes (ASCII, never inside a multi-byte sequence): its bytes are valid UTF-8, read without a repair.
            return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
        }
        guard node.kind == .escapedString, let text = unescape(start, end) else {
            poisoned = true
            return nil
        }
        return text
    }

    /// Whether the key node at `index` spells `key` (UTF-8, byte for byte).
    @inline(__always) func keyMatches(_ index: Int, _ key: String) -> Bool {
        let node = nodes[index]
        if node.kind == .escapedString { return string(at: index) == key }
        let start = Int(node.start)
        let length = Int(node.end) - start
        var key = key
        return key.withUTF8 { utf8 in
            guard utf8.count == length else { return false }
            return length == 0 || memcmp(bytes.baseAddress! + start, utf8.baseAddress!, length) == 0
        }
    }

    private func unescape(_ start: Int, _ end: Int) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(end - start)
        var index = start
        func hex4(_ at: Int) -> UInt32? { hexQuad(bytes, at: at, end: end) }
        while index < end {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                index += 1
                continue
            }
            guard index + 1 < end else { return nil }
            switch bytes[index + 1] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(index + 2) else { return nil }
                index += 6
                if (0xD800...0xDBFF).contains(scalar) {
                    // A high surrogate must be followed by an escaped low surrogate; anything else is left to
                    // the general decoder.
                    guard index + 1 < end, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u"),
                        let low = hex4(index + 2), (0xDC00...0xDFFF).contains(low)
                    else { return nil }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    return nil
                }
                guard let unicode = Unicode.Scalar(scalar) else { return nil }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
                continue
            default: return nil
            }
            index += 2
        }
        return String(validating: out, as: UTF8.self)
    }
}

/// The value of the `count` ASCII digits at `offset` in `text`, or `nil` when one of them is not a digit.
@inline(__always) private func digits(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int, _ count: Int) -> Int? {
    var value = 0
    for byte in text[offset..<offset + count] {
        guard byte >= 48, byte <= 57 else { return nil }
        value = value * 10 + Int(byte - 48)
    }
    return value
}

/// Whether `bytes` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    let count = bytes.count
    while index < count {
        let lead = bytes[index]
        if lead < 0x80 {
            index += 1
            continue
        }
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            high = 0x9F
        case 0xF0:
            length = 4
            low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            high = 0x8F
        default: return false
        }
        guard index + length <= count else { return false }
        guard (low...high).contains(bytes[index + 1]) else { return false }
        for offset in 2..<max(2, length) where !(0x80...0xBF).contains(bytes[index + offset]) { return false }
        index += length
    }
    return true
}

/// The reader's marker error: the caller decodes with `JSONDecoder` instead.
/// The value of the four hex digits of a `\uXXXX` escape at `index`, or `nil` when the four bytes before `end`
/// are not all hex digits.
private func hexQuad<Bytes: RandomAccessCollection<UInt8>>(_ bytes: Bytes, at index: Int, end: Int) -> UInt32?
where Bytes.Index == Int {
    guard index + 4 <= end else { return nil }
    var value: UInt32 = 0
    for byte in bytes[index..<index + 4] {
        let digit: UInt32
        switch byte {
        case 48...57: digit = UInt32(byte - 48)
        case 65...70: digit = UInt32(byte - 55)
        case 97...102: digit = UInt32(byte - 87)
        default: return nil
        }
        value = value << 4 | digit
    }
    return value
}

struct FastJSONUnavailable: Error {
    var message: String
}

/// Where the parser puts the nodes it reads: the tape (``NodeList``), or nowhere (``NoNodes``: a member nobody reads
/// is checked, byte for byte as strictly, without a node).
private protocol NodeSink {
    /// The number of nodes put so far.
    var count: Int { get }
    mutating func append(_ node: Tape.Node)
    /// Records a container's element or member count and the index of the node after its last descendant.
    mutating func close(_ slot: Int, elements: Int32)
}

/// The tape's nodes.
private struct NodeList: NodeSink {
    var nodes: [Tape.Node]
    var count: Int { nodes.count }
    @inline(__always) mutating func append(_ node: Tape.Node) { nodes.append(node) }
    @inline(__always) mutating func close(_ slot: Int, elements: Int32) {
        nodes[slot].start = elements
        nodes[slot].end = Int32(nodes.count)
    }
}

/// No nodes: the parser only checks what it reads.
private struct NoNodes: NodeSink {
    var count: Int { 0 }
    @inline(__always) mutating func append(_ node: Tape.Node) {}
    @inline(__always) mutating func close(_ slot: Int, elements: Int32) {}
}

/// A recursive-descent parser over UTF-8 bytes that puts nodes in document order into a sink.
private struct Parser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Whether a string held a byte above 0x7F (the document is then checked to be valid UTF-8).
    var sawNonASCII = false

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    mutating func parseValue<Sink: NodeSink>(into nodes: inout Sink, depth: Int) -> Bool {
        guard index < bytes.count, depth < Tape.maximumDepth else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return parseContainer(.object, into: &nodes, depth: depth + 1)
        case UInt8(ascii: "["): return parseContainer(.array, into: &nodes, depth: depth + 1)
        case UInt8(ascii: "\""): return parseString(into: &nodes)
        case UInt8(ascii: "t"): return literal("true", .true, into: &nodes)
        case UInt8(ascii: "f"): return literal("false", .false, into: &nodes)
        case UInt8(ascii: "n"): return literal("null", .null, into: &nodes)
        case UInt8(ascii: "-"), 48...57: return parseNumber(into: &nodes)
        default: return false
        }
    }

    private mutating func literal<Sink: NodeSink>(
        _ word: StaticString,
        _ kind: Tape.Kind,
        into nodes: inout Sink
    ) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { return false }
        nodes.append(Tape.Node(kind: kind, start: Int32(index), end: Int32(index + count)))
        index += count
        return true
    }

    private mutating func parseString<Sink: NodeSink>(into nodes: inout Sink) -> Bool {
        guard let (start, escaped) = scanString() else { return false }
        nodes.append(Tape.Node(kind: escaped ? .escapedString : .string, start: Int32(start), end: Int32(index - 1)))
        return true
    }

    /// Reads a string whose opening quote is at `index`, leaving `index` after its closing quote: its first byte
    /// and whether it holds an escape, or `nil` when it is not a string this reader takes.
    mutating func scanString() -> (start: Int, escaped: Bool)? {
        index += 1
        let start = index
        var escaped = false
        let base = UnsafeRawPointer(bytes.baseAddress!)
        while index < bytes.count {
            // Eight bytes at a time while none of them needs a look: most of a document's text.
            if index &+ 8 <= bytes.count, Self.isPlain(base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) {
                index &+= 8
                continue
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                guard index <= Int(Int32.max) else { return nil }
                index += 1
                return (start, escaped)
            }
            if byte < 0x20 { return nil }
            if byte >= 0x80 { sawNonASCII = true }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                guard let length = escapeLength(at: index) else { return nil }
                index += length
                continue
            }
            index += 1
        }
        return nil
    }

    /// The length of the escape at `index` (a backslash): 2, 6 for `\uXXXX`, 12 for a surrogate pair; `nil` for an
    /// escape RFC 8259 does not define, a lone surrogate or a truncated escape. Checked in every string, also in
    /// members nobody reads: the reader declines what `JSONDecoder` would refuse anywhere in the document.
    private func escapeLength(at index: Int) -> Int? {
        guard index + 1 < bytes.count else { return nil }
        switch bytes[index + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            return 2
        case UInt8(ascii: "u"):
            guard let unit = hex4(at: index + 2) else { return nil }
            if (0xDC00...0xDFFF).contains(unit) { return nil }
            guard (0xD800...0xDBFF).contains(unit) else { return 6 }
            guard index + 7 < bytes.count, bytes[index + 6] == UInt8(ascii: "\\"),
                bytes[index + 7] == UInt8(ascii: "u"),
                let low = hex4(at: index + 8), (0xDC00...0xDFFF).contains(low)
            else { return nil }
            return 12
        default:
            return nil
        }
    }

    /// The four hexadecimal digits at `index` as a number, or `nil`.
    private func hex4(at index: Int) -> UInt32? { hexQuad(bytes, at: index, end: bytes.count) }

    /// Whether none of the eight bytes of `word` is a quote, a backslash, a control character (below 0x20) or
    /// above 0x7F. Each test is the classic "has a zero byte" bit trick, exact about whether such a byte exists
    /// whatever the byte order (a borrow can only mark bytes above a byte that matched).
    @inline(__always) static func isPlain(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let marks =
            ((quote &- ones) & ~quote) | ((backslash &- ones) & ~backslash) | ((word &- ones &* 0x20) & ~word) | word
        return marks & (ones &* 0x80) == 0
    }

    private mutating func parseNumber<Sink: NodeSink>(into nodes: inout Sink) -> Bool {
        let start = index
        var integer = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { return false }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if (49...57).contains(bytes[index]) {
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
        } else {
            return false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            integer = false
            index += 1
            let digits = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > digits else { return false }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            integer = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let digits = index
            while index < bytes.count, (48...57).contains(bytes[index]) { index += 1 }
            guard index > digits else { return false }
        }
        nodes.append(Tape.Node(kind: integer ? .integer : .number, start: Int32(start), end: Int32(index)))
        return true
    }

    /// Parses an array or an object (the opening bracket is at `index`): elements, or `"key": value` members,
    /// separated by commas up to the closing bracket. The container's node records its element or member count and
    /// the index of the node after its last descendant.
    private mutating func parseContainer<Sink: NodeSink>(
        _ kind: Tape.Kind,
        into nodes: inout Sink,
        depth: Int
    ) -> Bool {
        let close = kind == .object ? UInt8(ascii: "}") : UInt8(ascii: "]")
        let slot = nodes.count
        nodes.append(Tape.Node(kind: kind, start: 0, end: 0))
        index += 1
        skipWhitespace()
        var count: Int32 = 0
        if index < bytes.count, bytes[index] == close {
            index += 1
        } else {
            while true {
                if kind == .object, !parseMemberKey(into: &nodes) { return false }
                guard parseValue(into: &nodes, depth: depth) else { return false }
                count += 1
                skipWhitespace()
                guard index < bytes.count else { return false }
                if bytes[index] == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    continue
                }
                guard bytes[index] == close else { return false }
                index += 1
                break
            }
        }
        nodes.close(slot, elements: count)
        return true
    }

    /// Parses the object at `index` (the document's top level): the values of the members named in `keys` into
    /// `nodes` (recording each one's node index in `values`), every other member checked without nodes. `false` for
    /// anything the fast reader does not take, an escaped key, or a requested key met twice.
    mutating func parseMembers(
        named keys: FastJSONObject.Keys,
        into nodes: inout NodeList,
        values: inout [Int]
    ) -> Bool {
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        var unread = NoNodes()
        while true {
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let (start, escaped) = scanString(),
                !escaped
            else { return false }
            let length = index - 1 - start
            var slot = -1
            if length <= keys.longest {
                for candidate in keys.names.indices where keys.names[candidate].count == length {
                    let same = keys.names[candidate].withUnsafeBufferPointer { name in
                        length == 0 || memcmp(bytes.baseAddress! + start, name.baseAddress!, length) == 0
                    }
                    if same {
                        slot = candidate
                        break
                    }
                }
            }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipWhitespace()
            if slot >= 0 {
                guard values[slot] < 0 else { return false }
                values[slot] = nodes.count
                guard parseValue(into: &nodes, depth: 1) else { return false }
            } else {
                guard parseValue(into: &unread, depth: 1) else { return false }
            }
            skipWhitespace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
                continue
            }
            guard bytes[index] == UInt8(ascii: "}") else { return false }
            index += 1
            return true
        }
    }

    /// Parses a member's key and the colon after it, leaving `index` at its value.
    private mutating func parseMemberKey<Sink: NodeSink>(into nodes: inout Sink) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), parseString(into: &nodes) else { return false }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        skipWhitespace()
        return true
    }
}

// MARK: - Decoding over the tape

/// A `Decoder` positioned at one node of a tape: two words, so that neither the `any Decoder` a type decodes
/// from nor the `any SingleValueDecodingContainer` it asks for needs an allocation.
private struct TapeDecoder: Decoder, SingleValueDecodingContainer {
    let tape: Tape
    let node: Int

    init(tape: Tape, node: Int) {
        self.tape = tape
        self.node = node
    }

    var userInfo: [CodingUserInfoKey: Any] { tape.userInfo }

    /// Coding paths are not tracked: any error makes the caller decode again with `JSONDecoder`, whose
    /// error carries the path.
    var codingPath: [any CodingKey] { [] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard tape.nodes[node].kind == .object else { throw tape.poison("not an object") }
        guard tape.hasUniqueKeys(node) else { throw tape.poison("a key occurs twice") }
        return KeyedDecodingContainer(TapeKeyedContainer<Key>(decoder: self, object: node))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard tape.nodes[node].kind == .array else { throw tape.poison("not an array") }
        return TapeUnkeyedContainer(decoder: self, array: node)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single value

    func decodeNil() -> Bool { tape.nodes[node].kind == .null }

    func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(at: node) }
    func decode(_ type: String.Type) throws -> String {
        guard tape.nodes[node].kind == .string || tape.nodes[node].kind == .escapedString,
            let text = tape.string(at: node)
        else { throw tape.poison("not a string") }
        return text
    }
    func decode(_ type: Double.Type) throws -> Double { try tape.double(at: node) }
    func decode(_ type: Float.Type) throws -> Float { throw tape.poison("Float is left to JSONDecoder") }
    func decode(_ type: Int.Type) throws -> Int { try tape.integer(at: node) }
    func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(at: node) }
    func decode(_ type: Int16.Type) throws -> Int16 { try tape.integer(at: node) }
    func decode(_ type: Int32.Type) throws -> Int32 { try tape.integer(at: node) }
    func decode(_ type: Int64.Type) throws -> Int64 { try tape.integer(at: node) }
    func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(at: node) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try tape.integer(at: node) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try tape.integer(at: node) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try tape.integer(at: node) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try tape.integer(at: node) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try tape.value(type, at: node) }
}

extension Tape {
    /// Whether no two members of the object node `object` have the same key, checked once when a type asks for a
    /// keyed container, so that finding a key can stop at its first match. Keys without escapes are compared
    /// byte for byte, pair by pair, in objects of up to 16 members; in larger objects, or when a key holds an
    /// escape, all keys are compared as text through a set.
    func hasUniqueKeys(_ object: Int) -> Bool {
        // Pairs of keys for a struct's few members; a set for a large object (a dictionary's entries).
        if nodes[object].start > 16 { return hasUniqueKeysAsText(object) }
        let end = Int(nodes[object].end)
        var index = object + 1
        while index < end {
            let key = nodes[index]
            if key.kind == .escapedString { return hasUniqueKeysAsText(object) }
            let length = key.end &- key.start
            var other = next(after: index + 1)
            while other < end {
                let candidate = nodes[other]
                if candidate.end &- candidate.start == length, candidate.kind == .string,
                    length == 0
                        || memcmp(
                            bytes.baseAddress! + Int(key.start),
                            bytes.baseAddress! + Int(candidate.start),
                            Int(length)
                        )
                            == 0
                {
                    return false
                }
                other = next(after: other + 1)
            }
            index = next(after: index + 1)
        }
        return true
    }

    private func hasUniqueKeysAsText(_ object: Int) -> Bool {
        var seen = Set<String>()
        let end = Int(nodes[object].end)
        var index = object + 1
        while index < end {
            guard let name = string(at: index), seen.insert(name).inserted else { return false }
            index = next(after: index + 1)
        }
        return true
    }

    @inline(__always) func bool(at index: Int) throws -> Bool {
        switch nodes[index].kind {
        case .true: return true
        case .false: return false
        default: throw poison("not a boolean")
        }
    }

    /// Plain-digit integers only; fractions, exponents, `-0` and overflow are left to `JSONDecoder`.
    func integer<I: FixedWidthInteger>(at index: Int) throws -> I {
        let node = nodes[index]
        guard node.kind == .integer else { throw poison("not a plain integer") }
        var position = Int(node.start)
        let end = Int(node.end)
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative {
            position += 1
            guard bytes[position] != UInt8(ascii: "0") else { throw poison("negative zero") }
        }
        var value: I = 0
        while position < end {
            let digit = I(bytes[position] &- 48)
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) =
                negative ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw poison("integer out of range") }
            value = sum
            position += 1
        }
        return value
    }

    func double(at index: Int) throws -> Double {
        let node = nodes[index]
        guard node.kind == .integer || node.kind == .number else { throw poison("not a number") }
        let text = String(decoding: bytes[Int(node.start)..<Int(node.end)], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw poison("number out of range") }
        return value
    }

    /// An instant written exactly as the library writes one (`YYYY-MM-DDTHH:MM:SS.mmmZ`, 24 bytes), read from the
    /// bytes in place with ``PublicDataJSON/parseInstant(_:)``'s rules; `nil` for any other text (which the caller
    /// then reads with `parseInstant`, whose answer stands).
    func canonicalInstant(at index: Int) -> Date? {
        let node = nodes[index]
        let start = Int(node.start)
        guard node.kind == .string, Int(node.end) - start == 24 else { return nil }
        do {
            let text = UnsafeBufferPointer(rebasing: bytes[start..<start + 24])
            func number(_ offset: Int, _ count: Int) -> Int? { digits(text, offset, count) }
            guard text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), text[10] == UInt8(ascii: "T"),
                text[13] == UInt8(ascii: ":"), text[16] == UInt8(ascii: ":"), text[19] == UInt8(ascii: "."),
                text[23] == UInt8(ascii: "Z"), let year = number(0, 4), let month = number(5, 2),
                let day = number(8, 2), let hours = number(11, 2), let minutes = number(14, 2),
                let seconds = number(17, 2), let millis = number(20, 3), hours < 24, minutes < 60, seconds < 60,
                let date = CivilDate(year: year, month: month, day: day)
            else { return nil }
            let secondsOfDay = Int64(hours * 3600 + minutes * 60 + seconds)
            return Date(
                millisecondsSince1970: (Int64(date.daysSinceEpoch) * 86_400 + secondsOfDay) * 1000 + Int64(millis)
            )
        }
    }

    /// A calendar day written as `YYYY-MM-DD` in digits, read from the bytes in place with ``CivilDate``'s rules;
    /// `nil` for any other text (which the caller then decodes with ``CivilDate``'s `init(from:)`, whose answer
    /// stands).
    func canonicalDay(at index: Int) -> CivilDate? {
        let node = nodes[index]
        let start = Int(node.start)
        guard node.kind == .string, Int(node.end) - start == 10 else { return nil }
        do {
            let text = UnsafeBufferPointer(rebasing: bytes[start..<start + 10])
            guard text[4] == UInt8(ascii: "-"), text[7] == UInt8(ascii: "-"), let year = digits(text, 0, 4),
                let month = digits(text, 5, 2), let day = digits(text, 8, 2)
            else { return nil }
            return CivilDate(year: year, month: month, day: day)
        }
    }

    /// Decodes a nested value; instants are read in the library's style, and the types `JSONDecoder` treats
    /// specially (data, decimals, URLs) are left to it.
    func value<T: Decodable>(_ type: T.Type, at index: Int) throws -> T {
        if type == String.self {
            guard nodes[index].kind == .string || nodes[index].kind == .escapedString, let text = string(at: index)
            else { throw poison("not a string") }
            return unsafeBitCast(text, to: T.self)
        }
        if type == Date.self {
            if let date = canonicalInstant(at: index) { return unsafeBitCast(date, to: T.self) }
            guard nodes[index].kind == .string || nodes[index].kind == .escapedString,
                let text = string(at: index), let date = PublicDataJSON.parseInstant(text)
            else { throw poison("not an instant") }
            return unsafeBitCast(date, to: T.self)
        }
        if type == CivilDate.self, let day = canonicalDay(at: index) { return unsafeBitCast(day, to: T.self) }
        if type == Data.self || type == Decimal.self || type == URL.self {
            throw poison("\(type) is left to JSONDecoder")
        }
        // An array node read as an array: element by element from the tape (asked only of array nodes, so other
        // values pay no conformance check).
        if nodes[index].kind == .array, let array = type as? any TapeArray.Type {
            return try array.elements(of: self, at: index, as: type)
        }
        return try T(from: TapeDecoder(tape: self, node: index))
    }
}

/// An array read straight from the tape: its element count is known, so it is allocated once, and no unkeyed
/// container is made. Reads what `Array.init(from:)` reads (each element in order, by its own `init(from:)`).
private protocol TapeArray {
    /// The array at the array node `index`, returned as `T` (which is `Self`).
    static func elements<T>(of tape: Tape, at index: Int, as type: T.Type) throws -> T
}

extension Array: TapeArray where Element: Decodable {
    fileprivate static func elements<T>(of tape: Tape, at index: Int, as type: T.Type) throws -> T {
        let count = Int(tape.nodes[index].start)
        var elements: [Element] = []
        elements.reserveCapacity(count)
        var node = index + 1
        for _ in 0..<count {
            elements.append(try tape.value(Element.self, at: node))
            node = tape.next(after: node)
        }
        return unsafeBitCast(elements, to: T.self)
    }
}

/// A keyed container over an object node: keys are found by a scan that also refuses a repeated key.
private struct TapeKeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: TapeDecoder
    let object: Int
    var tape: Tape { decoder.tape }

    init(decoder: TapeDecoder, object: Int) {
        self.decoder = decoder
        self.object = object
    }

    var codingPath: [any CodingKey] { [] }

    var allKeys: [Key] {
        var keys: [Key] = []
        var seen = Set<String>()
        var index = object + 1
        let end = Int(tape.nodes[object].end)
        while index < end {
            guard let name = tape.string(at: index) else { return [] }
            if !seen.insert(name).inserted { tape.poisoned = true }
            if let key = Key(stringValue: name) { keys.append(key) }
            index = tape.next(after: index + 1)
        }
        return keys
    }

    /// The value node of `key`, or `nil`. The container's keys are unique (checked when it was made), so the scan
    /// stops at the first match; it starts after the member found last in this object and wraps around.
    func find(_ key: Key) -> Int? {
        let name = key.stringValue
        let first = object + 1
        let end = Int(tape.nodes[object].end)
        let from = tape.hintObject == object ? tape.hintKey : first
        var index = from
        while index < end {
            if tape.keyMatches(index, name) { return found(index + 1) }
            index = tape.next(after: index + 1)
        }
        index = first
        while index < from {
            if tape.keyMatches(index, name) { return found(index + 1) }
            index = tape.next(after: index + 1)
        }
        return nil
    }

    /// Records where the next key is looked for first and returns `value`.
    @inline(__always) private func found(_ value: Int) -> Int {
        tape.hintObject = object
        tape.hintKey = tape.next(after: value)
        return value
    }

    func require(_ key: Key) throws -> Int {
        guard let index = find(key) else { throw tape.poison("missing key \(key.stringValue)") }
        return index
    }

    func contains(_ key: Key) -> Bool { find(key) != nil }

    func decodeNil(forKey key: Key) throws -> Bool { tape.nodes[try require(key)].kind == .null }

    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try tape.bool(at: require(key)) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String {
        try tape.value(String.self, at: require(key))
    }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try tape.double(at: require(key)) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { throw tape.poison("Float") }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try tape.integer(at: require(key)) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try tape.integer(at: require(key)) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try tape.integer(at: require(key)) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try tape.integer(at: require(key)) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try tape.integer(at: require(key)) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try tape.integer(at: require(key)) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try tape.integer(at: require(key)) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try tape.integer(at: require(key)) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try tape.integer(at: require(key)) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try tape.integer(at: require(key)) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try tape.value(type, at: require(key))
    }

    /// One scan for an optional value: absent or `null` is `nil`.
    private func present(_ key: Key) -> Int? {
        guard let index = find(key), tape.nodes[index].kind != .null else { return nil }
        return index
    }

    func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? {
        guard let index = present(key) else { return nil }
        return try tape.bool(at: index)
    }
    func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? {
        guard let index = present(key) else { return nil }
        return try tape.value(String.self, at: index)
    }
    func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? {
        guard let index = present(key) else { return nil }
        return try tape.double(at: index)
    }
    func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? {
        guard let index = present(key) else { return nil }
        return try tape.integer(at: index)
    }
    func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? {
        guard let index = present(key) else { return nil }
        return try tape.integer(at: index)
    }
    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let index = present(key) else { return nil }
        return try tape.value(type, at: index)
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type,
        forKey key: Key
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try TapeDecoder(tape: tape, node: require(key)).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try TapeDecoder(tape: tape, node: require(key)).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder { throw tape.poison("superDecoder is left to JSONDecoder") }
    func superDecoder(forKey key: Key) throws -> any Decoder {
        throw tape.poison("superDecoder is left to JSONDecoder")
    }
}

/// An unkeyed container over an array node. Three words (the tape, the element count and index as 32-bit
/// halves, the next node), so that the `any UnkeyedDecodingContainer` holding it needs no allocation.
private struct TapeUnkeyedContainer: UnkeyedDecodingContainer {
    let tape: Tape
    private let elements: Int32
    private var taken: Int32 = 0
    private var node: Int

    init(decoder: TapeDecoder, array: Int) {
        self.tape = decoder.tape
        // The parser bounds documents (and so element counts) below `Int32.max`.
        self.elements = decoder.tape.nodes[array].start
        self.node = array + 1
    }

    var codingPath: [any CodingKey] { [] }
    var count: Int? { Int(elements) }
    var currentIndex: Int { Int(taken) }
    var isAtEnd: Bool { taken >= elements }

    private mutating func take() throws -> Int {
        guard !isAtEnd else { throw tape.poison("past the end of an array") }
        let index = node
        node = tape.next(after: node)
        taken += 1
        return index
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { throw tape.poison("past the end of an array") }
        guard tape.nodes[node].kind == .null else { return false }
        _ = try take()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try tape.bool(at: take()) }
    mutating func decode(_ type: String.Type) throws -> String {
        try tape.value(String.self, at: take())
    }
    mutating func decode(_ type: Double.Type) throws -> Double { try tape.double(at: take()) }
    mutating func decode(_ type: Float.Type) throws -> Float { throw tape.poison("Float") }
    mutating func decode(_ type: Int.Type) throws -> Int { try tape.integer(at: take()) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try tape.integer(at: take()) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try tape.integer(at: take()) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try tape.integer(at: take()) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try tape.integer(at: take()) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try tape.integer(at: take()) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try tape.integer(at: take()) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try tape.integer(at: take()) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try tape.integer(at: take()) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try tape.integer(at: take()) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try tape.value(type, at: take())
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws -> KeyedDecodingContainer<NestedKey> {
        try TapeDecoder(tape: tape, node: take()).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        try TapeDecoder(tape: tape, node: take()).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder { throw tape.poison("superDecoder is left to JSONDecoder") }
}
