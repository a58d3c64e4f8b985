import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 30 (及时终止违规授权使用): the policy monitor re-judges every live grant, product and scenario when
/// something it depends on changes, records the re-judgement and suspends — once, with notices — exactly the
/// objects that no longer hold.
struct PolicyMonitorTests {
    /// The lifecycle up to an active scenario: req-1 (`ent-open`, provisioned), req-2 (`ent-cond`, co-reviewed),
    /// prod-1 (from `ent-open`, published), scn-1 (active).
    static let activeScenario: [Step] = Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4))

    static let dataRequest = ProcessKind.dataRequest.stream("req-1")
    static let otherRequest = ProcessKind.dataRequest.stream("req-2")
    static let product = ProcessKind.product.stream("prod-1")
    static let scenario = ProcessKind.scenario.stream("scn-1")

    /// `ent-open` reclassified as not shared and not open.
    static var reclassifiedOpenEntry: CatalogEntry {
        var entry = Samples.openEntry
        entry.sharing = .notShared
        entry.openness = .notOpen
        return entry
    }

    /// Beijing's default without the permit for unconditional or open data: such grants fail closed.
    static var stricterPolicy: Policy {
        var policy = Policy.beijingDefault
        policy.rules.removeAll { $0.id == "dr.grant-open" }
        policy.version = "2026.1-strict"
        return policy
    }

    static func events(_ log: [RecordedEvent], _ type: String) -> [RecordedEvent] { log.filter { $0.type == type } }

    static func recipients(_ event: RecordedEvent) -> [PartyID: Role] {
        var result: [PartyID: Role] = [:]
        for message in NotificationDispatcher.notifications(in: event) {
            result[message.recipient] = message.recipientRole
        }
        return result
    }

    static func suspendedStreams(_ log: [RecordedEvent]) -> Set<StreamID> {
        let types: Set<String> = ["dataRequest.suspended", "product.suspendedByMonitor", "scenario.suspendedByMonitor"]
        return Set(log.filter { types.contains($0.type) }.map(\.streamID))
    }

    @Test func reclassifyingAGrantedEntrySuspendsItsGrantProductAndScenarioOnceWithNotices() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        let outcome = try await world.run(
            .industryDepartment,
            .catalog(.changeCatalogEntry(entry: Self.reclassifiedOpenEntry, reason: "reclassified after review"))
        )
        let changed = try outcome.events[0].decodePayload(CatalogProcess.Changed.self)
        #expect(changed.entryVersion == 2)
        #expect(changed.changedAttributes == ["sharing", "openness"])

        #expect(try await world.state(DataRequestProcess.self, "req-1") == .suspended)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .suspended)
        #expect(try await world.state(ScenarioProcess.self, "scn-1") == .suspended)
        // Only those: the grant of the conditional entry holds.
        #expect(try await world.state(DataRequestProcess.self, "req-2") == .granted)

        let log = try await world.log()
        let monitors = Self.events(log, "monitor.reassessed")
        #expect(monitors.count == 1)
        let reassessed = try monitors[0].decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.trigger == .catalogEntryChanged(entry: "ent-open", version: 2))
        #expect(reassessed.policyVersion == Policy.beijingDefault.version)
        #expect(reassessed.judged == [Self.dataRequest, Self.product, Self.scenario])
        #expect(reassessed.suspensions.map(\.stream) == [Self.dataRequest, Self.product, Self.scenario])
        #expect(Self.suspendedStreams(log) == [Self.dataRequest, Self.product, Self.scenario])

        // The grant's suspension records the policy's denial and tells the operator, the agency and the center.
        let grant = try #require(Self.events(log, "dataRequest.suspended").first)
        let payload = try grant.decodePayload(MonitorSuspension.self)
        #expect(payload.decision?.isPermit == false)
        #expect(payload.reasons.map(\.ruleID).contains("dr.not-shared"))
        #expect(payload.monitor == reassessed.trigger.key)
        #expect(grant.metadata.causationID == ProcessKind.monitor.stream(reassessed.trigger.key).rawValue)
        let told = Self.recipients(grant)
        #expect(told[Parties.operatorParty] == .operator)
        #expect(told[Parties.agency] == .implementingAgency)
        #expect(told[Parties.center] == .bigDataCenter)
        let product = try #require(Self.events(log, "product.suspendedByMonitor").first)
        #expect(try product.decodePayload(MonitorSuspension.self).reasons.map(\.ruleID).contains("monitor.grant-lost"))
        let scenario = try #require(Self.events(log, "scenario.suspendedByMonitor").first)
        #expect(Self.recipients(scenario)[Parties.business] == .businessEntity)

        // No usage is recorded under the suspended product; the re-judgement is not repeated.
        await expectRefusal(.invalidState) {
            try await world.run(.operator, .settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-9"))))
        }
        await expectRefusal(.invalidState) {
            try await world.run(.dataAdministration, .monitor(.reassess(trigger: reassessed.trigger)))
        }
    }

    @Test func aChangeThatKeepsEveryGrantHoldingSuspendsNothing() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(
            .industryDepartment,
            .catalog(.changeCatalogEntry(entry: Samples.renamedOpenEntry, reason: "name corrected"))
        )
        let log = try await world.log()
        let reassessed = try #require(Self.events(log, "monitor.reassessed").first)
            .decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.judged == [Self.dataRequest, Self.product])
        #expect(reassessed.suspensions.isEmpty)
        #expect(Self.suspendedStreams(log).isEmpty)
        #expect(try await world.state(ScenarioProcess.self, "scn-1") == .active)
    }

    @Test func aConditionalReclassificationNeedsTheCoReviewTheGrantNeverHad() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        var entry = Samples.openEntry
        entry.sharing = .conditional
        entry.openness = .notOpen
        try await world.run(.industryDepartment, .catalog(.changeCatalogEntry(entry: entry, reason: "now conditional")))
        let log = try await world.log()
        let grant = try #require(Self.events(log, "dataRequest.suspended").first)
        let payload = try grant.decodePayload(MonitorSuspension.self)
        #expect(payload.reasons.map(\.ruleID) == ["monitor.co-review-missing"])
        #expect(payload.reasons[0].articles == ["Art. 16"])
        #expect(payload.decision?.requiresCoReview == true)
    }

    @Test func retiringAnEntrySuspendsItsDependantsAndRefusesNewRequests() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(.bigDataCenter, .catalog(.retireCatalogEntry(entry: "ent-open", reason: "superseded")))
        #expect(try await world.state(CatalogProcess.self, "ent-open") == .retired)
        let log = try await world.log()
        #expect(Self.suspendedStreams(log) == [Self.dataRequest, Self.product, Self.scenario])
        let grant = try #require(Self.events(log, "dataRequest.suspended").first)
        #expect(try grant.decodePayload(MonitorSuspension.self).reasons.map(\.ruleID) == ["monitor.entry-retired"])

        var request = Samples.request("req-9", "ent-open")
        request.scenario = "another"
        do {
            try await world.run(.operator, .dataRequest(.submitDataRequest(request: request)))
            Issue.record("a request for a retired entry was recorded")
        } catch let error as WorkflowError {
            #expect(error.code == .notFound)
            #expect(error.articles == ["Art. 8"])
        }
        #expect(try await world.log() == log)
    }

    @Test func suspendingTheAgreementSuspendsEveryLiveObjectUnderItAndAGrantResumesOnlyWhenItHolds() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        try await world.run(.implementingAgency, .agreement(.suspendAgreement(agreement: "agr-1", reason: "incident")))
        var log = try await world.log()
        #expect(Self.suspendedStreams(log) == [Self.dataRequest, Self.otherRequest, Self.product, Self.scenario])
        let reassessed = try #require(Self.events(log, "monitor.reassessed").first)
        let told = Self.recipients(reassessed)
        #expect(told[Parties.administration] == .dataAdministration)
        #expect(told[Parties.agency] == .implementingAgency)

        // While the agreement is suspended the grant does not hold: refused citing the policy, nothing recorded.
        do {
            try await world.run(.implementingAgency, .dataRequest(.resumeGrant(request: "req-1")))
            Issue.record("a grant under a suspended agreement was resumed")
        } catch let error as WorkflowError {
            #expect(error.code == .policyDenied)
            #expect(error.decision?.reasons.map(\.ruleID).contains("dr.agreement-suspended") == true)
        }
        #expect(try await world.log() == log)

        try await world.run(.implementingAgency, .agreement(.resumeAgreement(agreement: "agr-1")))
        let resumed = try await world.run(.implementingAgency, .dataRequest(.resumeGrant(request: "req-1")))
        #expect(resumed.state == "granted")
        log = try await world.log()
        #expect(Self.recipients(try #require(log.last))[Parties.center] == .bigDataCenter)
        // The data is provisioned again before use.
        #expect(
            try await world.run(.bigDataCenter, .dataRequest(.provisionData(request: "req-1", note: "s-2"))).state
                == "provisioned"
        )
    }

    @Test func anExpiredRegistrationSuspendsTheProductsRegisteredUnderIt() async throws {
        let world = World(parameters: { $0.registrationValidityYears = 1 })
        let registration = RegistrationApplication(
            id: "reg-p",
            kind: .first,
            product: "prod-1",
            description: "credit model"
        )
        var steps: [Step] = []
        for step in Scripts.toPublishedProduct {
            if case .run(let command, _) = step, command.name == .product(.registerProduct) {
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
            } else {
                steps.append(step)
            }
        }
        // reg-1 (the entries' registration) is renewed: only the product's registration expires.
        steps.append(.by(.industryDepartment, .registration(.renewRegistration(registration: "reg-1"))))
        try await world.run(steps)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .published)
        world.clock.advance(byDays: 366)
        try await world.engine.advance()
        #expect(try await world.state(RegistrationProcess.self, "reg-p") == .expired)
        #expect(try await world.state(ProductProcess.self, "prod-1") == .suspended)
        let log = try await world.log()
        #expect(Self.suspendedStreams(log) == [Self.product])
        let suspended = try #require(Self.events(log, "product.suspendedByMonitor").first)
        let payload = try suspended.decodePayload(MonitorSuspension.self)
        #expect(payload.trigger == .registrationExpired(registration: "reg-p"))
        #expect(payload.reasons.map(\.ruleID) == ["monitor.registration-expired"])
        #expect(payload.reasons[0].articles == ["Art. 9"])
    }

    @Test func twoEngineInstancesRecordEachReassessmentAndEachSuspensionOnce() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        let policy = Self.stricterPolicy
        let first = World.engine(on: world.store, clock: world.clock, policy: policy)
        let second = World.engine(on: world.store, clock: world.clock, policy: policy)
        let trigger = MonitorTrigger.policyAdopted(policy: policy.id, version: policy.digest)
        async let one = first.reassess(trigger)
        async let two = second.reassess(trigger)
        let outcomes = try await [one, two]
        #expect(outcomes.filter(\.deduplicated).count == 1)
        // A third run (a restarted instance) changes nothing.
        try await first.reassess(trigger)
        let log = try await world.log()
        #expect(Self.events(log, "monitor.reassessed").count == 1)
        let suspensions = log.filter {
            ["dataRequest.suspended", "product.suspendedByMonitor", "scenario.suspendedByMonitor"].contains($0.type)
        }
        #expect(suspensions.count == 3)
        #expect(Set(suspensions.map(\.streamID)) == [Self.dataRequest, Self.product, Self.scenario])
    }

    @Test func thePolicyImpactPredictsExactlyWhatTheMonitorSuspendsOnAdoption() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        let policy = Self.stricterPolicy
        let head = try await world.store.headPosition()
        let impact = try await world.engine.policyImpact(of: policy)
        #expect(try await world.store.headPosition() == head)
        #expect(impact.proposedPolicy == "beijing-default@2026.1-strict")
        #expect(impact.wouldSuspend.map(\.stream) == [Self.dataRequest, Self.product, Self.scenario])
        #expect(impact.wouldPermit.isEmpty)
        #expect(impact.suspensionsByRule.first { $0.key == Reason.noApplicableRuleID }?.count == 1)
        #expect(impact.suspensionsByArticle.first { $0.key == "Art. 16" }?.count == 1)
        #expect(impact.suspensionsByArticle.first { $0.key == "Art. 25" }?.count == 1)
        #expect(impact.markdown().contains("| monitor.grant-lost | 1 |"))

        let adopted = World.engine(on: world.store, clock: world.clock, policy: policy)
        try await adopted.reassess(.policyAdopted(policy: policy.id, version: policy.digest))
        let log = try await world.log()
        #expect(Self.suspendedStreams(log) == Set(impact.wouldSuspend.map(\.stream)))
        let reassessed = try #require(Self.events(log, "monitor.reassessed").first)
            .decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.suspensions == impact.wouldSuspend)
        #expect(reassessed.judged == impact.judged)
    }

    @Test func twoPoliciesWithOneLabelAreTwoAdoptionsAndTheRecordNamesEachDigest() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        // Same id and label, different content: only the digest tells them apart.
        var lenient = Policy.beijingDefault
        lenient.version = Self.stricterPolicy.version
        lenient.parameters.termCapYears = 4
        let strict = Self.stricterPolicy
        #expect(lenient.version == strict.version && lenient.digest != strict.digest)
        for policy in [lenient, strict] {
            let engine = World.engine(on: world.store, clock: world.clock, policy: policy)
            let outcome = try await engine.reassess(.policyAdopted(policy: policy.id, version: policy.digest))
            #expect(!outcome.deduplicated)
        }
        let log = try await world.log()
        let adoptions = try Self.events(log, "monitor.reassessed").map {
            try $0.decodePayload(MonitorProcess.Reassessed.self)
        }
        #expect(adoptions.map(\.policyDigest) == [lenient.digest, strict.digest])
        #expect(adoptions[0].suspensions.isEmpty)
        #expect(adoptions[1].suspensions.compactMap(\.decision?.policyDigest).allSatisfy { $0 == strict.digest })
        #expect(!adoptions[1].suspensions.isEmpty)
    }

    @Test func thePolicyImpactListsRefusedRequestsAProposedPolicyWouldPermit() async throws {
        let world = World(policy: Self.stricterPolicy)
        try await world.run(
            Scripts.toActiveAgreement + [
                .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-1", "ent-open")))),
                .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1"))),
                .by(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-3", "ent-closed")))),
                .by(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-3"))),
            ]
        )
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .refused)
        let impact = try await world.engine.policyImpact(of: .beijingDefault)
        #expect(impact.wouldPermit.map(\.stream) == [Self.dataRequest])
        #expect(impact.permitsByRule == [PolicyImpact.Count(key: Reason.noApplicableRuleID, count: 1)])
        #expect(impact.wouldSuspend.isEmpty)
    }

    @Test func aTriggerThatDoesNotMatchTheRecordIsRefusedAndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Self.activeScenario)
        let log = try await world.log()
        let stale: [(MonitorTrigger, WorkflowError.Code, String)] = [
            (.policyAdopted(policy: "beijing-default", version: "2099.1"), .invalidInput, "Art. 35"),
            // The label is a name, not the content: an adoption names the digest.
            (
                .policyAdopted(policy: "beijing-default", version: Policy.beijingDefault.version), .invalidInput,
                "Art. 35"
            ),
            (.catalogEntryChanged(entry: "ent-open", version: 2), .invalidInput, "Art. 8"),
            (.catalogEntryRetired(entry: "ent-open"), .invalidState, "Art. 8"),
            (.registrationExpired(registration: "reg-none"), .notFound, ""),
        ]
        for (trigger, code, article) in stale {
            do {
                try await world.run(.dataAdministration, .monitor(.reassess(trigger: trigger)))
                Issue.record("\(trigger) was recorded")
            } catch let error as WorkflowError {
                #expect(error.code == code, "\(trigger): \(error)")
                if !article.isEmpty { #expect(error.articles.contains(article), "\(trigger): \(error.articles)") }
            }
        }
        // Catalog updates: a change that changes nothing, a move to another owner, another department's entry.
        await expectRefusal(.invalidInput) {
            try await world.run(
                .industryDepartment,
                .catalog(.changeCatalogEntry(entry: Samples.openEntry, reason: "x"))
            )
        }
        var moved = Samples.renamedOpenEntry
        moved.owningDepartment = "dept-other"
        await expectRefusal(.invalidInput) {
            try await world.run(.bigDataCenter, .catalog(.changeCatalogEntry(entry: moved, reason: "transfer")))
        }
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .catalog(.changeCatalogEntry(entry: Samples.renamedOpenEntry, reason: "x")),
                by: Principal(party: "dept-other", role: .industryDepartment, person: "clerk")
            )
        }
        #expect(try await world.log() == log)
    }
}
