import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Seed 001 §6(2) (将数据应用场景、数据使用范围及方式等向专区监管部门备案，并按相关约定定期反馈数据应用情况和支撑应用场景效果) and §4(3)
/// (专区反哺数据经专区监管部门审核同意后汇聚 … 由专区监管部门会同运营单位审核同意后 … 实施共享): a filed use reports every period,
/// with a reminder and an overdue notice each told once; feedback data is shared only with both approvals.
struct UseFilingTests {
    static let filed: [Step] =
        Scripts.toActiveAgreement + [
            .by(.operator, .useFiling(.fileUse(filing: Samples.useFiling)))
        ]

    static let transport = Principal(party: "dept-transport", role: .industryDepartment, person: "zhao")

    static func report(_ period: Int) -> WorkflowCommand {
        .useFiling(.reportUseFeedback(filing: "uf-1", period: period, use: "checks run", effect: "fewer defaults"))
    }

    static func recipients(_ event: RecordedEvent) -> Set<String> {
        Set(NotificationDispatcher.notifications(in: event).map { "\($0.recipient)/\($0.recipientRole.rawValue)" })
    }

    @Test func theFeedbackReminderAndOverdueNoticeAreToldOnceEvenWithTwoEngines() async throws {
        let world = World()
        try await world.run(Self.filed)
        let filedOn = world.calendar.civilDate(of: world.clock.now())
        let filing = try await world.engine.instance(UseFilingProcess.self, "uf-1")
        #expect(filing.facts.supervisoryDepartment == Parties.department)
        #expect(filing.openDeadlines[.feedbackReminder]?.dueDay == filedOn.adding(days: 80))
        #expect(filing.openDeadlines[.feedback]?.dueDay == filedOn.adding(days: 90))
        let filedEvent = try #require(try await world.log().last)
        #expect(Self.recipients(filedEvent).contains("dept-finance/industry_department"))

        let other = World.engine(on: world.store, clock: world.clock)
        world.clock.advance(byDays: 81)
        async let first = world.engine.advance()
        async let second = other.advance()
        _ = try await (first, second)
        world.clock.advance(byDays: 10)
        async let third = world.engine.advance()
        async let fourth = other.advance()
        _ = try await (third, fourth)
        world.clock.advance(byDays: 20)
        try await world.engine.advance()
        try await other.advance()

        let log = try await world.log()
        let reminders = log.filter { $0.type == "useFiling.feedbackReminder" }
        let overdue = log.filter { $0.type == "useFiling.feedbackOverdue" }
        #expect(reminders.count == 1)
        #expect(overdue.count == 1)
        #expect(Self.recipients(try #require(reminders.first)) == ["op-1/operator"])
        #expect(
            Self.recipients(try #require(overdue.first))
                == ["op-1/operator", "dept-finance/industry_department", "agency-finance/implementing_agency"]
        )
        #expect(try await world.state(UseFilingProcess.self, "uf-1") == .overdue)

        // The operator still reports period 1 (late); period 2 then runs on the same schedule.
        let reported = try await world.run(.operator, Self.report(1))
        #expect(reported.state == "filed")
        let after = try await world.engine.instance(UseFilingProcess.self, "uf-1")
        #expect(after.facts.reports.map(\.late) == [true])
        #expect(after.facts.overduePeriods == [1])
        #expect(after.openDeadlines[.feedbackReminder]?.dueDay == filedOn.adding(days: 170))
        #expect(after.openDeadlines[.feedback]?.dueDay == filedOn.adding(days: 180))
        // Only the period due is reported.
        await expectRefusal(.invalidInput) { try await world.run(.operator, Self.report(3)) }
    }

    @Test func aPeriodIsReportedOnceItHasBegunAndTheLengthsArePolicyParameters() async throws {
        let world = World {
            $0.useFeedbackPeriodDays = 30
            $0.useFeedbackReminderDays = 0
        }
        try await world.run(Self.filed)
        let filedOn = world.calendar.civilDate(of: world.clock.now())
        let filing = try await world.engine.instance(UseFilingProcess.self, "uf-1")
        #expect(filing.openDeadlines[.feedbackReminder] == nil)
        #expect(filing.openDeadlines[.feedback]?.dueDay == filedOn.adding(days: 30))
        // Period 1 is reported early; period 2 begins only when period 1 ends.
        try await world.run(.operator, Self.report(1))
        #expect(try await world.engine.instance(UseFilingProcess.self, "uf-1").facts.reports.map(\.late) == [false])
        await expectRefusal(.invalidState) { try await world.run(.operator, Self.report(2)) }
        world.clock.advance(byDays: 31)
        try await world.engine.advance()
        try await world.run(.operator, Self.report(2))
        #expect(try await world.log().filter { $0.type == "useFiling.feedbackOverdue" }.isEmpty)
    }

    @Test func feedbackForAnUnfiledUseIsRefusedAndNothingIsRecorded() async throws {
        let world = World()
        try await world.run(Scripts.toActiveAgreement)
        let log = try await world.log()
        do {
            try await world.run(.operator, Self.report(1))
            Issue.record("feedback for an unfiled use was recorded")
        } catch let error as WorkflowError {
            #expect(error.code == .invalidState)
            #expect(error.articles == ["87号 §6"])
            #expect(error.message.contains("does not exist"))
        }
        // A filing outside the agreement's scope, or by another operator, is refused too.
        var outside = Samples.useFiling
        outside.dataScope = ["ent-open", "ent-unknown"]
        await expectRefusal(.invalidInput) { try await world.run(.operator, .useFiling(.fileUse(filing: outside))) }
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .useFiling(.fileUse(filing: Samples.useFiling)),
                by: Principal(party: Parties.otherOperator, role: .operator, person: "x")
            )
        }
        #expect(try await world.log() == log)
    }

    @Test func feedbackDataIsSharedOnlyWhenTheSupervisoryDepartmentAndTheOperatorBothApprove() async throws {
        let world = World()
        try await world.run(Self.filed + [.by(.operator, Self.report(1))])
        let request = WorkflowCommand.useFiling(
            .requestFeedbackData(filing: "uf-1", request: FeedbackDataRequest(id: "r-1", purpose: "traffic planning"))
        )
        // Nothing is aggregated before the supervisory department accepts a period's feedback.
        await expectRefusal(.invalidState) { try await world.engine.execute(request, by: Self.transport) }
        // Only the supervisory department accepts it.
        await expectRefusal(.notParty) {
            try await world.engine.execute(
                .useFiling(.acceptUseFeedback(filing: "uf-1", period: 1, note: "ok")),
                by: Self.transport
            )
        }
        try await world.run(.industryDepartment, .useFiling(.acceptUseFeedback(filing: "uf-1", period: 1, note: "ok")))
        try await world.engine.execute(request, by: Self.transport)

        func approve(_ id: String = "r-1", _ yes: Bool = true) -> WorkflowCommand {
            .useFiling(.approveFeedbackData(filing: "uf-1", request: id, approve: yes, note: "reviewed"))
        }
        // The requesting department is not the supervisory department: it does not approve its own request.
        await expectRefusal(.notParty) { try await world.engine.execute(approve(), by: Self.transport) }
        let first = try await world.run(.industryDepartment, approve())
        #expect(first.events.map(\.type) == ["useFiling.feedbackDataApproved"])
        #expect(try await world.engine.instance(UseFilingProcess.self, "uf-1").facts.requests["r-1"]?.shared == nil)
        await expectRefusal(.invalidState) { try await world.run(.industryDepartment, approve()) }
        let second = try await world.run(.operator, approve())
        #expect(second.events.map(\.type) == ["useFiling.feedbackDataShared"])
        let told = Self.recipients(try #require(second.events.first))
        #expect(told.isSuperset(of: ["dept-transport/industry_department", "dept-finance/industry_department"]))
        #expect(told.contains("op-1/operator"))
        #expect(try await world.engine.instance(UseFilingProcess.self, "uf-1").facts.requests["r-1"]?.shared == true)
        await expectRefusal(.invalidState) { try await world.run(.operator, approve()) }

        // One refusal refuses: the operator refuses a second request after the department approved it.
        try await world.engine.execute(
            .useFiling(
                .requestFeedbackData(filing: "uf-1", request: FeedbackDataRequest(id: "r-2", purpose: "statistics"))
            ),
            by: Self.transport
        )
        try await world.run(.industryDepartment, approve("r-2"))
        let refused = try await world.run(.operator, approve("r-2", false))
        #expect(refused.events.map(\.type) == ["useFiling.feedbackDataRefused"])
        #expect(try await world.engine.instance(UseFilingProcess.self, "uf-1").facts.requests["r-2"]?.shared == false)
    }

    @Test func theAgreementsExitEndsTheFilingAndItsDeadlines() async throws {
        let world = World()
        try await world.run(Self.filed)
        try await world.run(
            .implementingAgency,
            .agreement(.terminateAgreement(agreement: "agr-1", reason: "by agreement"))
        )
        let filing = try await world.engine.instance(UseFilingProcess.self, "uf-1")
        #expect(filing.state == .ended)
        #expect(filing.openDeadlines.isEmpty)
        #expect(try await world.log().filter { $0.type == "useFiling.endedOnExit" }.count == 1)
    }
}
