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
}
