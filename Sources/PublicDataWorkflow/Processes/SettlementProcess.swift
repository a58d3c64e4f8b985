import PublicDataModel
import PublicDataPricing

/// Usage and settlement (Art. 21–24; 65号): usage metered per subscription, periods rated into invoices with
/// each product's versioned price book (`Rating`), revenue split by contribution (`RevenueDistribution`) and
/// the accounts settled. This process's events are the one source of truth for money: the accounts, the
/// disclosure and the reports read them.
public enum SettlementProcess: WorkflowProcess {
    public static let kind = ProcessKind.settlement
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

    public typealias Deadline = NoDeadline

    /// What a settlement remembers.
    public struct Facts: Sendable, Hashable {
        /// Usage per subscription in the open period.
        public var tallies: [SubscriptionID: UsageTally] = [:]
        /// Usage records in the open period.
        public var usageCount: Int64 = 0
        /// The latest closed period's summary.
        public var summary: SettlementSummary?
        /// The latest closed period's invoices.
        public var invoices: [Invoice] = []
        /// The latest distribution.
        public var allocations: [Allocation] = []
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Records one usage of a published product (metered, priced, idempotent by its key).
        case recordUsage(agreement: AgreementID, usage: UsageSpec)
        /// Closes the open period and rates every subscription into an invoice.
        case closeSettlementPeriod(agreement: AgreementID, period: BillingPeriod)
        /// Distributes the closed period's revenue by contribution weights.
        case distributeRevenue(agreement: AgreementID, shares: [RevenueShare])
        /// Closes the period and settles the accounts for good.
        case settleAccounts(agreement: AgreementID)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case recordUsage, closeSettlementPeriod, distributeRevenue, settleAccounts

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
                            "a price plan version is in force on the usage day", "the unit is the plan's unit",
                            "a duplicate key is counted once", "the purpose comes from the active scenario",
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
                }
            }
        }

        public var name: Name {
            switch self {
            case .recordUsage: .recordUsage
            case .closeSettlementPeriod: .closeSettlementPeriod
            case .distributeRevenue: .distributeRevenue
            case .settleAccounts: .settleAccounts
            }
        }

        public var instanceID: String {
            switch self {
            case .recordUsage(let id, _), .closeSettlementPeriod(let id, _), .distributeRevenue(let id, _),
                .settleAccounts(let id):
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
    }

    /// A closed period, its invoices and its summary.
    public struct PeriodClosed: Codable, Sendable, Hashable {
        /// The invoices.
        public var invoices: [Invoice]
        /// The summary.
        public var settlement: SettlementSummary
        /// A note (e.g. why the exit settled without invoices).
        public var note: String?
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

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case usageRecorded = "settlement.usageRecorded"
            case periodClosed = "settlement.periodClosed"
            case revenueDistributed = "settlement.revenueDistributed"
            case accountsSettled = "settlement.accountsSettled"
            case settledOnExit = "settlement.settledOnExit"
        }

        public var kind: Kind {
            switch self {
            case .usageRecorded: .usageRecorded
            case .periodClosed: .periodClosed
            case .revenueDistributed: .revenueDistributed
            case .accountsSettled: .accountsSettled
            case .settledOnExit: .settledOnExit
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .usageRecorded(let payload): try payload.encode(to: encoder)
            case .periodClosed(let payload), .accountsSettled(let payload), .settledOnExit(let payload):
                try payload.encode(to: encoder)
            case .revenueDistributed(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .usageRecorded: self = .usageRecorded(try UsageRecorded(from: decoder))
            case .periodClosed: self = .periodClosed(try PeriodClosed(from: decoder))
            case .revenueDistributed: self = .revenueDistributed(try Distributed(from: decoder))
            case .accountsSettled: self = .accountsSettled(try PeriodClosed(from: decoder))
            case .settledOnExit: self = .settledOnExit(try PeriodClosed(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .usageRecorded: UsageRecorded.self
            case .periodClosed: PeriodClosed.self
            case .revenueDistributed: Distributed.self
            case .accountsSettled: PeriodClosed.self
            case .settledOnExit: PeriodClosed.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        let unsettled: [State?] = [nil, .open, .closed, .distributed]
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
            return EventSpec(.exit, from: unsettled, to: .settled, notifies: [.operator, .financeDepartment])
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
                throw context.refuse(
                    .invalidInput,
                    "the plan meters \(charge.unit.rawValue)s, not \(usage.unit.rawValue)s",
                    articles
                )
            }
            let (agreement, terms) = try await context.agreement(agreementID)
            try context.require(agreement, in: [.active], ["Art. 13"])
            // Art. 25, 27, 30: a use belongs to the consumer's filed, active scenario of this product.
            guard let scenarioID = usage.scenario else {
                throw context.refuse(
                    .notAuthorized,
                    "a use of \(usage.product) names no scenario; file the consumer's scenario first",
                    ["Art. 25", "Art. 27"]
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
                    ["Art. 25", "Art. 27", "Art. 30"]
                )
            }
            let purpose = spec.purpose
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
            let recorded = UsageRecorded(usage: usage, purpose: purpose, usageDay: context.today)
            return [
                Draft(
                    .usageRecorded(recorded),
                    trace: trace,
                    id: EventID("usage:\(agreementID):\(usage.idempotencyKey)")
                )
            ]
        case .closeSettlementPeriod(_, let period):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            let (invoices, revenue) = try await rate(instance, period: period, context: context)
            let summary = SettlementSummary(
                period: "\(period.start)...\(period.end)",
                usageCount: instance.facts.usageCount,
                revenue: revenue
            )
            let closed = PeriodClosed(invoices: invoices, settlement: summary)
            return [Draft(.periodClosed(closed), recipients: payers(of: closed))]
        case .distributeRevenue(_, let shares):
            let total = instance.facts.summary?.revenue ?? .zero
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
        }
    }

    /// Each payer of an invoice, as the business-entity recipients of a close (fees are charged to the consumer,
    /// who is told what it owes: Art. 22; 65号).
    static func payers(of closed: PeriodClosed) -> [Role: [PartyID]] {
        var payers: [PartyID] = []
        for invoice in closed.invoices where !payers.contains(invoice.consumer) { payers.append(invoice.consumer) }
        return [.businessEntity: payers]
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
        return PeriodClosed(invoices: invoices, settlement: summary)
    }

    /// Rates every subscription of the open period into an invoice with its product's price book.
    static func rate(
        _ instance: ProcessInstance<Self>,
        period: BillingPeriod,
        context: DecisionContext
    ) async throws(WorkflowError) -> ([Invoice], Money) {
        var invoices: [Invoice] = []
        var total = Money.zero
        for tally in instance.facts.tallies.values.sorted(by: { $0.subscription < $1.subscription }) {
            let product = try await context.load(ProductProcess.self, tally.product.rawValue)
            guard let book = product.facts.priceBook, let operatorParty = product.trace.operatorID else {
                throw context.refuse(.pricing, "product \(tally.product) has no price plan", ["Art. 22"])
            }
            do {
                let plan = (try? book.plan(on: period.start)) ?? book.versions.last
                guard let plan else { throw context.refuse(.pricing, "product \(tally.product) has no price plan") }
                let subscription = ProductSubscription(
                    id: tally.subscription,
                    product: tally.product,
                    consumer: tally.consumer,
                    operatorParty: operatorParty,
                    scenario: tally.scenario,
                    startedOn: period.start
                )
                let usage = UsageAggregate(
                    subscription: tally.subscription,
                    period: period,
                    unit: tally.unit,
                    count: tally.count,
                    sum: tally.sum,
                    max: tally.max
                )
                let invoice = try Rating.rate(
                    RatingRequest(
                        invoiceID: InvoiceID("inv:\(instance.stream):\(instance.version + 1):\(tally.subscription)"),
                        subscription: subscription,
                        period: period,
                        usage: [usage],
                        issuedOn: context.today,
                        freePurposes: context.parameters.freePurposes
                    ),
                    plan: plan
                )
                total = try total.adding(invoice.total)
                invoices.append(invoice)
            } catch let error as WorkflowError {
                throw error
            } catch {
                throw context.refuse(.pricing, "subscription \(tally.subscription): \(error)", ["Art. 22", "65号"])
            }
        }
        return (invoices, total)
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .usageRecorded(let recorded):
            let usage = recorded.usage
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
            facts.tallies = [:]
            facts.usageCount = 0
        case .revenueDistributed(let distributed): facts.allocations = distributed.allocations
        }
    }
}
