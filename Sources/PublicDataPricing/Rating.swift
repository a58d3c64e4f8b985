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
                product: product
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

/// Everything needed to rate one subscription for one billing period.
public struct RatingRequest: Sendable, Hashable {
    /// The invoice's identifier.
    public var invoiceID: InvoiceID
    /// The subscription.
    public var subscription: ProductSubscription
    /// The billing period.
    public var period: BillingPeriod
    /// The period's usage (from ``UsageMeter/aggregate(subscription:unit:period:)``); may be empty.
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
/// The plan version applied is the one in effect on the billing period's **first day**; a version that
/// starts mid-period applies from the next period.
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
        let subscription = request.subscription
        let period = request.period
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
        guard plan.covers(period.start) else {
            throw PricingError(
                code: .noPlanInEffect,
                message: "plan \(plan.id) is not in effect on \(period.start)",
                product: plan.product
            )
        }
        let currency = plan.currency
        var lines: [InvoiceLine] = []
        switch plan.charge {
        case .oneOff(let price):
            if period.contains(subscription.startedOn) {
                lines.append(
                    line(
                        .oneOff,
                        "one-off charge for \(plan.product)",
                        quantity: 1,
                        exact: ExactAmount(fen: price.fen),
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
                        exact: ExactAmount(fen: price.fen),
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
                        product: plan.product
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
        if let minimum = plan.minimumPerPeriod, charged < minimum.fen {
            let topUp = minimum.fen - charged
            lines.append(
                line(
                    .minimumTopUp,
                    "minimum per period \(minimum)",
                    quantity: 0,
                    exact: ExactAmount(fen: topUp),
                    currency: currency
                )
            )
            subtotal = minimum.fen
        }
        if let maximum = plan.maximumPerPeriod, charged > maximum.fen {
            let reduction = charged - maximum.fen
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
            subtotal = maximum.fen
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
                exact = ExactAmount(fen: min(amount.fen, running))
            }
            let item = line(.discount, "discount \(label)", quantity: 0, exact: exact, currency: currency, sign: -1)
            guard item.amount.fen != 0 else { continue }
            lines.append(item)
            running += item.amount.fen
        }
        let discountTotal = running - subtotal
        var invoice = Invoice(
            id: request.invoiceID,
            subscription: subscription.id,
            product: plan.product,
            consumer: subscription.consumer,
            operatorParty: subscription.operatorParty,
            period: period,
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
