import PublicDataModel
import PublicDataPricing

/// Usage and settlement (Art. 21–24; 65号): usage metered per subscription, periods rated into invoices with
/// each product's versioned price book (`Rating`), revenue split by contribution (`RevenueDistribution`) and
/// the accounts settled. This process's events are the one source of truth for money: the accounts, the
/// disclosure and the reports read them.
public enum SettlementProcess: WorkflowProcess {
    public static let kind = ProcessKind.settlement
    public static let commandKey = "settlement"
    public static let title = "Usage and settlement (Art. 21–24)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.settled]

    /// The settlement's states.
    public enum State: String, ProcessStateKind {
        /// A period is open and usage is being recorded.
        case open
        /// The period was closed and invoiced.
        case closed
        /// The period's revenue was distributed.
        case distributed
        /// The accounts were settled for good.
        case settled
    }

    /// The settlement's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The annual operating report of a closed year (Art. 21; 65号 step 6).
        case annualReport

        public var rule: String {
            "31 March of the year after the closed year (the yearly disclosure date); overdue → notice, once"
        }
    }

    /// What a settlement remembers.
    public struct Facts: Sendable, Hashable {
        /// Usage per subscription in the open period (all plan versions together).
        public var tallies: [SubscriptionID: UsageTally] = [:]
        /// The open period's usage records that count, by idempotency key (voided records are removed).
        public var records: [String: UsageRecorded] = [:]
        /// Every voided usage record's key.
        public var voided: Set<String> = []
        /// Every usage record's key ever counted (a batch skips them).
        public var seenKeys: Set<String> = []
        /// Usage records in the open period.
        public var usageCount: Int64 = 0
        /// The latest closed period's summary.
        public var summary: SettlementSummary?
        /// The latest closed period's invoices.
        public var invoices: [Invoice] = []
        /// Every invoice issued, by id (issued invoices never change).
        public var issued: [InvoiceID: Invoice] = [:]
        /// The credit notes of each invoice, in order.
        public var credits: [InvoiceID: [CreditNote]] = [:]
        /// The last day an issued invoice covers.
        public var invoicedThrough: CivilDate?
        /// The latest distribution.
        public var allocations: [Allocation] = []
        /// The approvals of each year's maximum allowed revenue (65号 step 1), by year.
        public var allowances: [Int: [AllowanceApproved]] = [:]
        /// Each closed year (65号 step 5), by year.
        public var yearCloses: [Int: PeriodClose] = [:]
        /// Each filed annual operating report (Art. 21; 65号 step 6), by year.
        public var annualReports: [Int: AnnualReportFiled] = [:]

        /// The approved maximum allowed revenue of `year`: effective once the price department **and** the data
        /// administration approved the same figures.
        public func approvedAllowance(_ year: Int) -> AllowedRevenue? {
            let approvals = allowances[year] ?? []
            guard let latest = approvals.last,
                Set(approvals.filter { $0.sameFigures(as: latest) }.map(\.role)).isSuperset(of: Self.approvingRoles)
            else { return nil }
            return latest.allowance
        }

        /// The roles that approve the maximum allowed revenue together (65号 step 1; DOMAIN role choice).
        public static let approvingRoles: Set<Role> = [.priceDepartment, .dataAdministration]

        /// What has been credited of `invoice` so far.
        public func credited(_ invoice: InvoiceID) -> Money {
            (try? Money.sum((credits[invoice] ?? []).map(\.amount))) ?? .zero
        }

        /// The net revenue booked in `year`: invoices whose period ends in the year, less credit notes issued in it.
        public func netRevenue(_ year: Int) -> Money {
            var fen: Int64 = 0
            for invoice in issued.values where invoice.period.end.year == year { fen += invoice.total.fen }
            for note in credits.values.joined() where note.issuedOn.year == year { fen -= note.amount.fen }
            return Money(fen: fen)
        }

        /// The effective allowance of `year` (65号 steps 1 and 5): the approved maximum, the deduction brought in
        /// from the previous year's close (applied exactly once), what is left, and the year's close if any.
        /// `nil` when no allowance of the year is approved.
        public func allowance(_ year: Int) -> AllowanceStatus? {
            guard let approved = approvedAllowance(year), let maximum = try? approved.maximum() else { return nil }
            let deduction = yearCloses[year - 1]?.carriedToNext ?? .zero
            return AllowanceStatus(
                year: year,
                allowedRevenue: approved,
                maximumAllowedRevenue: maximum,
                deductionBroughtIn: deduction,
                effectiveAllowance: Money(fen: Swift.max(0, maximum.fen - deduction.fen)),
                revenueSoFar: netRevenue(year),
                close: yearCloses[year]
            )
        }
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Records one usage of a published product (metered, priced, idempotent by its key).
        case recordUsage(agreement: AgreementID, usage: UsageSpec)
        /// Records many uses at once (a portal's report); idempotent per record: records already counted are
        /// skipped, each new one is checked like ``recordUsage(agreement:usage:)`` and a bad one refuses the batch.
        case recordUsageBatch(agreement: AgreementID, usages: [UsageSpec])
        /// Closes the open period and rates every subscription into an invoice.
        case closeSettlementPeriod(agreement: AgreementID, period: BillingPeriod)
        /// Distributes the closed period's revenue by contribution weights.
        case distributeRevenue(agreement: AgreementID, shares: [RevenueShare])
        /// Closes the period and settles the accounts for good.
        case settleAccounts(agreement: AgreementID)
        /// Voids a usage record of the open period by a recorded correction (traceable, never a deletion).
        case voidUsage(agreement: AgreementID, idempotencyKey: String, reason: String)
        /// Credits quantities of an issued invoice's lines (the invoice itself never changes).
        case issueCreditNote(agreement: AgreementID, invoice: InvoiceID, lines: [CreditQuantity], reason: String)
        /// Approves a year's maximum allowed revenue (最高准许收入, 65号 step 1): cost + profit + tax, each with its
        /// source. The price department and the data administration each approve the same figures.
        case approveAllowance(
            agreement: AgreementID,
            year: Int,
            operatingCost: SourcedAmount,
            allowedProfit: SourcedAmount,
            tax: SourcedAmount
        )
        /// Closes a year against its effective allowance; the excess is deducted from the next year's (65号 step 5).
        case closeAllowanceYear(agreement: AgreementID, year: Int)
        /// The operator files a closed year's annual operating report (Art. 21; 65号 step 6).
        case fileAnnualReport(agreement: AgreementID, year: Int, report: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case recordUsage, closeSettlementPeriod, distributeRevenue, settleAccounts, recordUsageBatch
            case voidUsage, issueCreditNote, approveAllowance, closeAllowanceYear, fileAnnualReport

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .recordUsage:
                    CommandSpec(
                        [.operator],
                        ["Art. 22", "Art. 25", "Art. 27", "Art. 28", "Art. 30"],
                        guards: [
                            "the operator of the product", "the product is published",
                            "the consumer's scenario of the product is filed and active",
                            "a price plan version is in force at the instant of use", "the unit is the plan's unit",
                            "the plan is within the fee cap in force", "a voided key is never counted again",
                            "a duplicate key is counted once", "the purpose comes from the active scenario",
                        ]
                    )
                case .recordUsageBatch:
                    CommandSpec(
                        [.operator],
                        ["Art. 22", "Art. 25", "Art. 27", "Art. 28", "Art. 30"],
                        guards: [
                            "every record as for recordUsage", "a record already counted is skipped",
                            "a key naming two different records refuses the batch", "something new to count",
                        ]
                    )
                case .closeSettlementPeriod:
                    CommandSpec(
                        [.implementingAgency, .dataAdministration],
                        ["Art. 21"],
                        guards: ["a period closes once", "every subscription is rated into an invoice"]
                    )
                case .distributeRevenue:
                    CommandSpec([.financeDepartment], ["Art. 23", "Art. 24"], guards: ["weights are not all zero"])
                case .settleAccounts: CommandSpec([.implementingAgency, .financeDepartment], ["Art. 21"])
                case .voidUsage:
                    CommandSpec(
                        [.operator],
                        ["Art. 21", "Art. 28"],
                        guards: ["the operator of the agreement", "a usage record of the open period", "a reason"]
                    )
                case .issueCreditNote:
                    CommandSpec(
                        [.operator],
                        ["Art. 21", "Art. 22"],
                        guards: [
                            "the operator of the agreement", "an issued invoice of the agreement",
                            "charge lines and quantities left uncredited",
                            "never more than what remains of the invoice",
                        ]
                    )
                case .approveAllowance:
                    CommandSpec(
                        [.priceDepartment, .dataAdministration],
                        ["Art. 22", "65号"],
                        guards: [
                            "the department itself (the authority directory)",
                            "cost, profit and tax each with a source",
                            "once per role and year; both roles approve the same figures",
                        ]
                    )
                case .closeAllowanceYear:
                    CommandSpec(
                        [.priceDepartment, .dataAdministration],
                        ["Art. 21", "Art. 22", "65号"],
                        guards: [
                            "the year is over and approved by both roles", "every usage of the year is invoiced",
                            "the previous approved year is closed", "a year closes once",
                        ]
                    )
                case .fileAnnualReport:
                    CommandSpec(
                        [.operator],
                        ["Art. 21", "65号"],
                        guards: ["the operator of the agreement", "the year is closed", "once per year"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .recordUsage: .recordUsage
            case .closeSettlementPeriod: .closeSettlementPeriod
            case .distributeRevenue: .distributeRevenue
            case .settleAccounts: .settleAccounts
            case .recordUsageBatch: .recordUsageBatch
            case .voidUsage: .voidUsage
            case .issueCreditNote: .issueCreditNote
            case .approveAllowance: .approveAllowance
            case .closeAllowanceYear: .closeAllowanceYear
            case .fileAnnualReport: .fileAnnualReport
            }
        }

        public var instanceID: String {
            switch self {
            case .recordUsage(let id, _), .closeSettlementPeriod(let id, _), .distributeRevenue(let id, _),
                .settleAccounts(let id), .recordUsageBatch(let id, _), .voidUsage(let id, _, _),
                .issueCreditNote(let id, _, _, _),
                .approveAllowance(let id, _, _, _, _), .closeAllowanceYear(let id, _), .fileAnnualReport(let id, _, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .recordUsage(let id, let usage):
                check.id(id, "$.agreement")
                check.id(usage.product, "$.usage.product")
                check.id(usage.subscription, "$.usage.subscription")
                check.id(usage.consumer, "$.usage.consumer")
                check.text(usage.idempotencyKey, "$.usage.idempotencyKey")
                if usage.quantity <= 0 { check.fail("$.usage.quantity", "is not positive") }
            case .closeSettlementPeriod(let id, _), .settleAccounts(let id): check.id(id, "$.agreement")
            case .distributeRevenue(let id, let shares):
                check.id(id, "$.agreement")
                if shares.isEmpty { check.fail("$.shares", "no shares") }
                for (index, share) in shares.enumerated() where share.weight < 0 {
                    check.fail("$.shares[\(index)].weight", "is negative")
                }
                if !shares.isEmpty && shares.allSatisfy({ $0.weight == 0 }) {
                    check.fail("$.shares", "every weight is zero")
                }
                if Set(shares.map(\.party)).count != shares.count { check.fail("$.shares", "a party is listed twice") }
            case .recordUsageBatch(let id, let usages):
                check.id(id, "$.agreement")
                if usages.isEmpty { check.fail("$.usages", "names no record") }
                for (index, usage) in usages.enumerated() {
                    check.id(usage.product, "$.usages[\(index)].product")
                    check.id(usage.subscription, "$.usages[\(index)].subscription")
                    check.id(usage.consumer, "$.usages[\(index)].consumer")
                    check.text(usage.idempotencyKey, "$.usages[\(index)].idempotencyKey")
                    if usage.quantity <= 0 { check.fail("$.usages[\(index)].quantity", "is not positive") }
                }
            case .voidUsage(let id, let key, let reason):
                check.id(id, "$.agreement")
                check.text(key, "$.idempotencyKey")
                check.text(reason, "$.reason")
            case .issueCreditNote(let id, let invoice, let lines, let reason):
                check.id(id, "$.agreement")
                check.id(invoice, "$.invoice")
                check.text(reason, "$.reason")
                if lines.isEmpty { check.fail("$.lines", "names no invoice line") }
                for (index, line) in lines.enumerated() {
                    if line.line < 0 { check.fail("$.lines[\(index)].line", "is negative") }
                    if line.quantity <= 0 { check.fail("$.lines[\(index)].quantity", "is not positive") }
                }
                if Set(lines.map(\.line)).count != lines.count { check.fail("$.lines", "a line is named twice") }
            case .approveAllowance(let id, let year, let cost, let profit, let tax):
                check.id(id, "$.agreement")
                if BillingPeriod.year(year) == nil { check.fail("$.year", "\(year) is not a year") }
                for (path, part) in [("$.operatingCost", cost), ("$.allowedProfit", profit), ("$.tax", tax)] {
                    check.text(part.source, path + ".source")
                    if part.amount.isNegative { check.fail(path + ".amount", "is negative") }
                    if part.amount.currency != .cny { check.fail(path + ".amount", "is not in CNY") }
                }
            case .closeAllowanceYear(let id, let year):
                check.id(id, "$.agreement")
                if BillingPeriod.year(year) == nil { check.fail("$.year", "\(year) is not a year") }
            case .fileAnnualReport(let id, let year, let report):
                check.id(id, "$.agreement")
                check.text(report, "$.report")
                if BillingPeriod.year(year) == nil { check.fail("$.year", "\(year) is not a year") }
            }
        }
    }

    /// One usage record.
    public struct UsageRecorded: Codable, Sendable, Hashable {
        /// The usage.
        public var usage: UsageSpec
        /// The purpose, from the filed scenario.
        public var purpose: Purpose
        /// The day of use.
        public var usageDay: CivilDate
        /// The plan version in force at the instant of use, which prices it.
        public var plan: PricePlanID?
        /// Its version number.
        public var planVersion: Int?
        /// The scenario classes recorded on the filing at the time of use (they earn discounts).
        public var classes: [String]?
    }

    /// A usage record voided by a correction.
    public struct UsageVoided: Codable, Sendable, Hashable {
        /// The voided record's idempotency key.
        public var idempotencyKey: String
        /// The record voided.
        public var usage: UsageSpec
        /// Why.
        public var reason: String
    }

    /// A credit note.
    public struct CreditIssued: Codable, Sendable, Hashable {
        /// The note.
        public var creditNote: CreditNote
    }

    /// One approval of a year's maximum allowed revenue.
    public struct AllowanceApproved: Codable, Sendable, Hashable {
        /// The year.
        public var year: Int
        /// The figures approved.
        public var allowance: AllowedRevenue
        /// The approving role.
        public var role: Role

        /// Whether `other` approved the same figures.
        func sameFigures(as other: AllowanceApproved) -> Bool {
            allowance.operatingCost == other.allowance.operatingCost
                && allowance.allowedProfit == other.allowance.allowedProfit && allowance.tax == other.allowance.tax
        }
    }

    /// A closed year.
    public struct YearClosed: Codable, Sendable, Hashable {
        /// The year.
        public var year: Int
        /// The close: allowance, revenue, overage and the deduction carried to the next year.
        public var close: PeriodClose
    }

    /// A filed annual operating report.
    public struct AnnualReportFiled: Codable, Sendable, Hashable {
        /// The year reported.
        public var year: Int
        /// The report (or a reference to it).
        public var report: String
        /// The day it was due.
        public var dueOn: CivilDate
        /// The day it was filed.
        public var filedOn: CivilDate
        /// Whether it was filed after its due day.
        public var late: Bool
        /// The report's figures, built at filing from the recorded invoices and credit notes (the same records the
        /// year close, the split and the disclosure read); `nil` in reports filed before the figures were built.
        public var operating: AnnualReport?
    }

    /// An annual report not filed by its due day.
    public struct AnnualReportOverdue: Codable, Sendable, Hashable {
        /// The year whose report is overdue.
        public var year: Int
    }

    /// What one payer owes at a final settlement: the sum of its invoices' totals.
    public struct PayerDue: Codable, Sendable, Hashable {
        /// The consumer who pays.
        public var payer: PartyID
        /// What it owes.
        public var owed: Money
        /// Its invoices.
        public var invoices: [InvoiceID]
    }

    /// A closed period, its invoices and its summary.
    public struct PeriodClosed: Codable, Sendable, Hashable {
        /// The invoices.
        public var invoices: [Invoice]
        /// The summary.
        public var settlement: SettlementSummary
        /// A note (e.g. why the exit settled without invoices).
        public var note: String?
        /// At a final settlement (`settleAccounts`, the exit's `settlement.settledOnExit`): each payer and what it
        /// owes, in the order of its first invoice; each is told.
        public var payers: [PayerDue]?
    }

    /// A distribution.
    public struct Distributed: Codable, Sendable, Hashable {
        /// The shares.
        public var shares: [RevenueShare]
        /// The allocations.
        public var allocations: [Allocation]
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Usage recorded.
        case usageRecorded(UsageRecorded)
        /// A period closed and invoiced.
        case periodClosed(PeriodClosed)
        /// Revenue distributed.
        case revenueDistributed(Distributed)
        /// Accounts settled.
        case accountsSettled(PeriodClosed)
        /// Accounts settled by the exit procedure.
        case settledOnExit(PeriodClosed)
        /// A usage recorded as part of a batch.
        case usageRecordedInBatch(UsageRecorded)
        /// A usage record voided.
        case usageVoided(UsageVoided)
        /// A credit note issued.
        case creditNoteIssued(CreditIssued)
        /// One role approved a year's maximum allowed revenue.
        case allowanceApproved(AllowanceApproved)
        /// A year closed against its allowance.
        case yearClosed(YearClosed)
        /// The annual operating report filed.
        case annualReportFiled(AnnualReportFiled)
        /// The annual operating report not filed by its due day.
        case annualReportOverdue(AnnualReportOverdue)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case usageRecorded = "settlement.usageRecorded"
            case periodClosed = "settlement.periodClosed"
            case revenueDistributed = "settlement.revenueDistributed"
            case accountsSettled = "settlement.accountsSettled"
            case settledOnExit = "settlement.settledOnExit"
            case usageRecordedInBatch = "settlement.usageRecordedInBatch"
            case usageVoided = "settlement.usageVoided"
            case creditNoteIssued = "settlement.creditNoteIssued"
            case allowanceApproved = "settlement.allowanceApproved"
            case yearClosed = "settlement.yearClosed"
            case annualReportFiled = "settlement.annualReportFiled"
            case annualReportOverdue = "settlement.annualReportOverdue"
        }

        public var kind: Kind {
            switch self {
            case .usageRecorded: .usageRecorded
            case .periodClosed: .periodClosed
            case .revenueDistributed: .revenueDistributed
            case .accountsSettled: .accountsSettled
            case .settledOnExit: .settledOnExit
            case .usageRecordedInBatch: .usageRecordedInBatch
            case .usageVoided: .usageVoided
            case .creditNoteIssued: .creditNoteIssued
            case .allowanceApproved: .allowanceApproved
            case .yearClosed: .yearClosed
            case .annualReportFiled: .annualReportFiled
            case .annualReportOverdue: .annualReportOverdue
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .usageRecorded(let payload), .usageRecordedInBatch(let payload): try payload.encode(to: encoder)
            case .periodClosed(let payload), .accountsSettled(let payload), .settledOnExit(let payload):
                try payload.encode(to: encoder)
            case .revenueDistributed(let payload): try payload.encode(to: encoder)
            case .usageVoided(let payload): try payload.encode(to: encoder)
            case .creditNoteIssued(let payload): try payload.encode(to: encoder)
            case .allowanceApproved(let payload): try payload.encode(to: encoder)
            case .yearClosed(let payload): try payload.encode(to: encoder)
            case .annualReportFiled(let payload): try payload.encode(to: encoder)
            case .annualReportOverdue(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .usageRecorded: self = .usageRecorded(try UsageRecorded(from: decoder))
            case .periodClosed: self = .periodClosed(try PeriodClosed(from: decoder))
            case .revenueDistributed: self = .revenueDistributed(try Distributed(from: decoder))
            case .accountsSettled: self = .accountsSettled(try PeriodClosed(from: decoder))
            case .settledOnExit: self = .settledOnExit(try PeriodClosed(from: decoder))
            case .usageRecordedInBatch: self = .usageRecordedInBatch(try UsageRecorded(from: decoder))
            case .usageVoided: self = .usageVoided(try UsageVoided(from: decoder))
            case .creditNoteIssued: self = .creditNoteIssued(try CreditIssued(from: decoder))
            case .allowanceApproved: self = .allowanceApproved(try AllowanceApproved(from: decoder))
            case .yearClosed: self = .yearClosed(try YearClosed(from: decoder))
            case .annualReportFiled: self = .annualReportFiled(try AnnualReportFiled(from: decoder))
            case .annualReportOverdue: self = .annualReportOverdue(try AnnualReportOverdue(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .usageRecorded: UsageRecorded.self
            case .periodClosed: PeriodClosed.self
            case .revenueDistributed: Distributed.self
            case .accountsSettled: PeriodClosed.self
            case .settledOnExit: PeriodClosed.self
            case .usageRecordedInBatch: UsageRecorded.self
            case .usageVoided: UsageVoided.self
            case .creditNoteIssued: CreditIssued.self
            case .allowanceApproved: AllowanceApproved.self
            case .yearClosed: YearClosed.self
            case .annualReportFiled: AnnualReportFiled.self
            case .annualReportOverdue: AnnualReportOverdue.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        let unsettled: [State?] = [nil, .open, .closed, .distributed]
        let anyState: [State?] = [nil, .open, .closed, .distributed, .settled]
        switch kind {
        case .usageRecorded: return EventSpec(.command(.recordUsage), from: unsettled, to: .open)
        case .periodClosed:
            return EventSpec(
                .command(.closeSettlementPeriod),
                from: [.open],
                to: .closed,
                notifies: [.operator, .financeDepartment, .businessEntity]
            )
        case .revenueDistributed:
            return EventSpec(.command(.distributeRevenue), from: [.closed], to: .distributed, notifies: [.operator])
        case .accountsSettled:
            return EventSpec(
                .command(.settleAccounts),
                from: unsettled,
                to: .settled,
                notifies: [.operator, .businessEntity]
            )
        case .settledOnExit:
            return EventSpec(
                .exit,
                from: unsettled,
                to: .settled,
                notifies: [.operator, .financeDepartment, .businessEntity],
                closes: [.annualReport]
            )
        case .usageRecordedInBatch:
            return EventSpec(.command(.recordUsageBatch), from: unsettled, to: .open)
        case .usageVoided: return EventSpec(.command(.voidUsage), from: [.open], to: nil)
        case .creditNoteIssued:
            return EventSpec(
                .command(.issueCreditNote),
                from: [.closed, .distributed, .settled],
                to: nil,
                notifies: [.financeDepartment]
            )
        case .allowanceApproved:
            return EventSpec(.command(.approveAllowance), from: anyState, to: nil, notifies: [.operator])
        case .yearClosed:
            return EventSpec(
                .command(.closeAllowanceYear),
                from: anyState,
                to: nil,
                notifies: [.operator, .financeDepartment],
                opens: [.annualReport]
            )
        case .annualReportFiled:
            return EventSpec(
                .command(.fileAnnualReport),
                from: anyState,
                to: nil,
                notifies: [.priceDepartment, .dataAdministration],
                closes: [.annualReport]
            )
        case .annualReportOverdue:
            return EventSpec(
                .deadline(.annualReport),
                from: anyState,
                to: nil,
                notifies: [.operator, .priceDepartment, .dataAdministration],
                closes: [.annualReport]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .recordUsage(let agreementID, let usage):
            return [try await usageDraft(agreementID, usage, instance, context)]
        case .recordUsageBatch(let agreementID, let usages):
            var drafts: [Draft<Self>] = []
            var batch: [String: UsageSpec] = [:]
            for usage in usages {
                if let earlier = batch[usage.idempotencyKey] {
                    guard earlier == usage else {
                        throw context.refuse(
                            .invalidInput,
                            "key \(usage.idempotencyKey) names two different records (pricing idempotencyConflict)",
                            articles
                        )
                    }
                    continue
                }
                batch[usage.idempotencyKey] = usage
                // Idempotent per record: a record already counted (in any period) is skipped.
                if instance.facts.seenKeys.contains(usage.idempotencyKey) { continue }
                var draft = try await usageDraft(agreementID, usage, instance, context)
                if case .usageRecorded(let recorded) = draft.event { draft.event = .usageRecordedInBatch(recorded) }
                drafts.append(draft)
            }
            guard !drafts.isEmpty else {
                throw context.refuse(.invalidState, "every record of the batch is already counted", articles)
            }
            return drafts
        case .closeSettlementPeriod(_, let period):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            if let outside = instance.facts.records.values.first(where: { !period.contains($0.usageDay) }) {
                var error = context.refuse(
                    .invalidInput,
                    "usage \(outside.usage.idempotencyKey) of \(outside.usageDay) is outside the period \(period)",
                    articles
                )
                error.details = WorkflowError.Details(product: outside.usage.product, period: period)
                throw error
            }
            let (invoices, revenue) = try await rate(instance, period: period, context: context)
            let summary = SettlementSummary(
                period: "\(period.start)...\(period.end)",
                usageCount: instance.facts.usageCount,
                revenue: revenue
            )
            let closed = PeriodClosed(invoices: invoices, settlement: summary)
            return [Draft(.periodClosed(closed), recipients: payers(of: closed))]
        case .distributeRevenue(_, let shares):
            // Net revenue: the closed period's invoices less what their credit notes credited.
            var net = instance.facts.summary?.revenue.fen ?? 0
            for invoice in instance.facts.invoices { net -= instance.facts.credited(invoice.id).fen }
            let total = Money(fen: net)
            do {
                let allocations = try RevenueDistribution.split(total, among: shares)
                return [Draft(.revenueDistributed(Distributed(shares: shares, allocations: allocations)))]
            } catch {
                throw context.refuse(.pricing, "\(error)", ["Art. 23", "Art. 24"])
            }
        case .settleAccounts(let agreementID):
            var trace = TraceKeys()
            if instance.exists {
                try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            } else {
                let (agreement, _) = try await context.agreement(agreementID)
                try context.requireParty(agreement.trace.agencyID, when: .implementingAgency, articles)
                trace = agreement.trace
            }
            let closed = try await final(instance, label: "final", context: context)
            return [Draft(.accountsSettled(closed), trace: trace, recipients: payers(of: closed))]
        case .voidUsage(_, let key, let reason):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard let record = instance.facts.records[key] else {
                var error = context.refuse(
                    .notFound,
                    "no usage record \(key) counts in the open period (voided, invoiced or never recorded)",
                    articles
                )
                error.details = WorkflowError.Details(idempotencyKey: key)
                throw error
            }
            var trace = TraceKeys()
            trace.productID = record.usage.product
            return [
                Draft(
                    .usageVoided(UsageVoided(idempotencyKey: key, usage: record.usage, reason: reason)),
                    trace: trace,
                    id: EventID("usage-voided:\(instance.stream):\(key)")
                )
            ]
        case .issueCreditNote(_, let invoiceID, let lines, let reason):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard let invoice = instance.facts.issued[invoiceID] else {
                var error = context.refuse(
                    .notFound,
                    "invoice \(invoiceID) was not issued under this agreement",
                    articles
                )
                error.details = WorkflowError.Details(invoice: invoiceID)
                throw error
            }
            let earlier = instance.facts.credits[invoiceID] ?? []
            do {
                let note = try invoice.creditNote(
                    id: InvoiceID("cn:\(invoiceID):\(earlier.count + 1)"),
                    lines: lines,
                    reason: reason,
                    issuedOn: context.today,
                    earlier: earlier
                )
                return [Draft(.creditNoteIssued(CreditIssued(creditNote: note)))]
            } catch {
                throw context.refuse(error, articles)
            }
        case .approveAllowance(let agreementID, let year, let cost, let profit, let tax):
            var trace = instance.trace
            guard let period = BillingPeriod.year(year) else { throw context.refuse(.invalidInput, "no year") }
            let operatorParty: PartyID
            if let known = instance.trace.operatorID {
                operatorParty = known
            } else {
                let (agreement, terms) = try await context.agreement(agreementID)
                trace = agreement.trace
                operatorParty = terms.terms.operatorParty
            }
            let approvals = instance.facts.allowances[year] ?? []
            if instance.facts.yearCloses[year] != nil || approvals.contains(where: { $0.role == context.actor.role }) {
                var error = context.refuse(
                    .invalidState,
                    "the \(year) allowance was already approved by the \(context.actor.role.rawValue) "
                        + "or the year is closed (pricing \(PricingError.Code.allowanceAlreadyApproved))",
                    articles
                )
                error.details = WorkflowError.Details(party: operatorParty, year: year)
                throw error
            }
            let allowance = AllowedRevenue(
                operatorParty: operatorParty,
                period: period,
                operatingCost: cost,
                allowedProfit: profit,
                tax: tax,
                approvedBy: context.actor.party
            )
            let approval = AllowanceApproved(year: year, allowance: allowance, role: context.actor.role)
            if let other = approvals.first, !approval.sameFigures(as: other) {
                var error = context.refuse(
                    .invalidInput,
                    "the \(other.role.rawValue) approved other figures for \(year); both approve the same",
                    articles
                )
                error.details = WorkflowError.Details(party: operatorParty, year: year)
                throw error
            }
            do {
                _ = try allowance.maximum()
            } catch {
                throw context.refuse(error, articles)
            }
            return [Draft(.allowanceApproved(approval), trace: trace)]
        case .closeAllowanceYear(_, let year):
            return [try closeYear(year, instance, context: context)]
        case .fileAnnualReport(_, let year, let report):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard instance.facts.yearCloses[year] != nil, instance.facts.annualReports[year] == nil else {
                var error = context.refuse(
                    .invalidState,
                    "the annual report of \(year) needs the year closed and is filed once",
                    articles
                )
                error.details = WorkflowError.Details(year: year)
                throw error
            }
            let due = Self.annualReportDue(year)
            var products: [ProductID: ProductProcess.Facts] = [:]
            for product in Self.reportedProducts(instance.facts) {
                products[product] = try await context.instance(ProductProcess.self, product.rawValue).facts
            }
            let operating = try Self.annualReport(year, instance, products: products, context: context)
            let filed = AnnualReportFiled(
                year: year,
                report: report,
                dueOn: due,
                filedOn: context.today,
                late: context.today > due,
                operating: operating
            )
            return [Draft(.annualReportFiled(filed))]
        }
    }

    /// The usage record of one use, checked (Art. 22, 25, 27, 28, 30; 65号).
    static func usageDraft(
        _ agreementID: AgreementID,
        _ usage: UsageSpec,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> Draft<Self> {
        let articles = Command.Name.recordUsage.spec.articles
        let product = try await context.load(ProductProcess.self, usage.product.rawValue)
        guard product.trace.agreementID == agreementID else {
            throw context.refuse(
                .invalidInput,
                "product \(usage.product) is not under agreement \(agreementID)",
                articles
            )
        }
        try context.requireParty(product.trace.operatorID, when: .operator, articles)
        try context.require(product, in: [.published], ["Art. 22"])
        // Art. 22: the price plan version in force on the usage day prices the use.
        guard let plan = product.facts.priceBook?.versions.last(where: { $0.covers(context.today) }) else {
            throw context.refuse(
                .notAuthorized,
                "no price plan of product \(usage.product) is in force on \(context.today)",
                ["Art. 22"]
            )
        }
        if case .usage(let charge) = plan.charge, charge.unit != usage.unit {
            var error = context.refuse(
                .invalidInput,
                "the plan meters \(charge.unit.rawValue)s, not \(usage.unit.rawValue)s",
                articles
            )
            error.details = WorkflowError.Details(
                party: usage.consumer,
                product: usage.product,
                unit: usage.unit,
                plan: plan.id,
                planVersion: plan.version
            )
            throw error
        }
        if instance.facts.voided.contains(usage.idempotencyKey) {
            throw context.refuse(
                .invalidState,
                "usage record \(usage.idempotencyKey) was voided; a voided key is never counted again",
                ["Art. 28"]
            )
        }
        // 65号: a cap lowered below the plan's price applies from its date; the plan is not billed above it.
        do {
            try GuidedPrice.checkCaps(plan, caps: FeeCap.inForce(product.facts.feeCaps, on: context.today))
        } catch {
            var refusal = context.refuse(error, ["Art. 22", "65号"])
            refusal.message =
                "the plan in force is above the fee cap in force on \(context.today): " + error.message
            throw refusal
        }
        let (agreement, terms) = try await context.agreement(agreementID)
        try context.require(agreement, in: [.active], ["Art. 13"])
        // Art. 20, 25, 27, 30: a use belongs to the consumer's assessed, filed, active scenario of this product.
        guard let scenarioID = usage.scenario else {
            throw context.refuse(
                .notAuthorized,
                "a use of \(usage.product) names no scenario; file the consumer's scenario first",
                ["Art. 20", "Art. 25", "Art. 27"]
            )
        }
        let scenario = try await context.instance(ScenarioProcess.self, scenarioID.rawValue)
        guard scenario.state == .active, let spec = scenario.facts.scenario, spec.product == usage.product,
            scenario.trace.applicantID == usage.consumer
        else {
            throw context.refuse(
                .notAuthorized,
                "scenario \(scenarioID) is not an active, filed scenario of \(usage.consumer) for "
                    + "\(usage.product) (it is \(scenario.stateName))",
                ["Art. 20", "Art. 25", "Art. 27", "Art. 30"]
            )
        }
        let purpose = spec.purpose
        // Seed 001 §6: a partner of the operator uses the product within its tier.
        try await PartnerProcess.requireWithinTier(
            usage.consumer,
            of: product.trace.operatorID,
            .init(product: usage.product, purpose: purpose, entries: product.facts.product?.sourceEntries ?? []),
            context
        )
        if let previous = instance.facts.tallies[usage.subscription], previous.product != usage.product {
            throw context.refuse(
                .invalidInput,
                "subscription \(usage.subscription) is for \(previous.product)",
                articles
            )
        }
        var trace = TraceKeys()
        trace.agreementID = agreementID
        trace.operatorID = terms.terms.operatorParty
        trace.agencyID = terms.terms.implementingAgency
        trace.productID = usage.product
        trace.pricePlanID = plan.id
        trace.scenarioID = usage.scenario
        let recorded = UsageRecorded(
            usage: usage,
            purpose: purpose,
            usageDay: context.today,
            plan: plan.id,
            planVersion: plan.version,
            classes: scenario.facts.classes.sorted()
        )
        return Draft(
            .usageRecorded(recorded),
            trace: trace,
            id: EventID("usage:\(agreementID):\(usage.idempotencyKey)")
        )
    }

    /// Every product with an issued invoice or credit note under the agreement, in order.
    static func reportedProducts(_ facts: Facts) -> [ProductID] {
        Set(facts.issued.values.map(\.product)).union(facts.credits.values.joined().map(\.product)).sorted()
    }

    /// The annual operating report of `year` (Art. 21; 65号 step 6) built from the recorded invoices and credit
    /// notes with `OperatingAccounts.annualReport(year:operatorParty:invoices:creditNotes:...)`: the year's
    /// invoices and credit notes, revenue per product, line kind and plan version, the approved allowance, the
    /// year's close with its deduction, and every plan version in force against its caps.
    static func annualReport(
        _ year: Int,
        _ instance: ProcessInstance<Self>,
        products: [ProductID: ProductProcess.Facts],
        context: DecisionContext? = nil
    ) throws(WorkflowError) -> AnnualReport {
        let facts = instance.facts
        let operatorParty = instance.trace.operatorID ?? PartyID("unknown")
        do {
            return try OperatingAccounts.annualReport(
                year: year,
                operatorParty: operatorParty,
                invoices: Array(facts.issued.values),
                creditNotes: Array(facts.credits.values.joined()),
                books: products.keys.sorted().compactMap { products[$0]?.priceBook },
                caps: products.keys.sorted().flatMap { products[$0]?.feeCaps ?? [] },
                allowance: facts.approvedAllowance(year),
                close: facts.yearCloses[year]
            )
        } catch {
            guard let context else {
                var failure = WorkflowError(code: .pricing, message: "\(error)", articles: ["Art. 21", "65号"])
                failure.details = WorkflowError.Details(error)
                throw failure
            }
            throw context.refuse(error, ["Art. 21", "65号"])
        }
    }

    /// The annual operating report of `year` is due on 31 March of the next year.
    static func annualReportDue(_ year: Int) -> CivilDate {
        CivilDate(year: year + 1, month: 3, day: 31) ?? CivilDate(daysSinceEpoch: 0)
    }

    /// The close of `year` against its effective allowance (65号 step 5).
    static func closeYear(
        _ year: Int,
        _ instance: ProcessInstance<Self>,
        context: DecisionContext
    ) throws(WorkflowError) -> Draft<Self> {
        let articles = ["Art. 21", "Art. 22", "65号"]
        let facts = instance.facts
        var details = WorkflowError.Details(party: instance.trace.operatorID, year: year)
        func refusal(_ code: WorkflowError.Code, _ message: String) -> WorkflowError {
            var error = context.refuse(code, message, articles)
            error.details = details
            return error
        }
        guard let period = BillingPeriod.year(year) else { throw refusal(.invalidInput, "\(year) is not a year") }
        details.period = period
        if facts.yearCloses[year] != nil {
            throw refusal(.invalidState, "\(year) is already closed (pricing \(PricingError.Code.periodAlreadyClosed))")
        }
        guard context.today > period.end else {
            throw refusal(.invalidState, "\(year) is not over (today is \(context.today))")
        }
        guard let allowed = facts.approvedAllowance(year) else {
            throw refusal(
                .invalidState,
                "no maximum allowed revenue of \(year) is approved by both the price department and the data "
                    + "administration (pricing \(PricingError.Code.allowanceMissing))"
            )
        }
        if let earlier = facts.allowances.keys.filter({ $0 < year && facts.yearCloses[$0] == nil }).min(),
            facts.approvedAllowance(earlier) != nil
        {
            throw refusal(
                .invalidState,
                "\(earlier) is approved but not closed; years close in order (pricing \(PricingError.Code.periodOutOfOrder))"
            )
        }
        if let open = facts.records.values.first(where: { $0.usageDay.year <= year }) {
            throw refusal(
                .invalidState,
                "usage \(open.usage.idempotencyKey) of \(open.usageDay) is not invoiced yet; close its period first"
            )
        }
        let revenue = facts.netRevenue(year)
        let deduction = facts.yearCloses[year - 1]?.carriedToNext ?? .zero
        do {
            let close = try GuidedPrice.close(
                allowed,
                revenue: Money(fen: max(0, revenue.fen)),
                deductionBroughtIn: deduction
            )
            let due = annualReportDue(year)
            let report = context.deadline(
                Deadline.annualReport,
                instance,
                dueDay: due,
                dueAt: context.calendar.endOfDay(due)
            )
            return Draft(.yearClosed(YearClosed(year: year, close: close)), deadlines: [report])
        } catch {
            throw context.refuse(error, articles)
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .annualReport:
            let pending = instance.facts.yearCloses.keys.filter { instance.facts.annualReports[$0] == nil }
            guard let year = pending.max() else { return nil }
            return Draft(.annualReportOverdue(AnnualReportOverdue(year: year)))
        }
    }

    /// Each payer of an invoice, as the business-entity recipients of a close (fees are charged to the consumer,
    /// who is told what it owes: Art. 22; 65号).
    static func payers(of closed: PeriodClosed) -> [Role: [PartyID]] {
        var payers: [PartyID] = []
        for invoice in closed.invoices where !payers.contains(invoice.consumer) { payers.append(invoice.consumer) }
        return [.businessEntity: payers]
    }

    /// The payers of the exit's settlement as its business-entity recipients (each is told what it owes).
    static func payersTold(_ instance: ProcessInstance<Self>, _ event: Event) -> [Role: [PartyID]] {
        guard case .settledOnExit(let closed) = event else { return [:] }
        return payers(of: closed)
    }

    /// The final close: the open period's usage rated through today.
    static func final(
        _ instance: ProcessInstance<Self>,
        label: String,
        context: DecisionContext
    ) async throws(WorkflowError) -> PeriodClosed {
        let today = context.today
        let start = min(instance.facts.tallies.values.map(\.firstDay).min() ?? today, today)
        var invoices: [Invoice] = []
        var revenue = Money.zero
        if let period = try? BillingPeriod(start: start, end: today) {
            (invoices, revenue) = try await rate(instance, period: period, context: context)
        }
        let summary = SettlementSummary(period: label, usageCount: instance.facts.usageCount, revenue: revenue)
        var dues: [PayerDue] = []
        for invoice in invoices {
            if let index = dues.firstIndex(where: { $0.payer == invoice.consumer }) {
                do {
                    dues[index].owed = try dues[index].owed.adding(invoice.total)
                } catch {
                    throw context.refuse(.pricing, "\(error)", ["Art. 22"])
                }
                dues[index].invoices.append(invoice.id)
            } else {
                dues.append(PayerDue(payer: invoice.consumer, owed: invoice.total, invoices: [invoice.id]))
            }
        }
        return PeriodClosed(invoices: invoices, settlement: summary, payers: dues)
    }

    /// Rates every subscription of the open period into an invoice with its product's price book.
    ///
    /// A period is cut at every plan version boundary: each version in force on some day of the period prices
    /// the usage recorded while it was in force (`Rating.rate(_:segments:)`), one group of lines per version.
    static func rate(
        _ instance: ProcessInstance<Self>,
        period: BillingPeriod,
        context: DecisionContext
    ) async throws(WorkflowError) -> ([Invoice], Money) {
        var invoices: [Invoice] = []
        var total = Money.zero
        let bySubscription = Dictionary(grouping: instance.facts.records.values, by: \.usage.subscription)
        for subscriptionID in bySubscription.keys.sorted() {
            let records = (bySubscription[subscriptionID] ?? []).sorted { $0.usageDay < $1.usageDay }
            guard let first = records.first, let latest = records.last else { continue }
            let productID = first.usage.product
            let product = try await context.load(ProductProcess.self, productID.rawValue)
            guard let book = product.facts.priceBook, let operatorParty = product.trace.operatorID else {
                throw context.refuse(.pricing, "product \(productID) has no price plan", ["Art. 22"])
            }
            do {
                let scenario = FiledScenario(
                    id: first.usage.scenario ?? ScenarioID("unfiled"),
                    purpose: first.purpose,
                    filingReference: first.usage.scenario.map { "filed scenario \($0)" } ?? "no filed scenario",
                    classes: Set(latest.classes ?? [])
                )
                let subscription = ProductSubscription(
                    id: subscriptionID,
                    product: productID,
                    consumer: first.usage.consumer,
                    operatorParty: operatorParty,
                    scenario: scenario,
                    startedOn: period.start
                )
                var segments: [RatingSegment] = []
                for plan in book.versions
                where plan.effectiveFrom <= period.end && (plan.effectiveThrough.map { $0 >= period.start } ?? true) {
                    let segment = try BillingPeriod(
                        start: max(plan.effectiveFrom, period.start),
                        end: min(plan.effectiveThrough ?? period.end, period.end)
                    )
                    let mine = records.filter {
                        ($0.planVersion ?? (try? book.plan(on: $0.usageDay).version)) == plan.version
                    }
                    var usage: [UsageAggregate] = []
                    for (unit, group) in Dictionary(grouping: mine, by: \.usage.unit) {
                        var aggregate = UsageAggregate(subscription: subscriptionID, period: segment, unit: unit)
                        for record in group {
                            aggregate.count += 1
                            aggregate.sum = try checkedSum(aggregate.sum, record.usage.quantity)
                            aggregate.max = max(aggregate.max, record.usage.quantity)
                        }
                        usage.append(aggregate)
                    }
                    segments.append(RatingSegment(plan: plan, period: segment, usage: usage))
                }
                guard !segments.isEmpty else {
                    throw PricingError(
                        code: .noPlanInEffect,
                        message: "no price plan of \(productID) is in force in \(period)",
                        product: productID,
                        period: period
                    )
                }
                let invoice = try Rating.rate(
                    RatingRequest(
                        invoiceID: InvoiceID("inv:\(instance.stream):\(instance.version + 1):\(subscriptionID)"),
                        subscription: subscription,
                        period: period,
                        issuedOn: context.today,
                        freePurposes: context.parameters.freePurposes
                    ),
                    segments: segments
                )
                total = try total.adding(invoice.total)
                invoices.append(invoice)
            } catch let error as PricingError {
                throw context.refuse(error, ["Art. 22", "65号"])
            } catch let error as WorkflowError {
                throw error
            } catch {
                throw context.refuse(.pricing, "subscription \(subscriptionID): \(error)", ["Art. 22", "65号"])
            }
        }
        return (invoices, total)
    }

    static func checkedSum(_ a: Int64, _ b: Int64) throws(PricingError) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw PricingError(code: .overflow, message: "usage quantity does not fit in 64 bits") }
        return sum
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .usageRecorded(let recorded), .usageRecordedInBatch(let recorded):
            let usage = recorded.usage
            facts.records[usage.idempotencyKey] = recorded
            facts.seenKeys.insert(usage.idempotencyKey)
            facts.usageCount += 1
            if var tally = facts.tallies[usage.subscription] {
                tally.count += 1
                tally.sum = tally.sum.addingReportingOverflow(usage.quantity).partialValue
                tally.max = Swift.max(tally.max, usage.quantity)
                facts.tallies[usage.subscription] = tally
            } else {
                let scenario = FiledScenario(
                    id: usage.scenario ?? ScenarioID("unfiled"),
                    purpose: recorded.purpose,
                    filingReference: usage.scenario.map { "scenario \($0)" } ?? "no filed scenario"
                )
                facts.tallies[usage.subscription] = UsageTally(
                    subscription: usage.subscription,
                    product: usage.product,
                    consumer: usage.consumer,
                    scenario: scenario,
                    unit: usage.unit,
                    count: 1,
                    sum: usage.quantity,
                    max: usage.quantity,
                    firstDay: recorded.usageDay
                )
            }
        case .periodClosed(let closed), .accountsSettled(let closed), .settledOnExit(let closed):
            facts.summary = closed.settlement
            facts.invoices = closed.invoices
            for invoice in closed.invoices {
                facts.issued[invoice.id] = invoice
                facts.invoicedThrough = max(facts.invoicedThrough ?? invoice.period.end, invoice.period.end)
            }
            facts.tallies = [:]
            facts.records = [:]
            facts.usageCount = 0
        case .revenueDistributed(let distributed): facts.allocations = distributed.allocations
        case .usageVoided(let voided):
            facts.voided.insert(voided.idempotencyKey)
            guard facts.records.removeValue(forKey: voided.idempotencyKey) != nil else { return }
            facts.usageCount -= 1
            let subscription = voided.usage.subscription
            let remaining = facts.records.values.filter { $0.usage.subscription == subscription }
            if var tally = facts.tallies[subscription], !remaining.isEmpty {
                tally.count = Int64(remaining.count)
                tally.sum = remaining.reduce(0) { $0.addingReportingOverflow($1.usage.quantity).partialValue }
                tally.max = remaining.map(\.usage.quantity).max() ?? 0
                tally.firstDay = remaining.map(\.usageDay).min() ?? tally.firstDay
                facts.tallies[subscription] = tally
            } else {
                facts.tallies[subscription] = nil
            }
        case .creditNoteIssued(let issued):
            facts.credits[issued.creditNote.corrects, default: []].append(issued.creditNote)
        case .allowanceApproved(let approved): facts.allowances[approved.year, default: []].append(approved)
        case .yearClosed(let closed): facts.yearCloses[closed.year] = closed.close
        case .annualReportFiled(let filed): facts.annualReports[filed.year] = filed
        case .annualReportOverdue: break
        }
    }
}

/// A year's maximum allowed revenue after the deduction (65号 steps 1 and 5), as the query returns it.
public struct AllowanceStatus: Codable, Sendable, Hashable {
    /// The year.
    public var year: Int
    /// The approved figures: cost, profit and tax, each with its source.
    public var allowedRevenue: AllowedRevenue
    /// cost + profit + tax.
    public var maximumAllowedRevenue: Money
    /// The excess of the previous year carried in (zero when the previous year is not closed).
    public var deductionBroughtIn: Money
    /// max(0, maximum − deduction): the revenue the operator may earn in the year.
    public var effectiveAllowance: Money
    /// The net revenue booked in the year so far (invoices less credit notes).
    public var revenueSoFar: Money
    /// The year's close, once closed.
    public var close: PeriodClose?
}

extension WorkflowEngine {
    /// The annual operating report of `year` under `agreement` (Art. 21; 65号 step 6): the one filed, else the
    /// figures as the recorded invoices and credit notes give them now (`nil` when neither exists: no invoice,
    /// credit note or close of the year and nothing filed).
    ///
    /// ```swift
    /// let report = try await engine.annualReport(agreement: "agr-1", year: 2026)
    /// report?.netRevenue    // the year's invoices less its credit notes, as the year close counted them
    /// ```
    public func annualReport(agreement: AgreementID, year: Int) async throws(WorkflowError) -> AnnualReport? {
        let settlement = try await instance(SettlementProcess.self, agreement.rawValue)
        if let filed = settlement.facts.annualReports[year]?.operating { return filed }
        var products: [ProductID: ProductProcess.Facts] = [:]
        for product in SettlementProcess.reportedProducts(settlement.facts) {
            products[product] = try await instance(ProductProcess.self, product.rawValue).facts
        }
        let report = try SettlementProcess.annualReport(year, settlement, products: products)
        guard !report.invoices.isEmpty || !report.creditNotes.isEmpty || report.operating.close != nil else {
            return nil
        }
        return report
    }

    /// The effective maximum allowed revenue of `year` under `agreement` (65号 steps 1 and 5): the approved
    /// figures, the deduction brought in from the previous year's close and what is left; `nil` until both the
    /// price department and the data administration approved the year.
    ///
    /// ```swift
    /// let status = try await engine.allowance(agreement: "agr-1", year: 2027)
    /// status?.effectiveAllowance   // the 2027 maximum less the 2026 excess
    /// ```
    public func allowance(agreement: AgreementID, year: Int) async throws(WorkflowError) -> AllowanceStatus? {
        try await instance(SettlementProcess.self, agreement.rawValue).facts.allowance(year)
    }
}

extension WorkflowCommand {
    /// A command of usage and settlement (Art. 21–24).
    public static func settlement(_ command: SettlementProcess.Command) -> WorkflowCommand {
        WorkflowCommand(SettlementProcess.self, command)
    }
}

extension CommandName {
    /// A settlement command.
    public static func settlement(_ name: SettlementProcess.Command.Name) -> CommandName {
        CommandName(SettlementProcess.self, name)
    }
}
