import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 13: an agreement that never comes into force (the collective decision went against it, a party will not
/// sign, the filing is refused) can be ended by its implementing agency; once in force it ends only by
/// termination, revocation or expiry, each with the exit procedure.
struct AgreementAbandonTests {
    static func abandon(_ reason: String = "the collective decision went against it") -> WorkflowCommand {
        .agreement(.abandonAgreement(agreement: "agr-1", reason: reason))
    }

    /// A world brought to the step before `name` (the agreement is in the state `name` leaves).
    static func world(before name: CommandName) async throws -> World {
        let (steps, _, _) = try #require(Scripts.prefix(before: name))
        let world = World()
        try await world.run(steps)
        return world
    }

    @Test(
        arguments: [
            (CommandName.agreement(.recordCollectiveDecision), AgreementProcess.State.drafted),
            (.agreement(.signAgreement), .decided),
            (.agreement(.countersignAgreement), .signed),
            (.agreement(.activateAgreement), .filed),
        ]
    )
    func anAgreementNotInForceIsAbandoned(before name: CommandName, state: AgreementProcess.State) async throws {
        let world = try await Self.world(before: name)
        #expect(try await world.state(AgreementProcess.self, "agr-1") == state)
        let outcome = try await world.run(.implementingAgency, Self.abandon())
        #expect(outcome.events.map(\.type) == ["agreement.abandoned"])
        #expect(outcome.state == "abandoned")
        let agreement = try await world.engine.instance(AgreementProcess.self, "agr-1")
        #expect(agreement.agreementStatus == .abandoned)
        #expect(agreement.agreementStatus.isFinal)
        #expect(agreement.openDeadlines.isEmpty, "no filing reminder, no exit procedure")
        #expect(agreement.facts.reason == "the collective decision went against it")
        let told = Set(NotificationDispatcher.notifications(in: outcome.events[0]).map(\.recipientRole))
        #expect(told.isSuperset(of: [.operator, .dataAdministration]))

        // Nothing follows an abandoned agreement.
        let log = try await world.log()
        let activation = await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .agreement(.activateAgreement(agreement: "agr-1")))
        }
        #expect(activation?.articles.contains("Art. 13") == true)
        #expect(try await world.log() == log)
    }

    @Test func anAgreementInForceIsNotAbandonedButTerminated() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let log = try await world.log()
        let refusal = await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, Self.abandon("changed our mind"))
        }
        #expect(refusal?.articles.contains("Art. 13") == true)
        #expect(try await world.log() == log)
    }

    @Test func onlyTheAgreementsOwnAgencyAbandonsIt() async throws {
        let world = try await Self.world(before: .agreement(.recordCollectiveDecision))
        let log = try await world.log()
        await expectRefusal(.roleNotPermitted) { try await world.run(.operator, Self.abandon()) }
        await expectRefusal(.notParty) {
            try await world.engine.execute(Self.abandon(), by: RefusalArticlesTests.otherAgency)
        }
        await expectRefusal(.invalidInput) {
            try await world.run(.implementingAgency, Self.abandon(""))
        }
        #expect(try await world.log() == log)
    }

    /// A data request under an abandoned agreement is denied by the policy, and the denial is recorded (Art. 14).
    @Test func aDataRequestUnderAnAbandonedAgreementIsARecordedDenial() async throws {
        let world = try await Self.world(before: .agreement(.activateAgreement))
        try await world.run(.implementingAgency, Self.abandon("the operator withdrew"))
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-a", "ent-open"))))
        let refused = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-a")))
        #expect(refused.isRefusal)
        #expect(refused.decision?.firedRules.contains("dr.agreement-abandoned") == true)
        #expect(refused.articles.contains("Art. 13"))
    }
}
