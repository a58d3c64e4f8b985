/// A role a party plays in authorized operation (Art. 3, 7, 8 and DOMAIN "Parties and roles").
///
/// Every state change is performed by a ``Principal`` in one role; an actor acting outside its role is
/// refused by the workflow layer.
public enum Role: String, Codable, Sendable, CaseIterable, Hashable {
    /// 市政府: approves implementation plans (Art. 11).
    case municipalGovernment = "municipal_government"
    /// 市数据管理部门: the regulator; files agreements, evaluates, runs the objection loop (Art. 8, 13, 18, 33).
    case dataAdministration = "data_administration"
    /// 市大数据中心: runs the platform, technical security, quality traceability (Art. 8).
    case bigDataCenter = "big_data_center"
    /// 行业主管部门: owns its sector's catalog entries, supplies data, co-reviews conditional requests (Art. 16–17).
    case industryDepartment = "industry_department"
    /// 发展改革 (价格) 部门: guided price and the maximum allowed revenue (Art. 22).
    case priceDepartment = "price_department"
    /// 财政部门: revenue distribution rules (Art. 23).
    case financeDepartment = "finance_department"
    /// 实施机构: drafts the plan, selects the operator, signs, authorizes data use, receives filings (Art. 11–13, 16, 20).
    case implementingAgency = "implementing_agency"
    /// 运营机构: develops data within its authorized scope (Art. 12, 20–22, 29).
    case `operator` = "operator"
    /// 其他经营主体: re-develops operator-delivered products and files what it publishes (Art. 25–27).
    case businessEntity = "business_entity"
    /// 数据提供单位: supplies data and answers quality objections (Art. 18).
    case dataProvider = "data_provider"
    /// 数据来源者: a person or organisation whose consent unlocks use of its data (Art. 17, 26).
    case dataSubject = "data_subject"
    /// 社会监督: reads disclosures and verifies the audit ledger (Art. 32).
    case auditor = "auditor"
}

/// An organisation or person that takes part in authorized operation.
public struct Party: Codable, Sendable, Hashable, Identifiable {
    /// The party's identifier.
    public var id: PartyID
    /// The party's display name (e.g. its legal name).
    public var name: String
    /// The roles this party may act in.
    public var roles: Set<Role>
    /// The unified social credit code (统一社会信用代码) of an organisation, when known.
    public var creditCode: String?

    /// Creates a party.
    public init(id: PartyID, name: String, roles: Set<Role>, creditCode: String? = nil) {
        self.id = id
        self.name = name
        self.roles = roles
        self.creditCode = creditCode
    }
}

/// Who performs an action: a party, acting in one role, through a named person.
///
/// ```swift
/// let clerk = Principal(party: "bj-finance-agency", role: .implementingAgency, person: "wang.li")
/// ```
public struct Principal: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The organisation (or person) on whose behalf the action is taken.
    public var party: PartyID
    /// The role the party acts in.
    public var role: Role
    /// The natural person (account) who performed the action, for the audit trail.
    public var person: String

    /// Creates an actor.
    public init(party: PartyID, role: Role, person: String) {
        self.party = party
        self.role = role
        self.person = person
    }

    /// `party/role/person`.
    public var description: String { "\(party)/\(role.rawValue)/\(person)" }
}
