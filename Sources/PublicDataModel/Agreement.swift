/// One catalog entry inside an agreement's scope and the fields authorized from it.
public struct ScopeItem: Codable, Sendable, Hashable {
    /// The catalog entry.
    public var entry: CatalogEntryID
    /// The authorized fields; an empty list means every field of the entry.
    public var fields: [String]

    /// Creates a scope item.
    public init(entry: CatalogEntryID, fields: [String] = []) {
        self.entry = entry
        self.fields = fields
    }
}

/// The terms of an authorization agreement (授权运营协议, Art. 13): parties, scope, term and products.
public struct AgreementTerms: Codable, Sendable, Hashable, Identifiable {
    /// The agreement's identifier.
    public var id: AgreementID
    /// The approved implementation plan it executes.
    public var plan: PlanID
    /// The implementing agency (grantor).
    public var implementingAgency: PartyID
    /// The selected operator (grantee).
    public var operatorParty: PartyID
    /// The data scope: catalog entries and fields.
    public var scope: [ScopeItem]
    /// The first day of the term.
    public var start: CivilDate
    /// The last day of the term (inclusive).
    public var end: CivilDate
    /// The products and services the operator may offer.
    public var products: [ProductID]
    /// The operator's obligations, in plain words.
    public var obligations: [String]
    /// The competent industry department that signs together with the implementing agency (会同业务主管部门,
    /// Art. 13), if any; `nil` when the agency signs alone.
    public var coSigningDepartment: PartyID?

    /// Creates agreement terms.
    public init(
        id: AgreementID,
        plan: PlanID,
        implementingAgency: PartyID,
        operatorParty: PartyID,
        scope: [ScopeItem],
        start: CivilDate,
        end: CivilDate,
        products: [ProductID] = [],
        obligations: [String] = [],
        coSigningDepartment: PartyID? = nil
    ) {
        self.id = id
        self.plan = plan
        self.implementingAgency = implementingAgency
        self.operatorParty = operatorParty
        self.scope = scope
        self.start = start
        self.end = end
        self.products = products
        self.obligations = obligations
        self.coSigningDepartment = coSigningDepartment
    }

    /// Whether `day` lies within the term (both ends inclusive).
    public func covers(_ day: CivilDate) -> Bool { start <= day && day <= end }

    /// The scope item for `entry`, if the entry is in scope.
    public func scopeItem(for entry: CatalogEntryID) -> ScopeItem? { scope.first { $0.entry == entry } }

    /// Every structural problem: empty scope, duplicate entries, an end before the start.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if id.isEmpty { issues.append(ValidationIssue(path: "$.id", message: "the agreement id is empty")) }
        if scope.isEmpty { issues.append(ValidationIssue(path: "$.scope", message: "the scope is empty")) }
        var seen: Set<CatalogEntryID> = []
        for (index, item) in scope.enumerated() where !seen.insert(item.entry).inserted {
            issues.append(ValidationIssue(path: "$.scope[\(index)].entry", message: "entry \(item.entry) listed twice"))
        }
        if end < start {
            issues.append(ValidationIssue(path: "$.end", message: "the term ends (\(end)) before it starts (\(start))"))
        }
        if operatorParty.isEmpty {
            issues.append(ValidationIssue(path: "$.operatorParty", message: "the operator is empty"))
        }
        return issues
    }
}

/// The lifecycle status of an authorization agreement (Art. 13).
public enum AgreementStatus: String, Codable, Sendable, CaseIterable, Hashable {
    /// Drafted, not yet decided.
    case drafted
    /// The collective decision (三重一大) is recorded.
    case decided
    /// Signed by both parties.
    case signed
    /// Filed (备案) with the data administration; not yet in force.
    case filed
    /// In force.
    case active
    /// Temporarily suspended (e.g. a violation, Art. 30).
    case suspended
    /// Ended early by decision (e.g. two poor evaluations).
    case terminated
    /// Reached the end of its term.
    case expired
    /// Revoked for a violation.
    case revoked
    /// Abandoned before it came into force.
    case abandoned

    /// Whether data may be used under the agreement in this status.
    public var permitsDataUse: Bool { self == .active }

    /// Whether the agreement has ended for good.
    public var isFinal: Bool { self == .terminated || self == .expired || self == .revoked || self == .abandoned }
}
