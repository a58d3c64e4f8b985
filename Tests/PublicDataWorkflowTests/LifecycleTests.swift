import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

struct LifecycleTests {
    @Test func theWholeLifecycleEndsInTheExitProcedure() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)

        // The second consecutive poor rating terminated the agreement and ran the exit procedure.
        #expect(try await world.state(.evaluation, "agr-1") == "exited")
        let agreement = try await world.engine.instance(.agreement, "agr-1")
        #expect(agreement.state == "terminated")
        #expect(agreement.openDeadlines.isEmpty)
        #expect(try await world.state(.dataRequest, "req-1") == "revoked")
        #expect(try await world.state(.dataRequest, "req-2") == "revoked")
        #expect(try await world.state(.product, "prod-1") == "withdrawn")
        #expect(try await world.state(.settlement, "agr-1") == "settled")
        let evaluation = try await world.engine.instance(.evaluation, "agr-1")
        #expect(evaluation.facts.consecutivePoorRatings == 2)
        #expect(evaluation.facts.consequence == .exit)

        let types = try await world.log().map(\.type)
        for type in [
            "agreement.terminatedByEvaluation", "dataRequest.revokedOnExit", "product.withdrawnOnExit",
            "settlement.settledOnExit", "agreement.exitCompleted", "evaluation.exitCompleted",
        ] {
            #expect(types.filter { $0 == type }.count == (type == "dataRequest.revokedOnExit" ? 2 : 1), "\(type)")
        }

        // Nothing else may happen under the ended agreement.
        await expectRefusal(.invalidState) {
            try await world.run(.operator, .recordUsage("agr-1", Samples.usage("u-late")))
        }
        let late = try await world.run(.operator, .submitDataRequest(Samples.request("req-late", "ent-open")))
        #expect(late.state == "submitted")
        let refused = try await world.run(.implementingAgency, .evaluateDataRequest("req-late"))
        #expect(refused.isRefusal)
        #expect(refused.decision?.firedRules.contains("dr.agreement-ended") == true)
    }

    @Test func aFirstPoorRatingOnlyGivesNotice() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.dataAdministration, .openEvaluation("agr-1", period: "ev-1"))
        try await world.run(.operator, .submitOperatorReport("agr-1", report: "r"))
        let first = try await world.run(.dataAdministration, .rateOperator("agr-1", rating: .poor))
        #expect(first.state == "rated")
        #expect(try await world.engine.instance(.evaluation, "agr-1").facts.consequence == .notice)
        // A good rating in between resets the count: poor, good, poor is not an exit.
        try await world.run(.dataAdministration, .openEvaluation("agr-1", period: "ev-2"))
        try await world.run(.operator, .submitOperatorReport("agr-1", report: "r"))
        try await world.run(.dataAdministration, .rateOperator("agr-1", rating: .good))
        try await world.run(.dataAdministration, .openEvaluation("agr-1", period: "ev-3"))
        try await world.run(.operator, .submitOperatorReport("agr-1", report: "r"))
        let third = try await world.run(.dataAdministration, .rateOperator("agr-1", rating: .poor))
        #expect(third.state == "rated")
        #expect(try await world.state(.agreement, "agr-1") == "active")
    }

    @Test func policyDenialsAreRecordedWithTheirReasons() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .submitDataRequest(Samples.request("req-x", "ent-closed")))
        let before = try await world.store.headPosition()
        let outcome = try await world.run(.implementingAgency, .evaluateDataRequest("req-x"))
        #expect(outcome.isRefusal)
        #expect(outcome.state == "refused")
        #expect(try await world.store.headPosition() == before + 1)
        let event = try #require(outcome.events.first)
        #expect(event.type == "dataRequest.refused")
        let payload = try event.decodePayload(WorkflowPayload.self)
        let decision = try #require(payload.decision)
        #expect(decision.effect == .deny)
        #expect(decision.firedRules.contains("dr.not-shared"))
        #expect(decision.citedArticles.contains("Art. 16"))
        #expect(payload.dataRequestID == "req-x")
        #expect(payload.agreementID == "agr-1")
        #expect(payload.catalogEntryIDs == ["ent-closed"])
        #expect(event.metadata.policyVersion == "\(decision.policyID)@\(decision.policyVersion)")

        // A conditional entry asked for by download is refused as well (privacy computing only).
        try await world.run(.operator, .submitDataRequest(Samples.request("req-y", "ent-cond", delivery: .sandbox)))
        let second = try await world.run(.implementingAgency, .evaluateDataRequest("req-y"))
        #expect(second.isRefusal)
        #expect(second.decision?.firedRules.contains("dr.conditional-delivery") == true)
    }

    @Test func conditionalShareNeedsTheOwningDepartmentsCoReview() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .submitDataRequest(Samples.request("req-2", "ent-cond")))
        let evaluated = try await world.run(.implementingAgency, .evaluateDataRequest("req-2"))
        #expect(evaluated.state == "coReview")
        #expect(evaluated.decision?.requiresCoReview == true)
        // Another department may not co-review.
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .coReviewDataRequest("req-2", approve: true, note: "x"),
                by: Actor(party: "dept-transport", role: .industryDepartment, person: "p")
            )
        }
        let rejected = try await world.run(
            .industryDepartment,
            .coReviewDataRequest("req-2", approve: false, note: "scenario too broad")
        )
        #expect(rejected.state == "refused")
        #expect(rejected.isRefusal)
    }

    @Test func aProductReleaseTheDPolicyDeniesIsRecorded() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        var raw = Samples.product
        raw.id = "prod-2"
        raw.sourceEntries = ["ent-cond"]
        raw.exposesRawData = true
        try await world.run(.operator, .draftProduct(raw))
        let outcome = try await world.run(.implementingAgency, .assessProductCompliance("prod-2"))
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
            try await world.run(.operator, .publishProduct("prod-1", plan: Samples.pricePlan(fen: 80)))
        }
        #expect(try await world.log() == before)
        let published = try await world.run(.operator, .publishProduct("prod-1", plan: Samples.pricePlan(fen: 50)))
        #expect(published.state == "published")
    }

    @Test func usageIsMeteredOnceAndRatedAtPeriodClose() async throws {
        let world = World()
        try await world.run(Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4)))
        try await world.run(.operator, .recordUsage("agr-1", Samples.usage("u-1", quantity: 10)))
        let duplicate = try await world.run(.operator, .recordUsage("agr-1", Samples.usage("u-1", quantity: 10)))
        #expect(duplicate.deduplicated)
        try await world.run(.operator, .recordUsage("agr-1", Samples.usage("u-2", quantity: 5)))
        let closed = try await world.run(.implementingAgency, .closeSettlementPeriod("agr-1", period: Samples.march))
        let payload = try #require(try closed.events.first?.decodePayload(WorkflowPayload.self))
        // 15 calls at 0.20 yuan = 3.00 yuan, industry development purpose (charged).
        #expect(payload.settlement?.usageCount == 2)
        #expect(payload.settlement?.revenue == Money(fen: 300))
        #expect(payload.invoices?.count == 1)
        await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .closeSettlementPeriod("agr-1", period: Samples.march))
        }
        let distributed = try await world.run(.financeDepartment, .distributeRevenue("agr-1", shares: Samples.shares))
        let allocations = try #require(try distributed.events.first?.decodePayload(WorkflowPayload.self).allocations)
        #expect(allocations.map(\.amount.fen).reduce(0, +) == 300)
    }

    @Test func objectionsEscalateOnceWhenTheProviderIsLate() async throws {
        let world = World()
        try await world.run(Array(Scripts.setup.prefix(1)))
        try await world.run(.operator, .raiseObjection(Samples.objection))
        let accepted = try await world.run(.dataAdministration, .acceptObjection("obj-1"))
        let deadline = try #require(try await world.engine.instance(.objection, "obj-1").openDeadlines["response"])
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
        #expect(try await world.state(.objection, "obj-1") == "accepted")
        // The provider can still answer after the escalation.
        try await world.run(.dataProvider, .feedBackObjection("obj-1", finding: "late but done"))
        #expect(try await world.state(.objection, "obj-1") == "fedBack")
    }

    @Test func anAgreementExpiresAtTheEndOfItsTermAndExits() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        world.clock.set(testInstant("2028-12-01T01:00:00Z"))
        let notice = try await world.engine.advance()
        #expect(notice.map(\.event.type) == ["agreement.expiryApproaching"])
        world.clock.set(testInstant("2029-03-01T01:00:00Z"))
        let fired = try await world.engine.advance()
        #expect(fired.map(\.event.type) == ["agreement.expired", "agreement.exitCompleted"])
        #expect(try await world.state(.agreement, "agr-1") == "expired")
        #expect(try await world.state(.product, "prod-1") == "withdrawn")
        #expect(try await world.state(.dataRequest, "req-1") == "revoked")
        #expect(try await world.engine.advance().isEmpty)
    }

    @Test func feedbackJoinsTheCatalogOnce() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .offerFeedback(Samples.feedback))
        try await world.run(.dataAdministration, .startFeedbackReview("fb-1"))
        try await world.run(.dataAdministration, .acceptFeedback("fb-1"))
        let entry = try await world.engine.instance(.catalog, "ent-feedback")
        #expect(entry.state == "published")
        #expect(entry.facts.catalogEntry == Samples.feedbackEntry)
        await expectRefusal(.invalidState) { try await world.run(.dataAdministration, .acceptFeedback("fb-1")) }
    }

    @Test func badInputIsRefusedWithEveryProblemAndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Scripts.setup)
        let before = try await world.log()
        var incomplete = ImplementationPlan(id: "plan-2", implementingAgency: Parties.agency)
        incomplete.name = "Transport"
        try await world.run(.implementingAgency, .draftPlan(incomplete))
        do {
            try await world.run(.implementingAgency, .submitPlan("plan-2"))
            Issue.record("an incomplete plan was submitted")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.issues.count == 11)
        }
        #expect(try await world.log().count == before.count + 1)
        await expectRefusal(.invalidInput) {
            try await world.run(
                .operator,
                .recordUsage(
                    "",
                    UsageSpec(product: "", subscription: "s", consumer: "c", quantity: 0, idempotencyKey: "")
                )
            )
        }
        await expectRefusal(.notFound) {
            try await world.run(.operator, .submitDataRequest(Samples.request("req-1", "ent-open")))
        }
        await expectRefusal(.invalidState) { try await world.run(.implementingAgency, .draftPlan(Samples.plan)) }
        #expect(try await world.log().count == before.count + 1)
    }

    @Test func anOperatorNeverActsOnAnotherOperatorsAgreement() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        let intruder = Actor(party: Parties.otherOperator, role: .operator, person: "mallory")
        let before = try await world.log()
        let attempts: [WorkflowCommand] = [
            .signAgreement("agr-1"),
            .submitDataRequest(Samples.request("req-9", "ent-open")),
            .draftProduct(
                ProductSpec(
                    id: "prod-9",
                    agreement: "agr-1",
                    name: "x",
                    kind: .api,
                    sourceEntries: ["ent-open"],
                    delivery: .verificationAPI
                )
            ),
            .withdrawProduct("prod-1", reason: "sabotage"),
            .publishProduct("prod-1", plan: Samples.pricePlan()),
            .recordUsage("agr-1", Samples.usage("u-9")),
            .submitOperatorReport("agr-1", report: "fake"),
            .offerFeedback(Samples.feedback),
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
