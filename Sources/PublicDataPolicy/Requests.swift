import Foundation

/// How an operator was selected (Art. 12: open tender, invited tender or negotiation).
public enum SelectionMethod: String, Codable, Sendable, CaseIterable, Hashable {
    /// 公开招标.
    case openTender = "open_tender"
    /// 邀请招标.
    case invitedTender = "invited_tender"
    /// 谈判.
    case negotiation
    /// A direct award without competition (not a fair competitive method under Art. 12).
    case directAward = "direct_award"
}

/// An operator asks for data from one catalog entry (Art. 16–19, 26; 87号 §6).
///
/// Every fact the decision needs travels in the request, so evaluation is pure.
///
/// ```swift
/// let request = DataAccessRequest(
///     operatorParty: "op-1", entry: entry, agreement: terms, agreementStatus: .active,
///     requestedFields: ["name"], neededFields: ["name"], purpose: .publicGovernance,
///     delivery: .privacyComputing, day: CivilDate("2026-05-01")!)
/// ```
public struct DataAccessRequest: Codable, Sendable, Hashable {
    /// The request's identifier, if it has one yet.
    public var requestID: DataRequestID?
    /// The operator that asks.
    public var operatorParty: PartyID
    /// The application scenario the data is for.
    public var scenario: ScenarioID?
    /// The catalog entry asked for, with its attributes as they are on the evaluation day.
    public var entry: CatalogEntry
    /// The operator's authorization agreement.
    public var agreement: AgreementTerms
    /// The agreement's status on the evaluation day.
    public var agreementStatus: AgreementStatus
    /// The fields asked for; an empty list asks for every field of the entry.
    public var requestedFields: [String]
    /// The fields the scenario actually needs (minimal authorization, 87号 §6).
    public var neededFields: [String]
    /// The purpose of use (Art. 22).
    public var purpose: Purpose
    /// How the data would be delivered.
    public var delivery: DeliveryMethod
    /// Whether personal information is anonymized before delivery (Art. 26).
    public var anonymized: Bool
    /// Whether the data subjects consented to this use (Art. 17, 26).
    public var dataSubjectConsent: Bool
    /// Whether the providing national ministry or other region consented (Art. 19).
    public var providerConsent: Bool
    /// The calendar day of the evaluation (for the agreement's term).
    public var day: CivilDate
    /// What the operator would hold in total once this request is granted — its live grants and this request
    /// (Art. 30 关联汇聚); `nil` judges the request alone (``AggregateHoldings/init(request:)``).
    public var holdings: AggregateHoldings?
    /// The operator's security duties that no valid record or named officer meets on the evaluation day (Art. 31;
    /// 87号 §7), in declaration order; `nil` when not judged (the policy monitor re-judges live grants without
    /// them: a lapse blocks new grants only).
    public var unmetSecurityDuties: [SecurityDuty]?

    /// Creates a data request.
    public init(
        requestID: DataRequestID? = nil,
        operatorParty: PartyID,
        scenario: ScenarioID? = nil,
        entry: CatalogEntry,
        agreement: AgreementTerms,
        agreementStatus: AgreementStatus,
        requestedFields: [String],
        neededFields: [String],
        purpose: Purpose,
        delivery: DeliveryMethod,
        anonymized: Bool = false,
        dataSubjectConsent: Bool = false,
        providerConsent: Bool = false,
        day: CivilDate,
        holdings: AggregateHoldings? = nil,
        unmetSecurityDuties: [SecurityDuty]? = nil
    ) {
        self.holdings = holdings
        self.unmetSecurityDuties = unmetSecurityDuties
        self.requestID = requestID
        self.operatorParty = operatorParty
        self.scenario = scenario
        self.entry = entry
        self.agreement = agreement
        self.agreementStatus = agreementStatus
        self.requestedFields = requestedFields
        self.neededFields = neededFields
        self.purpose = purpose
        self.delivery = delivery
        self.anonymized = anonymized
        self.dataSubjectConsent = dataSubjectConsent
        self.providerConsent = providerConsent
        self.day = day
    }
}

/// What an operator holds, or would hold, in total across its grants (Art. 30 关联汇聚): the totals a policy judges
/// aggregation risk on (`holdings.*` attributes of the data-request decision point).
///
/// Data that is harmless entry by entry can identify people or reveal important matters once combined, so a data
/// request is judged with the operator's holdings including it. The totals count distinct catalog entries; a field
/// held under two grants counts once.
///
/// ```swift
/// let totals = AggregateHoldings(holding: [
///     .init(entry: registry, fields: ["licenseNo"]), .init(entry: permits, fields: []),
/// ])
/// ```
public struct AggregateHoldings: Codable, Sendable, Hashable {
    /// One catalog entry held, with the fields held (empty: every field of the entry).
    public struct Held: Sendable, Hashable {
        /// The entry as it is in the catalog.
        public var entry: CatalogEntry
        /// The fields held; empty holds every field.
        public var fields: [String]

        /// Creates a holding.
        public init(entry: CatalogEntry, fields: [String]) {
            self.entry = entry
            self.fields = fields
        }
    }

    /// How many distinct catalog entries.
    public var entries: Int
    /// How many distinct personal-information fields (an entry flagged as holding personal information but listing
    /// no fields counts as one).
    public var personalInformationFields: Int
    /// How many entries are graded important or core.
    public var importantEntries: Int
    /// The grades held.
    public var grades: Set<DataGrade>
    /// How many distinct owning departments supply the entries.
    public var departments: Int

    /// Creates totals.
    public init(
        entries: Int,
        personalInformationFields: Int,
        importantEntries: Int,
        grades: Set<DataGrade>,
        departments: Int
    ) {
        self.entries = entries
        self.personalInformationFields = personalInformationFields
        self.importantEntries = importantEntries
        self.grades = grades
        self.departments = departments
    }

    /// The totals of `held`: holdings of one entry under several grants are merged (the union of their fields).
    public init(holding held: [Held]) {
        var merged: [CatalogEntryID: (entry: CatalogEntry, fields: Set<String>?)] = [:]
        for item in held {
            let fields: Set<String>? = item.fields.isEmpty ? nil : Set(item.fields)
            if let existing = merged[item.entry.id] {
                // nil (every field) absorbs any list.
                let union = existing.fields.flatMap { old in fields.map { old.union($0) } }
                merged[item.entry.id] = (item.entry, union)
            } else {
                merged[item.entry.id] = (item.entry, fields)
            }
        }
        var personal = 0
        for (entry, fields) in merged.values {
            if entry.fields.isEmpty {
                if entry.containsPersonalInformation || entry.containsSensitivePersonalInformation { personal += 1 }
            } else {
                personal += entry.fields.filter { $0.personalInformation && (fields?.contains($0.name) ?? true) }.count
            }
        }
        let entries = merged.values.map(\.entry)
        self.init(
            entries: entries.count,
            personalInformationFields: personal,
            importantEntries: entries.filter { $0.grade != .general }.count,
            grades: Set(entries.map(\.grade)),
            departments: Set(entries.map(\.owningDepartment)).count
        )
    }

    /// The totals of `request`'s entry and requested fields alone.
    public init(request: DataAccessRequest) {
        self.init(holding: [Held(entry: request.entry, fields: request.requestedFields)])
    }

    private enum CodingKeys: String, CodingKey {
        case entries, personalInformationFields, importantEntries, grades, departments
    }

    /// Writes the totals with the grades in order (general, important, core), so that equal totals are equal bytes
    /// (a `Set` iterates in an order that differs from process to process).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entries, forKey: .entries)
        try container.encode(personalInformationFields, forKey: .personalInformationFields)
        try container.encode(importantEntries, forKey: .importantEntries)
        try container.encode(grades.sorted(), forKey: .grades)
        try container.encode(departments, forKey: .departments)
    }
}

/// A business entity asks to re-develop an operator-delivered product for a scenario (Art. 20, 25, 6).
public struct DownstreamScenarioRequest: Codable, Sendable, Hashable {
    /// The scenario's identifier.
    public var scenario: ScenarioID
    /// The party that wants to re-develop the product.
    public var requester: PartyID
    /// The role the requester acts in (a business entity under Art. 25).
    public var requesterRole: Role
    /// The operator that delivered the product and assesses the scenario.
    public var operatorParty: PartyID
    /// The product to re-develop.
    public var product: ProductID
    /// The products the operator has delivered so far.
    public var deliveredProducts: [ProductID]
    /// The operator's authorization agreement.
    public var agreement: AgreementTerms
    /// The agreement's status on the evaluation day.
    public var agreementStatus: AgreementStatus
    /// Whether the requester meets the operator's published conditions (Art. 25).
    public var meetsOperatorConditions: Bool
    /// Whether the operator assessed the scenario's compliance (Art. 20).
    public var complianceAssessed: Bool
    /// The purpose of use.
    public var purpose: Purpose
    /// Whether the scenario involves personal information.
    public var involvesPersonalInformation: Bool
    /// Whether personal information is anonymized (Art. 26).
    public var anonymized: Bool
    /// Whether the data subjects consented (Art. 26).
    public var dataSubjectConsent: Bool
    /// The calendar day of the evaluation.
    public var day: CivilDate

    /// Creates a downstream scenario request.
    public init(
        scenario: ScenarioID,
        requester: PartyID,
        requesterRole: Role,
        operatorParty: PartyID,
        product: ProductID,
        deliveredProducts: [ProductID],
        agreement: AgreementTerms,
        agreementStatus: AgreementStatus,
        meetsOperatorConditions: Bool,
        complianceAssessed: Bool,
        purpose: Purpose,
        involvesPersonalInformation: Bool = false,
        anonymized: Bool = false,
        dataSubjectConsent: Bool = false,
        day: CivilDate
    ) {
        self.scenario = scenario
        self.requester = requester
        self.requesterRole = requesterRole
        self.operatorParty = operatorParty
        self.product = product
        self.deliveredProducts = deliveredProducts
        self.agreement = agreement
        self.agreementStatus = agreementStatus
        self.meetsOperatorConditions = meetsOperatorConditions
        self.complianceAssessed = complianceAssessed
        self.purpose = purpose
        self.involvesPersonalInformation = involvesPersonalInformation
        self.anonymized = anonymized
        self.dataSubjectConsent = dataSubjectConsent
        self.day = day
    }
}

/// An operator or business entity wants to release a product or service (Art. 6, 20, 26–27).
public struct ProductReleaseRequest: Codable, Sendable, Hashable {
    /// The product's identifier.
    public var product: ProductID
    /// The product's kind.
    public var kind: ProductKind
    /// The party that releases it.
    public var publisher: PartyID
    /// The role the publisher acts in (operator or business entity).
    public var publisherRole: Role
    /// The operator whose agreement covers the data behind the product.
    public var operatorParty: PartyID
    /// The catalog entries the product is derived from.
    public var sources: [CatalogEntry]
    /// Whether the product hands out source records as they are (raw data).
    public var containsRawData: Bool
    /// Whether the product re-develops a product already delivered within the operator's scope (Art. 6).
    public var redevelopsDeliveredProduct: Bool
    /// The operator's authorization agreement.
    public var agreement: AgreementTerms
    /// The agreement's status on the evaluation day.
    public var agreementStatus: AgreementStatus
    /// Whether personal information is anonymized (Art. 26).
    public var anonymized: Bool
    /// Whether the data subjects consented (Art. 26).
    public var dataSubjectConsent: Bool
    /// The calendar day of the evaluation.
    public var day: CivilDate

    /// Creates a product release request.
    public init(
        product: ProductID,
        kind: ProductKind,
        publisher: PartyID,
        publisherRole: Role,
        operatorParty: PartyID,
        sources: [CatalogEntry],
        containsRawData: Bool = false,
        redevelopsDeliveredProduct: Bool = false,
        agreement: AgreementTerms,
        agreementStatus: AgreementStatus,
        anonymized: Bool = false,
        dataSubjectConsent: Bool = false,
        day: CivilDate
    ) {
        self.product = product
        self.kind = kind
        self.publisher = publisher
        self.publisherRole = publisherRole
        self.operatorParty = operatorParty
        self.sources = sources
        self.containsRawData = containsRawData
        self.redevelopsDeliveredProduct = redevelopsDeliveredProduct
        self.agreement = agreement
        self.agreementStatus = agreementStatus
        self.anonymized = anonymized
        self.dataSubjectConsent = dataSubjectConsent
        self.day = day
    }
}

/// Whether a candidate may be selected as operator (Art. 12).
public struct OperatorEligibilityRequest: Codable, Sendable, Hashable {
    /// The candidate.
    public var candidate: PartyID
    /// The selection procedure, if known.
    public var selection: SelectionID?
    /// How the candidate is being selected.
    public var method: SelectionMethod
    /// Whether the implementation plan was approved by the municipal government (Art. 11–12).
    public var planApproved: Bool
    /// Whether the candidate is a legal entity (法人组织).
    public var isLegalEntity: Bool
    /// Whether it has data governance, processing and operation capability.
    public var hasOperatingCapability: Bool
    /// Whether it has a bad business record.
    public var hasBadBusinessRecord: Bool
    /// Whether its credit is good.
    public var hasGoodCredit: Bool
    /// Whether it meets the national data-security requirements.
    public var meetsDataSecurityRequirements: Bool

    /// Creates an eligibility request.
    public init(
        candidate: PartyID,
        selection: SelectionID? = nil,
        method: SelectionMethod,
        planApproved: Bool,
        isLegalEntity: Bool,
        hasOperatingCapability: Bool,
        hasBadBusinessRecord: Bool,
        hasGoodCredit: Bool,
        meetsDataSecurityRequirements: Bool
    ) {
        self.candidate = candidate
        self.selection = selection
        self.method = method
        self.planApproved = planApproved
        self.isLegalEntity = isLegalEntity
        self.hasOperatingCapability = hasOperatingCapability
        self.hasBadBusinessRecord = hasBadBusinessRecord
        self.hasGoodCredit = hasGoodCredit
        self.meetsDataSecurityRequirements = meetsDataSecurityRequirements
    }
}

/// Whether an implementation plan may be submitted (Art. 10–11; term cap 27号).
public struct PlanReviewRequest: Codable, Sendable, Hashable {
    /// The plan.
    public var plan: ImplementationPlan
    /// The kind of the plan's zone, if it belongs to one (for the by-domain mode).
    public var zoneKind: ZoneKind?
    /// The scenarios a by-scenario plan authorizes.
    public var scenarios: [ScenarioID]

    /// Creates a plan review request.
    public init(plan: ImplementationPlan, zoneKind: ZoneKind? = nil, scenarios: [ScenarioID] = []) {
        self.plan = plan
        self.zoneKind = zoneKind
        self.scenarios = scenarios
    }
}

/// Whether an authorization agreement may be signed and filed (Art. 12–13; term cap 27号).
public struct AgreementReviewRequest: Codable, Sendable, Hashable {
    /// The agreement's terms.
    public var agreement: AgreementTerms
    /// The implementation plan it executes.
    public var plan: ImplementationPlan
    /// Whether the plan was approved by the municipal government.
    public var planApproved: Bool
    /// Whether the collective decision (三重一大) was recorded.
    public var collectiveDecisionRecorded: Bool
    /// The operator chosen by the competitive selection, if any.
    public var selectedOperator: PartyID?

    /// Creates an agreement review request.
    public init(
        agreement: AgreementTerms,
        plan: ImplementationPlan,
        planApproved: Bool,
        collectiveDecisionRecorded: Bool,
        selectedOperator: PartyID?
    ) {
        self.agreement = agreement
        self.plan = plan
        self.planApproved = planApproved
        self.collectiveDecisionRecorded = collectiveDecisionRecorded
        self.selectedOperator = selectedOperator
    }
}

/// Whether a product may be charged for, given its purpose (Art. 22, 65号).
public struct PricingEligibilityRequest: Codable, Sendable, Hashable {
    /// The product.
    public var product: ProductID
    /// The purpose of use.
    public var purpose: Purpose
    /// Whether the operator wants to charge a fee.
    public var chargeRequested: Bool
    /// Whether a guided-price cap is approved for the product (65号).
    public var priceCapApproved: Bool

    /// Creates a pricing eligibility request.
    public init(product: ProductID, purpose: Purpose, chargeRequested: Bool, priceCapApproved: Bool) {
        self.product = product
        self.purpose = purpose
        self.chargeRequested = chargeRequested
        self.priceCapApproved = priceCapApproved
    }
}

/// A described course of conduct checked against the Art. 6 prohibitions.
public struct ConductReviewRequest: Codable, Sendable, Hashable {
    /// Who acts.
    public var actor: PartyID
    /// The role the actor acts in.
    public var actorRole: Role
    /// A department offers paid products developed by a third party (item 1) ...
    public var paidProductThroughThirdParty: Bool
    /// ... through the authorized-operation procedure (which makes it lawful).
    public var throughAuthorizedOperation: Bool
    /// Abuse of administrative power or market dominance to restrict competition (item 2).
    public var restrictsCompetition: Bool
    /// Monopolistic conduct using data, algorithm, technical or capital advantages (item 2).
    public var monopolisticConduct: Bool
    /// Raw public data that is not lawfully open enters the market directly (item 3).
    public var rawNonOpenDataToMarket: Bool
    /// The operator re-develops products already delivered in its scope (item 4).
    public var redevelopsDeliveredProduct: Bool
    /// The operator acts beyond its authorized scope (item 5, Art. 20).
    public var beyondAuthorizedScope: Bool
    /// The operator acts after its agreement ended (item 5).
    public var afterAgreementEnded: Bool

    /// Creates a conduct review request; every flag defaults to `false`.
    public init(
        actor: PartyID,
        actorRole: Role,
        paidProductThroughThirdParty: Bool = false,
        throughAuthorizedOperation: Bool = false,
        restrictsCompetition: Bool = false,
        monopolisticConduct: Bool = false,
        rawNonOpenDataToMarket: Bool = false,
        redevelopsDeliveredProduct: Bool = false,
        beyondAuthorizedScope: Bool = false,
        afterAgreementEnded: Bool = false
    ) {
        self.actor = actor
        self.actorRole = actorRole
        self.paidProductThroughThirdParty = paidProductThroughThirdParty
        self.throughAuthorizedOperation = throughAuthorizedOperation
        self.restrictsCompetition = restrictsCompetition
        self.monopolisticConduct = monopolisticConduct
        self.rawNonOpenDataToMarket = rawNonOpenDataToMarket
        self.redevelopsDeliveredProduct = redevelopsDeliveredProduct
        self.beyondAuthorizedScope = beyondAuthorizedScope
        self.afterAgreementEnded = afterAgreementEnded
    }
}

/// The decision point a rule or request belongs to.
public enum DecisionPoint: String, Codable, Sendable, CaseIterable, Hashable {
    /// ``DataAccessRequest``.
    case dataRequest = "data_request"
    /// ``DownstreamScenarioRequest``.
    case downstreamScenario = "downstream_scenario"
    /// ``ProductReleaseRequest``.
    case productRelease = "product_release"
    /// ``OperatorEligibilityRequest``.
    case operatorEligibility = "operator_eligibility"
    /// ``PlanReviewRequest``.
    case plan
    /// ``AgreementReviewRequest``.
    case agreement
    /// ``PricingEligibilityRequest``.
    case pricing
    /// ``ConductReviewRequest``.
    case conduct

    /// The JSON key of the request in a ``PolicyRequest`` (e.g. `"dataRequest"`).
    public var requestKey: String {
        switch self {
        case .dataRequest: "dataRequest"
        case .downstreamScenario: "downstreamScenario"
        case .productRelease: "productRelease"
        case .operatorEligibility: "operatorEligibility"
        case .plan: "plan"
        case .agreement: "agreement"
        case .pricing: "pricing"
        case .conduct: "conduct"
        }
    }

    var ordinal: Int {
        switch self {
        case .dataRequest: 0
        case .downstreamScenario: 1
        case .productRelease: 2
        case .operatorEligibility: 3
        case .plan: 4
        case .agreement: 5
        case .pricing: 6
        case .conduct: 7
        }
    }
}

/// A question for the policy: one request at one decision point.
///
/// In JSON a request is an object with exactly one key, the decision point's ``DecisionPoint/requestKey``:
/// `{"dataRequest": {...}}`, `{"pricing": {...}}`, ...
public enum PolicyRequest: Codable, Sendable, Hashable {
    /// An operator asks for catalog data.
    case dataRequest(DataAccessRequest)
    /// An operator or business entity releases a product.
    case productRelease(ProductReleaseRequest)
    /// A business entity re-develops a delivered product for a scenario.
    case downstreamScenario(DownstreamScenarioRequest)
    /// A candidate is checked for selection as operator.
    case operatorEligibility(OperatorEligibilityRequest)
    /// An implementation plan is checked before submission.
    case plan(PlanReviewRequest)
    /// An agreement is checked before signing and filing.
    case agreement(AgreementReviewRequest)
    /// A product's charging is checked against its purpose.
    case pricing(PricingEligibilityRequest)
    /// A course of conduct is checked against Art. 6.
    case conduct(ConductReviewRequest)

    /// The request's decision point.
    public var point: DecisionPoint {
        switch self {
        case .dataRequest: .dataRequest
        case .productRelease: .productRelease
        case .downstreamScenario: .downstreamScenario
        case .operatorEligibility: .operatorEligibility
        case .plan: .plan
        case .agreement: .agreement
        case .pricing: .pricing
        case .conduct: .conduct
        }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Decodes `{"<requestKey>": {...}}`; anything but exactly one known key is a decoding error.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        let keys = container.allKeys
        guard keys.count == 1, let key = keys.first,
            let point = DecisionPoint.allCases.first(where: { $0.requestKey == key.stringValue })
        else {
            let known = DecisionPoint.allCases.map(\.requestKey).joined(separator: ", ")
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: "A request has exactly one key, one of: \(known); got \(keys.map(\.stringValue))"
                )
            )
        }
        switch point {
        case .dataRequest: self = .dataRequest(try container.decode(DataAccessRequest.self, forKey: key))
        case .downstreamScenario:
            self = .downstreamScenario(try container.decode(DownstreamScenarioRequest.self, forKey: key))
        case .productRelease: self = .productRelease(try container.decode(ProductReleaseRequest.self, forKey: key))
        case .operatorEligibility:
            self = .operatorEligibility(try container.decode(OperatorEligibilityRequest.self, forKey: key))
        case .plan: self = .plan(try container.decode(PlanReviewRequest.self, forKey: key))
        case .agreement: self = .agreement(try container.decode(AgreementReviewRequest.self, forKey: key))
        case .pricing: self = .pricing(try container.decode(PricingEligibilityRequest.self, forKey: key))
        case .conduct: self = .conduct(try container.decode(ConductReviewRequest.self, forKey: key))
        }
    }

    /// Encodes `{"<requestKey>": {...}}`.
    /// - Throws: `EncodingError`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        let key = Key(point.requestKey)
        switch self {
        case .dataRequest(let value): try container.encode(value, forKey: key)
        case .productRelease(let value): try container.encode(value, forKey: key)
        case .downstreamScenario(let value): try container.encode(value, forKey: key)
        case .operatorEligibility(let value): try container.encode(value, forKey: key)
        case .plan(let value): try container.encode(value, forKey: key)
        case .agreement(let value): try container.encode(value, forKey: key)
        case .pricing(let value): try container.encode(value, forKey: key)
        case .conduct(let value): try container.encode(value, forKey: key)
        }
    }
}

// MARK: - Lenient decoding of flags
//
// In JSON the yes/no facts of a request may be left out; a missing flag is `false` and a missing list is
// empty, which is always the stricter reading (no consent, no anonymization, nothing delivered).

extension DataAccessRequest {
    /// Decodes a request; `anonymized`, `dataSubjectConsent` and `providerConsent` default to `false`,
    /// `requestedFields` and `neededFields` to empty, `holdings` to the request alone, `unmetSecurityDuties` to not
    /// judged.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            requestID: try c.decodeIfPresent(DataRequestID.self, forKey: .requestID),
            operatorParty: try c.decode(PartyID.self, forKey: .operatorParty),
            scenario: try c.decodeIfPresent(ScenarioID.self, forKey: .scenario),
            entry: try c.decode(LenientCatalogEntry.self, forKey: .entry).value,
            agreement: try c.decode(LenientAgreement.self, forKey: .agreement).value,
            agreementStatus: try c.decode(AgreementStatus.self, forKey: .agreementStatus),
            requestedFields: try c.decodeIfPresent([String].self, forKey: .requestedFields) ?? [],
            neededFields: try c.decodeIfPresent([String].self, forKey: .neededFields) ?? [],
            purpose: try c.decode(Purpose.self, forKey: .purpose),
            delivery: try c.decode(DeliveryMethod.self, forKey: .delivery),
            anonymized: try c.decodeIfPresent(Bool.self, forKey: .anonymized) ?? false,
            dataSubjectConsent: try c.decodeIfPresent(Bool.self, forKey: .dataSubjectConsent) ?? false,
            providerConsent: try c.decodeIfPresent(Bool.self, forKey: .providerConsent) ?? false,
            day: try c.decode(CivilDate.self, forKey: .day),
            holdings: try c.decodeIfPresent(AggregateHoldings.self, forKey: .holdings),
            unmetSecurityDuties: try c.decodeIfPresent([SecurityDuty].self, forKey: .unmetSecurityDuties)
        )
    }
}

extension DownstreamScenarioRequest {
    /// Decodes a request; the yes/no facts default to `false` and `deliveredProducts` to empty.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            scenario: try c.decode(ScenarioID.self, forKey: .scenario),
            requester: try c.decode(PartyID.self, forKey: .requester),
            requesterRole: try c.decode(Role.self, forKey: .requesterRole),
            operatorParty: try c.decode(PartyID.self, forKey: .operatorParty),
            product: try c.decode(ProductID.self, forKey: .product),
            deliveredProducts: try c.decodeIfPresent([ProductID].self, forKey: .deliveredProducts) ?? [],
            agreement: try c.decode(LenientAgreement.self, forKey: .agreement).value,
            agreementStatus: try c.decode(AgreementStatus.self, forKey: .agreementStatus),
            meetsOperatorConditions: try c.decodeIfPresent(Bool.self, forKey: .meetsOperatorConditions) ?? false,
            complianceAssessed: try c.decodeIfPresent(Bool.self, forKey: .complianceAssessed) ?? false,
            purpose: try c.decode(Purpose.self, forKey: .purpose),
            involvesPersonalInformation: try c.decodeIfPresent(Bool.self, forKey: .involvesPersonalInformation)
                ?? false,
            anonymized: try c.decodeIfPresent(Bool.self, forKey: .anonymized) ?? false,
            dataSubjectConsent: try c.decodeIfPresent(Bool.self, forKey: .dataSubjectConsent) ?? false,
            day: try c.decode(CivilDate.self, forKey: .day)
        )
    }
}

extension ProductReleaseRequest {
    /// Decodes a request; the yes/no facts default to `false`.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            product: try c.decode(ProductID.self, forKey: .product),
            kind: try c.decode(ProductKind.self, forKey: .kind),
            publisher: try c.decode(PartyID.self, forKey: .publisher),
            publisherRole: try c.decode(Role.self, forKey: .publisherRole),
            operatorParty: try c.decode(PartyID.self, forKey: .operatorParty),
            sources: try c.decode([LenientCatalogEntry].self, forKey: .sources).map(\.value),
            containsRawData: try c.decodeIfPresent(Bool.self, forKey: .containsRawData) ?? false,
            redevelopsDeliveredProduct: try c.decodeIfPresent(Bool.self, forKey: .redevelopsDeliveredProduct)
                ?? false,
            agreement: try c.decode(LenientAgreement.self, forKey: .agreement).value,
            agreementStatus: try c.decode(AgreementStatus.self, forKey: .agreementStatus),
            anonymized: try c.decodeIfPresent(Bool.self, forKey: .anonymized) ?? false,
            dataSubjectConsent: try c.decodeIfPresent(Bool.self, forKey: .dataSubjectConsent) ?? false,
            day: try c.decode(CivilDate.self, forKey: .day)
        )
    }
}

extension OperatorEligibilityRequest {
    /// Decodes a request; the yes/no facts default to `false` (so a missing fact never makes a candidate
    /// eligible; `hasBadBusinessRecord` is the one fact whose `false` is favourable and must be given).
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            candidate: try c.decode(PartyID.self, forKey: .candidate),
            selection: try c.decodeIfPresent(SelectionID.self, forKey: .selection),
            method: try c.decode(SelectionMethod.self, forKey: .method),
            planApproved: try c.decodeIfPresent(Bool.self, forKey: .planApproved) ?? false,
            isLegalEntity: try c.decodeIfPresent(Bool.self, forKey: .isLegalEntity) ?? false,
            hasOperatingCapability: try c.decodeIfPresent(Bool.self, forKey: .hasOperatingCapability) ?? false,
            hasBadBusinessRecord: try c.decode(Bool.self, forKey: .hasBadBusinessRecord),
            hasGoodCredit: try c.decodeIfPresent(Bool.self, forKey: .hasGoodCredit) ?? false,
            meetsDataSecurityRequirements: try c.decodeIfPresent(Bool.self, forKey: .meetsDataSecurityRequirements)
                ?? false
        )
    }
}

extension PlanReviewRequest {
    /// Decodes a request; `scenarios` defaults to empty.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            plan: try c.decode(ImplementationPlan.self, forKey: .plan),
            zoneKind: try c.decodeIfPresent(ZoneKind.self, forKey: .zoneKind),
            scenarios: try c.decodeIfPresent([ScenarioID].self, forKey: .scenarios) ?? []
        )
    }
}

extension AgreementReviewRequest {
    /// Decodes a request; the yes/no facts default to `false`.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            agreement: try c.decode(LenientAgreement.self, forKey: .agreement).value,
            plan: try c.decode(ImplementationPlan.self, forKey: .plan),
            planApproved: try c.decodeIfPresent(Bool.self, forKey: .planApproved) ?? false,
            collectiveDecisionRecorded: try c.decodeIfPresent(Bool.self, forKey: .collectiveDecisionRecorded) ?? false,
            selectedOperator: try c.decodeIfPresent(PartyID.self, forKey: .selectedOperator)
        )
    }
}

extension PricingEligibilityRequest {
    /// Decodes a request; `priceCapApproved` defaults to `false`.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            product: try c.decode(ProductID.self, forKey: .product),
            purpose: try c.decode(Purpose.self, forKey: .purpose),
            chargeRequested: try c.decode(Bool.self, forKey: .chargeRequested),
            priceCapApproved: try c.decodeIfPresent(Bool.self, forKey: .priceCapApproved) ?? false
        )
    }
}

extension ConductReviewRequest {
    /// Decodes a request; every flag defaults to `false`.
    /// - Throws: `DecodingError`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func flag(_ key: CodingKeys) throws -> Bool { try c.decodeIfPresent(Bool.self, forKey: key) ?? false }
        self.init(
            actor: try c.decode(PartyID.self, forKey: .actor),
            actorRole: try c.decode(Role.self, forKey: .actorRole),
            paidProductThroughThirdParty: try flag(.paidProductThroughThirdParty),
            throughAuthorizedOperation: try flag(.throughAuthorizedOperation),
            restrictsCompetition: try flag(.restrictsCompetition),
            monopolisticConduct: try flag(.monopolisticConduct),
            rawNonOpenDataToMarket: try flag(.rawNonOpenDataToMarket),
            redevelopsDeliveredProduct: try flag(.redevelopsDeliveredProduct),
            beyondAuthorizedScope: try flag(.beyondAuthorizedScope),
            afterAgreementEnded: try flag(.afterAgreementEnded)
        )
    }
}

// MARK: - Lenient reading of catalog entries and agreements inside requests

/// Reads a catalog entry inside a request, filling members that do not bear on decisions or whose
/// absence is unambiguous: `name` (the id), `owningDepartment` (`"unspecified"`), the personal-information
/// flags (`false`), `fields` (empty), `source` (`local`). `id`, `sharing`, `openness` and `grade` are required.
struct LenientCatalogEntry: Decodable {
    var value: CatalogEntry

    private enum Key: String, CodingKey {
        case id, name, owningDepartment, sharing, openness, grade, containsPersonalInformation
        case containsSensitivePersonalInformation, fields, source, registrationCode
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let id = try c.decode(CatalogEntryID.self, forKey: .id)
        value = CatalogEntry(
            id: id,
            name: try c.decodeIfPresent(String.self, forKey: .name) ?? id.rawValue,
            owningDepartment: try c.decodeIfPresent(PartyID.self, forKey: .owningDepartment) ?? "unspecified",
            sharing: try c.decode(SharingAttribute.self, forKey: .sharing),
            openness: try c.decode(OpenAttribute.self, forKey: .openness),
            grade: try c.decode(DataGrade.self, forKey: .grade),
            containsPersonalInformation: try c.decodeIfPresent(Bool.self, forKey: .containsPersonalInformation)
                ?? false,
            containsSensitivePersonalInformation: try c.decodeIfPresent(
                Bool.self,
                forKey: .containsSensitivePersonalInformation
            ) ?? false,
            fields: try c.decodeIfPresent([LenientField].self, forKey: .fields)?.map(\.value) ?? [],
            source: try c.decodeIfPresent(DataSource.self, forKey: .source) ?? .local,
            registrationCode: try c.decodeIfPresent(String.self, forKey: .registrationCode)
        )
    }
}

/// Reads a catalog field: `{"name": ..., "personalInformation": ...}` (the flag defaults to `false`) or a
/// bare name string.
struct LenientField: Decodable {
    var value: CatalogField

    private enum Key: String, CodingKey { case name, personalInformation }

    init(from decoder: any Decoder) throws {
        if let single = try? decoder.singleValueContainer(), let name = try? single.decode(String.self) {
            value = CatalogField(name: name)
            return
        }
        let c = try decoder.container(keyedBy: Key.self)
        value = CatalogField(
            name: try c.decode(String.self, forKey: .name),
            personalInformation: try c.decodeIfPresent(Bool.self, forKey: .personalInformation) ?? false
        )
    }
}

/// Reads agreement terms inside a request, filling `plan` and `implementingAgency` (`"unspecified"`),
/// `products` and `obligations` (empty) when absent; `id`, `operatorParty`, `scope`, `start`, `end` are required.
/// A scope item may be a bare entry id string (all fields).
struct LenientAgreement: Decodable {
    var value: AgreementTerms

    private enum Key: String, CodingKey {
        case id, plan, implementingAgency, operatorParty, scope, start, end, products, obligations
    }

    private struct Item: Decodable {
        var value: ScopeItem
        private enum Key: String, CodingKey { case entry, fields }
        init(from decoder: any Decoder) throws {
            if let single = try? decoder.singleValueContainer(), let entry = try? single.decode(CatalogEntryID.self) {
                value = ScopeItem(entry: entry)
                return
            }
            let c = try decoder.container(keyedBy: Key.self)
            value = ScopeItem(
                entry: try c.decode(CatalogEntryID.self, forKey: .entry),
                fields: try c.decodeIfPresent([String].self, forKey: .fields) ?? []
            )
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        value = AgreementTerms(
            id: try c.decode(AgreementID.self, forKey: .id),
            plan: try c.decodeIfPresent(PlanID.self, forKey: .plan) ?? "unspecified",
            implementingAgency: try c.decodeIfPresent(PartyID.self, forKey: .implementingAgency) ?? "unspecified",
            operatorParty: try c.decode(PartyID.self, forKey: .operatorParty),
            scope: try c.decode([Item].self, forKey: .scope).map(\.value),
            start: try c.decode(CivilDate.self, forKey: .start),
            end: try c.decode(CivilDate.self, forKey: .end),
            products: try c.decodeIfPresent([ProductID].self, forKey: .products) ?? [],
            obligations: try c.decodeIfPresent([String].self, forKey: .obligations) ?? []
        )
    }
}
