import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 16, 20: every catalog entry a product is built from needs a live grant to its operator; when a grant is
/// revoked, the products built on it are suspended and the operator and the agency told.
struct GrantsBehindProductsTests {
    /// The active agreement with `ent-open` granted (req-1, provisioned) and `ent-cond` requested but still in
    /// the industry department's co-review (req-2).
    static let openGrantedConditionalInCoReview: [Step] =
        Scripts.toActiveAgreement + [
            .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-1", "ent-open")))),
            .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1"))),
            .by(.bigDataCenter, .dataRequest(.provisionData(request: "req-1", note: "sandbox s-1"))),
            .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-2", "ent-cond")))),
            .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-2"))),
        ]

    private func notified(_ event: RecordedEvent) -> [PartyID: Role] {
        var result: [PartyID: Role] = [:]
        for message in NotificationDispatcher.notifications(in: event) {
            result[message.recipient] = message.recipientRole
        }
        return result
    }

    @Test func aProductFromAnEntryWithoutALiveGrantIsRefusedCitingArt16And20() async throws {
        let world = World()
        try await world.run(Self.openGrantedConditionalInCoReview)
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .coReview)
        var product = Samples.product
        product.sourceEntries = ["ent-open", "ent-cond"]
        let before = try await world.log()
        do {
            try await world.run(.operator, .product(.draftProduct(product: product)))
            Issue.record("a product from an entry still in co-review was drafted")
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized, "\(error)")
            #expect(error.articles.contains("Art. 16") && error.articles.contains("Art. 20"), "\(error.articles)")
            #expect(error.message.contains("ent-cond") && !error.message.contains("ent-open,"), "\(error.message)")
        }
        #expect(try await world.log() == before)
        // An entry in the agreement's scope that was never requested is refused the same way.
        product.sourceEntries = ["ent-closed"]
        await expectRefusal(.notAuthorized) {
            try await world.run(.operator, .product(.draftProduct(product: product)))
        }
        // With only granted sources, the product is drafted.
        product.sourceEntries = ["ent-open"]
        let drafted = try await world.run(.operator, .product(.draftProduct(product: product)))
        #expect(drafted.state == "draft")
    }

    @Test func aProductFromAConditionalEntryNeedsItsCoReviewFirst() async throws {
        let world = World()
        try await world.run(Self.openGrantedConditionalInCoReview)
        var product = Samples.product
        product.sourceEntries = ["ent-cond"]
        await expectRefusal(.notAuthorized) {
            try await world.run(.operator, .product(.draftProduct(product: product)))
        }
        try await world.run(
            .industryDepartment,
            .dataRequest(.coReviewDataRequest(request: "req-2", approve: true, note: "scenario reviewed"))
        )
        #expect(try await world.run(.operator, .product(.draftProduct(product: product))).state == "draft")
        #expect(
            try await world.run(.implementingAgency, .product(.assessProductCompliance(product: "prod-1"))).state
                == "compliant"
        )
    }

    @Test func revokingAGrantSuspendsTheProductsBuiltOnItAndTellsTheOperatorAndTheAgency() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        var other = Samples.product
        other.id = "prod-2"
        other.sourceEntries = ["ent-cond"]
        try await world.run(.operator, .product(.draftProduct(product: other)))
        try await world.run(.implementingAgency, .dataRequest(.revokeGrant(request: "req-1", reason: "scope changed")))

        #expect(try await world.state(ProductProcess.self, "prod-1") == .suspended)
        #expect(try await world.state(ProductProcess.self, "prod-2") == .draft)
        let suspended = try #require(try await world.log().first { $0.type == "product.suspended" })
        #expect(suspended.streamID == ProcessKind.product.stream("prod-1"))
        let payload = try suspended.decodePayload(ProductProcess.GrantEnded.self)
        #expect(payload.dataRequest == "req-1")
        #expect(payload.ungrantedEntries == ["ent-open"])
        let recipients = notified(suspended)
        #expect(recipients[Parties.operatorParty] == .operator)
        #expect(recipients[Parties.agency] == .implementingAgency)

        // A suspended product cannot be re-priced; it can be withdrawn.
        await expectRefusal(.invalidState) {
            try await world.run(
                .operator,
                .product(.publishProduct(product: "prod-1", plan: Samples.pricePlan()))
            )
        }
        #expect(
            try await world.run(.operator, .product(.withdrawProduct(product: "prod-1", reason: "no grant"))).state
                == "withdrawn"
        )
    }

    @Test func theExitWithdrawsEveryProductAndTellsTheOperatorAndTheAgency() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        try await world.run(.dataAdministration, .agreement(.revokeAgreement(agreement: "agr-1", reason: "violation")))
        #expect(try await world.state(ProductProcess.self, "prod-1") == .withdrawn)
        let withdrawn = try #require(try await world.log().first { $0.type == "product.withdrawnOnExit" })
        let recipients = notified(withdrawn)
        #expect(recipients[Parties.operatorParty] == .operator)
        #expect(recipients[Parties.agency] == .implementingAgency)
    }
}
