import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 16: data is authorized "after the implementing agency evaluates and agrees", so the agency may refuse a
/// request on its own evaluation, which is recorded like a policy denial; and an operator may withdraw a request
/// that is not decided yet. Either way the request ends.
struct DataRequestClosingTests {
    static func submitted(_ id: DataRequestID = "req-x", entry: CatalogEntryID = "ent-open") async throws -> World {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request(id, entry))))
        return world
    }

    @Test func theAgencyRefusesARequestThePolicyWouldPermitAndTheRefusalIsRecorded() async throws {
        let world = try await Self.submitted()
        let refused = try await world.run(
            .implementingAgency,
            .dataRequest(.refuseDataRequest(request: "req-x", reason: "the scenario does not need the data"))
        )
        #expect(refused.events.map(\.type) == ["dataRequest.refusedByAgency"])
        #expect(refused.state == "refused")
        #expect(refused.isRefusal)
        #expect(refused.decision == nil)
        #expect(refused.articles == ["Art. 16"])
        #expect(NotificationDispatcher.notifications(in: refused.events[0]).map(\.recipientRole) == [.operator])
        let payload = try refused.events[0].decodePayload(Reasoned.self)
        #expect(payload.reason == "the scenario does not need the data")

        // A refused request is final: it cannot be evaluated afterwards.
        let log = try await world.log()
        await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-x")))
        }
        #expect(try await world.log() == log)
    }

    @Test func onlyTheAgreementsAgencyRefusesAndOnlyBeforeItDecided() async throws {
        let world = try await Self.submitted()
        let log = try await world.log()
        let refuse = WorkflowCommand.dataRequest(.refuseDataRequest(request: "req-x", reason: "no"))
        await expectRefusal(.roleNotPermitted) { try await world.run(.operator, refuse) }
        await expectRefusal(.notParty) {
            try await world.engine.execute(refuse, by: RefusalArticlesTests.otherAgency)
        }
        #expect(try await world.log() == log)

        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-x")))
        // A granted request is revoked instead.
        let late = await expectRefusal(.invalidState) { try await world.run(.implementingAgency, refuse) }
        #expect(late?.articles.contains("Art. 16") == true)
    }

    @Test(arguments: ["ent-open", "ent-cond"] as [CatalogEntryID])
    func theOperatorWithdrawsARequestNotYetDecided(_ entry: CatalogEntryID) async throws {
        let world = try await Self.submitted("req-w", entry: entry)
        if entry == "ent-cond" {
            // A conditional entry goes to the owning department's co-review first.
            let evaluated = try await world.run(
                .implementingAgency,
                .dataRequest(.evaluateDataRequest(request: "req-w"))
            )
            #expect(evaluated.state == "coReview")
        }
        let withdrawn = try await world.run(
            .operator,
            .dataRequest(.withdrawDataRequest(request: "req-w", reason: "no longer needed"))
        )
        #expect(withdrawn.events.map(\.type) == ["dataRequest.withdrawn"])
        #expect(withdrawn.state == "withdrawn")
        #expect(!withdrawn.isRefusal)
        let request = try await world.engine.instance(DataRequestProcess.self, "req-w")
        #expect(DataRequestProcess.finalStates.contains(try #require(request.state)))

        await expectRefusal(.invalidState) {
            try await world.run(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-w", approve: true, note: "fine"))
            )
        }
    }

    @Test func anotherOperatorCannotWithdrawAndAGrantIsNotWithdrawn() async throws {
        let world = try await Self.submitted("req-w")
        let withdraw = WorkflowCommand.dataRequest(.withdrawDataRequest(request: "req-w", reason: "mine"))
        await expectRefusal(.notParty) {
            try await world.engine.execute(withdraw, by: RefusalArticlesTests.otherOperator)
        }
        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-w")))
        await expectRefusal(.invalidState) { try await world.run(.operator, withdraw) }
        #expect(try await world.state(DataRequestProcess.self, "req-w") == .granted)
    }
}
