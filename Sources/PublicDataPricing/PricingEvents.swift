import Foundation

/// A revenue distribution that was made: the total, the agreement's shares, and each party's part.
public struct RevenueDistributed: Codable, Sendable, Hashable {
    /// The distribution's identifier, unique per agreement (e.g. `"2026-03"`).
    public var id: String
    /// The agreement whose shares were used.
    public var agreement: AgreementID
    /// The operator whose revenue was distributed.
    public var operatorParty: PartyID
    /// The period the revenue belongs to.
    public var period: BillingPeriod
    /// The amount distributed.
    public var total: Money
    /// Each party's part; the parts sum exactly to ``total``.
    public var allocations: [Allocation]

    /// Creates a record.
    public init(
        id: String,
        agreement: AgreementID,
        operatorParty: PartyID,
        period: BillingPeriod,
        total: Money,
        allocations: [Allocation]
    ) {
        self.id = id
        self.agreement = agreement
        self.operatorParty = operatorParty
        self.period = period
        self.total = total
        self.allocations = allocations
    }
}

/// A fact of the pricing layer, persisted through an `EventStore`; the payload is the associated value,
/// encoded with `PublicDataJSON`.
///
/// | event | type | stream | event id |
/// |---|---|---|---|
/// | ``feeCapSet(_:)`` | `pricing.fee_cap_set` | `pricing-product-<product>` | stream + version |
/// | ``planVersionCreated(_:)`` | `pricing.plan_version_created` | `pricing-product-<product>` | `pricing-plan:<plan id>` |
/// | ``usageRecorded(_:)`` | `pricing.usage_recorded` | `pricing-usage-<subscription>` | `pricing-usage:<subscription>:<key>` |
/// | ``invoiceIssued(_:)`` | `pricing.invoice_issued` | `pricing-invoices-<subscription>` | `pricing-invoice:<id>` |
/// | ``creditNoteIssued(_:)`` | `pricing.credit_note_issued` | `pricing-invoices-<subscription>` | `pricing-credit:<id>` |
/// | ``allowanceApproved(_:)`` | `pricing.allowance_approved` | `pricing-operator-<operator>` | `pricing-allowance:<operator>:<period>` |
/// | ``periodClosed(_:)`` | `pricing.period_closed` | `pricing-operator-<operator>` | `pricing-close:<operator>:<period>` |
/// | ``accountEntryRecorded(_:)`` | `pricing.account_entry_recorded` | `pricing-operator-<operator>` | `pricing-entry:<id>` |
/// | ``revenueDistributed(_:)`` | `pricing.revenue_distributed` | `pricing-operator-<operator>` | `pricing-distribution:<agreement>:<id>` |
///
/// Deterministic event ids make retries idempotent: the store keeps an event id once, so a usage record
/// is counted once and a period is closed once even across processes.
public enum PricingEvent: Sendable, Hashable {
    /// A fee cap was set (or replaced for its basis) by the authorizing body.
    case feeCapSet(FeeCap)
    /// A plan version passed its checks and was added to its product's price book.
    case planVersionCreated(PricePlan)
    /// A usage record was counted.
    case usageRecorded(UsageRecord)
    /// An invoice was issued (its revenue is posted to the operating accounts).
    case invoiceIssued(Invoice)
    /// A credit note was issued (it posts negative revenue).
    case creditNoteIssued(CreditNote)
    /// A maximum allowed revenue was approved.
    case allowanceApproved(AllowedRevenue)
    /// A period was closed.
    case periodClosed(PeriodClose)
    /// An operating-account entry (cost, expense, or other revenue) was recorded.
    case accountEntryRecorded(AccountEntry)
    /// Revenue was distributed among an agreement's parties.
    case revenueDistributed(RevenueDistributed)

    /// Every event type string of the pricing layer.
    public static let types: [String] = [
        "pricing.fee_cap_set", "pricing.plan_version_created", "pricing.usage_recorded", "pricing.invoice_issued",
        "pricing.credit_note_issued", "pricing.allowance_approved", "pricing.period_closed",
        "pricing.account_entry_recorded", "pricing.revenue_distributed",
    ]

    /// The event type, e.g. `"pricing.period_closed"`.
    public var type: String {
        switch self {
        case .feeCapSet: "pricing.fee_cap_set"
        case .planVersionCreated: "pricing.plan_version_created"
        case .usageRecorded: "pricing.usage_recorded"
        case .invoiceIssued: "pricing.invoice_issued"
        case .creditNoteIssued: "pricing.credit_note_issued"
        case .allowanceApproved: "pricing.allowance_approved"
        case .periodClosed: "pricing.period_closed"
        case .accountEntryRecorded: "pricing.account_entry_recorded"
        case .revenueDistributed: "pricing.revenue_distributed"
        }
    }

    /// The stream the event belongs to.
    public var stream: StreamID {
        switch self {
        case .feeCapSet(let cap): Self.productStream(cap.product)
        case .planVersionCreated(let plan): Self.productStream(plan.product)
        case .usageRecorded(let record): StreamID("pricing-usage-\(record.subscription)")
        case .invoiceIssued(let invoice): StreamID("pricing-invoices-\(invoice.subscription)")
        case .creditNoteIssued(let note): StreamID("pricing-invoices-\(note.subscription)")
        case .allowanceApproved(let allowance): Self.operatorStream(allowance.operatorParty)
        case .periodClosed(let close): Self.operatorStream(close.operatorParty)
        case .accountEntryRecorded(let entry): Self.operatorStream(entry.operatorParty)
        case .revenueDistributed(let record): Self.operatorStream(record.operatorParty)
        }
    }

    /// The stream of a product's caps and plan versions.
    public static func productStream(_ product: ProductID) -> StreamID { StreamID("pricing-product-\(product)") }
    /// The stream of an operator's allowances, closes, account entries and distributions.
    public static func operatorStream(_ party: PartyID) -> StreamID { StreamID("pricing-operator-\(party)") }

    /// The event id; deterministic so that a repeat is recognised by the store. `nextVersion` is the
    /// stream version the event will get, used only for events without a natural key (fee caps).
    public func eventID(nextVersion: Int64) -> EventID {
        switch self {
        case .feeCapSet: EventID("\(stream)#\(nextVersion)")
        case .planVersionCreated(let plan): EventID("pricing-plan:\(plan.id)")
        case .usageRecorded(let record): EventID("pricing-usage:\(record.subscription):\(record.idempotencyKey)")
        case .invoiceIssued(let invoice): EventID("pricing-invoice:\(invoice.id)")
        case .creditNoteIssued(let note): EventID("pricing-credit:\(note.id)")
        case .allowanceApproved(let a): EventID("pricing-allowance:\(a.operatorParty):\(a.period)")
        case .periodClosed(let close): EventID("pricing-close:\(close.operatorParty):\(close.period)")
        case .accountEntryRecorded(let entry): EventID("pricing-entry:\(entry.id)")
        case .revenueDistributed(let record): EventID("pricing-distribution:\(record.agreement):\(record.id)")
        }
    }

    /// The event as a `ProposedEvent`.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/storage`` when the payload cannot be encoded.
    public func proposed(
        nextVersion: Int64,
        occurredAt: Date,
        actor: Actor?,
        metadata: EventMetadata = EventMetadata()
    ) throws(PricingError) -> ProposedEvent {
        do {
            let payload: Data =
                switch self {
                case .feeCapSet(let value): try PublicDataJSON.encode(value)
                case .planVersionCreated(let value): try PublicDataJSON.encode(value)
                case .usageRecorded(let value): try PublicDataJSON.encode(value)
                case .invoiceIssued(let value): try PublicDataJSON.encode(value)
                case .creditNoteIssued(let value): try PublicDataJSON.encode(value)
                case .allowanceApproved(let value): try PublicDataJSON.encode(value)
                case .periodClosed(let value): try PublicDataJSON.encode(value)
                case .accountEntryRecorded(let value): try PublicDataJSON.encode(value)
                case .revenueDistributed(let value): try PublicDataJSON.encode(value)
                }
            return ProposedEvent(
                id: eventID(nextVersion: nextVersion),
                type: type,
                occurredAt: occurredAt,
                actor: actor,
                payload: payload,
                metadata: metadata
            )
        } catch {
            throw PricingError(code: .storage, message: "cannot encode \(type)", underlying: "\(error)")
        }
    }

    /// Decodes a recorded event; `nil` when its type is not a pricing event.
    /// - Throws: ``PricingError`` with code ``PricingError/Code/storage`` when the payload cannot be read.
    public init?(decoding recorded: RecordedEvent) throws(PricingError) {
        do {
            switch recorded.type {
            case "pricing.fee_cap_set": self = .feeCapSet(try recorded.decodePayload(FeeCap.self))
            case "pricing.plan_version_created": self = .planVersionCreated(try recorded.decodePayload(PricePlan.self))
            case "pricing.usage_recorded": self = .usageRecorded(try recorded.decodePayload(UsageRecord.self))
            case "pricing.invoice_issued": self = .invoiceIssued(try recorded.decodePayload(Invoice.self))
            case "pricing.credit_note_issued": self = .creditNoteIssued(try recorded.decodePayload(CreditNote.self))
            case "pricing.allowance_approved":
                self = .allowanceApproved(try recorded.decodePayload(AllowedRevenue.self))
            case "pricing.period_closed": self = .periodClosed(try recorded.decodePayload(PeriodClose.self))
            case "pricing.account_entry_recorded":
                self = .accountEntryRecorded(try recorded.decodePayload(AccountEntry.self))
            case "pricing.revenue_distributed":
                self = .revenueDistributed(try recorded.decodePayload(RevenueDistributed.self))
            default: return nil
            }
        } catch {
            throw PricingError(
                code: .storage,
                message: "cannot read event \(recorded.id) of type \(recorded.type)",
                underlying: error.description
            )
        }
    }
}
