import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 18 and the zone guidance's 逐级倒查: an objection can name several providers along the supply chain. Each
/// is told, each answer is recorded (late when after the due date), and the objection is fed back once every named
/// provider has answered.
struct ObjectionSupplyChainTests {
    static let upstream: [PartyID] = ["provider-2", "provider-3"]

    static func provider(_ party: PartyID) -> Principal {
        Principal(party: party, role: .dataProvider, person: "\(party).clerk")
    }

    /// An objection naming provider-1 and two upstream providers, accepted on Monday 2 March 2026.
    static func accepted() async throws -> (World, CommandOutcome) {
        let world = World()
        try await world.run(Array(Scripts.setup.prefix(1)))
        var objection = Samples.objection
        objection.upstreamProviders = upstream
        try await world.run(.operator, .objection(.raiseObjection(objection: objection)))
        let accepted = try await world.run(.dataAdministration, .objection(.acceptObjection(objection: "obj-1")))
        return (world, accepted)
    }

    static func answer(_ world: World, _ party: PartyID, _ finding: String) async throws -> CommandOutcome {
        try await world.engine.execute(
            .objection(.feedBackObjection(objection: "obj-1", finding: finding)),
            by: provider(party)
        )
    }

    static func answered(_ outcome: CommandOutcome) throws -> ObjectionProcess.Answered {
        try outcome.events[0].decodePayload(ObjectionProcess.Answered.self)
    }

    @Test func eachNamedProviderIsToldAndTheObjectionWaitsForEveryAnswer() async throws {
        let (world, accepted) = try await Self.accepted()
        let told = NotificationDispatcher.notifications(in: accepted.events[0])
        #expect(Set(told.map(\.recipient)) == [Parties.provider, "provider-2", "provider-3"])
        #expect(told.allSatisfy { $0.recipientRole == .dataProvider && $0.due == CivilDate("2026-03-09") })

        let first = try await Self.answer(world, "provider-2", "our copy came from provider-3")
        #expect(first.events.map(\.type) == ["objection.partlyFedBack"])
        #expect(first.state == "accepted")
        #expect(try Self.answered(first).outstanding == [Parties.provider, "provider-3"])
        #expect(try Self.answered(first).provider == "provider-2")

        // A provider answers once; a provider the objection does not name does not answer.
        let before = try await world.log()
        await expectRefusal(.invalidState) { _ = try await Self.answer(world, "provider-2", "again") }
        await expectRefusal(.notParty) { _ = try await Self.answer(world, "provider-9", "not ours") }
        #expect(try await world.log() == before)

        let second = try await Self.answer(world, "provider-3", "stale extract of 2025")
        #expect(second.events.map(\.type) == ["objection.partlyFedBack"])
        let last = try await Self.answer(world, Parties.provider, "we reload from provider-3")
        #expect(last.events.map(\.type) == ["objection.fedBack"])
        #expect(last.state == "fedBack")
        #expect(try Self.answered(last).outstanding == [])
        let objection = try await world.engine.instance(ObjectionProcess.self, "obj-1")
        #expect(objection.facts.answers == ["provider-2", "provider-3", Parties.provider])
        #expect(objection.openDeadlines.isEmpty)

        // Any named provider records the correction; the data administration closes it.
        try await world.engine.execute(
            .objection(.correctObjection(objection: "obj-1", note: "re-extracted")),
            by: Self.provider("provider-3")
        )
        #expect(
            try await world.run(.dataAdministration, .objection(.closeObjection(objection: "obj-1"))).state == "closed"
        )
    }

    @Test func anAnswerAfterTheDueDateIsMarkedLate() async throws {
        let (world, _) = try await Self.accepted()
        let inTime = try await Self.answer(world, "provider-2", "in time")
        #expect(try Self.answered(inTime).late == false)
        world.clock.advance(byDays: 8)  // past Monday 9 March: escalated
        let fired = try await world.engine.advance()
        #expect(fired.map(\.event.type) == ["objection.escalated"])
        let late = try await Self.answer(world, "provider-3", "late")
        #expect(try Self.answered(late).late == true)
        #expect(try await world.state(ObjectionProcess.self, "obj-1") == .accepted)
    }

    @Test func eachProvidersScorecardCountsItsOwnAnswerAndOnlyItsOwnLateness() async throws {
        let (world, _) = try await Self.accepted()
        _ = try await Self.answer(world, "provider-2", "in time")
        world.clock.advance(byDays: 8)
        try await world.engine.advance()  // escalated: provider-1 and provider-3 still owe their answer
        _ = try await Self.answer(world, "provider-3", "late")
        _ = try await Self.answer(world, Parties.provider, "late too")
        let cards = try await world.engine.departmentScorecards(
            from: ScorecardTests.year2026.from,
            through: ScorecardTests.year2026.through
        )
        func card(_ party: PartyID) throws -> DepartmentScorecard {
            try #require(cards.first { $0.department == party })
        }
        for party in [Parties.provider, "provider-2", "provider-3"] {
            #expect(try card(party).objectionsReceived == 1, "\(party)")
            #expect(try card(party).objectionsAnswered == 1, "\(party)")
        }
        #expect(try card("provider-2").objectionsEscalated == 0)
        #expect(try card("provider-3").objectionsEscalated == 1)
        #expect(try card(Parties.provider).objectionsEscalated == 1)
    }

    @Test func aSingleProviderObjectionIsFedBackByItsOneAnswer() async throws {
        let world = World()
        try await world.run(Array(Scripts.setup.prefix(1)))
        try await world.run(.operator, .objection(.raiseObjection(objection: Samples.objection)))
        try await world.run(.dataAdministration, .objection(.acceptObjection(objection: "obj-1")))
        let answered = try await Self.answer(world, Parties.provider, "stale since 2025")
        #expect(answered.events.map(\.type) == ["objection.fedBack"])
        #expect(try Self.answered(answered).late == false)
    }

    @Test func aProviderNamedTwiceIsBadInput() async throws {
        let world = World()
        try await world.run(Array(Scripts.setup.prefix(1)))
        var objection = Samples.objection
        objection.upstreamProviders = ["provider-2", Parties.provider]
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, .objection(.raiseObjection(objection: objection)))
        }
    }

    /// Art. 18 ¶1: the data administration runs the objection loop, so an objection whose providers stay silent
    /// after the escalations still ends: the administration rejects it (closing the response deadline) and closes
    /// it. A provider rejects only on its finding, after every named provider has fed back.
    @Test func anObjectionWhoseProvidersStaySilentCanStillEnd() async throws {
        let (world, _) = try await Self.accepted()
        for _ in 0..<8 {
            world.clock.advance(byDays: 7)
            try await world.engine.advance()
        }
        let escalated = try await world.engine.instance(ObjectionProcess.self, "obj-1")
        #expect(escalated.state == .accepted)
        #expect(escalated.facts.escalations >= 1)
        #expect(escalated.openDeadlines[.response] == nil)

        let before = try await world.log()
        let early = await expectRefusal(.invalidState) {
            try await world.engine.execute(
                .objection(.rejectObjection(objection: "obj-1", reason: "our data is right")),
                by: Self.provider(Parties.provider)
            )
        }
        #expect(early?.articles == ["Art. 18"])
        #expect(try await world.log() == before)

        let rejected = try await world.run(
            .dataAdministration,
            .objection(.rejectObjection(objection: "obj-1", reason: "no provider answered; the data stands"))
        )
        #expect(rejected.state == "rejected")
        let told = NotificationDispatcher.notifications(in: rejected.events[0])
        #expect(Set(told.map(\.recipient)).isSuperset(of: [Parties.provider, "provider-2", "provider-3"]))
        let closed = try await world.run(.dataAdministration, .objection(.closeObjection(objection: "obj-1")))
        #expect(closed.state == "closed")
    }

    /// Rejecting while the answer is still due closes the response deadline: nothing escalates afterwards.
    @Test func aRejectionBeforeTheAnswersClosesTheResponseDeadline() async throws {
        let (world, _) = try await Self.accepted()
        #expect(try await world.engine.instance(ObjectionProcess.self, "obj-1").openDeadlines[.response] != nil)
        try await world.run(
            .dataAdministration,
            .objection(.rejectObjection(objection: "obj-1", reason: "raised against the wrong entry"))
        )
        world.clock.advance(byDays: 30)
        let fired = try await world.engine.advance()
        #expect(fired.isEmpty)
        let objection = try await world.engine.instance(ObjectionProcess.self, "obj-1")
        #expect(objection.state == .rejected)
        #expect(objection.facts.escalations == 0)
    }
}
