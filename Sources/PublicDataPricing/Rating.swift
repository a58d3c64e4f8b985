/// The filed scenario (备案场景) a subscription serves: its purpose decides whether use is free (Art. 22).
///
/// The purpose comes from the filing, never from the caller's say-so: the workflow layer builds this value
/// from the filed scenario record, and ``filingReference`` is the evidence recorded on every charge.
public struct FiledScenario: Codable, Sendable, Hashable {
    /// The scenario.
    public var id: ScenarioID
    /// The purpose stated in the filing.
    public var purpose: Purpose
    /// The filing record that evidences the purpose, e.g. `"备案 JD-2026-0042"`.
    public var filingReference: String
    /// Scenario classes that earn discounts, e.g. `"supported_scenario"`, `"small_enterprise"`.
    public var classes: Set<String>

    /// Creates a filed scenario.
    public init(id: ScenarioID, purpose: Purpose, filingReference: String, classes: Set<String> = []) {
        self.id = id
        self.purpose = purpose
        self.filingReference = filingReference
        self.classes = classes
    }
}

/// A consumer's use of one product under one filed scenario: the unit that is metered and invoiced.
public struct ProductSubscription: Codable, Sendable, Hashable, Identifiable {
    /// The subscription's identifier.
    public var id: SubscriptionID
    /// The product or service used.
    public var product: ProductID
    /// The consumer (a business entity or a department).
    public var consumer: PartyID
    /// The operator that provides and charges.
    public var operatorParty: PartyID
    /// The filed scenario the use serves.
    public var scenario: FiledScenario
    /// The first day of the subscription.
    public var startedOn: CivilDate
    /// The last day (inclusive), if it ended.
    public var endedOn: CivilDate?

    /// Creates a subscription.
    public init(
        id: SubscriptionID,
        product: ProductID,
        consumer: PartyID,
        operatorParty: PartyID,
        scenario: FiledScenario,
        startedOn: CivilDate,
        endedOn: CivilDate? = nil
    ) {
        self.id = id
        self.product = product
        self.consumer = consumer
        self.operatorParty = operatorParty
        self.scenario = scenario
        self.startedOn = startedOn
        self.endedOn = endedOn
    }

    /// Whether the subscription is active on some day of `period`.
    public func isActive(during period: BillingPeriod) -> Bool {
        startedOn <= period.end && (endedOn.map { $0 >= period.start } ?? true)
    }
}

/// Why a charge is zero: the purpose, the legal condition, and the evidence (Art. 22).
public struct PurposeExemption: Codable, Sendable, Hashable {
    /// The purpose that earns free use.
    public var purpose: Purpose
    /// The condition under which use is free, in words.
    public var condition: String
    /// The evidence: the filed scenario's filing reference.
    public var evidence: String
    /// The filed scenario.
    public var scenario: ScenarioID

    /// Creates an exemption record.
    public init(purpose: Purpose, condition: String, evidence: String, scenario: ScenarioID) {
        self.purpose = purpose
        self.condition = condition
        self.evidence = evidence
        self.scenario = scenario
    }
}

/// The purpose rule of Art. 22: public governance and public welfare use is free with conditions;
/// industry and sector development is charged at the government-guided price.
public enum PurposeRule {
    /// The purposes free by default: `Purpose.publicGovernance` and `Purpose.publicWelfare`.
    ///
    /// The policy layer owns the deployment's setting (`PolicyParameters.freePurposes`) and passes it in.
    public static let defaultFreePurposes: Set<Purpose> = [.publicGovernance, .publicWelfare]

    /// The exemption for `scenario`, or `nil` when its purpose is charged.
    /// - Parameters:
    ///   - scenario: The filed scenario.
    ///   - freePurposes: The purposes that are free (default ``defaultFreePurposes``).
    public static func exemption(
        for scenario: FiledScenario,
        freePurposes: Set<Purpose> = defaultFreePurposes
    )
        -> PurposeExemption?
    {
        guard freePurposes.contains(scenario.purpose) else { return nil }
        return PurposeExemption(
            purpose: scenario.purpose,
            condition: "Art. 22: use for \(scenario.purpose.rawValue) is free of charge (有条件无偿使用) "
                + "while the use stays within the filed scenario",
            evidence: scenario.filingReference,
            scenario: scenario.id
        )
    }
}

/// What an invoice line charges for.
public enum InvoiceLineKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// A one-off product charge.
    case oneOff = "one_off"
    /// A subscription charge for the period.
    case subscription
    /// Metered usage.
    case usage
    /// Raises the period's charge to the plan's minimum.
    case minimumTopUp = "minimum_top_up"
    /// Lowers the period's charge to the plan's maximum (negative).
    case maximumReduction = "maximum_reduction"
    /// A scenario-class discount (negative).
    case discount
}

/// How one tier (or block package) contributed to a usage line.
public struct TierApplication: Codable, Sendable, Hashable {
    /// The tier's index (0-based); 0 for flat and package prices.
    public var tier: Int
    /// The first unit priced in this tier (1-based).
    public var firstUnit: Int64
    /// The last unit priced in this tier.
    public var lastUnit: Int64
    /// Units priced here.
    public var units: Int64
    /// For a package: the number of blocks charged (partial blocks rounded up); otherwise `nil`.
    public var blocks: Int64?
    /// The price applied (for a package, the block price per block size).
    public var unitPrice: UnitPrice
    /// The exact amount, before the line is rounded.
    public var exact: ExactAmount

    /// Creates a tier application.
    public init(
        tier: Int,
        firstUnit: Int64,
        lastUnit: Int64,
        units: Int64,
        blocks: Int64? = nil,
        unitPrice: UnitPrice,
        exact: ExactAmount
    ) {
        self.tier = tier
        self.firstUnit = firstUnit
        self.lastUnit = lastUnit
        self.units = units
        self.blocks = blocks
        self.unitPrice = unitPrice
        self.exact = exact
    }
}

/// One line of an invoice. Its ``amount`` is the only rounded figure (see ``RoundingRule``).
public struct InvoiceLine: Codable, Sendable, Hashable {
    /// What the line charges for.
    public var kind: InvoiceLineKind
    /// A description, e.g. `"per call: 12,000 calls"`.
    public var description: String
    /// The unit, for usage lines.
    public var unit: MeterUnit?
    /// The quantity (units for usage, 1 for product charges, 0 for adjustments).
    public var quantity: Int64
    /// The tiers applied, for usage lines.
    public var tiers: [TierApplication]
    /// The exact magnitude before rounding.
    public var exact: ExactAmount
    /// The line's amount in whole fen; negative for reductions and discounts.
    public var amount: Money
    /// The plan version that priced the line.
    public var plan: PricePlanID?
    /// Its version number.
    public var planVersion: Int?
    /// Its fee stage: a trial fee (试行收费标准) or the standard fee.
    public var feeStage: FeeStage?
    /// The days the version priced within the billing period (a period cut at a version boundary has one
    /// segment per version).
    public var segment: BillingPeriod?
    /// For a discount line: the scenario class of the filing that earned it.
    public var discountClass: String?
    /// The rounding rule applied to ``amount`` (``RoundingRule/statement``).
    public var rounding: String?

    /// Creates a line.
    public init(
        kind: InvoiceLineKind,
        description: String,
        unit: MeterUnit? = nil,
        quantity: Int64,
        tiers: [TierApplication] = [],
        exact: ExactAmount,
        amount: Money
    ) {
        self.kind = kind
        self.description = description
        self.unit = unit
        self.quantity = quantity
        self.tiers = tiers
        self.exact = exact
        self.amount = amount
    }
}

/// An issued invoice: immutable; corrected only by a ``CreditNote``.
public struct Invoice: Codable, Sendable, Hashable, Identifiable {
    /// The invoice's identifier.
    public var id: InvoiceID
    /// The subscription invoiced.
    public var subscription: SubscriptionID
    /// The product.
    public var product: ProductID
    /// The consumer who pays.
    public var consumer: PartyID
    /// The operator who charges.
    public var operatorParty: PartyID
    /// The billing period.
    public var period: BillingPeriod
    /// The plan version applied.
    public var plan: PricePlanID
    /// Its version number.
    public var planVersion: Int
    /// The purpose of the filed scenario.
    public var purpose: Purpose
    /// The scenario.
    public var scenario: ScenarioID
    /// Set when the purpose makes use free: the condition and its evidence.
    public var exemption: PurposeExemption?
    /// The lines.
    public var lines: [InvoiceLine]
    /// Charges plus minimum/maximum adjustments, before discounts.
    public var subtotal: Money
    /// The sum of discount lines (zero or negative).
    public var discountTotal: Money
    /// What the consumer pays: subtotal + discounts.
    public var total: Money
    /// What the use would have cost without the exemption (zero when charged).
    public var waivedAmount: Money
    /// The day of issue.
    public var issuedOn: CivilDate
    /// The invoice this one replaces (fully credited in the same step), e.g. after late usage arrived.
    public var replaces: InvoiceID?
    /// The rounding rule the invoice applied (``RoundingRule/statement``).
    public var rounding: String?

    /// Creates an invoice (use ``Rating`` to compute one).
    public init(
        id: InvoiceID,
        subscription: SubscriptionID,
        product: ProductID,
        consumer: PartyID,
        operatorParty: PartyID,
        period: BillingPeriod,
        plan: PricePlanID,
        planVersion: Int,
        purpose: Purpose,
        scenario: ScenarioID,
        exemption: PurposeExemption?,
        lines: [InvoiceLine],
        subtotal: Money,
        discountTotal: Money,
        total: Money,
        waivedAmount: Money,
        issuedOn: CivilDate,
        replaces: InvoiceID? = nil
    ) {
        self.id = id
        self.subscription = subscription
        self.product = product
        self.consumer = consumer
        self.operatorParty = operatorParty
        self.period = period
        self.plan = plan
        self.planVersion = planVersion
        self.purpose = purpose
        self.scenario = scenario
        self.exemption = exemption
        self.lines = lines
        self.subtotal = subtotal
        self.discountTotal = discountTotal
        self.total = total
        self.waivedAmount = waivedAmount
        self.issuedOn = issuedOn
        self.replaces = replaces
    }

    /// A credit note that credits `amount` of this invoice.
    ///
    /// ```swift
    /// let note = try invoice.creditNote(id: "cn-1", amount: Money(fen: 500), reason: "duplicate calls",
    ///                                   issuedOn: today)
    /// ```
    /// - Parameters:
    ///   - id: The credit note's identifier.
    ///   - amount: The positive amount credited.
    ///   - reason: Why.
    ///   - issuedOn: The day of issue.
    ///   - alreadyCredited: What earlier credit notes of this invoice credited.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeAmount`` (not positive),
    ///   ``PricingError/Code/currencyMismatch``, ``PricingError/Code/creditExceedsInvoice``.
    public func creditNote(
        id: InvoiceID,
        amount: Money,
        reason: String,
        issuedOn: CivilDate,
        alreadyCredited: Money = .zero
    ) throws(PricingError) -> CreditNote {
        guard amount.currency == total.currency, alreadyCredited.currency == total.currency else {
            throw PricingError.currency(amount.currency, total.currency, "credit note \(id)")
        }
        guard amount.fen > 0 else {
            throw PricingError(
                code: .negativeAmount,
                message: "a credit note must credit a positive amount, got \(amount)"
            )
        }
        let remaining = try checkedSubtract(total.fen, alreadyCredited.fen, "remaining of \(self.id)")
        guard amount.fen <= remaining else {
            throw PricingError(
                code: .creditExceedsInvoice,
                message: "credit \(amount) exceeds what remains of invoice \(self.id): \(Money(fen: remaining))",
                product: product,
                invoice: self.id,
                amount: amount,
                limit: Money(fen: remaining, currency: total.currency)
            )
        }
        return CreditNote(
            id: id,
            corrects: self.id,
            subscription: subscription,
            operatorParty: operatorParty,
            product: product,
            period: period,
            amount: amount,
            reason: reason,
            issuedOn: issuedOn
        )
    }
}

/// A quantity of one invoice line to credit: the input of a line-level credit note.
public struct CreditQuantity: Codable, Sendable, Hashable {
    /// The index (0-based) of the invoice line.
    public var line: Int
    /// The units credited; positive, at most what is left uncredited on the line.
    public var quantity: Int64

    /// Creates a credit quantity.
    public init(line: Int, quantity: Int64) {
        self.line = line
        self.quantity = quantity
    }
}

/// One credited line of a credit note.
public struct CreditLine: Codable, Sendable, Hashable {
    /// The index (0-based) of the invoice line credited.
    public var line: Int
    /// The units credited.
    public var quantity: Int64
    /// The plan version of the credited line.
    public var planVersion: Int?
    /// The amount credited (positive), in whole fen.
    public var amount: Money

    /// Creates a credit line.
    public init(line: Int, quantity: Int64, planVersion: Int?, amount: Money) {
        self.line = line
        self.quantity = quantity
        self.planVersion = planVersion
        self.amount = amount
    }
}

extension Invoice {
    /// A credit note that credits `quantities` of this invoice's charge lines (usage, one-off, subscription).
    ///
    /// A line's credit is its share of the invoice total — the line's amount × the total ÷ the charged amount, so a
    /// discount or a minimum/maximum adjustment is shared by the lines it adjusted — prorated by quantity over the
    /// line's quantity, computed on the **cumulative** credited quantity and rounded half-up once
    /// (``RoundingRule/fen(_:)``): crediting every unit of every line in any number of notes credits the line's
    /// share exactly, and never more than what remains of the invoice.
    ///
    /// ```swift
    /// let note = try invoice.creditNote(id: "cn-1", lines: [CreditQuantity(line: 0, quantity: 40)],
    ///                                   reason: "duplicate calls", issuedOn: today)
    /// ```
    /// - Parameters:
    ///   - id: The credit note's identifier.
    ///   - quantities: The lines and units credited; a line at most once.
    ///   - reason: Why.
    ///   - issuedOn: The day of issue.
    ///   - earlier: The invoice's earlier credit notes.
    /// - Throws: ``PricingError``: ``PricingError/Code/mismatchedReference`` (no such line, a line that is not a
    ///   charge, a line named twice, an earlier note of another invoice), ``PricingError/Code/negativeQuantity``
    ///   (a quantity not positive), ``PricingError/Code/creditExceedsInvoice`` (more units than the line has left,
    ///   or more than remains of the invoice), ``PricingError/Code/negativeAmount`` (nothing to credit: a free
    ///   line), ``PricingError/Code/overflow``.
    public func creditNote(
        id: InvoiceID,
        lines quantities: [CreditQuantity],
        reason: String,
        issuedOn: CivilDate,
        earlier: [CreditNote] = []
    ) throws(PricingError) -> CreditNote {
        let currency = total.currency
        guard !quantities.isEmpty else {
            throw PricingError(code: .mismatchedReference, message: "credit note \(id) names no line", invoice: self.id)
        }
        let charges: Set<InvoiceLineKind> = [.usage, .oneOff, .subscription]
        var charged: Int64 = 0
        for item in lines where charges.contains(item.kind) {
            charged = try checkedAdd(charged, item.amount.fen, "charged amount")
        }
        var alreadyCredited: Int64 = 0
        var creditedUnits: [Int: Int64] = [:]
        for note in earlier {
            guard note.corrects == self.id else {
                throw PricingError(
                    code: .mismatchedReference,
                    message: "credit note \(note.id) corrects \(note.corrects), not \(self.id)",
                    invoice: self.id
                )
            }
            alreadyCredited = try checkedAdd(alreadyCredited, note.amount.fen, "credited amount")
            for line in note.lines ?? [] {
                creditedUnits[line.line] = try checkedAdd(creditedUnits[line.line] ?? 0, line.quantity, "units")
            }
        }
        var credited: [CreditLine] = []
        var sum: Int64 = 0
        var seen: Set<Int> = []
        for request in quantities {
            guard lines.indices.contains(request.line), charges.contains(lines[request.line].kind),
                seen.insert(request.line).inserted
            else {
                throw PricingError(
                    code: .mismatchedReference,
                    message: "line \(request.line) of invoice \(self.id) is not a charge line, or is named twice",
                    product: product,
                    invoice: self.id
                )
            }
            let item = lines[request.line]
            guard request.quantity > 0 else {
                throw PricingError(
                    code: .negativeQuantity,
                    message: "a credit of \(request.quantity) units of line \(request.line) is not positive",
                    product: product,
                    unit: item.unit,
                    invoice: self.id
                )
            }
            let before = creditedUnits[request.line] ?? 0
            let after = try checkedAdd(before, request.quantity, "credited units")
            guard after <= item.quantity else {
                throw PricingError(
                    code: .creditExceedsInvoice,
                    message: "line \(request.line) of invoice \(self.id) has \(item.quantity - before) uncredited "
                        + "unit(s), not \(request.quantity)",
                    product: product,
                    unit: item.unit,
                    invoice: self.id
                )
            }
            guard item.amount.fen > 0, charged > 0, total.fen > 0 else {
                throw PricingError(
                    code: .negativeAmount,
                    message: "line \(request.line) of invoice \(self.id) charged nothing; there is nothing to credit",
                    product: product,
                    invoice: self.id
                )
            }
            let scale = try checkedMultiply(charged, item.quantity, "credit scale")
            func share(_ units: Int64) throws(PricingError) -> Int64 {
                let numerator = try checkedMultiply(item.amount.fen, units, "credit share")
                return RoundingRule.fen(try ExactAmount.ratio(numerator, times: total.fen, over: scale))
            }
            let amount = try share(after) - share(before)
            credited.append(
                CreditLine(
                    line: request.line,
                    quantity: request.quantity,
                    planVersion: item.planVersion,
                    amount: Money(fen: amount, currency: currency)
                )
            )
            sum = try checkedAdd(sum, amount, "credit note amount")
        }
        let remaining = try checkedSubtract(total.fen, alreadyCredited, "remaining of \(self.id)")
        guard sum > 0 else {
            throw PricingError(
                code: .negativeAmount,
                message: "credit note \(id) would credit nothing",
                product: product,
                invoice: self.id
            )
        }
        guard sum <= remaining else {
            throw PricingError(
                code: .creditExceedsInvoice,
                message: "credit \(Money(fen: sum, currency: currency)) exceeds what remains of invoice \(self.id): "
                    + "\(Money(fen: remaining, currency: currency))",
                product: product,
                invoice: self.id,
                amount: Money(fen: sum, currency: currency),
                limit: Money(fen: remaining, currency: currency)
            )
        }
        var note = CreditNote(
            id: id,
            corrects: self.id,
            subscription: subscription,
            operatorParty: operatorParty,
            product: product,
            period: period,
            amount: Money(fen: sum, currency: currency),
            reason: reason,
            issuedOn: issuedOn
        )
        note.lines = credited
        return note
    }
}

/// A correction of an invoice: the invoice stays as issued; the note credits part or all of it.
public struct CreditNote: Codable, Sendable, Hashable, Identifiable {
    /// The credit note's identifier.
    public var id: InvoiceID
    /// The invoice corrected.
    public var corrects: InvoiceID
    /// The subscription.
    public var subscription: SubscriptionID
    /// The operator.
    public var operatorParty: PartyID
    /// The product.
    public var product: ProductID
    /// The corrected invoice's period.
    public var period: BillingPeriod
    /// The amount credited (positive).
    public var amount: Money
    /// Why.
    public var reason: String
    /// The day of issue.
    public var issuedOn: CivilDate
    /// The credited lines and quantities, for a note by line (``Invoice/creditNote(id:lines:reason:issuedOn:earlier:)``).
    public var lines: [CreditLine]?

    /// Creates a credit note (use ``Invoice/creditNote(id:amount:reason:issuedOn:alreadyCredited:)``).
    public init(
        id: InvoiceID,
        corrects: InvoiceID,
        subscription: SubscriptionID,
        operatorParty: PartyID,
        product: ProductID,
        period: BillingPeriod,
        amount: Money,
        reason: String,
        issuedOn: CivilDate
    ) {
        self.id = id
        self.corrects = corrects
        self.subscription = subscription
        self.operatorParty = operatorParty
        self.product = product
        self.period = period
        self.amount = amount
        self.reason = reason
        self.issuedOn = issuedOn
    }
}

/// The part of a billing period one plan version was in force, with the usage it priced.
public struct RatingSegment: Sendable, Hashable {
    /// The plan version in force on every day of ``period``.
    public var plan: PricePlan
    /// The days of the billing period the version priced.
    public var period: BillingPeriod
    /// The usage recorded while the version was in force (aggregates for ``period``).
    public var usage: [UsageAggregate]

    /// Creates a segment.
    public init(plan: PricePlan, period: BillingPeriod, usage: [UsageAggregate] = []) {
        self.plan = plan
        self.period = period
        self.usage = usage
    }
}

/// Everything needed to rate one subscription for one billing period.
public struct RatingRequest: Sendable, Hashable {
    /// The invoice's identifier.
    public var invoiceID: InvoiceID
    /// The subscription.
    public var subscription: ProductSubscription
    /// The billing period.
    public var period: BillingPeriod
    /// The period's usage (from ``UsageMeter/aggregate(subscription:unit:period:)``); may be empty. For a
    /// one-off plan these are the recorded one-off charges: their summed quantity is the line's quantity
    /// (see ``ChargeModel/oneOff(price:quantity:)``).
    public var usage: [UsageAggregate]
    /// The day of issue.
    public var issuedOn: CivilDate
    /// The purposes that are free (from the policy layer; default governance and welfare).
    public var freePurposes: Set<Purpose>

    /// Creates a request.
    public init(
        invoiceID: InvoiceID,
        subscription: ProductSubscription,
        period: BillingPeriod,
        usage: [UsageAggregate] = [],
        issuedOn: CivilDate,
        freePurposes: Set<Purpose> = PurposeRule.defaultFreePurposes
    ) {
        self.invoiceID = invoiceID
        self.subscription = subscription
        self.period = period
        self.usage = usage
        self.issuedOn = issuedOn
        self.freePurposes = freePurposes
    }
}

/// Rating: turns a plan, a subscription and a period's usage into an invoice, exact to the fen.
///
/// ``rate(_:book:)`` applies the version in effect on the billing period's **first day** (it has no instants of
/// use); ``rate(_:segments:)`` cuts a period at every version boundary, each version pricing the usage recorded
/// while it was in force — the workflow's settlement uses it.
public enum Rating {
    /// Rates `request` with the version of `book` in effect on the period's first day.
    ///
    /// ```swift
    /// let invoice = try Rating.rate(RatingRequest(invoiceID: "inv-2026-03-sub1", subscription: sub,
    ///     period: .month(2026, 3)!, usage: [meter.aggregate(subscription: sub.id, unit: .call,
    ///     period: .month(2026, 3)!)], issuedOn: CivilDate("2026-04-01")!), book: book)
    /// ```
    /// - Throws: ``PricingError`` (``PricingError/Code/noPlanInEffect`` and those of ``rate(_:plan:)``).
    public static func rate(_ request: RatingRequest, book: PriceBook) throws(PricingError) -> Invoice {
        try rate(request, plan: book.plan(on: request.period.start))
    }

    /// Rates `request` with `plan`.
    /// - Throws: ``PricingError``: ``PricingError/Code/mismatchedReference`` (plan of another product or operator, usage
    ///   of another subscription or period), ``PricingError/Code/unitMismatch``,
    ///   ``PricingError/Code/noPlanInEffect`` (plan not in effect on the period's first day),
    ///   ``PricingError/Code/negativeQuantity``, ``PricingError/Code/overflow``.
    public static func rate(_ request: RatingRequest, plan: PricePlan) throws(PricingError) -> Invoice {
        try rate(request, plan: plan, segment: request.period, recorded: request.usage.contains { $0.count > 0 })
    }

    /// Rates `request` with one invoice line group per plan version: each segment is the part of the billing
    /// period one version was in force, rated on its own.
    ///
    /// A period cut at a version boundary (a new version effective mid-period) is rated segment by segment:
    /// each version prices the usage recorded while it was in force, its tiers counting from the segment's first
    /// unit; a per-period amount (a subscription price, the minimum and maximum per period, a fixed discount) is
    /// prorated by the segment's days over the period's days (`ExactAmount`, rounded half-up once on its line).
    /// A segment that covers the whole period is rated exactly like ``rate(_:plan:)``. The invoice's lines are
    /// the segments' lines in time order, each naming its plan version and fee stage; its subtotal, discounts and
    /// total are their sums, so the lines always add up to the total. The invoice's ``Invoice/plan`` is the
    /// latest segment's version.
    ///
    /// ```swift
    /// let invoice = try Rating.rate(request, segments: [
    ///     RatingSegment(plan: v1, period: try BillingPeriod(start: march1, end: march14), usage: [before]),
    ///     RatingSegment(plan: v2, period: try BillingPeriod(start: march15, end: march31), usage: [after]),
    /// ])
    /// ```
    /// - Throws: ``PricingError``: ``PricingError/Code/invalidPeriod`` (no segment, segments that overlap, leave
    ///   the period or are not in time order), and those of ``rate(_:plan:)``.
    public static func rate(_ request: RatingRequest, segments: [RatingSegment]) throws(PricingError) -> Invoice {
        guard let first = segments.first else {
            throw PricingError(code: .invalidPeriod, message: "no segment to rate in \(request.period)")
        }
        let recorded = segments.contains { $0.usage.contains { $0.count > 0 } }
        if segments.count == 1, first.period == request.period {
            var whole = request
            whole.usage = first.usage
            return try rate(whole, plan: first.plan, segment: request.period, recorded: recorded)
        }
        var previousEnd: CivilDate?
        for segment in segments {
            guard request.period.contains(segment.period.start), request.period.contains(segment.period.end),
                previousEnd.map({ $0 < segment.period.start }) ?? true
            else {
                throw PricingError(
                    code: .invalidPeriod,
                    message: "segment \(segment.period) is outside \(request.period) or out of order",
                    period: segment.period
                )
            }
            previousEnd = segment.period.end
        }
        var combined: Invoice?
        var subtotal: Int64 = 0
        var discounts: Int64 = 0
        var total: Int64 = 0
        var waived: Int64 = 0
        var lines: [InvoiceLine] = []
        for segment in segments {
            var part = request
            part.usage = segment.usage
            let invoice = try rate(part, plan: segment.plan, segment: segment.period, recorded: recorded)
            lines += invoice.lines
            subtotal = try checkedAdd(subtotal, invoice.subtotal.fen, "invoice subtotal")
            discounts = try checkedAdd(discounts, invoice.discountTotal.fen, "invoice discounts")
            total = try checkedAdd(total, invoice.total.fen, "invoice total")
            waived = try checkedAdd(waived, invoice.waivedAmount.fen, "waived amount")
            combined = invoice
        }
        guard var invoice = combined else {
            throw PricingError(code: .invalidPeriod, message: "no segment to rate in \(request.period)")
        }
        let currency = invoice.total.currency
        invoice.lines = lines
        invoice.subtotal = Money(fen: subtotal, currency: currency)
        invoice.discountTotal = Money(fen: discounts, currency: currency)
        invoice.total = Money(fen: total, currency: currency)
        invoice.waivedAmount = Money(fen: waived, currency: currency)
        return invoice
    }

    /// Rates the part `segment` of `request.period` with `plan` (see ``rate(_:segments:)``).
    ///
    /// `recorded` tells a one-off plan whether the request (all its segments together) carries recorded one-off
    /// charges: then only they are charged, and a segment without any charges nothing.
    static func rate(
        _ request: RatingRequest,
        plan: PricePlan,
        segment: BillingPeriod,
        recorded: Bool
    ) throws(PricingError) -> Invoice {
        let subscription = request.subscription
        let period = segment
        let periodDays = Int64(request.period.end.daysSinceEpoch - request.period.start.daysSinceEpoch + 1)
        let segmentDays = Int64(segment.end.daysSinceEpoch - segment.start.daysSinceEpoch + 1)
        /// A per-period amount prorated by the segment's days (whole when the segment is the period).
        func prorated(_ fen: Int64) throws(PricingError) -> ExactAmount {
            segmentDays == periodDays
                ? ExactAmount(fen: fen) : try ExactAmount.ratio(segmentDays, times: fen, over: periodDays)
        }
        guard plan.product == subscription.product else {
            throw PricingError(
                code: .mismatchedReference,
                message:
                    "plan \(plan.id) prices \(plan.product), subscription \(subscription.id) uses \(subscription.product)",
                product: subscription.product
            )
        }
        guard plan.operatorParty == subscription.operatorParty else {
            throw PricingError(
                code: .mismatchedReference,
                message: "plan \(plan.id) is \(plan.operatorParty)'s, subscription \(subscription.id) is with "
                    + "\(subscription.operatorParty)",
                product: plan.product
            )
        }
        guard plan.covers(period.start), plan.covers(period.end) else {
            throw PricingError(
                code: .noPlanInEffect,
                message: "plan \(plan.id) is not in effect throughout \(period)",
                product: plan.product,
                period: period
            )
        }
        let currency = plan.currency
        var lines: [InvoiceLine] = []
        switch plan.charge {
        case .oneOff(let price, let planQuantity):
            // Recorded one-off charges (usage of the subscription) give the quantity; without any, the plan's
            // quantity (nil = 1) is charged once in the period in which the subscription starts. A one-off
            // quantity counts items whatever unit the records name, so no unit can poison the period.
            var quantity: Int64 = 0
            for aggregate in request.usage where aggregate.count > 0 {
                guard aggregate.subscription == subscription.id, aggregate.period.start == period.start else {
                    throw PricingError(
                        code: .mismatchedReference,
                        message: "one-off charges of \(aggregate.subscription) for \(aggregate.period) are not for "
                            + "\(subscription.id) in \(period)",
                        product: plan.product
                    )
                }
                guard aggregate.sum >= 0 else {
                    throw PricingError(
                        code: .negativeQuantity,
                        message: "a one-off quantity of \(aggregate.sum) is negative",
                        product: plan.product,
                        unit: aggregate.unit,
                        period: period
                    )
                }
                quantity = try checkedAdd(quantity, aggregate.sum, "one-off quantity")
            }
            if !recorded, period.contains(subscription.startedOn) { quantity = planQuantity ?? 1 }
            guard quantity >= 0 else {
                throw PricingError(
                    code: .negativeQuantity,
                    message: "a one-off quantity of \(quantity) is negative",
                    product: plan.product
                )
            }
            if quantity > 0 {
                let fen = try checkedMultiply(quantity, price.fen, "\(quantity) × \(price)")
                lines.append(
                    line(
                        .oneOff,
                        "one-off charge for \(plan.product): \(quantity) × \(price)",
                        quantity: quantity,
                        exact: ExactAmount(fen: fen),
                        currency: currency
                    )
                )
            }
        case .subscription(let price):
            if subscription.isActive(during: period) {
                lines.append(
                    line(
                        .subscription,
                        "subscription \(period)",
                        quantity: 1,
                        exact: try prorated(price.fen),
                        currency: currency
                    )
                )
            }
        case .usage(let charge):
            var quantity: Int64 = 0
            for aggregate in request.usage {
                guard aggregate.subscription == subscription.id, aggregate.period.start == period.start else {
                    throw PricingError(
                        code: .mismatchedReference,
                        message: "usage of \(aggregate.subscription) for \(aggregate.period) is not for "
                            + "\(subscription.id) in \(period)",
                        product: plan.product
                    )
                }
                guard aggregate.unit == charge.unit else {
                    if aggregate.count == 0 { continue }
                    throw PricingError(
                        code: .unitMismatch,
                        message:
                            "usage in \(aggregate.unit.rawValue)s cannot be rated by a plan priced per \(charge.unit.rawValue)",
                        product: plan.product,
                        unit: aggregate.unit,
                        period: period
                    )
                }
                quantity = try checkedAdd(quantity, aggregate.value(of: charge.measure), "usage quantity")
            }
            let (tiers, exact) = try usageAmount(charge, quantity: quantity)
            lines.append(
                line(
                    .usage,
                    "\(charge.unit.basis): \(quantity) \(charge.unit.rawValue)(s) (\(charge.measure.rawValue))",
                    unit: charge.unit,
                    quantity: quantity,
                    tiers: tiers,
                    exact: exact,
                    currency: currency
                )
            )
        }
        var charged: Int64 = 0
        for item in lines { charged = try checkedAdd(charged, item.amount.fen, "invoice subtotal") }
        var subtotal = charged
        var minimumFen: Int64?
        if let minimum = plan.minimumPerPeriod { minimumFen = RoundingRule.fen(try prorated(minimum.fen)) }
        var maximumFen: Int64?
        if let maximum = plan.maximumPerPeriod { maximumFen = RoundingRule.fen(try prorated(maximum.fen)) }
        if let minimum = plan.minimumPerPeriod, let minimumFen, charged < minimumFen {
            let topUp = minimumFen - charged
            lines.append(
                line(
                    .minimumTopUp,
                    "minimum per period \(minimum)",
                    quantity: 0,
                    exact: ExactAmount(fen: topUp),
                    currency: currency
                )
            )
            subtotal = minimumFen
        }
        if let maximum = plan.maximumPerPeriod, let maximumFen, charged > maximumFen {
            let reduction = charged - maximumFen
            lines.append(
                line(
                    .maximumReduction,
                    "maximum per period \(maximum)",
                    quantity: 0,
                    exact: ExactAmount(fen: reduction),
                    currency: currency,
                    sign: -1
                )
            )
            subtotal = maximumFen
        }
        var running = subtotal
        for discount in plan.discounts
        where subscription.scenario.classes.contains(discount.scenarioClass) && running > 0 {
            let exact: ExactAmount
            let label = discount.label.isEmpty ? discount.scenarioClass : discount.label
            switch discount.kind {
            case .percentage(let points):
                exact = try ExactAmount.ratio(running, times: points, over: 10_000)
            case .fixed(let amount):
                exact = ExactAmount(fen: min(RoundingRule.fen(try prorated(amount.fen)), running))
            }
            var item = line(.discount, "discount \(label)", quantity: 0, exact: exact, currency: currency, sign: -1)
            item.discountClass = discount.scenarioClass
            guard item.amount.fen != 0 else { continue }
            lines.append(item)
            running += item.amount.fen
        }
        let discountTotal = running - subtotal
        for index in lines.indices {
            lines[index].plan = plan.id
            lines[index].planVersion = plan.version
            lines[index].feeStage = plan.feeStage
            lines[index].segment = segment
            lines[index].rounding = RoundingRule.statement
        }
        var invoice = Invoice(
            id: request.invoiceID,
            subscription: subscription.id,
            product: plan.product,
            consumer: subscription.consumer,
            operatorParty: subscription.operatorParty,
            period: request.period,
            plan: plan.id,
            planVersion: plan.version,
            purpose: subscription.scenario.purpose,
            scenario: subscription.scenario.id,
            exemption: nil,
            lines: lines,
            subtotal: Money(fen: subtotal, currency: currency),
            discountTotal: Money(fen: discountTotal, currency: currency),
            total: Money(fen: running, currency: currency),
            waivedAmount: Money(fen: 0, currency: currency),
            issuedOn: request.issuedOn
        )
        invoice.rounding = RoundingRule.statement
        if let exemption = PurposeRule.exemption(for: subscription.scenario, freePurposes: request.freePurposes) {
            let zero = Money(fen: 0, currency: currency)
            invoice.exemption = exemption
            invoice.waivedAmount = invoice.total
            invoice.lines = lines.filter { $0.kind == .oneOff || $0.kind == .subscription || $0.kind == .usage }.map {
                var free = $0
                free.description += " — free: \(exemption.purpose.rawValue), evidence \(exemption.evidence)"
                free.amount = zero
                return free
            }
            invoice.subtotal = zero
            invoice.discountTotal = zero
            invoice.total = zero
        }
        return invoice
    }

    /// The only place where an exact amount becomes whole fen (``RoundingRule/fen(_:)``).
    private static func line(
        _ kind: InvoiceLineKind,
        _ description: String,
        unit: MeterUnit? = nil,
        quantity: Int64,
        tiers: [TierApplication] = [],
        exact: ExactAmount,
        currency: Currency,
        sign: Int64 = 1
    ) -> InvoiceLine {
        InvoiceLine(
            kind: kind,
            description: description,
            unit: unit,
            quantity: quantity,
            tiers: tiers,
            exact: exact,
            amount: Money(fen: sign * RoundingRule.fen(exact), currency: currency)
        )
    }

    /// The exact amount of `quantity` units under `charge`, with the tiers applied.
    ///
    /// - Graduated: units `1...upTo₁` at tier 1's price, `upTo₁+1...upTo₂` at tier 2's, and so on.
    /// - Volume: all units at the price of the tier that contains the last unit (`quantity`).
    /// - Package: `ceil(quantity / blockSize)` blocks at the block price.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeQuantity``, ``PricingError/Code/overflow``.
    public static func usageAmount(
        _ charge: UsageCharge,
        quantity: Int64
    ) throws(PricingError)
        -> (tiers: [TierApplication], exact: ExactAmount)
    {
        guard quantity >= 0 else {
            throw PricingError(
                code: .negativeQuantity,
                message: "a quantity of \(quantity) \(charge.unit.rawValue)s is negative"
            )
        }
        guard quantity > 0 else { return ([], .zero) }
        switch charge.scheme {
        case .flat(let price):
            let exact = try price.amount(for: quantity)
            return (
                [
                    TierApplication(
                        tier: 0,
                        firstUnit: 1,
                        lastUnit: quantity,
                        units: quantity,
                        unitPrice: price,
                        exact: exact
                    )
                ], exact
            )
        case .graduated(let tiers):
            var applied: [TierApplication] = []
            var total = ExactAmount.zero
            var lower: Int64 = 0
            for (index, tier) in tiers.enumerated() where lower < quantity {
                let upper = min(quantity, tier.upTo ?? quantity)
                guard upper > lower else { continue }
                let units = upper - lower
                let exact = try tier.unitPrice.amount(for: units)
                applied.append(
                    TierApplication(
                        tier: index,
                        firstUnit: lower + 1,
                        lastUnit: upper,
                        units: units,
                        unitPrice: tier.unitPrice,
                        exact: exact
                    )
                )
                total = try total.adding(exact)
                lower = upper
            }
            return (applied, total)
        case .volume(let tiers):
            guard let index = tiers.firstIndex(where: { ($0.upTo ?? .max) >= quantity }) else {
                throw PricingError(code: .invalidPlan, message: "no volume tier covers \(quantity) units")
            }
            let price = tiers[index].unitPrice
            let exact = try price.amount(for: quantity)
            return (
                [
                    TierApplication(
                        tier: index,
                        firstUnit: 1,
                        lastUnit: quantity,
                        units: quantity,
                        unitPrice: price,
                        exact: exact
                    )
                ], exact
            )
        case .package(let size, let price):
            guard size > 0 else { throw PricingError(code: .invalidPlan, message: "the block size must be positive") }
            let blocks = quantity / size + (quantity % size == 0 ? 0 : 1)
            let fen = try checkedMultiply(blocks, price.fen, "\(blocks) blocks × \(price)")
            let exact = ExactAmount(fen: fen)
            return (
                [
                    TierApplication(
                        tier: 0,
                        firstUnit: 1,
                        lastUnit: quantity,
                        units: quantity,
                        blocks: blocks,
                        unitPrice: UnitPrice(fen: price.fen, per: size, currency: price.currency),
                        exact: exact
                    )
                ],
                exact
            )
        }
    }
}
