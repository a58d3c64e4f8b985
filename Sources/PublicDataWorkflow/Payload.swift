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
