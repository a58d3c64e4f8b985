import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 33 (不得拒绝、隐匿、瞒报): the operator's report has a due date; once it passes, the period is rated with the
/// report recorded as not provided, so an operator that never reports cannot block its evaluation.
struct UnblockableEvaluationTests {
    private func open(_ period: EvaluationID, in world: World) async throws -> ScheduledDeadline {
        try await world.run(.implementingAgency, .evaluation(.openEvaluation(agreement: "agr-1", period: period)))
        return try #require(try await world.engine.instance(EvaluationProcess.self, "agr-1").openDeadlines[.report])
    }

    private func rating(_ outcome: CommandOutcome) throws -> EvaluationProcess.Rated? {
        for event in outcome.events {
            switch try EventEnvelope<EvaluationProcess>(decoding: event).event {
            case .rated(let rated), .exitOrdered(let rated): return rated
            default: continue
            }
        }
        return nil
    }

    @Test func theReportIsDueAfterTheParameterOfWorkingDays() async throws {
        for days in [20, 5] {
            let world = World { $0.operatorReportWorkingDays = days }
            try await world.run(Scripts.toActiveAgreement)
            let due = try await open("ev-1", in: world)
            let opened = world.calendar.civilDate(of: world.clock.now())
            #expect(due.dueDay == world.calendar.addingWorkingDays(days, to: opened))
        }
        #expect(PolicyParameters.beijing.operatorReportWorkingDays == 20)
        #expect(Policy.beijingDefault.parameters.operatorReportWorkingDays == 20)
    }

    @Test func beforeTheDueDateTheAgencyCannotRateWithoutTheReport() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        _ = try await open("ev-1", in: world)
        await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .evaluation(.rateOperator(agreement: "agr-1", rating: .poor)))
        }
    }

    @Test func afterTheDueDateThePeriodIsRatedWithTheReportNotProvided() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let due = try await open("ev-1", in: world)
        world.clock.set(due.dueAt.addingTimeInterval(1))
        let fired = try await world.engine.advance()
        let overdue = try #require(fired.first { $0.event.type == "evaluation.reportOverdue" })
        let told = Set(NotificationDispatcher.notifications(in: overdue.event).map(\.recipient))
        #expect(told == [Parties.operatorParty, Parties.agency, Parties.administration])
        #expect(try await world.state(EvaluationProcess.self, "agr-1") == .reportOverdue)

        let rated = try await world.run(
            .implementingAgency,
            .evaluation(.rateOperator(agreement: "agr-1", rating: .poor))
        )
        #expect(rated.state == "rated")
        #expect(try rating(rated)?.operatorReport == .notProvided)
        let recipients = Set(rated.events.flatMap(NotificationDispatcher.notifications(in:)).map(\.recipient))
        #expect(recipients.contains(Parties.administration))
    }

    @Test func aReportedPeriodRecordsTheReportAsProvided() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        _ = try await open("ev-1", in: world)
        try await world.run(.operator, .evaluation(.submitOperatorReport(agreement: "agr-1", report: "annual")))
        #expect(try await world.engine.instance(EvaluationProcess.self, "agr-1").openDeadlines.isEmpty)
        let rated = try await world.run(
            .implementingAgency,
            .evaluation(.rateOperator(agreement: "agr-1", rating: .good))
        )
        #expect(try rating(rated)?.operatorReport == .provided)
    }

    @Test func anOperatorThatNeverReportsStillReachesTheExit() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        for period in ["ev-1", "ev-2"] {
            let due = try await open(EvaluationID(period), in: world)
            world.clock.set(due.dueAt.addingTimeInterval(1))
            try await world.engine.advance()
            try await world.run(.implementingAgency, .evaluation(.rateOperator(agreement: "agr-1", rating: .poor)))
        }
        #expect(try await world.state(EvaluationProcess.self, "agr-1") == .exited)
        #expect(try await world.state(AgreementProcess.self, "agr-1") == .terminated)
    }
}
