import Foundation
import PublicDataModel
import PublicDataPolicy
import PublicDataPricing

/// A deadline opened by an event: when it falls due and which stream it belongs to.
public struct ScheduledDeadline: Codable, Sendable, Hashable, Comparable {
    /// The deadline's key within its process (e.g. `"response"`).
    public var key: String
    /// The stream it belongs to.
    public var stream: StreamID
    /// The instant from which it is due (the scheduler fires it at or after this instant).
    public var dueAt: Date
    /// The last day to act, as shown to people.
    public var dueDay: CivilDate
    /// The version of the stream when it was opened (part of the firing event's id).
    public var openedAtVersion: Int64

    /// Creates a deadline.
    public init(key: String, stream: StreamID, dueAt: Date, dueDay: CivilDate, openedAtVersion: Int64) {
        self.key = key
        self.stream = stream
        self.dueAt = Date(millisecondsSince1970: dueAt.millisecondsSince1970)
        self.dueDay = dueDay
        self.openedAtVersion = openedAtVersion
    }

    /// Orders deadlines by due instant, then stream, then key (the scheduler's firing order).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.dueAt, lhs.stream, lhs.key) < (rhs.dueAt, rhs.stream, rhs.key)
    }

    /// The id of the event that fires this deadline; the same on every engine instance.
    public var firingEventID: EventID {
        EventID("deadline:\(stream):\(key):\(openedAtVersion)")
    }
}

/// A notification the engine resolved when it recorded an event; the outbox delivers it.
public struct NotificationTarget: Codable, Sendable, Hashable {
    /// The party to notify.
    public var party: PartyID
    /// The role in which it must act.
    public var role: Role
    /// The kind: the event type, e.g. `"objection.accepted"`.
    public var kind: String
    /// A line a person reads.
    public var subject: String
    /// The last day to act, if any.
    public var due: CivilDate?

    /// Creates a target.
    public init(party: PartyID, role: Role, kind: String, subject: String, due: CivilDate? = nil) {
        self.party = party
        self.role = role
        self.kind = kind
        self.subject = subject
        self.due = due
    }
}

/// The payload of every workflow event: the trace keys at the top level, then the details the event sets.
///
/// One Codable struct serves every event type; each event sets only the fields it concerns and the others
/// are absent from its JSON. The top-level trace keys — `agreementID`, `planID`, `productID`,
/// `catalogEntryIDs`, `dataRequestID`, `scenarioID` and the other identifiers — follow the audit layer's
/// payload-key convention so that traceability (溯源) finds every event that touched an object.
public struct WorkflowPayload: Codable, Sendable, Hashable {
    // Trace keys.
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
    /// The operator concerned.
    public var operatorID: PartyID?
    /// The price plan concerned.
    public var pricePlanID: PricePlanID?
    /// The implementing agency concerned.
    public var agencyID: PartyID?
    /// The industry departments concerned (owners of the entries, co-reviewers).
    public var departmentIDs: [PartyID]?

    // Details.
    /// An implementation plan's content.
    public var plan: ImplementationPlan?
    /// The plan's version (1 for the draft, +1 for each amendment).
    public var planVersion: Int?
    /// A selection announcement.
    public var selection: SelectionAnnouncement?
    /// A candidate's application.
    public var application: OperatorApplication?
    /// The qualification review's results.
    public var qualifications: [QualificationResult]?
    /// Agreement terms.
    public var terms: AgreementTerms?
    /// A registration application.
    public var registration: RegistrationApplication?
    /// An issued registration code.
    public var registrationCode: String?
    /// The last day a registration is valid.
    public var validUntil: CivilDate?
    /// A data request.
    public var request: DataRequestSpec?
    /// A product.
    public var product: ProductSpec?
    /// A price plan.
    public var pricePlan: PricePlan?
    /// Fee caps set by the authorizing body (65号).
    public var feeCaps: [FeeCap]?
    /// A downstream scenario.
    public var scenario: ScenarioSpec?
    /// The party that applied for a scenario, raised an objection or applied for a registration.
    public var applicant: PartyID?
    /// A quality objection.
    public var objection: ObjectionSpec?
    /// A rating.
    public var rating: EvaluationRating?
    /// The rating's consequence.
    public var consequence: EvaluationConsequence?
    /// Consecutive poor ratings up to and including this one.
    public var consecutivePoorRatings: Int?
    /// Escalations of an overdue objection up to and including this one (at most `objectionEscalationLimit`).
    public var escalations: Int?
    /// The owning departments that approved a co-review so far (Art. 16: every owner must approve).
    public var coReviewApprovals: [PartyID]?
    /// A usage record.
    public var usage: UsageSpec?
    /// The purpose a usage record is charged under (from its scenario).
    public var purpose: Purpose?
    /// The day a usage record was made.
    public var usageDay: CivilDate?
    /// The invoices of a closed period.
    public var invoices: [Invoice]?
    /// A closed period's totals.
    public var settlement: SettlementSummary?
    /// The contribution weights of a revenue distribution.
    public var shares: [RevenueShare]?
    /// The amounts allocated by a revenue distribution.
    public var allocations: [Allocation]?
    /// A feedback offer.
    public var feedback: FeedbackSpec?
    /// A catalog entry.
    public var catalogEntry: CatalogEntry?
    /// The policy decision behind the event.
    public var decision: Decision?
    /// A reason given by the actor (return, suspension, refusal, …).
    public var reason: String?
    /// A note, minutes reference, filing number or finding.
    public var note: String?
    /// Deadlines the event opens.
    public var deadlines: [ScheduledDeadline]?
    /// Deadline keys the event closes.
    public var closedDeadlines: [String]?
    /// The notifications to deliver.
    public var notify: [NotificationTarget]?

    /// Creates an empty payload.
    public init() {}
}

extension WorkflowPayload {
    private enum CodingKeys: String, CodingKey {
        case planID
        case selectionID
        case agreementID
        case registrationID
        case dataRequestID
        case productID
        case scenarioID
        case objectionID
        case evaluationID
        case feedbackID
        case catalogEntryIDs
        case operatorID
        case pricePlanID
        case agencyID
        case departmentIDs
        case plan
        case planVersion
        case selection
        case application
        case qualifications
        case terms
        case registration
        case registrationCode
        case validUntil
        case request
        case product
        case pricePlan
        case feeCaps
        case scenario
        case applicant
        case objection
        case rating
        case consequence
        case consecutivePoorRatings
        case escalations
        case coReviewApprovals
        case usage
        case purpose
        case usageDay
        case invoices
        case settlement
        case shares
        case allocations
        case feedback
        case catalogEntry
        case decision
        case reason
        case note
        case deadlines
        case closedDeadlines
        case notify
    }

    /// Decodes only the keys present in the JSON (an event sets a handful of the fields), which is what
    /// keeps folding and replaying the log fast; unknown keys are ignored.
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: CodingKeys.self)
        for key in container.allKeys {
            switch key {
            case .planID: planID = try container.decode(PlanID.self, forKey: .planID)
            case .selectionID: selectionID = try container.decode(SelectionID.self, forKey: .selectionID)
            case .agreementID: agreementID = try container.decode(AgreementID.self, forKey: .agreementID)
            case .registrationID: registrationID = try container.decode(RegistrationID.self, forKey: .registrationID)
            case .dataRequestID: dataRequestID = try container.decode(DataRequestID.self, forKey: .dataRequestID)
            case .productID: productID = try container.decode(ProductID.self, forKey: .productID)
            case .scenarioID: scenarioID = try container.decode(ScenarioID.self, forKey: .scenarioID)
            case .objectionID: objectionID = try container.decode(ObjectionID.self, forKey: .objectionID)
            case .evaluationID: evaluationID = try container.decode(EvaluationID.self, forKey: .evaluationID)
            case .feedbackID: feedbackID = try container.decode(FeedbackID.self, forKey: .feedbackID)
            case .catalogEntryIDs:
                catalogEntryIDs = try container.decode([CatalogEntryID].self, forKey: .catalogEntryIDs)
            case .operatorID: operatorID = try container.decode(PartyID.self, forKey: .operatorID)
            case .pricePlanID: pricePlanID = try container.decode(PricePlanID.self, forKey: .pricePlanID)
            case .agencyID: agencyID = try container.decode(PartyID.self, forKey: .agencyID)
            case .departmentIDs: departmentIDs = try container.decode([PartyID].self, forKey: .departmentIDs)
            case .plan: plan = try container.decode(ImplementationPlan.self, forKey: .plan)
            case .planVersion: planVersion = try container.decode(Int.self, forKey: .planVersion)
            case .selection: selection = try container.decode(SelectionAnnouncement.self, forKey: .selection)
            case .application: application = try container.decode(OperatorApplication.self, forKey: .application)
            case .qualifications:
                qualifications = try container.decode([QualificationResult].self, forKey: .qualifications)
            case .terms: terms = try container.decode(AgreementTerms.self, forKey: .terms)
            case .registration: registration = try container.decode(RegistrationApplication.self, forKey: .registration)
            case .registrationCode: registrationCode = try container.decode(String.self, forKey: .registrationCode)
            case .validUntil: validUntil = try container.decode(CivilDate.self, forKey: .validUntil)
            case .request: request = try container.decode(DataRequestSpec.self, forKey: .request)
            case .product: product = try container.decode(ProductSpec.self, forKey: .product)
            case .pricePlan: pricePlan = try container.decode(PricePlan.self, forKey: .pricePlan)
            case .feeCaps: feeCaps = try container.decode([FeeCap].self, forKey: .feeCaps)
            case .scenario: scenario = try container.decode(ScenarioSpec.self, forKey: .scenario)
            case .applicant: applicant = try container.decode(PartyID.self, forKey: .applicant)
            case .objection: objection = try container.decode(ObjectionSpec.self, forKey: .objection)
            case .rating: rating = try container.decode(EvaluationRating.self, forKey: .rating)
            case .consequence: consequence = try container.decode(EvaluationConsequence.self, forKey: .consequence)
            case .consecutivePoorRatings:
                consecutivePoorRatings = try container.decode(Int.self, forKey: .consecutivePoorRatings)
            case .escalations: escalations = try container.decode(Int.self, forKey: .escalations)
            case .coReviewApprovals:
                coReviewApprovals = try container.decode([PartyID].self, forKey: .coReviewApprovals)
            case .usage: usage = try container.decode(UsageSpec.self, forKey: .usage)
            case .purpose: purpose = try container.decode(Purpose.self, forKey: .purpose)
            case .usageDay: usageDay = try container.decode(CivilDate.self, forKey: .usageDay)
            case .invoices: invoices = try container.decode([Invoice].self, forKey: .invoices)
            case .settlement: settlement = try container.decode(SettlementSummary.self, forKey: .settlement)
            case .shares: shares = try container.decode([RevenueShare].self, forKey: .shares)
            case .allocations: allocations = try container.decode([Allocation].self, forKey: .allocations)
            case .feedback: feedback = try container.decode(FeedbackSpec.self, forKey: .feedback)
            case .catalogEntry: catalogEntry = try container.decode(CatalogEntry.self, forKey: .catalogEntry)
            case .decision: decision = try container.decode(Decision.self, forKey: .decision)
            case .reason: reason = try container.decode(String.self, forKey: .reason)
            case .note: note = try container.decode(String.self, forKey: .note)
            case .deadlines: deadlines = try container.decode([ScheduledDeadline].self, forKey: .deadlines)
            case .closedDeadlines: closedDeadlines = try container.decode([String].self, forKey: .closedDeadlines)
            case .notify: notify = try container.decode([NotificationTarget].self, forKey: .notify)
            }
        }
    }

    /// Encodes the fields that are set; absent fields are omitted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(planID, forKey: .planID)
        try container.encodeIfPresent(selectionID, forKey: .selectionID)
        try container.encodeIfPresent(agreementID, forKey: .agreementID)
        try container.encodeIfPresent(registrationID, forKey: .registrationID)
        try container.encodeIfPresent(dataRequestID, forKey: .dataRequestID)
        try container.encodeIfPresent(productID, forKey: .productID)
        try container.encodeIfPresent(scenarioID, forKey: .scenarioID)
        try container.encodeIfPresent(objectionID, forKey: .objectionID)
        try container.encodeIfPresent(evaluationID, forKey: .evaluationID)
        try container.encodeIfPresent(feedbackID, forKey: .feedbackID)
        try container.encodeIfPresent(catalogEntryIDs, forKey: .catalogEntryIDs)
        try container.encodeIfPresent(operatorID, forKey: .operatorID)
        try container.encodeIfPresent(pricePlanID, forKey: .pricePlanID)
        try container.encodeIfPresent(agencyID, forKey: .agencyID)
        try container.encodeIfPresent(departmentIDs, forKey: .departmentIDs)
        try container.encodeIfPresent(plan, forKey: .plan)
        try container.encodeIfPresent(planVersion, forKey: .planVersion)
        try container.encodeIfPresent(selection, forKey: .selection)
        try container.encodeIfPresent(application, forKey: .application)
        try container.encodeIfPresent(qualifications, forKey: .qualifications)
        try container.encodeIfPresent(terms, forKey: .terms)
        try container.encodeIfPresent(registration, forKey: .registration)
        try container.encodeIfPresent(registrationCode, forKey: .registrationCode)
        try container.encodeIfPresent(validUntil, forKey: .validUntil)
        try container.encodeIfPresent(request, forKey: .request)
        try container.encodeIfPresent(product, forKey: .product)
        try container.encodeIfPresent(pricePlan, forKey: .pricePlan)
        try container.encodeIfPresent(feeCaps, forKey: .feeCaps)
        try container.encodeIfPresent(scenario, forKey: .scenario)
        try container.encodeIfPresent(applicant, forKey: .applicant)
        try container.encodeIfPresent(objection, forKey: .objection)
        try container.encodeIfPresent(rating, forKey: .rating)
        try container.encodeIfPresent(consequence, forKey: .consequence)
        try container.encodeIfPresent(consecutivePoorRatings, forKey: .consecutivePoorRatings)
        try container.encodeIfPresent(escalations, forKey: .escalations)
        try container.encodeIfPresent(coReviewApprovals, forKey: .coReviewApprovals)
        try container.encodeIfPresent(usage, forKey: .usage)
        try container.encodeIfPresent(purpose, forKey: .purpose)
        try container.encodeIfPresent(usageDay, forKey: .usageDay)
        try container.encodeIfPresent(invoices, forKey: .invoices)
        try container.encodeIfPresent(settlement, forKey: .settlement)
        try container.encodeIfPresent(shares, forKey: .shares)
        try container.encodeIfPresent(allocations, forKey: .allocations)
        try container.encodeIfPresent(feedback, forKey: .feedback)
        try container.encodeIfPresent(catalogEntry, forKey: .catalogEntry)
        try container.encodeIfPresent(decision, forKey: .decision)
        try container.encodeIfPresent(reason, forKey: .reason)
        try container.encodeIfPresent(note, forKey: .note)
        try container.encodeIfPresent(deadlines, forKey: .deadlines)
        try container.encodeIfPresent(closedDeadlines, forKey: .closedDeadlines)
        try container.encodeIfPresent(notify, forKey: .notify)
    }
}
