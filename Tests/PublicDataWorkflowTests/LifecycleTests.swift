import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

struct LifecycleTests {
    @Test func theWholeLifecycleEndsInTheExitProcedure() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)

        // The second consecutive poor rating terminated the agreement and ran the exit procedure.
        #expect(try await world.state(EvaluationProcess.self, "agr-1") == .exited)
        let agreement = try await world.engine.instance(AgreementProcess.self, "agr-1")
        #expect(agreement.state == .terminated)
        #expect(agreement.openDeadlines.isEmpty)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .revoked)
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .revoked)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .withdrawn)
        #expect(try await world.state(SettlementProcess.self, "agr-1") == .settled)
        let evaluation = try await world.engine.instance(EvaluationProcess.self, "agr-1")
        #expect(evaluation.facts.consecutivePoorRatings == 2)
        #expect(evaluation.facts.consequence == .exit)
        // Nothing is left open: the registration of the agreement's entries no longer waits for its renewal.
        #expect(try await world.engine.projections().deadlines.isEmpty)
        #expect(try await world.log().contains { $0.type == "registration.renewalClosedOnExit" })

        let types = try await world.log().map(\.type)
        for type in [
            "agreement.terminatedByEvaluation", "dataRequest.revokedOnExit", "product.withdrawnOnExit",
            "settlement.settledOnExit", "agreement.exitCompleted", "evaluation.exitCompleted",
        ] {
            #expect(types.filter { $0 == type }.count == (type == "dataRequest.revokedOnExit" ? 2 : 1), "\(type)")
        }

        // Nothing else may happen under the ended agreement.
        await expectRefusal(.invalidState) {
            try await world.run(
                .operator,
                .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-late")))
            )
        }
        let late = try await world.run(
            .operator,
            .dataRequest(.submitDataRequest(request: Samples.request("req-late", "ent-open")))
        )
        #expect(late.state == "submitted")
        let refused = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-late")))
        #expect(refused.isRefusal)
        #expect(refused.decision?.firedRules.contains("dr.agreement-ended") == true)
        // A recorded denial names the articles of the policy's reasons.
        let cited = Set(refused.decision?.reasons.flatMap(\.articles) ?? [])
        #expect(!refused.articles.isEmpty)
        #expect(Set(refused.articles) == cited)
    }

    @Test func aFirstPoorRatingOnlyGivesNotice() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-1")))
        try await world.run(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "r")))
        let first = try await world.run(
            .dataAdministration,
            .evaluation(.rateOperator(agreement: "agr-1", rating: .poor))
        )
        #expect(first.state == "rated")
        #expect(try await world.engine.instance(EvaluationProcess.self, "agr-1").facts.consequence == .notice)
        // A good rating in between resets the count: poor, good, poor is not an exit.
        try await world.run(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-2")))
        try await world.run(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "r")))
        try await world.run(.dataAdministration, .evaluation(.rateOperator(agreement: "agr-1", rating: .good)))
        try await world.run(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-3")))
        try await world.run(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "r")))
        let third = try await world.run(
            .dataAdministration,
            .evaluation(.rateOperator(agreement: "agr-1", rating: .poor))
        )
        #expect(third.state == "rated")
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .active)
    }

    @Test func policyDenialsAreRecordedWithTheirReasons() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(
            .operator,
            .dataRequest(.submitDataRequest(request: Samples.request("req-x", "ent-closed")))
        )
        let before = try await world.store.headPosition()
        let outcome = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-x")))
        #expect(outcome.isRefusal)
        #expect(outcome.state == "refused")
        #expect(try await world.store.headPosition() == before + 1)
        let event = try #require(outcome.events.first)
        #expect(event.type == "dataRequest.refused")
        let envelope = try EventEnvelope<DataRequestProcess>(decoding: event)
        guard case .refused(let refused) = envelope.event else {
            Issue.record("\(envelope.event) is not a refusal")
            return
        }
        let decision = refused.decision
        #expect(envelope.event.decision == decision)
        #expect(envelope.event.isRefusal)
        #expect(decision.effect == .deny)
        #expect(decision.firedRules.contains("dr.not-shared"))
        #expect(decision.citedArticles.contains("Art. 16"))
        #expect(envelope.trace.dataRequestID == "req-x")
        #expect(envelope.trace.agreementID == "agr-1")
        #expect(envelope.trace.catalogEntryIDs == ["ent-closed"])
        #expect(event.metadata.policyVersion == "\(decision.policyID)@\(decision.policyVersion)")

        // A conditional entry asked for by download is refused as well (privacy computing only).
        try await world.run(
            .operator,
            .dataRequest(.submitDataRequest(request: Samples.request("req-y", "ent-cond", delivery: .sandbox)))
        )
        let second = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-y")))
        #expect(second.isRefusal)
        #expect(second.decision?.firedRules.contains("dr.conditional-delivery") == true)
    }

    @Test func conditionalShareNeedsTheOwningDepartmentsCoReview() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-2", "ent-cond"))))
        let evaluated = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-2")))
        #expect(evaluated.state == "coReview")
        #expect(evaluated.decision?.requiresCoReview == true)
        // Another department may not co-review.
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .dataRequest(.coReviewDataRequest(request: "req-2", approve: true, note: "x")),
                by: Principal(party: "dept-transport", role: .industryDepartment, person: "p")
            )
        }
        let rejected = try await world.run(
            .industryDepartment,
            .dataRequest(.coReviewDataRequest(request: "req-2", approve: false, note: "scenario too broad"))
        )
        #expect(rejected.state == "refused")
        #expect(rejected.isRefusal)
    }

    @Test func aProductReleaseTheDPolicyDeniesIsRecorded() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        var raw = Samples.product
        raw.id = "prod-2"
        raw.sourceEntries = ["ent-cond"]
        raw.exposesRawData = true
        try await world.run(.operator, .product(.draftProduct(product: raw)))
        let outcome = try await world.run(.implementingAgency, .product(.assessProductCompliance(product: "prod-2")))
        #expect(outcome.state == "refused")
        #expect(outcome.decision?.firedRules.contains("pr.raw-non-open") == true)
        #expect(outcome.events.first?.type == "product.releaseRefused")
    }

    @Test func aPriceAboveItsCapIsRefusedAndNothingIsRecorded() async throws {
        let world = World()
        let steps = Scripts.toPublishedProduct.dropLast()
        try await world.run(Array(steps))
        let before = try await world.log()
        await expectRefusal(.pricing) {
            try await world.run(
                .operator,
                .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan(fen: 80)))
            )
        }
        #expect(try await world.log() == before)
        let published = try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan(fen: 50)))
        )
        #expect(published.state == "published")
    }

    @Test func usageIsMeteredOnceAndRatedAtPeriodClose() async throws {
        let world = World()
        try await world.run(Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4)))
        try await world.run(
            .operator,
            .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1", quantity: 10)))
        )
        let duplicate = try await world.run(
            .operator,
            .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1", quantity: 10)))
        )
        #expect(duplicate.deduplicated)
        try await world.run(
            .operator,
            .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-2", quantity: 5)))
        )
        let closed = try await world.run(
            .implementingAgency,
            .settlement(.closeSettlementPeriod(agreement: "agr-1", period: Samples.march))
        )
        let closedEvent = try #require(closed.events.first)
        guard case .periodClosed(let payload) = try EventEnvelope<SettlementProcess>(decoding: closedEvent).event else {
            Issue.record("\(closedEvent.type) is not a period close")
            return
        }
        // 15 calls at 0.20 yuan = 3.00 yuan, industry development purpose (charged).
        #expect(payload.settlement.usageCount == 2)
        #expect(payload.settlement.revenue == Money(fen: 300))
        #expect(payload.invoices.count == 1)
        await expectRefusal(.invalidState) {
            try await world.run(
                .implementingAgency,
                .settlement(.closeSettlementPeriod(agreement: "agr-1", period: Samples.march))
            )
        }
        let distributed = try await world.run(
            .financeDepartment,
            .settlement(.distributeRevenue(agreement: "agr-1", shares: Samples.shares))
        )
        let distributedEvent = try #require(distributed.events.first)
        guard
            case .revenueDistributed(let split) = try EventEnvelope<SettlementProcess>(decoding: distributedEvent).event
        else {
            Issue.record("\(distributedEvent.type) is not a revenue split")
            return
        }
        #expect(split.allocations.map(\.amount.fen).reduce(0, +) == 300)
        #expect(try await world.engine.instance(SettlementProcess.self, "agr-1").facts.allocations == split.allocations)
    }

    @Test func objectionsEscalateOnceWhenTheProviderIsLate() async throws {
        let world = World()
        try await world.run(Array(Scripts.setup.prefix(1)))
        try await world.run(.operator, .objection(.raiseObjection(objection: Samples.objection)))
        let accepted = try await world.run(.dataAdministration, .objection(.acceptObjection(objection: "obj-1")))
        let deadline = try #require(
            try await world.engine.instance(ObjectionProcess.self, "obj-1").openDeadlines[.response]
        )
        // Accepted on Monday 2026-03-02: five working days later is Monday 2026-03-09.
        #expect(deadline.dueDay == CivilDate("2026-03-09"))
        let acceptedEvent = try #require(accepted.events.first)
        let notice = try #require(NotificationDispatcher.notifications(in: acceptedEvent).first)
        #expect(notice.recipient == Parties.provider)
        #expect(notice.due == CivilDate("2026-03-09"))

        world.clock.advance(byDays: 7)  // Monday 2026-03-09, still within the day
        #expect(try await world.engine.advance().isEmpty)
        world.clock.advance(byDays: 1)
        let fired = try await world.engine.advance()
        #expect(fired.map(\.event.type) == ["objection.escalated"])
        #expect(fired.first?.event.actor == nil)
        world.clock.advance(byDays: 30)
        #expect(try await world.engine.advance().isEmpty)
        #expect(try await world.state(ObjectionProcess.self, "obj-1") == .accepted)
        // The provider can still answer after the escalation.
        try await world.run(.dataProvider, .objection(.feedBackObjection(objection: "obj-1", finding: "late but done")))
        #expect(try await world.state(ObjectionProcess.self, "obj-1") == .fedBack)
    }

    @Test func anAgreementExpiresAtTheEndOfItsTermAndExits() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        world.clock.set(testInstant("2028-12-01T01:00:00Z"))
        // The operator's security records are reminded and expire on their own days (87号 §7).
        func agreementEvents(_ fired: [FiredDeadline]) -> [String] {
            fired.map(\.event.type).filter { !$0.hasPrefix("securityRecord.") }
        }
        let notice = try await world.engine.advance()
        #expect(agreementEvents(notice) == ["agreement.expiryApproaching"])
        world.clock.set(testInstant("2029-03-01T01:00:00Z"))
        let fired = try await world.engine.advance()
        #expect(agreementEvents(fired) == ["agreement.expired", "agreement.exitCompleted"])
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .expired)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .withdrawn)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .revoked)
        #expect(try await world.engine.advance().isEmpty)
    }

    @Test func feedbackJoinsTheCatalogOnce() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .feedback(.offerFeedback(offer: Samples.feedback)))
        try await world.run(.dataAdministration, .feedback(.startFeedbackReview(feedback: "fb-1")))
        try await world.run(.dataAdministration, .feedback(.acceptFeedback(feedback: "fb-1")))
        let entry = try await world.engine.instance(CatalogProcess.self, "ent-feedback")
        #expect(entry.state == .published)
        #expect(entry.facts.entry == Samples.feedbackEntry)
        await expectRefusal(.invalidState) {
            try await world.run(.dataAdministration, .feedback(.acceptFeedback(feedback: "fb-1")))
        }
    }

    @Test func badInputIsRefusedWithEveryProblemAndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Scripts.setup)
        let before = try await world.log()
        var incomplete = ImplementationPlan(id: "plan-2", implementingAgency: Parties.agency)
        incomplete.name = "Transport"
        try await world.run(.implementingAgency, .plan(.draftPlan(plan: incomplete)))
        do {
            try await world.run(.implementingAgency, .plan(.submitPlan(plan: "plan-2")))
            Issue.record("an incomplete plan was submitted")
        } catch let error as WorkflowError {
            // The policy's plan review refuses it (Art. 11), listing every missing element.
            #expect(error.code == .policyDenied)
            #expect(error.articles.contains("Art. 11"))
            #expect(error.decision?.firedRules.contains("pl.incomplete") == true)
            #expect(error.issues.count == 11)
        }
        #expect(try await world.log().count == before.count + 1)
        await expectRefusal(.invalidInput) {
            try await world.run(
                .operator,
                .settlement(
                    .recordUsage(
                        agreement: "",
                        usage: UsageSpec(product: "", subscription: "s", consumer: "c", quantity: 0, idempotencyKey: "")
                    )
                )
            )
        }
        await expectRefusal(.notFound) {
            try await world.run(
                .operator,
                .dataRequest(.submitDataRequest(request: Samples.request("req-1", "ent-open")))
            )
        }
        await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .plan(.draftPlan(plan: Samples.plan)))
        }
        #expect(try await world.log().count == before.count + 1)
    }

    @Test func anOperatorNeverActsOnAnotherOperatorsAgreement() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        let intruder = Principal(party: Parties.otherOperator, role: .operator, person: "mallory")
        let before = try await world.log()
        let attempts: [WorkflowCommand] = [
            .agreement(.signAgreement(agreement: "agr-1")),
            .dataRequest(.submitDataRequest(request: Samples.request("req-9", "ent-open"))),
            .product(
                .draftProduct(
                    product: ProductSpec(
                        id: "prod-9",
                        agreement: "agr-1",
                        name: "x",
                        kind: .api,
                        sourceEntries: ["ent-open"],
                        delivery: .verificationAPI
                    )
                )
            ),
            .product(.withdrawProduct(product: "prod-1", reason: "sabotage")),
            .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan())),
            .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-9"))),
            .evaluation(.submitOperatorReport(agreement: "agr-1", report: "fake")),
            .feedback(.offerFeedback(offer: Samples.feedback)),
        ]
        for command in attempts {
            do {
                try await world.engine.execute(command, by: intruder)
                Issue.record("\(command.name) succeeded for another operator")
            } catch {
                #expect(error.code == .notParty || error.code == .invalidState, "\(command.name): \(error)")
            }
        }
        #expect(try await world.log() == before)
    }
}
