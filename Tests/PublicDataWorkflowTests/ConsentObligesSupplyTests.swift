import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 17 ¶2 (and Art. 26): where the data subjects explicitly consent to the use of their public data, the
/// industry department shall supply it — a consented request cannot be refused on a ground consent overcomes.
struct ConsentObligesSupplyTests {
    /// A request for the conditional entry waiting for the department's co-review.
    static func waitingForCoReview(consent: Bool) async throws -> World {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        var request = Samples.request("req-c", "ent-cond")
        if consent {
            try await world.run(.dataSubject, .consent(.recordConsent(consent: ConsentRecordTests.consent())))
            request.subjectConsent = true
            request.consent = "con-1"
        }
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: request)))
        let evaluated = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c")))
        #expect(evaluated.state == "coReview")
        return world
    }

    private static func refuse(
        _ world: World,
        _ ground: DataRequestProcess.RefusalGround?
    ) async throws -> CommandOutcome {
        try await world.run(
            .industryDepartment,
            .dataRequest(.coReviewDataRequest(request: "req-c", approve: false, note: "refused", ground: ground))
        )
    }

    /// Each ground, and whether a consented request may be refused on it.
    static let grounds: [(DataRequestProcess.RefusalGround, Bool)] = [
        (.unwilling, false),
        (.personalInformation, false),
        (.scenarioNotJustified, true),
        (.security, true),
        (.unlawful, true),
    ]

    @Test(arguments: grounds)
    func aConsentedRequestIsRefusedOnlyOnAGroundConsentDoesNotOvercome(
        _ ground: DataRequestProcess.RefusalGround,
        _ mayRefuse: Bool
    ) async throws {
        #expect(ground.overcomeByConsent == !mayRefuse)
        let world = try await Self.waitingForCoReview(consent: true)
        let before = try await world.log()
        if mayRefuse {
            let refused = try await Self.refuse(world, ground)
            #expect(refused.state == "refused")
            #expect(refused.events.map(\.type) == ["dataRequest.coReviewRejected"])
        } else {
            do {
                _ = try await Self.refuse(world, ground)
                Issue.record("a consented request was refused as \(ground)")
            } catch let error as WorkflowError {
                #expect(error.code == .dutyToSupply, "\(error)")
                #expect(error.articles.contains("Art. 17"))
            }
            #expect(try await world.log() == before)
            // The department must supply: its approval grants the request.
            let granted = try await world.run(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-c", approve: true, note: "supplied on consent"))
            )
            #expect(granted.state == "granted")
        }
    }

    @Test func aConsentedRequestIsNotRefusedWithoutAGround() async throws {
        let world = try await Self.waitingForCoReview(consent: true)
        let before = try await world.log()
        await expectRefusal(.invalidInput) { _ = try await Self.refuse(world, nil) }
        #expect(try await world.log() == before)
    }

    @Test func withoutConsentTheDepartmentMayRefuseAsItJudges() async throws {
        let world = try await Self.waitingForCoReview(consent: false)
        #expect(try await Self.refuse(world, .unwilling).state == "refused")
        let second = try await Self.waitingForCoReview(consent: false)
        #expect(try await Self.refuse(second, nil).state == "refused")
    }
}
