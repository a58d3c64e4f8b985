import Foundation
import PublicDataKit

/// What one run of the lifecycle demo produced; the end-to-end tests assert on it.
public struct DemoReport: Sendable {
    /// Every command outcome, in order.
    public var outcomes: [CommandOutcome]
    /// Every deadline the scheduler fired.
    public var firedDeadlines: [FiredDeadline]
    /// Every notification the outbox delivered (to a `DemoNotificationSink`).
    public var notifications: [NotificationMessage]
    /// The invoices of the closed period.
    public var invoices: [Invoice]
    /// The revenue split.
    public var allocations: [Allocation]
    /// The yearly disclosure for 2026.
    public var disclosure: Disclosure
    /// The last signed checkpoint.
    public var checkpoint: SignedCheckpoint
    /// The ledger's verification of the store at the end.
    public var verification: StoreVerification
    /// The whole log at the end.
    public var events: [RecordedEvent]

    /// The number of events of each type.
    public var eventCounts: [String: Int] {
        events.reduce(into: [:]) { $0[$1.type, default: 0] += 1 }
    }

    /// The outcome of the last command on `stream`.
    public func lastOutcome(on stream: StreamID) -> CommandOutcome? {
        outcomes.last { $0.stream == stream }
    }
}

/// A failure of the demo scenario itself (a step the library refused): a bug, reported with the step.
public struct DemoFailure: Error, Sendable, CustomStringConvertible {
    /// The step that failed.
    public var step: String
    /// The underlying error.
    public var message: String

    /// `step: message`.
    public var description: String { "demo step '\(step)' failed: \(message)" }
}

/// The Beijing finance-zone lifecycle, from the approved plan to the operator's exit, told as a narrative.
public enum LifecycleDemo {
    /// The audit ledger's name.
    public static let ledgerName = "beijing-finance-zone"

    /// Runs the whole lifecycle on `store` (which should be empty) and prints the narrative.
    ///
    /// The clock is a demo clock starting on Monday 5 January 2026 at 09:00 Beijing time and the calendar
    /// knows the 2026 public holidays, so the narrative is the same on every run (only event ids and hashes
    /// differ).
    /// - Parameters:
    ///   - store: The event store.
    ///   - hasher: The audit ledger's hash (SHA-256 or SM3).
    ///   - output: Where the narrative goes.
    /// - Returns: What happened.
    /// - Throws: ``DemoFailure`` when a step is refused, or the store's or ledger's error.
    public static func run(
        store: any EventStore,
        hasher: any LedgerHasher = SHA256Hasher(),
        output: TextOutput
    ) async throws -> DemoReport {
        let narrator = Narrator(store: store, hasher: hasher, output: output)
        return try await narrator.run()
    }
}

/// Drives the application and tells what happens.
final class Narrator {
    typealias W = DemoWorld

    let clock: DemoClock
    let sink = DemoNotificationSink()
    let app: PublicDataApplication
    let output: TextOutput
    var outcomes: [CommandOutcome] = []
    var fired: [FiredDeadline] = []
    var printedNotifications = 0
    var chapter = 0

    init(store: any EventStore, hasher: any LedgerHasher, output: TextOutput) {
        self.output = output
        self.clock = DemoClock(now: W.calendar.startOfDay(W.start).addingTimeInterval(9 * 3600))
        self.app = PublicDataApplication(
            configuration: PublicDataConfiguration(
                store: store,
                sink: sink,
                clock: clock,
                calendar: W.calendar,
                policy: .beijingDefault,
                hasher: hasher,
                ledgerName: LifecycleDemo.ledgerName,
                authorities: W.authorities,
                retry: RetryPolicy(maximumAttempts: 1)
            )
        )
    }

    // MARK: - Narrative helpers

    func title(_ text: String) {
        chapter += 1
        output.line()
        output.line("━━ \(chapter). \(text)")
    }

    func note(_ text: String) {
        output.line("     \(text)")
    }

    var today: CivilDate { W.calendar.civilDate(of: clock.now()) }

    /// Moves the clock to 09:00 (or `hour`) of `day`, then fires due deadlines and delivers notifications.
    func go(to day: CivilDate, hour: Int = 9) async throws {
        let target = W.calendar.startOfDay(day).addingTimeInterval(Double(hour) * 3600)
        if target > clock.now() { clock.set(target) }
        output.line()
        output.line("  📅 \(day) \(weekday(day))\(W.calendar.isWorkingDay(day) ? "" : " (not a working day)")")
        try await background()
    }

    func weekday(_ day: CivilDate) -> String {
        ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][day.isoWeekday]
    }

    static func name(_ party: PartyID?) -> String {
        guard let party else { return "—" }
        return W.names[party].map { "\($0) [\(party)]" } ?? party.rawValue
    }

    /// Executes a command and prints its outcome, decision, deadlines and notifications.
    @discardableResult
    func step(_ command: WorkflowCommand, by actor: Principal, _ comment: String? = nil) async throws -> CommandOutcome
    {
        let outcome: CommandOutcome
        do {
            outcome = try await app.execute(command, by: actor)
        } catch {
            throw DemoFailure(step: "\(command.name.rawValue) on \(command.stream)", message: "\(error)")
        }
        outcomes.append(outcome)
        let mark = outcome.isRefusal ? "✗" : "✓"
        let articles = command.name.spec.articles
        output.line(
            "  \(mark) \(actor.role.rawValue) \(Self.name(actor.party)): \(command.name.rawValue) "
                + "\(command.stream) → \(outcome.state)"
                + (articles.isEmpty ? "" : "  [\(articles.joined(separator: ", "))]")
        )
        if let comment { note(comment) }
        if let decision = outcome.decision { printDecision(decision) }
        for event in outcome.events {
            for deadline in Self.openedDeadlines(event) {
                note("⏳ deadline '\(deadline.key)' opened, due \(deadline.dueDay) \(weekday(deadline.dueDay))")
            }
        }
        try await background()
        return outcome
    }

    /// The deadlines a workflow event opened (none for an event of no process).
    static func openedDeadlines(_ event: RecordedEvent) -> [ScheduledDeadline] {
        guard let kind = ProcessKind.of(event.streamID) else { return [] }
        return openedDeadlines(event, of: Processes.type(of: kind))
    }

    private static func openedDeadlines<P: WorkflowProcess>(
        _ event: RecordedEvent,
        of process: P.Type
    ) -> [ScheduledDeadline] {
        (try? EventEnvelope<P>(decoding: event))?.deadlines ?? []
    }

    func printDecision(_ decision: Decision) {
        let rules = decision.firedRules.joined(separator: ", ")
        note(
            "decision: \(decision.effect.rawValue.uppercased()) (\(rules)) — cites \(decision.citedArticles.joined(separator: ", "))"
        )
        for reason in decision.reasons where !decision.isPermit || decision.reasons.count <= 3 {
            note("  · \(reason.articles.joined(separator: ", ")) [\(reason.ruleID)] \(reason.message)")
        }
        for obligation in decision.obligations {
            note(
                "  ⚑ obligation \(obligation.kind.rawValue) (\(obligation.article))\(obligation.detail.map { ": \($0)" } ?? "")"
            )
        }
    }

    /// Fires due deadlines and delivers notifications, printing both.
    func background() async throws {
        let due = try await app.advanceDeadlines()
        for deadline in due {
            fired.append(deadline)
            output.line(
                "  ⏰ deadline '\(deadline.deadline.key)' of \(deadline.deadline.stream) (due \(deadline.deadline.dueDay)) "
                    + "fired: \(deadline.event.type)"
            )
        }
        try await app.dispatchNotifications()
        let delivered = sink.notifications
        for notification in delivered.dropFirst(printedNotifications) {
            let due = notification.due.map { ", due \($0)" } ?? ""
            note(
                "✉ to \(Self.name(notification.recipient)) as \(notification.recipientRole.rawValue): "
                    + "\(notification.kind)\(due)"
            )
        }
        printedNotifications = delivered.count
    }

    // MARK: - The story

    func run() async throws -> DemoReport {
        output.line("Beijing finance zone (北京金融公共数据专区): the authorized operation of public data, start to finish")
        output.line(
            "Policy \(app.configuration.policy.id)@\(app.configuration.policy.version); clock starts \(W.start) 09:00 (Asia/Shanghai)"
        )
        try await planAndSelection()
        try await agreementAndRegistration()
        try await dataRequests()
        try await productAndScenarios()
        let (invoices, allocations) = try await usageAndSettlement()
        try await objections()
        let disclosure = try await yearlyDisclosure()
        try await evaluationAndExit()
        let (checkpoint, verification) = try await auditLedger()
        let events = try await app.store.readAll(after: 0, pageSize: 1000)
        return DemoReport(
            outcomes: outcomes,
            firedDeadlines: fired,
            notifications: sink.notifications,
            invoices: invoices,
            allocations: allocations,
            disclosure: disclosure,
            checkpoint: checkpoint,
            verification: verification,
            events: events
        )
    }

    func planAndSelection() async throws {
        title("Catalog and implementation plan (Arts. 10–11)")
        try await go(to: W.start)
        for (entry, clerk) in W.catalog {
            try await step(
                .catalog(.publishCatalogEntry(entry: entry)),
                by: clerk,
                "\(entry.name): \(entry.sharing.rawValue), \(entry.openness.rawValue), grade \(entry.grade.rawValue)"
            )
        }
        try await step(.plan(.draftPlan(plan: W.plan)), by: W.agencyClerk)
        try await step(.plan(.submitPlan(plan: W.planID)), by: W.agencyClerk)
        try await step(
            .plan(.approvePlan(plan: W.planID)),
            by: W.governmentClerk,
            "approved by the municipal government (Art. 11)"
        )
        try await step(.plan(.publishPlan(plan: W.planID)), by: W.agencyClerk)

        title("Operator selection (Art. 12)")
        try await go(to: W.day(2026, 1, 6))
        try await step(.selection(.announceSelection(announcement: W.announcement)), by: W.agencyClerk)
        try await step(
            .selection(.applyForSelection(selection: W.selectionID, application: W.application)),
            by: W.operatorClerk
        )
        try await step(
            .selection(.applyForSelection(selection: W.selectionID, application: W.shadyApplication)),
            by: W.candidateClerk
        )
        try await step(.selection(.closeApplications(selection: W.selectionID)), by: W.agencyClerk)
        let review = try await step(.selection(.reviewQualifications(selection: W.selectionID)), by: W.agencyClerk)
        for event in review.events {
            switch try EventEnvelope<SelectionProcess>(decoding: event).event {
            case .qualificationsReviewed(let reviewed), .noEligibleCandidate(let reviewed):
                for result in reviewed.qualifications {
                    note("candidate \(Self.name(result.candidate)):")
                    printDecision(result.decision)
                }
            default:
                break
            }
        }
        try await step(
            .selection(.selectOperator(selection: W.selectionID, candidate: W.operatorParty)),
            by: W.agencyClerk
        )
    }

    func agreementAndRegistration() async throws {
        title("Authorization agreement: signed and filed (Art. 13)")
        try await go(to: W.day(2026, 1, 7))
        try await step(.agreement(.draftAgreement(terms: W.terms, selection: W.selectionID)), by: W.agencyClerk)
        try await step(
            .agreement(
                .recordCollectiveDecision(agreement: W.agreementID, minutes: "2026年第1次党组会 (collective decision)")
            ),
            by: W.agencyClerk
        )
        try await step(.agreement(.signAgreement(agreement: W.agreementID)), by: W.operatorClerk)
        try await step(
            .agreement(.countersignAgreement(agreement: W.agreementID)),
            by: W.agencyClerk,
            "the agency signs after the operator (Art. 13)"
        )
        try await step(
            .agreement(.countersignAgreement(agreement: W.agreementID)),
            by: W.localFinanceClerk,
            "the competent department the terms name co-signs (会同, Art. 13)"
        )
        try await go(to: W.day(2026, 1, 8))
        try await step(
            .agreement(.fileAgreement(agreement: W.agreementID, filingNumber: "京数备〔2026〕001")),
            by: W.administrationClerk
        )
        try await go(to: W.day(2026, 1, 12))
        try await step(
            .agreement(.activateAgreement(agreement: W.agreementID)),
            by: W.agencyClerk,
            "term \(W.terms.start) – \(W.terms.end)"
        )

        title("Security records and officer (Art. 31; 87号 §7)")
        for record in W.securityRecords {
            try await step(
                .securityRecord(.recordSecurityRecord(record: record)),
                by: W.operatorClerk,
                "new grants need every record valid (securityDutiesBeforeGrant)"
            )
        }
        try await step(.securityRecord(.nameSecurityOfficer(officer: W.securityOfficer)), by: W.operatorClerk)

        title("Registration of the data resources (登记, Art. 9)")
        try await go(to: W.day(2026, 1, 13))
        try await step(.registration(.applyRegistration(application: W.registration)), by: W.marketRegulationClerk)
        try await step(.registration(.acceptRegistration(registration: W.registration.id)), by: W.administrationClerk)
        try await step(
            .registration(
                .completeFormalReview(registration: W.registration.id, passed: true, note: "materials complete")
            ),
            by: W.administrationClerk,
            "public notice of \(app.configuration.policy.parameters.registrationNoticeWorkingDays) working days"
        )
        try await go(to: W.day(2026, 1, 21))
        try await step(
            .registration(.issueRegistrationCode(registration: W.registration.id, code: "BJ-DR-2026-000017")),
            by: W.administrationClerk
        )
    }

    func dataRequests() async throws {
        title("Data requests (Arts. 5, 16–19, 26)")
        try await go(to: W.day(2026, 2, 2))
        try await step(.dataRequest(.submitDataRequest(request: W.grantedRequest)), by: W.operatorClerk)
        try await step(
            .dataRequest(.evaluateDataRequest(request: W.grantedRequest.id)),
            by: W.agencyClerk,
            "open data: granted"
        )
        try await step(
            .dataRequest(.provisionData(request: W.grantedRequest.id, note: "sandbox space s-017")),
            by: W.centerClerk
        )

        try await step(.dataRequest(.submitDataRequest(request: W.conditionalRequest)), by: W.operatorClerk)
        try await step(
            .dataRequest(.evaluateDataRequest(request: W.conditionalRequest.id)),
            by: W.agencyClerk,
            "conditional share: the owning industry department co-reviews"
        )
        try await step(
            .dataRequest(
                .coReviewDataRequest(
                    request: W.conditionalRequest.id,
                    approve: true,
                    note: "scenario limited to credit scoring"
                )
            ),
            by: W.taxClerk
        )
        try await step(
            .dataRequest(.provisionData(request: W.conditionalRequest.id, note: "privacy computing node pc-03")),
            by: W.centerClerk
        )

        try await step(.dataRequest(.submitDataRequest(request: W.coreRequest)), by: W.operatorClerk)
        try await step(
            .dataRequest(.evaluateDataRequest(request: W.coreRequest.id)),
            by: W.agencyClerk,
            "core-grade data is never authorized"
        )

        try await step(.dataRequest(.submitDataRequest(request: W.personalRequest)), by: W.operatorClerk)
        try await step(
            .dataRequest(.evaluateDataRequest(request: W.personalRequest.id)),
            by: W.agencyClerk,
            "personal information, neither anonymized nor consented"
        )
    }

    func productAndScenarios() async throws {
        title("Product: compliance, filing, registration, fee cap, publication (Arts. 20–22, 27)")
        try await go(to: W.day(2026, 2, 4))
        try await step(.product(.draftProduct(product: W.product)), by: W.operatorClerk)
        try await step(.product(.assessProductCompliance(product: W.productID)), by: W.agencyClerk)
        try await step(.product(.fileProduct(product: W.productID)), by: W.operatorClerk)
        try await step(.product(.registerProduct(product: W.productID, registration: nil)), by: W.administrationClerk)
        try await step(
            .product(.setFeeCap(product: W.productID, cap: W.feeCap)),
            by: W.agencyClerk,
            "cap \(W.feeCap.limit) (\(W.feeCap.source))"
        )
        try await go(to: W.day(2026, 3, 2))
        let overCap = W.pricePlan.replacingPrice(fen: 80)
        do {
            try await app.execute(.product(.publishProduct(product: W.productID, plan: overCap)), by: W.operatorClerk)
            throw DemoFailure(step: "publishProduct above the cap", message: "a price above the cap was accepted")
        } catch let error as WorkflowError {
            output.line("  ✗ operator: publishProduct at ¥0.80 per call → refused, nothing recorded (\(error.code))")
            note(error.message)
        }
        try await step(
            .product(.publishProduct(product: W.productID, plan: W.pricePlan)),
            by: W.operatorClerk,
            "trial fee ¥0.20 per call, under the cap of ¥0.50"
        )

        title("Downstream scenarios (Arts. 20, 25, 27)")
        for (scenario, clerk) in [(W.loanScenario, W.bankClerk), (W.welfareScenario, W.welfareClerk)] {
            try await step(
                .scenario(.applyScenario(scenario: scenario)),
                by: clerk,
                "\(scenario.description), purpose \(scenario.purpose.rawValue)"
            )
            try await step(.scenario(.assessScenario(scenario: scenario.id)), by: W.operatorClerk)
            try await step(.scenario(.fileScenario(scenario: scenario.id)), by: W.operatorClerk)
            try await step(.scenario(.activateScenario(scenario: scenario.id)), by: W.agencyClerk)
        }
    }

    func usageAndSettlement() async throws -> ([Invoice], [Allocation]) {
        title("Usage metering (Art. 28), invoice, period close and revenue split (Arts. 22–24)")
        let uses: [(CivilDate, UsageSpec)] = [
            (W.day(2026, 3, 3), W.usage("bank-0303", 500)),
            (W.day(2026, 3, 10), W.usage("bank-0310", 300)),
            (
                W.day(2026, 3, 12),
                W.usage("aid-0312", 400, consumer: W.welfare, subscription: "sub-rural-aid", scenario: "scn-rural-aid")
            ),
            (W.day(2026, 3, 17), W.usage("bank-0317", 200)),
        ]
        for (day, usage) in uses {
            try await go(to: day)
            try await step(
                .settlement(.recordUsage(agreement: W.agreementID, usage: usage)),
                by: W.operatorClerk,
                "\(usage.quantity) calls by \(Self.name(usage.consumer)) under \(usage.scenario?.rawValue ?? "—")"
            )
        }
        let unfiled = W.usage("bank-unfiled", 50, scenario: "scn-unfiled")
        do {
            try await app.execute(
                .settlement(.recordUsage(agreement: W.agreementID, usage: unfiled)),
                by: W.operatorClerk
            )
            throw DemoFailure(
                step: "recordUsage outside a scenario",
                message: "a use without a filed scenario was recorded"
            )
        } catch let error as WorkflowError {
            output.line(
                "  ✗ operator: recordUsage under an unfiled scenario → refused, nothing recorded (\(error.code), "
                    + "\(error.articles.joined(separator: ", ")))"
            )
        }
        let retry = try await app.execute(
            .settlement(.recordUsage(agreement: W.agreementID, usage: W.usage("bank-0317", 200))),
            by: W.operatorClerk
        )
        output.line("  ↻ the same usage record sent again: deduplicated = \(retry.deduplicated) (counted once)")

        try await go(to: W.day(2026, 4, 1))
        let closed = try await step(
            .settlement(.closeSettlementPeriod(agreement: W.agreementID, period: try W.billingPeriod())),
            by: W.agencyClerk
        )
        var invoices: [Invoice] = []
        var summary: SettlementSummary?
        for event in closed.events {
            if case .periodClosed(let payload) = try EventEnvelope<SettlementProcess>(decoding: event).event {
                invoices = payload.invoices
                summary = payload.settlement
            }
        }
        for invoice in invoices {
            let exemption = invoice.exemption.map { " — free: \($0.condition)" } ?? ""
            note(
                "🧾 invoice \(invoice.id) to \(Self.name(invoice.consumer)), purpose \(invoice.purpose.rawValue): "
                    + "subtotal \(invoice.subtotal), total \(invoice.total), waived \(invoice.waivedAmount)\(exemption)"
            )
        }
        if let settlement = summary {
            note("period \(settlement.period): \(settlement.usageCount) usage records, revenue \(settlement.revenue)")
        }
        let distributed = try await step(
            .settlement(.distributeRevenue(agreement: W.agreementID, shares: W.shares)),
            by: W.financeClerk
        )
        var allocations: [Allocation] = []
        for event in distributed.events {
            if case .revenueDistributed(let split) = try EventEnvelope<SettlementProcess>(decoding: event).event {
                allocations = split.allocations
            }
        }
        for allocation in allocations {
            note(
                "💴 \(Self.name(allocation.party)) (\(allocation.role.rawValue), weight \(allocation.weight)): \(allocation.amount)"
            )
        }
        return (invoices, allocations)
    }

    func objections() async throws {
        title("Quality objections (Art. 18)")
        try await go(to: W.day(2026, 4, 2))
        for objection in [W.answeredObjection, W.overdueObjection] {
            try await step(
                .objection(.raiseObjection(objection: objection)),
                by: W.operatorClerk,
                objection.description
            )
            try await step(
                .objection(.acceptObjection(objection: objection.id)),
                by: W.administrationClerk,
                "\(app.configuration.policy.parameters.objectionResponseWorkingDays) working days to answer; "
                    + "the Qingming holiday (2026-04-06) does not count"
            )
        }
        try await go(to: W.day(2026, 4, 3))
        let id = W.answeredObjection.id
        try await step(.objection(.startVerification(objection: id)), by: W.marketRegulationProvider)
        try await step(
            .objection(.feedBackObjection(objection: id, finding: "312 deregistrations not synchronised")),
            by: W.marketRegulationProvider
        )
        try await step(
            .objection(.correctObjection(objection: id, note: "status field reloaded")),
            by: W.marketRegulationProvider
        )
        try await step(.objection(.closeObjection(objection: id)), by: W.administrationClerk, "answered in time")
        note("the tax bureau does not answer \(W.overdueObjection.id) …")
        try await go(to: W.day(2026, 4, 13))
        try await step(
            .objection(.feedBackObjection(objection: W.overdueObjection.id, finding: "district definitions aligned")),
            by: W.taxProvider,
            "answered after the escalation"
        )
    }

    func yearlyDisclosure() async throws -> Disclosure {
        title("Yearly disclosure for 2026 (Art. 32)")
        try await go(to: W.day(2027, 1, 11))
        let ledger = try await app.ledger()
        try await ledger.catchUp()
        let anchor = try await ledger.signCheckpoint(with: [DemoKeys.signer()])
        note("checkpoint signed to anchor the disclosure: size \(anchor.checkpoint.size)")
        guard let period = DisclosurePeriod.year(2026) else {
            throw DemoFailure(step: "disclosure", message: "no period for 2026")
        }
        let events = try await app.store.readAll(after: 0, pageSize: 1000)
        let input = try DisclosureBuilder.input(from: events, period: period, calendar: W.calendar)
        let disclosure = try Disclosure(input)
        output.line()
        for line in disclosure.markdown().split(separator: "\n", omittingEmptySubsequences: false) {
            output.line("    │ \(line)")
        }
        return disclosure
    }

    func evaluationAndExit() async throws {
        title("Evaluation (Art. 33): two consecutive poor ratings, then the exit procedure")
        try await go(to: W.day(2027, 1, 12))
        try await step(
            .evaluation(.openEvaluation(agreement: W.agreementID, period: "ev-2026")),
            by: W.administrationClerk
        )
        try await step(
            .evaluation(.submitOperatorReport(agreement: W.agreementID, report: "2026 annual operation report")),
            by: W.operatorClerk
        )
        try await step(
            .evaluation(.rateOperator(agreement: W.agreementID, rating: .poor)),
            by: W.administrationClerk,
            "first poor rating: notice"
        )
        try await go(to: W.day(2027, 7, 5))
        try await step(
            .evaluation(.openEvaluation(agreement: W.agreementID, period: "ev-2027h1")),
            by: W.administrationClerk
        )
        try await step(
            .evaluation(.submitOperatorReport(agreement: W.agreementID, report: "2027 H1 rectification report")),
            by: W.operatorClerk
        )
        try await step(
            .evaluation(.rateOperator(agreement: W.agreementID, rating: .poor)),
            by: W.administrationClerk,
            "second consecutive poor rating: termination and exit"
        )
        try await background()
        let agreement = try await app.instance(AgreementProcess.self, W.agreementID.rawValue)
        let product = try await app.instance(ProductProcess.self, W.productID.rawValue)
        let settlement = try await app.instance(SettlementProcess.self, W.agreementID.rawValue)
        note(
            "after the exit: agreement \(agreement.stateName), product \(product.stateName), "
                + "settlement \(settlement.stateName)"
        )
        for request in [W.grantedRequest, W.conditionalRequest] {
            let state = try await app.instance(DataRequestProcess.self, request.id.rawValue).stateName
            note("data request \(request.id): \(state)")
        }
        for scenario in [W.loanScenario, W.welfareScenario] {
            let state = try await app.instance(ScenarioProcess.self, scenario.id.rawValue).stateName
            note("scenario \(scenario.id): \(state)")
        }
    }

    func auditLedger() async throws -> (SignedCheckpoint, StoreVerification) {
        title("Audit ledger: follow, verify, sign")
        let ledger = try await app.ledger()
        let added = try await ledger.catchUp()
        let verification = try await ledger.verifyStore()
        note("ledger \(ledger.origin): \(await ledger.size) events (\(added) since the last checkpoint)")
        note("verification: \(verification)")
        let checkpoint = try await ledger.signCheckpoint(with: [DemoKeys.signer()])
        output.line()
        output.line("  Signed checkpoint:")
        for line in checkpoint.text.split(separator: "\n", omittingEmptySubsequences: false) {
            output.line("    \(line)")
        }
        return (checkpoint, verification)
    }
}

extension PricePlan {
    /// The same plan at another flat price per unit.
    func replacingPrice(fen: Int64) -> PricePlan {
        var plan = self
        if case .usage(var charge) = plan.charge {
            charge.scheme = .flat(UnitPrice(fen: fen))
            plan.charge = .usage(charge)
        }
        return plan
    }
}
