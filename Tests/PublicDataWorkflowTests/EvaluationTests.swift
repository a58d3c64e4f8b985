import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 33: every evaluation result reaches the data administration; the automatic exit is a policy parameter.
struct EvaluationTests {
    private func rate(_ rating: EvaluationRating, period: EvaluationID, in world: World) async throws -> CommandOutcome
    {
        try await world.run(.implementingAgency, .evaluation(.openEvaluation(agreement: "agr-1", period: period)))
        try await world.run(
            .operator,
            .evaluation(.submitOperatorReport(agreement: "agr-1", report: "report \(period)"))
        )
        return try await world.run(.implementingAgency, .evaluation(.rateOperator(agreement: "agr-1", rating: rating)))
    }

    private func notified(_ outcome: CommandOutcome) -> [PartyID: Role] {
        var result: [PartyID: Role] = [:]
        for message in outcome.events.flatMap({ NotificationDispatcher.notifications(in: $0) }) {
            result[message.recipient] = message.recipientRole
        }
        return result
    }

    @Test(arguments: [EvaluationRating.excellent, .good, .pass, .poor])
    func everyRatingIsReportedToTheDataAdministration(rating: EvaluationRating) async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let outcome = try await rate(rating, period: "ev-1", in: world)
        #expect(outcome.events.map(\.type) == ["evaluation.rated"])
        let recipients = notified(outcome)
        #expect(recipients[Parties.administration] == .dataAdministration)
        #expect(recipients[Parties.operatorParty] == .operator)
    }

    @Test func theExitOrderIsReportedToTheDataAdministration() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        _ = try await rate(.poor, period: "ev-1", in: world)
        let exit = try await rate(.poor, period: "ev-2", in: world)
        let order = try #require(exit.events.first { $0.type == "evaluation.exitOrdered" })
        let recipients = Set(NotificationDispatcher.notifications(in: order).map(\.recipient))
        #expect(recipients.isSuperset(of: [Parties.administration, Parties.agency, Parties.operatorParty]))
    }

    @Test func withoutAutomaticExitPoorRatingsNeverEndTheAgreement() async throws {
        let world = World { $0.consecutivePoorRatingsForExit = 0 }
        try await world.run(Scripts.toActiveAgreement)
        var consequences: [EvaluationConsequence?] = []
        for period in ["ev-1", "ev-2", "ev-3"] {
            let outcome = try await rate(.poor, period: EvaluationID(period), in: world)
            #expect(outcome.state == "rated")
            consequences.append(try await world.engine.instance(EvaluationProcess.self, "agr-1").facts.consequence)
        }
        #expect(consequences == [.notice, .interview, .interview])
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .active)
        // The agency decides the termination explicitly instead.
        let terminated = try await world.run(
            .implementingAgency,
            .agreement(.terminateAgreement(agreement: "agr-1", reason: "three poor"))
        )
        #expect(terminated.state == "terminated")
    }

    @Test(arguments: [(0, true), (1, true), (10, true), (-1, false), (11, false)])
    func theExitCountMayBeSwitchedOff(count: Int, valid: Bool) {
        let parameters = PolicyParameters(consecutivePoorRatingsForExit: count)
        #expect(parameters.validationIssues().isEmpty == valid)
    }
}
