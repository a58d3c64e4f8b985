import Foundation

/// The period a disclosure covers: whole calendar days, both ends included.
public struct DisclosurePeriod: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The first day covered.
    public var start: CivilDate
    /// The last day covered.
    public var end: CivilDate

    /// Creates a period.
    public init(start: CivilDate, end: CivilDate) {
        self.start = start
        self.end = end
    }

    /// The calendar year `year` (the national notice discloses yearly, for the previous year).
    /// - Returns: `nil` for a year outside the calendar's range.
    public static func year(_ year: Int) -> DisclosurePeriod? {
        guard let start = CivilDate(year: year, month: 1, day: 1), let end = CivilDate(year: year, month: 12, day: 31)
        else { return nil }
        return DisclosurePeriod(start: start, end: end)
    }

    /// For a whole calendar year: 31 March of the following year, the national disclosure deadline; `nil` for
    /// other periods.
    public var dueDate: CivilDate? { dueDate(deadlineMonth: 3, deadlineDay: 31) }

    /// For a whole calendar year: the given month and day of the following year (a deployment's deadline,
    /// e.g. the policy parameters `disclosureDeadlineMonth`/`disclosureDeadlineDay`); `nil` for other periods
    /// or an impossible date.
    public func dueDate(deadlineMonth: Int, deadlineDay: Int) -> CivilDate? {
        guard start.month == 1, start.day == 1, end.month == 12, end.day == 31, start.year == end.year else {
            return nil
        }
        return CivilDate(year: end.year + 1, month: deadlineMonth, day: deadlineDay)
    }

    /// `start – end`.
    public var description: String { "\(start) – \(end)" }
}

/// A catalog entry (public data resource) an authorization covers, with the fields granted.
public struct AuthorizedResource: Codable, Sendable, Hashable {
    /// The catalog entry.
    public var entry: CatalogEntryID
    /// Its name as published in the catalog.
    public var name: String
    /// The fields granted (empty when the whole entry is granted).
    public var fields: [String]

    /// Creates a resource line.
    public init(entry: CatalogEntryID, name: String, fields: [String] = []) {
        self.entry = entry
        self.name = name
        self.fields = fields
    }
}

/// The upper-limit fee the authorizing body set for one product or service.
public struct DisclosedFeeCap: Codable, Sendable, Hashable {
    /// The product or service.
    public var product: ProductID
    /// Its name.
    public var productName: String
    /// The cap per unit.
    public var cap: Money
    /// The charging unit, e.g. `"per call"`, `"per month"`.
    public var unit: String

    /// Creates a fee cap.
    public init(product: ProductID, productName: String, cap: Money, unit: String) {
        self.product = product
        self.productName = productName
        self.cap = cap
        self.unit = unit
    }
}

/// One authorization granted by an implementing agency (Art. 32: object, content, scope, term) with its fee caps.
public struct AuthorizationDisclosure: Codable, Sendable, Hashable {
    /// The agreement.
    public var agreement: AgreementID
    /// The authorized operator (the authorization object).
    public var operatorParty: PartyID
    /// The operator's name.
    public var operatorName: String
    /// The resources authorized (the content).
    public var resources: [AuthorizedResource]
    /// The scope in words: purposes, scenarios, delivery methods.
    public var scope: String
    /// The first day of the term.
    public var start: CivilDate
    /// The last day of the term.
    public var end: CivilDate
    /// The fee caps set for products under this authorization.
    public var feeCaps: [DisclosedFeeCap]

    /// Creates an authorization line.
    public init(
        agreement: AgreementID,
        operatorParty: PartyID,
        operatorName: String,
        resources: [AuthorizedResource],
        scope: String,
        start: CivilDate,
        end: CivilDate,
        feeCaps: [DisclosedFeeCap] = []
    ) {
        self.agreement = agreement
        self.operatorParty = operatorParty
        self.operatorName = operatorName
        self.resources = resources
        self.scope = scope
        self.start = start
        self.end = end
        self.feeCaps = feeCaps
    }
}

/// What an implementing agency discloses: itself, the resources it authorized, to whom, scope, term, fee caps.
public struct AgencyDisclosure: Codable, Sendable, Hashable {
    /// The agency.
    public var party: PartyID
    /// Its name.
    public var name: String
    /// The authorizations in force during the period.
    public var authorizations: [AuthorizationDisclosure]

    /// Creates an agency section.
    public init(party: PartyID, name: String, authorizations: [AuthorizationDisclosure]) {
        self.party = party
        self.name = name
        self.authorizations = authorizations
    }
}

/// A product or service on the operator's list.
public struct ProductListing: Codable, Sendable, Hashable {
    /// The product.
    public var product: ProductID
    /// Its name.
    public var name: String
    /// Its kind, when known.
    public var kind: ProductKind?
    /// The agreement it was developed under.
    public var agreement: AgreementID?
    /// A short description.
    public var summary: String

    /// Creates a listing.
    public init(
        product: ProductID,
        name: String,
        kind: ProductKind? = nil,
        agreement: AgreementID? = nil,
        summary: String = ""
    ) {
        self.product = product
        self.name = name
        self.kind = kind
        self.agreement = agreement
        self.summary = summary
    }
}

/// The fee an operator actually charged for a product.
public struct ActualFee: Codable, Sendable, Hashable {
    /// The product.
    public var product: ProductID
    /// The fee per unit.
    public var fee: Money
    /// The charging unit.
    public var unit: String
    /// Whether this is a trial fee (试行收费标准), used before a full year of operation.
    public var trial: Bool
    /// The revenue collected with this fee in the period, when known.
    public var revenue: Money?

    /// Creates a fee line.
    public init(product: ProductID, fee: Money, unit: String, trial: Bool = false, revenue: Money? = nil) {
        self.product = product
        self.fee = fee
        self.unit = unit
        self.trial = trial
        self.revenue = revenue
    }
}

/// How much of a catalog entry the operator used in the period.
public struct DataUsage: Codable, Sendable, Hashable {
    /// The catalog entry.
    public var entry: CatalogEntryID
    /// Its name.
    public var name: String
    /// Calls (API invocations, verifications, deliveries).
    public var calls: Int64
    /// Records delivered or processed.
    public var records: Int64
    /// What the data was used for.
    public var purpose: String

    /// Creates a usage line.
    public init(entry: CatalogEntryID, name: String, calls: Int64, records: Int64, purpose: String = "") {
        self.entry = entry
        self.name = name
        self.calls = calls
        self.records = records
        self.purpose = purpose
    }
}

/// What an operator discloses: itself, its authorized resources, its product and service list, actual fees
/// and data usage.
public struct OperatorDisclosure: Codable, Sendable, Hashable {
    /// The operator.
    public var party: PartyID
    /// Its name.
    public var name: String
    /// The resources it is authorized to use.
    public var authorizedResources: [AuthorizedResource]
    /// Its products and services.
    public var products: [ProductListing]
    /// The fees it actually charged.
    public var actualFees: [ActualFee]
    /// Its data usage.
    public var dataUsage: [DataUsage]

    /// Creates an operator section.
    public init(
        party: PartyID,
        name: String,
        authorizedResources: [AuthorizedResource],
        products: [ProductListing],
        actualFees: [ActualFee],
        dataUsage: [DataUsage]
    ) {
        self.party = party
        self.name = name
        self.authorizedResources = authorizedResources
        self.products = products
        self.actualFees = actualFees
        self.dataUsage = dataUsage
    }
}

/// The plain values a disclosure is made from; the workflow layer builds them from its projections.
public struct DisclosureInput: Codable, Sendable, Hashable {
    /// The period covered.
    public var period: DisclosurePeriod
    /// The implementing agencies' sections.
    public var agencies: [AgencyDisclosure]
    /// The operators' sections.
    public var operators: [OperatorDisclosure]
    /// The audit ledger checkpoint the disclosure is anchored to, if any (so readers can verify the log).
    public var ledgerCheckpoint: SignedCheckpoint?
    /// The publication deadline when it is not the national default (31 March after a calendar year).
    public var dueDate: CivilDate?

    /// Creates an input.
    public init(
        period: DisclosurePeriod,
        agencies: [AgencyDisclosure],
        operators: [OperatorDisclosure],
        ledgerCheckpoint: SignedCheckpoint? = nil,
        dueDate: CivilDate? = nil
    ) {
        self.period = period
        self.agencies = agencies
        self.operators = operators
        self.ledgerCheckpoint = ledgerCheckpoint
        self.dueDate = dueDate
    }
}

/// Something a reader of a disclosure should notice (a value, not an error).
public struct DisclosureFinding: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The kind of finding.
    public enum Kind: String, Codable, Sendable, Hashable {
        /// An actual fee is above the fee cap set for the product.
        case feeAboveCap = "fee_above_cap"
        /// A product is charged for but no fee cap was disclosed for it.
        case feeWithoutCap = "fee_without_cap"
    }

    /// The kind.
    public var kind: Kind
    /// The operator concerned.
    public var operatorParty: PartyID
    /// The product concerned.
    public var product: ProductID
    /// A sentence for the reader.
    public var message: String

    /// The message.
    public var description: String { message }
}

/// The yearly public disclosure of Art. 32 and the national notice, as a value, JSON and Markdown.
///
/// ```swift
/// let disclosure = try Disclosure(input)
/// let json = try disclosure.jsonData()
/// let text = disclosure.markdown()
/// ```
public struct Disclosure: Codable, Sendable, Hashable {
    /// The period covered.
    public let period: DisclosurePeriod
    /// The date by which it must be published (31 March after a calendar year).
    public let dueDate: CivilDate?
    /// The implementing agencies' sections, ordered by party.
    public let agencies: [AgencyDisclosure]
    /// The operators' sections, ordered by party.
    public let operators: [OperatorDisclosure]
    /// What readers should notice: fees above caps, fees without caps.
    public let findings: [DisclosureFinding]
    /// The audit ledger checkpoint it is anchored to.
    public let ledgerCheckpoint: SignedCheckpoint?

    /// Validates `input` and derives the findings.
    /// - Parameter input: The disclosure's values.
    /// - Throws: `ValidationError` listing every problem: an inverted period or term, empty names, negative
    ///   fees, caps or counts.
    public init(_ input: DisclosureInput) throws(ValidationError) {
        var issues: [ValidationIssue] = []
        if input.period.end < input.period.start {
            issues.append(ValidationIssue(path: "$.period", message: "the period ends before it starts"))
        }
        var caps: [ProductID: DisclosedFeeCap] = [:]
        for (a, agency) in input.agencies.enumerated() {
            let path = "$.agencies[\(a)]"
            if agency.name.isEmpty { issues.append(ValidationIssue(path: path + ".name", message: "empty name")) }
            for (g, grant) in agency.authorizations.enumerated() {
                let grantPath = "\(path).authorizations[\(g)]"
                if grant.end < grant.start {
                    issues.append(ValidationIssue(path: grantPath, message: "the term ends before it starts"))
                }
                if grant.operatorName.isEmpty {
                    issues.append(ValidationIssue(path: grantPath + ".operatorName", message: "empty name"))
                }
                for (c, cap) in grant.feeCaps.enumerated() {
                    if cap.cap.isNegative {
                        issues.append(ValidationIssue(path: "\(grantPath).feeCaps[\(c)]", message: "negative fee cap"))
                    }
                    caps[cap.product] = cap
                }
            }
        }
        var findings: [DisclosureFinding] = []
        for (o, operatorSection) in input.operators.enumerated() {
            let path = "$.operators[\(o)]"
            if operatorSection.name.isEmpty {
                issues.append(ValidationIssue(path: path + ".name", message: "empty name"))
            }
            for (f, fee) in operatorSection.actualFees.enumerated() {
                if fee.fee.isNegative || fee.revenue?.isNegative == true {
                    issues.append(ValidationIssue(path: "\(path).actualFees[\(f)]", message: "negative amount"))
                    continue
                }
                guard fee.fee.fen > 0 else { continue }
                if let cap = caps[fee.product] {
                    if fee.fee.currency == cap.cap.currency, fee.fee > cap.cap {
                        findings.append(
                            DisclosureFinding(
                                kind: .feeAboveCap,
                                operatorParty: operatorSection.party,
                                product: fee.product,
                                message: "\(operatorSection.name) charges \(fee.fee) \(fee.unit) for \(fee.product), "
                                    + "above the cap of \(cap.cap) \(cap.unit)"
                            )
                        )
                    }
                } else {
                    findings.append(
                        DisclosureFinding(
                            kind: .feeWithoutCap,
                            operatorParty: operatorSection.party,
                            product: fee.product,
                            message: "\(operatorSection.name) charges for \(fee.product) but no fee cap is disclosed"
                        )
                    )
                }
            }
            for (u, usage) in operatorSection.dataUsage.enumerated() where usage.calls < 0 || usage.records < 0 {
                issues.append(ValidationIssue(path: "\(path).dataUsage[\(u)]", message: "negative count"))
            }
        }
        guard issues.isEmpty else { throw ValidationError(subject: "disclosure \(input.period)", issues: issues) }
        self.period = input.period
        self.dueDate = input.dueDate ?? input.period.dueDate
        self.agencies = input.agencies.sorted { $0.party < $1.party }
        self.operators = input.operators.sorted { $0.party < $1.party }
        self.findings = findings
        self.ledgerCheckpoint = input.ledgerCheckpoint
    }

    /// The disclosure as `PublicDataJSON` (sorted keys, money in fen, days as `YYYY-MM-DD`).
    /// - Throws: `EncodingError`.
    public func jsonData() throws -> Data { try PublicDataJSON.encode(self) }

    /// The disclosure as a Markdown document a person reads (Chinese headings with English glosses).
    public func markdown() -> String {
        var lines: [String] = []
        lines.append("# 公共数据授权运营信息披露 (Public data authorized operation disclosure)")
        lines.append("")
        lines.append("- 披露期间 (Period): \(period.start) – \(period.end)")
        if let dueDate { lines.append("- 披露截止日期 (Due by): \(dueDate)") }
        lines.append("")
        lines.append("## 实施机构 (Implementing agencies)")
        if agencies.isEmpty {
            lines.append("")
            lines.append("无 (none)")
        }
        for agency in agencies {
            lines.append("")
            lines.append("### \(cell(agency.name)) (`\(agency.party)`)")
            if agency.authorizations.isEmpty {
                lines.append("")
                lines.append("本期无授权 (no authorization)")
            }
            for grant in agency.authorizations {
                lines.append("")
                lines.append("#### 授权协议 (Agreement) `\(grant.agreement)`")
                lines.append("")
                lines.append("- 授权对象 (Authorized operator): \(cell(grant.operatorName)) (`\(grant.operatorParty)`)")
                lines.append("- 授权期限 (Term): \(grant.start) – \(grant.end)")
                lines.append("- 授权范围 (Scope): \(cell(grant.scope))")
                lines.append("")
                lines.append("| 数据资源 (Resource) | 目录编号 (Entry) | 字段 (Fields) |")
                lines.append("|---|---|---|")
                for resource in grant.resources {
                    lines.append(row([resource.name, "`\(resource.entry)`", fields(resource.fields)]))
                }
                if !grant.feeCaps.isEmpty {
                    lines.append("")
                    lines.append("| 产品或服务 (Product) | 收费上限 (Fee cap) | 计费单位 (Unit) |")
                    lines.append("|---|---|---|")
                    for cap in grant.feeCaps {
                        lines.append(row(["\(cap.productName) (`\(cap.product)`)", cap.cap.description, cap.unit]))
                    }
                }
            }
        }
        lines.append("")
        lines.append("## 运营机构 (Operators)")
        if operators.isEmpty {
            lines.append("")
            lines.append("无 (none)")
        }
        for section in operators {
            lines.append("")
            lines.append("### \(cell(section.name)) (`\(section.party)`)")
            lines.append("")
            lines.append("**获授权数据资源 (Authorized resources)**")
            lines.append("")
            lines.append("| 数据资源 (Resource) | 目录编号 (Entry) | 字段 (Fields) |")
            lines.append("|---|---|---|")
            for resource in section.authorizedResources {
                lines.append(row([resource.name, "`\(resource.entry)`", fields(resource.fields)]))
            }
            lines.append("")
            lines.append("**产品和服务清单 (Products and services)**")
            lines.append("")
            lines.append("| 名称 (Name) | 编号 (ID) | 类型 (Kind) | 说明 (Summary) |")
            lines.append("|---|---|---|---|")
            for product in section.products {
                lines.append(
                    row([product.name, "`\(product.product)`", product.kind?.rawValue ?? "—", product.summary])
                )
            }
            lines.append("")
            lines.append("**实际收费 (Actual fees)**")
            lines.append("")
            lines.append("| 产品 (Product) | 收费 (Fee) | 单位 (Unit) | 试行 (Trial) | 收入 (Revenue) |")
            lines.append("|---|---|---|---|---|")
            for fee in section.actualFees {
                lines.append(
                    row([
                        "`\(fee.product)`", fee.fee.description, fee.unit, fee.trial ? "是 (yes)" : "否 (no)",
                        fee.revenue?.description ?? "—",
                    ])
                )
            }
            lines.append("")
            lines.append("**数据使用情况 (Data usage)**")
            lines.append("")
            lines.append("| 数据资源 (Resource) | 调用次数 (Calls) | 记录数 (Records) | 用途 (Purpose) |")
            lines.append("|---|---|---|---|")
            for usage in section.dataUsage {
                lines.append(
                    row(["\(usage.name) (`\(usage.entry)`)", "\(usage.calls)", "\(usage.records)", usage.purpose])
                )
            }
        }
        if !findings.isEmpty {
            lines.append("")
            lines.append("## 提示 (Findings)")
            lines.append("")
            for finding in findings { lines.append("- \(cell(finding.message))") }
        }
        if let checkpoint = ledgerCheckpoint {
            lines.append("")
            lines.append("## 审计账本检查点 (Audit ledger checkpoint)")
            lines.append("")
            lines.append("```")
            lines.append(checkpoint.text + "```")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func fields(_ names: [String]) -> String {
        names.isEmpty ? "全部 (all)" : names.joined(separator: ", ")
    }

    private func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }

    private func row(_ cells: [String]) -> String {
        "| " + cells.map(cell).joined(separator: " | ") + " |"
    }
}
