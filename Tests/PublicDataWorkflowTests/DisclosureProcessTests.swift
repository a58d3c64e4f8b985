import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 32 and the national disclosure notice: a yearly disclosure due by 31 March (parameters) for the previous
/// year, a reminder ahead, overdue visible to the data administration, and publishing as a recorded act (who,
/// which year, the report's digest).
struct DisclosureProcessTests {
    static let agencyDuty = DisclosureProcess.DisclosureDuty(
        party: Parties.agency,
        role: .implementingAgency,
        year: 2026
    )
    static let id = "2026-\(Parties.agency)"

    private func open(_ world: World) async throws -> CommandOutcome {
        try await world.run(.dataAdministration, .disclosure(.openDisclosure(duty: Self.agencyDuty)))
    }

    private func recipients(_ fired: [FiredDeadline]) -> Set<PartyID> {
        Set(fired.flatMap { NotificationDispatcher.notifications(in: $0.event) }.map(\.recipient))
    }

    @Test func theDisclosureIsDueBy31MarchWithAReminderAhead() async throws {
        let world = World()
        let opened = try await open(world)
        let notices = opened.events.flatMap(NotificationDispatcher.notifications(in:))
        #expect(notices.map(\.recipient) == [Parties.agency])
        let instance = try await world.engine.instance(DisclosureProcess.self, Self.id)
        #expect(instance.openDeadlines[.due]?.dueDay == CivilDate("2027-03-31"))
        #expect(instance.openDeadlines[.reminder]?.dueDay == CivilDate("2027-03-01"))
        #expect(notices.first?.due == CivilDate("2027-03-01"))
    }

    @Test func theReminderThenTheOverdueNoticeReachTheirParties() async throws {
        let world = World()
        _ = try await open(world)
        let reminded = try await world.engine.advance(to: testInstant("2027-03-02T01:00:00Z"))
        #expect(reminded.map(\.event.type) == ["disclosure.reminded"])
        #expect(recipients(reminded) == [Parties.agency])
        let overdue = try await world.engine.advance(to: testInstant("2027-04-01T01:00:00Z"))
        #expect(overdue.map(\.event.type) == ["disclosure.overdue"])
        #expect(recipients(overdue) == [Parties.agency, Parties.administration])
        #expect(try await world.state(DisclosureProcess.self, Self.id) == .overdue)
        #expect(try await world.engine.advance(to: testInstant("2028-04-01T01:00:00Z")).isEmpty)

        world.clock.set(testInstant("2027-04-02T01:00:00Z"))
        let published = try await world.run(
            .implementingAgency,
            .disclosure(.publishDisclosure(disclosure: Self.id, digest: "sm3:ab12"))
        )
        let event = try #require(published.events.first)
        #expect(event.actor?.party == Parties.agency)
        #expect(String(decoding: event.payload, as: UTF8.self).contains("\"late\":true"))
        let facts = try await world.engine.instance(DisclosureProcess.self, Self.id).facts
        #expect(facts.digest == "sm3:ab12")
        #expect(facts.late)
    }

    @Test func publishingInTimeIsRecordedAndClosesTheDeadlines() async throws {
        let world = World()
        _ = try await open(world)
        let before = try await world.log()
        await expectRefusal(.notParty) {
            try await world.run(.operator, .disclosure(.publishDisclosure(disclosure: Self.id, digest: "sm3:ab12")))
        }
        await expectRefusal(.roleNotPermitted) {
            try await world.run(.auditor, .disclosure(.publishDisclosure(disclosure: Self.id, digest: "sm3:ab12")))
        }
        #expect(try await world.log() == before)
        let published = try await world.run(
            .implementingAgency,
            .disclosure(.publishDisclosure(disclosure: Self.id, digest: "sm3:ab12"))
        )
        #expect(published.state == "published")
        let notices = published.events.flatMap(NotificationDispatcher.notifications(in:)).map(\.recipient)
        #expect(notices == [Parties.administration])
        #expect(try await world.engine.instance(DisclosureProcess.self, Self.id).openDeadlines.isEmpty)
        #expect(try await world.engine.instance(DisclosureProcess.self, Self.id).facts.late == false)
    }

    @Test func theDeadlineAndTheReminderAreParameters() async throws {
        let world = World {
            $0.disclosureDeadlineMonth = 4
            $0.disclosureDeadlineDay = 30
            $0.disclosureReminderDays = 10
        }
        _ = try await open(world)
        let instance = try await world.engine.instance(DisclosureProcess.self, Self.id)
        #expect(instance.openDeadlines[.due]?.dueDay == CivilDate("2027-04-30"))
        #expect(instance.openDeadlines[.reminder]?.dueDay == CivilDate("2027-04-20"))
        #expect(PolicyParameters.beijing.disclosureReminderDays == 30)
    }

    @Test func onlyTheAgencyAndTheOperatorDisclose() async throws {
        let world = World()
        var duty = Self.agencyDuty
        duty.role = .businessEntity
        await expectRefusal(.invalidInput) {
            try await world.run(.dataAdministration, .disclosure(.openDisclosure(duty: duty)))
        }
    }
}
