import Foundation
import PublicDataModel
import PublicDataPricing

extension WorkflowEngine {
    // MARK: - Deadlines

    /// Fires every open deadline due at or before `instant`, in due order, each exactly once.
    ///
    /// The scheduler follows the global log (the open-deadlines projection), and fires a deadline by appending
    /// its event with a deterministic id (``ScheduledDeadline/firingEventID``) at the stream's current version.
    /// If another engine instance fired it first, the append either conflicts (then the stream is reloaded
    /// and the deadline is found closed) or is de-duplicated by its id — so, with any number of instances on
    /// one store, each deadline's event is stored once. Firing an event may open new deadlines (an expiry
    /// opens the exit procedure); those are fired in the same call when they are due.
    ///
    /// ```swift
    /// clock.advance(byDays: 8)
    /// let fired = try await engine.advance(to: clock.now())   // e.g. objection.escalated
    /// ```
    /// - Parameter instant: The time to advance to (usually `clock.now()`).
    /// - Returns: The deadlines this call fired (not those fired by other instances).
    /// - Throws: ``WorkflowError`` (`store`, `contention`).
    @discardableResult
    public func advance(to instant: Date) async throws(WorkflowError) -> [FiredDeadline] {
        var fired: [FiredDeadline] = []
        var attempted: Set<EventID> = []
        while true {
            let due = try await index.dueDeadlines(at: instant).filter { !attempted.contains($0.firingEventID) }
            if due.isEmpty { return fired }
            for deadline in due {
                attempted.insert(deadline.firingEventID)
                if let result = try await fire(deadline) { fired.append(result) }
            }
        }
    }

    /// Fires every deadline due at the injected clock's current time.
    /// - Returns: The deadlines this call fired.
    /// - Throws: ``WorkflowError``.
    @discardableResult
    public func advance() async throws(WorkflowError) -> [FiredDeadline] {
        try await advance(to: clock.now())
    }

    /// Fires one deadline if it is still open; `nil` when it was closed or fired by someone else.
    func fire(_ deadline: ScheduledDeadline) async throws(WorkflowError) -> FiredDeadline? {
        for _ in 0..<32 {
            let current = try await instance(deadline.stream)
            guard current.openDeadlines[deadline.key] == deadline else { return nil }
            let definition = Processes.definition(current.process)
            guard
                let transition = definition.transitions.first(where: {
                    $0.trigger == .deadline(deadline.key) && $0.from.contains(current.state)
                })
            else { return nil }
            if deadline.key == "exit" {
                try await runExitProcedure(for: current, at: deadline.dueAt)
            }
            var payload = WorkflowPayload()
            var opened: [ScheduledDeadline] = []
            for key in transition.opensDeadlines {
                if key == deadline.key {
                    // A re-armed deadline (objection escalation): the next one falls due the policy's response
                    // period after this one, until the policy's escalation limit is reached.
                    let escalations = (current.facts.escalations ?? 0) + 1
                    payload.escalations = escalations
                    let limit = policy.parameters.objectionEscalationLimit
                    guard escalations < limit else { continue }
                    let day = calendar.addingWorkingDays(
                        policy.parameters.objectionResponseWorkingDays,
                        to: deadline.dueDay
                    )
                    opened.append(
                        ScheduledDeadline(
                            key: key,
                            stream: current.stream,
                            dueAt: calendar.endOfDay(day),
                            dueDay: day,
                            openedAtVersion: current.version + 1
                        )
                    )
                } else {
                    opened.append(
                        ScheduledDeadline(
                            key: key,
                            stream: current.stream,
                            dueAt: deadline.dueAt,
                            dueDay: deadline.dueDay,
                            openedAtVersion: current.version + 1
                        )
                    )
                }
            }
            payload.deadlines = opened.isEmpty ? nil : opened
            let draft = Draft(transition.event, payload, id: deadline.firingEventID, occurredAt: deadline.dueAt)
            let result = try await append(
                [draft],
                to: current,
                actor: nil,
                now: deadline.dueAt,
                trigger: .deadline(deadline.key)
            )
            switch result {
            case .conflict:
                continue
            case .appended(let events, _, let deduplicated):
                guard !deduplicated, let event = events.first else { return nil }
                return FiredDeadline(deadline: deadline, event: event)
            }
        }
        throw WorkflowError(code: .contention, message: "deadline \(deadline.key) of \(deadline.stream) kept moving")
    }

    // MARK: - Follow-ups of commands

    /// Runs what a recorded command sets in motion at once: the exit procedure.
    func followUp(_ command: WorkflowCommand, outcome: CommandOutcome) async throws(WorkflowError) {
        guard !outcome.deduplicated else { return }
        switch command.name {
        case .terminateAgreement, .revokeAgreement, .rateOperator:
            let instance = try await instance(outcome.stream)
            if let exit = instance.openDeadlines["exit"] { _ = try await fire(exit) }
        default:
            break
        }
    }

    /// Publishes the entry of an accepted feedback offer into the catalog, before the offer is marked accepted.
    ///
    /// The catalog event has a deterministic id, so a retried acceptance never publishes the entry twice.
    func publishFeedbackEntry(_ id: FeedbackID, actor: Actor) async throws(WorkflowError) {
        let feedback = try await instance(.feedback, id.rawValue)
        guard feedback.state == "reviewing", let offer = feedback.facts.feedback else { return }
        for _ in 0..<32 {
            let catalog = try await instance(ProcessKind.catalog.stream(offer.entry.id.rawValue))
            if catalog.exists {
                if catalog.facts.feedbackID == id { return }
                throw WorkflowError(
                    code: .invalidState,
                    message: "catalog entry \(offer.entry.id) exists already",
                    command: .acceptFeedback,
                    stream: catalog.stream
                )
            }
            var payload = feedback.facts.traceKeys
            payload.catalogEntry = offer.entry
            payload.catalogEntryIDs = [offer.entry.id]
            payload.departmentIDs = [offer.entry.owningDepartment]
            let draft = Draft("catalog.feedbackEntryPublished", payload, id: EventID("feedback:\(id)"))
            let result = try await append(
                [draft],
                to: catalog,
                actor: actor,
                now: clock.now(),
                trigger: .effect(of: .acceptFeedback)
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "catalog entry \(offer.entry.id) kept changing")
    }

    // MARK: - Exit procedure

    /// The exit procedure (seed 001 §8): for an evaluation, terminate the agreement first; for an ended
    /// agreement, revoke every grant, withdraw every product, close the period and settle the accounts.
    ///
    /// Every step appends to the target stream at its current version with a deterministic event id, so two
    /// instances running the procedure together record each step once.
    func runExitProcedure(for instance: ProcessInstance, at instant: Date) async throws(WorkflowError) {
        switch instance.process {
        case .evaluation:
            guard let agreementID = instance.facts.agreementID else { return }
            try await terminateByEvaluation(agreementID, evaluation: instance, at: instant)
            let agreement = try await self.instance(.agreement, agreementID.rawValue)
            if let exit = agreement.openDeadlines["exit"] { _ = try await fire(exit) }
        case .agreement:
            guard let agreementID = instance.facts.agreementID else { return }
            let targets = try await index.exitTargets(agreementID)
            for stream in targets.requests {
                try await exitStep(stream, event: "dataRequest.revokedOnExit", agreement: instance, at: instant)
            }
            for stream in targets.products {
                try await exitStep(stream, event: "product.withdrawnOnExit", agreement: instance, at: instant)
            }
            try await exitStep(
                ProcessKind.settlement.stream(agreementID.rawValue),
                event: "settlement.settledOnExit",
                agreement: instance,
                at: instant
            )
        default:
            return
        }
    }

    private func terminateByEvaluation(
        _ agreementID: AgreementID,
        evaluation: ProcessInstance,
        at instant: Date
    ) async throws(WorkflowError) {
        for _ in 0..<32 {
            let agreement = try await self.instance(.agreement, agreementID.rawValue)
            guard agreement.state == "active" || agreement.state == "suspended" else { return }
            var payload = WorkflowPayload()
            payload.evaluationID = evaluation.facts.evaluationID
            payload.rating = evaluation.facts.rating
            payload.consecutivePoorRatings = evaluation.facts.consecutivePoorRatings
            payload.reason = "consecutive poor evaluations (seed 001 §8, Art. 33)"
            payload.deadlines = [
                ScheduledDeadline(
                    key: "exit",
                    stream: agreement.stream,
                    dueAt: instant,
                    dueDay: calendar.civilDate(of: instant),
                    openedAtVersion: agreement.version + 1
                )
            ]
            let id = EventID("exit:\(agreementID):terminated-by:\(evaluation.stream):\(evaluation.version)")
            let result = try await append(
                [Draft("agreement.terminatedByEvaluation", payload, id: id, occurredAt: instant)],
                to: agreement,
                actor: nil,
                now: instant,
                trigger: .effect(of: .rateOperator),
                causation: evaluation.stream.rawValue
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "agreement \(agreementID) kept changing during the exit")
    }

    private func exitStep(
        _ stream: StreamID,
        event: String,
        agreement: ProcessInstance,
        at instant: Date
    ) async throws(WorkflowError) {
        for _ in 0..<32 {
            let current = try await instance(stream)
            guard TransitionIndex.shared.transition(current.process, event: event, from: current.state) != nil else {
                return
            }
            var payload = current.exists ? WorkflowPayload() : agreement.facts.traceKeys
            payload.reason = "exit procedure of agreement \(agreement.facts.agreementID?.rawValue ?? "?")"
            if current.process == .settlement {
                // The accounts are settled with the invoices of the open period; a rating failure must not
                // stop the exit, so it is recorded in the note and the revenue left at zero.
                let today = calendar.civilDate(of: instant)
                let context = DecisionContext(
                    engine: self,
                    actor: Actor(party: "system", role: .dataAdministration, person: "exit-procedure"),
                    now: instant,
                    today: today
                )
                let start = min(current.tallies.values.map(\.firstDay).min() ?? today, today)
                var revenue = Money.zero
                do {
                    let period = try BillingPeriod(start: start, end: today)
                    let (invoices, total) = try await context.rate(
                        current,
                        period: period,
                        command: .settleAccounts(agreement.facts.agreementID ?? AgreementID("?"))
                    )
                    payload.invoices = invoices.isEmpty ? nil : invoices
                    revenue = total
                } catch {
                    payload.note = "accounts settled without invoices: \(error)"
                }
                payload.settlement = SettlementSummary(
                    period: "exit",
                    usageCount: current.periodUsageCount,
                    revenue: revenue
                )
            }
            let id = EventID("exit:\(agreement.stream):\(agreement.version):\(stream)")
            let result = try await append(
                [Draft(event, payload, id: id, occurredAt: instant)],
                to: current,
                actor: nil,
                now: instant,
                trigger: .exit,
                causation: agreement.stream.rawValue
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "\(stream) kept changing during the exit")
    }
}
