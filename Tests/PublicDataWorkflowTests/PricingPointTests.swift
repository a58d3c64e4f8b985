import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 22 / 65号: publishing a price plan asks the policy's pricing decision point.
struct PricingPointTests {
    @Test func aChargeWithoutAnApprovedCapIsRefusedByThePolicyAndRecorded() async throws {
        let world = World()
        let beforeCap = try #require(Scripts.prefix(before: .setFeeCap))
        try await world.run(beforeCap.steps)
        let before = try await world.store.headPosition()
        let refused = try await world.run(.operator, .publishProduct("prod-1", plan: Samples.pricePlan()))
        #expect(refused.isRefusal)
        #expect(refused.state == "registered")
        #expect(try await world.store.headPosition() == before + 1)
        let event = try #require(refused.events.first)
        #expect(event.type == "product.publicationRefused")
        #expect(refused.decision?.firedRules.contains("pe.no-price-cap") == true)
        #expect(event.metadata.policyVersion != nil)
        #expect(NotificationDispatcher.notifications(in: event).map(\.recipient) == [Parties.operatorParty])

        // With the cap approved, the same plan is published and the permit is recorded with it.
        try await world.run(.implementingAgency, .setFeeCap("prod-1", Samples.cap))
        let published = try await world.run(.operator, .publishProduct("prod-1", plan: Samples.pricePlan()))
        #expect(published.state == "published")
        let payload = try #require(try published.events.first?.decodePayload(WorkflowPayload.self))
        #expect(payload.decision?.isPermit == true)
        #expect(payload.decision?.firedRules.contains("pe.guided-price") == true)
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
        let refused = try await world.run(.operator, .publishProduct("prod-1", plan: Samples.pricePlan()))
        #expect(refused.isRefusal)
        #expect(refused.state == "registered")
        #expect(refused.decision?.firedRules == ["pe.no-charges-in-pilot"])
        #expect(refused.decision?.policyID == "bj-pilot")
    }
}
