import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@Suite struct MoneyTests {
    @Test(
        arguments: [
            ("0", 0), ("12", 1200), ("12.5", 1250), ("12.05", 1205), ("-0.01", -1), ("92233720368547758.07", Int64.max),
        ] as [(String, Int64)]
    )
    func parsesYuan(text: String, fen: Int64) throws {
        #expect(try Money(yuan: text).fen == fen)
    }

    @Test(arguments: ["", "abc", "1.234", "1,000", "1.", ".5", "--1", "1e3", "１２", "92233720368547758.08"])
    func rejectsInvalidAmounts(text: String) {
        let error = #expect(throws: MoneyError.self) { try Money(yuan: text) }
        #expect(error?.code == .invalidAmount || error?.code == .overflow)
    }

    @Test func arithmeticIsCheckedNotWrapped() throws {
        let max = Money(fen: .max)
        #expect(throws: MoneyError(.overflow, "\(max) + \(Money(fen: 1))")) { try max.adding(Money(fen: 1)) }
        #expect(try Money(fen: 1250).multiplied(by: 3) == Money(fen: 3750))
        #expect(throws: MoneyError.self) { try max.multiplied(by: 2) }
        #expect(throws: MoneyError.self) { try Money(fen: .min).negated() }
        #expect(try Money.sum([Money(fen: 1), Money(fen: 2), Money(fen: 3)]) == Money(fen: 6))
    }

    @Test func formatsAndEncodesExactly() throws {
        #expect(Money(fen: -1205).description == "¥-12.05")
        #expect(Money(fen: 7).yuanString == "0.07")
        let json = String(decoding: try PublicDataJSON.encode(Money(fen: 1250)), as: UTF8.self)
        #expect(json == #"{"currency":"CNY","fen":1250}"#)
        let error = #expect(throws: ModelDecodingError.self) {
            try PublicDataJSON.decode(Money.self, from: Data(#"{"currency":"USD","fen":1}"#.utf8))
        }
        #expect(error?.path == "$.currency")
    }
}

@Suite struct CivilDateTests {
    @Test(
        arguments: [
            ("1970-01-01", 0, 4), ("2026-01-05", 20_458, 1), ("2000-02-29", 11_016, 2), ("1969-12-31", -1, 3),
        ] as [(String, Int, Int)]
    )
    func convertsToDaysAndWeekdays(text: String, days: Int, weekday: Int) throws {
        let date = try #require(CivilDate(text))
        #expect(date.daysSinceEpoch == days)
        #expect(CivilDate(daysSinceEpoch: days) == date)
        #expect(date.isoWeekday == weekday)
        #expect(date.description == text)
    }

    @Test(arguments: ["2026-02-29", "2026-13-01", "2026-1-01", "20260101", "", "2026-04-31"])
    func rejectsImpossibleDates(text: String) {
        #expect(CivilDate(text) == nil)
    }

    @Test func roundTripsEveryDayOfFourHundredYears() {
        for days in stride(from: -200_000, to: 200_000, by: 1) {
            let date = CivilDate(daysSinceEpoch: days)
            if date.daysSinceEpoch != days {
                Issue.record("day \(days) became \(date)")
                return
            }
        }
    }
}

@Suite struct WorkingDayCalendarTests {
    let calendar = StandardWorkingDayCalendar(
        holidays: Set(
            ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"].compactMap(CivilDate.init)
        ),
        makeUpWorkingDays: Set(["2026-10-10"].compactMap(CivilDate.init))
    )

    @Test(
        arguments: [
            // (start, working days, expected deadline)
            ("2026-01-09", 5, "2026-01-16"),  // Friday + 5 → next Friday
            ("2026-01-05", 0, "2026-01-05"),
            ("2026-01-05", 1, "2026-01-06"),
            ("2026-01-10", 1, "2026-01-12"),  // Saturday → Monday
            ("2026-09-30", 1, "2026-10-08"),  // National Day holidays skipped
            ("2026-09-30", 2, "2026-10-09"),
            ("2026-09-30", 3, "2026-10-10"),  // a Saturday make-up working day counts
            ("2026-09-30", 4, "2026-10-12"),
        ] as [(String, Int, String)]
    )
    func addsWorkingDays(start: String, count: Int, expected: String) throws {
        let day = try #require(CivilDate(start))
        #expect(calendar.addingWorkingDays(count, to: day).description == expected)
    }

    @Test func countsWorkingDaysAndMapsInstantsInChinaTime() throws {
        let from = try #require(CivilDate("2026-09-30"))
        let to = try #require(CivilDate("2026-10-12"))
        #expect(calendar.workingDays(after: from, through: to) == 4)
        // 2026-01-04T17:00:00Z is 01:00 on 2026-01-05 in Beijing.
        #expect(calendar.civilDate(of: testInstant("2026-01-04T17:00:00Z")).description == "2026-01-05")
        #expect(calendar.startOfDay(try #require(CivilDate("2026-01-05"))) == testInstant("2026-01-04T16:00:00Z"))
    }

    @Test func testClockAdvancesOnlyWhenTold() {
        let clock = TestClock(now: testInstant("2026-01-05T09:00:00Z"))
        #expect(clock.now() == testInstant("2026-01-05T09:00:00Z"))
        clock.advance(byDays: 2)
        #expect(clock.now() == testInstant("2026-01-07T09:00:00Z"))
    }
}

@Suite struct ImplementationPlanTests {
    @Test func anEmptyPlanListsEveryMissingElement() {
        let plan = ImplementationPlan(id: "plan-1", implementingAgency: "agency")
        let paths = plan.validationIssues().map(\.path)
        #expect(paths == ImplementationPlan.elementKeys.map { "$.\($0)" })
        #expect(throws: ValidationError.self) { try plan.validate() }
    }

    @Test func aCompletePlanValidates() throws {
        try completePlan().validate()
    }

    @Test func invalidElementsAreAllReported() {
        var plan = completePlan()
        plan.termMonths = 0
        plan.dataScope = ["fin-1", "fin-1"]
        plan.revenueDistribution = "   "
        plan.plannedProducts = [PlannedProduct(name: "", kind: .model)]
        let paths = Set(plan.validationIssues().map(\.path))
        #expect(paths == ["$.termMonths", "$.dataScope[1]", "$.revenueDistribution", "$.plannedProducts[0].name"])
    }

    @Test func decodingErrorsNameTheCodingPath() {
        let json = #"{"id":"plan-1","implementingAgency":"agency","dataScope":["a", 7]}"#
        let error = #expect(throws: ModelDecodingError.self) {
            try PublicDataJSON.decode(ImplementationPlan.self, from: Data(json.utf8))
        }
        #expect(error?.path == "$.dataScope[1]")
        let missing = #expect(throws: ModelDecodingError.self) {
            try PublicDataJSON.decode(AgreementTerms.self, from: Data(#"{"id":"a"}"#.utf8))
        }
        #expect(missing?.path.hasPrefix("$.") == true)
        let badDate = #expect(throws: ModelDecodingError.self) {
            try PublicDataJSON.decode([CivilDate].self, from: Data(#"["2026-01-01","2026-02-30"]"#.utf8))
        }
        #expect(badDate?.path == "$[1]")
    }

    func completePlan() -> ImplementationPlan {
        ImplementationPlan(
            id: "plan-1",
            implementingAgency: "agency",
            name: "Finance zone",
            necessityAndFeasibility: "Credit for small firms",
            operatorSelectionCriteria: "Open tender",
            authorizationMode: .byDomain,
            dataScope: ["fin-1", "fin-2"],
            termMonths: 36,
            plannedProducts: [PlannedProduct(name: "Credit model", kind: .model)],
            costAndRevenueAccounting: "Separate accounts",
            revenueDistribution: "By contribution",
            securityAndEmergencyMeasures: "Privacy computing",
            rightsAndObligations: "Per agreement",
            supervisionAndEvaluation: "Yearly evaluation"
        )
    }
}

@Suite struct JSONStyleTests {
    @Test func instantsAreUTCWithMilliseconds() throws {
        let date = testInstant("2026-03-31T16:00:00.123Z")
        #expect(PublicDataJSON.formatInstant(date) == "2026-03-31T16:00:00.123Z")
        #expect(PublicDataJSON.parseInstant("2026-04-01T00:00:00.123+08:00") == date)
        #expect(PublicDataJSON.parseInstant("2026-04-01 00:00:00Z") == nil)
        let event = RecordedEvent(
            id: "e",
            streamID: "s",
            streamVersion: 1,
            globalPosition: 1,
            type: "t",
            occurredAt: date,
            actor: Principal(party: "p", role: .dataSubject, person: "x"),
            payload: Data("{}".utf8),
            metadata: EventMetadata()
        )
        let decoded = try PublicDataJSON.decode(RecordedEvent.self, from: try PublicDataJSON.encode(event))
        #expect(decoded == event)
    }

    @Test func rolesAndEnumsUseStableSnakeCaseNames() throws {
        let json = String(decoding: try PublicDataJSON.encode([Role.municipalGovernment, .dataSubject]), as: UTF8.self)
        #expect(json == #"["municipal_government","data_subject"]"#)
        let error = #expect(throws: ModelDecodingError.self) {
            try PublicDataJSON.decode([Role].self, from: Data(#"["operator","king"]"#.utf8))
        }
        #expect(error?.path == "$[1]")
    }
}

@Suite struct NotificationSinkTests {
    @Test func multiplexDeliversToEverySinkAndRecordingDeduplicates() async throws {
        let first = RecordingNotificationSink()
        let second = RecordingNotificationSink()
        let sink = MultiplexNotificationSink([first, NoOpNotificationSink(), second])
        let note = NotificationMessage(
            id: "evt-1/agency",
            recipient: "agency",
            recipientRole: .implementingAgency,
            kind: "objection.answerDue",
            subject: "Answer the objection",
            sourceEvent: "evt-1",
            sourcePosition: 1,
            due: CivilDate("2026-01-16")
        )
        try await sink.deliver(note)
        try await sink.deliver(note)
        #expect(first.notifications == [note])
        #expect(second.notifications == [note])
        #expect(first.deliveryAttempts == 2)
    }
}
