import Foundation
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

/// Two engine instances on one store race on the same commands from many tasks.
struct ConcurrencyTests {
    enum Backend: String, CaseIterable, Sendable {
        case memory
        case sqlite

        func makeStore() throws -> (any EventStore, URL?) {
            switch self {
            case .memory:
                return (InMemoryEventStore(), nil)
            case .sqlite:
                let url = FileManager.default.temporaryDirectory
                    .appendingPathComponent("workflow-race-\(UUID().uuidString).sqlite")
                return (try SQLiteEventStore(path: url.path), url)
            }
        }
    }

    /// Opens a second connection on the same SQLite file (or shares the in-memory store).
    func secondStore(_ backend: Backend, _ store: any EventStore, _ url: URL?) throws -> any EventStore {
        guard backend == .sqlite, let url else { return store }
        return try SQLiteEventStore(path: url.path)
    }

    func cleanUp(_ url: URL?) {
        guard let url else { return }
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: url.path + suffix)
        }
    }

    @Test(arguments: Backend.allCases)
    func exactlyOneInstanceWinsEachTransition(_ backend: Backend) async throws {
        let (store, url) = try backend.makeStore()
        defer { cleanUp(url) }
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let world = World(store: store, clock: clock)
        try await world.run(Scripts.toActiveAgreement)
        let engines = [world.engine, World.engine(on: try secondStore(backend, store, url), clock: clock)]

        // Twenty data requests, each evaluated by 8 racing tasks on two engines: one evaluation each. A racer that
        // decided on the same version as the winner gets the winner's outcome, marked deduplicated; a racer that
        // came after it is refused (the request is no longer submitted).
        for index in 0..<20 {
            try await world.run(
                .operator,
                .dataRequest(.submitDataRequest(request: Samples.request(DataRequestID("race-\(index)"), "ent-open")))
            )
        }
        let wins = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 0..<20 {
                for task in 0..<8 {
                    let engine = engines[task % 2]
                    group.addTask {
                        do {
                            let outcome = try await engine.execute(
                                .dataRequest(.evaluateDataRequest(request: DataRequestID("race-\(index)"))),
                                by: Parties.actor(.implementingAgency)
                            )
                            #expect(outcome.events.map(\.streamVersion) == [2])
                            #expect(outcome.events.map(\.type) == ["dataRequest.granted"])
                            return outcome.deduplicated ? 0 : 1
                        } catch let error as WorkflowError where error.code == .invalidState {
                            return 0
                        }
                    }
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(wins == 20)
        let log = try await store.readAll(after: 0, pageSize: 1000)
        #expect(log.filter { $0.type == "dataRequest.granted" }.count == 20)
        #expect(Set(log.map(\.id)).count == log.count)
        for index in 0..<20 {
            let versions = log.filter { $0.streamID == ProcessKind.dataRequest.stream("race-\(index)") }
                .map(\.streamVersion)
            #expect(versions == [1, 2])
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentCommandsOnOneStreamAreAllDecidedOnFreshState(_ backend: Backend) async throws {
        let (store, url) = try backend.makeStore()
        defer { cleanUp(url) }
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let world = World(store: store, clock: clock)
        try await world.run(Array(Scripts.lifecycle.prefix(Scripts.toPublishedProduct.count + 4)))
        let engines = [world.engine, World.engine(on: try secondStore(backend, store, url), clock: clock)]
        // 40 distinct usage records and 40 retries of them, all on the settlement stream, from 16 tasks.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                let engine = engines[task % 2]
                group.addTask {
                    for index in stride(from: task % 8, to: 40, by: 8) {
                        try await engine.execute(
                            .settlement(
                                .recordUsage(agreement: "agr-1", usage: Samples.usage("key-\(index)", quantity: 1))
                            ),
                            by: Parties.actor(.operator)
                        )
                    }
                }
            }
            try await group.waitForAll()
        }
        let settlement = try await store.readStream(ProcessKind.settlement.stream("agr-1"), pageSize: 100)
        #expect(settlement.count == 40)
        #expect(settlement.map(\.streamVersion) == Array(1...40))
        let instance = try await World.engine(on: store, clock: clock).instance(SettlementProcess.self, "agr-1")
        #expect(instance.facts.usageCount == 40)
        #expect(instance.facts.tallies["sub-1"]?.sum == 40)
    }

    @Test(arguments: Backend.allCases)
    func deadlinesFireOnceWithSeveralInstances(_ backend: Backend) async throws {
        let (store, url) = try backend.makeStore()
        defer { cleanUp(url) }
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let world = World(store: store, clock: clock)
        try await world.run(Array(Scripts.setup.prefix(1)))
        for index in 0..<10 {
            let objection = ObjectionSpec(
                id: ObjectionID("obj-\(index)"),
                entry: "ent-open",
                provider: Parties.provider,
                description: "stale"
            )
            try await world.run(.operator, .objection(.raiseObjection(objection: objection)))
            try await world.run(.dataAdministration, .objection(.acceptObjection(objection: objection.id)))
        }
        clock.advance(byDays: 10)
        let second = try secondStore(backend, store, url)
        let engines = (0..<4).map { World.engine(on: $0 == 0 ? store : second, clock: clock) }
        let fired = try await withThrowingTaskGroup(of: Int.self) { group in
            for engine in engines {
                group.addTask { try await engine.advance().count }
            }
            return try await group.reduce(0, +)
        }
        #expect(fired == 10)
        let log = try await store.readAll(after: 0, pageSize: 1000)
        #expect(log.filter { $0.type == "objection.escalated" }.count == 10)
        for engine in engines { #expect(try await engine.advance().isEmpty) }
    }

    @Test(arguments: Backend.allCases)
    func theExitProcedureRunsOnceWhenInstancesRace(_ backend: Backend) async throws {
        let (store, url) = try backend.makeStore()
        defer { cleanUp(url) }
        let clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
        let world = World(store: store, clock: clock)
        try await world.run(Scripts.toPublishedProduct)
        clock.set(testInstant("2029-03-01T01:00:00Z"))
        let second = try secondStore(backend, store, url)
        let engines = (0..<4).map { World.engine(on: $0 % 2 == 0 ? store : second, clock: clock) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for engine in engines { group.addTask { _ = try await engine.advance() } }
            try await group.waitForAll()
        }
        let log = try await store.readAll(after: 0, pageSize: 1000)
        for type in [
            "agreement.expired", "agreement.exitCompleted", "product.withdrawnOnExit", "settlement.settledOnExit",
        ] {
            #expect(log.filter { $0.type == type }.count == 1, "\(type)")
        }
        #expect(log.filter { $0.type == "dataRequest.revokedOnExit" }.count == 2)
    }
}
