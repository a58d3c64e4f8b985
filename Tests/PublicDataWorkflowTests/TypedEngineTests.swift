import Foundation
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

@Suite("Typed engine: idempotent commands, corrupt events, JSON at the edge")
struct TypedEngineTests {
    /// Catalog, a registration up to its code.
    static let registered: [Step] = [
        .by(.industryDepartment, .catalog(.publishCatalogEntry(entry: Samples.openEntry))),
        .by(.industryDepartment, .registration(.applyRegistration(application: Samples.registration))),
        .by(.dataAdministration, .registration(.acceptRegistration(registration: "reg-1"))),
        .by(
            .dataAdministration,
            .registration(.completeFormalReview(registration: "reg-1", passed: true, note: "complete"))
        ),
        .advanceDays(10),
        .by(.dataAdministration, .registration(.issueRegistrationCode(registration: "reg-1", code: "BJ-DR-1"))),
    ]

    @Test func twoEnginesRacingARenewalRecordItOnce() async throws {
        for _ in 0..<5 {
            let world = World()
            try await world.run(Self.registered)
            let before = try await world.engine.instance(RegistrationProcess.self, "reg-1")
            let validUntil = try #require(before.facts.validUntil)
            // A second engine instance on the same store, with the registration already in its cache.
            let other = World.engine(on: world.store, clock: world.clock)
            _ = try await other.instance(RegistrationProcess.self, "reg-1")
            let renew = WorkflowCommand.registration(.renewRegistration(registration: "reg-1"))
            let actor = Parties.actor(.industryDepartment)
            async let first = world.engine.execute(renew, by: actor)
            async let second = other.execute(renew, by: actor)
            let outcomes = try await [first, second]
            #expect(outcomes.filter { !$0.deduplicated }.count == 1)
            #expect(outcomes[0].events.map(\.id) == outcomes[1].events.map(\.id))
            let after = try await World.engine(on: world.store, clock: world.clock)
                .instance(RegistrationProcess.self, "reg-1")
            #expect(after.version == before.version + 1)
            #expect(after.facts.validUntil == validUntil.adding(years: 3))
        }
    }

    @Test func aRetryWithTheCallersKeyIsRecordedOnceEvenLater() async throws {
        let world = World()
        try await world.run(Self.registered)
        let renew = WorkflowCommand.registration(.renewRegistration(registration: "reg-1"))
        let actor = Parties.actor(.industryDepartment)
        let first = try await world.engine.execute(renew, by: actor, idempotencyKey: "portal-req-77")
        world.clock.advance(byDays: 1)
        let retry = try await world.engine.execute(renew, by: actor, idempotencyKey: "portal-req-77")
        #expect(!first.deduplicated)
        #expect(retry.deduplicated)
        #expect(retry.events.map(\.id) == first.events.map(\.id))
        let stream = try await world.store.readStream(RegistrationProcess.kind.stream("reg-1"))
        #expect(stream.filter { $0.type == RegistrationProcess.Event.Kind.renewed.rawValue }.count == 1)
        // Another key is another command.
        let third = try await world.engine.execute(renew, by: actor, idempotencyKey: "portal-req-78")
        #expect(!third.deduplicated)
    }

    @Test func anUnknownEventTypeIsATypedErrorNamingStreamAndVersion() async throws {
        let store = InMemoryEventStore()
        _ = try await store.append(
            [
                ProposedEvent(
                    id: "e1",
                    type: "plan.teleported",
                    occurredAt: Date(timeIntervalSince1970: 0),
                    actor: nil,
                    payload: Data("{}".utf8)
                )
            ],
            to: PlanProcess.kind.stream("p1"),
            expectedVersion: .noStream
        )
        let world = World(store: store)
        do {
            _ = try await world.engine.instance(PlanProcess.self, "p1")
            Issue.record("an unknown event type was folded")
        } catch {
            #expect(error.code == .corruptEvent)
            #expect(error.message.contains("plan-p1@1"))
            #expect(error.message.contains("plan.teleported"))
        }
    }

    @Test func aMalformedPayloadNamesItsJSONPath() async throws {
        let store = InMemoryEventStore()
        _ = try await store.append(
            [
                ProposedEvent(
                    id: "e1",
                    type: PlanProcess.Event.Kind.returned.rawValue,
                    occurredAt: Date(timeIntervalSince1970: 0),
                    actor: nil,
                    payload: Data(#"{"reason": 7}"#.utf8)
                )
            ],
            to: PlanProcess.kind.stream("p1"),
            expectedVersion: .noStream
        )
        let engine = World.engine(on: store, clock: TestClock(now: Date(timeIntervalSince1970: 0)))
        do {
            _ = try await engine.instance(PlanProcess.self, "p1")
            Issue.record("a malformed payload was folded")
        } catch {
            #expect(error.code == .corruptEvent)
            #expect(error.message.contains("$.reason"))
        }
    }

    @Test func commandsOutcomesAndErrorsRoundTripThroughJSON() async throws {
        let commands: [WorkflowCommand] = [
            .plan(.returnPlan(plan: "plan-fin", reason: "the term is unclear")),
            .dataRequest(.submitDataRequest(request: Samples.request("req-1", "ent-open"))),
            .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("k1"))),
        ]
        for command in commands {
            let data = try PublicDataJSON.encode(command)
            #expect(try PublicDataJSON.decode(WorkflowCommand.self, from: data) == command)
        }
        let text = String(decoding: try PublicDataJSON.encode(commands[0]), as: UTF8.self)
        #expect(text == #"{"plan":{"returnPlan":{"plan":"plan-fin","reason":"the term is unclear"}}}"#)

        let world = World()
        do {
            try await world.run(.operator, .plan(.approvePlan(plan: "plan-fin")))
            Issue.record("an operator approved a plan")
        } catch let error as WorkflowError {
            let decoded = try PublicDataJSON.decode(WorkflowError.self, from: try PublicDataJSON.encode(error))
            #expect(decoded.code == .roleNotPermitted)
            #expect(decoded.articles == ["Art. 11"])
            #expect(decoded.command == .plan(.approvePlan))
        }
        let outcome = try await world.run(.industryDepartment, .catalog(.publishCatalogEntry(entry: Samples.openEntry)))
        let decoded = try PublicDataJSON.decode(CommandOutcome.self, from: try PublicDataJSON.encode(outcome))
        #expect(decoded == outcome)
    }

    @Test func theEventJSONHasTraceKeysAndPayloadAtOneLevel() async throws {
        let world = World()
        let outcome = try await world.run(.implementingAgency, .plan(.draftPlan(plan: Samples.plan)))
        let object = try #require(
            try JSONSerialization.jsonObject(with: outcome.events[0].payload) as? [String: Any]
        )
        #expect(object["planID"] as? String == "plan-fin")
        #expect(object["agencyID"] as? String == Parties.agency.rawValue)
        #expect(object["planVersion"] as? Int == 1)
        #expect(object["plan"] != nil)
        let envelope = try EventEnvelope<PlanProcess>(decoding: outcome.events[0])
        guard case .drafted(let drafted) = envelope.event else {
            Issue.record("not a drafted event")
            return
        }
        #expect(drafted.plan == Samples.plan)
    }

    @Test func theTermCapIsThePolicysDecision() async throws {
        // Beijing's cap is 5 years; the sample agreement runs 3. A policy with a 2-year cap refuses it at signing,
        // citing the cap's source — the engine holds no cap of its own.
        var strict = Policy.beijingDefault
        strict.parameters.termCapYears = 2
        let world = World()
        let signing = Scripts.toActiveAgreement.firstIndex {
            if case .run(let command, _) = $0, command.name == .agreement(.signAgreement) { return true }
            return false
        }
        let index = try #require(signing)
        try await world.run(Array(Scripts.toActiveAgreement[..<index]))
        let strictEngine = World.engine(on: world.store, clock: world.clock, policy: strict)
        do {
            try await strictEngine.execute(
                .agreement(.signAgreement(agreement: "agr-1")),
                by: Parties.actor(.operator)
            )
            Issue.record("a term beyond the policy's cap was signed")
        } catch {
            #expect(error.code == .policyDenied)
            #expect(error.decision?.firedRules.contains("ag.term-cap") == true)
            #expect(error.articles.contains("27号"))
        }
        let relaxed = World()
        try await relaxed.run(Array(Scripts.toActiveAgreement[...index]))
        #expect(try await relaxed.state(AgreementProcess.self, "agr-1") == .signed)
    }
}

@Suite("Observer hooks")
struct ObserverTests {
    @Test func refusalsRecordsAndDeadlinesReachTheObserver() async throws {
        let observer = RecordingObserver()
        let store = InMemoryEventStore()
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let engine = WorkflowEngine(
            store: store,
            clock: clock,
            calendar: FixedWorkingDayCalendar(),
            policy: .beijingDefault,
            directory: Parties.directory,
            observer: MultiplexObserver([NoOpObserver(), observer])
        )
        try await engine.execute(
            .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
            by: Parties.actor(.industryDepartment)
        )
        await #expect(throws: WorkflowError.self) {
            try await engine.execute(.plan(.approvePlan(plan: "plan-fin")), by: Parties.actor(.operator))
        }
        let events = observer.events
        #expect(
            events.contains {
                if case .commandRecorded("publishCatalogEntry", let stream, 1, false, false) = $0 {
                    return stream == CatalogProcess.kind.stream(Samples.openEntry.id.rawValue)
                }
                return false
            }
        )
        #expect(
            events.contains {
                if case .commandRefused("approvePlan", _, "roleNotPermitted", let articles, _) = $0 {
                    return articles == ["Art. 11"]
                }
                return false
            }
        )
    }
}

@Suite("Hostile identifiers at the command boundary")
struct HostileIdentifierTests {
    @Test(arguments: ["plan\u{0}shadow", "plan\u{7}bell", "plan\nline", String(repeating: "p", count: 10_000)])
    func aHostileIdentifierIsRefusedAndNothingIsRecorded(_ id: String) async throws {
        let world = World()
        var plan = Samples.plan
        plan.id = PlanID(id)
        do {
            try await world.run(.implementingAgency, .plan(.draftPlan(plan: plan)))
            Issue.record("a hostile identifier was accepted")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.issues.contains { $0.path == "$.plan.id" })
        }
        #expect(try await world.log().isEmpty)
    }
}
