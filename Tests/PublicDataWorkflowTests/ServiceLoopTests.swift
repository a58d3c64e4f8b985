import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

@Suite("Service loop and event sequence")
struct ServiceLoopTests {
    static func application(_ store: InMemoryEventStore, _ sink: RecordingNotificationSink) -> PublicDataApplication {
        PublicDataApplication(
            store: store,
            sink: sink,
            clock: TestClock(now: testInstant("2026-03-02T01:00:00Z")),
            calendar: FixedWorkingDayCalendar(),
            policy: .beijingDefault,
            authorities: Parties.directory
        )
    }

    @Test func runDeliversInTheBackgroundAndStopsWhenCancelled() async throws {
        let store = InMemoryEventStore()
        let sink = RecordingNotificationSink()
        let app = Self.application(store, sink)
        let service = Task { await app.run(pollInterval: .milliseconds(20)) }
        // Without the registration, whose public notice needs the clock to move.
        for step in Scripts.toActiveAgreement.dropLast(Scripts.registration.count) {
            guard case .run(let command, let actor) = step else { continue }
            try await app.execute(command, by: actor)
        }
        // The loop delivers every recorded notification without being called.
        let owed = try await store.readAll(after: 0, pageSize: 1000)
            .reduce(0) { $0 + NotificationDispatcher.notifications(in: $1).count }
        #expect(owed > 0)
        var waited = 0
        while waited < 250, sink.notifications.count < owed {
            try await Task.sleep(for: .milliseconds(20))
            waited += 1
        }
        #expect(sink.notifications.count == owed)
        service.cancel()
        await service.value
        let delivered = sink.notifications.count
        try await app.execute(
            .catalog(.publishCatalogEntry(entry: Samples.feedbackEntry)),
            by: Parties.actor(.industryDepartment)
        )
        try await Task.sleep(for: .milliseconds(100))
        #expect(sink.notifications.count == delivered, "a cancelled loop kept working")
    }

    @Test func eventsAfterAPositionFollowTheLog() async throws {
        let store = InMemoryEventStore()
        let app = Self.application(store, RecordingNotificationSink())
        try await app.execute(
            .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
            by: Parties.actor(.industryDepartment)
        )
        let follower = Task {
            var seen: [Int64] = []
            for try await event in app.events(after: 0, pollInterval: .milliseconds(10)) {
                seen.append(event.globalPosition)
                if seen.count == 3 { break }
            }
            return seen
        }
        try await app.execute(
            .catalog(.publishCatalogEntry(entry: Samples.conditionalEntry)),
            by: Parties.actor(.industryDepartment)
        )
        try await app.execute(
            .catalog(.publishCatalogEntry(entry: Samples.closedEntry)),
            by: Parties.actor(.industryDepartment)
        )
        #expect(try await follower.value == [1, 2, 3])
    }
}

@Suite("Observer: outbox and ledger")
struct OutboxObserverTests {
    struct FailingOnce: NotificationSink {
        let failed = RecordingNotificationSink()
        func deliver(_ notification: NotificationMessage) async throws {
            if failed.deliveryAttempts == 0 {
                try await failed.deliver(notification)
                throw CancellationError()
            }
        }
    }

    @Test func deliveriesFailuresAndLedgerGrowthReachTheObserver() async throws {
        let observer = RecordingObserver()
        let app = PublicDataApplication(
            configuration: PublicDataConfiguration(
                store: InMemoryEventStore(),
                sink: FailingOnce(),
                clock: TestClock(now: testInstant("2026-03-02T01:00:00Z")),
                calendar: FixedWorkingDayCalendar(),
                authorities: Parties.directory,
                retry: RetryPolicy(maximumAttempts: 3, initialDelay: .zero, maximumDelay: .zero),
                observer: observer
            )
        )
        for step in Scripts.setup {
            guard case .run(let command, let actor) = step else { continue }
            try await app.execute(command, by: actor)
        }
        try await app.tick()
        let events = observer.events
        #expect(events.contains { if case .notificationFailed(_, _, 1, false, _) = $0 { true } else { false } })
        #expect(events.contains { if case .notificationDelivered = $0 { true } else { false } })
        #expect(events.contains { if case .ledgerExtended(let appended, _) = $0 { appended > 0 } else { false } })
    }
}
