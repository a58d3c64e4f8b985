import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// 65号: the trial-fee period comes from the policy's `trialFeeMonths` (the agreement starts 2026-03-01).
struct TrialFeeTests {
    static func plan(_ stage: FeeStage, from: String, through: String?) -> PricePlan {
        var plan = Samples.pricePlan()
        plan.feeStage = stage
        plan.effectiveFrom = CivilDate(from)!
        plan.effectiveThrough = through.flatMap { CivilDate($0) }
        return plan
    }

    @Test(
        arguments: [
            (12, FeeStage.trial, "2026-03-01", "2027-02-28", true),
            (6, .trial, "2026-03-01", "2027-02-28", false),
            (6, .trial, "2026-03-01", "2026-08-31", true),
            (12, .standard, "2027-03-01", nil, true),
            (24, .standard, "2027-03-01", nil, false),
            (0, .standard, "2026-03-01", nil, true),
        ] as [(Int, FeeStage, String, String?, Bool)]
    )
    func theTrialPeriodIsAPolicyParameter(
        months: Int,
        stage: FeeStage,
        from: String,
        through: String?,
        accepted: Bool
    ) async throws {
        let world = World { $0.trialFeeMonths = months }
        try await world.run(Array(Scripts.toPublishedProduct.dropLast()))
        let plan = Self.plan(stage, from: from, through: through)
        if accepted {
            let published = try await world.run(.operator, .product(.publishProduct(product: "prod-1", plan: plan)))
            #expect(published.state == "published")
        } else {
            await expectRefusal(.pricing) {
                try await world.run(.operator, .product(.publishProduct(product: "prod-1", plan: plan)))
            }
            #expect(try await world.state(ProductProcess.self, "prod-1") == .registered)
        }
    }

    @Test(arguments: [
        ("2026-03-01", 12, "2027-03-01"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2027-12-15", 3, "2028-03-15"),
        ("2026-03-01", 0, "2026-03-01"),
    ])
    func theTrialEndsAfterWholeMonths(start: String, months: Int, end: String) {
        #expect(GuidedPrice.trialEnd(operationStartedOn: CivilDate(start)!, trialMonths: months) == CivilDate(end)!)
    }
}
