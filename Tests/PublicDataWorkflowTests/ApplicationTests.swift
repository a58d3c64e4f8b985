import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

struct ApplicationTests {
    @Test func anApplicationRunsTheLifecycleAndAuditsIt() async throws {
        let store = InMemoryEventStore()
        let sink = RecordingNotificationSink()
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let app = PublicDataApplication(
            store: store,
            sink: sink,
            clock: clock,
            calendar: FixedWorkingDayCalendar(),
            policy: .beijingDefault,
            hasher: SM3Hasher(),
            authorities: Parties.directory
        )
        for step in Scripts.toPublishedProduct {
            switch step {
            case .run(let command, let actor): try await app.execute(command, by: actor)
            case .advanceDays(let days):
                clock.advance(byDays: days)
                _ = try await app.advanceDeadlines()
            }
        }
        let report = try await app.tick()
        #expect(report.firedDeadlines.isEmpty)
        #expect(report.notifications.delivered == sink.notifications.count)
        #expect(Int64(report.ledgeredEvents) == (await store.headPosition()))
        let ledger = try await app.ledger()
        #expect(ledger.origin.hasSuffix("/sm3"))
        #expect(try await ledger.verifyStore().isOK)

        // Traceability: the product leads back to its entries, agreement, plan and policy decisions.
        let provenance = try await app.traceIndex().provenance(ofProduct: "prod-1")
        #expect(provenance.agreements == ["agr-1"])
        #expect(provenance.catalogEntries.contains("ent-open"))
        #expect(provenance.plans == ["plan-fin"])
        #expect(!provenance.policyDecisions.isEmpty)
    }

    @Test func twoApplicationsShareNothing() async throws {
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let first = PublicDataApplication(
            configuration: PublicDataConfiguration(store: InMemoryEventStore(), clock: clock)
        )
        let second = PublicDataApplication(
            configuration: PublicDataConfiguration(store: InMemoryEventStore(), clock: clock)
        )
        try await first.execute(
            .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
            by: Parties.actor(.industryDepartment)
        )
        #expect(try await first.instance(CatalogProcess.self, "ent-open").state == .published)
        #expect(try await second.instance(CatalogProcess.self, "ent-open").exists == false)
    }

    @Test func aRetryWithTheSameIdempotencyKeyGetsTheFirstOutcome() async throws {
        let store = InMemoryEventStore()
        let app = PublicDataApplication(
            configuration: PublicDataConfiguration(
                store: store,
                clock: TestClock(now: testInstant("2026-03-02T01:00:00Z"))
            )
        )
        let command = WorkflowCommand.catalog(.publishCatalogEntry(entry: Samples.openEntry))
        let clerk = Parties.actor(.industryDepartment)
        let first = try await app.execute(command, by: clerk, idempotencyKey: "http-req-1")
        let retry = try await app.execute(command, by: clerk, idempotencyKey: "http-req-1")
        #expect(!first.deduplicated)
        #expect(retry.deduplicated)
        #expect(retry.events.map(\.id) == first.events.map(\.id))
        #expect(await store.headPosition() == 1)
        // Without the key the retry is a new command on a stream that moved on.
        await #expect(throws: WorkflowError.self) { try await app.execute(command, by: clerk) }
    }
}

@Suite struct DisclosureDeadlineTests {
    @Test(arguments: [(3, 31, "2027-03-31"), (4, 30, "2027-04-30"), (1, 15, "2027-01-15")] as [(Int, Int, String)])
    func theDisclosureDeadlineIsAPolicyParameter(month: Int, day: Int, expected: String) throws {
        var parameters = Policy.beijingDefault.parameters
        parameters.disclosureDeadlineMonth = month
        parameters.disclosureDeadlineDay = day
        let period = try #require(DisclosurePeriod.year(2026))
        let input = try DisclosureBuilder.input(from: [], period: period, parameters: parameters)
        #expect(try Disclosure(input).dueDate?.description == expected)
    }
}
