import Foundation
import PublicDataAudit
import Testing

struct CanonicalEventTests {
    static let event = RecordedEvent(
        id: "e1",
        streamID: "s",
        streamVersion: 2,
        globalPosition: 258,
        type: "t",
        occurredAt: Date(millisecondsSince1970: 1000),
        actor: Principal(party: "p", role: .operator, person: "x"),
        payload: Data("{}".utf8),
        metadata: EventMetadata(correlationID: "c", causationID: nil, policyVersion: nil)
    )

    @Test func goldenBytesAreStable() throws {
        let bytes = try CanonicalEventEncoding.encode(Self.event)
        let expected =
            "01" + "0000000000000102" + "00000002" + "6531" + "00000001" + "73" + "0000000000000002"
            + "00000001" + "74" + "00000000000003e8" + "01" + "00000001" + "70" + "00000008"
            + "6f70657261746f72" + "00000001" + "78" + "01" + "00000001" + "63" + "00" + "00" + "00000002" + "7b7d"
        #expect(LedgerHash(bytes: bytes).hex == expected)
    }

    @Test(arguments: 0..<12)
    func roundTrips(_ number: Int) throws {
        let proposed = Fixtures.event(number)
        let event = RecordedEvent(
            id: proposed.id,
            streamID: StreamID("stream-\(number)"),
            streamVersion: Int64(number + 1),
            globalPosition: Int64(number * 7 + 1),
            type: proposed.type,
            occurredAt: proposed.occurredAt,
            actor: proposed.actor,
            payload: proposed.payload,
            metadata: proposed.metadata
        )
        let bytes = try CanonicalEventEncoding.encode(event)
        #expect(try CanonicalEventEncoding.decode(bytes) == event)
    }

    @Test func distinguishesAbsentFromEmpty() throws {
        var withEmpty = Self.event
        withEmpty.metadata.causationID = ""
        #expect(try CanonicalEventEncoding.encode(withEmpty) != CanonicalEventEncoding.encode(Self.event))
        var noActor = Self.event
        noActor.actor = nil
        #expect(try CanonicalEventEncoding.encode(noActor) != CanonicalEventEncoding.encode(Self.event))
        #expect(try CanonicalEventEncoding.decode(CanonicalEventEncoding.encode(noActor)) == noActor)
    }

    @Test func strictReaderRejectsMalformedBytes() throws {
        let good = try CanonicalEventEncoding.encode(Self.event)
        var badVersion = good
        badVersion[0] = 2
        var badMarker = good
        badMarker[good.count - 7] = 7  // the policy-version marker
        var badRole = good
        badRole[48] = UInt8(ascii: "O")  // "operator" -> "Operator"
        var badUTF8 = good
        badUTF8[17] = 0xff  // inside the event id
        let cases: [[UInt8]] = [[], badVersion, badMarker, badRole, badUTF8, good + [0], Array(good.dropLast())]
        for bytes in cases {
            #expect(throws: AuditError.self) { try CanonicalEventEncoding.decode(bytes) }
        }
    }
}

/// Strict canonical bytes: every decoded entry re-encodes to exactly the bytes it came from.
struct CanonicalRoundTripPropertyTests {
    @Test func everyDecodedMutationReEncodesExactly() throws {
        var generator = SystemRandomNumberGenerator()
        var decoded = 0
        for number in 0..<40 {
            let proposed = Fixtures.event(number)
            let event = RecordedEvent(
                id: proposed.id,
                streamID: "s",
                streamVersion: Int64(number + 1),
                globalPosition: Int64(number * 3 + 1),
                type: proposed.type,
                occurredAt: proposed.occurredAt,
                actor: proposed.actor,
                payload: proposed.payload,
                metadata: proposed.metadata
            )
            let bytes = try CanonicalEventEncoding.encode(event)
            for _ in 0..<200 {
                var mutated = bytes
                let index = Int.random(in: 0..<mutated.count, using: &generator)
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
                guard let back = try? CanonicalEventEncoding.decode(mutated) else { continue }
                decoded += 1
                #expect(try CanonicalEventEncoding.encode(back) == mutated)
            }
        }
        #expect(decoded > 1000)
    }

    @Test(arguments: [Int64(1) << 53 + 1, -(Int64(1) << 60) - 1, Int64(1) << 62 + 3])
    func anInstantBeyondExactRangeIsRefused(_ milliseconds: Int64) throws {
        var bytes = try CanonicalEventEncoding.encode(
            RecordedEvent(
                id: "e",
                streamID: "s",
                streamVersion: 1,
                globalPosition: 1,
                type: "t",
                occurredAt: Date(millisecondsSince1970: 0),
                actor: nil,
                payload: Data(),
                metadata: EventMetadata()
            )
        )
        // Layout: version, position, id "e", stream "s", stream version, type "t", then occurred-at.
        let offset = 1 + 8 + 5 + 5 + 8 + 5
        for shift in 0..<8 {
            bytes[offset + shift] = UInt8(
                truncatingIfNeeded: UInt64(bitPattern: milliseconds) >> UInt64(56 - 8 * shift)
            )
        }
        #expect(throws: AuditError.self) { try CanonicalEventEncoding.decode(bytes) }
    }
}
