import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Seed 001 §6(2) (运营单位对合作方实施分级管理，按需向合作方授予数据获取、产品和场景授权、权属管控等方面的权限): an operator's
/// partner applies for scenarios, uses products and publishes products of its own only within its tier, and a tier
/// never grants more than the operator holds.
struct PartnerTierTests {
    /// A tier of the business entity, changed by `change`.
    static func tier(_ change: (inout PartnerTier) -> Void = { _ in }) -> PartnerTier {
        var tier = Samples.partnerTier
        change(&tier)
        return tier
    }

    /// One row of the scenario-application matrix.
    struct ApplicationCase: Sendable, CustomTestStringConvertible {
        var name: String
        /// The tier registered (`nil`: the business entity is not the operator's partner).
        var tier: PartnerTier?
        /// Whether the partnership is revoked before the application.
        var revoked = false
        /// Whether the application is recorded.
        var allowed: Bool
        var testDescription: String { name }
    }

    static let applications: [ApplicationCase] = [
        ApplicationCase(name: "within the tier", tier: tier(), allowed: true),
        ApplicationCase(name: "not a partner", tier: nil, allowed: true),
        ApplicationCase(name: "product outside the tier", tier: tier { $0.products = [] }, allowed: false),
        ApplicationCase(
            name: "purpose outside the tier",
            tier: tier { $0.purposes = [.publicWelfare] },
            allowed: false
        ),
        ApplicationCase(name: "source entry outside the tier", tier: tier { $0.data = [] }, allowed: false),
        ApplicationCase(name: "revoked partnership", tier: tier(), revoked: true, allowed: false),
    ]

    @Test(arguments: applications)
    func aPartnersScenarioApplicationIsCheckedAgainstItsTier(_ row: ApplicationCase) async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        if let tier = row.tier { try await world.run(.operator, .partner(.registerPartner(tier: tier))) }
        if row.revoked {
            try await world.run(
                .operator,
                .partner(.revokePartner(operatorParty: Parties.operatorParty, partner: Parties.business, reason: "x"))
            )
        }
        let log = try await world.log()
        do {
            let applied = try await world.run(.businessEntity, .scenario(.applyScenario(scenario: Samples.scenario)))
            #expect(row.allowed, "applied outside the tier")
            #expect(applied.state == "applied")
        } catch let error as WorkflowError {
            #expect(!row.allowed, "\(error)")
            #expect(error.code == .notAuthorized)
            #expect(error.articles == ["87号 §6"])
            #expect(try await world.log() == log)
        }
    }

    @Test func aPartnersUsageIsCheckedAgainstItsTierAsItIsAmendedAndRevoked() async throws {
        let world = World()
        // The business entity's scenario is active; it then becomes a partner without the product.
        try await world.run(Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4)))
        try await world.run(.operator, .partner(.registerPartner(tier: Self.tier { $0.products = [] })))
        let record = WorkflowCommand.settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1")))
        let log = try await world.log()
        do {
            try await world.run(.operator, record)
            Issue.record("a use outside the tier was recorded")
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized)
            #expect(error.articles == ["87号 §6"])
            #expect(error.message.contains("product prod-1"))
        }
        #expect(try await world.log() == log)

        let amended = try await world.run(.operator, .partner(.amendPartnerTier(tier: Self.tier())))
        #expect(amended.state == "active")
        #expect(try await world.engine.instance(PartnerProcess.self, "op-1:biz-1").facts.amendments == 1)
        try await world.run(.operator, record)

        try await world.run(
            .operator,
            .partner(.revokePartner(operatorParty: Parties.operatorParty, partner: Parties.business, reason: "ended"))
        )
        await expectRefusal(.notAuthorized) {
            try await world.run(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-2"))))
        }
    }

    @Test func aPartnerPublishesProductsOfItsOwnOnlyWhenItsTierGrantsIt() async throws {
        let world = World()
        try await world.run(Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4)))
        try await world.run(.operator, .partner(.registerPartner(tier: Self.tier { $0.derivedProducts = false })))
        let publish = WorkflowCommand.scenario(
            .publishDerivedProduct(scenario: "scn-1", product: Samples.derivedProduct)
        )
        await expectRefusal(.notAuthorized) { try await world.run(.businessEntity, publish) }
        try await world.run(.operator, .partner(.amendPartnerTier(tier: Self.tier())))
        try await world.run(.businessEntity, publish)
    }

    /// One row of the over-grant matrix: a tier and the paths of its excesses (empty: registered).
    struct GrantCase: Sendable, CustomTestStringConvertible {
        var name: String
        var tier: PartnerTier
        var excess: [String]
        var testDescription: String { name }
    }

    /// The operator holds `ent-open`'s field `name` only (a live grant of that field) and no product.
    static let grants: [GrantCase] = [
        GrantCase(
            name: "the field held",
            tier: tier {
                $0.data = [DataRequestItem(entry: "ent-open", requestedFields: ["name"])]
                $0.products = []
            },
            excess: []
        ),
        GrantCase(
            name: "a field not held",
            tier: tier {
                $0.data = [DataRequestItem(entry: "ent-open", requestedFields: ["name", "licence"])]
                $0.products = []
            },
            excess: ["$.tier.data[0]"]
        ),
        GrantCase(
            name: "every field of a partly held entry",
            tier: tier { $0.products = [] },
            excess: ["$.tier.data[0]"]
        ),
        GrantCase(
            name: "an entry without a live grant",
            tier: tier {
                $0.data = [
                    DataRequestItem(entry: "ent-open", requestedFields: ["name"]), DataRequestItem(entry: "ent-cond"),
                ]
                $0.products = []
            },
            excess: ["$.tier.data[1]"]
        ),
        GrantCase(
            name: "a product the operator does not own",
            tier: tier { $0.data = [] },
            excess: ["$.tier.products[0]"]
        ),
    ]

    @Test(arguments: grants)
    func aTierThatGrantsMoreThanTheOperatorHoldsIsRefusedAndNothingIsRecorded(_ row: GrantCase) async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        var request = Samples.request("req-f", "ent-open")
        request.items = [DataRequestItem(entry: "ent-open", requestedFields: ["name"])]
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: request)))
        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-f")))
        #expect(try await world.state(DataRequestProcess.self, "req-f") == .granted)
        let log = try await world.log()
        do {
            let registered = try await world.run(.operator, .partner(.registerPartner(tier: row.tier)))
            #expect(row.excess.isEmpty, "an over-grant was recorded")
            #expect(registered.state == "active")
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized, "\(error)")
            #expect(error.articles == ["87号 §6"])
            #expect(error.issues.map(\.path) == row.excess)
            #expect(try await world.log() == log)
        }
    }

    @Test func anAmendmentBeyondTheHoldingsAndAWithdrawnProductAreRefused() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        try await world.run(.operator, .partner(.registerPartner(tier: Self.tier())))
        let registered = try await world.log()
        // Another operator's clerk does not set this operator's tiers.
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .partner(.amendPartnerTier(tier: Self.tier())),
                by: Principal(party: Parties.otherOperator, role: .operator, person: "x")
            )
        }
        await expectRefusal(.notAuthorized) {
            try await world.run(
                .operator,
                .partner(.amendPartnerTier(tier: Self.tier { $0.data.append(DataRequestItem(entry: "ent-closed")) }))
            )
        }
        #expect(try await world.log() == registered)
        try await world.run(.operator, .product(.withdrawProduct(product: "prod-1", reason: "retired")))
        do {
            try await world.run(.operator, .partner(.amendPartnerTier(tier: Self.tier())))
            Issue.record("a withdrawn product was granted")
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized)
            #expect(error.issues.map(\.path) == ["$.tier.products[0]"])
        }
    }
}
