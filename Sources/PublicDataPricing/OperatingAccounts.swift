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

/// The revenue of one kind of invoice line over a year: one product, line kind, plan version and fee stage.
///
/// ``invoiced`` sums the lines' amounts (a discount or a minimum/maximum adjustment is its own row, negative or
/// positive), ``credited`` what credit notes by line credited of those lines; the rows of a report add up to the
/// report's invoiced and credited totals.
public struct LineRevenue: Codable, Sendable, Hashable {
    /// The product.
    public var product: ProductID
    /// The line kind, or `nil` for credit notes by amount (not by line).
    public var kind: InvoiceLineKind?
    /// The plan version that priced the lines.
    public var plan: PricePlanID?
    /// Its version number.
    public var planVersion: Int?
    /// Its fee stage (trial or standard).
    public var feeStage: FeeStage?
    /// The units invoiced (usage units, one-off items, periods).
    public var quantity: Int64
    /// The lines' amounts.
    public var invoiced: Money
    /// The units credited.
    public var creditedQuantity: Int64
    /// The amount credited (positive).
    public var credited: Money
    /// invoiced − credited.
    public var net: Money

    /// Creates a row.
    public init(
        product: ProductID,
        kind: InvoiceLineKind?,
        plan: PricePlanID?,
        planVersion: Int?,
        feeStage: FeeStage?,
        quantity: Int64,
        invoiced: Money,
        creditedQuantity: Int64,
        credited: Money,
        net: Money
    ) {
        self.product = product
        self.kind = kind
        self.plan = plan
        self.planVersion = planVersion
        self.feeStage = feeStage
        self.quantity = quantity
        self.invoiced = invoiced
        self.creditedQuantity = creditedQuantity
        self.credited = credited
        self.net = net
    }
}

/// One invoice as an annual report lists it.
public struct ReportedInvoice: Codable, Sendable, Hashable {
    /// The invoice.
    public var id: InvoiceID
    /// The product.
    public var product: ProductID
    /// The consumer.
    public var consumer: PartyID
    /// The billing period.
    public var period: BillingPeriod
    /// What the consumer pays.
    public var total: Money
    /// What free use (Art. 22) waived.
    public var waived: Money

    /// Creates a row.
    public init(
        id: InvoiceID,
        product: ProductID,
        consumer: PartyID,
        period: BillingPeriod,
        total: Money,
        waived: Money
    ) {
        self.id = id
        self.product = product
        self.consumer = consumer
        self.period = period
        self.total = total
        self.waived = waived
    }
}

/// The annual report data (年度运营报告, 65号): the year's accounts, revenue against the allowance, and
/// every plan version in effect during the year against its caps.
///
/// Built from issued invoices and credit notes
/// (``OperatingAccounts/annualReport(year:operatorParty:invoices:creditNotes:costs:books:caps:allowance:close:)``)
/// it also lists them, the revenue per line kind and plan version, and the totals; its net revenue is the figure
/// the year close (65号 step 5) compares with the allowance.
public struct AnnualReport: Codable, Sendable, Hashable {
    /// The operator.
    public var operatorParty: PartyID
    /// The year.
    public var year: Int
    /// The year's operating report.
    public var operating: OperatingReport
    /// Fees against caps.
    public var fees: [FeeAgainstCap]
    /// Revenue per product, line kind, plan version and fee stage, in the order first invoiced (empty when built
    /// from account entries only).
    public var lines: [LineRevenue]
    /// The invoices booked in the year (their period ends in it), by id.
    public var invoices: [ReportedInvoice]
    /// The credit notes booked in the year (issued in it), by id.
    public var creditNotes: [CreditNote]
    /// The sum of the year's invoices.
    public var invoiced: Money
    /// The sum of the year's credit notes.
    public var credited: Money
    /// What free use waived in the year's invoices.
    public var waived: Money

    /// Creates a report.
    public init(
        operatorParty: PartyID,
        year: Int,
        operating: OperatingReport,
        fees: [FeeAgainstCap],
        lines: [LineRevenue] = [],
        invoices: [ReportedInvoice] = [],
        creditNotes: [CreditNote] = [],
        invoiced: Money = .zero,
        credited: Money = .zero,
        waived: Money = .zero
    ) {
        self.operatorParty = operatorParty
        self.year = year
        self.operating = operating
        self.fees = fees
        self.lines = lines
        self.invoices = invoices
        self.creditNotes = creditNotes
        self.invoiced = invoiced
        self.credited = credited
        self.waived = waived
    }

    /// The year's net revenue: invoiced − credited (the operating report's total revenue, less nothing else).
    public var netRevenue: Money { Money(fen: invoiced.fen - credited.fen, currency: invoiced.currency) }
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

    /// The annual report of `year` built from the issued invoices and credit notes — the same records the year
    /// close, the revenue split and the disclosure read — plus cost and expense entries.
    ///
    /// Booking follows the year close (65号 step 5): an invoice counts in the year its billing period **ends**,
    /// a credit note in the year it was **issued** (a note of January 2027 correcting a December 2026 invoice
    /// lowers 2027's revenue). Its revenue entries are the invoice's ``AccountEntry`` revenue entry for each
    /// invoice and a negative entry on the day of issue for each credit note, so the operating report's total
    /// revenue equals ``AnnualReport/netRevenue``. A credit note by line is attributed to the credited lines'
    /// kind and plan version; one by amount to a row without a kind.
    ///
    /// ```swift
    /// let report = try OperatingAccounts.annualReport(year: 2026, operatorParty: "op", invoices: issued,
    ///                                                 creditNotes: notes, allowance: allowed, close: close)
    /// report.netRevenue    // Σ invoices − Σ credit notes of 2026
    /// ```
    /// - Parameters:
    ///   - year: The year.
    ///   - operatorParty: The operator; others' invoices and notes are ignored.
    ///   - invoices: Issued invoices of any year (a credited invoice of an earlier year is looked up here).
    ///   - creditNotes: Credit notes of any year.
    ///   - costs: Cost and expense entries (revenue entries here are counted too).
    ///   - books: The price books, for fees against caps.
    ///   - caps: The fee caps.
    ///   - allowance: The approved allowance of the year.
    ///   - close: The year's close.
    /// - Throws: ``PricingError``: ``PricingError/Code/invalidPeriod``, ``PricingError/Code/overflow``,
    ///   ``PricingError/Code/currencyMismatch``.
    public static func annualReport(
        year: Int,
        operatorParty: PartyID,
        invoices: [Invoice],
        creditNotes: [CreditNote],
        costs: [AccountEntry] = [],
        books: [PriceBook] = [],
        caps: [FeeCap] = [],
        allowance: AllowedRevenue? = nil,
        close: PeriodClose? = nil
    ) throws(PricingError) -> AnnualReport {
        let mine = invoices.filter { $0.operatorParty == operatorParty }
        let booked = mine.filter { $0.period.end.year == year }.sorted { $0.id < $1.id }
        let notes = creditNotes.filter { $0.operatorParty == operatorParty && $0.issuedOn.year == year }
            .sorted { $0.id < $1.id }
        var entries = costs
        for invoice in booked { entries.append(AccountEntry.revenue(from: invoice)) }
        for note in notes {
            var entry = AccountEntry.revenue(from: note)
            entry.bookedOn = note.issuedOn
            entries.append(entry)
        }
        var report = try annualReport(
            year: year,
            operatorParty: operatorParty,
            entries: entries,
            books: books,
            caps: caps,
            allowance: allowance,
            close: close
        )
        struct Key: Hashable {
            var product: ProductID
            var kind: InvoiceLineKind?
            var plan: PricePlanID?
            var planVersion: Int?
            var feeStage: FeeStage?
        }
        func key(_ product: ProductID, _ line: InvoiceLine?) -> Key {
            Key(
                product: product,
                kind: line?.kind,
                plan: line?.plan,
                planVersion: line?.planVersion,
                feeStage: line?.feeStage
            )
        }
        var rows: [Key: (quantity: Int64, invoiced: Int64, creditedQuantity: Int64, credited: Int64)] = [:]
        var order: [Key] = []
        func add(
            _ key: Key,
            quantity: Int64 = 0,
            invoiced: Int64 = 0,
            creditedQuantity: Int64 = 0,
            credited: Int64 = 0
        )
            throws(PricingError)
        {
            var row = rows[key] ?? (0, 0, 0, 0)
            if rows[key] == nil { order.append(key) }
            row.quantity = try checkedAdd(row.quantity, quantity, "invoiced units")
            row.invoiced = try checkedAdd(row.invoiced, invoiced, "invoiced amount")
            row.creditedQuantity = try checkedAdd(row.creditedQuantity, creditedQuantity, "credited units")
            row.credited = try checkedAdd(row.credited, credited, "credited amount")
            rows[key] = row
        }
        var invoiced: Int64 = 0
        var waived: Int64 = 0
        for invoice in booked {
            invoiced = try checkedAdd(invoiced, invoice.total.fen, "invoiced")
            waived = try checkedAdd(waived, invoice.waivedAmount.fen, "waived")
            for line in invoice.lines {
                try add(key(invoice.product, line), quantity: line.quantity, invoiced: line.amount.fen)
            }
        }
        let byID = Dictionary(mine.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var credited: Int64 = 0
        for note in notes {
            credited = try checkedAdd(credited, note.amount.fen, "credited")
            let invoice = byID[note.corrects]
            guard let creditLines = note.lines, let invoice else {
                try add(key(note.product, nil), credited: note.amount.fen)
                continue
            }
            var attributed: Int64 = 0
            for credit in creditLines {
                let line = invoice.lines.indices.contains(credit.line) ? invoice.lines[credit.line] : nil
                try add(key(note.product, line), creditedQuantity: credit.quantity, credited: credit.amount.fen)
                attributed = try checkedAdd(attributed, credit.amount.fen, "credited lines")
            }
            if attributed != note.amount.fen {
                try add(key(note.product, nil), credited: try checkedSubtract(note.amount.fen, attributed, "credit"))
            }
        }
        let currency = report.operating.totals.revenue.currency
        report.lines = []
        for key in order {
            let row = rows[key] ?? (0, 0, 0, 0)
            report.lines.append(
                LineRevenue(
                    product: key.product,
                    kind: key.kind,
                    plan: key.plan,
                    planVersion: key.planVersion,
                    feeStage: key.feeStage,
                    quantity: row.quantity,
                    invoiced: Money(fen: row.invoiced, currency: currency),
                    creditedQuantity: row.creditedQuantity,
                    credited: Money(fen: row.credited, currency: currency),
                    net: Money(fen: try checkedSubtract(row.invoiced, row.credited, "net"), currency: currency)
                )
            )
        }
        report.invoices = booked.map {
            ReportedInvoice(
                id: $0.id,
                product: $0.product,
                consumer: $0.consumer,
                period: $0.period,
                total: $0.total,
                waived: $0.waivedAmount
            )
        }
        report.creditNotes = notes
        report.invoiced = Money(fen: invoiced, currency: currency)
        report.credited = Money(fen: credited, currency: currency)
        report.waived = Money(fen: waived, currency: currency)
        return report
    }
}
