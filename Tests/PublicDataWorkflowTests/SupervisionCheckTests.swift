import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Issue 15's check, end to end: a registration expires, a granted entry is reclassified, a consent is withdrawn and
/// a stricter policy is adopted — with two engine instances on one store — and exactly the grants, products and
/// scenarios each change affects are suspended, each once and with notices; the policy impact predicts the adoption's
/// suspensions beforehand. Also the triggers the other monitor tests leave out: a change of grade or fields, and a
/// term review on a day a term has passed.
struct SupervisionCheckTests {
    static let suspensionTypes: Set<String> = [
        "dataRequest.suspended", "product.suspendedByMonitor", "scenario.suspendedByMonitor",
    ]

    static func suspensions(_ log: [RecordedEvent]) -> [RecordedEvent] {
        log.filter { suspensionTypes.contains($0.type) }
    }

    static func stream(_ kind: ProcessKind, _ id: String) -> StreamID { kind.stream(id) }

    /// An active scenario on prod-1, whose registration reg-p is valid one year; req-1 (`ent-open`), req-2
    /// (`ent-cond`) and req-c (`ent-cond`, on the subjects' consent con-1, valid through 2027) granted; reg-1 renewed.
    static func world() async throws -> World {
        let world = World(parameters: { $0.registrationValidityYears = 1 })
        let registration = RegistrationApplication(id: "reg-p", kind: .first, product: "prod-1", description: "model")
        var steps: [Step] = []
        for step in Scripts.toPublishedProduct {
            guard case .run(let command, _) = step, command.name == .product(.registerProduct) else {
                steps.append(step)
                continue
            }
            steps += [
                .by(.operator, .registration(.applyRegistration(application: registration))),
                .by(.dataAdministration, .registration(.acceptRegistration(registration: "reg-p"))),
                .by(
                    .dataAdministration,
                    .registration(.completeFormalReview(registration: "reg-p", passed: true, note: "complete"))
                ),
                .advanceDays(10),
                .by(.dataAdministration, .registration(.issueRegistrationCode(registration: "reg-p", code: "P-1"))),
                .by(.dataAdministration, .product(.registerProduct(product: "prod-1", registration: "reg-p"))),
            ]
        }
        steps += Array(Scripts.lifecycle[Scripts.toPublishedProduct.count..<Scripts.toPublishedProduct.count + 4])
        steps.append(.by(.industryDepartment, .registration(.renewRegistration(registration: "reg-1"))))
        let consent = ConsentRecordTests.consent(validUntil: CivilDate("2027-12-31")!)
        steps += [
            .by(.bigDataCenter, .consent(.recordConsent(consent: consent))),
            .by(.operator, .dataRequest(.submitDataRequest(request: ConsentRecordTests.consentedRequest))),
            .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c"))),
            .by(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-c", approve: true, note: "on consent"))
            ),
        ]
        try await world.run(steps)
        #expect(try await world.state(ScenarioProcess.self, "scn-1") == .active)
        #expect(try await world.state(DataRequestProcess.self, "req-c") == .granted)
        return world
    }

    /// Checks that the suspensions recorded since `before` are exactly `expected`, one event each, each telling its
    /// operator and agency.
    static func expectNewSuspensions(
        _ world: World,
        since before: Int,
        _ expected: Set<StreamID>,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let added = Self.suspensions(Array(try await world.log().dropFirst(before)))
        #expect(added.map(\.streamID).sorted() == expected.sorted(), sourceLocation: sourceLocation)
        for event in added {
            let told = PolicyMonitorTests.recipients(event)
            #expect(told[Parties.operatorParty] == .operator, "\(event.type)", sourceLocation: sourceLocation)
            #expect(told[Parties.agency] == .implementingAgency, "\(event.type)", sourceLocation: sourceLocation)
        }
    }

    @Test func theCheckersScenarioSuspendsExactlyTheAffectedObjectsOnceWithTwoInstances() async throws {
        let world = try await Self.world()
        let other = World.engine(on: world.store, clock: world.clock)
        let product = Self.stream(.product, "prod-1")
        let scenario = Self.stream(.scenario, "scn-1")
        let open = Self.stream(.dataRequest, "req-1")
        let conditional = Self.stream(.dataRequest, "req-2")
        let consented = Self.stream(.dataRequest, "req-c")

        // 1. The product's registration expires; both instances run the scheduler at once.
        var before = try await world.log().count
        world.clock.advance(byDays: 366)
        async let firstRun = world.engine.advance()
        async let secondRun = other.advance()
        _ = try await (firstRun, secondRun)
        try await Self.expectNewSuspensions(world, since: before, [product, scenario])
        var log = try await world.log()
        #expect(
            PolicyMonitorTests.events(log, "registration.expired").map(\.streamID) == [
                Self.stream(.registration, "reg-p")
            ]
        )
        #expect(PolicyMonitorTests.events(log, "monitor.reassessed").count == 1)
        // The security records lapsed too: that blocks new grants only, and suspends nothing.
        #expect(!PolicyMonitorTests.events(log, "securityRecord.expired").isEmpty)

        // 2. The open entry is reclassified, on the other instance: its grant (the product is already suspended).
        before = log.count
        try await other.execute(
            .catalog(.changeCatalogEntry(entry: PolicyMonitorTests.reclassifiedOpenEntry, reason: "reclassified")),
            by: Parties.actor(.industryDepartment)
        )
        try await Self.expectNewSuspensions(world, since: before, [open])

        // 3. The subjects withdraw their consent: the grant relying on it.
        before = try await world.log().count
        try await world.run(.dataSubject, .consent(.withdrawConsent(consent: "con-1", reason: "withdrawn")))
        try await Self.expectNewSuspensions(world, since: before, [consented])

        // 4. A stricter policy: the impact predicts the conditional grant, and adopting it on both instances at once
        // suspends exactly that, once.
        var strict = Policy.beijingDefault
        strict.rules.removeAll { $0.id == "dr.grant-conditional" }
        let first = World.engine(on: world.store, clock: world.clock, policy: strict)
        let second = World.engine(on: world.store, clock: world.clock, policy: strict)
        let predicted = try await first.policyImpact(of: strict).wouldSuspend.map(\.stream)
        #expect(predicted == [conditional])
        before = try await world.log().count
        let trigger = MonitorTrigger.policyAdopted(policy: strict.id, version: strict.digest)
        async let one = first.reassess(trigger)
        async let two = second.reassess(trigger)
        let outcomes = try await [one, two]
        #expect(outcomes.filter(\.deduplicated).count == 1)
        try await Self.expectNewSuspensions(world, since: before, Set(predicted))

        // Each affected object was suspended once; nothing else was.
        log = try await world.log()
        let suspended = Self.suspensions(log).map(\.streamID)
        #expect(suspended.sorted() == [product, scenario, open, consented, conditional].sorted())
        #expect(PolicyMonitorTests.events(log, "monitor.reassessed").count == 4)
    }

    /// A catalog change of one kind, and the rule that then denies `req-1` (none when the grant still holds).
    struct Change: Sendable, CustomTestStringConvertible {
        var name: String
        var entry: CatalogEntry
        var attributes: [String]
        var rule: String?
        var testDescription: String { name }
    }

    static let changes: [Change] = {
        var core = Samples.openEntry
        core.grade = .core
        var personal = Samples.openEntry
        personal.fields.append(CatalogField(name: "legalRepresentative", personalInformation: true))
        return [
            Change(name: "graded core", entry: core, attributes: ["grade"], rule: "dr.core-grade"),
            Change(
                name: "not shared, not open",
                entry: PolicyMonitorTests.reclassifiedOpenEntry,
                attributes: ["sharing", "openness"],
                rule: "dr.not-shared"
            ),
            Change(
                name: "a personal-information field added",
                entry: personal,
                attributes: ["fields"],
                rule: "dr.personal-information"
            ),
            Change(name: "renamed", entry: Samples.renamedOpenEntry, attributes: ["name"], rule: nil),
        ]
    }()

    @Test(arguments: Self.changes)
    func eachVersionOfAnEntryIsRecordedAndReJudgesItsGrants(_ change: Change) async throws {
        let world = World()
        try await world.run(PolicyMonitorTests.activeScenario)
        let outcome = try await world.run(
            .industryDepartment,
            .catalog(.changeCatalogEntry(entry: change.entry, reason: change.name))
        )
        let changed = try outcome.events[0].decodePayload(CatalogProcess.Changed.self)
        #expect(changed.entryVersion == 2)
        #expect(changed.changedAttributes == change.attributes)
        let log = try await world.log()
        let reassessed = try #require(PolicyMonitorTests.events(log, "monitor.reassessed").first)
            .decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.trigger == .catalogEntryChanged(entry: "ent-open", version: 2))
        let grant = PolicyMonitorTests.events(log, "dataRequest.suspended")
        if let rule = change.rule {
            #expect(grant.map(\.streamID) == [PolicyMonitorTests.dataRequest])
            let payload = try #require(grant.first).decodePayload(MonitorSuspension.self)
            #expect(payload.reasons.map(\.ruleID).contains(rule), "\(payload.reasons)")
        } else {
            #expect(grant.isEmpty)
            #expect(try await world.state(DataRequestProcess.self, "req-1") == .provisioned)
        }
        // The conditional entry's grant is never touched by a change of the open entry.
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .granted)
    }

    @Test func aTermReviewSuspendsWhatADayPastItsTermNoLongerAllowsOnce() async throws {
        let world = try await ConsentRecordTests.granted()
        // A review on a day within every term suspends nothing.
        let quiet = try await world.run(
            .dataAdministration,
            .monitor(.reassess(trigger: .termReview(day: world.calendar.civilDate(of: world.clock.now()))))
        )
        #expect(try quiet.events[0].decodePayload(MonitorProcess.Reassessed.self).suspensions.isEmpty)
        // The consent's last day passes before the scheduler runs: the day's review finds it.
        world.clock.set(testInstant("2027-01-01T02:00:00Z"))
        let day = CivilDate("2027-01-01")!
        let review = try await world.run(.implementingAgency, .monitor(.reassess(trigger: .termReview(day: day))))
        let reassessed = try review.events[0].decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.day == day)
        #expect(reassessed.suspensions.map(\.stream) == [ConsentRecordTests.grant])
        #expect(reassessed.suspensions.first?.reasons.map(\.ruleID) == ["monitor.consent-ended"])
        #expect(try await world.state(DataRequestProcess.self, "req-c") == .suspended)
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .granted)
        // The same review again, or one of a day to come, is refused; the consent's own expiry then adds nothing.
        let log = try await world.log()
        await expectRefusal(.invalidState) {
            try await world.run(.dataAdministration, .monitor(.reassess(trigger: .termReview(day: day))))
        }
        await expectRefusal(.invalidInput) {
            try await world.run(
                .dataAdministration,
                .monitor(.reassess(trigger: .termReview(day: day.adding(days: 1))))
            )
        }
        #expect(try await world.log() == log)
        try await world.engine.advance()
        #expect(try await world.state(ConsentProcess.self, "con-1") == .expired)
        #expect(PolicyMonitorTests.events(try await world.log(), "dataRequest.suspended").count == 1)
    }

    @Test func aPolicyIsAdoptedOnlyByTheDataAdministrationAndTheLedgerNamesItsDigest() async throws {
        let world = World()
        try await world.run(PolicyMonitorTests.activeScenario)
        let log = try await world.log()
        let adopt = WorkflowCommand.monitor(
            .reassess(trigger: .policyAdopted(policy: Policy.beijingDefault.id, version: Policy.beijingDefault.digest))
        )
        // Art. 35: the agency may start re-judgements, but adopting a policy is the data administration's act.
        do {
            try await world.run(.implementingAgency, adopt)
            Issue.record("the agency adopted a policy")
        } catch let error as WorkflowError {
            #expect(error.code == .roleNotPermitted)
            #expect(error.articles == ["Art. 35"])
        }
        #expect(try await world.log() == log)
        let adopted = try await world.run(.dataAdministration, adopt)
        let event = try #require(adopted.events.first)
        #expect(event.actor?.role == .dataAdministration)
        #expect(event.actor?.party == Parties.administration)
        let reassessed = try event.decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.policyDigest == Policy.beijingDefault.digest)
        #expect(reassessed.suspensions.isEmpty)
    }

    @Test func anInspectionTellsTheOperatorTheAgencyAndEveryDepartmentItNames() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        var inspection = Samples.inspection
        inspection.departments = [Parties.department, "bj-cyberspace", "bj-police"]
        let opened = try await world.run(.dataAdministration, .inspection(.openInspection(inspection: inspection)))
        let told = PolicyMonitorTests.recipients(try #require(opened.events.first))
        #expect(
            told == [
                Parties.operatorParty: .operator, Parties.agency: .implementingAgency,
                Parties.department: .industryDepartment, "bj-cyberspace": .industryDepartment,
                "bj-police": .industryDepartment,
            ]
        )
    }
}
