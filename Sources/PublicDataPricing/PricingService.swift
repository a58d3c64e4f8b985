/// Runs the pricing layer's decisions against an `EventStore`: the persisted face of ``PricingLedger``.
///
/// Each command catches up with the store, decides against the ledger, and appends one event with the
/// stream's expected version. On a version conflict (another writer got there first) it catches up and
/// decides again, so invariants hold across processes:
/// - **metering is idempotent**: a usage record's event id is derived from its idempotency key, and the
///   store keeps an event id once, so a record delivered twice (to any process) is counted once;
/// - **a period closes once**: the close's event id is derived from operator and period, and its append
///   expects the operator stream's version, so a second close is refused with
///   ``PricingError/Code/periodAlreadyClosed``.
///
/// ```swift
/// let pricing = PricingService(store: InMemoryEventStore(), clock: SystemWallClock())
/// try await pricing.setFeeCap(cap, actor: agency)
/// try await pricing.createPlan(plan, operationStartedOn: CivilDate("2025-01-01"), actor: operatorClerk)
/// try await pricing.recordUsage(record)
/// let invoice = try await pricing.issueInvoice(request, actor: nil)
/// let close = try await pricing.closePeriod(operatorParty: "op", period: .year(2026)!, actor: priceOfficer)
/// ```
public actor PricingService {
    private let store: any EventStore
    private let clock: any WallClock
    private var state: PricingLedger
    private var position: Int64 = 0
    private let pageSize = 1000
    private let attempts = 5

    /// Creates a service; call any command (or ``catchUp()``) to load existing events.
    /// - Parameters:
    ///   - store: The event store.
    ///   - cycle: The metering billing cycle (default monthly).
    ///   - clock: The clock stamped on events.
    public init(store: any EventStore, cycle: BillingCycle = .monthly, clock: any WallClock) {
        self.store = store
        self.clock = clock
        self.state = PricingLedger(cycle: cycle)
    }

    /// The ledger as of the last catch-up or command.
    public var ledger: PricingLedger { state }

    /// Applies every event recorded since the last catch-up.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/storage``.
    public func catchUp() async throws(PricingError) {
        while true {
            let page: [RecordedEvent]
            do {
                page = try await store.readAll(after: position, limit: pageSize)
            } catch {
                throw PricingError(code: .storage, message: "cannot read the event log", underlying: "\(error)")
            }
            for event in page {
                try state.apply(event)
                position = event.globalPosition
            }
            if page.count < pageSize { return }
        }
    }

    /// Decides with `decide`, appends the event, and catches up; re-decides after a conflict.
    /// Returns the event recorded, or `nil` when the decision was "nothing to do" or the store already held it.
    private func run(
        actor: Actor?,
        metadata: EventMetadata,
        expectAnyVersion: Bool = false,
        _ decide: (PricingLedger) throws(PricingError) -> PricingEvent?
    ) async throws(PricingError) -> PricingEvent? {
        let events = try await runBatch(actor: actor, metadata: metadata, expectAnyVersion: expectAnyVersion) {
            ledger throws(PricingError) in
            try decide(ledger).map { [$0] } ?? []
        }
        return events.first
    }

    /// Decides a batch of events for **one** stream, appends it atomically, and catches up; re-decides after
    /// a conflict. Returns the events recorded (empty for "nothing to do" or a batch the store already held).
    private func runBatch(
        actor: Actor?,
        metadata: EventMetadata,
        expectAnyVersion: Bool = false,
        _ decide: (PricingLedger) throws(PricingError) -> [PricingEvent]
    ) async throws(PricingError) -> [PricingEvent] {
        try await catchUp()
        for _ in 0..<attempts {
            let events = try decide(state)
            guard let stream = events.first?.stream else { return [] }
            guard events.allSatisfy({ $0.stream == stream }) else {
                throw PricingError(code: .storage, message: "a pricing batch must target one stream")
            }
            let current = state.version(of: stream)
            var proposed: [ProposedEvent] = []
            for (offset, event) in events.enumerated() {
                proposed.append(
                    try event.proposed(
                        nextVersion: current + 1 + Int64(offset),
                        occurredAt: clock.now(),
                        actor: actor,
                        metadata: metadata
                    )
                )
            }
            let expected: ExpectedVersion = expectAnyVersion ? .any : (current == 0 ? .noStream : .exactly(current))
            do {
                let result = try await store.append(proposed, to: stream, expectedVersion: expected)
                try await catchUp()
                if result.deduplicated {
                    // The store already held this batch: decide again on the caught-up state.
                    continue
                }
                return events
            } catch let error as EventStoreError where error.code == .versionConflict {
                try await catchUp()
            } catch let error as PricingError {
                throw error
            } catch {
                throw PricingError(code: .storage, message: "cannot append to \(stream)", underlying: "\(error)")
            }
        }
        throw PricingError(code: .storage, message: "gave up after \(attempts) conflicting attempts")
    }

    /// Sets a fee cap (replacing the product's earlier cap on the same basis).
    /// - Throws: ``PricingError`` from ``PricingLedger/decideSetFeeCap(_:)`` or the store.
    public func setFeeCap(
        _ cap: FeeCap,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    )
        async throws(PricingError)
    {
        _ = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideSetFeeCap(cap)
        }
    }

    /// Creates a plan version after the cap, trial and version checks; returns the product's price book.
    /// - Throws: ``PricingError`` from ``PricingLedger/decideCreatePlan(_:operationStartedOn:capRequired:)``.
    @discardableResult
    public func createPlan(
        _ plan: PricePlan,
        operationStartedOn: CivilDate?,
        capRequired: Bool = true,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    ) async throws(PricingError) -> PriceBook {
        _ = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            // A retry of the very same plan is a no-op.
            if ledger.books[plan.product]?.versions.contains(plan) == true { return nil }
            return try ledger.decideCreatePlan(plan, operationStartedOn: operationStartedOn, capRequired: capRequired)
        }
        return try state.book(of: plan.product)
    }

    /// Counts a usage record once: ``MeterOutcome/duplicate`` when its key was already counted (here or by
    /// another process sharing the store).
    /// - Throws: ``PricingError``: ``PricingError/Code/negativeQuantity``,
    ///   ``PricingError/Code/idempotencyConflict``, store failures.
    @discardableResult
    public func recordUsage(
        _ record: UsageRecord,
        actor: Actor? = nil,
        metadata: EventMetadata = EventMetadata()
    )
        async throws(PricingError) -> MeterOutcome
    {
        let event = try await run(actor: actor, metadata: metadata, expectAnyVersion: true) {
            ledger throws(PricingError) in try ledger.decideRecordUsage(record)
        }
        return event == nil ? .duplicate : .counted
    }

    /// Rates the subscription's metered usage for the period and issues the invoice (once per subscription
    /// and period); its revenue is posted to the operating accounts.
    /// - Throws: ``PricingError`` from ``PricingLedger/decideIssueInvoice(_:)``.
    public func issueInvoice(
        _ request: RatingRequest,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    )
        async throws(PricingError) -> Invoice
    {
        let event = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideIssueInvoice(request)
        }
        guard case .invoiceIssued(let invoice) = event else {
            throw PricingError(code: .invoiceAlreadyIssued, message: "invoice \(request.invoiceID) was already issued")
        }
        return invoice
    }

    /// Replaces an issued invoice after its period's usage changed (late records): credits what remains of
    /// the old invoice and issues a new one on the current metered usage, atomically.
    ///
    /// ```swift
    /// let (note, replacement) = try await pricing.reissueInvoice(request, replacing: "inv-2026-03",
    ///                                                            creditNoteID: "cn-2026-03", reason: "late usage",
    ///                                                            actor: clerk)
    /// ```
    /// - Returns: The credit note (`nil` when nothing remained to credit) and the new invoice.
    /// - Throws: ``PricingError`` from ``PricingLedger/decideReissueInvoice(_:replacing:creditNoteID:reason:)``.
    public func reissueInvoice(
        _ request: RatingRequest,
        replacing old: InvoiceID,
        creditNoteID: InvoiceID,
        reason: String,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    ) async throws(PricingError) -> (creditNote: CreditNote?, invoice: Invoice) {
        let events = try await runBatch(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideReissueInvoice(request, replacing: old, creditNoteID: creditNoteID, reason: reason)
        }
        var note: CreditNote?
        for event in events {
            switch event {
            case .creditNoteIssued(let issued): note = issued
            case .invoiceIssued(let invoice): return (note, invoice)
            default: continue
            }
        }
        throw PricingError(code: .invoiceAlreadyIssued, message: "invoice \(request.invoiceID) was already issued")
    }

    /// Issues a credit note against an invoice (the invoice itself never changes).
    /// - Throws: ``PricingError`` from ``PricingLedger/decideIssueCreditNote(id:for:amount:reason:issuedOn:)``.
    public func issueCreditNote(
        id: InvoiceID,
        for invoice: InvoiceID,
        amount: Money,
        reason: String,
        issuedOn: CivilDate,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    ) async throws(PricingError) -> CreditNote {
        let event = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideIssueCreditNote(id: id, for: invoice, amount: amount, reason: reason, issuedOn: issuedOn)
        }
        guard case .creditNoteIssued(let note) = event else {
            throw PricingError(code: .invoiceAlreadyIssued, message: "credit note \(id) was already issued")
        }
        return note
    }

    /// Approves an operator's maximum allowed revenue for a period.
    /// - Throws: ``PricingError`` from ``PricingLedger/decideApproveAllowance(_:)``.
    public func approveAllowance(
        _ allowance: AllowedRevenue,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    )
        async throws(PricingError)
    {
        let event = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideApproveAllowance(allowance)
        }
        guard event != nil else {
            throw PricingError(code: .allowanceAlreadyApproved, message: "the allowance was already approved")
        }
    }

    /// Closes an operator's period once; the overage is carried into the next period's allowance.
    /// - Throws: ``PricingError``: ``PricingError/Code/periodAlreadyClosed`` on a second close, and those of
    ///   ``PricingLedger/decideClosePeriod(operatorParty:period:revenue:)``.
    public func closePeriod(
        operatorParty: PartyID,
        period: BillingPeriod,
        revenue: Money? = nil,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    ) async throws(PricingError) -> PeriodClose {
        let event = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideClosePeriod(operatorParty: operatorParty, period: period, revenue: revenue)
        }
        guard case .periodClosed(let close) = event else {
            throw PricingError(code: .periodAlreadyClosed, message: "\(operatorParty)'s \(period) is already closed")
        }
        return close
    }

    /// Records an operating-account entry (cost, expense, or other revenue).
    /// - Throws: ``PricingError`` from ``PricingLedger/decideRecordAccountEntry(_:)``.
    public func recordAccountEntry(
        _ entry: AccountEntry,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    )
        async throws(PricingError)
    {
        let event = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideRecordAccountEntry(entry)
        }
        guard event != nil else {
            throw PricingError(code: .mismatchedReference, message: "account entry \(entry.id) already exists")
        }
    }

    /// Distributes `total` among an agreement's parties and records the parts.
    /// - Throws: ``PricingError`` from ``PricingLedger/decideDistribute(id:total:agreement:operatorParty:period:)``.
    public func distribute(
        id: String,
        total: Money,
        agreement: DistributionAgreement,
        operatorParty: PartyID,
        period: BillingPeriod,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    ) async throws(PricingError) -> RevenueDistributed {
        let event = try await run(actor: actor, metadata: metadata) { ledger throws(PricingError) in
            try ledger.decideDistribute(
                id: id,
                total: total,
                agreement: agreement,
                operatorParty: operatorParty,
                period: period
            )
        }
        guard case .revenueDistributed(let record) = event else {
            throw PricingError(code: .mismatchedReference, message: "distribution \(id) already exists")
        }
        return record
    }
}
