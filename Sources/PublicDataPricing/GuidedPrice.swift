/// The upper limit a fee cap sets, by charge basis.
public enum FeeLimit: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The most a one-off (per product) charge may be.
    case perProduct(Money)
    /// The most a subscription may charge per billing period; also bounds a plan's period minimum.
    case perPeriod(Money)
    /// The most one unit of usage may cost (per call, per second, per byte or per record).
    case perUnit(MeterUnit, UnitPrice)

    /// The limit in words.
    public var description: String {
        switch self {
        case .perProduct(let amount): "\(amount) per product"
        case .perPeriod(let amount): "\(amount) per period"
        case .perUnit(let unit, let price): price.describe(unit: unit)
        }
    }
}

/// A fee cap (收费上限) for one product or service, set by the authorizing body under 65号.
public struct FeeCap: Codable, Sendable, Hashable {
    /// The product or service capped.
    public var product: ProductID
    /// The limit.
    public var limit: FeeLimit
    /// The body that set the cap (the implementing agency or the price department).
    public var setBy: PartyID
    /// Where the cap comes from, e.g. a document number.
    public var source: String
    /// The first day the cap applies; `nil` means from the beginning (it then applies to every day until a later
    /// cap of the same charge basis takes over).
    public var effectiveFrom: CivilDate?

    /// Creates a cap.
    public init(product: ProductID, limit: FeeLimit, setBy: PartyID, source: String, effectiveFrom: CivilDate? = nil) {
        self.product = product
        self.limit = limit
        self.setBy = setBy
        self.source = source
        self.effectiveFrom = effectiveFrom
    }

    /// The charge basis the cap limits: a later cap of the same basis replaces an earlier one from its date.
    public var basis: String {
        switch limit {
        case .perProduct: "per product"
        case .perPeriod: "per period"
        case .perUnit(let unit, _): unit.basis
        }
    }

    /// The caps of `caps` in force on `day`: for each product and charge basis, the one with the latest
    /// effective date on or before `day` (of equal dates, the one set last). Caps are versioned by effective
    /// date: a lowered cap applies from its date and never changes an earlier day.
    public static func inForce(_ caps: [FeeCap], on day: CivilDate) -> [FeeCap] {
        var chosen: [CapKey: (index: Int, cap: FeeCap)] = [:]
        for (index, cap) in caps.enumerated() {
            let from = cap.effectiveFrom ?? FeeCap.beginning
            guard from <= day else { continue }
            let key = CapKey(product: cap.product, basis: cap.basis)
            if let current = chosen[key] {
                if from < current.cap.effectiveFrom ?? FeeCap.beginning { continue }
            }
            chosen[key] = (index, cap)
        }
        return chosen.values.sorted { $0.index < $1.index }.map(\.cap)
    }

    static let beginning = CivilDate(daysSinceEpoch: -719_162)

    /// What one cap in force is chosen for: a product and a charge basis.
    private struct CapKey: Hashable {
        var product: ProductID
        var basis: String
    }

    /// The days on which the set of caps in force may change after `day`: every later effective date.
    public static func changes(_ caps: [FeeCap], after day: CivilDate) -> [CivilDate] {
        Array(Set(caps.compactMap(\.effectiveFrom).filter { $0 > day })).sorted()
    }
}

/// An amount with the text that justifies it (a cost audit, a tax assessment, a rate decision).
public struct SourcedAmount: Codable, Sendable, Hashable {
    /// The amount; zero or more.
    public var amount: Money
    /// Its source, in words.
    public var source: String

    /// Creates a sourced amount.
    public init(_ amount: Money, source: String) {
        self.amount = amount
        self.source = source
    }
}

/// An operator's maximum allowed revenue (最高准许收入) for one period: cost + allowed profit + tax.
public struct AllowedRevenue: Codable, Sendable, Hashable {
    /// The operator.
    public var operatorParty: PartyID
    /// The accounting period.
    public var period: BillingPeriod
    /// 运营成本.
    public var operatingCost: SourcedAmount
    /// 合理利润.
    public var allowedProfit: SourcedAmount
    /// 税金.
    public var tax: SourcedAmount
    /// The approving body (price department with the data administration).
    public var approvedBy: PartyID

    /// Creates an allowance basis.
    public init(
        operatorParty: PartyID,
        period: BillingPeriod,
        operatingCost: SourcedAmount,
        allowedProfit: SourcedAmount,
        tax: SourcedAmount,
        approvedBy: PartyID
    ) {
        self.operatorParty = operatorParty
        self.period = period
        self.operatingCost = operatingCost
        self.allowedProfit = allowedProfit
        self.tax = tax
        self.approvedBy = approvedBy
    }

    /// operating cost + allowed profit + tax.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeAmount``, ``PricingError/Code/currencyMismatch``,
    ///   ``PricingError/Code/overflow``.
    public func maximum() throws(PricingError) -> Money {
        let parts = [("operating cost", operatingCost), ("allowed profit", allowedProfit), ("tax", tax)]
        for (name, part) in parts where part.amount.isNegative {
            throw PricingError(code: .negativeAmount, message: "the \(name) \(part.amount) is negative")
        }
        return try sum(parts.map { $0.1.amount }, "maximum allowed revenue")
    }
}

/// The result of closing an operator's period against its maximum allowed revenue.
///
/// `allowance = max(0, maximum − deductionBroughtIn)`; `overage = max(0, revenue − allowance)`;
/// `carriedToNext = overage + unusedDeduction`, where `unusedDeduction` is the part of the deduction
/// brought in that exceeded the maximum. The carried amount is deducted from the next period's allowance
/// exactly once, because each close consumes the previous close's carry.
public struct PeriodClose: Codable, Sendable, Hashable {
    /// The operator.
    public var operatorParty: PartyID
    /// The closed period.
    public var period: BillingPeriod
    /// The approved maximum allowed revenue.
    public var maximumAllowedRevenue: Money
    /// The overage carried in from the previous close.
    public var deductionBroughtIn: Money
    /// The allowance after the deduction.
    public var allowance: Money
    /// The revenue earned in the period.
    public var revenue: Money
    /// Revenue above the allowance.
    public var overage: Money
    /// The part of the deduction brought in that the maximum could not absorb.
    public var unusedDeduction: Money
    /// The deduction from the next period's allowance.
    public var carriedToNext: Money

    /// Creates a close record (use ``GuidedPrice/close(_:revenue:deductionBroughtIn:)`` to compute one).
    public init(
        operatorParty: PartyID,
        period: BillingPeriod,
        maximumAllowedRevenue: Money,
        deductionBroughtIn: Money,
        allowance: Money,
        revenue: Money,
        overage: Money,
        unusedDeduction: Money,
        carriedToNext: Money
    ) {
        self.operatorParty = operatorParty
        self.period = period
        self.maximumAllowedRevenue = maximumAllowedRevenue
        self.deductionBroughtIn = deductionBroughtIn
        self.allowance = allowance
        self.revenue = revenue
        self.overage = overage
        self.unusedDeduction = unusedDeduction
        self.carriedToNext = carriedToNext
    }
}

/// Government-guided price rules (发改价格〔2025〕65号): fee caps, trial fees, maximum allowed revenue.
public enum GuidedPrice {
    /// Checks every price of `plan` against the product's fee caps.
    ///
    /// One-off prices are checked against a ``FeeLimit/perProduct(_:)`` cap, subscription prices and a
    /// period minimum against ``FeeLimit/perPeriod(_:)``, unit prices against ``FeeLimit/perUnit(_:_:)``
    /// of the same unit: a flat price, **every** graduated or volume tier, and a package's block price
    /// divided by its block size. A price of zero needs no cap.
    ///
    /// ```swift
    /// try GuidedPrice.checkCaps(plan, caps: [FeeCap(product: "id-verify",
    ///     limit: .perUnit(.call, UnitPrice(fen: 10)), setBy: "agency", source: "京数据〔2026〕1号")])
    /// ```
    /// - Parameters:
    ///   - plan: The plan to check.
    ///   - caps: Caps; those of other products are ignored.
    ///   - capRequired: Whether a charged component without a matching cap is an error (default `true`).
    /// - Throws: ``PricingError``: ``PricingError/Code/capExceeded`` naming the product, each cap and each
    ///   offending price; ``PricingError/Code/capMissing``; ``PricingError/Code/currencyMismatch``.
    public static func checkCaps(_ plan: PricePlan, caps: [FeeCap], capRequired: Bool = true) throws(PricingError) {
        let mine = caps.filter { $0.product == plan.product }
        var violations: [CapViolation] = []
        var missing: [String] = []
        func amountCap(_ pick: (FeeLimit) -> Money?) -> Money? { mine.compactMap { pick($0.limit) }.first }
        let productCap = amountCap { if case .perProduct(let m) = $0 { m } else { nil } }
        let periodCap = amountCap { if case .perPeriod(let m) = $0 { m } else { nil } }
        func check(_ price: Money, against cap: Money?, component: String) throws(PricingError) {
            guard price.fen > 0 else { return }
            guard let cap else {
                missing.append(component)
                return
            }
            guard cap.currency == price.currency else {
                throw PricingError.currency(price.currency, cap.currency, component)
            }
            if price.fen > cap.fen {
                violations.append(
                    CapViolation(product: plan.product, component: component, cap: "\(cap)", price: "\(price)")
                )
            }
        }
        switch plan.charge {
        case .oneOff(let price, _): try check(price, against: productCap, component: "one-off price")
        case .subscription(let price): try check(price, against: periodCap, component: "subscription price per period")
        case .usage(let usage):
            let unitCap: UnitPrice? = mine.compactMap {
                if case .perUnit(let unit, let price) = $0.limit, unit == usage.unit { price } else { nil }
            }.first
            func checkUnit(_ price: UnitPrice, component: String, tier: Int?) throws(PricingError) {
                guard price.fen > 0 else { return }
                guard let unitCap else {
                    missing.append(component)
                    return
                }
                guard unitCap.currency == price.currency else {
                    throw PricingError.currency(price.currency, unitCap.currency, component)
                }
                if !price.isAtMost(unitCap) {
                    violations.append(
                        CapViolation(
                            product: plan.product,
                            component: component,
                            tierIndex: tier,
                            cap: unitCap.describe(unit: usage.unit),
                            price: price.describe(unit: usage.unit)
                        )
                    )
                }
            }
            switch usage.scheme {
            case .flat(let price): try checkUnit(price, component: usage.unit.basis, tier: nil)
            case .graduated(let tiers), .volume(let tiers):
                let kind = if case .graduated = usage.scheme { "graduated" } else { "volume" }
                var lower: Int64 = 0
                for (index, tier) in tiers.enumerated() {
                    let range = tier.upTo.map { "units \(lower + 1)–\($0)" } ?? "units from \(lower + 1)"
                    try checkUnit(tier.unitPrice, component: "\(kind) tier \(index + 1) (\(range))", tier: index)
                    lower = tier.upTo ?? lower
                }
            case .package(let size, let price):
                try checkUnit(
                    UnitPrice(fen: price.fen, per: max(1, size), currency: price.currency),
                    component: "package of \(size) \(usage.unit.rawValue)s at \(price)",
                    tier: nil
                )
            }
        }
        if let minimum = plan.minimumPerPeriod, let periodCap {
            try check(minimum, against: periodCap, component: "minimum per period")
        }
        if !violations.isEmpty {
            throw PricingError(
                code: .capExceeded,
                message:
                    "price plan \(plan.id) of \(plan.product) is above its fee cap in \(violations.count) place(s)",
                product: plan.product,
                capViolations: violations
            )
        }
        if capRequired, !missing.isEmpty {
            throw PricingError(
                code: .capMissing,
                message:
                    "\(plan.product) has no fee cap for: \(missing.joined(separator: ", ")) (\(plan.charge.basis))",
                product: plan.product
            )
        }
    }

    /// The first day of the operator's second year: before it, fees are trial fees.
    public static func firstAnniversary(operationStartedOn start: CivilDate) -> CivilDate {
        start.adding(years: 1) ?? start.adding(days: 365)
    }

    /// The first day after `trialMonths` months of operation: before it, fees are trial fees (65号; the policy
    /// parameter `trialFeeMonths`, 12 by default, when ``firstAnniversary(operationStartedOn:)`` is the same day).
    ///
    /// The day of the month is kept, clamped to the target month's end (31 January + 1 month → 28 or 29 February).
    /// - Parameters:
    ///   - start: The first day of operation.
    ///   - trialMonths: Months under a trial fee; 0 or less means none (the start itself).
    /// - Returns: The first day standard fees may apply.
    public static func trialEnd(operationStartedOn start: CivilDate, trialMonths: Int) -> CivilDate {
        guard trialMonths > 0 else { return start }
        let (extraYears, month) = (start.month - 1 + trialMonths).quotientAndRemainder(dividingBy: 12)
        let year = start.year + extraYears
        guard (1...9999).contains(year),
            let day = CivilDate(
                year: year,
                month: month + 1,
                day: min(start.day, CivilDate.daysInMonth(year: year, month: month + 1))
            )
        else { return start.adding(days: trialMonths * 31) }
        return day
    }

    /// Checks the trial-fee rule: a plan that starts before the operator's first full year of operation
    /// must be a ``FeeStage/trial`` plan that ends before the first anniversary; a trial plan may not run
    /// past it.
    /// - Throws: ``PricingError``: ``PricingError/Code/trialFeeRequired`` or
    ///   ``PricingError/Code/trialPeriodExceeded``.
    public static func checkTrial(_ plan: PricePlan, operationStartedOn start: CivilDate) throws(PricingError) {
        try checkTrial(plan, operationStartedOn: start, trialMonths: 12)
    }

    /// Checks the trial-fee rule with a trial period of `trialMonths` months (the policy's `trialFeeMonths`):
    /// a plan that starts before ``trialEnd(operationStartedOn:trialMonths:)`` must be a ``FeeStage/trial``
    /// plan that ends before it; a trial plan may not run past it.
    /// - Parameters:
    ///   - plan: The plan to check.
    ///   - start: The first day of the operator's operation.
    ///   - trialMonths: Months under a trial fee.
    /// - Throws: ``PricingError``: ``PricingError/Code/trialFeeRequired`` or
    ///   ``PricingError/Code/trialPeriodExceeded``.
    public static func checkTrial(
        _ plan: PricePlan,
        operationStartedOn start: CivilDate,
        trialMonths: Int
    ) throws(PricingError) {
        let anniversary = trialEnd(operationStartedOn: start, trialMonths: trialMonths)
        switch plan.feeStage {
        case .standard where plan.effectiveFrom < anniversary:
            throw PricingError(
                code: .trialFeeRequired,
                message: "plan \(plan.id) starts \(plan.effectiveFrom), before a full year of operation "
                    + "(from \(start), standard fees from \(anniversary)); it must be a trial fee",
                product: plan.product
            )
        case .trial:
            guard plan.effectiveFrom < anniversary, let through = plan.effectiveThrough, through < anniversary else {
                throw PricingError(
                    code: .trialPeriodExceeded,
                    message: "trial plan \(plan.id) must end before \(anniversary), the first full year of operation",
                    product: plan.product
                )
            }
        default:
            return
        }
    }

    /// Creates a plan version: validates it, checks caps and the trial rule, and adds it to `book`.
    ///
    /// This is the one entry point for a new price: a plan above its cap is refused here.
    ///
    /// ```swift
    /// let book = try GuidedPrice.createPlan(plan, in: PriceBook(product: "id-verify"), caps: caps,
    ///                                       operationStartedOn: CivilDate("2025-01-01")!)
    /// ```
    /// - Parameters:
    ///   - plan: The new version.
    ///   - book: The product's existing versions.
    ///   - caps: Every fee cap set, each with its effective date; the plan is checked against the caps in force on
    ///     its first day and on every later day a cap takes effect while it runs.
    ///   - operationStartedOn: The first day of the operator's operation, for the trial-fee rule; `nil`
    ///     skips the rule.
    ///   - capRequired: Whether every charged component needs a cap (default `true`).
    ///   - trialMonths: Months of operation under a trial fee (the policy's `trialFeeMonths`; default 12).
    /// - Returns: The book with the new version.
    /// - Throws: ``PricingError`` from ``PricePlan/validate()``, ``checkCaps(_:caps:capRequired:)``,
    ///   ``checkTrial(_:operationStartedOn:trialMonths:)`` and ``PriceBook/adding(_:)``.
    public static func createPlan(
        _ plan: PricePlan,
        in book: PriceBook,
        caps: [FeeCap],
        operationStartedOn: CivilDate?,
        capRequired: Bool = true,
        trialMonths: Int = 12
    ) throws(PricingError) -> PriceBook {
        try plan.validate()
        try checkCaps(plan, caps: FeeCap.inForce(caps, on: plan.effectiveFrom), capRequired: capRequired)
        // Caps are versioned: the plan must also respect every cap that takes effect while it runs.
        for day in FeeCap.changes(caps, after: plan.effectiveFrom) where plan.covers(day) {
            try checkCaps(plan, caps: FeeCap.inForce(caps, on: day), capRequired: capRequired)
        }
        if let operationStartedOn {
            try checkTrial(plan, operationStartedOn: operationStartedOn, trialMonths: trialMonths)
        }
        return try book.adding(plan)
    }

    /// Closes a period: compares revenue with the allowance and computes what carries into the next period.
    ///
    /// ```swift
    /// let close = try GuidedPrice.close(allowed, revenue: Money(fen: 1_200_000_00), deductionBroughtIn: .zero)
    /// close.carriedToNext   // revenue above the allowance, deducted from the next period's allowance
    /// ```
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeAmount``, ``PricingError/Code/currencyMismatch``,
    ///   ``PricingError/Code/overflow``.
    public static func close(
        _ allowed: AllowedRevenue,
        revenue: Money,
        deductionBroughtIn: Money
    )
        throws(PricingError) -> PeriodClose
    {
        let maximum = try allowed.maximum()
        guard revenue.currency == maximum.currency, deductionBroughtIn.currency == maximum.currency else {
            throw PricingError.currency(revenue.currency, maximum.currency, "period close")
        }
        guard !revenue.isNegative, !deductionBroughtIn.isNegative else {
            throw PricingError(code: .negativeAmount, message: "revenue and deduction must be zero or more")
        }
        let currency = maximum.currency
        let allowance = max(0, maximum.fen - deductionBroughtIn.fen)
        let unused = max(0, deductionBroughtIn.fen - maximum.fen)
        let overage = max(0, revenue.fen - allowance)
        let carried = try checkedAdd(overage, unused, "carried deduction")
        return PeriodClose(
            operatorParty: allowed.operatorParty,
            period: allowed.period,
            maximumAllowedRevenue: maximum,
            deductionBroughtIn: deductionBroughtIn,
            allowance: Money(fen: allowance, currency: currency),
            revenue: revenue,
            overage: Money(fen: overage, currency: currency),
            unusedDeduction: Money(fen: unused, currency: currency),
            carriedToNext: Money(fen: carried, currency: currency)
        )
    }
}

func sum(_ amounts: [Money], _ what: String) throws(PricingError) -> Money {
    do {
        return try Money.sum(amounts)
    } catch {
        if error.code == .currencyMismatch {
            throw PricingError(code: .currencyMismatch, message: "\(what): \(error.detail)")
        }
        throw PricingError.overflow(what)
    }
}
