import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 16: a request with conditional entries of several owning departments needs every owner's approval.
struct CoReviewTests {
    static let transport: PartyID = "dept-transport"
    static let transportEntry = CatalogEntry(
        id: "ent-cond-2",
        name: "Vehicle records",
        owningDepartment: transport,
        sharing: .conditional,
        openness: .notOpen,
        grade: .general,
        fields: [CatalogField(name: "plate")]
    )

    static func department(_ party: PartyID) -> Principal {
        Principal(party: party, role: .industryDepartment, person: "reviewer")
    }

    /// An active agreement whose plan and scope hold a conditional entry of a second department, and a request
    /// for both conditional entries waiting for co-review.
    static func worldWithATwoDepartmentRequest() async throws -> World {
        let world = World()
        try await world.engine.execute(.catalog(.publishCatalogEntry(entry: transportEntry)), by: department(transport))
        let steps: [Step] = Scripts.toActiveAgreement.map { step in
            guard case .run(let command, let actor) = step else { return step }
            if case .draftPlan(plan: var plan)? = command.command(of: PlanProcess.self) {
                plan.dataScope = (plan.dataScope ?? []) + [transportEntry.id]
                return .run(.plan(.draftPlan(plan: plan)), actor)
            }
            if case .applyRegistration(application: var application)? = command.command(of: RegistrationProcess.self) {
                application.catalogEntries.append(transportEntry.id)
                return .run(.registration(.applyRegistration(application: application)), actor)
            }
            if case .draftAgreement(terms: var terms, let selection)? = command.command(of: AgreementProcess.self) {
                terms.scope.append(ScopeItem(entry: transportEntry.id))
                return .run(.agreement(.draftAgreement(terms: terms, selection: selection)), actor)
            }
            return step
        }
        try await world.run(steps)
        var request = Samples.request("req-both", "ent-cond")
        request.items.append(DataRequestItem(entry: transportEntry.id))
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: request)))
        let evaluated = try await world.run(
            .implementingAgency,
            .dataRequest(.evaluateDataRequest(request: "req-both"))
        )
        #expect(evaluated.state == "coReview")
        let instance = try await world.engine.instance(DataRequestProcess.self, "req-both")
        #expect(instance.trace.departmentIDs == [Parties.department, transport])
        return world
    }

    @Test func aRequestIsGrantedOnlyWhenEveryOwningDepartmentApproved() async throws {
        let world = try await Self.worldWithATwoDepartmentRequest()
        let first = try await world.engine.execute(
            .dataRequest(.coReviewDataRequest(request: "req-both", approve: true, note: "tax side fine")),
            by: Self.department(Parties.department)
        )
        #expect(first.state == "coReview")
        #expect(first.events.map(\.type) == ["dataRequest.coReviewPartlyApproved"])
        #expect(!first.isRefusal)
        // The same department cannot approve twice.
        await expectRefusal(.invalidState) {
            try await world.engine.execute(
                .dataRequest(.coReviewDataRequest(request: "req-both", approve: true, note: "again")),
                by: Self.department(Parties.department)
            )
        }
        let second = try await world.engine.execute(
            .dataRequest(.coReviewDataRequest(request: "req-both", approve: true, note: "vehicle side fine")),
            by: Self.department(Self.transport)
        )
        #expect(second.state == "granted")
        #expect(second.events.map(\.type) == ["dataRequest.coReviewApproved"])
        let facts = try await world.engine.instance(DataRequestProcess.self, "req-both").facts
        #expect(facts.approvals == [Parties.department, Self.transport])
    }

    @Test(arguments: [(Parties.department, transport), (transport, Parties.department)])
    func aRefusalByAnyOwningDepartmentRefusesTheRequest(approver: PartyID, refuser: PartyID) async throws {
        let world = try await Self.worldWithATwoDepartmentRequest()
        try await world.engine.execute(
            .dataRequest(.coReviewDataRequest(request: "req-both", approve: true, note: "fine")),
            by: Self.department(approver)
        )
        let refused = try await world.engine.execute(
            .dataRequest(.coReviewDataRequest(request: "req-both", approve: false, note: "too broad")),
            by: Self.department(refuser)
        )
        #expect(refused.state == "refused")
        #expect(refused.isRefusal)
        // A rejection recorded without a policy decision still names its articles (the co-review's).
        #expect(refused.decision == nil)
        #expect(refused.articles == ["Art. 16", "Art. 17"])
    }

    @Test func aSingleOwnerStillGrantsAlone() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-2", "ent-cond"))))
        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-2")))
        let approved = try await world.run(
            .industryDepartment,
            .dataRequest(.coReviewDataRequest(request: "req-2", approve: true, note: "ok"))
        )
        #expect(approved.state == "granted")
    }
}
