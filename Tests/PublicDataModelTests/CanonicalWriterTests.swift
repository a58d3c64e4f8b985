import Foundation
import Testing

@testable import PublicDataModel

/// The one-pass writer behind `FastJSON.encode` on the container patterns `Encodable` allows: where it writes,
/// its bytes are `JSONEncoder`'s; where `JSONEncoder` would decide differently (a key written twice, a container
/// written after its value was finished), it gives up and `PublicDataJSON.encode` still answers as `JSONEncoder`.
@Suite struct CanonicalWriterTests {
    enum Key: String, CodingKey { case zeta, alpha, mid, list, inner, a, b }

    /// How a test value drives its encoder.
    enum Pattern: String, CaseIterable, Sendable {
        /// Members written in reverse key order, nested containers finished before the next member.
        case unsortedWithNested
        /// A nested keyed container written to again after a later member of its parent (the writer gives up).
        case nestedWrittenAfterParent
        /// The same key written twice: the last value is kept, as `JSONEncoder` does.
        case duplicateKey
        /// A key written as a value, then opened again as a nested container (`JSONEncoder` merges; the writer
        /// gives up).
        case duplicateKeyAsContainer
        /// `container(keyedBy:)` asked twice for one value: both write into one object.
        case containerAskedTwice
        /// A member whose value encodes nothing: `{}`.
        case emptyValue
        /// A nested unkeyed container of keyed containers, each written in full, then a later member.
        case arrayOfObjects
        /// A keyed container inside a single value wrapper.
        case wrapped
    }

    struct Nothing: Encodable {
        func encode(to encoder: any Encoder) throws {}
    }

    struct Inner: Encodable {
        var b: Int
        var a: String
    }

    struct Wrapper: Encodable {
        var inner: Inner
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(inner)
        }
    }

    struct Driven: Encodable {
        var pattern: Pattern

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            switch pattern {
            case .unsortedWithNested:
                try container.encode("z", forKey: .zeta)
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: .mid)
                try nested.encode(2, forKey: .b)
                try nested.encode(1, forKey: .a)
                var list = container.nestedUnkeyedContainer(forKey: .list)
                try list.encode(-12)
                try list.encode(Int64.min)
                try list.encode(UInt64.max)
                try container.encode(true, forKey: .alpha)
            case .nestedWrittenAfterParent:
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: .mid)
                try nested.encode(1, forKey: .a)
                try container.encode("z", forKey: .zeta)
                try nested.encode(2, forKey: .b)
            case .duplicateKey:
                try container.encode("first", forKey: .alpha)
                try container.encode(Inner(b: 1, a: "x"), forKey: .zeta)
                try container.encode("second", forKey: .alpha)
                try container.encode(0, forKey: .b)
            case .duplicateKeyAsContainer:
                try container.encode(Inner(b: 1, a: "x"), forKey: .inner)
                var nested = container.nestedContainer(keyedBy: Key.self, forKey: .inner)
                try nested.encode(2, forKey: .zeta)
            case .containerAskedTwice:
                try container.encode("z", forKey: .zeta)
                var again = encoder.container(keyedBy: Key.self)
                try again.encode("a", forKey: .alpha)
            case .emptyValue:
                try container.encode(Nothing(), forKey: .mid)
                try container.encode([Nothing()], forKey: .list)
            case .arrayOfObjects:
                var list = container.nestedUnkeyedContainer(forKey: .list)
                for index in 0..<3 {
                    var element = list.nestedContainer(keyedBy: Key.self)
                    try element.encode(index, forKey: .zeta)
                    try element.encode("x\(index)", forKey: .alpha)
                }
                try container.encode(Inner(b: 1, a: "\u{1}\"/"), forKey: .inner)
                try container.encodeNil(forKey: .a)
            case .wrapped:
                try container.encode(Wrapper(inner: Inner(b: 3, a: "w")), forKey: .inner)
                try container.encode([Wrapper(inner: Inner(b: 4, a: "v"))], forKey: .list)
            }
        }
    }

    static let givesUp: Set<Pattern> = [.nestedWrittenAfterParent, .duplicateKeyAsContainer]

    @Test(arguments: Pattern.allCases)
    func writesAsJSONEncoderOrGivesUp(pattern: Pattern) throws {
        let value = Driven(pattern: pattern)
        let foundation = try PublicDataJSON.makeEncoder().encode(value)
        let fast = FastJSON.encode(value)
        if Self.givesUp.contains(pattern) {
            #expect(fast == nil)
        } else {
            #expect(fast == foundation, "\(String(decoding: fast ?? Data(), as: UTF8.self))")
        }
        #expect(try PublicDataJSON.encode(value) == foundation)
    }

    /// A writer is used once per document: a second document starts from an empty state.
    @Test func documentsDoNotShareState() throws {
        let first = try #require(FastJSON.encode(Driven(pattern: .unsortedWithNested)))
        let second = try #require(FastJSON.encode(Driven(pattern: .unsortedWithNested)))
        #expect(first == second)
        #expect(
            String(decoding: first, as: UTF8.self)
                == #"{"alpha":true,"list":[-12,-9223372036854775808,18446744073709551615],"mid":{"a":1,"b":2},"zeta":"z"}"#
        )
    }

    /// Writers reuse the buffers of earlier documents: whatever an earlier document left (a larger document, one
    /// the writer gave up on, one that failed half-way), the next document's bytes are `JSONEncoder`'s.
    @Test func aReusedStateWritesEachDocumentAfresh() throws {
        struct Failing: Encodable {
            struct Failure: Error {}
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: Key.self)
                try container.encode("left over", forKey: .zeta)
                var list = container.nestedUnkeyedContainer(forKey: .list)
                try list.encode(1)
                throw Failure()
            }
        }
        let large = (0..<500).map { "member-\($0)" }
        let small = Driven(pattern: .unsortedWithNested)
        let expected = try PublicDataJSON.makeEncoder().encode(small)
        for earlier in 0..<4 {
            for _ in 0..<(CanonicalWriterPool.capacity + 2) {
                switch earlier {
                case 0: _ = FastJSON.encode(large)
                case 1: _ = FastJSON.encode(Driven(pattern: .nestedWrittenAfterParent))
                case 2: #expect(FastJSON.encode(Failing()) == nil)
                default: _ = FastJSON.encode(["x": 1.5])
                }
            }
            #expect(FastJSON.encode(small) == expected)
            #expect(CanonicalWriterPool.spareCount <= CanonicalWriterPool.capacity)
        }
    }

    /// The buffers of a document larger than the pool keeps are released, not kept.
    @Test func largeDocumentsAreNotKept() {
        var large = CanonicalWriterState()
        large.bytes.append(
            contentsOf: repeatElement(UInt8(ascii: "x"), count: CanonicalWriterPool.largestKeptDocument + 1)
        )
        #expect(!CanonicalWriterPool.keeps(large))
        #expect(CanonicalWriterPool.keeps(CanonicalWriterState()))
    }

    /// Keys that share their first eight bytes, are prefixes of each other, are shorter than eight bytes, hold
    /// NUL or non-ASCII bytes, or repeat: members come out in `JSONEncoder`'s order (by UTF-8 bytes).
    @Test(arguments: [
        ["abcdefghZ", "abcdefghA", "abcdefgh", "abcdefg", "abcdefgi", "b", "a"],
        ["agreementIDs", "agreementID", "agencyID", "applicantID", "agreement"],
        ["\u{0}", "", "\u{0}\u{0}", "a\u{0}", "a"],
        ["é", "e", "z", "日本", "ÿ", "\u{7F}"],
        ["k", "k"],
    ])
    func membersComeOutInByteOrder(keys: [String]) throws {
        struct Members: Encodable {
            struct AnyKey: CodingKey {
                var stringValue: String
                var intValue: Int? { nil }
                init(stringValue: String) { self.stringValue = stringValue }
                init?(intValue: Int) { nil }
            }
            var keys: [String]
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: AnyKey.self)
                for (offset, key) in keys.enumerated() {
                    try container.encode(offset, forKey: AnyKey(stringValue: key))
                }
            }
        }
        let value = Members(keys: keys)
        let foundation = try PublicDataJSON.makeEncoder().encode(value)
        let fast = try #require(FastJSON.encode(value))
        #expect(fast == foundation, "\(String(decoding: fast, as: UTF8.self))")
    }
}
