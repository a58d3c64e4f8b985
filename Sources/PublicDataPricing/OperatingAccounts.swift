/// The kind of an operating-account entry (Art. 21: 成本、收入和支出).
public enum AccountEntryKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Operating cost attributable to a product.
    case cost
    /// Revenue from a product (invoices; a credit note posts a negative revenue entry).
    case revenue
    /// Other expense attributable to a product.
    case expense
}

/// One entry in an operator's accounts for a product.
public struct AccountEntry: Codable, Sendable, Hashable, Identifiable {
    /// The entry's identifier (e.g. the invoice id for revenue posted from an invoice).
    public var id: String
    /// The operator.
    public var operatorParty: PartyID
    /// The product or service.
    public var product: ProductID
    /// The day the entry is booked on; it decides the period.
    public var bookedOn: CivilDate
    /// Cost, revenue or expense.
    public var kind: AccountEntryKind
    /// The amount; costs and expenses are zero or more, revenue may be negative (a credit note).
    public var amount: Money
    /// A note, e.g. the source document.
    public var memo: String

    /// Creates an entry.
    public init(
        id: String,
        operatorParty: PartyID,
        product: ProductID,
        bookedOn: CivilDate,
        kind: AccountEntryKind,
        amount: Money,
        memo: String = ""
    ) {
        self.id = id
        self.operatorParty = operatorParty
        self.product = product
        self.bookedOn = bookedOn
        self.kind = kind
        self.amount = amount
        self.memo = memo
    }

    /// The revenue entry for an issued invoice, booked on the last day of its period.
    public static func revenue(from invoice: Invoice) -> AccountEntry {
        AccountEntry(
            id: "revenue:\(invoice.id)",
            operatorParty: invoice.operatorParty,
            product: invoice.product,
            bookedOn: invoice.period.end,
            kind: .revenue,
            amount: invoice.total,
            memo: "invoice \(invoice.id)"
        )
    }

    /// The negative revenue entry for a credit note, booked on the last day of the corrected period.
    public static func revenue(from note: CreditNote) -> AccountEntry {
        AccountEntry(
            id: "revenue:\(note.id)",
            operatorParty: note.operatorParty,
            product: note.product,
            bookedOn: note.period.end,
            kind: .revenue,
            amount: Money(fen: -note.amount.fen, currency: note.amount.currency),
            memo: "credit note \(note.id) for \(note.corrects)"
        )
    }

    /// Checks the entry.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeAmount`` for a negative cost or expense,
    ///   ``PricingError/Code/mismatchedReference`` for an empty id, operator or product.
    public func validate() throws(PricingError) {
        guard !id.isEmpty, !operatorParty.isEmpty, !product.isEmpty else {
            throw PricingError(
                code: .mismatchedReference,
                message: "an account entry needs an id, operator and product"
            )
        }
        if kind != .revenue, amount.isNegative {
            throw PricingError(code: .negativeAmount, message: "\(kind.rawValue) entry \(id) is negative: \(amount)")
        }
    }
}

/// Cost, revenue and expense of one product over a period.
public struct ProductAccount: Codable, Sendable, Hashable {
    /// The product (`"*"` for the operator's totals).
    public var product: ProductID
    /// Total cost.
    public var cost: Money
    /// Total revenue.
    public var revenue: Money
    /// Total expense.
    public var expense: Money
    /// revenue − cost − expense.
    public var result: Money

    /// Creates an account line.
    public init(product: ProductID, cost: Money, revenue: Money, expense: Money, result: Money) {
        self.product = product
        self.cost = cost
        self.revenue = revenue
        self.expense = expense
        self.result = result
    }
}

/// The periodic operating report (经营情况报告, Art. 21): accounts per product, totals, and revenue
/// against the maximum allowed revenue when the period has an approved allowance.
public struct OperatingReport: Codable, Sendable, Hashable {
    /// The operator.
    public var operatorParty: PartyID
    /// The period reported.
    public var period: BillingPeriod
    /// One line per product, ordered by product id.
    public var products: [ProductAccount]
    /// The operator's totals.
    public var totals: ProductAccount
    /// The approved maximum allowed revenue for exactly this period, if any.
    public var maximumAllowedRevenue: Money?
    /// The period's close, if it was closed.
    public var close: PeriodClose?

    /// Creates a report.
    public init(
        operatorParty: PartyID,
        period: BillingPeriod,
        products: [ProductAccount],
        totals: ProductAccount,
        maximumAllowedRevenue: Money?,
        close: PeriodClose?
    ) {
        self.operatorParty = operatorParty
        self.period = period
        self.products = products
        self.totals = totals
        self.maximumAllowedRevenue = maximumAllowedRevenue
        self.close = close
    }
}

/// A product's fees against its caps, for the annual report and the yearly disclosure.
public struct FeeAgainstCap: Codable, Sendable, Hashable {
    /// The product.
    public var product: ProductID
    /// The plan version.
    public var plan: PricePlanID
    /// Its version number.
    public var version: Int
    /// Trial or standard.
    public var feeStage: FeeStage
    /// The charge basis in words.
    public var basis: String
    /// The caps in force for the product, in words.
    public var caps: [String]
    /// Prices above a cap (empty when compliant).
    public var violations: [CapViolation]
    /// Whether a charged component has no cap.
    public var capMissing: Bool

    /// Creates a line.
    public init(
        product: ProductID,
        plan: PricePlanID,
        version: Int,
        feeStage: FeeStage,
        basis: String,
        caps: [String],
        violations: [CapViolation],
        capMissing: Bool
    ) {
        self.product = product
        self.plan = plan
        self.version = version
        self.feeStage = feeStage
        self.basis = basis
        self.caps = caps
        self.violations = violations
        self.capMissing = capMissing
    }

    /// Whether every price is at or below its cap and every charged component is capped.
    public var isCompliant: Bool { violations.isEmpty && !capMissing }
}

/// The annual report data (年度运营报告, 65号): the year's accounts, revenue against the allowance, and
/// every plan version in effect during the year against its caps.
public struct AnnualReport: Codable, Sendable, Hashable {
    /// The operator.
    public var operatorParty: PartyID
    /// The year.
    public var year: Int
    /// The year's operating report.
    public var operating: OperatingReport
    /// Fees against caps.
    public var fees: [FeeAgainstCap]

    /// Creates a report.
    public init(operatorParty: PartyID, year: Int, operating: OperatingReport, fees: [FeeAgainstCap]) {
        self.operatorParty = operatorParty
        self.year = year
        self.operating = operating
        self.fees = fees
    }
}

/// Operating accounts (Art. 21): pure functions over account entries.
public enum OperatingAccounts {
    /// The operating report of `operatorParty` for `period`.
    ///
    /// ```swift
    /// let report = try OperatingAccounts.report(entries: entries, operatorParty: "op", period: .month(2026, 3)!)
    /// ```
    /// - Parameters:
    ///   - entries: Account entries (others' and other periods' are ignored).
    ///   - operatorParty: The operator.
    ///   - period: The period.
    ///   - allowance: The approved allowance, used when it is for exactly this period.
    ///   - close: The period's close, if any.
    /// - Throws: ``PricingError``: ``PricingError/Code/overflow``, ``PricingError/Code/currencyMismatch``.
    public static func report(
        entries: [AccountEntry],
        operatorParty: PartyID,
        period: BillingPeriod,
        allowance: AllowedRevenue? = nil,
        close: PeriodClose? = nil
    ) throws(PricingError) -> OperatingReport {
        var byProduct: [ProductID: (cost: Int64, revenue: Int64, expense: Int64)] = [:]
        var currency: Currency = .cny
        var seenCurrency = false
        for entry in entries where entry.operatorParty == operatorParty && period.contains(entry.bookedOn) {
            if seenCurrency, entry.amount.currency != currency {
                throw PricingError.currency(entry.amount.currency, currency, "operating report of \(operatorParty)")
            }
            currency = entry.amount.currency
            seenCurrency = true
            var sums = byProduct[entry.product] ?? (0, 0, 0)
            switch entry.kind {
            case .cost: sums.cost = try checkedAdd(sums.cost, entry.amount.fen, "cost of \(entry.product)")
            case .revenue: sums.revenue = try checkedAdd(sums.revenue, entry.amount.fen, "revenue of \(entry.product)")
            case .expense: sums.expense = try checkedAdd(sums.expense, entry.amount.fen, "expense of \(entry.product)")
            }
            byProduct[entry.product] = sums
        }
        func account(
            _ product: ProductID,
            _ sums: (cost: Int64, revenue: Int64, expense: Int64)
        ) throws(PricingError)
            -> ProductAccount
        {
            let spent = try checkedAdd(sums.cost, sums.expense, "cost + expense")
            return ProductAccount(
                product: product,
                cost: Money(fen: sums.cost, currency: currency),
                revenue: Money(fen: sums.revenue, currency: currency),
                expense: Money(fen: sums.expense, currency: currency),
                result: Money(fen: try checkedSubtract(sums.revenue, spent, "result"), currency: currency)
            )
        }
        var products: [ProductAccount] = []
        var totals: (cost: Int64, revenue: Int64, expense: Int64) = (0, 0, 0)
        for product in byProduct.keys.sorted() {
            let sums = byProduct[product] ?? (0, 0, 0)
            products.append(try account(product, sums))
            totals.cost = try checkedAdd(totals.cost, sums.cost, "total cost")
            totals.revenue = try checkedAdd(totals.revenue, sums.revenue, "total revenue")
            totals.expense = try checkedAdd(totals.expense, sums.expense, "total expense")
        }
        let maximum: Money? =
            if let allowance, allowance.period == period, allowance.operatorParty == operatorParty {
                try allowance.maximum()
            } else {
                nil
            }
        return OperatingReport(
            operatorParty: operatorParty,
            period: period,
            products: products,
            totals: try account("*", totals),
            maximumAllowedRevenue: maximum,
            close: close.flatMap { $0.period == period && $0.operatorParty == operatorParty ? $0 : nil }
        )
    }

    /// Every plan version in effect on some day of `period`, checked against `caps`.
    public static func feesAgainstCaps(books: [PriceBook], caps: [FeeCap], period: BillingPeriod) -> [FeeAgainstCap] {
        var result: [FeeAgainstCap] = []
        for book in books.sorted(by: { $0.product < $1.product }) {
            let productCaps = caps.filter { $0.product == book.product }
            for plan in book.versions
            where plan.effectiveFrom <= period.end && (plan.effectiveThrough.map { $0 >= period.start } ?? true) {
                var violations: [CapViolation] = []
                var missing = false
                do {
                    let day = max(plan.effectiveFrom, period.start)
                    try GuidedPrice.checkCaps(plan, caps: FeeCap.inForce(productCaps, on: day))
                } catch {
                    violations = error.capViolations
                    missing = error.code == .capMissing
                }
                result.append(
                    FeeAgainstCap(
                        product: book.product,
                        plan: plan.id,
                        version: plan.version,
                        feeStage: plan.feeStage,
                        basis: plan.charge.basis,
                        caps: productCaps.map { "\($0.limit) (\($0.source))" },
                        violations: violations,
                        capMissing: missing
                    )
                )
            }
        }
        return result
    }

    /// The annual report data for `year`.
    /// - Throws: ``PricingError``: ``PricingError/Code/invalidPeriod`` for a year outside 1...9999, and those of
    ///   ``report(entries:operatorParty:period:allowance:close:)``.
    public static func annualReport(
        year: Int,
        operatorParty: PartyID,
        entries: [AccountEntry],
        books: [PriceBook],
        caps: [FeeCap],
        allowance: AllowedRevenue? = nil,
        close: PeriodClose? = nil
    ) throws(PricingError) -> AnnualReport {
        guard let period = BillingPeriod.year(year) else {
            throw PricingError(code: .invalidPeriod, message: "\(year) is not a year")
        }
        let operating = try report(
            entries: entries,
            operatorParty: operatorParty,
            period: period,
            allowance: allowance,
            close: close
        )
        let mine = books.filter { $0.versions.contains { $0.operatorParty == operatorParty } }
        return AnnualReport(
            operatorParty: operatorParty,
            year: year,
            operating: operating,
            fees: feesAgainstCaps(books: mine, caps: caps, period: period)
        )
    }
}
