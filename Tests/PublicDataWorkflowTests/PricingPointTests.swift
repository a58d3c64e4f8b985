import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 22 / 65号: publishing a price plan asks the policy's pricing decision point.
struct PricingPointTests {
    @Test func aChargeWithoutAnApprovedCapIsRefusedByThePolicyAndRecorded() async throws {
        let world = World()
        let beforeCap = try #require(Scripts.prefix(before: .product(.setFeeCap)))
        try await world.run(beforeCap.steps)
        let before = try await world.store.headPosition()
        let refused = try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan()))
        )
        #expect(refused.isRefusal)
        #expect(refused.state == "registered")
        #expect(try await world.store.headPosition() == before + 1)
        let event = try #require(refused.events.first)
        #expect(event.type == "product.publicationRefused")
        #expect(refused.decision?.firedRules.contains("pe.no-price-cap") == true)
        #expect(event.metadata.policyVersion != nil)
        #expect(NotificationDispatcher.notifications(in: event).map(\.recipient) == [Parties.operatorParty])

        // With the cap approved, the same plan is published and the permit is recorded with it.
        try await world.run(.implementingAgency, .product(.setFeeCap(product: "prod-1", cap: Samples.cap)))
        let published = try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan()))
        )
        #expect(published.state == "published")
        let publication = try #require(published.events.first)
        guard case .published(let payload) = try EventEnvelope<ProductProcess>(decoding: publication).event else {
            Issue.record("\(publication.type) is not a publication")
            return
        }
        #expect(payload.decision.isPermit)
        #expect(payload.decision.firedRules.contains("pe.guided-price"))
        #expect(payload.pricePlan == Samples.pricePlan())
    }

    @Test func aPolicyEditAtThePricingPointChangesPublication() async throws {
        let noCharges = Rule(
            deny: "pe.no-charges-in-pilot",
            at: .pricing,
            articles: ["Art. 22"],
            message: "the pilot charges nothing"
        ) {
            Condition.equals("request.chargeRequested", true)
        }
        let policy = Policy(id: "bj-pilot", version: "1", rules: Policy.beijingDefault.rules + [noCharges])
        let world = World(policy: policy)
        try await world.run(Array(Scripts.toPublishedProduct.dropLast()))
        let refused = try await world.run(
            .operator,
            .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan()))
        )
        #expect(refused.isRefusal)
        #expect(refused.state == "registered")
        #expect(refused.decision?.firedRules == ["pe.no-charges-in-pilot"])
        #expect(refused.decision?.policyID == "bj-pilot")
    }
}
