import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 31, 87号 §7: the operator keeps its graded-protection filing, evaluations and data security risk assessments
/// valid and names its security officer; a record expires (reminder, then a notice once), and while a duty is unmet
/// the operator's new data requests are denied by the policy — a recorded decision — and its live grants stay.
struct SecurityRecordTests {
    /// The world up to an active agreement, without the operator's record (or officer) of `duty`.
    static func toActiveAgreement(without duty: SecurityDuty) -> [Step] {
        Scripts.toActiveAgreement.filter { step in
            guard case .run(let run, _) = step, let command = run.command(of: SecurityRecordProcess.self) else {
                return true
            }
            return command.instanceID != SecurityRecordProcess.instanceID(Parties.operatorParty, duty)
        }
    }

    static func request(_ id: DataRequestID) -> WorkflowCommand {
        .dataRequest(.submitDataRequest(request: Samples.request(id, "ent-open")))
    }

    static func evaluate(_ id: DataRequestID) -> WorkflowCommand {
        .dataRequest(.evaluateDataRequest(request: id))
    }

    static func recipients(_ event: RecordedEvent) -> [PartyID: Role] {
        var result: [PartyID: Role] = [:]
        for message in NotificationDispatcher.notifications(in: event) {
            result[message.recipient] = message.recipientRole
        }
        return result
    }

    @Test(arguments: SecurityDuty.allCases)
    func eachUnmetDutyDeniesANewGrantWithARecordedDecision(_ duty: SecurityDuty) async throws {
        let world = World()
        try await world.run(Self.toActiveAgreement(without: duty))
        #expect(
            try await world.engine.unmetSecurityDuties(of: Parties.operatorParty, on: CivilDate("2026-03-12")!) == [
                duty
            ]
        )
        try await world.run(.operator, Self.request("req-1"))
        let refused = try await world.run(.implementingAgency, Self.evaluate("req-1"))
        #expect(refused.state == "refused")
        #expect(refused.events.map(\.type) == ["dataRequest.refused"])
        let decision = try #require(refused.events.first?.decodePayload(Decided.self).decision)
        #expect(decision.firedRules == ["dr.operator-security"])
        #expect(decision.citedArticles.contains("Art. 31"))
        #expect(decision.policyDigest == Policy.beijingDefault.digest)
    }

    @Test(arguments: SecurityDuty.allCases)
    func withTheBlockOffAnUnmetDutyDoesNotDeny(_ duty: SecurityDuty) async throws {
        let world = World(parameters: { $0.securityDutiesBeforeGrant = Set(SecurityDuty.allCases).subtracting([duty]) })
        try await world.run(Self.toActiveAgreement(without: duty))
        try await world.run(.operator, Self.request("req-1"))
        let granted = try await world.run(.implementingAgency, Self.evaluate("req-1"))
        #expect(granted.state == "granted")
    }

    @Test func aRecordIsRemindedThenExpiresOnceAndBlocksOnlyNewGrants() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, Self.request("req-1"))
        #expect(try await world.run(.implementingAgency, Self.evaluate("req-1")).state == "granted")
        // A risk assessment valid through 30 April: reminded 30 days ahead (the operator alone), then expired.
        let assessment = Samples.security(.riskAssessment, validUntil: CivilDate("2026-04-30")!)
        try await world.run(.dataAdministration, .securityRecord(.recordSecurityRecord(record: assessment)))
        let stream = SecurityRecordProcess.instanceID(Parties.operatorParty, .riskAssessment)
        let deadlines = try await world.engine.instance(SecurityRecordProcess.self, stream).openDeadlines
        #expect(deadlines[.reminder]?.dueDay == CivilDate("2026-03-31")!)
        #expect(deadlines[.expiry]?.dueDay == CivilDate("2026-04-30")!)

        world.clock.advance(byDays: 25)  // past the reminder day, before the last valid day
        try await world.engine.advance()
        let reminded = try await world.log().filter { $0.type == "securityRecord.reminded" }
        #expect(reminded.count == 1)
        #expect(try Self.recipients(#require(reminded.first)) == [Parties.operatorParty: .operator])
        #expect(
            try await world.engine.unmetSecurityDuties(of: Parties.operatorParty, on: CivilDate("2026-04-30")!) == []
        )
        #expect(
            try await world.engine.unmetSecurityDuties(of: Parties.operatorParty, on: CivilDate("2026-05-01")!)
                == [.riskAssessment]
        )

        world.clock.advance(byDays: 30)  // past the last valid day
        try await world.engine.advance()
        world.clock.advance(byDays: 30)
        try await world.engine.advance()
        let expired = try await world.log().filter { $0.type == "securityRecord.expired" }
        #expect(expired.count == 1)
        let told = try Self.recipients(#require(expired.first))
        #expect(told[Parties.operatorParty] == .operator)
        #expect(told[Parties.agency] == .implementingAgency)
        #expect(told[Parties.administration] == .dataAdministration)
        #expect(try await world.state(SecurityRecordProcess.self, stream) == .expired)

        // The live grant stays; a new request is denied and the denial recorded.
        #expect(try await world.state(DataRequestProcess.self, "req-1") == .granted)
        #expect(try await world.log().filter { $0.type == "dataRequest.suspended" }.isEmpty)
        try await world.run(.operator, Self.request("req-2"))
        let refused = try await world.run(.implementingAgency, Self.evaluate("req-2"))
        #expect(refused.state == "refused")
        #expect(try refused.events[0].decodePayload(Decided.self).decision.firedRules == ["dr.operator-security"])

        // A new assessment makes the duty met again.
        let renewed = Samples.security(.riskAssessment, date: CivilDate("2026-06-01")!)
        let recorded = try await world.run(.operator, .securityRecord(.recordSecurityRecord(record: renewed)))
        #expect(recorded.state == "valid")
        let payload = try recorded.events[0].decodePayload(SecurityRecordProcess.Recorded.self)
        // Twelve months from its date by default (securityRiskAssessmentValidityMonths).
        #expect(payload.record.validUntil == CivilDate("2027-05-31")!)
        #expect(payload.agencies == [Parties.agency])
        try await world.run(.operator, Self.request("req-3"))
        #expect(try await world.run(.implementingAgency, Self.evaluate("req-3")).state == "granted")
    }

    @Test func theApprovalThatCompletesACoReviewWaitsForTheSecurityDuties() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        try await world.run(.operator, .dataRequest(.submitDataRequest(request: Samples.request("req-2", "ent-cond"))))
        #expect(try await world.run(.implementingAgency, Self.evaluate("req-2")).state == "coReview")
        // The risk assessment lapses before the department approves; a new one is recorded only later.
        let today = world.calendar.civilDate(of: world.clock.now())
        let lapsing = Samples.security(.riskAssessment, validUntil: today)
        try await world.run(.operator, .securityRecord(.recordSecurityRecord(record: lapsing)))
        world.clock.advance(byDays: 1)
        try await world.engine.advance()
        let before = try await world.log()
        let approve = WorkflowCommand.dataRequest(
            .coReviewDataRequest(request: "req-2", approve: true, note: "scenario reviewed")
        )
        do {
            try await world.run(.industryDepartment, approve)
            Issue.record("a co-review granted while the risk assessment had lapsed")
        } catch let error as WorkflowError {
            #expect(error.code == .policyDenied)
            #expect(error.decision?.firedRules == ["dr.operator-security"])
            #expect(error.articles.contains("Art. 31"))
        }
        #expect(try await world.log() == before)
        let renewed = Samples.security(.riskAssessment, date: world.calendar.civilDate(of: world.clock.now()))
        try await world.run(.operator, .securityRecord(.recordSecurityRecord(record: renewed)))
        #expect(try await world.run(.industryDepartment, approve).state == "granted")
    }

    @Test func theImpactOfAPolicyKeepsASecurityDenialDenied() async throws {
        let world = World()
        try await world.run(Self.toActiveAgreement(without: .securityOfficer))
        try await world.run(.operator, Self.request("req-1"))
        #expect(try await world.run(.implementingAgency, Self.evaluate("req-1")).state == "refused")
        // The same policy would not permit it: the operator still has no officer.
        #expect(try await world.engine.policyImpact(of: .beijingDefault).wouldPermit.isEmpty)
        // Without the block it would.
        var lenient = Policy.beijingDefault
        lenient.parameters.securityDutiesBeforeGrant = []
        let impact = try await world.engine.policyImpact(of: lenient)
        #expect(impact.wouldPermit.map(\.stream) == [DataRequestProcess.kind.stream("req-1")])
        #expect(impact.permitsByRule.map(\.key) == ["dr.operator-security"])
    }

    @Test func badRecordsAreRefusedAndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Self.toActiveAgreement(without: .riskAssessment))
        let before = try await world.log().count
        func record(_ change: (inout SecurityRecord) -> Void) -> WorkflowCommand {
            var record = Samples.security(.riskAssessment)
            change(&record)
            return .securityRecord(.recordSecurityRecord(record: record))
        }
        // An unknown party, and a party that is not an operator.
        await expectRefusal(.notFound) {
            try await world.run(.dataAdministration, record { $0.operatorParty = "op-unknown" })
        }
        do {
            try await world.run(.dataAdministration, record { $0.operatorParty = Parties.agency })
            Issue.record("a record of the agency was recorded")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.articles == ["Art. 31", "87号 §7"])
        }
        // An operator records only its own.
        await expectRefusal(.notParty) {
            try await world.run(.operator, record { $0.operatorParty = Parties.otherOperator })
        }
        // An expiry before its date, a filing without its level, a level out of range: every problem listed.
        do {
            try await world.run(
                .operator,
                record {
                    $0.kind = .gradedProtectionFiling
                    $0.validUntil = CivilDate("2026-03-01")!
                }
            )
            Issue.record("a record ending before its date was recorded")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.issues.map(\.path) == ["$.record.validUntil", "$.record.level"])
        }
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, record { $0.level = 6 })
        }
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, record { $0.kind = .securityOfficer })
        }
        // Longer than the policy allows, dated in the future, already ended.
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, record { $0.validUntil = CivilDate("2027-03-02")! })
        }
        await expectRefusal(.invalidInput) {
            try await world.run(.operator, record { $0.date = CivilDate("2026-12-01")! })
        }
        await expectRefusal(.invalidInput) {
            try await world.run(
                .operator,
                record {
                    $0.date = CivilDate("2025-01-01")!
                    $0.validUntil = nil
                }
            )
        }
        // An empty officer name.
        do {
            try await world.run(
                .operator,
                .securityRecord(
                    .nameSecurityOfficer(officer: SecurityOfficer(operatorParty: Parties.operatorParty, name: "  "))
                )
            )
            Issue.record("an officer without a name was named")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.issues.map(\.path) == ["$.officer.name"])
        }
        #expect(try await world.log().count == before)
        // The same record, well formed, is recorded.
        #expect(try await world.run(.operator, record { _ in }).state == "valid")
    }
}
