import Foundation
import PublicDataTesting
import Testing

@testable import PublicDataKit
@testable import PublicDataModel
@testable import PublicDataWorkflow

/// Issue 12 item 8: every event type of the lifecycle is read by the fast reader (no silent fallback on the
/// hot path), and what it reads equals what `JSONDecoder` reads from the same bytes.
@Suite struct FastCodecTests {
    @Test func everyRecordedEventDecodesOnTheFastPathAsJSONDecoderDoes() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        var types: Set<String> = []
        for event in try await world.log() {
            let kind = try #require(ProcessKind.of(event.streamID), "\(event.type)")
            try Self.compare(event, as: Processes.type(of: kind))
            types.insert(event.type)
        }
        #expect(types.count > 50)
    }

    /// The projection's one-pass reader reads every lifecycle payload (no fallback) as the `Decodable` path does,
    /// including the submitted requests' items; it declines what it cannot vouch for, and the general path answers.
    @Test func theProjectionReadsEveryPayloadInOnePassAsTheDecoderDoes() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        var withItems = 0
        for event in try await world.log() {
            let fast = try #require(ProjectionFields.fast(event.payload), "\(event.type)")
            let slow = try PublicDataJSON.makeDecoder().decode(ProjectionFields.self, from: event.payload)
            #expect(fast == slow, "\(event.type)")
            if fast.request?.items != nil { withItems += 1 }
        }
        #expect(withItems > 0)
        let declined: [String] = [
            #"{"agreementID":"agr-1","agreementID":"agr-2"}"#,  // a key read twice
            #"{"agreementID":7}"#,  // another shape
            #"{"catalogEntryIDs":["ent-1",2]}"#,
            #"{"operatorID":" leading space"}"#,  // an identifier the library refuses
            #"{"request":{"items":[{"entry":5}]}}"#,
            #"["agreementID"]"#,
        ]
        for text in declined { #expect(ProjectionFields.fast(Data(text.utf8)) == nil, "\(text)") }
        let read = try #require(
            ProjectionFields.fast(Data(#"{"request":"req-1","agreementID":null,"x":[{"y":1}]}"#.utf8))
        )
        #expect(read.request == nil && read.agreementID == nil)
    }

    /// Decodes `event` with the fast reader and with `JSONDecoder` and expects equal envelopes.
    private static func compare<P: WorkflowProcess>(_ event: RecordedEvent, as process: P.Type) throws {
        let kind = try #require(P.Event.Kind(rawValue: event.type))
        let fast = FastJSON.decode(
            EnvelopeCoding<P>.self,
            from: event.payload,
            userInfo: [EnvelopeCoding<P>.kindKey: kind]
        )
        let decoder = PublicDataJSON.makeDecoder()
        decoder.userInfo[EnvelopeCoding<P>.kindKey] = kind
        let reference = try decoder.decode(EnvelopeCoding<P>.self, from: event.payload)
        #expect(fast?.envelope == reference.envelope, "\(event.type) fell back or differs")
        #expect(fast?.closed == reference.closed, "\(event.type)")
    }

    /// Every event of the lifecycle and every command the scripts issue is written by the fast writer with
    /// exactly the bytes `JSONEncoder` writes (the ledger hashes these bytes; command keys hash the command's).
    @Test func everyPayloadAndCommandIsWrittenAsJSONEncoderWrites() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        let encoder = PublicDataJSON.makeEncoder()
        var checked = 0
        for event in try await world.log() {
            let kind = try #require(ProcessKind.of(event.streamID))
            let (fast, reference) = try Self.written(event, as: Processes.type(of: kind), encoder)
            #expect(fast == reference, "\(event.type)")
            #expect(fast == event.payload, "\(event.type)")
            checked += 1
        }
        #expect(checked > 60)
        for case .run(let command, _) in Scripts.lifecycle {
            #expect(FastJSON.encode(command) == (try encoder.encode(command)), "\(command.name)")
        }
    }

    private static func written<P: WorkflowProcess>(
        _ event: RecordedEvent,
        as process: P.Type,
        _ encoder: JSONEncoder
    ) throws -> (Data?, Data) {
        let envelope = try EventEnvelope<P>(decoding: event)
        let coding = EnvelopeCoding(envelope: envelope, closed: P.spec(envelope.event.kind).closes.map(\.rawValue))
        return (FastJSON.encode(coding), try encoder.encode(coding))
    }

    /// A stored payload that is not JSON still names the stream, version and problem (the fallback's error).
    @Test func aMalformedPayloadIsACorruptEventError() throws {
        let event = RecordedEvent(
            id: "e-1",
            streamID: "plan-p1",
            streamVersion: 3,
            globalPosition: 9,
            type: "plan.submitted",
            occurredAt: Date(millisecondsSince1970: 0),
            actor: Principal(party: "agency", role: .implementingAgency, person: "x"),
            payload: Data(#"{"planIDs":"#.utf8),
            metadata: EventMetadata()
        )
        #expect {
            _ = try EventEnvelope<PlanProcess>(decoding: event)
        } throws: { error in
            guard let error = error as? WorkflowError else { return false }
            return error.code == .corruptEvent && error.message.contains("plan-p1@3")
        }
    }
    /// The projection's reader finds its members by the names of ``ProjectionFields/CodingKeys``; an escaped key,
    /// which may spell one of them another way, leaves the document to the general path.
    @Test func theProjectionReaderTakesItsKeysFromTheCodingKeysAndDeclinesEscapedKeys() throws {
        let read = try #require(ProjectionFields.fast(Data(#"{"providerIDs":["p-1"],"deadlines":[]}"#.utf8)))
        #expect(read.providerIDs == ["p-1"] && read.deadlines == [])
        #expect(ProjectionFields.fast(Data(#"{"agreement\u0049D":"agr-1"}"#.utf8)) == nil)
        let slow = try PublicDataJSON.makeDecoder().decode(
            ProjectionFields.self,
            from: Data(#"{"agreement\u0049D":"agr-1"}"#.utf8)
        )
        #expect(slow.agreementID == "agr-1")
    }

    /// Instants written as the library writes them are read from the tape's bytes in place; every other spelling
    /// goes through `parseInstant`. Both answer exactly as `JSONDecoder` does, including for impossible dates.
    @Test(arguments: [
        "2026-03-02T01:00:00.000Z", "2024-02-29T23:59:59.999Z", "0001-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999Z",
        "1969-12-31T23:59:59.999Z", "2026-03-02T01:00:00Z", "2026-03-02T01:00:00.5Z", "2026-03-02T09:00:00.000+08:00",
        "2023-02-29T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-00-10T00:00:00.000Z", "0000-01-01T00:00:00.000Z",
        "2026-03-02T24:00:00.000Z", "2026-03-02T01:60:00.000Z", "2026-03-02T01:00:60.000Z", "2026-03-02 01:00:00.000Z",
        "2026-03-02T01:00:00.000z", "+026-03-02T01:00:00.000Z", "2026-3-02T01:00:00.000ZZ", "2026-03-02T01:00:00.0a0Z",
    ])
    func instantsDecodeOnTheFastPathAsJSONDecoderDoes(text: String) throws {
        struct Stamp: Decodable, Equatable {
            var at: Date
        }
        let data = Data(#"{"at":"\#(text)"}"#.utf8)
        let reference = try? PublicDataJSON.makeDecoder().decode(Stamp.self, from: data)
        let fast = FastJSON.decode(Stamp.self, from: data)
        #expect(fast == reference, "\(text)")
        if text.utf8.count == 24, text.hasSuffix("Z"), reference != nil { #expect(fast != nil, "\(text) fell back") }
    }

    /// Calendar days written as `YYYY-MM-DD` in digits are read from the tape's bytes in place; every other text
    /// goes through `CivilDate`'s own decoding. Both answer exactly as `JSONDecoder` does.
    @Test(arguments: [
        "2026-03-02", "2024-02-29", "0001-01-01", "9999-12-31", "2023-02-29", "0000-01-01", "2026-13-01", "2026-00-01",
        "2026-01-00", "2026-01-32", "+026-03-02", "2026-3-02", "2026-03-2x", " 2026-01-0", "2026/03/02", "2026-03-02Z",
    ])
    func civilDaysDecodeOnTheFastPathAsJSONDecoderDoes(text: String) throws {
        struct Day: Decodable, Equatable {
            var day: CivilDate
        }
        let data = Data(#"{"day":"\#(text)"}"#.utf8)
        let reference = try? PublicDataJSON.makeDecoder().decode(Day.self, from: data)
        let fast = FastJSON.decode(Day.self, from: data)
        #expect(fast == reference, "\(text)")
        if reference != nil { #expect(fast != nil, "\(text) fell back") }
    }

    /// Every instant of a wide range survives the library's writing and the fast reader's reading unchanged.
    @Test func formattedInstantsReadBackExactly() throws {
        var generator = SystemRandomNumberGenerator()
        let decoder = PublicDataJSON.makeDecoder()
        for _ in 0..<2_000 {
            let ms = Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)
            let data = Data(#"["\#(PublicDataJSON.formatInstant(Date(millisecondsSince1970: ms)))"]"#.utf8)
            let fast = try #require(FastJSON.decode([Date].self, from: data))
            #expect(fast == (try decoder.decode([Date].self, from: data)))
            #expect(fast.first?.millisecondsSince1970 == ms)
        }
    }

    /// A stored payload the projection reads but cannot decode is a `corruptEvent` naming the stream, its version,
    /// the event type and the JSON path of the problem (the general path's error), never a crash.
    @Test(arguments: [
        (#"{"agreementID":7}"#, "$.agreementID"),
        (#"{"agreementID":"agr-1","deadlines":[{"key":"k"}]}"#, "$.deadlines[0]"),
        (#"{"agreementID":"agr-1","catalogEntryIDs":["ent-1",""]}"#, "$.catalogEntryIDs[1]"),
        (#"{"agreementID":"agr-1""#, "$"),
    ])
    func aMalformedPayloadTheProjectionReadsIsACorruptEvent(payload: String, path: String) throws {
        let event = RecordedEvent(
            id: "e-1",
            streamID: "data-request-req-9",
            streamVersion: 1,
            globalPosition: 4,
            type: DataRequestProcess.Event.Kind.submitted.rawValue,
            occurredAt: Date(millisecondsSince1970: 0),
            actor: Principal(party: "op-1", role: .operator, person: "x"),
            payload: Data(payload.utf8),
            metadata: EventMetadata()
        )
        var projection = WorkflowProjection()
        #expect(ProjectionFields.fast(event.payload) == nil)
        #expect {
            try projection.apply(event)
        } throws: { error in
            guard let error = error as? WorkflowError else { return false }
            return error.code == .corruptEvent && error.stream == "data-request-req-9"
                && error.message.contains("data-request-req-9@1") && error.message.contains("dataRequest.submitted")
                && error.message.contains(path)
        }
    }

    /// The projection's instance id (the stream id after its process's prefix, read as bytes) is the one
    /// `ProcessKind.instanceID(of:)` gives, also when the id starts with a character that joins the prefix's.
    @Test(arguments: [
        "objection-obj-1", "data-request-req-1-c7", "objection-", "objection-\u{301}x", "product-é", "agreement-a b",
    ])
    func theReplayInstanceIDIsTheProcessKindsInstanceID(stream: String) throws {
        let id = StreamID(stream)
        let kind = try #require(ProcessKind.of(id))
        let fast = WorkflowProjection.instanceID(id, of: kind, prefixLength: kind.streamPrefix.utf8.count)
        // A stream whose id joins the prefix's last character is not the process's by `instanceID(of:)`; the projection
        // has always keyed it by the whole stream id.
        #expect(fast == kind.instanceID(of: id) ?? id.rawValue)
    }

    /// Open deadlines are kept by stream and key and still shown keyed `stream|key`: after every step of the
    /// lifecycle, a projection applied event by event and one rebuilt page by page agree, and each open deadline is
    /// listed once under its stream and key (a transition that closes a key closes it on its own stream only).
    @Test func openDeadlinesAreKeptByStreamAndKeyAtEveryStep() async throws {
        let world = World()
        var single = WorkflowProjection()
        var mostOpen = 0
        for step in Scripts.lifecycle {
            try await world.run([step])
            for event in try await world.store.readAll(after: single.position, pageSize: 1000) {
                try single.apply(event)
            }
            let paged = try await WorkflowProjection.rebuild(from: world.store, pageSize: 5)
            #expect(single == paged)
            let keys = paged.deadlines.map { "\($0.stream)|\($0.key)" }
            #expect(Set(paged.openDeadlines.keys) == Set(keys))
            #expect(keys.count == Set(keys).count)
            #expect(paged.openDeadlines.values.sorted() == paged.deadlines)
            mostOpen = max(mostOpen, keys.count)
        }
        #expect(mostOpen > 1)
    }

    /// A replay reads an in-memory store's pages in place (the runs its appends stored) and any other store's pages
    /// as copies: at every page size both give the same projection, which is the one applied event by event.
    @Test func aReplayInPlaceEqualsAReplayOfCopiedPages() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        let log = try await world.log()
        var single = WorkflowProjection()
        for event in log { try single.apply(event) }
        let copies = CopyingStore(inner: world.store)
        for pageSize in [1, 2, 3, 7, 4096] {
            let inPlace = try await WorkflowProjection.rebuild(from: world.store, pageSize: pageSize)
            let copied = try await WorkflowProjection.rebuild(from: copies, pageSize: pageSize)
            #expect(inPlace == copied)
            #expect(inPlace == single)
            #expect(inPlace.eventCount == log.count && inPlace.states == single.states)
        }
        #expect(single.states.count > 10)
    }

    /// A replay through the fast member reader equals a replay through `JSONDecoder` alone: the same log with every
    /// payload preceded by a space (which the member reader declines, so each payload the projection reads is decoded
    /// by the general path) gives an equal projection, event by event.
    @Test func theFastReplayEqualsAReplayThroughJSONDecoder() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        let log = try await world.log()
        var fast = WorkflowProjection()
        var general = WorkflowProjection()
        var mostOpen = 0
        for event in log {
            try fast.apply(event)
            var spaced = event
            spaced.payload = Data(" ".utf8) + event.payload
            #expect(ProjectionFields.fast(spaced.payload) == nil)
            try general.apply(spaced)
            #expect(fast == general, "\(event.type)")
            mostOpen = max(mostOpen, fast.deadlines.count)
        }
        #expect(fast.eventCount == log.count && mostOpen > 1)
    }

    /// The replay finds each event type's plan by the type's bytes: every event type of every process finds its own
    /// entry, and a name one byte longer, shorter or different finds nothing (unless it is another type's name).
    @Test func theNameTableFindsEveryEventTypeAndNothingElse() {
        let types = Processes.all.flatMap { $0.events.map(\.type) }
        let table = NameTable(types.enumerated().map { ($1, $0) })
        for (index, type) in types.enumerated() {
            #expect(table[type] == index)
            for other in [type + "x", String(type.dropLast()), String(type.dropFirst()), "x" + type.dropFirst()] {
                #expect(table[other] == types.firstIndex(of: other))
            }
        }
        let short = NameTable([("", 0), ("a", 1), ("ab", 2), ("abcdefg", 3), ("abcdefgh", 4), ("abcdefghi", 5)])
        for (name, value) in [("", 0), ("a", 1), ("ab", 2), ("abcdefg", 3), ("abcdefgh", 4), ("abcdefghi", 5)] {
            #expect(short[name] == value)
        }
        for name in ["b", "abc", "abcdefgj", "bbcdefgh", "é", "abcdefghij", "xabcdefghi"] {
            #expect(short[name] == nil)
        }
    }
}

/// A store that reads through another and hands out copied pages, as every store but the in-memory one does.
private struct CopyingStore: ForwardingEventStore {
    let base: any EventStore

    init(inner: any EventStore) {
        base = inner
    }
}
