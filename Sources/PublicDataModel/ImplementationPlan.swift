/// A product or service the implementation plan intends to offer (Art. 11, "拟提供的公共数据产品和服务清单").
public struct PlannedProduct: Codable, Sendable, Hashable {
    /// The product's name.
    public var name: String
    /// The product's kind.
    public var kind: ProductKind

    /// Creates a planned product.
    public init(name: String, kind: ProductKind) {
        self.name = name
        self.kind = kind
    }
}

/// An implementation plan (实施方案, Art. 11), drafted by the implementing agency and approved by the
/// municipal government.
///
/// The twelve elements of Art. 11 are optional so that a draft can be saved incomplete; ``validate()``
/// lists every missing or invalid element, and a plan that does not validate cannot be submitted.
///
/// ```swift
/// var plan = ImplementationPlan(id: "plan-fin", implementingAgency: "agency")
/// plan.name = "Beijing finance zone"
/// let issues = plan.validationIssues()   // lists the eleven elements still missing
/// ```
public struct ImplementationPlan: Codable, Sendable, Hashable, Identifiable {
    /// The plan's identifier.
    public var id: PlanID
    /// The implementing agency that drafts the plan.
    public var implementingAgency: PartyID
    /// The zone the plan belongs to, if any.
    public var zone: ZoneID?
    /// 1. 授权运营名称.
    public var name: String?
    /// 2. 必要性和可行性论证.
    public var necessityAndFeasibility: String?
    /// 3. 运营机构的选择条件.
    public var operatorSelectionCriteria: String?
    /// 4. 授权运营模式 (Art. 10).
    public var authorizationMode: AuthorizationMode?
    /// 5. 授权运营的数据资源范围: the catalog entries in scope.
    public var dataScope: [CatalogEntryID]?
    /// 6. 授权运营期限, in months.
    public var termMonths: Int?
    /// 7. 拟提供的公共数据产品和服务清单.
    public var plannedProducts: [PlannedProduct]?
    /// 8. 经营成本和收入等核算机制.
    public var costAndRevenueAccounting: String?
    /// 9. 收益分配机制.
    public var revenueDistribution: String?
    /// 10. 安全保护和应急处置措施.
    public var securityAndEmergencyMeasures: String?
    /// 11. 参与方权利义务.
    public var rightsAndObligations: String?
    /// 12. 监督管理及考核评价要求.
    public var supervisionAndEvaluation: String?
    /// The application scenarios a by-scenario plan (依场景授权, Art. 10) authorizes; unused by the other modes.
    public var scenarios: [ScenarioID]?

    /// Creates a plan; elements not given stay missing.
    public init(
        id: PlanID,
        implementingAgency: PartyID,
        zone: ZoneID? = nil,
        name: String? = nil,
        necessityAndFeasibility: String? = nil,
        operatorSelectionCriteria: String? = nil,
        authorizationMode: AuthorizationMode? = nil,
        dataScope: [CatalogEntryID]? = nil,
        termMonths: Int? = nil,
        plannedProducts: [PlannedProduct]? = nil,
        costAndRevenueAccounting: String? = nil,
        revenueDistribution: String? = nil,
        securityAndEmergencyMeasures: String? = nil,
        rightsAndObligations: String? = nil,
        supervisionAndEvaluation: String? = nil,
        scenarios: [ScenarioID]? = nil
    ) {
        self.id = id
        self.implementingAgency = implementingAgency
        self.zone = zone
        self.name = name
        self.necessityAndFeasibility = necessityAndFeasibility
        self.operatorSelectionCriteria = operatorSelectionCriteria
        self.authorizationMode = authorizationMode
        self.dataScope = dataScope
        self.termMonths = termMonths
        self.plannedProducts = plannedProducts
        self.costAndRevenueAccounting = costAndRevenueAccounting
        self.revenueDistribution = revenueDistribution
        self.securityAndEmergencyMeasures = securityAndEmergencyMeasures
        self.rightsAndObligations = rightsAndObligations
        self.supervisionAndEvaluation = supervisionAndEvaluation
        self.scenarios = scenarios
    }

    /// The JSON keys of the twelve Art. 11 elements, in the order of the article.
    public static let elementKeys: [String] = [
        "name", "necessityAndFeasibility", "operatorSelectionCriteria", "authorizationMode", "dataScope",
        "termMonths", "plannedProducts", "costAndRevenueAccounting", "revenueDistribution",
        "securityAndEmergencyMeasures", "rightsAndObligations", "supervisionAndEvaluation",
    ]

    /// Every missing or invalid element, in the order of Art. 11; empty when the plan is complete.
    ///
    /// Regulatory limits such as the term cap are policy parameters and are checked by the policy layer,
    /// not here; this checks only that each element is present and well-formed.
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func text(_ value: String?, _ key: String, _ label: String) {
            guard let value else {
                issues.append(ValidationIssue(path: "$.\(key)", message: "missing element: \(label) (Art. 11)"))
                return
            }
            if value.allSatisfy(\.isWhitespace) {
                issues.append(ValidationIssue(path: "$.\(key)", message: "empty element: \(label) (Art. 11)"))
            }
        }
        if id.isEmpty { issues.append(ValidationIssue(path: "$.id", message: "the plan id is empty")) }
        if implementingAgency.isEmpty {
            issues.append(ValidationIssue(path: "$.implementingAgency", message: "the implementing agency is empty"))
        }
        text(name, "name", "name")
        text(necessityAndFeasibility, "necessityAndFeasibility", "necessity and feasibility")
        text(operatorSelectionCriteria, "operatorSelectionCriteria", "operator selection criteria")
        if authorizationMode == nil {
            issues.append(
                ValidationIssue(path: "$.authorizationMode", message: "missing element: authorization mode (Art. 11)")
            )
        }
        switch dataScope {
        case nil:
            issues.append(ValidationIssue(path: "$.dataScope", message: "missing element: data scope (Art. 11)"))
        case let scope?:
            if scope.isEmpty {
                issues.append(ValidationIssue(path: "$.dataScope", message: "the data scope names no catalog entry"))
            }
            var seen: Set<CatalogEntryID> = []
            for (index, entry) in scope.enumerated() {
                if entry.isEmpty {
                    issues.append(ValidationIssue(path: "$.dataScope[\(index)]", message: "empty catalog entry id"))
                } else if !seen.insert(entry).inserted {
                    issues.append(
                        ValidationIssue(path: "$.dataScope[\(index)]", message: "catalog entry \(entry) listed twice")
                    )
                }
            }
        }
        switch termMonths {
        case nil:
            issues.append(ValidationIssue(path: "$.termMonths", message: "missing element: term (Art. 11)"))
        case let months? where months <= 0:
            issues.append(ValidationIssue(path: "$.termMonths", message: "the term must be positive, got \(months)"))
        default:
            break
        }
        switch plannedProducts {
        case nil:
            issues.append(
                ValidationIssue(path: "$.plannedProducts", message: "missing element: products and services (Art. 11)")
            )
        case let products?:
            if products.isEmpty {
                issues.append(ValidationIssue(path: "$.plannedProducts", message: "the product list is empty"))
            }
            for (index, product) in products.enumerated() where product.name.allSatisfy(\.isWhitespace) {
                issues.append(ValidationIssue(path: "$.plannedProducts[\(index)].name", message: "empty product name"))
            }
        }
        text(costAndRevenueAccounting, "costAndRevenueAccounting", "cost and revenue accounting")
        text(revenueDistribution, "revenueDistribution", "revenue distribution")
        text(securityAndEmergencyMeasures, "securityAndEmergencyMeasures", "security and emergency measures")
        text(rightsAndObligations, "rightsAndObligations", "rights and obligations of the parties")
        text(supervisionAndEvaluation, "supervisionAndEvaluation", "supervision and evaluation")
        return issues
    }

    /// Throws a ``ValidationError`` listing every problem when the plan is incomplete or invalid.
    /// - Throws: ``ValidationError``.
    public func validate() throws(ValidationError) {
        let issues = validationIssues()
        if !issues.isEmpty {
            throw ValidationError(subject: "implementation plan \(id)", issues: issues)
        }
    }
}
