import Foundation
import Testing

@testable import PublicDataModel

/// The fast reader never decides differently from `JSONDecoder` in the library's style: whatever it returns,
/// `JSONDecoder` returns too (equal), and whatever it cannot vouch for it leaves to `JSONDecoder`.
@Suite struct FastJSONTests {
    /// The reader reads a document where it lies, also a slice of a larger buffer: exactly the slice's bytes, no
    /// byte before or after it.
    @Test func documentBytesAreReadInPlaceExactlyFromSlices() {
        let whole = Data(#"[1,2]["a"]{"x":[3]}"#.utf8)
        for start in 0..<whole.count {
            for end in start...whole.count {
                let slice = whole[start..<end]
                #expect(FastJSON.decode([Int].self, from: slice) ?? nil == Self.foundation([Int].self, slice) ?? nil)
                #expect(
                    FastJSON.decode([String].self, from: slice) ?? nil == Self.foundation([String].self, slice) ?? nil
                )
            }
        }
        #expect(FastJSON.decode([Int].self, from: Data("xx[1,2]".utf8).dropFirst(2)) == [1, 2])
    }

    /// Six members in one object, read by a type that asks for them in declaration order.
    struct Six: Codable, Hashable {
        var a: String
        var bb: Int
        var ccc: [String]
        var dd: Bool?
        var e: CivilDate
        var ffffff: Int64
    }

    /// A keyed container finds every key whatever the members' order (it looks after the member found last first,
    /// then from the start), in nested objects too, and equals `JSONDecoder` on every permutation.
    @Test func keysAreFoundInEveryMemberOrder() throws {
        let members = [
            #""a":"x""#, #""bb":-3"#, #""ccc":["p","q"]"#, #""dd":null"#, #""e":"2026-02-03""#, #""ffffff":7"#,
        ]
        func permutations(_ items: [String]) -> [[String]] {
            guard items.count > 1 else { return [items] }
            return items.indices.flatMap { index in
                var rest = items
                let first = rest.remove(at: index)
                return permutations(rest).map { [first] + $0 }
            }
        }
        var checked = 0
        for order in permutations(members) {
            let object = "{" + order.joined(separator: ",") + "}"
            // The same object twice and nested, so that a member found in one object never steers the search in
            // another.
            let data = Data("[\(object),{\"outer\":\(object)}]".utf8)
            struct Outer: Codable, Hashable { var outer: Six }
            struct Pair: Decodable, Hashable {
                var first: Six
                var second: Outer
                init(from decoder: any Decoder) throws {
                    var container = try decoder.unkeyedContainer()
                    first = try container.decode(Six.self)
                    second = try container.decode(Outer.self)
                }
            }
            let fast = try #require(FastJSON.decode(Pair.self, from: data))
            #expect(fast == Self.foundation(Pair.self, data))
            #expect(fast.first.ccc == ["p", "q"] && fast.second.outer.ffffff == 7)
            checked += 1
        }
        #expect(checked == 720)
    }

    /// A key that occurs twice in an object a type reads is declined, also when the type does not ask for that
    /// key (the keys are checked once when the container is made); the general decoder's answer stands.
    @Test(arguments: [
        #"{"a":"x","bb":1,"ccc":[],"e":"2026-02-03","ffffff":7,"a":"y"}"#,
        #"{"a":"x","bb":1,"ccc":[],"e":"2026-02-03","ffffff":7,"zz":1,"zz":2}"#,
        #"{"a":"x","bb":1,"ccc":[],"e":"2026-02-03","ffffff":7,"z\u007a":1,"zz":2}"#,
        #"{"a":"x","bb":1,"ccc":[],"e":"2026-02-03","ffffff":7,"":1,"":2}"#,
    ])
    func repeatedKeysAreDeclined(_ text: String) {
        let data = Data(text.utf8)
        #expect(FastJSON.decode(Six.self, from: data) == nil)
        #expect((try? PublicDataJSON.decode(Six.self, from: data)) == Self.foundation(Six.self, data))
    }

    /// Arrays are read element by element from the tape (not through an unkeyed container): arrays of optionals,
    /// of arrays, of objects and empty ones read as `JSONDecoder` reads them, and an element the reader declines
    /// declines the whole document.
    @Test func arraysOfEveryShapeMatchJSONDecoder() throws {
        struct Shapes: Codable, Hashable {
            var optionals: [Int?]
            var nested: [[String]]
            var objects: [Six]
            var empty: [Bool]
            var days: [CivilDate]
        }
        let six = #"{"a":"x","bb":1,"ccc":["c"],"e":"2026-02-03","ffffff":7}"#
        let head = #"{"optionals":[1,null,-2],"nested":[[],["a","b"],["\u00e9"]],"objects":["#
        let tail = #"],"empty":[],"days":["2026-01-31","2024-02-29"]}"#
        let text: String = head + six + "," + six + tail
        let data = Data(text.utf8)
        let fast = try #require(FastJSON.decode(Shapes.self, from: data))
        #expect(fast == Self.foundation(Shapes.self, data))
        #expect(fast.optionals == [1, nil, -2] && fast.objects.count == 2 && fast.days.count == 2)
        for declined in [#"[1,2.5]"#, #"[1,"2"]"#, #"[[1],{}]"#] {
            #expect(FastJSON.decode([[Int]].self, from: Data(declined.utf8)) == nil, "\(declined)")
        }
        #expect(FastJSON.decode([[Int]].self, from: Data("[[1],[],[2,3]]".utf8)) == [[1], [], [2, 3]])
    }

    /// A large object (a dictionary's entries) is checked for repeated keys through a set, not pair by pair: 20,000
    /// entries read as `JSONDecoder` reads them, and one repeated entry declines the document.
    @Test func largeObjectsAreCheckedForRepeatsInLinearTime() throws {
        let entries = (0..<20_000).map { #""k\#($0)":\#($0)"# }
        let data = Data(("{" + entries.joined(separator: ",") + "}").utf8)
        let fast = try #require(FastJSON.decode([String: Int].self, from: data))
        #expect(fast.count == 20_000 && fast == Self.foundation([String: Int].self, data))
        let repeated = Data(("{" + entries.joined(separator: ",") + #","k7":8}"#).utf8)
        #expect(FastJSON.decode([String: Int].self, from: repeated) == nil)
    }

    /// Distinct keys, escaped or not, of the same length or not, are not taken for repeats.
    @Test func distinctKeysAreNotTakenForRepeats() throws {
        let data = Data(#"{"a":"x","bb":1,"ccc":[],"e":"2026-02-03","ffffff":7,"zy":1,"yz":2,"\u0079y":3,"":4}"#.utf8)
        let fast = try #require(FastJSON.decode(Six.self, from: data))
        #expect(fast == Self.foundation(Six.self, data))
    }

    enum Color: String, Codable, Hashable { case red, green }

    struct Inner: Codable, Hashable {
        var name: String
        var tags: [String]
        var weight: Double?
    }

    /// One field of every kind the library's payloads use.
    struct Sample: Codable, Hashable {
        var text: String
        var count: Int
        var big: Int64
        var small: UInt8
        var ratio: Double
        var flag: Bool
        var at: Date
        var day: CivilDate
        var color: Color
        var optional: String?
        var list: [Int]
        var nested: [Inner]
        var table: [String: Int]
        var money: Money
    }

    static let sample = Sample(
        text: "税务 \"quoted\" / back\\slash \u{1F600} tab\t",
        count: -42,
        big: 9_007_199_254_740_993,
        small: 255,
        ratio: 0.1,
        flag: true,
        at: Date(millisecondsSince1970: 1_772_413_200_123),
        day: CivilDate(year: 2026, month: 3, day: 1)!,
        color: .green,
        optional: nil,
        list: [1, 2, 3],
        nested: [Inner(name: "a", tags: [], weight: 1.5e-3), Inner(name: "", tags: ["x", "y"], weight: nil)],
        table: ["one": 1, "two": 2],
        money: Money(fen: 1250)
    )

    /// Decodes with `JSONDecoder` in the library's style, or `nil`.
    static func foundation<T: Decodable>(_ type: T.Type, _ data: Data) -> T? {
        try? PublicDataJSON.makeDecoder().decode(type, from: data)
    }

    @Test func decodesEveryKindOfFieldLikeJSONDecoder() throws {
        let data = try PublicDataJSON.encode(Self.sample)
        let fast = try #require(FastJSON.decode(Sample.self, from: data))
        #expect(fast == Self.sample)
        #expect(fast == Self.foundation(Sample.self, data))
    }

    /// Documents at the edge of the grammar: the fast reader either agrees with `JSONDecoder` or steps aside.
    @Test(arguments: [
        #"{"a":1,"a":2}"#,  // a repeated key
        #"{"a":1.0}"#,  // a fraction for an integer
        #"{"a":1e2}"#,  // an exponent for an integer
        #"{"a":-0}"#,
        #"{"a":01}"#,
        #"{"a":9223372036854775808}"#,
        #"{"a":-9223372036854775808}"#,
        #"{"a":"1"}"#,
        #"{"a":true}"#,
        #"{"a":null}"#,
        #"{}"#,
        #" { "a" : 7 } "#,
        #"{"a":7,}"#,
        #"{"a":7}x"#,
        "\u{FEFF}{\"a\":7}",
        #"{"a":7,"b":"\ud83d\ude00"}"#,
        #"{"a":7,"b":"\ud83d"}"#,
        #"{"a":7,"b":"\ude00x"}"#,
        #"{"a":7,"b":"\u0000"}"#,
        #"{"a":7,"b":"\q"}"#,
        "{\"a\":7,\"b\":\"\t\"}",
        #"{"\u0061":7}"#,
        #"{"a":NaN}"#,
        #"{"a":7"#,
        #"[{"a":7}]"#,
        #"7"#,
    ])
    func edgeDocumentsAgreeWithJSONDecoder(text: String) {
        struct A: Codable, Hashable {
            var a: Int
            var b: String?
        }
        let data = Data(text.utf8)
        if let fast = FastJSON.decode(A.self, from: data) {
            #expect(fast == Self.foundation(A.self, data), "fast reader accepted \(text)")
        }
        let viaLibrary = try? PublicDataJSON.decode(A.self, from: data)
        #expect(viaLibrary == Self.foundation(A.self, data))
    }

    @Test func invalidUTF8IsLeftToJSONDecoder() {
        var bytes = Array(#"{"a":7,"b":"x"}"#.utf8)
        bytes[12] = 0xC0  // an overlong lead byte inside the string
        #expect(FastJSON.decode([String: String].self, from: Data(bytes)) == nil)
        bytes[12] = 0xED  // a surrogate's lead byte followed by a quote
        #expect(FastJSON.decode([String: String].self, from: Data(bytes)) == nil)
    }

    @Test func deepNestingIsLeftToJSONDecoder() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(FastJSON.decode([[Int]].self, from: Data(deep.utf8)) == nil)
    }

    /// A type that catches a failed attempt and tries another reading must not see the fast reader's own
    /// refusals as answers.
    @Test func aCaughtRefusalStillFallsBack() {
        struct Flexible: Decodable, Hashable {
            var value: String
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Int.self) {
                    value = "int \(number)"
                } else {
                    value = "double \(try container.decode(Double.self))"
                }
            }
        }
        let data = Data(#"[1.0e0]"#.utf8)
        #expect(FastJSON.decode([Flexible].self, from: data) == nil)
        #expect((try? PublicDataJSON.decode([Flexible].self, from: data)) == Self.foundation([Flexible].self, data))
    }

    /// Thousands of mutated documents: the fast reader's every answer equals `JSONDecoder`'s.
    @Test func mutatedDocumentsNeverDisagree() throws {
        let original = Array(try PublicDataJSON.encode(Self.sample))
        let alphabet = Array(#"{}[]",:0123456789-+.eE\"/ntfrul \#u{00}"#.utf8) + [0xC3, 0xA9, 0xFF, 0x80]
        var generator = SplitMix(seed: 0x5EED)
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
            if let fast = FastJSON.decode(Sample.self, from: data) {
                accepted += 1
                #expect(fast == Self.foundation(Sample.self, data), "\(String(decoding: bytes, as: UTF8.self))")
            }
        }
        // Some mutations (inside strings, digits) stay valid: the comparison is not vacuous.
        #expect(accepted > 100)
    }

    /// Strings are scanned eight bytes at a time: a byte that needs a look (quote, backslash, control character,
    /// anything above 0x7F) at every offset of strings of every length up to three words is found, and the answer
    /// equals `JSONDecoder`'s (including its refusals of raw control characters and broken UTF-8).
    @Test func everyByteThatNeedsALookIsFoundAtEveryOffset() {
        struct ABC: Codable, Hashable {
            var a: Int
            var b: String
            var c: String
        }
        let specials: [[UInt8]] = [
            Array(#"\""#.utf8), Array(#"\\"#.utf8), Array(#"\n"#.utf8), Array(#"\u00e9"#.utf8), [0x00], [0x09], [0x1F],
            [0x7F], Array("é".utf8), Array("税".utf8), Array("\u{1F600}".utf8), [0xC3], [0xFF], [0x22], [0x5C],
        ]
        var checked = 0
        for length in 0...24 {
            for offset in 0...length {
                for special in specials {
                    var text = Array(repeating: UInt8(ascii: "a"), count: length)
                    text.insert(contentsOf: special, at: offset)
                    let data = Data(Array(#"{"a":1,"b":""#.utf8) + text + Array(#"","c":"x"}"#.utf8))
                    let reference = Self.foundation(ABC.self, data)
                    if let fast = FastJSON.decode(ABC.self, from: data) {
                        #expect(fast == reference, "\(text)")
                    }
                    #expect((try? PublicDataJSON.decode(ABC.self, from: data)) == reference, "\(text)")
                    checked += 1
                }
            }
        }
        #expect(checked > 4_000)
    }

    /// A type that walks an unkeyed container by hand (count, index, `decodeNil`, nested containers) and reads the
    /// decoder's user info reads the same on the fast path as with `JSONDecoder`.
    @Test func unkeyedContainersAndUserInfoBehaveAsJSONDecoders() throws {
        struct Walk: Decodable, Hashable {
            static let scale = CodingUserInfoKey(rawValue: "scale")!
            var seen: [String] = []

            init(from decoder: any Decoder) throws {
                var container = try decoder.unkeyedContainer()
                seen.append("count \(container.count ?? -1) scale \(decoder.userInfo[Walk.scale] as? Int ?? 0)")
                while !container.isAtEnd {
                    let index = container.currentIndex
                    if try container.decodeNil() {
                        seen.append("\(index): nil")
                    } else {
                        var nested = try container.nestedUnkeyedContainer()
                        var inner: [String] = []
                        while !nested.isAtEnd { inner.append(try nested.decode(String.self)) }
                        seen.append("\(index): \(inner) at \(nested.currentIndex) of \(nested.count ?? -1)")
                    }
                }
                seen.append("end at \(container.currentIndex)")
            }
        }
        struct Outer: Decodable, Hashable {
            var walks: [Walk]
        }
        let data = Data(#"{"walks":[[null,["x","y"],[],null,["z"]],[],[null]]}"#.utf8)
        let decoder = PublicDataJSON.makeDecoder()
        decoder.userInfo[Walk.scale] = 7
        let reference = try decoder.decode(Outer.self, from: data)
        let fast = try #require(FastJSON.decode(Outer.self, from: data, userInfo: [Walk.scale: 7]))
        #expect(fast == reference)
        #expect(fast.walks[0].seen.first == "count 5 scale 7")
        #expect(fast.walks[0].seen.last == "end at 5")
    }
}

/// The fast writer produces exactly `JSONEncoder`'s bytes, or steps aside.
@Suite struct FastJSONWriterTests {
    struct Texts: Codable, Hashable {
        var value: String
        var keyed: [String: String]
    }

    static func foundation<T: Encodable>(_ value: T) throws -> Data {
        try PublicDataJSON.makeEncoder().encode(value)
    }

    @Test func writesEveryKindOfFieldAsJSONEncoderDoes() throws {
        var sample = FastJSONTests.sample
        sample.ratio = 0  // floating point is left to JSONEncoder; see below
        struct NoFloat: Codable {
            var text: String
            var count: Int
            var big: Int64
            var small: UInt8
            var flag: Bool
            var at: Date
            var day: CivilDate
            var color: FastJSONTests.Color
            var optional: String?
            var present: String?
            var list: [Int]
            var table: [String: Int]
            var money: Money
            var empty: [String: Int]
            var nothing: [Int]
        }
        let value = NoFloat(
            text: sample.text,
            count: sample.count,
            big: sample.big,
            small: sample.small,
            flag: sample.flag,
            at: sample.at,
            day: sample.day,
            color: sample.color,
            optional: nil,
            present: "x",
            list: sample.list,
            table: ["b": 2, "a": 1, "B": 3, "é": 4, "ab": 5],
            money: sample.money,
            empty: [:],
            nothing: []
        )
        let fast = try #require(FastJSON.encode(value))
        #expect(fast == (try Self.foundation(value)))
    }

    /// Every control character, quotes, backslashes, slashes and non-ASCII text escape as `JSONEncoder` does;
    /// keys sort by their UTF-8 bytes.
    @Test func escapesAndKeyOrderMatch() throws {
        let all = String((0..<0x80).map { Character(Unicode.Scalar(UInt8($0))) }) + "/\\\"税\u{1F600}\u{7F}"
        let value = Texts(value: all, keyed: [all: "k", "Z": "z", "a": "a", "\u{1F600}": "e", "": "empty"])
        let fast = try #require(FastJSON.encode(value))
        #expect(fast == (try Self.foundation(value)))
    }

    @Test(arguments: [0.1, 1e300, -0.0, 3.0])
    func floatingPointIsLeftToJSONEncoder(number: Double) {
        #expect(FastJSON.encode(["x": number]) == nil)
        #expect((try? PublicDataJSON.encode(["x": number])) == (try? Self.foundation(["x": number])))
    }

    @Test func outOfRangeInstantsAreLeftToJSONEncoder() {
        let far = Date(millisecondsSince1970: PublicDataJSON.latestInstantMilliseconds + 1)
        #expect(FastJSON.encode([far]) == nil)
        #expect(throws: EncodingError.self) { try PublicDataJSON.encode([far]) }
    }

    /// Random strings and tables: the writer's bytes always equal `JSONEncoder`'s.
    @Test func randomDocumentsMatch() throws {
        var generator = SplitMix(seed: 42)
        let pieces = ["a", "B", "\u{0}", "\n", "\"", "\\", "/", "é", "税", "\u{1F600}", "0", " ", "\u{1F}", "\u{7F}"]
        func text() -> String {
            (0..<Int(generator.next() % 6)).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
        }
        for _ in 0..<500 {
            var table: [String: String] = [:]
            for _ in 0..<Int(generator.next() % 5) { table[text()] = text() }
            let value = Texts(value: text(), keyed: table)
            #expect(FastJSON.encode(value) == (try Self.foundation(value)))
        }
    }
}

/// A small deterministic generator (SplitMix64) for reproducible mutations.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
