import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 22, 25, 27, 30: usage is recorded only under the consumer's active, filed scenario of a published
/// product whose price plan is in force on the day; scenarios can be suspended and revoked, and end with their
/// product or agreement.
struct DownstreamUseTests {
    /// The published product with the business entity's scenario scn-1 active.
    static let activeScenario = Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4))

    private func use(_ world: World, _ usage: UsageSpec) async throws -> CommandOutcome {
        try await world.run(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: usage)))
    }

    /// Expects the usage to be refused as not authorized, citing `article`, with nothing recorded.
    private func expectUnauthorizedUse(
        _ world: World,
        _ usage: UsageSpec,
        citing article: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try await world.log()
        do {
            _ = try await use(world, usage)
            Issue.record("the use was recorded", sourceLocation: sourceLocation)
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized, "\(error)", sourceLocation: sourceLocation)
            #expect(error.articles.contains(article), "\(error.articles)", sourceLocation: sourceLocation)
        }
        #expect(try await world.log() == before, sourceLocation: sourceLocation)
    }

    @Test func aUseOutsideTheConsumersActiveFiledScenarioIsRefusedAndNothingIsRecorded() async throws {
        let world = World()
        // Filed but not yet activated.
        try await world.run(Array(Self.activeScenario.dropLast()))
        #expect(try await world.state(ScenarioProcess.self, "scn-1") == .filed)
        try await expectUnauthorizedUse(world, Samples.usage("u-filed"), citing: "Art. 27")
        try await world.run(.implementingAgency, .scenario(.activateScenario(scenario: "scn-1")))

        var none = Samples.usage("u-none")
        none.scenario = nil
        try await expectUnauthorizedUse(world, none, citing: "Art. 25")
        var unknown = Samples.usage("u-unknown")
        unknown.scenario = "scn-unknown"
        try await expectUnauthorizedUse(world, unknown, citing: "Art. 25")
        var stranger = Samples.usage("u-stranger")
        stranger.consumer = "biz-2"
        try await expectUnauthorizedUse(world, stranger, citing: "Art. 25")

        #expect(try await use(world, Samples.usage("u-ok")).events.map(\.type) == ["settlement.usageRecorded"])
    }

    @Test func aUseWithoutAPricePlanInForceOnTheDayIsRefused() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        _ = try await use(world, Samples.usage("u-in-force"))
        // The plan runs through 2027-02-28.
        world.clock.advance(byDays: 370)
        try await expectUnauthorizedUse(world, Samples.usage("u-expired"), citing: "Art. 22")
    }

    @Test func theAgencySuspendsResumesAndRevokesAScenario() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        await expectRefusal(.roleNotPermitted) {
            try await world.run(.operator, .scenario(.suspendScenario(scenario: "scn-1", reason: "misuse")))
        }
        let suspended = try await world.run(
            .implementingAgency,
            .scenario(.suspendScenario(scenario: "scn-1", reason: "linkage risk"))
        )
        #expect(suspended.state == "suspended")
        let told = Set(suspended.events.flatMap(NotificationDispatcher.notifications(in:)).map(\.recipient))
        #expect(told == [Parties.business, Parties.operatorParty])
        try await expectUnauthorizedUse(world, Samples.usage("u-suspended"), citing: "Art. 30")

        #expect(
            try await world.run(.implementingAgency, .scenario(.resumeScenario(scenario: "scn-1"))).state == "active"
        )
        _ = try await use(world, Samples.usage("u-resumed"))

        let revoked = try await world.run(
            .implementingAgency,
            .scenario(.revokeScenario(scenario: "scn-1", reason: "violation confirmed"))
        )
        #expect(revoked.state == "revoked")
        try await expectUnauthorizedUse(world, Samples.usage("u-revoked"), citing: "Art. 30")
        await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .scenario(.resumeScenario(scenario: "scn-1")))
        }
    }

    @Test func aScenarioEndsWhenItsProductIsWithdrawn() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(.operator, .product(.withdrawProduct(product: "prod-1", reason: "retired")))
        #expect(try await world.state(ScenarioProcess.self, "scn-1") == .ended)
        let ended = try #require(try await world.log().first { $0.type == "scenario.ended" })
        let told = NotificationDispatcher.notifications(in: ended).map(\.recipient)
        #expect(told == [Parties.business])
    }

    @Test func aScenarioEndsWithItsAgreement() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(.dataAdministration, .agreement(.revokeAgreement(agreement: "agr-1", reason: "violation")))
        #expect(try await world.state(ScenarioProcess.self, "scn-1") == .ended)
        #expect(try await world.log().contains { $0.type == "scenario.endedOnExit" })
    }
}
