import Foundation
import PublicDataModel
import Testing

/// `TraceKeys` stores only the keys that are set; its JSON, equality and merging are those of a struct with one
/// optional member per key.
struct TraceKeysTests {
    /// Sets `key` to `value` (one identifier, or a list for list keys) through its typed property.
    private static func set(_ key: TraceKey, _ values: [String]?, in trace: inout TraceKeys) {
        let one = values?.first
        switch key {
        case .planID: trace.planID = one.map { PlanID(rawValue: $0) }
        case .selectionID: trace.selectionID = one.map { SelectionID(rawValue: $0) }
        case .agreementID: trace.agreementID = one.map { AgreementID(rawValue: $0) }
        case .registrationID: trace.registrationID = one.map { RegistrationID(rawValue: $0) }
        case .dataRequestID: trace.dataRequestID = one.map { DataRequestID(rawValue: $0) }
        case .productID: trace.productID = one.map { ProductID(rawValue: $0) }
        case .scenarioID: trace.scenarioID = one.map { ScenarioID(rawValue: $0) }
        case .objectionID: trace.objectionID = one.map { ObjectionID(rawValue: $0) }
        case .evaluationID: trace.evaluationID = one.map { EvaluationID(rawValue: $0) }
        case .feedbackID: trace.feedbackID = one.map { FeedbackID(rawValue: $0) }
        case .catalogEntryIDs: trace.catalogEntryIDs = values?.map { CatalogEntryID(rawValue: $0) }
        case .pricePlanID: trace.pricePlanID = one.map { PricePlanID(rawValue: $0) }
        case .operatorID: trace.operatorID = one.map { PartyID(rawValue: $0) }
        case .agencyID: trace.agencyID = one.map { PartyID(rawValue: $0) }
        case .departmentIDs: trace.departmentIDs = values?.map { PartyID(rawValue: $0) }
        case .applicantID: trace.applicantID = one.map { PartyID(rawValue: $0) }
        case .providerIDs: trace.providerIDs = values?.map { PartyID(rawValue: $0) }
        }
    }

    private static func json(_ trace: TraceKeys) throws -> String {
        String(decoding: try PublicDataJSON.encode(trace), as: UTF8.self)
    }

    @Test(arguments: TraceKey.allCases)
    func eachKeyIsItsPropertyAndItsJSONMember(_ key: TraceKey) throws {
        var trace = TraceKeys()
        let values = key.isList ? ["a-1", "a-2"] : ["a-1"]
        Self.set(key, values, in: &trace)
        #expect(trace[key] == values)
        #expect(trace.keys == [key])
        let expected = key.isList ? "{\"\(key.rawValue)\":[\"a-1\",\"a-2\"]}" : "{\"\(key.rawValue)\":\"a-1\"}"
        #expect(try Self.json(trace) == expected)
        #expect(try PublicDataJSON.decode(TraceKeys.self, from: Data(expected.utf8)) == trace)
        // Every other key stays unset.
        for other in TraceKey.allCases where other != key { #expect(trace[other] == nil) }
        Self.set(key, nil, in: &trace)
        #expect(trace == TraceKeys())
        #expect(try Self.json(trace) == "{}")
    }

    @Test func equalKeysAreEqualWhateverOrderTheyWereSetIn() throws {
        var forward = TraceKeys()
        var backward = TraceKeys()
        for key in TraceKey.allCases { Self.set(key, ["x-\(key.rawValue)"], in: &forward) }
        for key in TraceKey.allCases.reversed() { Self.set(key, ["x-\(key.rawValue)"], in: &backward) }
        #expect(forward == backward)
        #expect(forward.hashValue == backward.hashValue)
        #expect(forward.keys == TraceKey.allCases)
        #expect(backward.keys == TraceKey.allCases)
        var other = backward
        other.planID = "x-other"
        #expect(other != forward)
        #expect(try Self.json(forward) == Self.json(backward))
        let decoded = try PublicDataJSON.decode(TraceKeys.self, from: try PublicDataJSON.encode(forward))
        #expect(decoded == forward)
        // An empty list is a value, not an absent key.
        var empty = TraceKeys()
        empty.providerIDs = []
        #expect(empty != TraceKeys())
        #expect(try Self.json(empty) == "{\"providerIDs\":[]}")
    }

    @Test func mergingSetsTheOtherKeysOnTopAndKeepsTheRest() {
        var base = TraceKeys()
        base.agreementID = "agr-1"
        base.operatorID = "op-1"
        var other = TraceKeys()
        other.operatorID = "op-2"
        other.providerIDs = ["p-1"]
        let merged = base.merging(other)
        #expect(merged.agreementID == "agr-1")
        #expect(merged.operatorID == "op-2")
        #expect(merged.providerIDs == ["p-1"])
        #expect(merged.keys == [.agreementID, .operatorID, .providerIDs])
        #expect(TraceKeys().merging(other) == other)
        #expect(base.merging(TraceKeys()) == base)
    }

    @Test func decodingIgnoresOtherMembersAndChecksIdentifiers() throws {
        let payload = Data(#"{"agreementID":"agr-1","note":"x","quantity":3,"providerIDs":["p-1","p-2"]}"#.utf8)
        let trace = try PublicDataJSON.decode(TraceKeys.self, from: payload)
        #expect(trace.agreementID == "agr-1")
        #expect(trace.providerIDs == ["p-1", "p-2"])
        #expect(trace.keys == [.agreementID, .providerIDs])
        for bad in [#"{"agreementID":""}"#, #"{"agreementID":3}"#, #"{"providerIDs":"p-1"}"#, #"{"planID":"a\u0001"}"#]
        {
            #expect(throws: ModelDecodingError.self) { try PublicDataJSON.decode(TraceKeys.self, from: Data(bad.utf8)) }
        }
    }
}
