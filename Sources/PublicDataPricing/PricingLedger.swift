/// The pricing layer's state, built by applying ``PricingEvent``s; decisions are pure functions over it.
///
/// Every command is split in two: a **decision** (`decide…`) that checks the command against the state
/// and returns the event to record (or `nil` when there is nothing to do, e.g. a duplicate usage record),
/// and ``apply(_:)-(PricingEvent)``, which folds a recorded event into the state. Decisions never change the state, so a
/// refused command records nothing. ``PricingService`` runs decisions against an `EventStore`.
///
/// ```swift
/// var ledger = PricingLedger(cycle: .monthly)
/// if let event = try ledger.decideRecordUsage(record) { try ledger.apply(event) }
/// ```
public struct PricingLedger: Sendable {
    private struct InvoiceKey: Hashable {
        var subscription: SubscriptionID
        var periodStart: CivilDate
    }

    /// The billing cycle of metering.
    public let cycle: BillingCycle
    /// Fee caps per product (the latest per basis).
    public private(set) var caps: [ProductID: [FeeCap]] = [:]
    /// Price books per product.
    public private(set) var books: [ProductID: PriceBook] = [:]
    /// Metered usage.
    public private(set) var meter: UsageMeter
    /// Issued invoices by id.
    public private(set) var invoices: [InvoiceID: Invoice] = [:]
    /// Issued credit notes by id.
    public private(set) var creditNotes: [InvoiceID: CreditNote] = [:]
    /// Approved allowances per operator, in period order.
    public private(set) var allowances: [PartyID: [AllowedRevenue]] = [:]
    /// Closes per operator, in period order.
    public private(set) var closes: [PartyID: [PeriodClose]] = [:]
    /// Operating-account entries, including revenue posted from invoices and credit notes.
    public private(set) var entries: [AccountEntry] = []
    /// Revenue distributions made.
    public private(set) var distributions: [RevenueDistributed] = []
    /// The version of every stream applied through ``apply(_:)-(RecordedEvent)``.
    public private(set) var streamVersions: [StreamID: Int64] = [:]
    private var invoiceKeys: [InvoiceKey: InvoiceID] = [:]
    private var credited: [InvoiceID: Int64] = [:]
    private var entryIDs: Set<String> = []
    private var distributionIDs: Set<String> = []

    /// Creates an empty ledger.
    public init(cycle: BillingCycle = .monthly) {
        self.cycle = cycle
        self.meter = UsageMeter(cycle: cycle)
    }

    // MARK: - Decisions

    /// Decides to set a fee cap; it replaces an earlier cap of the product on the same basis.
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeAmount``, ``PricingError/Code/invalidPlan``.
    public func decideSetFeeCap(_ cap: FeeCap) throws(PricingError) -> PricingEvent {
        switch cap.limit {
        case .perProduct(let amount), .perPeriod(let amount):
            guard !amount.isNegative else {
                throw PricingError(code: .negativeAmount, message: "cap \(cap.limit) is negative", product: cap.product)
            }
        case .perUnit(_, let price):
            guard price.fen >= 0, price.per >= 1 else {
                throw PricingError(
                    code: .invalidPlan,
                    message: "cap \(price) is not a unit price",
                    product: cap.product
                )
            }
        }
        guard !cap.product.isEmpty, !cap.setBy.isEmpty else {
            throw PricingError(code: .mismatchedReference, message: "a cap needs a product and the body that set it")
        }
        return .feeCapSet(cap)
    }

    /// Decides to create a plan version (``GuidedPrice/createPlan(_:in:caps:operationStartedOn:capRequired:trialMonths:)``).
    /// - Throws: ``PricingError`` — a plan above its cap, without a cap, overlapping, gapped or retroactive.
    public func decideCreatePlan(
        _ plan: PricePlan,
        operationStartedOn: CivilDate?,
        capRequired: Bool = true
    )
        throws(PricingError) -> PricingEvent
    {
        let book = try self.book(of: plan.product)
        _ = try GuidedPrice.createPlan(
            plan,
            in: book,
            caps: caps[plan.product] ?? [],
            operationStartedOn: operationStartedOn,
            capRequired: capRequired
        )
        return .planVersionCreated(plan)
    }

    /// Decides to count a usage record; `nil` for a duplicate (same key, same content).
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeQuantity``, ``PricingError/Code/idempotencyConflict``.
    public func decideRecordUsage(_ record: UsageRecord) throws(PricingError) -> PricingEvent? {
        var probe = meter
        switch try probe.record(record) {
        case .counted: return .usageRecorded(record)
        case .duplicate: return nil
        }
    }

    /// Decides to issue the invoice of `request`, rated with the product's price book and metered usage.
    ///
    /// The request's usage is replaced by the ledger's metered usage for the subscription and period.
    /// - Throws: ``PricingError``: ``PricingError/Code/invoiceAlreadyIssued`` (same id, or the subscription's
    ///   period already invoiced), ``PricingError/Code/invalidPeriod`` (not a period of the ledger's cycle),
    ///   ``PricingError/Code/noPlanInEffect``, and those of ``Rating``.
    public func decideIssueInvoice(_ request: RatingRequest) throws(PricingError) -> PricingEvent {
        let subscription = request.subscription
        guard invoices[request.invoiceID] == nil, creditNotes[request.invoiceID] == nil else {
            throw PricingError(code: .invoiceAlreadyIssued, message: "invoice \(request.invoiceID) was already issued")
        }
        guard invoiceKeys[InvoiceKey(subscription: subscription.id, periodStart: request.period.start)] == nil
        else {
            throw PricingError(
                code: .invoiceAlreadyIssued,
                message: "\(subscription.id) was already invoiced for \(request.period); correct it with a credit note",
                product: subscription.product
            )
        }
        return .invoiceIssued(try rateMetered(request))
    }

    /// Rates the request with the product's book and the metered usage of the subscription and period.
    private func rateMetered(_ request: RatingRequest) throws(PricingError) -> Invoice {
        let subscription = request.subscription
        guard cycle.period(containing: request.period.start) == request.period else {
            throw PricingError(
                code: .invalidPeriod,
                message: "\(request.period) is not a \(cycle.rawValue) billing period",
                product: subscription.product
            )
        }
        guard let book = books[subscription.product] else {
            throw PricingError(
                code: .noPlanInEffect,
                message: "\(subscription.product) has no price plan",
                product: subscription.product
            )
        }
        var rated = request
        rated.usage = MeterUnit.allCases.map {
            meter.aggregate(subscription: subscription.id, unit: $0, period: request.period)
        }
        .filter { $0.count > 0 }
        return try Rating.rate(rated, book: book)
    }

    /// Decides to replace an issued invoice after its period's usage changed (e.g. late records): a credit
    /// note for what remains of the old invoice and a new invoice rated on the current metered usage.
    ///
    /// Both events go to the subscription's invoice stream in one atomic batch; the old invoice is never
    /// edited. The period's tiers apply to the whole period's usage, so the result is exactly what the
    /// invoice would have been had every record arrived on time.
    /// - Parameters:
    ///   - request: The rating request for the same subscription and period, with the new invoice's id.
    ///   - old: The invoice replaced; it must be the current invoice of the subscription's period.
    ///   - creditNoteID: The credit note's id.
    ///   - reason: Why, e.g. "late usage records".
    /// - Returns: The credit note (omitted when nothing remains to credit) and the new invoice.
    /// - Throws: ``PricingError``: ``PricingError/Code/unknownInvoice`` (not the period's current invoice),
    ///   ``PricingError/Code/invoiceAlreadyIssued`` (an id is taken), and those of ``Rating``.
    public func decideReissueInvoice(
        _ request: RatingRequest,
        replacing old: InvoiceID,
        creditNoteID: InvoiceID,
        reason: String
    ) throws(PricingError) -> [PricingEvent] {
        let key = InvoiceKey(subscription: request.subscription.id, periodStart: request.period.start)
        guard let current = invoiceKeys[key], current == old, let oldInvoice = invoices[old] else {
            throw PricingError(
                code: .unknownInvoice,
                message: "\(old) is not the current invoice of \(request.subscription.id) for \(request.period)"
            )
        }
        let taken = [request.invoiceID, creditNoteID].contains { invoices[$0] != nil || creditNotes[$0] != nil }
        guard !taken, request.invoiceID != creditNoteID else {
            throw PricingError(code: .invoiceAlreadyIssued, message: "\(request.invoiceID) or \(creditNoteID) is taken")
        }
        var invoice = try rateMetered(request)
        invoice.replaces = old
        var events: [PricingEvent] = []
        let remaining = oldInvoice.total.fen - (credited[old] ?? 0)
        if remaining > 0 {
            let note = try oldInvoice.creditNote(
                id: creditNoteID,
                amount: Money(fen: remaining, currency: oldInvoice.total.currency),
                reason: reason,
                issuedOn: request.issuedOn,
                alreadyCredited: Money(fen: credited[old] ?? 0, currency: oldInvoice.total.currency)
            )
            events.append(.creditNoteIssued(note))
        }
        events.append(.invoiceIssued(invoice))
        return events
    }

    /// Decides to issue a credit note against an invoice.
    /// - Throws: ``PricingError``: ``PricingError/Code/unknownInvoice``, ``PricingError/Code/invoiceAlreadyIssued``
    ///   (the note's id is taken), and those of ``Invoice/creditNote(id:amount:reason:issuedOn:alreadyCredited:)``.
    public func decideIssueCreditNote(
        id: InvoiceID,
        for invoiceID: InvoiceID,
        amount: Money,
        reason: String,
        issuedOn: CivilDate
    ) throws(PricingError) -> PricingEvent {
        guard let invoice = invoices[invoiceID] else {
            throw PricingError(code: .unknownInvoice, message: "no invoice \(invoiceID)")
        }
        guard invoices[id] == nil, creditNotes[id] == nil else {
            throw PricingError(code: .invoiceAlreadyIssued, message: "id \(id) is already used")
        }
        let note = try invoice.creditNote(
            id: id,
            amount: amount,
            reason: reason,
            issuedOn: issuedOn,
            alreadyCredited: Money(fen: credited[invoiceID] ?? 0, currency: invoice.total.currency)
        )
        return .creditNoteIssued(note)
    }

    /// Decides to approve an operator's maximum allowed revenue for a period.
    /// - Throws: ``PricingError``: ``PricingError/Code/allowanceAlreadyApproved`` (a period overlapping an
    ///   approved one), and those of ``AllowedRevenue/maximum()``.
    public func decideApproveAllowance(_ allowance: AllowedRevenue) throws(PricingError) -> PricingEvent {
        _ = try allowance.maximum()
        if let existing = allowances[allowance.operatorParty]?.first(where: {
            $0.period.start <= allowance.period.end && allowance.period.start <= $0.period.end
        }) {
            throw PricingError(
                code: .allowanceAlreadyApproved,
                message: "\(allowance.operatorParty) already has an allowance for \(existing.period)"
            )
        }
        return .allowanceApproved(allowance)
    }

    /// Decides to close an operator's period against its allowance.
    ///
    /// Revenue is the sum of the operator's revenue entries booked in the period (invoices, minus credit
    /// notes, plus other revenue entries) unless `revenue` is given. The deduction brought in is the
    /// previous close's ``PeriodClose/carriedToNext``; periods close in order, each exactly once.
    /// - Throws: ``PricingError``: ``PricingError/Code/periodAlreadyClosed``, ``PricingError/Code/periodOutOfOrder``,
    ///   ``PricingError/Code/allowanceMissing``, and those of ``GuidedPrice/close(_:revenue:deductionBroughtIn:)``.
    public func decideClosePeriod(
        operatorParty: PartyID,
        period: BillingPeriod,
        revenue: Money? = nil
    )
        throws(PricingError) -> PricingEvent
    {
        let earlier = closes[operatorParty] ?? []
        if earlier.contains(where: { $0.period == period }) {
            throw PricingError(
                code: .periodAlreadyClosed,
                message: "\(operatorParty)'s period \(period) is already closed"
            )
        }
        if let last = earlier.last, !last.period.isFollowed(by: period) {
            throw PricingError(
                code: .periodOutOfOrder,
                message:
                    "the next period of \(operatorParty) to close starts \(last.period.end.adding(days: 1)), not \(period.start)"
            )
        }
        guard let allowance = allowances[operatorParty]?.first(where: { $0.period == period }) else {
            throw PricingError(
                code: .allowanceMissing,
                message: "no maximum allowed revenue for \(operatorParty) in \(period)"
            )
        }
        let earned: Money
        if let revenue { earned = revenue } else { earned = try self.revenue(of: operatorParty, in: period) }
        let close = try GuidedPrice.close(
            allowance,
            revenue: earned,
            deductionBroughtIn: earlier.last?.carriedToNext ?? Money(fen: 0, currency: earned.currency)
        )
        return .periodClosed(close)
    }

    /// Decides to record an operating-account entry.
    /// - Throws: ``PricingError``: ``PricingError/Code/mismatchedReference`` (id taken or empty fields),
    ///   ``PricingError/Code/negativeAmount``.
    public func decideRecordAccountEntry(_ entry: AccountEntry) throws(PricingError) -> PricingEvent {
        try entry.validate()
        guard !entryIDs.contains(entry.id) else {
            throw PricingError(code: .mismatchedReference, message: "account entry \(entry.id) already exists")
        }
        return .accountEntryRecorded(entry)
    }

    /// Decides to distribute `total` among the agreement's parties (largest remainder).
    /// - Throws: ``PricingError``: ``PricingError/Code/mismatchedReference`` (id taken), and those of
    ///   ``RevenueDistribution/split(_:agreement:)``.
    public func decideDistribute(
        id: String,
        total: Money,
        agreement: DistributionAgreement,
        operatorParty: PartyID,
        period: BillingPeriod
    ) throws(PricingError) -> PricingEvent {
        guard !id.isEmpty, !distributionIDs.contains("\(agreement.agreement):\(id)") else {
            throw PricingError(
                code: .mismatchedReference,
                message: "distribution \(id) of \(agreement.agreement) exists"
            )
        }
        let allocations = try RevenueDistribution.split(total, agreement: agreement)
        return .revenueDistributed(
            RevenueDistributed(
                id: id,
                agreement: agreement.agreement,
                operatorParty: operatorParty,
                period: period,
                total: total,
                allocations: allocations
            )
        )
    }

    // MARK: - Applying events

    /// Folds a recorded event into the state and tracks its stream's version; non-pricing events only move
    /// the stream version.
    /// - Throws: ``PricingError`` when the payload cannot be read or breaks an invariant.
    public mutating func apply(_ recorded: RecordedEvent) throws(PricingError) {
        if let event = try PricingEvent(decoding: recorded) { try apply(event) }
        streamVersions[recorded.streamID] = recorded.streamVersion
    }

    /// Folds an event into the state. A duplicate usage record is a no-op.
    /// - Throws: ``PricingError`` when the event breaks an invariant (a second close of a period, a second
    ///   invoice for a subscription's period, an overlapping plan version); the state is then unchanged.
    public mutating func apply(_ event: PricingEvent) throws(PricingError) {
        switch event {
        case .feeCapSet(let cap):
            var list = caps[cap.product] ?? []
            list.removeAll { Self.sameBasis($0.limit, cap.limit) }
            list.append(cap)
            caps[cap.product] = list
        case .planVersionCreated(let plan):
            let book = try self.book(of: plan.product)
            books[plan.product] = try book.adding(plan)
        case .usageRecorded(let record):
            try meter.record(record)
        case .invoiceIssued(let invoice):
            let key = InvoiceKey(subscription: invoice.subscription, periodStart: invoice.period.start)
            guard invoices[invoice.id] == nil, invoiceKeys[key] == invoice.replaces else {
                throw PricingError(
                    code: .invoiceAlreadyIssued,
                    message:
                        "invoice \(invoice.id) would be a second invoice of \(invoice.subscription) for \(invoice.period)"
                )
            }
            invoices[invoice.id] = invoice
            invoiceKeys[key] = invoice.id
            books[invoice.product] = books[invoice.product]?.charged(through: invoice.period.end)
            entries.append(AccountEntry.revenue(from: invoice))
        case .creditNoteIssued(let note):
            guard creditNotes[note.id] == nil else {
                throw PricingError(code: .invoiceAlreadyIssued, message: "credit note \(note.id) applied twice")
            }
            creditNotes[note.id] = note
            credited[note.corrects, default: 0] += note.amount.fen
            entries.append(AccountEntry.revenue(from: note))
        case .allowanceApproved(let allowance):
            var list = allowances[allowance.operatorParty] ?? []
            list.append(allowance)
            list.sort { $0.period < $1.period }
            allowances[allowance.operatorParty] = list
        case .periodClosed(let close):
            var list = closes[close.operatorParty] ?? []
            guard !list.contains(where: { $0.period == close.period }) else {
                throw PricingError(code: .periodAlreadyClosed, message: "period \(close.period) closed twice")
            }
            list.append(close)
            closes[close.operatorParty] = list
        case .accountEntryRecorded(let entry):
            guard entryIDs.insert(entry.id).inserted else {
                throw PricingError(code: .mismatchedReference, message: "account entry \(entry.id) applied twice")
            }
            entries.append(entry)
        case .revenueDistributed(let record):
            guard distributionIDs.insert("\(record.agreement):\(record.id)").inserted else {
                throw PricingError(code: .mismatchedReference, message: "distribution \(record.id) applied twice")
            }
            distributions.append(record)
        }
    }

    private static func sameBasis(_ lhs: FeeLimit, _ rhs: FeeLimit) -> Bool {
        switch (lhs, rhs) {
        case (.perProduct, .perProduct), (.perPeriod, .perPeriod): true
        case (.perUnit(let a, _), .perUnit(let b, _)): a == b
        default: false
        }
    }

    // MARK: - Queries

    /// The product's price book (empty when it has no plan yet).
    public func book(of product: ProductID) throws(PricingError) -> PriceBook {
        if let book = books[product] { return book }
        return try PriceBook(product: product)
    }

    /// The stream's version as applied (0 when nothing was applied).
    public func version(of stream: StreamID) -> Int64 { streamVersions[stream] ?? 0 }

    /// What remains of an invoice after its credit notes.
    public func outstanding(_ invoiceID: InvoiceID) -> Money? {
        guard let invoice = invoices[invoiceID] else { return nil }
        return Money(fen: invoice.total.fen - (credited[invoiceID] ?? 0), currency: invoice.total.currency)
    }

    /// The operator's revenue booked in `period` (invoices minus credit notes plus other revenue entries).
    /// - Throws: ``PricingError`` with code ``PricingError/Code/overflow``.
    public func revenue(of operatorParty: PartyID, in period: BillingPeriod) throws(PricingError) -> Money {
        var total: Int64 = 0
        for entry in entries
        where entry.kind == .revenue && entry.operatorParty == operatorParty && period.contains(entry.bookedOn) {
            total = try checkedAdd(total, entry.amount.fen, "revenue of \(operatorParty)")
        }
        return Money(fen: total)
    }

    /// The operating report (Art. 21) of an operator for a period.
    /// - Throws: ``PricingError`` from ``OperatingAccounts/report(entries:operatorParty:period:allowance:close:)``.
    public func operatingReport(operatorParty: PartyID, period: BillingPeriod) throws(PricingError) -> OperatingReport {
        try OperatingAccounts.report(
            entries: entries,
            operatorParty: operatorParty,
            period: period,
            allowance: allowances[operatorParty]?.first { $0.period == period },
            close: closes[operatorParty]?.first { $0.period == period }
        )
    }

    /// The annual report data of an operator: the year's accounts, revenue against the allowance, fees
    /// against caps.
    /// - Throws: ``PricingError`` from ``OperatingAccounts/annualReport(year:operatorParty:entries:books:caps:allowance:close:)``.
    public func annualReport(operatorParty: PartyID, year: Int) throws(PricingError) -> AnnualReport {
        let period = BillingPeriod.year(year)
        return try OperatingAccounts.annualReport(
            year: year,
            operatorParty: operatorParty,
            entries: entries,
            books: Array(books.values),
            caps: caps.values.flatMap { $0 },
            allowance: allowances[operatorParty]?.first { $0.period == period },
            close: closes[operatorParty]?.first { $0.period == period }
        )
    }
}
