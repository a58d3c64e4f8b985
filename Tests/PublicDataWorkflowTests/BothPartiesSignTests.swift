import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 13: the implementing agency (独立或会同业务主管部门, alone or with the competent department the terms
/// name) signs the agreement with the operator; it is filed only when every party signed.
struct BothPartiesSignTests {
    /// The steps up to the operator's signature, with `terms` drafted.
    static func operatorSigned(_ terms: AgreementTerms) throws -> [Step] {
        let before = try #require(Scripts.prefix(before: .agreement(.draftAgreement)))
        return before.steps + [
            .by(.implementingAgency, .agreement(.draftAgreement(terms: terms, selection: "sel-1"))),
            .by(
                .implementingAgency,
                .agreement(.recordCollectiveDecision(agreement: "agr-1", minutes: "2026-02 meeting"))
            ),
            .by(.operator, .agreement(.signAgreement(agreement: "agr-1"))),
        ]
    }

    private func file(_ world: World) async throws -> CommandOutcome {
        try await world.run(.dataAdministration, .agreement(.fileAgreement(agreement: "agr-1", filingNumber: "BA-1")))
    }

    /// The sample terms, signed by the agency alone.
    static var agencyAlone: AgreementTerms {
        var terms = Samples.terms
        terms.coSigningDepartment = nil
        return terms
    }

    @Test func theAgreementIsFiledOnlyAfterTheAgencySignedToo() async throws {
        let world = World()
        try await world.run(try Self.operatorSigned(Self.agencyAlone))
        let before = try await world.log()
        do {
            _ = try await file(world)
            Issue.record("an agreement only the operator signed was filed")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidState)
            #expect(error.articles == ["Art. 13"])
            #expect(error.message.contains(Parties.agency.rawValue))
        }
        #expect(try await world.log() == before)

        let signed = try await world.run(.implementingAgency, .agreement(.countersignAgreement(agreement: "agr-1")))
        let event = try #require(signed.events.first)
        let payload = try event.decodePayload(AgreementProcess.Countersigned.self)
        #expect(payload.signatory == Parties.agency && payload.signatoryRole == .implementingAgency)
        await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .agreement(.countersignAgreement(agreement: "agr-1")))
        }
        #expect(try await file(world).state == "filed")
        let facts = try await world.engine.instance(AgreementProcess.self, "agr-1").facts
        #expect(facts.signatories == [Parties.operatorParty, Parties.agency])
    }

    @Test func aCoSigningDepartmentTheTermsNameMustSignToo() async throws {
        var terms = Samples.terms
        terms.coSigningDepartment = Parties.department
        let world = World()
        try await world.run(try Self.operatorSigned(terms))
        try await world.run(.implementingAgency, .agreement(.countersignAgreement(agreement: "agr-1")))
        await expectRefusal(.invalidState) { _ = try await file(world) }
        // Another department cannot sign in its place.
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .agreement(.countersignAgreement(agreement: "agr-1")),
                by: Principal(party: "dept-transport", role: .industryDepartment, person: "p")
            )
        }
        try await world.run(.industryDepartment, .agreement(.countersignAgreement(agreement: "agr-1")))
        #expect(try await file(world).state == "filed")
    }

    @Test func withoutACoSigningDepartmentNoDepartmentSigns() async throws {
        let world = World()
        try await world.run(try Self.operatorSigned(Self.agencyAlone))
        await expectRefusal(.notParty) {
            try await world.run(.industryDepartment, .agreement(.countersignAgreement(agreement: "agr-1")))
        }
    }
}
