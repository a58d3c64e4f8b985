import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 31 (及时整改检查中发现的问题), 87号 §7: an inspection's findings are rectified within a deadline in
/// working days; an overdue rectification is told once and reaches the operator's evaluation.
struct InspectionTests {
    static let opened: [Step] =
        Scripts.toActiveAgreement + [
            .by(.dataAdministration, .inspection(.openInspection(inspection: Samples.inspection)))
        ]

    static func issue(days: Int = 5) -> WorkflowCommand {
        .inspection(.issueFindings(inspection: "ins-1", findings: Samples.findings, rectificationWorkingDays: days))
    }

    static func recipients(_ event: RecordedEvent) -> [PartyID: Role] {
        var result: [PartyID: Role] = [:]
        for message in NotificationDispatcher.notifications(in: event) {
            result[message.recipient] = message.recipientRole
        }
        return result
    }

    @Test func anOverdueRectificationIsToldOnceAndReachesTheEvaluation() async throws {
        let world = World()
        try await world.run(Self.opened)
        let issued = try await world.run(.dataAdministration, Self.issue())
        #expect(issued.state == "rectifying")
        // Five working days from the day the findings were issued.
        let today = world.calendar.civilDate(of: world.clock.now())
        let deadline = try #require(
            try await world.engine.instance(InspectionProcess.self, "ins-1").openDeadlines[.rectification]
        )
        #expect(deadline.dueDay == world.calendar.addingWorkingDays(5, to: today))

        world.clock.advance(byDays: 10)
        try await world.engine.advance()
        world.clock.advance(byDays: 10)
        try await world.engine.advance()
        let overdue = try await world.log().filter { $0.type == "inspection.rectificationOverdue" }
        #expect(overdue.count == 1)
        let told = Self.recipients(try #require(overdue.first))
        #expect(told[Parties.operatorParty] == .operator)
        #expect(told[Parties.agency] == .implementingAgency)
        #expect(told[Parties.administration] == .dataAdministration)

        try await world.run(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-2026")))
        try await world.run(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "annual")))
        let rated = try await world.run(
            .dataAdministration,
            .evaluation(.rateOperator(agreement: "agr-1", rating: .pass))
        )
        let payload = try rated.events[0].decodePayload(EvaluationProcess.Rated.self)
        let status = try #require(payload.inspections?.first)
        #expect(status.inspection == "ins-1")
        #expect(status.state == "overdue")
        #expect(status.findings == 2)
        #expect(status.highestSeverity == .high)
        #expect(status.overdueCount == 1)

        // The operator still rectifies after the deadline; the data administration closes the inspection.
        try await world.run(.operator, .inspection(.reportRectification(inspection: "ins-1", report: "logging on")))
        let closed = try await world.run(
            .dataAdministration,
            .inspection(.reviewRectification(inspection: "ins-1", accepted: true, note: "verified"))
        )
        #expect(closed.state == "closed")
    }

    @Test func aReturnedRectificationGetsANewDeadlineOfTheSameLength() async throws {
        let world = World()
        try await world.run(Self.opened + [.by(.dataAdministration, Self.issue(days: 3))])
        try await world.run(.operator, .inspection(.reportRectification(inspection: "ins-1", report: "patched")))
        #expect(try await world.engine.instance(InspectionProcess.self, "ins-1").openDeadlines.isEmpty)
        let returned = try await world.run(
            .dataAdministration,
            .inspection(.reviewRectification(inspection: "ins-1", accepted: false, note: "F2 remains"))
        )
        #expect(returned.state == "rectifying")
        let deadline = try #require(
            try await world.engine.instance(InspectionProcess.self, "ins-1").openDeadlines[.rectification]
        )
        // Three working days again, counted from the day it was returned.
        #expect(
            deadline.dueDay == world.calendar.addingWorkingDays(3, to: world.calendar.civilDate(of: world.clock.now()))
        )
    }

    @Test func anInspectionWithoutFindingsClosesAndDoesNotReachTheEvaluation() async throws {
        let world = World()
        try await world.run(Self.opened)
        let closed = try await world.run(
            .dataAdministration,
            .inspection(.issueFindings(inspection: "ins-1", findings: [], rectificationWorkingDays: 0))
        )
        #expect(closed.state == "closed")
        try await world.run(.dataAdministration, .evaluation(.openEvaluation(agreement: "agr-1", period: "ev-2026")))
        try await world.run(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "annual")))
        let rated = try await world.run(
            .dataAdministration,
            .evaluation(.rateOperator(agreement: "agr-1", rating: .good))
        )
        #expect(try rated.events[0].decodePayload(EvaluationProcess.Rated.self).inspections == nil)
    }

    @Test func anInspectionOfAPartyThatIsNotTheOperatorIsRefusedAndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let log = try await world.log()
        var inspection = Samples.inspection
        inspection.operatorParty = Parties.otherOperator
        do {
            try await world.run(.dataAdministration, .inspection(.openInspection(inspection: inspection)))
            Issue.record("an inspection of another operator was opened")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.articles == ["Art. 31"])
        }
        inspection = Samples.inspection
        inspection.agreement = "agr-unknown"
        await expectRefusal(.notFound) {
            try await world.run(.dataAdministration, .inspection(.openInspection(inspection: inspection)))
        }
        try await world.run(.dataAdministration, .inspection(.openInspection(inspection: Samples.inspection)))
        let opened = try await world.log()
        // A deadline outside 1–90 working days and a finding listed twice are refused with every problem.
        do {
            try await world.run(
                .dataAdministration,
                .inspection(
                    .issueFindings(
                        inspection: "ins-1",
                        findings: [Samples.findings[0], Samples.findings[0]],
                        rectificationWorkingDays: 0
                    )
                )
            )
            Issue.record("bad findings were recorded")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidInput)
            #expect(error.issues.map(\.path) == ["$.findings[1].id", "$.rectificationWorkingDays"])
        }
        // Another operator does not report the rectification.
        try await world.run(.dataAdministration, Self.issue())
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .inspection(.reportRectification(inspection: "ins-1", report: "x")),
                by: Parties.actor(.operator).with(party: Parties.otherOperator)
            )
        }
        #expect(try await world.log().count == opened.count + 1)
        #expect(log.count < opened.count)
    }
}

extension Principal {
    fileprivate func with(party: PartyID) -> Principal { Principal(party: party, role: role, person: person) }
}
