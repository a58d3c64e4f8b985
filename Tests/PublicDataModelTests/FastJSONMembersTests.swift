import Foundation
import Testing

@testable import PublicDataModel

/// The member reader (``FastJSONObject``) keeps nodes only for the members it is asked for and checks every other
/// member as strictly, without nodes: what it reads equals what `JSONDecoder` reads, and it declines every document
/// that is not RFC 8259 JSON, wherever in the document the problem is (then `JSONDecoder`'s answer stands — which
/// for a problem in a member nobody reads is often a value: it does not look at such members closely).
@Suite struct FastJSONMembersTests {
    struct Inner: Codable, Equatable {
        var a: Int
        var b: [String]
    }

    /// The members asked for, as `JSONDecoder` reads them.
    struct Read: Decodable, Equatable {
        var name: String?
        var ids: [String]?
        var inner: Inner?
    }

    static let keys = FastJSONObject.Keys(["name", "ids", "inner"])

    /// What the member reader reads of `data`; `nil` when it declines (the document or one of the members).
    static func fast(_ data: Data) -> Read? {
        guard let object = FastJSONObject(data, keys: keys) else { return nil }
        return read(object)
    }

    /// What the in-place reader (``FastJSONObject/reading(_:keys:_:)``) reads of `data`.
    static func fastInPlace(_ data: Data) -> Read? {
        FastJSONObject.reading(data, keys: keys) { object in object.flatMap(read) }
    }

    static func read(_ object: FastJSONObject) -> Read? {
        var read = Read()
        if !object.isAbsent(0) {
            guard let name = object.string(0) else { return nil }
            read.name = name
        }
        if !object.isAbsent(1) {
            guard let ids = object.strings(1) else { return nil }
            read.ids = ids
        }
        if !object.isAbsent(2) {
            guard let inner = object.decode(Inner.self, 2) else { return nil }
            read.inner = inner
        }
        return read
    }

    static func foundation(_ data: Data) -> Read? {
        try? PublicDataJSON.makeDecoder().decode(Read.self, from: data)
    }

    /// Members nobody asked for, of every kind and depth, are stepped over; the members asked for read as
    /// `JSONDecoder` reads them, whatever their place among the others.
    @Test(arguments: [
        #"{"name":"n","ids":["a","b"],"inner":{"a":1,"b":["x"]}}"#,
        #"{"x":[{"y":[1,2,{"z":null}]},true,false,-1.5e3,"s\n\"\\\/\u00e9\ud83d\ude00"],"name":"n"}"#,
        #"{"ids":[],"notify":[{"party":"p","role":"operator","kind":"k","subject":"税 é","due":"2026-01-02"}]}"#,
        #"{ "a" : { } , "b" : [ ] , "inner" : { "b" : [ ] , "a" : -7 } , "c" : "" }"#,
        #"{"deep":[[[[[[[[[[{"k":[1]}]]]]]]]]]],"name":"\u0041"}"#,
        #"{}"#,
        #"{"x\u0041":1}"#,
        #"{"name":"n","name":"m"}"#,
        #"{"x":1,"x":2,"name":"n"}"#,
    ])
    func unreadMembersAreSteppedOver(text: String) {
        let data = Data(text.utf8)
        let reference = Self.foundation(data)
        if let fast = Self.fast(data) {
            #expect(fast == reference, "\(text)")
        }
        #expect(reference != nil || Self.fast(data) == nil)
    }

    /// The in-place reader reads the caller's bytes where they lie (also a slice of a larger buffer) and answers
    /// exactly as the reader that copies them, on documents it reads and on documents it declines.
    @Test(arguments: [
        #"{"name":"n","ids":["a","b"],"inner":{"a":1,"b":["x"]}}"#,
        #"{"x":[{"y":[1,2,{"z":null}]},true,false,-1.5e3,"s\n\"\\\/\u00e9\ud83d\ude00"],"name":"n"}"#,
        #"{ "a" : { } , "b" : [ ] , "inner" : { "b" : [ ] , "a" : -7 } , "c" : "" }"#,
        #"{}"#,
        #"{"x\u0041":1}"#,
        #"{"name":"n","name":"m"}"#,
        #"{"name":"n","x":[1,]}"#,
        #"{"inner":{"a":1,"b":["x"],"a":2}}"#,
        #"{"name":"n"} x"#,
        #"[1]"#,
        "",
    ])
    func readingInPlaceAnswersAsTheCopyingReader(text: String) {
        let data = Data(text.utf8)
        #expect(Self.fastInPlace(data) == Self.fast(data), "\(text)")
        let framed = Data(("xx" + text + "yy").utf8)
        let slice = framed[framed.startIndex + 2..<framed.endIndex - 2]
        #expect(Self.fastInPlace(slice) == Self.fast(data), "\(text)")
        if let read = Self.fastInPlace(data) { #expect(read == Self.foundation(data), "\(text)") }
    }

    /// The member reader still reads the documents it read before members were skipped: those without escaped keys
    /// or a repeated requested key.
    @Test func documentsWithoutEscapedOrRepeatedKeysAreRead() throws {
        for text in [
            #"{"name":"n","ids":["a","b"],"inner":{"a":1,"b":["x"]}}"#,
            #"{"x":[{"y":[1,2,{"z":null}]},true,false,-1.5e3,"s\n\"\\\/\u00e9\ud83d\ude00"],"name":"n"}"#,
            #"{"x":1,"x":2,"name":"n"}"#,
            #"{}"#,
        ] {
            let data = Data(text.utf8)
            let fast = try #require(Self.fast(data), "\(text)")
            #expect(fast == Self.foundation(data))
        }
    }

    /// A problem in a member nobody reads makes the whole document the general path's: the reader declines it
    /// (whatever `JSONDecoder` then answers is the answer; it accepts most of these, reading only what it is asked).
    @Test(arguments: [
        #"{"name":"n","x":[1,]}"#,
        #"{"name":"n","x":{"a":1,}}"#,
        #"{"name":"n","x":"\q"}"#,
        #"{"name":"n","x":"\u12"}"#,
        #"{"name":"n","x":"\ud83d"}"#,
        #"{"name":"n","x":"\ude00x"}"#,
        #"{"name":"n","x":"\ud83d\u0041"}"#,
        #"{"name":"n","x":01}"#,
        #"{"name":"n","x":-}"#,
        #"{"name":"n","x":1.}"#,
        #"{"name":"n","x":tru}"#,
        #"{"name":"n","x":[1 2]}"#,
        #"{"name":"n","x":{"a" 1}}"#,
        #"{"name":"n","x":{1:2}}"#,
        "{\"name\":\"n\",\"x\":\"a\u{01}b\"}",
        #"{"name":"n","x":[}"#,
        #"{"name":"n","x":"#,
        #"{"name":"n"} x"#,
    ])
    func aProblemInAnUnreadMemberDeclinesTheDocument(text: String) {
        let data = Data(text.utf8)
        #expect(FastJSONObject(data, keys: Self.keys) == nil, "\(text)")
    }

    /// Invalid UTF-8 and nesting beyond the reader's depth in a member nobody reads decline the document too.
    @Test func brokenBytesAndDeepNestingInAnUnreadMemberDecline() {
        var bytes = Array(#"{"name":"n","x":"abc"}"#.utf8)
        bytes[18] = 0xC0
        #expect(FastJSONObject(Data(bytes), keys: Self.keys) == nil)
        let deep = #"{"name":"n","x":"# + String(repeating: "[", count: 600) + String(repeating: "]", count: 600) + "}"
        #expect(FastJSONObject(Data(deep.utf8), keys: Self.keys) == nil)
    }

    /// Thousands of mutations of a payload-like document: whenever the member reader reads one, `JSONDecoder`
    /// reads the same (and so accepts the whole document).
    @Test func mutatedDocumentsNeverDisagree() {
        let original = Array(
            (#"{"agreementID":"agr-1","name":"req-1","ids":["ent-1","ent-2"],"inner":{"a":3,"b":["f"]},"#
                + #""notify":[{"party":"p-1","role":"operator","subject":"é \u00e9 \"q\"","due":"2026-01-02"}],"#
                + #""n":-12.5e-3,"t":true,"z":null}"#).utf8
        )
        let alphabet = Array(#"{}[]",:0123456789-+.eE\"/ntfrul \#u{00}"#.utf8) + [0xC3, 0xA9, 0xFF, 0x80]
        var generator = SplitMix(seed: 0x0B1E_C7)
        var accepted = 0
        for _ in 0..<4_000 {
            var bytes = original
            for _ in 0..<(1 + Int(generator.next() % 3)) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                case 1: bytes.remove(at: position)
                default: bytes.insert(alphabet[Int(generator.next() % UInt64(alphabet.count))], at: position)
                }
            }
            let data = Data(bytes)
            if let fast = Self.fast(data) {
                accepted += 1
                #expect(fast == Self.foundation(data), "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        #expect(accepted > 100)
    }
}
