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
                guard let kind = ProcessKind.of(deadline.stream) else { continue }
                if let result = try await Processes.type(of: kind).fireDeadline(deadline, on: self) {
                    fired.append(result)
                }
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

    /// Fires one deadline of `process` if it is still open; `nil` when it was closed or fired by someone else.
    func fire<P: WorkflowProcess>(
        _ process: P.Type,
        _ deadline: ScheduledDeadline
    ) async throws(WorkflowError)
        -> FiredDeadline?
    {
        guard let key = P.Deadline(rawValue: deadline.key) else { return nil }
        for _ in 0..<32 {
            let current = try await instance(P.self, stream: deadline.stream)
            guard current.openDeadlines[key] == deadline else { return nil }
            let context = DecisionContext(
                engine: self,
                actor: .scheduler,
                now: deadline.dueAt,
                today: calendar.civilDate(of: deadline.dueAt),
                command: nil,
                stream: deadline.stream
            )
            guard var draft = P.fire(key, current, context) else { return nil }
            guard P.spec(draft.event.kind).from.contains(current.state) else { return nil }
            if P.kind == .agreement, key.rawValue == AgreementProcess.Deadline.exit.rawValue {
                try await runAgreementExit(deadline.stream, at: deadline.dueAt)
            }
            if P.kind == .evaluation, key.rawValue == EvaluationProcess.Deadline.exit.rawValue {
                try await runEvaluationExit(deadline.stream, at: deadline.dueAt)
            }
            draft.id = deadline.firingEventID
            draft.occurredAt = deadline.dueAt
            let result = try await append(
                [draft],
                to: current,
                actor: nil,
                now: deadline.dueAt,
                trigger: .deadline(key)
            )
            switch result {
            case .conflict, .duplicate:
                continue
            case .appended(let events, _, let deduplicated):
                guard !deduplicated, let event = events.first else { return nil }
                observer.observe(.deadlineFired(stream: deadline.stream, key: deadline.key, event: event.id))
                if P.kind == .registration, key.rawValue == RegistrationProcess.Deadline.validity.rawValue,
                    let id = ProcessKind.registration.instanceID(of: deadline.stream)
                {
                    // Art. 30: the products registered under it are re-judged (once, by its trigger's key).
                    try await reassess(.registrationExpired(registration: RegistrationID(id)))
                }
                if P.kind == .consent, let id = ProcessKind.consent.instanceID(of: deadline.stream) {
                    // Art. 17 ¶2, 26: an expired consent ends the supply it covered.
                    try await reassess(.consentEnded(consent: ConsentID(id)))
                }
                return FiredDeadline(deadline: deadline, event: event)
            }
        }
        throw WorkflowError(code: .contention, message: "deadline \(deadline.key) of \(deadline.stream) kept moving")
    }

    // MARK: - Follow-ups of commands

    /// Runs what a recorded command sets in motion at once: the exit procedure, the products of a revoked grant
    /// (suspended), the scenarios of a withdrawn product (ended), the catalog entry of an accepted feedback
    /// offer, the policy monitor's re-judgement after a catalog change or retirement and an agreement's
    /// suspension, and the suspensions a re-judgement found.
    func followUp(_ command: WorkflowCommand, outcome: CommandOutcome, actor: Principal) async throws(WorkflowError) {
        switch command.process {
        case .agreement:
            switch command.command(of: AgreementProcess.self) {
            case .terminateAgreement(let id, _)?, .revokeAgreement(let id, _)?:
                let agreement = try await instance(AgreementProcess.self, id.rawValue)
                if let exit = agreement.openDeadlines[.exit] { _ = try await fire(AgreementProcess.self, exit) }
            case .suspendAgreement(let id, _)?:
                guard let suspended = outcome.events.last else { return }
                try await reassess(.agreementSuspended(agreement: id, version: suspended.streamVersion))
            default: break
            }
        case .evaluation:
            if case .rateOperator(let id, _)? = command.command(of: EvaluationProcess.self) {
                let evaluation = try await instance(EvaluationProcess.self, id.rawValue)
                if let exit = evaluation.openDeadlines[.exit] { _ = try await fire(EvaluationProcess.self, exit) }
            }
        case .feedback:
            if case .acceptFeedback(let id)? = command.command(of: FeedbackProcess.self), !outcome.deduplicated {
                try await publishFeedbackEntry(id, actor: actor)
            }
        case .dataRequest:
            if case .revokeGrant(let id, _)? = command.command(of: DataRequestProcess.self) {
                try await suspendProducts(afterRevoking: id, actor: actor)
            }
        case .product:
            if case .withdrawProduct(let id, _)? = command.command(of: ProductProcess.self) {
                try await endScenarios(of: id, actor: actor)
            }
        case .registration:
            if case .issueRegistrationCode(let id, _)? = command.command(of: RegistrationProcess.self) {
                try await endConcernedRegistration(id, actor: actor)
                // Art. 9, 26号: the grants of a cancelled or superseded registration's entries are re-judged.
                if let concerns = try await instance(RegistrationProcess.self, id.rawValue).facts.application?.concerns
                {
                    let state = try await instance(RegistrationProcess.self, concerns.rawValue).state
                    if state == .cancelled || state == .superseded {
                        try await reassess(.registrationEnded(registration: concerns))
                    }
                }
            }
        case .consent:
            if case .withdrawConsent(let id, _)? = command.command(of: ConsentProcess.self) {
                // Art. 17 ¶2, 26: a withdrawal ends the supply the consent covered.
                try await reassess(.consentEnded(consent: id))
            }
        case .catalog:
            switch command.command(of: CatalogProcess.self) {
            case .changeCatalogEntry(let entry, _)?:
                // Art. 30: the entry's dependants are re-judged under its new version.
                guard let changed = outcome.events.first,
                    let version = try? changed.decodePayload(CatalogProcess.Changed.self).entryVersion
                else { return }
                try await reassess(.catalogEntryChanged(entry: entry.id, version: version))
            case .retireCatalogEntry(let id, _)?:
                try await reassess(.catalogEntryRetired(entry: id))
            default: break
            }
        case .monitor:
            if case .reassess(let trigger)? = command.command(of: MonitorProcess.self) {
                try await applyMonitorFindings(trigger)
            }
        default:
            break
        }
    }

    /// Publishes the entry of an accepted feedback offer into the catalog (a deterministic id: once).
    func publishFeedbackEntry(_ id: FeedbackID, actor: Principal) async throws(WorkflowError) {
        let feedback = try await instance(FeedbackProcess.self, id.rawValue)
        guard let offer = feedback.facts.offer else { return }
        for _ in 0..<32 {
            let catalog = try await instance(CatalogProcess.self, offer.entry.id.rawValue)
            if catalog.exists { return }
            var trace = feedback.trace.merging(CatalogProcess.trace(of: offer.entry))
            trace.feedbackID = id
            let draft = Draft<CatalogProcess>(
                .feedbackEntryPublished(CatalogProcess.Published(catalogEntry: offer.entry)),
                trace: trace,
                id: EventID("feedback:\(id)")
            )
            let result = try await append(
                [draft],
                to: catalog,
                actor: actor,
                now: clock.now(),
                trigger: .effect(.feedback(.acceptFeedback))
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "catalog entry \(offer.entry.id) kept changing")
    }

    // MARK: - Exit procedure

    /// The evaluation's exit (87号 §8): terminate the agreement, then run its exit procedure.
    private func runEvaluationExit(_ stream: StreamID, at instant: Date) async throws(WorkflowError) {
        let evaluation = try await instance(EvaluationProcess.self, stream: stream)
        guard let agreementID = evaluation.trace.agreementID else { return }
        for _ in 0..<32 {
            let agreement = try await instance(AgreementProcess.self, agreementID.rawValue)
            guard agreement.state == .active || agreement.state == .suspended else { break }
            let ended = AgreementProcess.TerminatedByEvaluation(
                rating: evaluation.facts.rating ?? .poor,
                consecutivePoorRatings: evaluation.facts.consecutivePoorRatings,
                reason: "consecutive poor evaluations (87号 §8, Art. 33)"
            )
            let exit = ScheduledDeadline(
                key: AgreementProcess.Deadline.exit.rawValue,
                stream: agreement.stream,
                dueAt: instant,
                dueDay: calendar.civilDate(of: instant),
                openedAtVersion: agreement.version + 1
            )
            var trace = TraceKeys()
            trace.evaluationID = evaluation.trace.evaluationID
            let draft = Draft<AgreementProcess>(
                .terminatedByEvaluation(ended),
                trace: trace,
                deadlines: [exit],
                id: EventID("exit:\(agreementID):terminated-by:\(evaluation.stream):\(evaluation.version)"),
                occurredAt: instant
            )
            let result = try await append(
                [draft],
                to: agreement,
                actor: nil,
                now: instant,
                trigger: .effect(.evaluation(.rateOperator)),
                causation: evaluation.stream.rawValue
            )
            if case .appended = result { break }
        }
        let agreement = try await instance(AgreementProcess.self, agreementID.rawValue)
        if let exit = agreement.openDeadlines[.exit] { _ = try await fire(AgreementProcess.self, exit) }
    }

    /// The agreement's exit procedure (87号 §8): revoke every grant, withdraw every product and end its
    /// scenarios, rate the open
    /// period and settle the accounts. Every step carries a deterministic id, so concurrent runs record it once.
    ///
    /// Nothing of the agreement is left open: the settlement closes the annual report's deadline, the evaluation
    /// ends (`evaluation.closedOnExit`, an operator's report still due is no longer expected), every inspection of
    /// the agreement closes with what was unrectified (`inspection.closedOnExit`), and the renewal deadline of every
    /// registration that registers only what this agreement operated (its products, or entries of its scope that no
    /// other live agreement's scope names) is closed (`registration.renewalClosedOnExit`, its applicant told), and so
    /// are the security records' reminders of an operator left without a live agreement
    /// (`securityRecord.closedOnExit`).
    private func runAgreementExit(_ stream: StreamID, at instant: Date) async throws(WorkflowError) {
        let agreement = try await instance(AgreementProcess.self, stream: stream)
        guard let agreementID = agreement.trace.agreementID else { return }
        let targets = try await index.exitTargets(agreementID)
        let reason = Reasoned(reason: "exit procedure of agreement \(agreementID)")
        let prefix = "exit:\(agreement.stream):\(agreement.version)"
        for request in targets.requests {
            try await exitStep(DataRequestProcess.self, request, at: instant, id: "\(prefix):\(request)", cause: stream)
            {
                _,
                _ in .revokedOnExit(reason)
            }
        }
        for product in targets.products {
            try await exitStep(ProductProcess.self, product, at: instant, id: "\(prefix):\(product)", cause: stream) {
                _,
                _ in .withdrawnOnExit(reason)
            }
            let productID = ProductID(ProcessKind.product.instanceID(of: product) ?? product.rawValue)
            for scenario in try await index.scenarioStreams(of: productID) {
                try await exitStep(
                    ScenarioProcess.self,
                    scenario,
                    at: instant,
                    id: "\(prefix):\(scenario)",
                    cause: stream
                ) { _, _ in .endedOnExit(reason) }
            }
        }
        let settlement = SettlementProcess.kind.stream(agreementID.rawValue)
        try await exitStep(
            SettlementProcess.self,
            settlement,
            at: instant,
            id: "\(prefix):\(settlement)",
            cause: stream,
            trace: agreement.trace,
            recipients: SettlementProcess.payersTold
        ) { (current: ProcessInstance<SettlementProcess>, context: DecisionContext) async -> SettlementProcess.Event in
            // The accounts are settled with the open period's invoices; a rating failure must not stop the exit,
            // so it is recorded in the note and the revenue left at zero.
            do {
                return .settledOnExit(try await SettlementProcess.final(current, label: "exit", context: context))
            } catch {
                let summary = SettlementSummary(period: "exit", usageCount: current.facts.usageCount, revenue: .zero)
                return .settledOnExit(
                    SettlementProcess.PeriodClosed(
                        invoices: [],
                        settlement: summary,
                        note: "accounts settled without invoices: \(error)"
                    )
                )
            }
        }
        try await closeOpenDeadlinesOnExit(agreement, at: instant, prefix: prefix, reason: reason)
    }

    /// Closes the open deadlines of the agreement's other objects at its exit (see ``runAgreementExit``).
    private func closeOpenDeadlinesOnExit(
        _ agreement: ProcessInstance<AgreementProcess>,
        at instant: Date,
        prefix: String,
        reason: Reasoned
    ) async throws(WorkflowError) {
        guard let agreementID = agreement.trace.agreementID else { return }
        let stream = agreement.stream
        let evaluation = EvaluationProcess.kind.stream(agreementID.rawValue)
        try await exitStep(
            EvaluationProcess.self,
            evaluation,
            at: instant,
            id: "\(prefix):\(evaluation)",
            cause: stream
        ) {
            _,
            _ in .closedOnExit(reason)
        }
        let projection = try await index.catchUp()
        var scope: Set<CatalogEntryID> = Set(agreement.facts.terms?.scope.map(\.entry) ?? [])
        var products = Set(agreement.facts.terms?.products ?? [])
        for product in projection.streams(of: agreementID).products {
            products.insert(ProductID(ProcessKind.product.instanceID(of: product) ?? product.rawValue))
        }
        var elsewhere: Set<CatalogEntryID> = []
        for other in projection.agreementsByOperator.values.flatMap(\.keys) where other != agreementID {
            let live = try await instance(AgreementProcess.self, other.rawValue)
            guard let state = live.state, !AgreementProcess.finalStates.contains(state) else { continue }
            elsewhere.formUnion(live.facts.terms?.scope.map(\.entry) ?? [])
        }
        scope.subtract(elsewhere)
        // Art. 31, 87号 §7: an operator left without a live agreement is no longer reminded of its security records.
        var operatorStays = false
        if let operatorParty = agreement.facts.terms?.operatorParty {
            for other in (projection.agreementsByOperator[operatorParty] ?? [:]).keys where other != agreementID {
                let live = try await instance(AgreementProcess.self, other.rawValue)
                if let state = live.state, !AgreementProcess.finalStates.contains(state) { operatorStays = true }
            }
        }
        var seen: Set<StreamID> = []
        for deadline in projection.deadlines where seen.insert(deadline.stream).inserted {
            let id = "\(prefix):\(deadline.stream)"
            switch ProcessKind.of(deadline.stream) {
            case .inspection:
                let inspection = try await instance(InspectionProcess.self, stream: deadline.stream)
                guard inspection.trace.agreementID == agreementID else { continue }
                try await exitStep(InspectionProcess.self, deadline.stream, at: instant, id: id, cause: stream) {
                    _,
                    _ in .closedOnExit(reason)
                }
            case .useFiling:
                let filing = try await instance(UseFilingProcess.self, stream: deadline.stream)
                guard filing.trace.agreementID == agreementID else { continue }
                try await exitStep(UseFilingProcess.self, deadline.stream, at: instant, id: id, cause: stream) {
                    _,
                    _ in .endedOnExit(reason)
                }
            case .registration:
                let registration = try await instance(RegistrationProcess.self, stream: deadline.stream)
                guard let application = registration.facts.application else { continue }
                let entries = application.catalogEntries
                let ours =
                    application.product.map(products.contains) == true
                    || (!entries.isEmpty && entries.allSatisfy(scope.contains))
                guard ours else { continue }
                try await exitStep(
                    RegistrationProcess.self,
                    deadline.stream,
                    at: instant,
                    id: id,
                    cause: stream,
                    recipients: RegistrationProcess.applicantTold
                ) { _, _ in .renewalClosedOnExit(reason) }
            case .securityRecord:
                let record = try await instance(SecurityRecordProcess.self, stream: deadline.stream)
                guard !operatorStays, let operatorParty = record.trace.operatorID,
                    operatorParty == agreement.facts.terms?.operatorParty
                else { continue }
                try await exitStep(SecurityRecordProcess.self, deadline.stream, at: instant, id: id, cause: stream) {
                    _,
                    _ in .closedOnExit(reason)
                }
            default:
                continue
            }
        }
    }

    private func exitStep<P: WorkflowProcess>(
        _ process: P.Type,
        _ stream: StreamID,
        at instant: Date,
        id: String,
        cause: StreamID,
        trace: TraceKeys = TraceKeys(),
        recipients: (ProcessInstance<P>, P.Event) -> [Role: [PartyID]] = { _, _ in [:] },
        _ event: (ProcessInstance<P>, DecisionContext) async -> P.Event
    ) async throws(WorkflowError) {
        for _ in 0..<32 {
            let current = try await instance(P.self, stream: stream)
            let context = DecisionContext(
                engine: self,
                actor: .scheduler,
                now: instant,
                today: calendar.civilDate(of: instant),
                command: nil,
                stream: stream
            )
            let decided = await event(current, context)
            guard P.spec(decided.kind).from.contains(current.state) else { return }
            let draft = Draft<P>(
                decided,
                trace: current.exists ? TraceKeys() : trace,
                id: EventID(id),
                occurredAt: instant,
                recipients: recipients(current, decided)
            )
            let result = try await append(
                [draft],
                to: current,
                actor: nil,
                now: instant,
                trigger: .exit,
                causation: cause.rawValue
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "\(stream) kept changing during the exit")
    }
}

extension WorkflowProcess {
    static func fireDeadline(
        _ deadline: ScheduledDeadline,
        on engine: WorkflowEngine
    ) async throws(WorkflowError) -> FiredDeadline? {
        try await engine.fire(Self.self, deadline)
    }
}
