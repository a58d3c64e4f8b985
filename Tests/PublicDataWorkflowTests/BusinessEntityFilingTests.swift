import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 27: a business entity promptly files the products it published with the operator; the filing is due
/// `productFilingWorkingDays` working days after publication, and an overdue filing is reported to the operator
/// and the implementing agency.
struct BusinessEntityFilingTests {
    static let activeScenario = DownstreamUseTests.activeScenario

    private func publish(_ world: World, on day: CivilDate) async throws -> CommandOutcome {
        var product = Samples.derivedProduct
        product.publishedOn = day
        return try await world.run(
            .businessEntity,
            .scenario(.publishDerivedProduct(scenario: "scn-1", product: product))
        )
    }

    private func today(_ world: World) -> CivilDate { world.calendar.civilDate(of: world.clock.now()) }

    @Test func aPublishedProductIsFiledWithTheOperatorInTime() async throws {
        let world = World { $0.productFilingWorkingDays = 3 }
        try await world.run(Self.activeScenario)
        let published = try await publish(world, on: today(world))
        let due = world.calendar.addingWorkingDays(3, to: today(world))
        let notice = try #require(published.events.flatMap(NotificationDispatcher.notifications(in:)).first)
        #expect(notice.recipient == Parties.business)
        let deadline = try #require(
            try await world.engine.instance(ScenarioProcess.self, "scn-1").openDeadlines[.derivedProductFiling]
        )
        #expect(deadline.dueDay == due)

        let filed = try await world.run(.businessEntity, .scenario(.fileDerivedProduct(scenario: "scn-1")))
        #expect(filed.events.map(\.type) == ["scenario.derivedProductFiled"])
        #expect(
            filed.events.flatMap(NotificationDispatcher.notifications(in:)).map(\.recipient) == [Parties.operatorParty]
        )
        let scenario = try await world.engine.instance(ScenarioProcess.self, "scn-1")
        #expect(scenario.facts.filedProducts.map(\.name) == [Samples.derivedProduct.name])
        #expect(scenario.openDeadlines.isEmpty)
        let event = try #require(filed.events.first)
        let payload = String(decoding: event.payload, as: UTF8.self)
        #expect(payload.contains("\"late\":false"))
    }

    @Test func anUnfiledPublicationIsReportedOnceAndItsLateFilingIsMarked() async throws {
        let world = World { $0.productFilingWorkingDays = 2 }
        try await world.run(Self.activeScenario)
        _ = try await publish(world, on: today(world))
        let due = world.calendar.addingWorkingDays(2, to: today(world))
        let fired = try await world.engine.advance(to: world.calendar.endOfDay(due).addingTimeInterval(1))
        #expect(fired.map(\.event.type) == ["scenario.derivedProductFilingOverdue"])
        let told = Set(fired.flatMap { NotificationDispatcher.notifications(in: $0.event) }.map(\.recipient))
        #expect(told == [Parties.operatorParty, Parties.agency])
        #expect(try await world.engine.advance(to: world.calendar.endOfDay(due.adding(days: 30))).isEmpty)

        world.clock.set(world.calendar.endOfDay(due).addingTimeInterval(3600))
        let filed = try await world.run(.businessEntity, .scenario(.fileDerivedProduct(scenario: "scn-1")))
        let event = try #require(filed.events.first)
        let payload = String(decoding: event.payload, as: UTF8.self)
        #expect(payload.contains("\"late\":true"))
    }

    @Test func onlyTheScenariosBusinessEntityFilesAndOnlyWhatItPublished() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        let before = try await world.log()
        await expectRefusal(.invalidState) {
            try await world.run(.businessEntity, .scenario(.fileDerivedProduct(scenario: "scn-1")))
        }
        let stranger = Principal(party: "biz-2", role: .businessEntity, person: "clerk")
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .scenario(.publishDerivedProduct(scenario: "scn-1", product: Samples.derivedProduct)),
                by: stranger
            )
        }
        await expectRefusal(.roleNotPermitted) {
            try await world.run(.operator, .scenario(.fileDerivedProduct(scenario: "scn-1")))
        }
        #expect(try await world.log() == before)
        // A second publication waits until the first is filed.
        _ = try await publish(world, on: today(world))
        await expectRefusal(.invalidState) { _ = try await publish(world, on: today(world)) }
    }

    @Test func theExitClosesAnOpenFilingDeadline() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        _ = try await publish(world, on: today(world))
        try await world.run(.dataAdministration, .agreement(.revokeAgreement(agreement: "agr-1", reason: "violation")))
        #expect(try await world.engine.instance(ScenarioProcess.self, "scn-1").openDeadlines.isEmpty)
    }
}
