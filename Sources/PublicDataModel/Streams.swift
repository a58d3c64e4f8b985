/// One of the regulatory processes; each instance of a process is one event stream.
///
/// The stream of instance `id` of a process is its ``streamPrefix`` followed by `id` (``stream(_:)``). The
/// prefixes are defined here, once, and used by the workflow layer that writes the streams and by the audit
/// layer that traces them (``TraceKeys``).
public enum ProcessKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// The public data catalog: entries published by their owning department or accepted as feedback.
    case catalog
    /// 实施方案 (Art. 11).
    case implementationPlan = "implementation_plan"
    /// 运营机构选择 (Art. 12).
    case operatorSelection = "operator_selection"
    /// 授权运营协议 (Art. 13).
    case agreement
    /// 登记 (Art. 9).
    case registration
    /// 数据申请 (Art. 16–19).
    case dataRequest = "data_request"
    /// 数据产品和服务 (Art. 20, 26–27).
    case product
    /// 下游场景 (Art. 25, 27).
    case scenario
    /// 数据异议 (Art. 18).
    case objection
    /// 考核评价 (Art. 33, 87号 §8).
    case evaluation
    /// Usage metering, period close and revenue distribution (Art. 21–24).
    case settlement
    /// 数据反哺 (87号).
    case feedback
    /// 数据专区: a zone and its supervisory department (87号 §2–3; Art. 10).
    case zone
    /// 信息披露 (Art. 32): a party's yearly disclosure.
    case disclosure
    /// 技术监管: the policy monitor's re-judgements of live grants, products and scenarios (Art. 30).
    case monitor
    /// 安全检查: an inspection by the data administration and its rectification (Art. 31).
    case inspection
    /// 数据来源者授权同意: a data subjects' consent record, its validity and withdrawal (Art. 17 ¶2, 26).
    case consent
    /// 合作方分级管理: an operator's partner and the tier of data, product and scenario permissions it grants it
    /// (87号 §6(2)).
    case partner
    /// 数据使用备案: an operator's filing of a data use with the zone's supervisory department, its periodic
    /// feedback and the departments' requests for the feedback data (87号 §6(2), §4(3)).
    case useFiling = "use_filing"
    /// 安全记录: an operator's security record of one kind (等保 filing, evaluation, risk assessment) or its named
    /// security officer, with expiry (Art. 31; 87号 §7).
    case securityRecord = "security_record"

    /// The prefix of the stream ids of this process, e.g. `"agreement-"`.
    public var streamPrefix: String {
        switch self {
        case .catalog: "catalog-"
        case .implementationPlan: "plan-"
        case .operatorSelection: "selection-"
        case .agreement: "agreement-"
        case .registration: "registration-"
        case .dataRequest: "data-request-"
        case .product: "product-"
        case .scenario: "scenario-"
        case .objection: "objection-"
        case .evaluation: "evaluation-"
        case .settlement: "settlement-"
        case .feedback: "feedback-"
        case .zone: "zone-"
        case .disclosure: "disclosure-"
        case .monitor: "monitor-"
        case .inspection: "inspection-"
        case .consent: "consent-"
        case .partner: "partner-"
        case .useFiling: "use-filing-"
        case .securityRecord: "security-record-"
        }
    }

    /// The process a stream belongs to, read from the stream id's prefix.
    /// - Parameter stream: A stream id written by the workflow layer.
    /// - Returns: The process, or `nil` for a stream the workflow layer did not write.
    public static func of(_ stream: StreamID) -> ProcessKind? {
        let bytes = stream.rawValue.utf8
        for (kind, prefix) in prefixBytes where bytes.starts(with: prefix) {
            // `data-request-` also starts like nothing else; the first match is the only one.
            return kind
        }
        return nil
    }

    private static let prefixBytes: [(ProcessKind, [UInt8])] = allCases.map { ($0, Array($0.streamPrefix.utf8)) }

    /// The stream id of the instance `id` of this process.
    public func stream(_ id: String) -> StreamID { StreamID(streamPrefix + id) }

    /// The instance id of a stream of this process (the stream id without the prefix), or `nil` when the stream
    /// belongs to another process.
    public func instanceID(of stream: StreamID) -> String? {
        guard stream.rawValue.hasPrefix(streamPrefix) else { return nil }
        return String(stream.rawValue.dropFirst(streamPrefix.count))
    }
}

/// The name of one trace key: the JSON member an event's payload carries it under.
///
/// A key ending in `IDs` holds a list of identifiers; every other key holds one.
public enum TraceKey: String, CaseIterable, CodingKey, Sendable {
    /// The implementation plan concerned.
    case planID
    /// The operator selection concerned.
    case selectionID
    /// The agreement concerned.
    case agreementID
    /// The registration concerned.
    case registrationID
    /// The data request concerned.
    case dataRequestID
    /// The product concerned.
    case productID
    /// The downstream scenario concerned.
    case scenarioID
    /// The objection concerned.
    case objectionID
    /// The evaluation period concerned.
    case evaluationID
    /// The feedback offer concerned.
    case feedbackID
    /// The catalog entries concerned (a list).
    case catalogEntryIDs
    /// The price plan concerned.
    case pricePlanID
    /// The operator concerned.
    case operatorID
    /// The implementing agency concerned.
    case agencyID
    /// The industry departments concerned (a list).
    case departmentIDs
    /// The party that applied.
    case applicantID
    /// The data providers concerned (a list).
    case providerIDs

    /// Whether the key holds a list of identifiers rather than one.
    public var isList: Bool {
        switch self {
        case .catalogEntryIDs, .departmentIDs, .providerIDs: true
        default: false
        }
    }
}

/// The identifiers every workflow event carries at the top level of its JSON payload, so that traceability
/// (溯源) finds every event that touched an object without knowing the event's type.
///
/// The JSON keys are the property names (`agreementID`, `catalogEntryIDs`, …, the cases of ``TraceKey``);
/// absent values are omitted. The audit layer's standard trace convention is derived from ``traceKeyKinds``,
/// so the workflow that writes these keys and the audit layer that reads them share one definition.
///
/// Only the keys that are set are stored, in the order they were set: an event names a handful of its 17 keys, and
/// encoding, merging and copying cost what is set, not what could be.
public struct TraceKeys: Codable, Sendable, Hashable {
    /// The value of one key: one identifier, or a list (for the keys whose ``TraceKey/isList`` is true).
    private enum Value: Hashable, Sendable {
        case one(String)
        case many([String])
    }

    private struct Entry: Hashable, Sendable {
        let key: TraceKey
        var value: Value
    }

    /// The keys that are set, each once, in the order they were set (equality and hashing ignore the order).
    private var entries: [Entry] = []

    /// No keys.
    public init() {}

    /// The keys that are set, in ``TraceKey`` declaration order.
    public var keys: [TraceKey] { TraceKey.allCases.filter { key in entries.contains { $0.key == key } } }

    /// Whether no key is set.
    public var isEmpty: Bool { entries.isEmpty }

    private func value(_ key: TraceKey) -> Value? {
        for entry in entries where entry.key == key { return entry.value }
        return nil
    }

    private mutating func set(_ key: TraceKey, _ value: Value?) {
        if let at = entries.firstIndex(where: { $0.key == key }) {
            if let value { entries[at].value = value } else { entries.remove(at: at) }
        } else if let value {
            entries.append(Entry(key: key, value: value))
        }
    }

    private func identifier<Subject>(_ key: TraceKey) -> Identifier<Subject>? {
        guard case .one(let text) = value(key) else { return nil }
        return Identifier(rawValue: text)
    }

    private func identifiers<Subject>(_ key: TraceKey) -> [Identifier<Subject>]? {
        guard case .many(let texts) = value(key) else { return nil }
        return texts.map { Identifier(rawValue: $0) }
    }

    private mutating func set<Subject>(_ key: TraceKey, _ id: Identifier<Subject>?) {
        set(key, id.map { .one($0.rawValue) })
    }

    private mutating func set<Subject>(_ key: TraceKey, _ ids: [Identifier<Subject>]?) {
        set(key, ids.map { .many($0.map(\.rawValue)) })
    }

    /// The identifier, or identifiers joined in a list, set under `key`; `nil` when it is not set.
    public subscript(key: TraceKey) -> [String]? {
        switch value(key) {
        case .one(let text): [text]
        case .many(let texts): texts
        case nil: nil
        }
    }

    /// The implementation plan concerned.
    public var planID: PlanID? {
        get { identifier(.planID) }
        set { set(.planID, newValue) }
    }
    /// The operator selection concerned.
    public var selectionID: SelectionID? {
        get { identifier(.selectionID) }
        set { set(.selectionID, newValue) }
    }
    /// The agreement concerned.
    public var agreementID: AgreementID? {
        get { identifier(.agreementID) }
        set { set(.agreementID, newValue) }
    }
    /// The registration concerned.
    public var registrationID: RegistrationID? {
        get { identifier(.registrationID) }
        set { set(.registrationID, newValue) }
    }
    /// The data request concerned.
    public var dataRequestID: DataRequestID? {
        get { identifier(.dataRequestID) }
        set { set(.dataRequestID, newValue) }
    }
    /// The product concerned.
    public var productID: ProductID? {
        get { identifier(.productID) }
        set { set(.productID, newValue) }
    }
    /// The downstream scenario concerned.
    public var scenarioID: ScenarioID? {
        get { identifier(.scenarioID) }
        set { set(.scenarioID, newValue) }
    }
    /// The objection concerned.
    public var objectionID: ObjectionID? {
        get { identifier(.objectionID) }
        set { set(.objectionID, newValue) }
    }
    /// The evaluation period concerned.
    public var evaluationID: EvaluationID? {
        get { identifier(.evaluationID) }
        set { set(.evaluationID, newValue) }
    }
    /// The feedback offer concerned.
    public var feedbackID: FeedbackID? {
        get { identifier(.feedbackID) }
        set { set(.feedbackID, newValue) }
    }
    /// The catalog entries concerned.
    public var catalogEntryIDs: [CatalogEntryID]? {
        get { identifiers(.catalogEntryIDs) }
        set { set(.catalogEntryIDs, newValue) }
    }
    /// The price plan concerned.
    public var pricePlanID: PricePlanID? {
        get { identifier(.pricePlanID) }
        set { set(.pricePlanID, newValue) }
    }
    /// The operator concerned.
    public var operatorID: PartyID? {
        get { identifier(.operatorID) }
        set { set(.operatorID, newValue) }
    }
    /// The implementing agency concerned.
    public var agencyID: PartyID? {
        get { identifier(.agencyID) }
        set { set(.agencyID, newValue) }
    }
    /// The industry departments concerned (owners of the entries, co-reviewers).
    public var departmentIDs: [PartyID]? {
        get { identifiers(.departmentIDs) }
        set { set(.departmentIDs, newValue) }
    }
    /// The party that applied (a registration applicant, a scenario's business entity, an objector).
    public var applicantID: PartyID? {
        get { identifier(.applicantID) }
        set { set(.applicantID, newValue) }
    }
    /// The data providers concerned (an objection's providers along the supply chain).
    public var providerIDs: [PartyID]? {
        get { identifiers(.providerIDs) }
        set { set(.providerIDs, newValue) }
    }

    /// Sets every key that `other` has (its values win).
    public mutating func merge(_ other: TraceKeys) {
        // An envelope's keys are often the very keys of the instance it is folded into (one buffer).
        if entries.isEmpty || entries == other.entries {
            entries = other.entries
            return
        }
        for entry in other.entries { set(entry.key, entry.value) }
    }

    /// The keys of `self` with those of `other` set on top.
    public func merging(_ other: TraceKeys) -> TraceKeys {
        if other.entries.isEmpty { return self }
        var copy = self
        copy.merge(other)
        return copy
    }

    /// Equal when the same keys are set to the same values, in whatever order they were set.
    public static func == (lhs: TraceKeys, rhs: TraceKeys) -> Bool {
        guard lhs.entries.count == rhs.entries.count else { return false }
        return lhs.entries.allSatisfy { entry in rhs.value(entry.key) == entry.value }
    }

    /// Hashes the keys and values that are set, in whatever order they were set.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for entry in entries { combined &+= entry.hashValue }
        hasher.combine(entries.count)
        hasher.combine(combined)
    }

    /// Decodes the keys of ``TraceKey`` that the object has; other members are ignored (an event payload holds
    /// its own fields beside them). Each identifier is checked against ``IdentifierRules``.
    /// - Throws: `DecodingError` when a key holds something other than an identifier (or, for a list key, a list
    ///   of them).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: TraceKey.self)
        for key in TraceKey.allCases {
            if key.isList {
                if let ids = try container.decodeIfPresent([Identifier<TraceKey>].self, forKey: key) {
                    entries.append(Entry(key: key, value: .many(ids.map(\.rawValue))))
                }
            } else if let id = try container.decodeIfPresent(Identifier<TraceKey>.self, forKey: key) {
                entries.append(Entry(key: key, value: .one(id.rawValue)))
            }
        }
    }

    /// Encodes the keys that are set, each under its ``TraceKey`` name.
    /// - Throws: What the encoder throws.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: TraceKey.self)
        for entry in entries {
            switch entry.value {
            case .one(let text): try container.encode(text, forKey: entry.key)
            case .many(let texts): try container.encode(texts, forKey: entry.key)
            }
        }
    }

    /// The trace key stems and the process whose objects they name: `agreement` names agreements, so the payload
    /// keys `agreementID` and `agreementIDs` and the stream prefix `agreement-` refer to one.
    public static let traceKeyKinds: [(stem: String, process: ProcessKind)] = [
        ("catalogEntry", .catalog), ("agreement", .agreement), ("plan", .implementationPlan), ("product", .product),
        ("dataRequest", .dataRequest), ("scenario", .scenario),
    ]
}
