/// The kind of a data zone (数据专区, 87号).
public enum ZoneKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// 领域类: one domain such as finance, transport or healthcare.
    case domain
    /// 区域类: one region.
    case regional
    /// 综合基础类: comprehensive foundational.
    case comprehensive
}

/// A data zone and its supervisory department.
public struct Zone: Codable, Sendable, Hashable, Identifiable {
    /// The zone's identifier.
    public var id: ZoneID
    /// The zone's name, e.g. "金融公共数据专区".
    public var name: String
    /// The zone's kind.
    public var kind: ZoneKind
    /// The department that supervises the zone (专区监管部门, 87号 §3(1)): the industry department of a domain
    /// zone, the district government of a regional zone, the data administration of a comprehensive one.
    public var supervisoryDepartment: PartyID
    /// The district of a regional zone (区域类); `nil` for the other kinds.
    public var district: String?

    /// Creates a zone.
    public init(id: ZoneID, name: String, kind: ZoneKind, supervisoryDepartment: PartyID, district: String? = nil) {
        self.id = id
        self.name = name
        self.kind = kind
        self.supervisoryDepartment = supervisoryDepartment
        self.district = district
    }

    /// Every structural problem: an empty id, name or supervisory department; a regional zone without its
    /// district, or a district on a zone of another kind (87号 §2–3).
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if id.isEmpty { issues.append(ValidationIssue(path: "$.id", message: "the zone id is empty")) }
        if name.allSatisfy(\.isWhitespace) { issues.append(ValidationIssue(path: "$.name", message: "is empty")) }
        if supervisoryDepartment.isEmpty {
            issues.append(
                ValidationIssue(path: "$.supervisoryDepartment", message: "a zone has a supervisory department")
            )
        }
        switch (kind, district) {
        case (.regional, nil):
            issues.append(ValidationIssue(path: "$.district", message: "a regional zone names its district"))
        case (.regional, let district?) where district.allSatisfy(\.isWhitespace):
            issues.append(ValidationIssue(path: "$.district", message: "is empty"))
        case (.domain, _?), (.comprehensive, _?):
            issues.append(ValidationIssue(path: "$.district", message: "only a regional zone has a district"))
        default: break
        }
        return issues
    }
}

/// How data is authorized (授权模式, Art. 10).
public enum AuthorizationMode: String, Codable, Sendable, CaseIterable, Hashable {
    /// 整体授权.
    case whole
    /// 分领域授权.
    case byDomain = "by_domain"
    /// 依场景授权.
    case byScenario = "by_scenario"
}

/// The purpose of a use of public data, which decides its price (Art. 22).
public enum Purpose: String, Codable, Sendable, CaseIterable, Hashable {
    /// 公共治理: free with conditions by default.
    case publicGovernance = "public_governance"
    /// 公益事业: free with conditions by default.
    case publicWelfare = "public_welfare"
    /// 产业发展: charged at a government-guided price by default.
    case industryDevelopment = "industry_development"
    /// 行业发展: charged at a government-guided price by default.
    case sectorDevelopment = "sector_development"
}

/// How data or a product is delivered ("usable but invisible", Art. 28).
public enum DeliveryMethod: String, Codable, Sendable, CaseIterable, Hashable {
    /// 隐私计算.
    case privacyComputing = "privacy_computing"
    /// A model trained inside the domain (模型).
    case model
    /// A verification API (核验接口).
    case verificationAPI = "verification_api"
    /// A supervised sandbox (沙箱).
    case sandbox
    /// Download of lawfully open data.
    case openDataDownload = "open_data_download"
}

/// The kind of a public data product or service.
public enum ProductKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// A data model.
    case model
    /// A verification service (核验).
    case verification
    /// An API service.
    case api
    /// An analytical report.
    case report
    /// A dataset derived from open data.
    case dataset
    /// A technical or operating service.
    case service
}
