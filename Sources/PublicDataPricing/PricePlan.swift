/// What usage figure of a period a usage charge is priced on.
public enum UsageMeasure: String, Codable, Sendable, CaseIterable, Hashable {
    /// The sum of the records' quantities (calls, seconds, bytes, records) — the usual choice.
    case sum
    /// The number of usage records.
    case count
    /// The largest single record's quantity (e.g. peak concurrent seats).
    case max
    /// The number of distinct ``UsageRecord/distinctKey`` values (e.g. distinct persons verified).
    case distinctCount = "distinct_count"
}

/// One tier of a tiered price: units up to and **including** ``upTo`` are in this tier.
///
/// Tier `i` covers the units `previous.upTo + 1 ... upTo` (the first tier starts at unit 1). A unit
/// exactly on a boundary (unit number `upTo`) belongs to the lower tier. The last tier has no `upTo`.
public struct PriceTier: Codable, Sendable, Hashable {
    /// The last unit of the tier (inclusive), or `nil` for the last, unbounded tier.
    public var upTo: Int64?
    /// The price of each unit in this tier.
    public var unitPrice: UnitPrice

    /// Creates a tier.
    public init(upTo: Int64?, unitPrice: UnitPrice) {
        self.upTo = upTo
        self.unitPrice = unitPrice
    }
}

/// How usage units are turned into an amount.
public enum UsageScheme: Codable, Sendable, Hashable {
    /// Every unit at one price.
    case flat(UnitPrice)
    /// Graduated (cumulative, 累进) tiers: each unit is priced in the tier it falls in.
    case graduated([PriceTier])
    /// Volume tiers: all units are priced at the tier the period's total reaches.
    case volume([PriceTier])
    /// Per block of `blockSize` units at `blockPrice`; a partial block is charged as a whole block
    /// (the quantity is rounded **up** to whole blocks; zero units cost nothing).
    case package(blockSize: Int64, blockPrice: Money)
}

/// A usage charge: per call, per service time or per data volume, depending on the unit.
public struct UsageCharge: Codable, Sendable, Hashable {
    /// The unit metered and priced (``MeterUnit/call``, ``MeterUnit/second``, ``MeterUnit/byte``, ``MeterUnit/record``).
    public var unit: MeterUnit
    /// Which figure of the period's usage is priced.
    public var measure: UsageMeasure
    /// How units become an amount.
    public var scheme: UsageScheme

    /// Creates a usage charge.
    public init(unit: MeterUnit, measure: UsageMeasure = .sum, scheme: UsageScheme) {
        self.unit = unit
        self.measure = measure
        self.scheme = scheme
    }
}

/// The charge model of a price plan (65号: per product, per call, by service time, by data volume).
public enum ChargeModel: Codable, Sendable, Hashable {
    /// Per product, per item (a delivery, a report, a dataset copy): `quantity × price`, in whole fen.
    ///
    /// `price` is the price of **one** item. Each line is priced `quantity × price` exactly (an integer number of
    /// fen, so the one rounding rule, ``RoundingRule``, which every line states, never changes it) and invoiced as a
    /// ``InvoiceLineKind/oneOff`` line carrying its quantity, plan version and fee stage; it can be credited by
    /// line and quantity like any other charge line.
    ///
    /// The quantity of a billing period is:
    /// - the **recorded** one-off charges, when the rating request carries usage for the subscription (each
    ///   record one charge occurrence with its quantity, e.g. 3 reports delivered): their summed quantity;
    /// - otherwise `quantity` (the items of the plan, charged once in the period in which the subscription
    ///   starts). `nil` means **1**: plans stored before the quantity existed (`{"oneOff":{"price":…}}`) decode
    ///   with `quantity` `nil` and are charged exactly as before, one item.
    case oneOff(price: Money, quantity: Int64? = nil)
    /// Per product, charged in full for every billing period in which the subscription is active
    /// (no proration).
    case subscription(pricePerPeriod: Money)
    /// Per unit of metered usage.
    case usage(UsageCharge)

    /// The charge basis in words: `"per product (one-off)"`, `"per call"`, ...
    public var basis: String {
        switch self {
        case .oneOff: "per product (one-off)"
        case .subscription: "per product (subscription per period)"
        case .usage(let charge): charge.unit.basis
        }
    }
}

/// How a discount reduces a charge.
public enum DiscountKind: Codable, Sendable, Hashable {
    /// A percentage of the charge in basis points (1 bp = 0.01 %; 2000 = 20 %), 0...10000.
    case percentage(basisPoints: Int64)
    /// A fixed amount per billing period, never more than what is left to pay.
    case fixed(Money)
}

/// A discount for a named scenario class (e.g. `"supported_scenario"`, `"small_enterprise"`).
///
/// A discount applies when the subscription's filed scenario carries its class. Discounts apply in the
/// plan's order, each to what is left after the ones before it, never below zero.
public struct Discount: Codable, Sendable, Hashable {
    /// The scenario class that earns the discount.
    public var scenarioClass: String
    /// The reduction.
    public var kind: DiscountKind
    /// A label for the invoice line, e.g. "扶持场景优惠".
    public var label: String

    /// Creates a discount.
    public init(scenarioClass: String, kind: DiscountKind, label: String = "") {
        self.scenarioClass = scenarioClass
        self.kind = kind
        self.label = label
    }
}

/// Whether a plan is the trial fee (试行收费标准) used before a full year of operation, or the standard fee.
public enum FeeStage: String, Codable, Sendable, CaseIterable, Hashable {
    /// 试行收费标准: before the operator has operated a full year.
    case trial
    /// The standard fee after the first full year.
    case standard
}

/// One version of the price of one product or service, effective over a range of days.
///
/// ```swift
/// let plan = PricePlan(
///     id: "verify-v1", product: "id-verify", operatorParty: "op", version: 1,
///     effectiveFrom: CivilDate("2026-01-01")!,
///     charge: .usage(UsageCharge(unit: .call, scheme: .graduated([
///         PriceTier(upTo: 10_000, unitPrice: UnitPrice(fen: 10)),
///         PriceTier(upTo: nil, unitPrice: UnitPrice(fen: 8)),
///     ]))))
/// ```
public struct PricePlan: Codable, Sendable, Hashable, Identifiable {
    /// The plan version's identifier.
    public var id: PricePlanID
    /// The product or service priced.
    public var product: ProductID
    /// The operator that charges.
    public var operatorParty: PartyID
    /// The version number, 1 for the first, then consecutive.
    public var version: Int
    /// The first day the version applies.
    public var effectiveFrom: CivilDate
    /// The last day the version applies (inclusive), or `nil` while it is the current version.
    public var effectiveThrough: CivilDate?
    /// The currency of every amount in the plan.
    public var currency: Currency
    /// The charge model.
    public var charge: ChargeModel
    /// The least charged for a billing period before discounts, if any.
    public var minimumPerPeriod: Money?
    /// The most charged for a billing period before discounts, if any.
    public var maximumPerPeriod: Money?
    /// Discounts for named scenario classes.
    public var discounts: [Discount]
    /// Trial or standard fee.
    public var feeStage: FeeStage

    /// Creates a plan version.
    public init(
        id: PricePlanID,
        product: ProductID,
        operatorParty: PartyID,
        version: Int = 1,
        effectiveFrom: CivilDate,
        effectiveThrough: CivilDate? = nil,
        currency: Currency = .cny,
        charge: ChargeModel,
        minimumPerPeriod: Money? = nil,
        maximumPerPeriod: Money? = nil,
        discounts: [Discount] = [],
        feeStage: FeeStage = .standard
    ) {
        self.id = id
        self.product = product
        self.operatorParty = operatorParty
        self.version = version
        self.effectiveFrom = effectiveFrom
        self.effectiveThrough = effectiveThrough
        self.currency = currency
        self.charge = charge
        self.minimumPerPeriod = minimumPerPeriod
        self.maximumPerPeriod = maximumPerPeriod
        self.discounts = discounts
        self.feeStage = feeStage
    }

    /// Whether the version applies on `day`.
    public func covers(_ day: CivilDate) -> Bool {
        effectiveFrom <= day && (effectiveThrough.map { day <= $0 } ?? true)
    }

    /// Every money amount in the plan with its JSON path, for currency checks.
    var amounts: [(String, Money)] {
        var result: [(String, Money)] = []
        switch charge {
        case .oneOff(let price, _): result.append(("$.charge.oneOff.price", price))
        case .subscription(let price): result.append(("$.charge.subscription.pricePerPeriod", price))
        case .usage(let usage):
            if case .package(_, let price) = usage.scheme { result.append(("$.charge.usage.scheme.blockPrice", price)) }
        }
        if let minimumPerPeriod { result.append(("$.minimumPerPeriod", minimumPerPeriod)) }
        if let maximumPerPeriod { result.append(("$.maximumPerPeriod", maximumPerPeriod)) }
        for (index, discount) in discounts.enumerated() {
            if case .fixed(let amount) = discount.kind { result.append(("$.discounts[\(index)].kind.fixed", amount)) }
        }
        return result
    }

    /// Every structural problem of the plan (empty ids, negative prices, malformed tiers, ...).
    public func validationIssues() -> [ValidationIssue] {
        var issues: [ValidationIssue] = []
        func issue(_ path: String, _ message: String) { issues.append(ValidationIssue(path: path, message: message)) }
        if id.isEmpty { issue("$.id", "the plan id is empty") }
        if product.isEmpty { issue("$.product", "the product is empty") }
        if operatorParty.isEmpty { issue("$.operatorParty", "the operator is empty") }
        if version < 1 { issue("$.version", "the version must be 1 or more, got \(version)") }
        if let through = effectiveThrough, through < effectiveFrom {
            issue("$.effectiveThrough", "the version ends (\(through)) before it starts (\(effectiveFrom))")
        }
        for (path, amount) in amounts where amount.isNegative { issue(path, "the amount \(amount) is negative") }
        func checkPrice(_ price: UnitPrice, _ path: String) {
            if price.fen < 0 { issue(path + ".fen", "the unit price \(price.fen) fen is negative") }
            if price.per < 1 { issue(path + ".per", "the per-quantity must be 1 or more, got \(price.per)") }
            if price.currency != currency { issue(path + ".currency", "currency \(price.currency.rawValue)") }
        }
        func checkTiers(_ tiers: [PriceTier], _ path: String) {
            if tiers.isEmpty { issue(path, "a tiered price needs at least one tier") }
            var previous: Int64 = 0
            for (index, tier) in tiers.enumerated() {
                checkPrice(tier.unitPrice, "\(path)[\(index)].unitPrice")
                if let upTo = tier.upTo {
                    if upTo <= previous {
                        issue("\(path)[\(index)].upTo", "tier bounds must increase: \(upTo) after \(previous)")
                    }
                    if index == tiers.count - 1 { issue("\(path)[\(index)].upTo", "the last tier must be unbounded") }
                    previous = max(previous, upTo)
                } else if index != tiers.count - 1 {
                    issue("\(path)[\(index)].upTo", "only the last tier may be unbounded")
                }
            }
        }
        if case .oneOff(_, let quantity?) = charge, quantity < 1 {
            issue("$.charge.oneOff.quantity", "the quantity must be 1 or more, got \(quantity)")
        }
        if case .usage(let usage) = charge {
            switch usage.scheme {
            case .flat(let price): checkPrice(price, "$.charge.usage.scheme.flat")
            case .graduated(let tiers): checkTiers(tiers, "$.charge.usage.scheme.graduated")
            case .volume(let tiers): checkTiers(tiers, "$.charge.usage.scheme.volume")
            case .package(let size, _):
                if size < 1 {
                    issue("$.charge.usage.scheme.blockSize", "the block size must be 1 or more, got \(size)")
                }
            }
        }
        if let minimum = minimumPerPeriod, let maximum = maximumPerPeriod, minimum.fen > maximum.fen {
            issue("$.minimumPerPeriod", "the minimum \(minimum) is above the maximum \(maximum)")
        }
        for (index, discount) in discounts.enumerated() {
            if discount.scenarioClass.isEmpty { issue("$.discounts[\(index)].scenarioClass", "the class is empty") }
            if case .percentage(let points) = discount.kind, !(0...10_000).contains(points) {
                issue("$.discounts[\(index)].kind.percentage", "basis points must be 0...10000, got \(points)")
            }
        }
        return issues
    }

    /// Checks the plan's structure.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/currencyMismatch`` when an amount is in
    ///   another currency than the plan, else ``PricingError/Code/invalidPlan`` listing every issue.
    public func validate() throws(PricingError) {
        if let (path, amount) = amounts.first(where: { $0.1.currency != currency }) {
            throw PricingError(
                code: .currencyMismatch,
                message: "\(path) is in \(amount.currency.rawValue), the plan in \(currency.rawValue)",
                product: product
            )
        }
        let issues = validationIssues()
        guard issues.isEmpty else {
            throw PricingError(
                code: .invalidPlan,
                message: "price plan \(id) v\(version) has \(issues.count) problem(s)",
                product: product,
                issues: issues
            )
        }
    }
}

/// The versions of one product's price, contiguous in time: no overlaps, no gaps.
///
/// A new version is **added**, never edited in: ``adding(_:)`` closes the current open-ended version on
/// the day before the new one starts, and refuses a version that would start on or before
/// ``chargedThrough`` (the last day already charged), so a new version never changes a charge already made.
///
/// ```swift
/// var book = try PriceBook(product: "id-verify", versions: [v1])
/// book = try book.adding(v2)                  // v1 now ends the day before v2 starts
/// let plan = try book.plan(on: CivilDate("2026-03-01")!)
/// ```
public struct PriceBook: Codable, Sendable, Hashable {
    /// The product priced.
    public let product: ProductID
    /// The versions in time order.
    public private(set) var versions: [PricePlan]
    /// The last day covered by an issued charge, if any; no new version may start on or before it.
    public private(set) var chargedThrough: CivilDate?

    /// Creates a book from existing versions.
    /// - Throws: ``PricingError``: ``PricingError/Code/overlappingVersions``,
    ///   ``PricingError/Code/gapBetweenVersions``, ``PricingError/Code/invalidPlan``,
    ///   ``PricingError/Code/mismatchedReference`` (a version of another product).
    public init(product: ProductID, versions: [PricePlan] = [], chargedThrough: CivilDate? = nil) throws(PricingError) {
        self.product = product
        self.versions = []
        self.chargedThrough = chargedThrough
        let sorted = versions.sorted { $0.effectiveFrom < $1.effectiveFrom }
        for plan in sorted { try plan.validate() }
        for plan in sorted where plan.product != product {
            throw PricingError(
                code: .mismatchedReference,
                message: "plan \(plan.id) prices \(plan.product), not \(product)",
                product: product
            )
        }
        for (earlier, later) in zip(sorted, sorted.dropFirst()) {
            try PriceBook.checkContiguous(earlier, later, product: product)
        }
        self.versions = sorted
    }

    private static func checkContiguous(
        _ earlier: PricePlan,
        _ later: PricePlan,
        product: ProductID
    )
        throws(PricingError)
    {
        guard let through = earlier.effectiveThrough, through < later.effectiveFrom else {
            throw PricingError(
                code: .overlappingVersions,
                message: "\(earlier.id) (from \(earlier.effectiveFrom) through "
                    + "\(earlier.effectiveThrough.map(String.init(describing:)) ?? "open end")) overlaps "
                    + "\(later.id) from \(later.effectiveFrom)",
                product: product
            )
        }
        guard through.adding(days: 1) == later.effectiveFrom else {
            throw PricingError(
                code: .gapBetweenVersions,
                message: "no version covers \(through.adding(days: 1)) through \(later.effectiveFrom.adding(days: -1))",
                product: product
            )
        }
        guard later.version == earlier.version + 1 else {
            throw PricingError(
                code: .invalidPlan,
                message: "version \(later.version) of \(later.id) does not follow version \(earlier.version)",
                product: product
            )
        }
    }

    /// The version number the next added plan must carry.
    public var nextVersion: Int { (versions.last?.version ?? 0) + 1 }

    /// The current (last) version, if any.
    public var current: PricePlan? { versions.last }

    /// A book with `plan` added as the newest version.
    ///
    /// If the newest version is open-ended or runs on to or past `plan.effectiveFrom`, it is closed on the day
    /// before `plan.effectiveFrom`.
    /// - Throws: ``PricingError``: ``PricingError/Code/overlappingVersions`` (starts on or before the
    ///   newest version's start or end), ``PricingError/Code/gapBetweenVersions``,
    ///   ``PricingError/Code/retroactiveVersion`` (starts on or before ``chargedThrough``),
    ///   ``PricingError/Code/invalidPlan``, ``PricingError/Code/currencyMismatch``,
    ///   ``PricingError/Code/mismatchedReference``.
    public func adding(_ plan: PricePlan) throws(PricingError) -> PriceBook {
        try plan.validate()
        guard plan.product == product else {
            throw PricingError(
                code: .mismatchedReference,
                message: "plan \(plan.id) prices \(plan.product), not \(product)",
                product: product
            )
        }
        if let charged = chargedThrough, plan.effectiveFrom <= charged {
            throw PricingError(
                code: .retroactiveVersion,
                message:
                    "plan \(plan.id) would start on \(plan.effectiveFrom), but charges were made through \(charged)",
                product: product
            )
        }
        var copy = self
        if var last = copy.versions.last {
            // The new version supersedes the rest of the newest one, open-ended or not (a price change in the
            // middle of a trial fee ends the trial version the day before).
            if last.effectiveFrom < plan.effectiveFrom, last.effectiveThrough.map({ $0 >= plan.effectiveFrom }) ?? true
            {
                last.effectiveThrough = plan.effectiveFrom.adding(days: -1)
            }
            try PriceBook.checkContiguous(last, plan, product: product)
            copy.versions[copy.versions.count - 1] = last
        } else if plan.version != 1 {
            throw PricingError(
                code: .invalidPlan,
                message: "the first version must be 1, got \(plan.version)",
                product: product
            )
        }
        copy.versions.append(plan)
        return copy
    }

    /// The version in effect on `day`.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/noPlanInEffect``.
    public func plan(on day: CivilDate) throws(PricingError) -> PricePlan {
        // Versions are sorted and contiguous: binary search on the start day.
        var low = 0
        var high = versions.count
        while low < high {
            let mid = (low + high) / 2
            if versions[mid].effectiveFrom <= day { low = mid + 1 } else { high = mid }
        }
        guard low > 0, versions[low - 1].covers(day) else {
            throw PricingError(
                code: .noPlanInEffect,
                message: "no price plan of \(product) is in effect on \(day)",
                product: product
            )
        }
        return versions[low - 1]
    }

    /// A book that records that charges were made through `day` (later days only move it forward).
    public func charged(through day: CivilDate) -> PriceBook {
        var copy = self
        if copy.chargedThrough.map({ $0 < day }) ?? true { copy.chargedThrough = day }
        return copy
    }
}
