import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 9 and 26号: data in authorized operation is registered before it is granted; a change, correction or
/// cancellation acts on the registration it concerns; the validity is enforced.
struct RegistrationBeforeAuthorizationTests {
    /// The active agreement without the registration of its entries.
    static let unregistered = Array(Scripts.toActiveAgreement.dropLast(Scripts.registration.count))

    private func request(_ world: World, _ id: DataRequestID, _ entry: CatalogEntryID) async throws {
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request(id, entry))))
    }

    private func expectUnregisteredRefusal(
        _ world: World,
        _ id: DataRequestID,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let before = try await world.log()
        do {
            try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: id)))
            Issue.record("the request was decided", sourceLocation: sourceLocation)
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized, "\(error)", sourceLocation: sourceLocation)
            #expect(error.articles == ["Art. 9", "26号"], sourceLocation: sourceLocation)
        }
        #expect(try await world.log() == before, sourceLocation: sourceLocation)
        #expect(
            try await world.state(DataRequestProcess.self, id.rawValue) == .submitted,
            sourceLocation: sourceLocation
        )
    }

    /// Runs a registration of `kind` concerning reg-1 through to its code.
    private func register(
        _ world: World,
        _ id: RegistrationID,
        _ kind: RegistrationKind,
        entries: [CatalogEntryID]
    ) async throws -> CommandOutcome {
        let application = RegistrationApplication(
            id: id,
            kind: kind,
            catalogEntries: entries,
            concerns: "reg-1",
            description: "\(kind) of reg-1"
        )
        try await world.run(.industryDepartment, .registration(.applyRegistration(application: application)))
        try await world.run(.dataAdministration, .registration(.acceptRegistration(registration: id)))
        try await world.run(
            .dataAdministration,
            .registration(.completeFormalReview(registration: id, passed: true, note: "complete"))
        )
        world.clock.advance(byDays: 8)
        try await world.engine.advance()
        return try await world.run(
            .dataAdministration,
            .registration(.issueRegistrationCode(registration: id, code: "BJ-DR-\(id)"))
        )
    }

    @Test func aGrantForAnUnregisteredEntryIsRefusedCitingArt9AndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Self.unregistered)
        try await request(world, "req-1", "ent-open")
        try await expectUnregisteredRefusal(world, "req-1")

        try await world.run(Scripts.registration)
        let granted = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1")))
        #expect(granted.state == "granted")
        #expect(PolicyParameters.beijing.registrationBeforeGrant == 1)
        #expect(Policy.beijingDefault.parameters.registrationBeforeGrant == 1)
    }

    @Test func aRegistrationInProgressIsNotEnough() async throws {
        let world = World()
        try await world.run(Self.unregistered)
        try await world.run(Array(Scripts.registration.prefix(3)))  // under public notice, no code yet
        try await request(world, "req-1", "ent-open")
        try await expectUnregisteredRefusal(world, "req-1")
    }

    @Test func aPolicyDenialNeedsNoRegistration() async throws {
        let world = World()
        try await world.run(Self.unregistered)
        try await request(world, "req-closed", "ent-closed")
        let refused = try await world.run(
            .implementingAgency,
            .dataRequest(.evaluateDataRequest(request: "req-closed"))
        )
        #expect(refused.state == "refused")
    }

    @Test func theRequirementIsAPolicyParameter() async throws {
        let world = World { $0.registrationBeforeGrant = 0 }
        try await world.run(Self.unregistered)
        try await request(world, "req-1", "ent-open")
        let granted = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1")))
        #expect(granted.state == "granted")
    }

    @Test func anExpiredRegistrationNoLongerAuthorizes() async throws {
        // A year on, the operator's security records have lapsed too; that block is not under test here.
        let world = World {
            $0.registrationValidityYears = 1
            $0.securityDutiesBeforeGrant = []
        }
        try await world.run(Scripts.toActiveAgreement)
        let validUntil = try #require(
            try await world.engine.instance(RegistrationProcess.self, "reg-1").facts.validUntil
        )
        world.clock.set(world.calendar.endOfDay(validUntil).addingTimeInterval(3600))
        try await world.engine.advance()
        #expect(try await world.state(RegistrationProcess.self, "reg-1") == .expired)
        try await request(world, "req-1", "ent-open")
        try await expectUnregisteredRefusal(world, "req-1")
    }

    @Test(arguments: [RegistrationKind.change, .correction])
    func aChangeOrCorrectionSupersedesTheRegistrationItConcerns(_ kind: RegistrationKind) async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        // The change registers ent-open alone: ent-cond is no longer registered.
        let issued = try await register(world, "reg-2", kind, entries: ["ent-open"])
        #expect(issued.state == "registered")
        let reg1 = try await world.engine.instance(RegistrationProcess.self, "reg-1")
        #expect(reg1.state == .superseded)
        #expect(reg1.facts.endedBy == "reg-2")
        #expect(reg1.openDeadlines.isEmpty)
        let ended = try #require(try await world.log().first { $0.type == "registration.superseded" })
        #expect(NotificationDispatcher.notifications(in: ended).map(\.recipient) == [Parties.department])

        try await request(world, "req-1", "ent-open")
        #expect(
            try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1"))).state
                == "granted"
        )
        try await request(world, "req-2", "ent-cond")
        try await expectUnregisteredRefusal(world, "req-2")
    }

    @Test func aCancellationCancelsTheRegistrationItConcerns() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        _ = try await register(world, "reg-3", .cancellation, entries: ["ent-open", "ent-cond"])
        #expect(try await world.state(RegistrationProcess.self, "reg-1") == .cancelled)
        #expect(try await world.log().contains { $0.type == "registration.cancelled" })
        // The cancellation itself registers nothing.
        try await request(world, "req-1", "ent-open")
        try await expectUnregisteredRefusal(world, "req-1")
    }
}
