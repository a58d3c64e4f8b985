import PublicDataModel
import PublicDataPolicy
import PublicDataPricing

/// The announcement of an operator selection for a published plan.
public struct SelectionAnnouncement: Codable, Sendable, Hashable {
    /// The selection's identifier.
    public var id: SelectionID
    /// The published plan it executes.
    public var plan: PlanID
    /// The selection method.
    public var method: SelectionMethod
    /// The selection criteria, in plain words.
    public var criteria: String

    /// Creates an announcement.
    public init(id: SelectionID, plan: PlanID, method: SelectionMethod, criteria: String) {
        self.id = id
        self.plan = plan
        self.method = method
        self.criteria = criteria
    }
}

/// A candidate operator's application and the facts the eligibility policy judges (Art. 12).
public struct OperatorApplication: Codable, Sendable, Hashable {
    /// The candidate; must be the applying actor's party.
    public var candidate: PartyID
    /// The candidate's legal name.
    public var name: String
    /// The candidate is a legal entity.
    public var isLegalEntity: Bool
    /// Data governance, processing and operation capability.
    public var hasOperatingCapability: Bool
    /// A record of bad business conduct.
    public var hasBadBusinessRecord: Bool
    /// Good credit.
    public var hasGoodCredit: Bool
    /// Data-security compliance.
    public var meetsDataSecurityRequirements: Bool

    /// Creates an application; by default a candidate that meets every condition.
    public init(
        candidate: PartyID,
        name: String,
        isLegalEntity: Bool = true,
        hasOperatingCapability: Bool = true,
        hasBadBusinessRecord: Bool = false,
        hasGoodCredit: Bool = true,
        meetsDataSecurityRequirements: Bool = true
    ) {
        self.candidate = candidate
        self.name = name
        self.isLegalEntity = isLegalEntity
        self.hasOperatingCapability = hasOperatingCapability
        self.hasBadBusinessRecord = hasBadBusinessRecord
        self.hasGoodCredit = hasGoodCredit
        self.meetsDataSecurityRequirements = meetsDataSecurityRequirements
    }
}

/// The eligibility decision for one candidate.
public struct QualificationResult: Codable, Sendable, Hashable {
    /// The candidate.
    public var candidate: PartyID
    /// The policy's decision.
    public var decision: Decision

    /// Creates a result.
    public init(candidate: PartyID, decision: Decision) {
        self.candidate = candidate
        self.decision = decision
    }
}

/// The kind of a registration (national registration measures).
public enum RegistrationKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// 首次登记.
    case first
    /// 变更登记.
    case change
    /// 更正登记.
    case correction
    /// 注销登记.
    case cancellation
}

/// An application for a registration (登记, Art. 9).
public struct RegistrationApplication: Codable, Sendable, Hashable {
    /// The registration's identifier.
    public var id: RegistrationID
    /// The kind.
    public var kind: RegistrationKind
    /// The catalog entries registered (data resources).
    public var catalogEntries: [CatalogEntryID]
    /// The product registered (a derived product), if any.
    public var product: ProductID?
    /// For change, correction and cancellation: the registration concerned.
    public var concerns: RegistrationID?
    /// What is registered, in plain words.
    public var description: String

    /// Creates an application.
    public init(
        id: RegistrationID,
        kind: RegistrationKind,
        catalogEntries: [CatalogEntryID] = [],
        product: ProductID? = nil,
        concerns: RegistrationID? = nil,
        description: String
    ) {
        self.id = id
        self.kind = kind
        self.catalogEntries = catalogEntries
        self.product = product
        self.concerns = concerns
        self.description = description
    }
}

/// An operator's request for catalog data under its agreement (Art. 16).
public struct DataRequestSpec: Codable, Sendable, Hashable {
    /// The request's identifier.
    public var id: DataRequestID
    /// The agreement it is made under.
    public var agreement: AgreementID
    /// The application scenario, in plain words.
    public var scenario: String
    /// The purpose (decides the price, Art. 22).
    public var purpose: Purpose
    /// The entries and fields requested (minimal authorization: only what the scenario needs).
    public var items: [DataRequestItem]
    /// How the data is to be delivered.
    public var delivery: DeliveryMethod
    /// Personal information is anonymized before use.
    public var anonymized: Bool
    /// The data subjects consented (Art. 17, 26); a consented request names its consent record (``consent``).
    public var subjectConsent: Bool
    /// The providing ministry or region consented (Art. 19).
    public var providerConsent: Bool
    /// The data subjects' consent record the request relies on (``ConsentProcess``): it must cover the request
    /// (operator, entries, fields, purpose, scenario) and be valid when the request is decided.
    public var consent: ConsentID?

    /// Creates a request.
    public init(
        id: DataRequestID,
        agreement: AgreementID,
        scenario: String,
        purpose: Purpose,
        items: [DataRequestItem],
        delivery: DeliveryMethod,
        anonymized: Bool = false,
        subjectConsent: Bool = false,
        providerConsent: Bool = false,
        consent: ConsentID? = nil
    ) {
        self.id = id
        self.agreement = agreement
        self.scenario = scenario
        self.purpose = purpose
        self.items = items
        self.delivery = delivery
        self.anonymized = anonymized
        self.subjectConsent = subjectConsent
        self.providerConsent = providerConsent
        self.consent = consent
    }
}

/// One catalog entry of a data request: the fields requested and the fields the scenario needs.
public struct DataRequestItem: Codable, Sendable, Hashable {
    /// The catalog entry.
    public var entry: CatalogEntryID
    /// The fields requested; empty means every field of the entry.
    public var requestedFields: [String]
    /// The fields the scenario needs (minimal authorization, 87号 §6); `nil` means the requested ones.
    public var neededFields: [String]?

    /// Creates an item.
    public init(entry: CatalogEntryID, requestedFields: [String] = [], neededFields: [String]? = nil) {
        self.entry = entry
        self.requestedFields = requestedFields
        self.neededFields = neededFields
    }
}

/// A product or service an operator develops under its agreement (Art. 20).
public struct ProductSpec: Codable, Sendable, Hashable {
    /// The product's identifier.
    public var id: ProductID
    /// The agreement it is developed under.
    public var agreement: AgreementID
    /// The product's name.
    public var name: String
    /// The product's kind.
    public var kind: ProductKind
    /// The catalog entries it is built from.
    public var sourceEntries: [CatalogEntryID]
    /// How it is delivered.
    public var delivery: DeliveryMethod
    /// Products it re-develops (an operator may not re-develop its own delivered products, Art. 6).
    public var derivedFrom: [ProductID]
    /// It hands out raw data rather than a derived result (never allowed for non-open data, Art. 6).
    public var exposesRawData: Bool
    /// It processes personal information.
    public var containsPersonalInformation: Bool
    /// Personal information is anonymized.
    public var anonymized: Bool
    /// The data subjects consented.
    public var subjectConsent: Bool

    /// Creates a product specification.
    public init(
        id: ProductID,
        agreement: AgreementID,
        name: String,
        kind: ProductKind,
        sourceEntries: [CatalogEntryID],
        delivery: DeliveryMethod,
        derivedFrom: [ProductID] = [],
        exposesRawData: Bool = false,
        containsPersonalInformation: Bool = false,
        anonymized: Bool = false,
        subjectConsent: Bool = false
    ) {
        self.id = id
        self.agreement = agreement
        self.name = name
        self.kind = kind
        self.sourceEntries = sourceEntries
        self.delivery = delivery
        self.derivedFrom = derivedFrom
        self.exposesRawData = exposesRawData
        self.containsPersonalInformation = containsPersonalInformation
        self.anonymized = anonymized
        self.subjectConsent = subjectConsent
    }
}

/// A business entity's downstream scenario on an operator's product (Art. 25).
public struct ScenarioSpec: Codable, Sendable, Hashable {
    /// The scenario's identifier.
    public var id: ScenarioID
    /// The product re-developed.
    public var product: ProductID
    /// The purpose.
    public var purpose: Purpose
    /// The scenario, in plain words.
    public var description: String
    /// It processes personal information.
    public var containsPersonalInformation: Bool
    /// Personal information is anonymized.
    public var anonymized: Bool
    /// The data subjects consented.
    public var subjectConsent: Bool
    /// The business entity meets the operator's conditions (Art. 25).
    public var meetsOperatorConditions: Bool

    /// Creates a scenario.
    public init(
        id: ScenarioID,
        product: ProductID,
        purpose: Purpose,
        description: String,
        containsPersonalInformation: Bool = false,
        anonymized: Bool = false,
        subjectConsent: Bool = false,
        meetsOperatorConditions: Bool = true
    ) {
        self.id = id
        self.product = product
        self.purpose = purpose
        self.description = description
        self.containsPersonalInformation = containsPersonalInformation
        self.anonymized = anonymized
        self.subjectConsent = subjectConsent
        self.meetsOperatorConditions = meetsOperatorConditions
    }
}

/// A quality objection against a catalog entry (Art. 18).
public struct ObjectionSpec: Codable, Sendable, Hashable {
    /// The objection's identifier.
    public var id: ObjectionID
    /// The entry objected to.
    public var entry: CatalogEntryID
    /// The data provider that must answer.
    public var provider: PartyID
    /// What is wrong, in plain words.
    public var description: String
    /// Further providers along the supply chain that must answer too (逐级倒查, 87号; Art. 18); `nil` or empty
    /// when only ``provider`` answers.
    public var upstreamProviders: [PartyID]?

    /// Creates an objection.
    public init(
        id: ObjectionID,
        entry: CatalogEntryID,
        provider: PartyID,
        description: String,
        upstreamProviders: [PartyID]? = nil
    ) {
        self.id = id
        self.entry = entry
        self.provider = provider
        self.description = description
        self.upstreamProviders = upstreamProviders
    }

    /// Every provider that must answer: ``provider`` first, then ``upstreamProviders`` in their order.
    public var providers: [PartyID] {
        var all = [provider]
        for party in upstreamProviders ?? [] where !all.contains(party) { all.append(party) }
        return all
    }
}

/// An evaluation rating (Art. 33, 87号 §8).
public enum EvaluationRating: String, Codable, Sendable, CaseIterable, Hashable {
    /// 优秀.
    case excellent
    /// 良好.
    case good
    /// 合格.
    case pass
    /// 较差.
    case poor
}

/// What follows from a rating (87号 §8).
public enum EvaluationConsequence: String, Codable, Sendable, CaseIterable, Hashable {
    /// Priority for pilots, data applications and industrial policy.
    case priority
    /// No consequence.
    case none
    /// A notice (通报) after a first poor rating.
    case notice
    /// An interview (约谈) after a further poor rating below the exit threshold.
    case interview
    /// Termination and the exit procedure.
    case exit
}

/// One metered use of a published product (Art. 28: use is controllable and measurable).
///
/// The purpose — and so whether the use is free (Art. 22) — comes from the active downstream scenario named
/// here, never from the caller. A use is recorded only under the consumer's filed, active scenario of the
/// product (Art. 25, 27, 30) and a price plan version in force on the day (Art. 22).
public struct UsageSpec: Codable, Sendable, Hashable {
    /// The product used.
    public var product: ProductID
    /// The consumer's subscription.
    public var subscription: SubscriptionID
    /// The consuming party.
    public var consumer: PartyID
    /// The consumer's active downstream scenario the use belongs to (required; `nil` is refused).
    public var scenario: ScenarioID?
    /// The unit of the quantity; must be the price plan's unit.
    public var unit: MeterUnit
    /// The quantity; positive.
    public var quantity: Int64
    /// A key the caller keeps stable across retries; a duplicate is counted once.
    public var idempotencyKey: String

    /// Creates a usage record.
    public init(
        product: ProductID,
        subscription: SubscriptionID,
        consumer: PartyID,
        scenario: ScenarioID? = nil,
        unit: MeterUnit = .call,
        quantity: Int64,
        idempotencyKey: String
    ) {
        self.product = product
        self.subscription = subscription
        self.consumer = consumer
        self.scenario = scenario
        self.unit = unit
        self.quantity = quantity
        self.idempotencyKey = idempotencyKey
    }
}

/// The usage of one subscription in the open settlement period.
public struct UsageTally: Codable, Sendable, Hashable {
    /// The subscription.
    public var subscription: SubscriptionID
    /// The product.
    public var product: ProductID
    /// The consumer.
    public var consumer: PartyID
    /// The scenario (purpose) the use is filed under.
    public var scenario: FiledScenario
    /// The unit.
    public var unit: MeterUnit
    /// Usage records.
    public var count: Int64
    /// Sum of quantities.
    public var sum: Int64
    /// Largest single quantity.
    public var max: Int64
    /// The first day of use in the period.
    public var firstDay: CivilDate
}

/// The totals of a closed settlement period.
public struct SettlementSummary: Codable, Sendable, Hashable {
    /// The period's label, e.g. `"2026-03-01...2026-03-31"`.
    public var period: String
    /// The number of usage records.
    public var usageCount: Int64
    /// The revenue invoiced in the period (sum of the invoice totals).
    public var revenue: Money

    /// Creates a summary.
    public init(period: String, usageCount: Int64, revenue: Money) {
        self.period = period
        self.usageCount = usageCount
        self.revenue = revenue
    }
}

/// Data an operator offers back to the catalog (反哺, 87号).
public struct FeedbackSpec: Codable, Sendable, Hashable {
    /// The offer's identifier.
    public var id: FeedbackID
    /// The agreement under which the data was produced.
    public var agreement: AgreementID
    /// The catalog entry proposed; it joins the catalog when the offer is accepted.
    public var entry: CatalogEntry
    /// What is offered, in plain words.
    public var description: String

    /// Creates an offer.
    public init(id: FeedbackID, agreement: AgreementID, entry: CatalogEntry, description: String) {
        self.id = id
        self.agreement = agreement
        self.entry = entry
        self.description = description
    }
}
