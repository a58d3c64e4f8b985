import Foundation
import PublicDataAudit
import Testing

struct TraceTests {
    static let agency = Principal(party: "bj-agency", role: .implementingAgency, person: "wang")
    static let op = Principal(party: "op-1", role: .operator, person: "zhao")

    static func recorded(
        _ position: Int64,
        _ stream: String,
        _ type: String,
        _ payload: String,
        actor: Principal?,
        policy: String? = nil,
        day: Int64 = 0
    ) -> RecordedEvent {
        RecordedEvent(
            id: EventID("e\(position)"),
            streamID: StreamID(stream),
            streamVersion: 1,
            globalPosition: position,
            type: type,
            occurredAt: Date(millisecondsSince1970: 1_780_000_000_000 + day * 86_400_000),
            actor: actor,
            payload: Data(payload.utf8),
            metadata: EventMetadata(policyVersion: policy)
        )
    }

    static let log: [RecordedEvent] = [
        recorded(1, "plan-p1", "plan.approved", #"{"catalogEntryIDs":["c1","c2","c3"]}"#, actor: agency, day: 0),
        recorded(
            2,
            "agreement-a1",
            "agreement.signed",
            #"{"planID":"p1","catalogEntryIDs":["c1","c2"]}"#,
            actor: agency,
            policy: "authorization@3",
            day: 1
        ),
        recorded(
            3,
            "data-request-r1",
            "data_request.approved",
            #"{"agreementID":"a1","catalogEntryID":"c1","scenarioID":"s1"}"#,
            actor: agency,
            policy: "request@2",
            day: 2
        ),
        recorded(
            4,
            "product-x",
            "product.filed",
            #"{"agreementID":"a1","dataRequestID":"r1","catalogEntryIDs":["c1"]}"#,
            actor: op,
            day: 3
        ),
        recorded(
            5,
            "usage-1",
            "usage.recorded",
            #"{"productID":"x","catalogEntryID":"c1","calls":5}"#,
            actor: op,
            day: 4
        ),
        recorded(
            6,
            "agreement-a2",
            "agreement.signed",
            #"{"planID":"p1","catalogEntryIDs":["c3"]}"#,
            actor: agency,
            day: 5
        ),
        recorded(7, "misc", "note", "not json", actor: nil, day: 6),
        recorded(8, "misc", "note", #"{"productID":42,"agreementIDs":["a2",""]}"#, actor: op, day: 7),
    ]

    @Test func findsReferencesByTheDocumentedConvention() {
        let convention = TraceConvention.standard
        #expect(
            convention.references(in: Self.log[3]) == [
                TraceReference(.agreement, "a1"), TraceReference(.catalogEntry, "c1"),
                TraceReference(.dataRequest, "r1"), TraceReference(.product, "x"),
            ]
        )
        #expect(convention.references(in: Self.log[6]).isEmpty)
        #expect(convention.references(in: Self.log[7]) == [TraceReference(.agreement, "a2")])
        let custom = TraceConvention(payloadKeys: ["calls": "metric"])
        #expect(custom.references(in: Self.log[4]).isEmpty, "numbers are not identifiers")
        let renamed = TraceConvention(payloadKeys: ["productID": .product], streamPrefixes: ["usage-": "usage"])
        #expect(renamed.references(in: Self.log[4]) == [TraceReference(.product, "x"), TraceReference("usage", "1")])
    }

    @Test func productProvenanceReachesEntriesAgreementPlanAndDecisions() {
        let index = TraceIndex(events: Self.log)
        let trace = index.provenance(ofProduct: "x")
        #expect(trace.agreements == ["a1"])
        #expect(trace.plans == ["p1"])
        #expect(trace.catalogEntries == ["c1", "c2"])
        #expect(trace.dataRequests == ["r1"])
        #expect(trace.events.map(\.globalPosition) == [1, 2, 3, 4, 5, 6])
        #expect(trace.policyDecisions.map(\.policyVersion) == ["authorization@3", "request@2"])
        #expect(index.provenance(ofProduct: "unknown").events.isEmpty)
    }

    @Test func catalogEntryUsageListsGrantsProductsAndUses() {
        let index = TraceIndex(events: Self.log)
        let usage = index.usage(ofCatalogEntry: "c1")
        #expect(usage.agreements == ["a1"])
        #expect(usage.products == ["x"])
        #expect(usage.dataRequests == ["r1"])
        #expect(usage.scenarios == ["s1"])
        #expect(usage.events.map(\.globalPosition) == [1, 2, 3, 4, 5])
        #expect(index.usage(ofCatalogEntry: "c3").agreements == ["a2"])
        #expect(index.related(to: TraceReference(.catalogEntry, "c3")).contains(TraceReference(.plan, "p1")))
    }

    @Test func actorActivityInAPeriod() async throws {
        let store = InMemoryEventStore()
        for event in Self.log {
            _ = try await store.append([event.proposed], to: event.streamID, expectedVersion: .any)
        }
        let index = try await TraceIndex.build(from: store)
        #expect(index.events.count == Self.log.count)
        let start = Date(millisecondsSince1970: 1_780_000_000_000 + 86_400_000)
        let end = Date(millisecondsSince1970: 1_780_000_000_000 + 5 * 86_400_000)
        #expect(index.activity(of: "bj-agency", from: start, to: end).map(\.id) == ["e2", "e3"])
        #expect(index.activity(of: "op-1", from: start, to: end).map(\.id) == ["e4", "e5"])
        #expect(index.activity(of: "op-1", person: "nobody", from: start, to: end).isEmpty)
        #expect(index.activity(of: "bj-agency", from: end, to: start).isEmpty)
    }
}
