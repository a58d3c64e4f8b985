import Foundation
import PublicDataModel

/// Writes a ``WorkflowPayload`` as JSON in the library's style (sorted keys, unescaped slashes, instants as
/// ISO 8601 strings) without going through `JSONEncoder` for the common fields; the rest is encoded by the
/// given encoder and spliced in. The tests check that the bytes equal `JSONEncoder`'s for every event type.
struct PayloadWriter {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(512) }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ text: String) {
        bytes.append(0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(contentsOf: [0x5C, 0x22])
            case 0x5C: bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x08: bytes.append(contentsOf: [0x5C, 0x62])
            case 0x0C: bytes.append(contentsOf: [0x5C, 0x66])
            case 0x0A: bytes.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: bytes.append(contentsOf: [0x5C, 0x72])
            case 0x09: bytes.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    mutating func integer(_ value: some BinaryInteger) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func strings(_ values: [String]) {
        bytes.append(0x5B)
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(0x2C) }
            string(value)
        }
        bytes.append(0x5D)
    }

    /// An object whose members are written in sorted key order.
    mutating func object(_ members: [(String, (inout PayloadWriter) throws -> Void)]) throws {
        bytes.append(0x7B)
        for (index, member) in members.sorted(by: { $0.0 < $1.0 }).enumerated() {
            if index > 0 { bytes.append(0x2C) }
            string(member.0)
            bytes.append(0x3A)
            try member.1(&self)
        }
        bytes.append(0x7D)
    }

    mutating func splice(_ data: Data) { bytes.append(contentsOf: data) }

    var data: Data { Data(bytes) }
}

extension WorkflowPayload {
    /// The payload's JSON; equal to `encoder.encode(self)` with the library's encoder.
    /// - Throws: `EncodingError` from a nested value.
    func encodedJSON(with encoder: JSONEncoder) throws -> Data {
        typealias Member = (String, (inout PayloadWriter) throws -> Void)
        var members: [Member] = []
        func id<T>(_ key: String, _ value: Identifier<T>?) {
            if let value { members.append((key, { $0.string(value.rawValue) })) }
        }
        func ids<T>(_ key: String, _ value: [Identifier<T>]?) {
            if let value { members.append((key, { $0.strings(value.map(\.rawValue)) })) }
        }
        func text(_ key: String, _ value: String?) {
            if let value { members.append((key, { $0.string(value) })) }
        }
        func nested(_ key: String, _ value: (some Encodable)?) {
            if let value { members.append((key, { $0.splice(try encoder.encode(value)) })) }
        }
        id("planID", planID)
        id("selectionID", selectionID)
        id("agreementID", agreementID)
        id("registrationID", registrationID)
        id("dataRequestID", dataRequestID)
        id("productID", productID)
        id("scenarioID", scenarioID)
        id("objectionID", objectionID)
        id("evaluationID", evaluationID)
        id("feedbackID", feedbackID)
        ids("catalogEntryIDs", catalogEntryIDs)
        id("operatorID", operatorID)
        id("pricePlanID", pricePlanID)
        id("agencyID", agencyID)
        ids("departmentIDs", departmentIDs)
        nested("plan", plan)
        if let planVersion { members.append(("planVersion", { $0.integer(planVersion) })) }
        nested("selection", selection)
        nested("application", application)
        nested("qualifications", qualifications)
        nested("terms", terms)
        nested("registration", registration)
        text("registrationCode", registrationCode)
        text("validUntil", validUntil?.description)
        nested("request", request)
        nested("product", product)
        nested("pricePlan", pricePlan)
        nested("feeCaps", feeCaps)
        nested("scenario", scenario)
        id("applicant", applicant)
        nested("objection", objection)
        text("rating", rating?.rawValue)
        text("consequence", consequence?.rawValue)
        if let consecutivePoorRatings {
            members.append(("consecutivePoorRatings", { $0.integer(consecutivePoorRatings) }))
        }
        if let escalations { members.append(("escalations", { $0.integer(escalations) })) }
        ids("coReviewApprovals", coReviewApprovals)
        if let usage {
            members.append(
                (
                    "usage",
                    { writer in
                        var fields: [Member] = [
                            ("consumer", { $0.string(usage.consumer.rawValue) }),
                            ("idempotencyKey", { $0.string(usage.idempotencyKey) }),
                            ("product", { $0.string(usage.product.rawValue) }),
                            ("quantity", { $0.integer(usage.quantity) }),
                            ("subscription", { $0.string(usage.subscription.rawValue) }),
                            ("unit", { $0.string(usage.unit.rawValue) }),
                        ]
                        if let scenario = usage.scenario {
                            fields.append(("scenario", { $0.string(scenario.rawValue) }))
                        }
                        try writer.object(fields)
                    }
                )
            )
        }
        text("purpose", purpose?.rawValue)
        text("usageDay", usageDay?.description)
        nested("invoices", invoices)
        nested("settlement", settlement)
        nested("shares", shares)
        nested("allocations", allocations)
        nested("feedback", feedback)
        nested("catalogEntry", catalogEntry)
        nested("decision", decision)
        text("reason", reason)
        text("note", note)
        if let deadlines {
            members.append(
                (
                    "deadlines",
                    { writer in
                        writer.bytes.append(0x5B)
                        for (index, deadline) in deadlines.enumerated() {
                            if index > 0 { writer.bytes.append(0x2C) }
                            try writer.object([
                                ("dueAt", { $0.string(PublicDataJSON.formatInstant(deadline.dueAt)) }),
                                ("dueDay", { $0.string(deadline.dueDay.description) }),
                                ("key", { $0.string(deadline.key) }),
                                ("openedAtVersion", { $0.integer(deadline.openedAtVersion) }),
                                ("stream", { $0.string(deadline.stream.rawValue) }),
                            ])
                        }
                        writer.bytes.append(0x5D)
                    }
                )
            )
        }
        if let closedDeadlines { members.append(("closedDeadlines", { $0.strings(closedDeadlines) })) }
        if let notify {
            members.append(
                (
                    "notify",
                    { writer in
                        writer.bytes.append(0x5B)
                        for (index, target) in notify.enumerated() {
                            if index > 0 { writer.bytes.append(0x2C) }
                            var fields: [Member] = [
                                ("kind", { $0.string(target.kind) }),
                                ("party", { $0.string(target.party.rawValue) }),
                                ("role", { $0.string(target.role.rawValue) }),
                                ("subject", { $0.string(target.subject) }),
                            ]
                            if let due = target.due { fields.append(("due", { $0.string(due.description) })) }
                            try writer.object(fields)
                        }
                        writer.bytes.append(0x5D)
                    }
                )
            )
        }
        var writer = PayloadWriter()
        try writer.object(members)
        return writer.data
    }
}
