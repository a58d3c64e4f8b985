import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 9 and 26号, with Art. 30: a grant relies on the registration of its entries. When that registration expires,
/// is cancelled, or is superseded by one that no longer registers the entry, the policy monitor suspends the grant
/// with a recorded re-judgement, tells its parties, and the products built on it lose their cover.
struct GrantsFollowTheirRegistrationTests {
    static let openGrant = ProcessKind.dataRequest.stream("req-1")
    static let conditionalGrant = ProcessKind.dataRequest.stream("req-2")
    static let product = ProcessKind.product.stream("prod-1")

    /// Runs a registration of `kind` concerning reg-1 through to its code.
    static func register(
        _ world: World,
        _ id: RegistrationID,
        _ kind: RegistrationKind,
        entries: [CatalogEntryID]
    ) async throws {
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
        try await world.run(
            .dataAdministration,
            .registration(.issueRegistrationCode(registration: id, code: "BJ-DR-\(id)"))
        )
    }

    static func expectSuspendedForRegistration(
        _ world: World,
        _ trigger: MonitorTrigger,
        grants: Set<StreamID>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let log = try await world.log()
        let monitors = PolicyMonitorTests.events(log, "monitor.reassessed")
        #expect(monitors.count == 1, sourceLocation: sourceLocation)
        let reassessed = try monitors[0].decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.trigger == trigger, sourceLocation: sourceLocation)
        let suspended = PolicyMonitorTests.events(log, "dataRequest.suspended")
        #expect(Set(suspended.map(\.streamID)) == grants, sourceLocation: sourceLocation)
        for event in suspended {
            let payload = try event.decodePayload(MonitorSuspension.self)
            #expect(payload.trigger == trigger, sourceLocation: sourceLocation)
            #expect(payload.reasons.map(\.ruleID) == ["monitor.registration-invalid"], sourceLocation: sourceLocation)
            #expect(payload.reasons[0].articles == ["Art. 9", "26号"], sourceLocation: sourceLocation)
            let told = PolicyMonitorTests.recipients(event)
            #expect(told[Parties.operatorParty] == .operator, sourceLocation: sourceLocation)
            #expect(told[Parties.agency] == .implementingAgency, sourceLocation: sourceLocation)
            #expect(told[Parties.center] == .bigDataCenter, sourceLocation: sourceLocation)
        }
    }

    @Test func anExpiredRegistrationSuspendsTheGrantsOfItsEntriesAndTheirProducts() async throws {
        let world = World { $0.registrationValidityYears = 1 }
        try await world.run(Scripts.toPublishedProduct)
        let validUntil = try #require(
            try await world.engine.instance(RegistrationProcess.self, "reg-1").facts.validUntil
        )
        // The day before the validity ends, everything holds.
        world.clock.set(world.calendar.endOfDay(validUntil).addingTimeInterval(-3600))
        try await world.engine.advance()
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .provisioned)

        world.clock.set(world.calendar.endOfDay(validUntil).addingTimeInterval(3600))
        try await world.engine.advance()
        #expect(try await world.state(RegistrationProcess.self, "reg-1") == .expired)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .suspended)
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .suspended)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .suspended)
        try await Self.expectSuspendedForRegistration(
            world,
            .registrationExpired(registration: "reg-1"),
            grants: [Self.openGrant, Self.conditionalGrant]
        )
        let product = try #require(PolicyMonitorTests.events(try await world.log(), "product.suspendedByMonitor").first)
        #expect(try product.decodePayload(MonitorSuspension.self).reasons.map(\.ruleID) == ["monitor.grant-lost"])
    }

    @Test func aRenewedRegistrationKeepsItsGrants() async throws {
        let world = World { $0.registrationValidityYears = 1 }
        try await world.run(Scripts.toPublishedProduct)
        try await world.run(.industryDepartment, .registration(.renewRegistration(registration: "reg-1")))
        world.clock.advance(byDays: 400)
        try await world.engine.advance()
        #expect(try await world.state(RegistrationProcess.self, "reg-1") == .registered)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .provisioned)
        #expect(PolicyMonitorTests.events(try await world.log(), "monitor.reassessed").isEmpty)
    }

    @Test func aCancelledRegistrationSuspendsTheGrantsOfItsEntries() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        try await Self.register(world, "reg-3", .cancellation, entries: ["ent-open", "ent-cond"])
        #expect(try await world.state(RegistrationProcess.self, "reg-1") == .cancelled)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .suspended)
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .suspended)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .suspended)
        try await Self.expectSuspendedForRegistration(
            world,
            .registrationEnded(registration: "reg-1"),
            grants: [Self.openGrant, Self.conditionalGrant]
        )
        // A grant cut off this way resumes only once its entries are registered again.
        await expectRefusal(.notAuthorized) {
            try await world.run(.implementingAgency, .dataRequest(.resumeGrant(request: "req-1")))
        }
    }

    @Test func aChangeCutsOffOnlyTheEntriesItNoLongerRegisters() async throws {
        let world = World()
        try await world.run(Scripts.toPublishedProduct)
        try await Self.register(world, "reg-2", .change, entries: ["ent-open"])
        #expect(try await world.state(RegistrationProcess.self, "reg-1") == .superseded)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .provisioned)
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .suspended)
        // prod-1 is built on ent-open only: it keeps its cover.
        #expect(try await world.state(ProductProcess.self, "prod-1") == .published)
        try await Self.expectSuspendedForRegistration(
            world,
            .registrationEnded(registration: "reg-1"),
            grants: [Self.conditionalGrant]
        )
    }

    @Test func withoutTheRegistrationRequirementAnEndedRegistrationCutsNothingOff() async throws {
        let world = World { $0.registrationBeforeGrant = 0 }
        try await world.run(Scripts.toPublishedProduct)
        try await Self.register(world, "reg-3", .cancellation, entries: ["ent-open", "ent-cond"])
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .provisioned)
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .granted)
        let log = try await world.log()
        let reassessed = try #require(PolicyMonitorTests.events(log, "monitor.reassessed").first)
        #expect(try reassessed.decodePayload(MonitorProcess.Reassessed.self).suspensions.isEmpty)
    }
}
