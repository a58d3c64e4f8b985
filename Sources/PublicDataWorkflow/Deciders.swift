import Foundation
import PublicDataModel
import PublicDataPolicy
import PublicDataPricing

/// Decides one command against a loaded instance; loads other streams it needs through the engine.
struct DecisionContext: Sendable {
    let engine: WorkflowEngine
    let actor: Actor
    let now: Date
    let today: CivilDate

    var parameters: PolicyParameters { engine.policy.parameters }

    // MARK: - Helpers

    func refuse(_ code: WorkflowError.Code, _ message: String, _ command: WorkflowCommand) -> WorkflowError {
        WorkflowError(code: code, message: message, command: command.name, stream: command.stream)
    }

    /// The actor must be `party` (when acting in `role`).
    func requireParty(_ party: PartyID?, when role: Role, _ command: WorkflowCommand) throws(WorkflowError) {
        guard actor.role == role else { return }
        guard let party, party == actor.party else {
            throw refuse(
                .notParty,
                "\(actor.party) acts as \(role.rawValue) but \(command.stream) belongs to \(party?.rawValue ?? "nobody")",
                command
            )
        }
    }

    func load(
        _ process: ProcessKind,
        _ id: String,
        for command: WorkflowCommand
    ) async throws(WorkflowError)
        -> ProcessInstance
    {
        let instance = try await engine.instance(process.stream(id))
        guard instance.exists else {
            throw refuse(.notFound, "\(process.stream(id)) does not exist", command)
        }
        return instance
    }

    func agreement(
        _ id: AgreementID,
        for command: WorkflowCommand
    ) async throws(WorkflowError)
        -> (ProcessInstance, AgreementContext)
    {
        let instance = try await load(.agreement, id.rawValue, for: command)
        guard let terms = instance.facts.terms else {
            throw refuse(.notFound, "agreement \(id) has no terms", command)
        }
        return (instance, AgreementContext(terms: terms, status: instance.agreementStatus ?? .drafted))
    }

    func entries(_ ids: [CatalogEntryID], for command: WorkflowCommand) async throws(WorkflowError) -> [CatalogEntry] {
        var result: [CatalogEntry] = []
        for id in ids {
            let instance = try await engine.instance(ProcessKind.catalog.stream(id.rawValue))
            guard let entry = instance.facts.catalogEntry else {
                throw refuse(.notFound, "catalog entry \(id) is not in the catalog", command)
            }
            result.append(entry)
        }
        return result
    }

    func evaluate(_ request: PolicyRequest) -> Decision {
        engine.policy.evaluate(request, at: now)
    }

    func refuseByPolicy(_ decision: Decision, _ command: WorkflowCommand) -> WorkflowError {
        WorkflowError(
            code: .invalidInput,
            message: "the policy refuses: " + decision.reasons.map(\.message).joined(separator: "; "),
            command: command.name,
            stream: command.stream,
            issues: decision.reasons.map {
                ValidationIssue(path: $0.ruleID, message: "\($0.message) (\($0.articles.joined(separator: ", ")))")
            }
        )
    }

    func deadline(_ key: String, _ instance: ProcessInstance, dueDay: CivilDate, dueAt: Date) -> ScheduledDeadline {
        ScheduledDeadline(
            key: key,
            stream: instance.stream,
            dueAt: dueAt,
            dueDay: dueDay,
            openedAtVersion: instance.version + 1
        )
    }

    /// A deadline due at the end of `count` working days after today.
    func workingDayDeadline(_ key: String, _ instance: ProcessInstance, count: Int) -> ScheduledDeadline {
        let day = engine.calendar.addingWorkingDays(count, to: today)
        return deadline(key, instance, dueDay: day, dueAt: engine.calendar.endOfDay(day))
    }

    /// The policy's pricing decision for publishing `plan`: one ``PricingEligibilityRequest`` per charged
    /// purpose, combined (a deny by any denies).
    func pricingDecision(_ plan: PricePlan, product: ProductID, caps: [FeeCap]) -> Decision {
        let chargeRequested: Bool
        switch plan.charge {
        case .oneOff(let price): chargeRequested = price.fen > 0
        case .subscription(let price): chargeRequested = price.fen > 0
        case .usage: chargeRequested = true
        }
        let charged = Purpose.allCases.filter { !parameters.freePurposes.contains($0) }
        let purposes = charged.isEmpty ? Purpose.allCases : charged
        let decisions = purposes.map { purpose in
            evaluate(
                .pricing(
                    PricingEligibilityRequest(
                        product: product,
                        purpose: purpose,
                        chargeRequested: chargeRequested,
                        priceCapApproved: caps.contains { $0.product == product }
                    )
                )
            )
        }
        return Decision.combining(decisions, policy: engine.policy, at: now)
    }

    // MARK: - Deciding

    // swift-format-ignore
    func decide(_ command: WorkflowCommand, _ instance: ProcessInstance) async throws(WorkflowError) -> [Draft] {
        let facts = instance.facts
        var payload = WorkflowPayload()
        switch command {
        // Catalog
        case .publishCatalogEntry(let entry):
            try requireParty(entry.owningDepartment, when: .industryDepartment, command)
            payload.catalogEntry = entry
            payload.catalogEntryIDs = [entry.id]
            payload.departmentIDs = [entry.owningDepartment]
            return [Draft("catalog.entryPublished", payload)]

        // Implementation plan
        case .draftPlan(let plan):
            try requireParty(plan.implementingAgency, when: .implementingAgency, command)
            payload.plan = plan
            payload.planID = plan.id
            payload.planVersion = 1
            payload.agencyID = plan.implementingAgency
            payload.catalogEntryIDs = plan.dataScope
            return [Draft("plan.drafted", payload)]
        case .submitPlan:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            guard let plan = facts.plan else { throw refuse(.notFound, "the plan has no content", command) }
            var issues = plan.validationIssues()
            if let months = plan.termMonths, months > parameters.termCapYears * 12 {
                issues.append(
                    ValidationIssue(
                        path: "$.termMonths",
                        message: "\(months) months exceed the term cap of \(parameters.termCapYears) years"
                    )
                )
            }
            guard issues.isEmpty else {
                throw WorkflowError(
                    code: .invalidInput,
                    message: "the plan is incomplete (Art. 11)",
                    command: command.name,
                    stream: command.stream,
                    issues: issues
                )
            }
            let decision = evaluate(.plan(PlanReviewRequest(plan: plan)))
            guard decision.isPermit else { throw refuseByPolicy(decision, command) }
            payload.decision = decision
            return [Draft("plan.submitted", payload)]
        case .approvePlan:
            return [Draft("plan.approved")]
        case .returnPlan(_, let reason):
            payload.reason = reason
            return [Draft("plan.returned", payload)]
        case .publishPlan:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            return [Draft("plan.published")]
        case .amendPlan(let plan):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            guard plan.implementingAgency == facts.agencyID else {
                throw refuse(.invalidInput, "an amendment may not change the implementing agency", command)
            }
            payload.plan = plan
            payload.planVersion = (facts.planVersion ?? 1) + 1
            payload.catalogEntryIDs = plan.dataScope
            return [Draft("plan.amended", payload)]

        // Operator selection
        case .announceSelection(let announcement):
            let plan = try await load(.implementationPlan, announcement.plan.rawValue, for: command)
            try requireParty(plan.facts.agencyID, when: .implementingAgency, command)
            guard plan.state == "published" else {
                throw refuse(.invalidState, "plan \(announcement.plan) is \(plan.state), not published", command)
            }
            payload.selection = announcement
            payload.selectionID = announcement.id
            payload.planID = announcement.plan
            payload.agencyID = plan.facts.agencyID
            return [Draft("selection.announced", payload)]
        case .applyForSelection(_, let application):
            try requireParty(application.candidate, when: .operator, command)
            guard !instance.applications.contains(where: { $0.candidate == application.candidate }) else {
                throw refuse(.invalidState, "\(application.candidate) has applied already", command)
            }
            payload.application = application
            return [Draft("selection.applied", payload)]
        case .closeApplications:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            return [Draft("selection.applicationsClosed")]
        case .reviewQualifications:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            let method = facts.selection?.method ?? .openTender
            let results = instance.applications.map { application in
                QualificationResult(
                    candidate: application.candidate,
                    decision: evaluate(
                        .operatorEligibility(
                            OperatorEligibilityRequest(
                                candidate: application.candidate,
                                selection: facts.selectionID,
                                method: method,
                                planApproved: true,
                                isLegalEntity: application.isLegalEntity,
                                hasOperatingCapability: application.hasOperatingCapability,
                                hasBadBusinessRecord: application.hasBadBusinessRecord,
                                hasGoodCredit: application.hasGoodCredit,
                                meetsDataSecurityRequirements: application.meetsDataSecurityRequirements
                            )
                        )
                    )
                )
            }
            payload.qualifications = results
            let anyone = results.contains { $0.decision.isPermit }
            return [Draft(anyone ? "selection.qualificationsReviewed" : "selection.noEligibleCandidate", payload)]
        case .selectOperator(_, let candidate):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            guard facts.qualifications?.contains(where: { $0.candidate == candidate && $0.decision.isPermit }) == true
            else {
                throw refuse(.invalidInput, "\(candidate) was not found eligible in this selection", command)
            }
            payload.operatorID = candidate
            return [Draft("selection.operatorSelected", payload)]
        case .failSelection(_, let reason):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.reason = reason
            return [Draft("selection.failed", payload)]

        // Agreement
        case .draftAgreement(let terms, let selectionID):
            try requireParty(terms.implementingAgency, when: .implementingAgency, command)
            let selection = try await load(.operatorSelection, selectionID.rawValue, for: command)
            let plan = try await load(.implementationPlan, terms.plan.rawValue, for: command)
            var issues: [ValidationIssue] = []
            if selection.state != "selected" || selection.facts.operatorID != terms.operatorParty
                || selection.facts.planID != terms.plan
            {
                issues.append(
                    ValidationIssue(
                        path: "$.operatorParty",
                        message: "\(terms.operatorParty) was not selected for plan \(terms.plan) in \(selectionID)"
                    )
                )
            }
            if plan.state != "published" {
                issues.append(ValidationIssue(path: "$.plan", message: "plan \(terms.plan) is not published"))
            }
            if plan.facts.agencyID != terms.implementingAgency {
                issues.append(ValidationIssue(path: "$.implementingAgency", message: "is not the plan's agency"))
            }
            let planScope = Set(plan.facts.plan?.dataScope ?? [])
            for (index, item) in terms.scope.enumerated() where !planScope.contains(item.entry) {
                issues.append(
                    ValidationIssue(path: "$.scope[\(index)]", message: "\(item.entry) is outside the plan's scope")
                )
            }
            if let cap = terms.start.adding(years: parameters.termCapYears), terms.end >= cap {
                issues.append(
                    ValidationIssue(
                        path: "$.end",
                        message: "the term exceeds the cap of \(parameters.termCapYears) years (last day before \(cap))"
                    )
                )
            }
            guard issues.isEmpty else {
                throw WorkflowError(
                    code: .invalidInput,
                    message: "the agreement cannot be drafted",
                    command: command.name,
                    stream: command.stream,
                    issues: issues
                )
            }
            payload.terms = terms
            payload.agreementID = terms.id
            payload.planID = terms.plan
            payload.selectionID = selectionID
            payload.operatorID = terms.operatorParty
            payload.agencyID = terms.implementingAgency
            payload.catalogEntryIDs = terms.scope.map(\.entry)
            return [Draft("agreement.drafted", payload)]
        case .recordCollectiveDecision(_, let minutes):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.note = minutes
            return [Draft("agreement.decided", payload)]
        case .signAgreement:
            try requireParty(facts.operatorID, when: .operator, command)
            guard let terms = facts.terms else { throw refuse(.notFound, "the agreement has no terms", command) }
            let plan = try await load(.implementationPlan, terms.plan.rawValue, for: command)
            guard let content = plan.facts.plan else { throw refuse(.notFound, "the plan has no content", command) }
            let decision = evaluate(
                .agreement(
                    AgreementReviewRequest(
                        agreement: terms,
                        plan: content,
                        planApproved: plan.state == "published" || plan.state == "approved",
                        collectiveDecisionRecorded: true,
                        selectedOperator: facts.operatorID
                    )
                )
            )
            guard decision.isPermit else { throw refuseByPolicy(decision, command) }
            payload.decision = decision
            payload.deadlines = [workingDayDeadline("filing", instance, count: parameters.agreementFilingWorkingDays)]
            return [Draft("agreement.signed", payload)]
        case .fileAgreement(_, let number):
            payload.note = number
            return [Draft("agreement.filed", payload)]
        case .activateAgreement:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            guard let terms = facts.terms, terms.covers(today) else {
                throw refuse(.invalidState, "today (\(today)) is outside the agreement's term", command)
            }
            let noticeDay = terms.end.adding(days: -parameters.agreementExpiryNoticeDays)
            payload.deadlines = [
                deadline("expiryNotice", instance, dueDay: noticeDay, dueAt: engine.calendar.startOfDay(noticeDay)),
                deadline("expiry", instance, dueDay: terms.end, dueAt: engine.calendar.endOfDay(terms.end)),
            ]
            return [Draft("agreement.activated", payload)]
        case .suspendAgreement(_, let reason):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.reason = reason
            return [Draft("agreement.suspended", payload)]
        case .resumeAgreement:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            return [Draft("agreement.resumed")]
        case .terminateAgreement(_, let reason):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.reason = reason
            payload.deadlines = [deadline("exit", instance, dueDay: today, dueAt: now)]
            return [Draft("agreement.terminated", payload)]
        case .revokeAgreement(_, let reason):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.reason = reason
            payload.deadlines = [deadline("exit", instance, dueDay: today, dueAt: now)]
            return [Draft("agreement.revoked", payload)]

        // Registration
        case .applyRegistration(let application):
            if actor.role == .operator, let product = application.product {
                let loaded = try await load(.product, product.rawValue, for: command)
                try requireParty(loaded.facts.operatorID, when: .operator, command)
            }
            if let concerns = application.concerns {
                let previous = try await load(.registration, concerns.rawValue, for: command)
                guard previous.state == "registered" else {
                    throw refuse(.invalidState, "registration \(concerns) is \(previous.state)", command)
                }
            }
            payload.registration = application
            payload.registrationID = application.id
            payload.applicant = actor.party
            payload.catalogEntryIDs = application.catalogEntries.isEmpty ? nil : application.catalogEntries
            payload.productID = application.product
            return [Draft("registration.applied", payload)]
        case .acceptRegistration:
            return [Draft("registration.accepted")]
        case .completeFormalReview(_, let passed, let note):
            payload.note = note
            guard passed else { return [Draft("registration.rejected", payload)] }
            payload.deadlines = [workingDayDeadline("notice", instance, count: parameters.registrationNoticeWorkingDays)]
            return [Draft("registration.noticePublished", payload)]
        case .issueRegistrationCode(_, let code):
            guard let validUntil = today.adding(years: parameters.registrationValidityYears)?.adding(days: -1) else {
                throw refuse(.invalidInput, "the validity overflows the calendar", command)
            }
            payload.registrationCode = code
            payload.validUntil = validUntil
            payload.deadlines = [
                deadline("validity", instance, dueDay: validUntil, dueAt: engine.calendar.endOfDay(validUntil))
            ]
            return [Draft("registration.codeIssued", payload)]
        case .renewRegistration:
            guard actor.party == facts.applicant else {
                throw refuse(.notParty, "only the applicant \(facts.applicant?.rawValue ?? "?") renews", command)
            }
            guard let current = facts.validUntil, today <= current,
                let validUntil = current.adding(years: parameters.registrationValidityYears)
            else {
                throw refuse(.invalidState, "the registration's validity has ended", command)
            }
            payload.validUntil = validUntil
            payload.deadlines = [
                deadline("validity", instance, dueDay: validUntil, dueAt: engine.calendar.endOfDay(validUntil))
            ]
            return [Draft("registration.renewed", payload)]

        // Data request
        case .submitDataRequest(let request):
            let (agreement, context) = try await agreement(request.agreement, for: command)
            try requireParty(agreement.facts.operatorID, when: .operator, command)
            let entries = try await entries(request.items.map(\.entry), for: command)
            payload.request = request
            payload.dataRequestID = request.id
            payload.agreementID = request.agreement
            payload.operatorID = context.terms.operatorParty
            payload.agencyID = context.terms.implementingAgency
            payload.catalogEntryIDs = request.items.map(\.entry)
            payload.departmentIDs = Array(Set(entries.map(\.owningDepartment))).sorted()
            return [Draft("dataRequest.submitted", payload)]
        case .evaluateDataRequest:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            guard let request = facts.request else { throw refuse(.notFound, "the request has no content", command) }
            let (_, context) = try await agreement(request.agreement, for: command)
            let entries = try await entries(request.items.map(\.entry), for: command)
            let decisions = zip(request.items, entries).map { item, entry in
                evaluate(
                    .dataRequest(
                        DataAccessRequest(
                            requestID: request.id,
                            operatorParty: context.terms.operatorParty,
                            entry: entry,
                            agreement: context.terms,
                            agreementStatus: context.status,
                            requestedFields: item.requestedFields.isEmpty
                                ? entry.fields.map(\.name) : item.requestedFields,
                            neededFields: item.neededFields
                                ?? (item.requestedFields.isEmpty ? entry.fields.map(\.name) : item.requestedFields),
                            purpose: request.purpose,
                            delivery: request.delivery,
                            anonymized: request.anonymized,
                            dataSubjectConsent: request.subjectConsent,
                            providerConsent: request.providerConsent,
                            day: today
                        )
                    )
                )
            }
            let decision = Decision.combining(decisions, policy: engine.policy, at: now)
            payload.decision = decision
            if !decision.isPermit { return [Draft("dataRequest.refused", payload)] }
            if decision.requiresCoReview {
                let owners = Set(entries.filter { $0.sharing == .conditional }.map(\.owningDepartment))
                payload.departmentIDs = owners.isEmpty ? facts.departmentIDs : owners.sorted()
                return [Draft("dataRequest.coReviewRequested", payload)]
            }
            return [Draft("dataRequest.granted", payload)]
        case .coReviewDataRequest(_, let approve, let note):
            guard let departments = facts.departmentIDs, departments.contains(actor.party) else {
                throw refuse(.notParty, "\(actor.party) owns none of the conditional entries", command)
            }
            payload.note = note
            guard approve else { return [Draft("dataRequest.coReviewRejected", payload)] }
            // Art. 16: the request is granted only when every owning department of its conditional entries approved.
            var approvals = facts.coReviewApprovals ?? []
            guard !approvals.contains(actor.party) else {
                throw refuse(.invalidState, "\(actor.party) has approved the request already", command)
            }
            approvals.append(actor.party)
            approvals.sort()
            payload.coReviewApprovals = approvals
            let complete = Set(departments).isSubset(of: Set(approvals))
            return [Draft(complete ? "dataRequest.coReviewApproved" : "dataRequest.coReviewPartlyApproved", payload)]
        case .provisionData(_, let note):
            guard let agreementID = facts.agreementID else { throw refuse(.notFound, "no agreement", command) }
            let (_, context) = try await agreement(agreementID, for: command)
            guard context.status == .active else {
                throw refuse(.invalidState, "agreement \(agreementID) is \(context.status.rawValue)", command)
            }
            payload.note = note
            return [Draft("dataRequest.provisioned", payload)]
        case .revokeGrant(_, let reason):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.reason = reason
            return [Draft("dataRequest.revoked", payload)]

        // Product
        case .draftProduct(let product):
            let (agreement, context) = try await agreement(product.agreement, for: command)
            try requireParty(agreement.facts.operatorID, when: .operator, command)
            _ = try await entries(product.sourceEntries, for: command)
            payload.product = product
            payload.productID = product.id
            payload.agreementID = product.agreement
            payload.operatorID = context.terms.operatorParty
            payload.agencyID = context.terms.implementingAgency
            payload.catalogEntryIDs = product.sourceEntries
            payload.planID = context.terms.plan
            return [Draft("product.drafted", payload)]
        case .assessProductCompliance:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            guard let product = facts.product else { throw refuse(.notFound, "the product has no content", command) }
            let (_, context) = try await agreement(product.agreement, for: command)
            let entries = try await entries(product.sourceEntries, for: command)
            var delivered: [ProductID] = []
            for source in product.derivedFrom {
                let other = try await engine.instance(ProcessKind.product.stream(source.rawValue))
                if other.exists, other.facts.operatorID == facts.operatorID { delivered.append(source) }
            }
            let decision = evaluate(
                .productRelease(
                    ProductReleaseRequest(
                        product: product.id,
                        kind: product.kind,
                        publisher: context.terms.operatorParty,
                        publisherRole: .operator,
                        operatorParty: context.terms.operatorParty,
                        sources: entries,
                        containsRawData: product.exposesRawData,
                        redevelopsDeliveredProduct: !delivered.isEmpty,
                        agreement: context.terms,
                        agreementStatus: context.status,
                        anonymized: product.anonymized || !product.containsPersonalInformation,
                        dataSubjectConsent: product.subjectConsent,
                        day: today
                    )
                )
            )
            payload.decision = decision
            guard decision.isPermit else { return [Draft("product.releaseRefused", payload)] }
            payload.deadlines = [workingDayDeadline("filing", instance, count: parameters.productFilingWorkingDays)]
            return [Draft("product.complianceAssessed", payload)]
        case .fileProduct:
            try requireParty(facts.operatorID, when: .operator, command)
            return [Draft("product.filed")]
        case .registerProduct(_, let registration):
            payload.registrationID = registration
            return [Draft("product.registered", payload)]
        case .publishProduct(_, let plan):
            try requireParty(facts.operatorID, when: .operator, command)
            guard let product = facts.product else { throw refuse(.notFound, "the product has no content", command) }
            let (_, context) = try await agreement(product.agreement, for: command)
            guard context.status == .active else {
                throw refuse(.invalidState, "agreement \(product.agreement) is \(context.status.rawValue)", command)
            }
            guard plan.operatorParty == context.terms.operatorParty else {
                throw refuse(.invalidInput, "the plan names operator \(plan.operatorParty)", command)
            }
            // Art. 22 / 65号: the policy's pricing point decides whether the plan may charge, for every purpose
            // the plan is charged under (those not free by the policy; all of them if every purpose is free).
            let decision = pricingDecision(plan, product: product.id, caps: facts.feeCaps ?? [])
            payload.decision = decision
            guard decision.isPermit else { return [Draft("product.publicationRefused", payload)] }
            do {
                _ = try GuidedPrice.createPlan(
                    plan,
                    in: try PriceBook(product: product.id),
                    caps: facts.feeCaps ?? [],
                    operationStartedOn: context.terms.start,
                    trialMonths: parameters.trialFeeMonths
                )
            } catch {
                throw refuse(.pricing, "\(error)", command)
            }
            payload.pricePlan = plan
            payload.pricePlanID = plan.id
            return [Draft("product.published", payload)]
        case .setFeeCap(_, let cap):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.feeCaps = (facts.feeCaps ?? []) + [cap]
            return [Draft("product.feeCapSet", payload)]
        case .withdrawProduct(_, let reason):
            try requireParty(facts.operatorID, when: .operator, command)
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            payload.reason = reason
            return [Draft("product.withdrawn", payload)]

        // Scenario
        case .applyScenario(let scenario):
            let product = try await load(.product, scenario.product.rawValue, for: command)
            guard product.state == "published" else {
                throw refuse(.invalidState, "product \(scenario.product) is \(product.state), not published", command)
            }
            payload = product.facts.traceKeys
            payload.registrationID = nil
            payload.scenario = scenario
            payload.scenarioID = scenario.id
            payload.applicant = actor.party
            return [Draft("scenario.applied", payload)]
        case .assessScenario:
            try requireParty(facts.operatorID, when: .operator, command)
            guard let scenario = facts.scenario, let agreementID = facts.agreementID else {
                throw refuse(.notFound, "the scenario has no content", command)
            }
            let product = try await load(.product, scenario.product.rawValue, for: command)
            guard let spec = product.facts.product else { throw refuse(.notFound, "the product has no content", command) }
            let (_, context) = try await agreement(agreementID, for: command)
            _ = spec.sourceEntries
            let decision = evaluate(
                .downstreamScenario(
                    DownstreamScenarioRequest(
                        scenario: scenario.id,
                        requester: facts.applicant ?? PartyID(""),
                        requesterRole: .businessEntity,
                        operatorParty: context.terms.operatorParty,
                        product: spec.id,
                        deliveredProducts: product.state == "published" ? [spec.id] : [],
                        agreement: context.terms,
                        agreementStatus: context.status,
                        meetsOperatorConditions: scenario.meetsOperatorConditions,
                        complianceAssessed: true,
                        purpose: scenario.purpose,
                        involvesPersonalInformation: scenario.containsPersonalInformation,
                        anonymized: scenario.anonymized,
                        dataSubjectConsent: scenario.subjectConsent,
                        day: today
                    )
                )
            )
            payload.decision = decision
            guard decision.isPermit else { return [Draft("scenario.refused", payload)] }
            payload.deadlines = [workingDayDeadline("filing", instance, count: parameters.scenarioFilingWorkingDays)]
            return [Draft("scenario.complianceAssessed", payload)]
        case .fileScenario:
            try requireParty(facts.operatorID, when: .operator, command)
            return [Draft("scenario.filed")]
        case .activateScenario:
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            return [Draft("scenario.activated")]

        // Objection
        case .raiseObjection(let objection):
            _ = try await entries([objection.entry], for: command)
            payload.objection = objection
            payload.objectionID = objection.id
            payload.catalogEntryIDs = [objection.entry]
            payload.applicant = actor.party
            return [Draft("objection.raised", payload)]
        case .acceptObjection:
            // With an escalation limit of 0 an overdue objection never escalates, so no deadline is opened.
            if parameters.objectionEscalationLimit > 0 {
                payload.deadlines = [
                    workingDayDeadline("response", instance, count: parameters.objectionResponseWorkingDays)
                ]
            }
            return [Draft("objection.accepted", payload)]
        case .startVerification:
            try requireParty(facts.objection?.provider, when: .dataProvider, command)
            return [Draft("objection.verificationStarted")]
        case .feedBackObjection(_, let finding):
            try requireParty(facts.objection?.provider, when: .dataProvider, command)
            payload.note = finding
            return [Draft("objection.fedBack", payload)]
        case .correctObjection(_, let note):
            try requireParty(facts.objection?.provider, when: .dataProvider, command)
            payload.note = note
            return [Draft("objection.corrected", payload)]
        case .rejectObjection(_, let reason):
            try requireParty(facts.objection?.provider, when: .dataProvider, command)
            payload.reason = reason
            return [Draft("objection.rejected", payload)]
        case .closeObjection:
            return [Draft("objection.closed")]

        // Evaluation
        case .openEvaluation(let agreementID, let period):
            let (agreement, context) = try await agreement(agreementID, for: command)
            try requireParty(agreement.facts.agencyID, when: .implementingAgency, command)
            guard context.status == .active || context.status == .suspended else {
                throw refuse(.invalidState, "agreement \(agreementID) is \(context.status.rawValue)", command)
            }
            payload.evaluationID = period
            payload.agreementID = agreementID
            payload.operatorID = context.terms.operatorParty
            payload.agencyID = context.terms.implementingAgency
            return [Draft("evaluation.opened", payload)]
        case .submitOperatorReport(_, let report):
            try requireParty(facts.operatorID, when: .operator, command)
            payload.note = report
            return [Draft("evaluation.reported", payload)]
        case .rateOperator(_, let rating):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            let poor = rating == .poor ? (facts.consecutivePoorRatings ?? 0) + 1 : 0
            let consequence: EvaluationConsequence
            switch rating {
            case .excellent: consequence = .priority
            case .good, .pass: consequence = .none
            case .poor:
                // `consecutivePoorRatingsForExit` 0 means no automatic exit: the agency terminates explicitly.
                let limit = parameters.consecutivePoorRatingsForExit
                consequence = limit > 0 && poor >= limit ? .exit : (poor == 1 ? .notice : .interview)
            }
            payload.rating = rating
            payload.consecutivePoorRatings = poor
            payload.consequence = consequence
            guard consequence == .exit else { return [Draft("evaluation.rated", payload)] }
            payload.deadlines = [deadline("exit", instance, dueDay: today, dueAt: now)]
            return [Draft("evaluation.exitOrdered", payload)]

        // Settlement
        case .recordUsage(let agreementID, let usage):
            let product = try await load(.product, usage.product.rawValue, for: command)
            guard product.facts.agreementID == agreementID else {
                throw refuse(.invalidInput, "product \(usage.product) is not under agreement \(agreementID)", command)
            }
            try requireParty(product.facts.operatorID, when: .operator, command)
            guard product.state == "published", let plan = product.facts.pricePlan else {
                throw refuse(.invalidState, "product \(usage.product) is \(product.state), not published", command)
            }
            if case .usage(let charge) = plan.charge, charge.unit != usage.unit {
                throw refuse(.invalidInput, "the plan meters \(charge.unit.rawValue)s, not \(usage.unit.rawValue)s", command)
            }
            let (_, context) = try await agreement(agreementID, for: command)
            guard context.status == .active else {
                throw refuse(.invalidState, "agreement \(agreementID) is \(context.status.rawValue)", command)
            }
            var purpose = Purpose.industryDevelopment
            if let scenarioID = usage.scenario {
                let scenario = try await load(.scenario, scenarioID.rawValue, for: command)
                guard scenario.state == "active", scenario.facts.scenario?.product == usage.product,
                    let spec = scenario.facts.scenario
                else {
                    throw refuse(.invalidState, "scenario \(scenarioID) is not an active scenario of the product", command)
                }
                purpose = spec.purpose
            }
            if let previous = instance.tallies[usage.subscription], previous.product != usage.product {
                throw refuse(.invalidInput, "subscription \(usage.subscription) is for \(previous.product)", command)
            }
            payload.agreementID = agreementID
            payload.operatorID = context.terms.operatorParty
            payload.agencyID = context.terms.implementingAgency
            payload.productID = usage.product
            payload.pricePlanID = plan.id
            payload.scenarioID = usage.scenario
            payload.usage = usage
            payload.purpose = purpose
            payload.usageDay = today
            let id = EventID("usage:\(agreementID):\(usage.idempotencyKey)")
            return [Draft("settlement.usageRecorded", payload, id: id)]
        case .closeSettlementPeriod(_, let period):
            try requireParty(facts.agencyID, when: .implementingAgency, command)
            let (invoices, revenue) = try await rate(instance, period: period, command: command)
            payload.invoices = invoices
            payload.settlement = SettlementSummary(
                period: "\(period.start)...\(period.end)",
                usageCount: instance.periodUsageCount,
                revenue: revenue
            )
            return [Draft("settlement.periodClosed", payload)]
        case .distributeRevenue(_, let shares):
            let total = facts.settlement?.revenue ?? .zero
            do {
                payload.allocations = try RevenueDistribution.split(total, among: shares)
            } catch {
                throw refuse(.pricing, "\(error)", command)
            }
            payload.shares = shares
            return [Draft("settlement.revenueDistributed", payload)]
        case .settleAccounts(let agreementID):
            if instance.exists {
                try requireParty(facts.agencyID, when: .implementingAgency, command)
            } else {
                let (agreement, _) = try await agreement(agreementID, for: command)
                try requireParty(agreement.facts.agencyID, when: .implementingAgency, command)
                payload = agreement.facts.traceKeys
            }
            let start = instance.tallies.values.map(\.firstDay).min() ?? today
            let period = (try? BillingPeriod(start: min(start, today), end: today))
            var revenue = Money.zero
            if let period {
                let (invoices, total) = try await rate(instance, period: period, command: command)
                payload.invoices = invoices.isEmpty ? nil : invoices
                revenue = total
            }
            payload.settlement = SettlementSummary(
                period: "final",
                usageCount: instance.periodUsageCount,
                revenue: revenue
            )
            return [Draft("settlement.accountsSettled", payload)]

        // Feedback
        case .offerFeedback(let offer):
            let (agreement, context) = try await agreement(offer.agreement, for: command)
            try requireParty(agreement.facts.operatorID, when: .operator, command)
            payload.feedback = offer
            payload.feedbackID = offer.id
            payload.agreementID = offer.agreement
            payload.operatorID = context.terms.operatorParty
            payload.agencyID = context.terms.implementingAgency
            payload.catalogEntryIDs = [offer.entry.id]
            return [Draft("feedback.offered", payload)]
        case .startFeedbackReview:
            return [Draft("feedback.reviewStarted")]
        case .acceptFeedback:
            return [Draft("feedback.accepted")]
        case .rejectFeedback(_, let reason):
            payload.reason = reason
            return [Draft("feedback.rejected", payload)]
        }
    }
}

extension DecisionContext {
    /// Rates every subscription of the open period into an invoice with its product's price plan.
    func rate(
        _ instance: ProcessInstance,
        period: BillingPeriod,
        command: WorkflowCommand
    ) async throws(WorkflowError) -> ([Invoice], Money) {
        var invoices: [Invoice] = []
        var total = Money.zero
        for tally in instance.tallies.values.sorted(by: { $0.subscription < $1.subscription }) {
            let product = try await load(.product, tally.product.rawValue, for: command)
            guard let plan = product.facts.pricePlan, let operatorParty = product.facts.operatorID else {
                throw refuse(.pricing, "product \(tally.product) has no price plan", command)
            }
            do {
                let subscription = Subscription(
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
                        issuedOn: today,
                        freePurposes: parameters.freePurposes
                    ),
                    plan: plan
                )
                total = try total.adding(invoice.total)
                invoices.append(invoice)
            } catch {
                throw refuse(.pricing, "subscription \(tally.subscription): \(error)", command)
            }
        }
        return (invoices, total)
    }
}
