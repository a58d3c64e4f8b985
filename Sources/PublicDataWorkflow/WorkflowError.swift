import PublicDataModel
import PublicDataPolicy
import PublicDataPricing

/// A refused or failed command. A command that throws this has appended **nothing**.
///
/// Every refusal says why in the regulation's terms: ``articles`` lists the articles behind it — the article
/// that assigns the act to another role, the article of the step that must come first, Art. 11 for an incomplete
/// plan — and a refusal by the policy carries the whole ``decision``. A well-formed data request, product
/// release, price publication or downstream scenario that the policy denies is not an error but a recorded
/// decision event (see ``CommandOutcome/decision``). Compare codes, not messages:
///
/// ```swift
/// do { try await engine.execute(.plan(.approvePlan(plan: "plan-1")), by: operatorClerk) }
/// catch let error as WorkflowError where error.code == .roleNotPermitted { print(error.articles) }
/// ```
public struct WorkflowError: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kind of refusal or failure.
    public struct Code: Hashable, Sendable, Codable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// Decodes a code from its name.
        public init(from decoder: any Decoder) throws {
            name = try decoder.singleValueContainer().decode(String.self)
        }

        /// Encodes the code as its name.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(name)
        }

        /// The command's input is malformed or incomplete (the issues say where).
        public static let invalidInput = Code("invalidInput")
        /// The actor's role may not issue this command; the articles assign it to another role.
        public static let roleNotPermitted = Code("roleNotPermitted")
        /// The actor's party is not the party the object belongs to (e.g. another operator's agreement).
        public static let notParty = Code("notParty")
        /// The process instance is not in a state the command may leave; the articles name the step that must
        /// come first.
        public static let invalidState = Code("invalidState")
        /// An object the command refers to does not exist.
        public static let notFound = Code("notFound")
        /// The policy denied a request that is not recorded as a decision (plan review, agreement review,
        /// eligibility); ``WorkflowError/decision`` has the whole decision.
        public static let policyDenied = Code("policyDenied")
        /// The act needs an authorization that is not live: a product built from a catalog entry without a live
        /// grant to its operator (Art. 16, 20), or a use outside an active, filed scenario of a published product
        /// or without a price plan in force on the day (Art. 22, 25, 27, 30). Nothing is recorded.
        public static let notAuthorized = Code("notAuthorized")
        /// The party must act and may not refuse: the data subjects' explicit consent obliges the industry
        /// department to supply (Art. 17 ¶2), so a refusal on a ground that consent overcomes is refused. Nothing is
        /// recorded.
        public static let dutyToSupply = Code("dutyToSupply")
        /// A price plan exceeds its cap, or a charge cannot be computed.
        public static let pricing = Code("pricing")
        /// The store kept changing under the command; it was re-decided too often.
        public static let contention = Code("contention")
        /// A notification could not be delivered after every retry; the outbox cursor stays before it.
        public static let delivery = Code("delivery")
        /// A stored event cannot be read as its process's event (unknown type, malformed payload).
        public static let corruptEvent = Code("corruptEvent")
        /// The event store failed (``WorkflowError/storeError`` has the cause).
        public static let store = Code("store")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of refusal.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The articles behind the refusal (e.g. `["Art. 11"]`), in the regulation's terms.
    public var articles: [String]
    /// The command, when the error concerns one.
    public var command: CommandName?
    /// The stream concerned.
    public var stream: StreamID?
    /// Every input problem, for ``Code/invalidInput`` (and the missing plan elements of a plan review).
    public var issues: [ValidationIssue]
    /// The policy's decision, for ``Code/policyDenied``.
    public var decision: Decision?
    /// The underlying store error, for ``Code/store``.
    public var storeError: EventStoreError?
    /// The typed details of a money refusal: party, product, unit, period, cap, price, invoice, year.
    public var details: Details?

    /// The typed details of a refusal about money (Art. 21–24, 65号): every field the message names.
    public struct Details: Codable, Sendable, Hashable {
        /// The pricing layer's code (`capExceeded`, `creditExceedsInvoice`, ...), when the pricing layer refused.
        public var pricingCode: String?
        /// The party concerned (an operator or a consumer).
        public var party: PartyID?
        /// The product concerned.
        public var product: ProductID?
        /// The meter unit concerned.
        public var unit: MeterUnit?
        /// The billing or accounting period concerned.
        public var period: BillingPeriod?
        /// The year concerned (an allowance, a year close, an annual report).
        public var year: Int?
        /// The plan version concerned.
        public var plan: PricePlanID?
        /// Its version number.
        public var planVersion: Int?
        /// The invoice concerned.
        public var invoice: InvoiceID?
        /// The usage record concerned.
        public var idempotencyKey: String?
        /// The amount at issue (a credit asked for).
        public var amount: Money?
        /// The limit it breaks (what remains of an invoice).
        public var limit: Money?
        /// Every price above its cap, each naming the cap and the price.
        public var capViolations: [CapViolation]

        /// Creates details.
        public init(
            pricingCode: String? = nil,
            party: PartyID? = nil,
            product: ProductID? = nil,
            unit: MeterUnit? = nil,
            period: BillingPeriod? = nil,
            year: Int? = nil,
            plan: PricePlanID? = nil,
            planVersion: Int? = nil,
            invoice: InvoiceID? = nil,
            idempotencyKey: String? = nil,
            amount: Money? = nil,
            limit: Money? = nil,
            capViolations: [CapViolation] = []
        ) {
            self.pricingCode = pricingCode
            self.party = party
            self.product = product
            self.unit = unit
            self.period = period
            self.year = year
            self.plan = plan
            self.planVersion = planVersion
            self.invoice = invoice
            self.idempotencyKey = idempotencyKey
            self.amount = amount
            self.limit = limit
            self.capViolations = capViolations
        }

        /// The details a pricing error carries.
        public init(_ error: PricingError) {
            self.init(
                pricingCode: error.code.description,
                party: error.party,
                product: error.product,
                unit: error.unit,
                period: error.period,
                invoice: error.invoice,
                amount: error.amount,
                limit: error.limit,
                capViolations: error.capViolations
            )
        }

        /// The cap of the first violation, in words.
        public var cap: String? { capViolations.first?.cap }
        /// The offending price of the first violation, in words.
        public var price: String? { capViolations.first?.price }
    }

    /// Creates an error.
    public init(
        code: Code,
        message: String,
        articles: [String] = [],
        command: CommandName? = nil,
        stream: StreamID? = nil,
        issues: [ValidationIssue] = [],
        decision: Decision? = nil,
        storeError: EventStoreError? = nil
    ) {
        self.code = code
        self.message = message
        self.articles = articles
        self.command = command
        self.stream = stream
        self.issues = issues
        self.decision = decision
        self.storeError = storeError
    }

    private enum CodingKeys: String, CodingKey {
        case code, message, articles, command, stream, issues, decision, storeError, details
    }

    /// Decodes the documented JSON form.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        code = try container.decode(Code.self, forKey: .code)
        message = try container.decode(String.self, forKey: .message)
        articles = try container.decodeIfPresent([String].self, forKey: .articles) ?? []
        command = try container.decodeIfPresent(CommandName.self, forKey: .command)
        stream = try container.decodeIfPresent(StreamID.self, forKey: .stream)
        issues = try container.decodeIfPresent([ValidationIssue].self, forKey: .issues) ?? []
        decision = try container.decodeIfPresent(Decision.self, forKey: .decision)
        details = try container.decodeIfPresent(Details.self, forKey: .details)
        storeError = nil
        if let text = try container.decodeIfPresent(String.self, forKey: .storeError) {
            storeError = EventStoreError(code: .backend, message: text)
        }
    }

    /// Encodes `{"code", "message", "articles", "command", "stream", "issues", "decision", "storeError",
    /// "details"}`; the store error as its message.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        try container.encode(articles, forKey: .articles)
        try container.encodeIfPresent(command, forKey: .command)
        try container.encodeIfPresent(stream, forKey: .stream)
        try container.encode(issues, forKey: .issues)
        try container.encodeIfPresent(decision, forKey: .decision)
        try container.encodeIfPresent(storeError?.message, forKey: .storeError)
        try container.encodeIfPresent(details, forKey: .details)
    }

    /// The code, the command, the articles and the message, then each issue on its own line.
    public var description: String {
        var text = "workflow \(code)"
        if let command { text += " [\(command)]" }
        if !articles.isEmpty { text += " (\(articles.joined(separator: ", ")))" }
        text += ": \(message)"
        for issue in issues { text += "\n  - \(issue)" }
        return text
    }
}

extension DecisionContext {
    /// A refusal of the current command by the pricing layer: code ``WorkflowError/Code/pricing`` with the pricing
    /// error's typed ``WorkflowError/details``.
    public func refuse(_ error: PricingError, _ articles: [String]) -> WorkflowError {
        var refusal = refuse(.pricing, "\(error)", articles)
        refusal.details = WorkflowError.Details(error)
        return refusal
    }
}
