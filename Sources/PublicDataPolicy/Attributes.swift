import Foundation

/// The value type of a request attribute or a policy parameter, as the policy format sees it.
public enum AttributeType: Sendable, Hashable, CustomStringConvertible {
    /// `true` or `false`.
    case bool
    /// A whole number.
    case int
    /// Free text, such as an identifier.
    case string
    /// One value of a closed vocabulary, e.g. a sharing attribute.
    case symbol(SymbolDomain)
    /// A set of values of a closed vocabulary, e.g. the grades of a product's sources.
    case symbolSet(SymbolDomain)

    /// `bool`, `int`, `string`, `grade`, `set of grade`.
    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .string: "string"
        case .symbol(let domain): domain.rawValue
        case .symbolSet(let domain): "set of \(domain.rawValue)"
        }
    }
}

/// A closed vocabulary used by attributes and parameters, with its allowed JSON values.
public enum SymbolDomain: String, Sendable, CaseIterable, Hashable {
    /// `SharingAttribute` values.
    case sharing
    /// `OpenAttribute` values.
    case openness
    /// `DataGrade` values.
    case grade
    /// `DataSource` values.
    case source
    /// `Purpose` values.
    case purpose
    /// `DeliveryMethod` values.
    case delivery
    /// `AgreementStatus` values.
    case agreementStatus = "agreement_status"
    /// `Role` values.
    case role
    /// `ProductKind` values.
    case productKind = "product_kind"
    /// `ZoneKind` values.
    case zoneKind = "zone_kind"
    /// `AuthorizationMode` values.
    case authorizationMode = "authorization_mode"
    /// ``SelectionMethod`` values.
    case selectionMethod = "selection_method"
    /// ``SecurityDuty`` values.
    case securityDuty = "security_duty"

    /// Whether the values are ordered (in declaration order), so that two attributes of this vocabulary can be
    /// compared with `lessThan`, `atMost`, `greaterThan` and `atLeast`. Only `grade` is:
    /// `general` < `important` < `core`.
    public var isOrdered: Bool { self == .grade }

    /// The allowed JSON values, in declaration order.
    public var values: [String] {
        switch self {
        case .sharing: SharingAttribute.allCases.map(\.rawValue)
        case .openness: OpenAttribute.allCases.map(\.rawValue)
        case .grade: DataGrade.allCases.map(\.rawValue)
        case .source: DataSource.allCases.map(\.rawValue)
        case .purpose: Purpose.allCases.map(\.rawValue)
        case .delivery: DeliveryMethod.allCases.map(\.rawValue)
        case .agreementStatus: AgreementStatus.allCases.map(\.rawValue)
        case .role: Role.allCases.map(\.rawValue)
        case .productKind: ProductKind.allCases.map(\.rawValue)
        case .zoneKind: ZoneKind.allCases.map(\.rawValue)
        case .authorizationMode: AuthorizationMode.allCases.map(\.rawValue)
        case .selectionMethod: SelectionMethod.allCases.map(\.rawValue)
        case .securityDuty: SecurityDuty.allCases.map(\.rawValue)
        }
    }
}

/// An enumeration that the engine maps to a bit position for fast set tests.
protocol Symbolic: CaseIterable, Hashable, SendableMetatype, RawRepresentable
where RawValue == String, AllCases == [Self] {
    /// The declaration-order position (must equal the index in `allCases`).
    var ordinal: Int { get }
}

extension Symbolic {
    var bit: UInt64 { 1 << UInt64(ordinal) }

    static func mask(_ values: some Sequence<Self>) -> UInt64 { values.reduce(0) { $0 | $1.bit } }

    static func set(from mask: UInt64) -> Set<Self> { Set(allCases.filter { mask & $0.bit != 0 }) }
}

extension SharingAttribute: Symbolic {
    var ordinal: Int {
        switch self {
        case .unconditional: 0
        case .conditional: 1
        case .notShared: 2
        }
    }
}

extension OpenAttribute: Symbolic {
    var ordinal: Int {
        switch self {
        case .open: 0
        case .conditionallyOpen: 1
        case .notOpen: 2
        }
    }
}

extension DataGrade: Symbolic {
    var ordinal: Int {
        switch self {
        case .general: 0
        case .important: 1
        case .core: 2
        }
    }
}

extension DataSource: Symbolic {
    var ordinal: Int {
        switch self {
        case .local: 0
        case .nationalMinistry: 1
        case .otherRegion: 2
        }
    }
}

extension Purpose: Symbolic {
    var ordinal: Int {
        switch self {
        case .publicGovernance: 0
        case .publicWelfare: 1
        case .industryDevelopment: 2
        case .sectorDevelopment: 3
        }
    }
}

extension DeliveryMethod: Symbolic {
    var ordinal: Int {
        switch self {
        case .privacyComputing: 0
        case .model: 1
        case .verificationAPI: 2
        case .sandbox: 3
        case .openDataDownload: 4
        }
    }
}

extension AgreementStatus: Symbolic {
    var ordinal: Int {
        switch self {
        case .drafted: 0
        case .decided: 1
        case .signed: 2
        case .filed: 3
        case .active: 4
        case .suspended: 5
        case .terminated: 6
        case .expired: 7
        case .revoked: 8
        case .abandoned: 9
        }
    }
}

extension Role: Symbolic {
    var ordinal: Int {
        switch self {
        case .municipalGovernment: 0
        case .dataAdministration: 1
        case .bigDataCenter: 2
        case .industryDepartment: 3
        case .priceDepartment: 4
        case .financeDepartment: 5
        case .implementingAgency: 6
        case .operator: 7
        case .businessEntity: 8
        case .dataProvider: 9
        case .dataSubject: 10
        case .auditor: 11
        }
    }
}

extension ProductKind: Symbolic {
    var ordinal: Int {
        switch self {
        case .model: 0
        case .verification: 1
        case .api: 2
        case .report: 3
        case .dataset: 4
        case .service: 5
        }
    }
}

extension ZoneKind: Symbolic {
    var ordinal: Int {
        switch self {
        case .domain: 0
        case .regional: 1
        case .comprehensive: 2
        }
    }
}

extension AuthorizationMode: Symbolic {
    var ordinal: Int {
        switch self {
        case .whole: 0
        case .byDomain: 1
        case .byScenario: 2
        }
    }
}

extension SelectionMethod: Symbolic {
    var ordinal: Int {
        switch self {
        case .openTender: 0
        case .invitedTender: 1
        case .negotiation: 2
        case .directAward: 3
        }
    }
}

/// One attribute's value for one request, as the engine sees it.
enum FactValue: Sendable {
    case bool(Bool)
    case int(Int)
    case symbol(UInt64)  // a single bit
    case symbols(UInt64)
    case string(String)
    case missing
}

/// A named, typed attribute of one decision point's requests that rule conditions can test.
public struct AttributeDescriptor: Sendable, Hashable {
    /// The attribute's name in the policy format, e.g. `"entry.sharing"`.
    public var name: String
    /// Its value type.
    public var type: AttributeType
    /// What it means, in plain words.
    public var summary: String
    /// Whether rules that test it for equality with a literal are indexed by its value.
    public var indexed: Bool
}

/// An attribute's descriptor and its reader. Readers take a pointer so that reading one attribute never
/// copies the whole request.
struct AttributeSpec<Request>: Sendable {
    var descriptor: AttributeDescriptor
    var extract: @Sendable (UnsafePointer<Request>) -> FactValue
}

private func attr<R>(
    _ name: String,
    _ type: AttributeType,
    _ summary: String,
    indexed: Bool = false,
    _ extract: @escaping @Sendable (UnsafePointer<R>) -> FactValue
) -> AttributeSpec<R> {
    AttributeSpec(
        descriptor: AttributeDescriptor(name: name, type: type, summary: summary, indexed: indexed),
        extract: extract
    )
}

// MARK: - Derived facts

extension CatalogEntry {
    /// Whether the named fields (all fields when empty) include personal information.
    func touchesPersonalInformation(_ requested: [String]) -> Bool {
        if !fields.contains(where: \.personalInformation) {
            return containsPersonalInformation || containsSensitivePersonalInformation
        }
        if requested.isEmpty { return true }
        return fields.contains { $0.personalInformation && requested.contains($0.name) }
    }
}

extension AgreementTerms {
    /// Whether every requested field of `entry` is inside the scope item (an empty field list means all).
    func authorizes(fields requested: [String], of entry: CatalogEntryID) -> Bool {
        guard let item = scope.first(where: { $0.entry == entry }) else { return false }
        if item.fields.isEmpty { return true }
        if requested.isEmpty { return false }
        return requested.allSatisfy { item.fields.contains($0) }
    }

    /// The term in whole months, rounded up (start to end inclusive).
    var termMonthsRoundedUp: Int {
        let after = end.adding(days: 1)
        var months = (after.year - start.year) * 12 + (after.month - start.month)
        if after.day > start.day { months += 1 }
        return max(0, months)
    }
}

private func roleIsOperator(_ role: Role) -> Bool { role == .operator }

extension DataAccessRequest {
    // The holdings judged: those the caller computed, else the request alone. The request-alone figures are
    // computed here without building an `AggregateHoldings` (no dictionary or set per attribute read); they are
    // the figures `AggregateHoldings(request:)` gives (a test holds them equal).

    /// Distinct catalog entries held.
    var totalEntries: Int { holdings?.entries ?? 1 }

    /// Distinct personal-information fields held.
    var totalPersonalInformationFields: Int {
        if let holdings { return holdings.personalInformationFields }
        if entry.fields.isEmpty {
            return entry.containsPersonalInformation || entry.containsSensitivePersonalInformation ? 1 : 0
        }
        var count = 0
        for field in entry.fields
        where field.personalInformation && (requestedFields.isEmpty || requestedFields.contains(field.name)) {
            count += 1
        }
        return count
    }

    /// Entries graded important or core held.
    var totalImportantEntries: Int { holdings?.importantEntries ?? (entry.grade != .general ? 1 : 0) }

    /// The grades held, as a vocabulary bit mask.
    var totalGrades: UInt64 { holdings.map { DataGrade.mask($0.grades) } ?? entry.grade.bit }

    /// Distinct owning departments held.
    var totalDepartments: Int { holdings?.departments ?? 1 }
}

// MARK: - Attribute tables

enum AttributeTables {
    static let dataRequest: [AttributeSpec<DataAccessRequest>] = [
        attr("entry.id", .string, "The catalog entry's id.", indexed: true) { .string($0.pointee.entry.id.rawValue) },
        attr("entry.owningDepartment", .string, "The entry's owning industry department.", indexed: true) {
            .string($0.pointee.entry.owningDepartment.rawValue)
        },
        attr("entry.sharing", .symbol(.sharing), "The entry's sharing attribute (共享属性).") {
            .symbol($0.pointee.entry.sharing.bit)
        },
        attr("entry.openness", .symbol(.openness), "The entry's open attribute (开放属性).") {
            .symbol($0.pointee.entry.openness.bit)
        },
        attr("entry.grade", .symbol(.grade), "The entry's security grade.") { .symbol($0.pointee.entry.grade.bit) },
        attr("entry.source", .symbol(.source), "Where the entry's data comes from (Art. 19).") {
            .symbol($0.pointee.entry.source.bit)
        },
        attr("entry.containsPersonalInformation", .bool, "The entry holds personal information.") {
            .bool($0.pointee.entry.containsPersonalInformation)
        },
        attr("entry.containsSensitivePersonalInformation", .bool, "The entry holds sensitive personal information.") {
            .bool($0.pointee.entry.containsSensitivePersonalInformation)
        },
        attr("request.operator", .string, "The requesting operator.", indexed: true) {
            .string($0.pointee.operatorParty.rawValue)
        },
        attr("request.purpose", .symbol(.purpose), "The purpose of use.") { .symbol($0.pointee.purpose.bit) },
        attr("request.delivery", .symbol(.delivery), "The delivery method.") { .symbol($0.pointee.delivery.bit) },
        attr("request.anonymized", .bool, "Personal information is anonymized.") { .bool($0.pointee.anonymized) },
        attr("request.dataSubjectConsent", .bool, "The data subjects consented.") {
            .bool($0.pointee.dataSubjectConsent)
        },
        attr("request.providerConsent", .bool, "The providing ministry or region consented (Art. 19).") {
            .bool($0.pointee.providerConsent)
        },
        attr("request.fieldCount", .int, "How many fields are requested (0 asks for the whole entry).") {
            .int($0.pointee.requestedFields.count)
        },
        attr(
            "request.touchesPersonalInformation",
            .bool,
            "The requested fields include personal information (field flags, else the entry's flags)."
        ) { .bool($0.pointee.entry.touchesPersonalInformation($0.pointee.requestedFields)) },
        attr(
            "request.fieldsBeyondNeed",
            .bool,
            "A requested field (every field of the entry when none is named) is not needed by the scenario."
        ) { request in
            if request.pointee.requestedFields.isEmpty {
                return .bool(request.pointee.entry.fields.contains { !request.pointee.neededFields.contains($0.name) })
            }
            return .bool(request.pointee.requestedFields.contains { !request.pointee.neededFields.contains($0) })
        },
        attr("request.unknownFields", .bool, "A requested field is not a field of the catalog entry.") { request in
            let fields = request.pointee.entry.fields
            if fields.isEmpty { return .bool(false) }
            return .bool(request.pointee.requestedFields.contains { name in !fields.contains { $0.name == name } })
        },
        attr("agreement.id", .string, "The agreement's id.", indexed: true) {
            .string($0.pointee.agreement.id.rawValue)
        },
        attr("agreement.status", .symbol(.agreementStatus), "The agreement's status on the day.") {
            .symbol($0.pointee.agreementStatus.bit)
        },
        attr("agreement.coversDay", .bool, "The day lies within the agreement's term.") {
            .bool($0.pointee.agreement.covers($0.pointee.day))
        },
        attr("agreement.entryInScope", .bool, "The entry is in the agreement's scope.") { request in
            .bool(request.pointee.agreement.scope.contains { $0.entry == request.pointee.entry.id })
        },
        attr("agreement.fieldsInScope", .bool, "Every requested field is in the agreement's scope for the entry.") {
            .bool($0.pointee.agreement.authorizes(fields: $0.pointee.requestedFields, of: $0.pointee.entry.id))
        },
        attr("agreement.operatorMatches", .bool, "The requesting operator is the agreement's operator.") {
            .bool($0.pointee.agreement.operatorParty == $0.pointee.operatorParty)
        },
        attr("agreement.operator", .string, "The agreement's operator.") {
            .string($0.pointee.agreement.operatorParty.rawValue)
        },
        attr("entry.fieldCount", .int, "How many fields the catalog entry lists.") {
            .int($0.pointee.entry.fields.count)
        },
        attr("holdings.entries", .int, "Catalog entries the operator would hold in total with this request (Art. 30).")
        {
            .int($0.pointee.totalEntries)
        },
        attr(
            "holdings.personalInformationFields",
            .int,
            "Personal-information fields the operator would hold in total with this request (Art. 30)."
        ) { .int($0.pointee.totalPersonalInformationFields) },
        attr(
            "holdings.importantEntries",
            .int,
            "Entries graded important or core the operator would hold in total with this request (Art. 30)."
        ) { .int($0.pointee.totalImportantEntries) },
        attr("holdings.grades", .symbolSet(.grade), "The grades the operator would hold with this request.") {
            .symbols($0.pointee.totalGrades)
        },
        attr(
            "holdings.departments",
            .int,
            "Owning departments whose entries the operator would hold in total with this request (Art. 30)."
        ) { .int($0.pointee.totalDepartments) },
        attr(
            "operator.unmetSecurityDuties",
            .symbolSet(.securityDuty),
            "The operator's security duties without a valid record or named officer today (Art. 31; 87号 §7); "
                + "empty when not judged."
        ) { .symbols(SecurityDuty.mask($0.pointee.unmetSecurityDuties ?? [])) },
    ]

    static let downstreamScenario: [AttributeSpec<DownstreamScenarioRequest>] = [
        attr("scenario.id", .string, "The scenario's id.", indexed: true) { .string($0.pointee.scenario.rawValue) },
        attr("product.id", .string, "The product to re-develop.", indexed: true) {
            .string($0.pointee.product.rawValue)
        },
        attr("requester.id", .string, "The requesting party.", indexed: true) {
            .string($0.pointee.requester.rawValue)
        },
        attr("requester.role", .symbol(.role), "The requester's role.") { .symbol($0.pointee.requesterRole.bit) },
        attr("requester.isOperator", .bool, "The requester is the operator itself (or acts as an operator).") {
            .bool($0.pointee.requester == $0.pointee.operatorParty || roleIsOperator($0.pointee.requesterRole))
        },
        attr("request.operator", .string, "The operator that delivered the product.", indexed: true) {
            .string($0.pointee.operatorParty.rawValue)
        },
        attr("request.purpose", .symbol(.purpose), "The purpose of use.") { .symbol($0.pointee.purpose.bit) },
        attr("request.meetsOperatorConditions", .bool, "The requester meets the operator's conditions (Art. 25).") {
            .bool($0.pointee.meetsOperatorConditions)
        },
        attr("request.complianceAssessed", .bool, "The operator assessed the scenario's compliance (Art. 20).") {
            .bool($0.pointee.complianceAssessed)
        },
        attr("request.touchesPersonalInformation", .bool, "The scenario involves personal information.") {
            .bool($0.pointee.involvesPersonalInformation)
        },
        attr("request.anonymized", .bool, "Personal information is anonymized.") { .bool($0.pointee.anonymized) },
        attr("request.dataSubjectConsent", .bool, "The data subjects consented.") {
            .bool($0.pointee.dataSubjectConsent)
        },
        attr("product.delivered", .bool, "The product is among the operator's delivered products.") { request in
            .bool(request.pointee.deliveredProducts.contains(request.pointee.product))
        },
        attr("product.inAgreement", .bool, "The agreement lists the product (an empty list restricts nothing).") {
            request in
            .bool(
                request.pointee.agreement.products.isEmpty
                    || request.pointee.agreement.products.contains(request.pointee.product)
            )
        },
        attr("agreement.status", .symbol(.agreementStatus), "The agreement's status on the day.") {
            .symbol($0.pointee.agreementStatus.bit)
        },
        attr("agreement.coversDay", .bool, "The day lies within the agreement's term.") {
            .bool($0.pointee.agreement.covers($0.pointee.day))
        },
        attr("agreement.operatorMatches", .bool, "The delivering operator is the agreement's operator.") {
            .bool($0.pointee.agreement.operatorParty == $0.pointee.operatorParty)
        },
    ]

    static let productRelease: [AttributeSpec<ProductReleaseRequest>] = [
        attr("product.id", .string, "The product's id.", indexed: true) { .string($0.pointee.product.rawValue) },
        attr("product.kind", .symbol(.productKind), "The product's kind.") { .symbol($0.pointee.kind.bit) },
        attr("publisher.id", .string, "The publishing party.", indexed: true) {
            .string($0.pointee.publisher.rawValue)
        },
        attr("publisher.role", .symbol(.role), "The publisher's role.") { .symbol($0.pointee.publisherRole.bit) },
        attr("publisher.isOperator", .bool, "The publisher is the operator acting as operator.") {
            .bool($0.pointee.publisher == $0.pointee.operatorParty && roleIsOperator($0.pointee.publisherRole))
        },
        attr("product.containsRawData", .bool, "The product hands out source records as they are.") {
            .bool($0.pointee.containsRawData)
        },
        attr("product.rawNonOpenData", .bool, "The product hands out raw records of a source that is not open.") {
            request in
            .bool(request.pointee.containsRawData && request.pointee.sources.contains { $0.openness != .open })
        },
        attr("product.redevelopsDeliveredProduct", .bool, "It re-develops a product already delivered (Art. 6).") {
            .bool($0.pointee.redevelopsDeliveredProduct)
        },
        attr("sources.grades", .symbolSet(.grade), "The grades of the source entries.") {
            .symbols(DataGrade.mask($0.pointee.sources.lazy.map(\.grade)))
        },
        attr("sources.sharing", .symbolSet(.sharing), "The sharing attributes of the source entries.") {
            .symbols(SharingAttribute.mask($0.pointee.sources.lazy.map(\.sharing)))
        },
        attr("sources.count", .int, "How many source entries the product uses.") { .int($0.pointee.sources.count) },
        attr("sources.outsideScope", .bool, "A source entry is outside the agreement's scope.") { request in
            .bool(
                request.pointee.sources.contains { source in
                    !request.pointee.agreement.scope.contains { $0.entry == source.id }
                }
            )
        },
        attr("request.touchesPersonalInformation", .bool, "A source entry holds personal information.") {
            .bool(
                $0.pointee.sources.contains {
                    $0.containsPersonalInformation || $0.containsSensitivePersonalInformation
                }
            )
        },
        attr("request.anonymized", .bool, "Personal information is anonymized.") { .bool($0.pointee.anonymized) },
        attr("request.dataSubjectConsent", .bool, "The data subjects consented.") {
            .bool($0.pointee.dataSubjectConsent)
        },
        attr("request.operator", .string, "The operator whose agreement covers the data.", indexed: true) {
            .string($0.pointee.operatorParty.rawValue)
        },
        attr("agreement.status", .symbol(.agreementStatus), "The agreement's status on the day.") {
            .symbol($0.pointee.agreementStatus.bit)
        },
        attr("agreement.coversDay", .bool, "The day lies within the agreement's term.") {
            .bool($0.pointee.agreement.covers($0.pointee.day))
        },
        attr("agreement.listsProduct", .bool, "The agreement lists the product (an empty list restricts nothing).") {
            request in
            .bool(
                request.pointee.agreement.products.isEmpty
                    || request.pointee.agreement.products.contains(request.pointee.product)
            )
        },
        attr("agreement.operatorMatches", .bool, "The request's operator is the agreement's operator.") {
            .bool($0.pointee.agreement.operatorParty == $0.pointee.operatorParty)
        },
    ]

    static let operatorEligibility: [AttributeSpec<OperatorEligibilityRequest>] = [
        attr("candidate.id", .string, "The candidate.", indexed: true) { .string($0.pointee.candidate.rawValue) },
        attr("selection.method", .symbol(.selectionMethod), "How the candidate is selected.") {
            .symbol($0.pointee.method.bit)
        },
        attr("plan.approved", .bool, "The implementation plan is approved.") { .bool($0.pointee.planApproved) },
        attr("candidate.isLegalEntity", .bool, "The candidate is a legal entity.") { .bool($0.pointee.isLegalEntity) },
        attr("candidate.hasOperatingCapability", .bool, "It can govern, process and operate data.") {
            .bool($0.pointee.hasOperatingCapability)
        },
        attr("candidate.hasBadBusinessRecord", .bool, "It has a bad business record.") {
            .bool($0.pointee.hasBadBusinessRecord)
        },
        attr("candidate.hasGoodCredit", .bool, "Its credit is good.") { .bool($0.pointee.hasGoodCredit) },
        attr("candidate.meetsDataSecurityRequirements", .bool, "It meets the data-security requirements.") {
            .bool($0.pointee.meetsDataSecurityRequirements)
        },
    ]

    static let plan: [AttributeSpec<PlanReviewRequest>] = [
        attr("plan.id", .string, "The plan's id.", indexed: true) { .string($0.pointee.plan.id.rawValue) },
        attr("plan.issueCount", .int, "How many Art. 11 elements are missing or invalid.") {
            .int($0.pointee.plan.validationIssues().count)
        },
        attr("plan.termMonths", .int, "The plan's term in months (missing when not given).") {
            $0.pointee.plan.termMonths.map { .int($0) } ?? .missing
        },
        attr("plan.mode", .symbol(.authorizationMode), "The plan's authorization mode (missing when not given).") {
            $0.pointee.plan.authorizationMode.map { .symbol($0.bit) } ?? .missing
        },
        attr("plan.zoneKind", .symbol(.zoneKind), "The kind of the plan's zone (missing when none).") {
            $0.pointee.zoneKind.map { .symbol($0.bit) } ?? .missing
        },
        attr("plan.hasZone", .bool, "The plan belongs to a zone.") { .bool($0.pointee.zoneKind != nil) },
        attr("plan.scenarioCount", .int, "How many scenarios the plan authorizes.") {
            .int($0.pointee.scenarios.count)
        },
    ]

    static let agreement: [AttributeSpec<AgreementReviewRequest>] = [
        attr("agreement.id", .string, "The agreement's id.", indexed: true) {
            .string($0.pointee.agreement.id.rawValue)
        },
        attr("agreement.issueCount", .int, "How many structural problems the terms have.") {
            .int($0.pointee.agreement.validationIssues().count)
        },
        attr("agreement.termMonths", .int, "The term in whole months, rounded up.") {
            .int($0.pointee.agreement.termMonthsRoundedUp)
        },
        attr("agreement.termWithinPlan", .bool, "The term is no longer than the plan's term (false without one).") {
            request in
            guard let planMonths = request.pointee.plan.termMonths else { return .bool(false) }
            return .bool(request.pointee.agreement.termMonthsRoundedUp <= planMonths)
        },
        attr("agreement.scopeWithinPlan", .bool, "Every scope entry is in the plan's data scope.") { request in
            let planScope = request.pointee.plan.dataScope ?? []
            return .bool(request.pointee.agreement.scope.allSatisfy { planScope.contains($0.entry) })
        },
        attr("agreement.planMatches", .bool, "The agreement names the plan under review.") {
            .bool($0.pointee.agreement.plan == $0.pointee.plan.id)
        },
        attr("agreement.operatorSelected", .bool, "The agreement's operator is the competitively selected one.") {
            .bool($0.pointee.selectedOperator == $0.pointee.agreement.operatorParty)
        },
        attr("plan.approved", .bool, "The plan is approved by the municipal government.") {
            .bool($0.pointee.planApproved)
        },
        attr("plan.termMonths", .int, "The plan's term in months (missing when not given).") {
            $0.pointee.plan.termMonths.map { .int($0) } ?? .missing
        },
        attr("agreement.collectiveDecisionRecorded", .bool, "The 三重一大 collective decision is recorded.") {
            .bool($0.pointee.collectiveDecisionRecorded)
        },
    ]

    static let pricing: [AttributeSpec<PricingEligibilityRequest>] = [
        attr("product.id", .string, "The product's id.", indexed: true) { .string($0.pointee.product.rawValue) },
        attr("request.purpose", .symbol(.purpose), "The purpose of use.") { .symbol($0.pointee.purpose.bit) },
        attr("request.chargeRequested", .bool, "The operator wants to charge a fee.") {
            .bool($0.pointee.chargeRequested)
        },
        attr("request.priceCapApproved", .bool, "A guided-price cap is approved (65号).") {
            .bool($0.pointee.priceCapApproved)
        },
    ]

    static let conduct: [AttributeSpec<ConductReviewRequest>] = [
        attr("actor.id", .string, "Who acts.", indexed: true) { .string($0.pointee.actor.rawValue) },
        attr("actor.role", .symbol(.role), "The actor's role.") { .symbol($0.pointee.actorRole.bit) },
        attr("conduct.paidProductThroughThirdParty", .bool, "Paid products developed by a third party.") {
            .bool($0.pointee.paidProductThroughThirdParty)
        },
        attr("conduct.throughAuthorizedOperation", .bool, "Done through the authorized-operation procedure.") {
            .bool($0.pointee.throughAuthorizedOperation)
        },
        attr("conduct.restrictsCompetition", .bool, "Abuse of power or dominance restricting competition.") {
            .bool($0.pointee.restrictsCompetition)
        },
        attr("conduct.monopolisticConduct", .bool, "Monopolistic conduct using data or other advantages.") {
            .bool($0.pointee.monopolisticConduct)
        },
        attr("conduct.rawNonOpenDataToMarket", .bool, "Raw non-open public data enters the market.") {
            .bool($0.pointee.rawNonOpenDataToMarket)
        },
        attr("conduct.redevelopsDeliveredProduct", .bool, "The operator re-develops delivered products.") {
            .bool($0.pointee.redevelopsDeliveredProduct)
        },
        attr("conduct.beyondAuthorizedScope", .bool, "The operator acts beyond its scope.") {
            .bool($0.pointee.beyondAuthorizedScope)
        },
        attr("conduct.afterAgreementEnded", .bool, "The operator acts after its agreement ended.") {
            .bool($0.pointee.afterAgreementEnded)
        },
    ]

    /// The descriptors of one decision point, in table order (the index is the attribute's number).
    static func descriptors(_ point: DecisionPoint) -> [AttributeDescriptor] {
        switch point {
        case .dataRequest: dataRequest.map(\.descriptor)
        case .downstreamScenario: downstreamScenario.map(\.descriptor)
        case .productRelease: productRelease.map(\.descriptor)
        case .operatorEligibility: operatorEligibility.map(\.descriptor)
        case .plan: plan.map(\.descriptor)
        case .agreement: agreement.map(\.descriptor)
        case .pricing: pricing.map(\.descriptor)
        case .conduct: conduct.map(\.descriptor)
        }
    }

    static let descriptorsByPoint: [[AttributeDescriptor]] = DecisionPoint.allCases.map { descriptors($0) }
}

extension DecisionPoint {
    /// The attributes that rule conditions at this decision point may test.
    public var attributes: [AttributeDescriptor] { AttributeTables.descriptorsByPoint[ordinal] }
}
