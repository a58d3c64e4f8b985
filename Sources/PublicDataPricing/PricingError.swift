/// An error from the pricing layer. A call that throws has recorded and changed **nothing**.
///
/// Errors are a struct with an extensible ``Code``; compare codes, not messages:
///
/// ```swift
/// do { try GuidedPrice.checkCaps(plan, caps: caps) }
/// catch let error as PricingError where error.code == .capExceeded {
///     for violation in error.capViolations { print(violation) }
/// }
/// ```
public struct PricingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A quantity is negative.
        public static let negativeQuantity = Code("negativeQuantity")
        /// A quantity is not a finite whole number (e.g. `"NaN"`, `"inf"`, `"1.5"` calls).
        public static let invalidQuantity = Code("invalidQuantity")
        /// A unit name is not one of ``MeterUnit``.
        public static let unknownUnit = Code("unknownUnit")
        /// Usage in one unit was rated against a plan priced in another.
        public static let unitMismatch = Code("unitMismatch")
        /// Two amounts in different currencies were combined.
        public static let currencyMismatch = Code("currencyMismatch")
        /// A result does not fit in 64-bit arithmetic.
        public static let overflow = Code("overflow")
        /// A price plan is malformed; ``PricingError/issues`` lists every problem.
        public static let invalidPlan = Code("invalidPlan")
        /// Two plan versions cover the same day.
        public static let overlappingVersions = Code("overlappingVersions")
        /// Days between two plan versions are covered by none.
        public static let gapBetweenVersions = Code("gapBetweenVersions")
        /// A new plan version would change a period that has already been charged.
        public static let retroactiveVersion = Code("retroactiveVersion")
        /// No plan version is in effect on the day asked for.
        public static let noPlanInEffect = Code("noPlanInEffect")
        /// A price is above the fee cap set by the authorizing body; see ``PricingError/capViolations``.
        public static let capExceeded = Code("capExceeded")
        /// A charged product has no fee cap although one is required.
        public static let capMissing = Code("capMissing")
        /// A plan effective before the operator's first full year is not marked as a trial fee.
        public static let trialFeeRequired = Code("trialFeeRequired")
        /// A trial-fee plan runs past the operator's first full year.
        public static let trialPeriodExceeded = Code("trialPeriodExceeded")
        /// An idempotency key was reused for a different usage record.
        public static let idempotencyConflict = Code("idempotencyConflict")
        /// A billing or accounting period is malformed (end before start, wrong length).
        public static let invalidPeriod = Code("invalidPeriod")
        /// The operator's period has already been closed.
        public static let periodAlreadyClosed = Code("periodAlreadyClosed")
        /// Periods must be closed in order; an earlier one is still open or the period does not follow.
        public static let periodOutOfOrder = Code("periodOutOfOrder")
        /// No maximum allowed revenue was approved for the operator and period.
        public static let allowanceMissing = Code("allowanceMissing")
        /// An allowance for this operator and period was already approved.
        public static let allowanceAlreadyApproved = Code("allowanceAlreadyApproved")
        /// An invoice for this subscription and period (or with this id) was already issued.
        public static let invoiceAlreadyIssued = Code("invoiceAlreadyIssued")
        /// The invoice referred to does not exist.
        public static let unknownInvoice = Code("unknownInvoice")
        /// A credit note would credit more than what remains of its invoice.
        public static let creditExceedsInvoice = Code("creditExceedsInvoice")
        /// Revenue shares are malformed: no parties, a negative or all-zero weight, a party listed twice.
        public static let invalidShares = Code("invalidShares")
        /// An amount that must be zero or more is negative.
        public static let negativeAmount = Code("negativeAmount")
        /// A record or command refers to a different product, subscription or operator than expected.
        public static let mismatchedReference = Code("mismatchedReference")
        /// The event store failed; ``PricingError/underlying`` has its description.
        public static let storage = Code("storage")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The product concerned, if any.
    public var product: ProductID?
    /// For ``Code/capExceeded``: every price above its cap (for tiered plans, every offending tier).
    public var capViolations: [CapViolation]
    /// For ``Code/invalidPlan``: every problem found.
    public var issues: [ValidationIssue]
    /// For ``Code/storage``: the store's error description.
    public var underlying: String?
    /// The party concerned (an operator, a consumer), if any.
    public var party: PartyID?
    /// The meter unit concerned (``Code/unitMismatch``, ``Code/unknownUnit``), if any.
    public var unit: MeterUnit?
    /// The billing or accounting period concerned, if any.
    public var period: BillingPeriod?
    /// The invoice concerned (``Code/creditExceedsInvoice``, ``Code/unknownInvoice``), if any.
    public var invoice: InvoiceID?
    /// The amount at issue (a credit asked for, a price), if any.
    public var amount: Money?
    /// The limit it breaks (what remains to credit, a cap), if any.
    public var limit: Money?

    /// Creates an error.
    public init(
        code: Code,
        message: String,
        product: ProductID? = nil,
        capViolations: [CapViolation] = [],
        issues: [ValidationIssue] = [],
        underlying: String? = nil,
        party: PartyID? = nil,
        unit: MeterUnit? = nil,
        period: BillingPeriod? = nil,
        invoice: InvoiceID? = nil,
        amount: Money? = nil,
        limit: Money? = nil
    ) {
        self.code = code
        self.message = message
        self.product = product
        self.capViolations = capViolations
        self.issues = issues
        self.underlying = underlying
        self.party = party
        self.unit = unit
        self.period = period
        self.invoice = invoice
        self.amount = amount
        self.limit = limit
    }

    /// `pricing CODE: MESSAGE`, followed by every violation or issue on its own line.
    public var description: String {
        var lines = ["pricing \(code): \(message)"]
        lines += capViolations.map { "  - \($0)" }
        lines += issues.map { "  - \($0)" }
        if let underlying { lines.append("  caused by: \(underlying)") }
        return lines.joined(separator: "\n")
    }

    static func overflow(_ what: String) -> PricingError {
        PricingError(code: .overflow, message: "\(what) does not fit in 64-bit fen")
    }

    static func currency(_ lhs: Currency, _ rhs: Currency, _ context: String) -> PricingError {
        PricingError(code: .currencyMismatch, message: "\(context): \(lhs.rawValue) vs \(rhs.rawValue)")
    }
}

/// One price above its fee cap, as named in a ``PricingError`` with code ``PricingError/Code/capExceeded``.
public struct CapViolation: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The product whose plan offends.
    public var product: ProductID
    /// Which component of the plan, e.g. `"per call"`, `"graduated tier 2 (units 1001–10000)"`.
    public var component: String
    /// The tier's index (0-based) for tiered plans, `nil` otherwise.
    public var tierIndex: Int?
    /// The cap, in words (e.g. `"¥0.10 per 1 call"`).
    public var cap: String
    /// The offending price, in words.
    public var price: String

    /// Creates a violation.
    public init(product: ProductID, component: String, tierIndex: Int? = nil, cap: String, price: String) {
        self.product = product
        self.component = component
        self.tierIndex = tierIndex
        self.cap = cap
        self.price = price
    }

    /// `product component: price above cap`.
    public var description: String { "\(product) \(component): \(price) is above the cap \(cap)" }
}
