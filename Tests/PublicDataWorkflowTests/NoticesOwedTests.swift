import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Every party is told what concerns it: each candidate of a selection (the ineligible and the not selected too),
/// the registration applicant in the role it applied in, the agency when a product is published, each payer of a
/// period's invoices and of the exit's settlement, the business entity of every scenario of a withdrawn product.
struct NoticesOwedTests {
    /// Who an outcome's events notify, as (party, role) pairs.
    static func told(_ outcome: CommandOutcome) -> Set<String> {
        Set(
            outcome.events.flatMap(NotificationDispatcher.notifications(in:))
                .map { "\($0.recipient)/\($0.recipientRole.rawValue)" }
        )
    }

    static let ineligible: PartyID = "op-3"

    /// The selection announced, with three candidates: op-1 and op-2 eligible, op-3 with a bad business record.
    static func threeCandidates() async throws -> World {
        let world = World()
        let announced = try #require(Scripts.prefix(before: .selection(.applyForSelection)))
        try await world.run(announced.steps)
        let candidates: [OperatorApplication] = [
            OperatorApplication(candidate: Parties.operatorParty, name: "Op 1"),
            OperatorApplication(candidate: Parties.otherOperator, name: "Op 2"),
            OperatorApplication(candidate: ineligible, name: "Op 3", hasBadBusinessRecord: true),
        ]
        for application in candidates {
            try await world.engine.execute(
                .selection(.applyForSelection(selection: "sel-1", application: application)),
                by: Principal(party: application.candidate, role: .operator, person: "bidder")
            )
        }
        try await world.run(.implementingAgency, .selection(.closeApplications(selection: "sel-1")))
        return world
    }

    @Test func everyCandidateIsToldTheReviewAndTheSelection() async throws {
        let world = try await Self.threeCandidates()
        let everyone: Set<String> = ["op-1/operator", "op-2/operator", "op-3/operator"]
        let reviewed = try await world.run(.implementingAgency, .selection(.reviewQualifications(selection: "sel-1")))
        #expect(Self.told(reviewed) == everyone)
        let selected = try await world.run(
            .implementingAgency,
            .selection(.selectOperator(selection: "sel-1", candidate: Parties.operatorParty))
        )
        #expect(Self.told(selected) == everyone)
    }

    @Test func everyCandidateIsToldWhenTheSelectionFails() async throws {
        let world = try await Self.threeCandidates()
        let failed = try await world.run(
            .implementingAgency,
            .selection(.failSelection(selection: "sel-1", reason: "tender annulled"))
        )
        #expect(Self.told(failed) == ["op-1/operator", "op-2/operator", "op-3/operator"])
    }

    @Test func theRegistrationApplicantIsToldInTheRoleItAppliedIn() async throws {
        let world = World()
        try await world.run(Array(Scripts.toActiveAgreement.dropLast(Scripts.registration.count)))
        try await world.run(Array(Scripts.registration.prefix(1)))
        let outcome = try await world.run(
            .dataAdministration,
            .registration(.acceptRegistration(registration: "reg-1"))
        )
        #expect(Self.told(outcome) == ["dept-finance/industry_department"])
        let review = try await world.run(
            .dataAdministration,
            .registration(.completeFormalReview(registration: "reg-1", passed: true, note: "complete"))
        )
        let notices = review.events.flatMap(NotificationDispatcher.notifications(in:))
        #expect(notices.map(\.recipient) == [Parties.department])
        #expect(notices.first?.due != nil)
    }

    @Test func anOperatorApplicantIsToldAsTheOperator() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        let application = RegistrationApplication(
            id: "reg-prod",
            kind: .first,
            product: "prod-1",
            description: "credit model"
        )
        try await world.run(.operator, .registration(.applyRegistration(application: application)))
        let accepted = try await world.run(
            .dataAdministration,
            .registration(.acceptRegistration(registration: "reg-prod"))
        )
        #expect(Self.told(accepted) == ["op-1/operator"])
    }

    @Test func theAgencyIsToldWhenAProductIsPublished() async throws {
        let world = World()
        try await world.run(Array(Scripts.toPublishedProduct.dropLast()))
        let published = try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan()))
        )
        #expect(Self.told(published).contains("agency-finance/implementing_agency"))
    }

    /// A second business entity with its own active scenario of the product.
    static func twoConsumers() async throws -> World {
        let world = World()
        try await world.run(DownstreamUseTests.activeScenario)
        let second = Principal(party: "biz-2", role: .businessEntity, person: "clerk")
        var scenario = Samples.scenario
        scenario.id = "scn-2"
        try await world.engine.execute(.scenario(.applyScenario(scenario: scenario)), by: second)
        try await world.run(.operator, .scenario(.assessScenario(scenario: "scn-2")))
        try await world.run(.operator, .scenario(.fileScenario(scenario: "scn-2")))
        try await world.run(.implementingAgency, .scenario(.activateScenario(scenario: "scn-2")))
        try await world.run(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1"))))
        var other = Samples.usage("u-2")
        other.consumer = "biz-2"
        other.subscription = "sub-2"
        other.scenario = "scn-2"
        try await world.run(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: other)))
        return world
    }

    @Test func eachPayerOfAnInvoiceIsToldAtPeriodClose() async throws {
        let world = try await Self.twoConsumers()
        let closed = try await world.run(
            .implementingAgency,
            .settlement(.closeSettlementPeriod(agreement: "agr-1", period: Samples.march))
        )
        let payers = Self.told(closed).filter { $0.hasSuffix("/business_entity") }
        #expect(payers == ["biz-1/business_entity", "biz-2/business_entity"])
    }

    @Test func theExitsSettlementNamesEachPayerWithWhatItOwesAndTellsIt() async throws {
        let world = try await Self.twoConsumers()
        try await world.run(
            .implementingAgency,
            .agreement(.terminateAgreement(agreement: "agr-1", reason: "by agreement"))
        )
        let log = try await world.log()
        let settled = try #require(log.first { $0.type == "settlement.settledOnExit" })
        let closed = try settled.decodePayload(SettlementProcess.PeriodClosed.self)
        let payers = try #require(closed.payers)
        #expect(payers.map(\.payer) == [Parties.business, "biz-2"])
        for due in payers {
            let invoices = closed.invoices.filter { $0.consumer == due.payer }
            #expect(due.invoices == invoices.map(\.id))
            #expect(due.owed.fen == invoices.map(\.total.fen).reduce(0, +))
            #expect(due.owed.fen > 0)
        }
        let told = Set(
            NotificationDispatcher.notifications(in: settled).map { "\($0.recipient)/\($0.recipientRole.rawValue)" }
        )
        #expect(told.isSuperset(of: ["biz-1/business_entity", "biz-2/business_entity", "op-1/operator"]))
    }

    @Test func everySubscriberOfAWithdrawnProductIsTold() async throws {
        let world = try await Self.twoConsumers()
        try await world.run(.operator, .product(.withdrawProduct(product: "prod-1", reason: "retired")))
        let ended = try await world.log().filter { $0.type == "scenario.ended" }
        let told = Set(ended.flatMap(NotificationDispatcher.notifications(in:)).map(\.recipient))
        #expect(told == [Parties.business, "biz-2"])
    }
}
