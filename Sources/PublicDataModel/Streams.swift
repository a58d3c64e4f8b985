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
    /// 考核评价 (Art. 33, seed 001 §8).
    case evaluation
    /// Usage metering, period close and revenue distribution (Art. 21–24).
    case settlement
    /// 数据反哺 (seed 001).
    case feedback
    /// 数据专区: a zone and its supervisory department (seed 001 §2–3; Art. 10).
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
    /// (seed 001 §6(2)).
    case partner
    /// 数据使用备案: an operator's filing of a data use with the zone's supervisory department, its periodic
    /// feedback and the departments' requests for the feedback data (seed 001 §6(2), §4(3)).
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

/// The identifiers every workflow event carries at the top level of its JSON payload, so that traceability
/// (溯源) finds every event that touched an object without knowing the event's type.
///
/// The JSON keys are the property names (`agreementID`, `catalogEntryIDs`, …); absent values are omitted.
/// The audit layer's standard trace convention is derived from ``traceKeyKinds``, so the workflow that writes
/// these keys and the audit layer that reads them share one definition.
public struct TraceKeys: Codable, Sendable, Hashable {
    /// The implementation plan concerned.
    public var planID: PlanID?
    /// The operator selection concerned.
    public var selectionID: SelectionID?
    /// The agreement concerned.
    public var agreementID: AgreementID?
    /// The registration concerned.
    public var registrationID: RegistrationID?
    /// The data request concerned.
    public var dataRequestID: DataRequestID?
    /// The product concerned.
    public var productID: ProductID?
    /// The downstream scenario concerned.
    public var scenarioID: ScenarioID?
    /// The objection concerned.
    public var objectionID: ObjectionID?
    /// The evaluation period concerned.
    public var evaluationID: EvaluationID?
    /// The feedback offer concerned.
    public var feedbackID: FeedbackID?
    /// The catalog entries concerned.
    public var catalogEntryIDs: [CatalogEntryID]?
    /// The price plan concerned.
    public var pricePlanID: PricePlanID?
    /// The operator concerned.
    public var operatorID: PartyID?
    /// The implementing agency concerned.
    public var agencyID: PartyID?
    /// The industry departments concerned (owners of the entries, co-reviewers).
    public var departmentIDs: [PartyID]?
    /// The party that applied (a registration applicant, a scenario's business entity, an objector).
    public var applicantID: PartyID?
    /// The data providers concerned (an objection's providers along the supply chain).
    public var providerIDs: [PartyID]?

    /// No keys.
    public init() {}

    /// Sets every key that `other` has (its values win).
    public mutating func merge(_ other: TraceKeys) {
        planID = other.planID ?? planID
        selectionID = other.selectionID ?? selectionID
        agreementID = other.agreementID ?? agreementID
        registrationID = other.registrationID ?? registrationID
        dataRequestID = other.dataRequestID ?? dataRequestID
        productID = other.productID ?? productID
        scenarioID = other.scenarioID ?? scenarioID
        objectionID = other.objectionID ?? objectionID
        evaluationID = other.evaluationID ?? evaluationID
        feedbackID = other.feedbackID ?? feedbackID
        catalogEntryIDs = other.catalogEntryIDs ?? catalogEntryIDs
        pricePlanID = other.pricePlanID ?? pricePlanID
        operatorID = other.operatorID ?? operatorID
        agencyID = other.agencyID ?? agencyID
        departmentIDs = other.departmentIDs ?? departmentIDs
        applicantID = other.applicantID ?? applicantID
        providerIDs = other.providerIDs ?? providerIDs
    }

    /// The keys of `self` with those of `other` set on top.
    public func merging(_ other: TraceKeys) -> TraceKeys {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// The trace key stems and the process whose objects they name: `agreement` names agreements, so the payload
    /// keys `agreementID` and `agreementIDs` and the stream prefix `agreement-` refer to one.
    public static let traceKeyKinds: [(stem: String, process: ProcessKind)] = [
        ("catalogEntry", .catalog), ("agreement", .agreement), ("plan", .implementationPlan), ("product", .product),
        ("dataRequest", .dataRequest), ("scenario", .scenario),
    ]
}
