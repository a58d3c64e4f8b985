import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 17 ¶2 and Art. 26: the data subjects' consent is a record — its subjects, its scope (operator, entries and
/// fields, purpose, scenario), its validity and its withdrawal. A consented request names the record, which must
/// cover it when it is decided; a withdrawal or expiry ends the duty to supply and suspends the grants relying on it.
struct ConsentRecordTests {
    /// The consent of `subject-1` to op-1's use of the tax payment records for credit scoring in 2026.
    static func consent(
        subjects: [PartyID] = [Parties.subject],
        operatorParty: PartyID = Parties.operatorParty,
        scope: [ConsentScopeItem] = [ConsentScopeItem(entry: "ent-cond")],
        purpose: Purpose = .industryDevelopment,
        scenario: String = "credit scoring",
        validFrom: CivilDate = CivilDate("2026-03-01")!,
        validUntil: CivilDate = CivilDate("2026-12-31")!
    ) -> ConsentRecord {
        ConsentRecord(
            id: "con-1",
            subjects: subjects,
            operatorParty: operatorParty,
            scope: scope,
            purpose: purpose,
            scenario: scenario,
            validFrom: validFrom,
            validUntil: validUntil,
            channel: "京通"
        )
    }

    /// A request for the conditional entry relying on `con-1`.
    static var consentedRequest: DataRequestSpec {
        var request = Samples.request("req-c", "ent-cond")
        request.subjectConsent = true
        request.consent = "con-1"
        return request
    }

    static let grant = ProcessKind.dataRequest.stream("req-c")

    /// The active agreement with `record` recorded by the channel and the consented request submitted.
    static func submitted(_ record: ConsentRecord? = consent()) async throws -> World {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        if let record { try await world.run(.bigDataCenter, .consent(.recordConsent(consent: record))) }
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: consentedRequest)))
        return world
    }

    /// The consented request granted after the department's co-review, next to req-1 (the open entry, no consent).
    static func granted() async throws -> World {
        let world = try await submitted()
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-1", "ent-open"))))
        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-1")))
        #expect(
            try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c"))).state
                == "coReview"
        )
        let approved = try await world.run(
            .industryDepartment,
            .dataRequest(.coReviewDataRequest(request: "req-c", approve: true, note: "supplied on consent"))
        )
        #expect(approved.state == "granted")
        try await world.run(.bigDataCenter, .dataRequest(.provisionData(request: "req-c", note: "sandbox s-2")))
        return world
    }

    @Test func aConsentIsARecordWithItsSubjectsScopeAndValidityAndItsPartiesAreTold() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let record = Self.consent(subjects: [Parties.subject, "subject-2"])
        let given = try await world.run(.bigDataCenter, .consent(.recordConsent(consent: record)))
        #expect(given.state == "given")
        let consent = try await world.engine.instance(ConsentProcess.self, "con-1")
        #expect(consent.facts.consent == record)
        #expect(consent.openDeadlines[.validity]?.dueDay == CivilDate("2026-12-31"))
        let told = NotificationDispatcher.notifications(in: given.events[0]).map {
            "\($0.recipient)|\($0.recipientRole.rawValue)"
        }
        #expect(
            Set(told) == [
                "subject-1|data_subject", "subject-2|data_subject", "op-1|operator", "dept-finance|industry_department",
                "bj-big-data-center|big_data_center",
            ]
        )
    }

    @Test func aDataSubjectRecordsOnlyItsOwnConsentAndWithdrawsOnlyOneNamingIt() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let before = try await world.log()
        await expectRefusal(.notParty) {
            try await world.run(
                .dataSubject,
                .consent(.recordConsent(consent: Self.consent(subjects: ["subject-2"])))
            )
        }
        await expectRefusal(.invalidInput) {
            try await world.run(
                .dataSubject,
                .consent(.recordConsent(consent: Self.consent(validUntil: CivilDate("2026-03-01")!)))
            )
        }
        #expect(try await world.log() == before)
        try await world.run(.dataSubject, .consent(.recordConsent(consent: Self.consent())))
        let stranger = Principal(party: "subject-9", role: .dataSubject, person: "someone else")
        let recorded = try await world.log()
        do {
            try await world.engine.execute(.consent(.withdrawConsent(consent: "con-1", reason: "no")), by: stranger)
            Issue.record("a stranger withdrew the consent")
        } catch {
            #expect(error.code == .notParty)
            #expect(error.articles == ["Art. 17", "Art. 26"])
        }
        #expect(try await world.log() == recorded)
    }

    @Test func aConsentedRequestNamesItsConsentRecord() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        var flagOnly = Samples.request("req-c", "ent-cond")
        flagOnly.subjectConsent = true
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, .dataRequest(.submitDataRequest(request: flagOnly)))
        }
        var recordOnly = Samples.request("req-c", "ent-cond")
        recordOnly.consent = "con-1"
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, .dataRequest(.submitDataRequest(request: recordOnly)))
        }
    }

    /// Records that do not cover the consented request on the day it is evaluated (Tuesday 10 March 2026).
    static let notCovering: [(String, ConsentRecord?)] = [
        ("never recorded", nil),
        ("another operator", consent(operatorParty: Parties.otherOperator)),
        ("another entry", consent(scope: [ConsentScopeItem(entry: "ent-open")])),
        ("fewer fields", consent(scope: [ConsentScopeItem(entry: "ent-cond", fields: ["amount"])])),
        ("another purpose", consent(purpose: .publicWelfare)),
        ("another scenario", consent(scenario: "marketing")),
        ("not yet valid", consent(validFrom: CivilDate("2026-04-01")!)),
    ]

    @Test(arguments: notCovering)
    func aRequestItsConsentDoesNotCoverIsRefusedCitingArt17And26AndNothingIsRecorded(
        _ label: String,
        _ record: ConsentRecord?
    ) async throws {
        let world = try await Self.submitted(record)
        let before = try await world.log()
        do {
            try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c")))
            Issue.record("\(label): the request was decided")
        } catch let error as WorkflowError {
            #expect(error.code == .notAuthorized, "\(label): \(error)")
            #expect(error.articles == ["Art. 17", "Art. 26"], "\(label)")
        }
        #expect(try await world.log() == before, "\(label)")
        #expect(try await world.state(DataRequestProcess.self, "req-c") == .submitted)
    }

    @Test func aCoveringConsentWithEveryFieldNamedIsEnough() async throws {
        let fields = ConsentScopeItem(entry: "ent-cond", fields: ["taxpayer", "amount"])
        let world = try await Self.submitted(Self.consent(scope: [fields]))
        let evaluated = try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c")))
        #expect(evaluated.state == "coReview")
    }

    @Test func aWithdrawnConsentEndsTheDutyToSupply() async throws {
        let world = try await Self.submitted()
        try await world.run(.implementingAgency, .dataRequest(.evaluateDataRequest(request: "req-c")))
        // While the consent covers the request, unwillingness is no ground.
        await expectRefusal(.dutyToSupply) {
            try await world.run(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-c", approve: false, note: "no", ground: .unwilling))
            )
        }
        try await world.run(.dataSubject, .consent(.withdrawConsent(consent: "con-1", reason: "changed my mind")))
        // The consent no longer covers the request: it cannot be approved on it, and may be refused.
        let before = try await world.log()
        await expectRefusal(.notAuthorized) {
            try await world.run(
                .industryDepartment,
                .dataRequest(.coReviewDataRequest(request: "req-c", approve: true, note: "on consent"))
            )
        }
        #expect(try await world.log() == before)
        let refused = try await world.run(
            .industryDepartment,
            .dataRequest(.coReviewDataRequest(request: "req-c", approve: false, note: "consent withdrawn"))
        )
        #expect(refused.state == "refused")
    }

    @Test func withdrawingAConsentSuspendsTheGrantsRelyingOnItOnceWithNotices() async throws {
        let world = try await Self.granted()
        let withdrawn = try await world.run(
            .dataSubject,
            .consent(.withdrawConsent(consent: "con-1", reason: "changed my mind"))
        )
        #expect(withdrawn.state == "withdrawn")
        let told = Set(NotificationDispatcher.notifications(in: withdrawn.events[0]).map(\.recipient))
        #expect(told == [Parties.subject, Parties.operatorParty, Parties.department, Parties.center])

        #expect(try await world.state(DataRequestProcess.self, "req-c") == .suspended)
        // A grant that does not rely on the consent holds.
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .granted)
        let log = try await world.log()
        let monitors = PolicyMonitorTests.events(log, "monitor.reassessed")
        #expect(monitors.count == 1)
        let reassessed = try monitors[0].decodePayload(MonitorProcess.Reassessed.self)
        #expect(reassessed.trigger == .consentEnded(consent: "con-1"))
        #expect(reassessed.judged == [Self.grant])
        let suspended = try #require(PolicyMonitorTests.events(log, "dataRequest.suspended").first)
        let payload = try suspended.decodePayload(MonitorSuspension.self)
        #expect(payload.reasons.map(\.ruleID) == ["monitor.consent-ended"])
        #expect(payload.reasons[0].articles == ["Art. 17", "Art. 26"])
        let recipients = PolicyMonitorTests.recipients(suspended)
        #expect(recipients[Parties.operatorParty] == .operator)
        #expect(recipients[Parties.agency] == .implementingAgency)
        #expect(recipients[Parties.center] == .bigDataCenter)

        // Once, whichever engine re-judges, and the grant cannot be resumed on the withdrawn consent.
        let other = World.engine(on: world.store, clock: world.clock)
        async let one = world.engine.reassess(.consentEnded(consent: "con-1"))
        async let two = other.reassess(.consentEnded(consent: "con-1"))
        _ = try await [one, two]
        let after = try await world.log()
        #expect(PolicyMonitorTests.events(after, "monitor.reassessed").count == 1)
        #expect(PolicyMonitorTests.events(after, "dataRequest.suspended").count == 1)
        await expectRefusal(.notAuthorized) {
            try await world.run(.implementingAgency, .dataRequest(.resumeGrant(request: "req-c")))
        }
    }

    @Test func anExpiredConsentSuspendsTheGrantsRelyingOnIt() async throws {
        let world = try await Self.granted()
        world.clock.set(testInstant("2027-01-01T02:00:00Z"))
        try await world.engine.advance()
        #expect(try await world.state(ConsentProcess.self, "con-1") == .expired)
        #expect(try await world.state(DataRequestProcess.self, "req-c") == .suspended)
        let log = try await world.log()
        let expired = try #require(PolicyMonitorTests.events(log, "consent.expired").first)
        #expect(NotificationDispatcher.notifications(in: expired).map(\.recipient).contains(Parties.subject))
        let suspended = try #require(PolicyMonitorTests.events(log, "dataRequest.suspended").first)
        let payload = try suspended.decodePayload(MonitorSuspension.self)
        #expect(payload.trigger == .consentEnded(consent: "con-1"))
        #expect(payload.reasons.map(\.ruleID) == ["monitor.consent-ended"])
    }

    @Test func aTriggerForAConsentThatStillHoldsIsRefusedAndNothingIsRecorded() async throws {
        let world = try await Self.granted()
        let before = try await world.log()
        await expectRefusal(.invalidState) { try await world.engine.reassess(.consentEnded(consent: "con-1")) }
        #expect(try await world.log() == before)
    }
}
