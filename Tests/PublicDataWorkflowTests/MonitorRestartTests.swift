import Foundation
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

/// The policy monitor resumes from the log after a crash: a fresh engine over the same SQLite file re-judges what
/// was missed and completes what was begun, once.
struct MonitorRestartTests {
    /// A SQLite store on a file whose process "dies" at a chosen append: from then on every append fails as a lost
    /// connection does (`unavailable`), and nothing more is written. Reads still answer, as they would until the
    /// process ends.
    final class DyingStore: ForwardingEventStore {
        let inner: SQLiteEventStore
        var base: any EventStore { inner }
        let diesAt: @Sendable (StreamID) -> Bool
        private let dead = LockedBox(false)

        init(path: String, diesAt: @escaping @Sendable (StreamID) -> Bool) throws {
            inner = try SQLiteEventStore(path: path)
            self.diesAt = diesAt
        }

        var hasDied: Bool { dead.withLock { $0 } }

        func append(
            _ events: [ProposedEvent],
            to stream: StreamID,
            expectedVersion: ExpectedVersion
        ) async throws -> AppendResult {
            let dies = dead.withLock { dead in
                if diesAt(stream) { dead = true }
                return dead
            }
            if dies { throw EventStoreError(code: .unavailable, message: "the process died", stream: stream) }
            return try await inner.append(events, to: stream, expectedVersion: expectedVersion)
        }
    }

    enum CrashPoint: String, CaseIterable, Sendable {
        /// After the catalog change, before the re-judgement is recorded.
        case beforeTheReassessment
        /// After the re-judgement is recorded, before its suspensions.
        case beforeTheSuspensions

        func dies(_ stream: StreamID) -> Bool {
            switch self {
            case .beforeTheReassessment: ProcessKind.of(stream) == .monitor
            case .beforeTheSuspensions: [.dataRequest, .product, .scenario].contains(ProcessKind.of(stream))
            }
        }
    }

    @Test(arguments: CrashPoint.allCases)
    func aRestartedEngineResumesTheMonitorWithoutMissingOrRepeatingAnything(_ crash: CrashPoint) async throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("monitor-\(UUID().uuidString).sqlite")
        defer {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: url.path + suffix) }
        }
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let setup = World(store: try SQLiteEventStore(path: url.path), clock: clock)
        try await setup.run(PolicyMonitorTests.activeScenario)

        // The first instance records the reclassification and dies on its way through the follow-up.
        let dying = try DyingStore(path: url.path) { crash.dies($0) }
        let first = World(store: dying, clock: clock)
        do {
            try await first.run(
                .industryDepartment,
                .catalog(.changeCatalogEntry(entry: PolicyMonitorTests.reclassifiedOpenEntry, reason: "reclassified"))
            )
        } catch {}
        #expect(dying.hasDied)
        var log = try await setup.log()
        #expect(log.contains { $0.type == "catalog.entryChanged" })
        #expect(PolicyMonitorTests.suspendedStreams(log).isEmpty)
        #expect(log.filter { $0.type == "monitor.reassessed" }.count == (crash == .beforeTheSuspensions ? 1 : 0))

        // A fresh application over the same file resumes from the log in its first round.
        let restarted = World(store: try SQLiteEventStore(path: url.path), clock: clock)
        let app = PublicDataApplication(
            configuration: PublicDataConfiguration(
                store: restarted.store,
                clock: clock,
                calendar: FixedWorkingDayCalendar(),
                authorities: Parties.directory
            )
        )
        let judged = try await app.tick().monitorReassessments
        let expected: [MonitorTrigger] =
            crash == .beforeTheReassessment ? [.catalogEntryChanged(entry: "ent-open", version: 2)] : []
        #expect(judged == expected)
        log = try await restarted.log()
        #expect(log.filter { $0.type == "monitor.reassessed" }.count == 1)
        let suspended = [PolicyMonitorTests.dataRequest, PolicyMonitorTests.product, PolicyMonitorTests.scenario]
        #expect(PolicyMonitorTests.suspendedStreams(log) == Set(suspended))
        let suspensions = log.filter {
            ["dataRequest.suspended", "product.suspendedByMonitor", "scenario.suspendedByMonitor"].contains($0.type)
        }
        #expect(suspensions.count == 3)

        // Again, and from another instance with no cursor: nothing is repeated.
        let head = try await restarted.store.headPosition()
        #expect(try await restarted.engine.resumeMonitor().isEmpty)
        #expect(try await restarted.store.loadCursor(WorkflowEngine.monitorCursor) == head)
        try await restarted.store.saveCursor(WorkflowEngine.monitorCursor, position: 0)
        let another = World(store: try SQLiteEventStore(path: url.path), clock: clock)
        #expect(try await another.engine.resumeMonitor().isEmpty)
        #expect(try await another.store.headPosition() == head)
    }
}
