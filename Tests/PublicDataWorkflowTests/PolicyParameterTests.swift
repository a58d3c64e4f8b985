import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// The policy's regulatory numbers reach the workflow (they are parameters, never constants in code).
struct PolicyParameterTests {
    /// Fires deadlines up to just before the end of `day`, then to its end, and returns what the second call fired.
    private func fireAtTheEndOf(_ day: CivilDate, in world: World) async throws -> [FiredDeadline] {
        let end = world.calendar.endOfDay(day)
        #expect(try await world.engine.advance(to: end.addingTimeInterval(-1)).isEmpty)
        return try await world.engine.advance(to: end)
    }

    private func recipients(_ fired: [FiredDeadline]) -> Set<PartyID> {
        Set(fired.flatMap { NotificationDispatcher.notifications(in: $0.event) }.map(\.recipient))
    }

    @Test(arguments: [3, 10])
    func anUnfiledAgreementIsReportedOnceWhenItsFilingPeriodEnds(days: Int) async throws {
        let world = World { $0.agreementFilingWorkingDays = days }
        let signing = try #require(Scripts.prefix(before: .agreement(.fileAgreement)))
        try await world.run(signing.steps)
        let deadline = try #require(
            try await world.engine.instance(AgreementProcess.self, "agr-1").openDeadlines[.filing]
        )
        let due = world.calendar.addingWorkingDays(days, to: CivilDate("2026-03-02")!)
        #expect(deadline.dueDay == due)

        let fired = try await fireAtTheEndOf(due, in: world)
        #expect(fired.map(\.event.type) == ["agreement.filingOverdue"])
        #expect(recipients(fired) == [Parties.administration, Parties.agency])
        #expect(try await world.engine.advance(to: world.calendar.endOfDay(due.adding(days: 60))).isEmpty)
        // Late filing is still possible and the agreement proceeds.
        let filed = try await world.run(
            .dataAdministration,
            .agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-late"))
        )
        #expect(filed.state == "filed")
    }

    @Test func anAgreementFiledInTimeClosesItsFilingDeadline() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        #expect(try await world.engine.instance(AgreementProcess.self, "agr-1").openDeadlines[.filing] == nil)
        world.clock.advance(byDays: 60)
        #expect(!(try await world.engine.advance()).contains { $0.event.type == "agreement.filingOverdue" })
    }

    @Test func anUnfiledProductIsReportedOnceWhenItsFilingPeriodEnds() async throws {
        let world = World { $0.productFilingWorkingDays = 4 }
        let assessed = try #require(Scripts.prefix(before: .product(.fileProduct)))
        try await world.run(assessed.steps)
        let deadline = try #require(
            try await world.engine.instance(ProductProcess.self, "prod-1").openDeadlines[.filing]
        )
        // Counted from the day of the assessment (after the registration's public notice).
        let due = world.calendar.addingWorkingDays(4, to: world.calendar.civilDate(of: world.clock.now()))
        #expect(deadline.dueDay == due)
        let fired = try await fireAtTheEndOf(due, in: world)
        #expect(fired.map(\.event.type) == ["product.filingOverdue"])
        #expect(recipients(fired) == [Parties.agency, Parties.operatorParty])
        #expect(try await world.engine.advance(to: world.calendar.endOfDay(due.adding(days: 30))).isEmpty)
        #expect(try await world.run(.operator, .product(.fileProduct(product: "prod-1"))).state == "filed")
    }

    @Test func anUnfiledScenarioIsReportedOnceWhenItsFilingPeriodEnds() async throws {
        let world = World { $0.scenarioFilingWorkingDays = 2 }
        let assessed = try #require(Scripts.prefix(before: .scenario(.fileScenario)))
        try await world.run(assessed.steps)
        let deadline = try #require(
            try await world.engine.instance(ScenarioProcess.self, "scn-1").openDeadlines[.filing]
        )
        let due = world.calendar.addingWorkingDays(2, to: world.calendar.civilDate(of: world.clock.now()))
        #expect(deadline.dueDay == due)
        let fired = try await fireAtTheEndOf(due, in: world)
        #expect(fired.map(\.event.type) == ["scenario.filingOverdue"])
        #expect(recipients(fired) == [Parties.agency, Parties.operatorParty])
        #expect(try await world.engine.advance(to: world.calendar.endOfDay(due.adding(days: 30))).isEmpty)
        #expect(try await world.run(.operator, .scenario(.fileScenario(scenario: "scn-1"))).state == "filed")
    }

    @Test(arguments: [0, 1, 3])
    func anOverdueObjectionEscalatesAtMostTheLimit(limit: Int) async throws {
        let world = World { $0.objectionEscalationLimit = limit }
        try await world.run(Array(Scripts.setup.prefix(1)))
        try await world.run(.operator, .objection(.raiseObjection(objection: Samples.objection)))
        try await world.run(.dataAdministration, .objection(.acceptObjection(objection: "obj-1")))
        var due = world.calendar.addingWorkingDays(5, to: CivilDate("2026-03-02")!)
        for escalation in 0..<limit {
            let open = try #require(
                try await world.engine.instance(ObjectionProcess.self, "obj-1").openDeadlines[.response]
            )
            #expect(open.dueDay == due, "escalation \(escalation + 1)")
            let fired = try await fireAtTheEndOf(due, in: world)
            #expect(fired.map(\.event.type) == ["objection.escalated"])
            let event = try #require(fired.first?.event)
            guard case .escalated(let escalated) = try EventEnvelope<ObjectionProcess>(decoding: event).event else {
                Issue.record("\(event.type) is not an escalation")
                return
            }
            #expect(escalated.escalations == escalation + 1)
            due = world.calendar.addingWorkingDays(5, to: due)
        }
        #expect(try await world.engine.instance(ObjectionProcess.self, "obj-1").openDeadlines.isEmpty)
        #expect(try await world.engine.advance(to: world.calendar.endOfDay(due.adding(days: 120))).isEmpty)
        let escalated = try await world.log().filter { $0.type == "objection.escalated" }
        #expect(escalated.count == limit)
        #expect(try await world.state(ObjectionProcess.self, "obj-1") == .accepted)
    }

    @Test func aLateAnswerStopsTheEscalations() async throws {
        let world = World { $0.objectionEscalationLimit = 3 }
        try await world.run(Array(Scripts.setup.prefix(1)))
        try await world.run(.operator, .objection(.raiseObjection(objection: Samples.objection)))
        try await world.run(.dataAdministration, .objection(.acceptObjection(objection: "obj-1")))
        let due = world.calendar.addingWorkingDays(5, to: CivilDate("2026-03-02")!)
        #expect(try await fireAtTheEndOf(due, in: world).count == 1)
        try await world.run(.dataProvider, .objection(.feedBackObjection(objection: "obj-1", finding: "late but done")))
        #expect(try await world.engine.advance(to: world.calendar.endOfDay(due.adding(days: 120))).isEmpty)
        #expect(try await world.log().filter { $0.type == "objection.escalated" }.count == 1)
    }
}
