#if PostgreSQL
import Foundation
import PublicDataAudit
import PublicDataModel
@testable import PublicDataPostgres
import PublicDataTesting
import Testing

private let raceKey = "PUBLICDATA_PG_LEDGER_RACE"
private let raceRounds = 10
private let raceSigner = TestCheckpointSigner(name: "race-ledger-key", key: Array("race".utf8))
private let raceLedger = LedgerConfiguration(name: "race.ledger", pageSize: 4)

/// Issue 16, item 1 on PostgreSQL: audit ledgers racing over one schema — in tasks with their own connection
/// pools, and in separate processes — never record two checkpoints at one stream version nor a smaller
/// checkpoint after a larger one, and every checkpoint extends the one before.
@Suite(
    "Audit ledgers racing on PostgreSQL",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct PostgresLedgerRaceTests {
    static func round(_ store: PostgresEventStore, _ ledger: Ledger, worker: String, number: Int) async throws -> Bool {
        let event = ProposedEvent(
            id: EventID("\(worker)-\(number)"),
            type: "test.happened",
            occurredAt: Date(millisecondsSince1970: 1_780_000_000_000 + Int64(number)),
            actor: nil,
            payload: Data("{\"worker\":\"\(worker)\",\"n\":\(number)}".utf8)
        )
        _ = try await store.append([event], to: StreamID("race-\(worker)"), expectedVersion: .any)
        do {
            try await ledger.catchUp()
            _ = try await ledger.signCheckpoint(with: [raceSigner])
            return true
        } catch {
            // Typed `throws(AuditError)`: no `as` pattern (one crashes the 6.3.1 frontend here).
            if error.code == .conflict { return false }
            throw error
        }
    }

    /// The recorded checkpoints never shrink, the ledger's stream has no gap, and a fresh instance rebuilds a
    /// tree that reproduces every recorded root.
    static func expectOneHistory(_ store: PostgresEventStore) async throws -> Int {
        let stream = try await store.readStream(raceLedger.streamID, pageSize: 500)
        let versions: [Int64] = stream.map(\.streamVersion)
        let expected: [Int64] = Array(1...Int64(stream.count))
        #expect(versions == expected)
        let checkpoints: [SignedCheckpoint] = stream.compactMap { Ledger.recordedCheckpoint(in: $0) }
        let sizes: [Int] = checkpoints.map(\.checkpoint.size)
        #expect(sizes == sizes.sorted(), "a smaller checkpoint was recorded after a larger one: \(sizes)")
        let audit = try await Ledger.open(store: store, configuration: raceLedger)
        let problem = await audit.integrityProblem
        #expect(problem == nil)
        try await audit.catchUp()
        for checkpoint in checkpoints {
            let root = try await audit.rootHash(atSize: checkpoint.checkpoint.size)
            #expect(root == checkpoint.checkpoint.rootHash)
        }
        return checkpoints.count
    }

    @Test("Ledgers with their own connection pools race in tasks and record one history")
    func instancesRacingInTasks() async throws {
        let target = try await TestDatabase.connectionString()
        let schema = TestDatabase.freshSchema("ledger")
        let store = try await TestDatabase.makeStore(schema: schema, connectionString: target)
        _ = try await Ledger.open(store: store, configuration: raceLedger)
        let signed = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    let own = try await TestDatabase.makeStore(schema: schema, connectionString: target)
                    let ledger = try await Ledger.open(store: own, configuration: raceLedger)
                    var signed = 0
                    for number in 0..<raceRounds {
                        if try await Self.round(own, ledger, worker: "t\(worker)", number: number) { signed += 1 }
                    }
                    return signed
                }
            }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        #expect(signed > 0)
        let recorded = try await Self.expectOneHistory(store)
        #expect(recorded == signed)
    }

    /// Runs only inside the child processes started by `instancesInSeparateProcesses`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[raceKey] != nil))
    func postgresLedgerRaceChild() async throws {
        let setting = try #require(ProcessInfo.processInfo.environment[raceKey])
        let parts = setting.components(separatedBy: "\u{1F}")
        try #require(parts.count == 2)
        var configuration = PostgresConfiguration(parts[0], schema: parts[1])
        configuration.maximumConnections = 2
        let store = try await PostgresEventStore(configuration: configuration)
        let ledger = try await Ledger.open(store: store, configuration: raceLedger)
        let me = ProcessInfo.processInfo.processIdentifier
        for number in 0..<raceRounds {
            _ = try await Self.round(store, ledger, worker: "p\(me)", number: number)
        }
    }

    @Test(
        "Ledgers in separate processes race and record one history",
        .enabled(if: ProcessInfo.processInfo.environment[raceKey] == nil)
    )
    func instancesInSeparateProcesses() async throws {
        let target = try await TestDatabase.connectionString()
        let schema = TestDatabase.freshSchema("ledgerp")
        let store = try await TestDatabase.makeStore(schema: schema, connectionString: target)
        _ = try await Ledger.open(store: store, configuration: raceLedger)  // schema and ledger before the children
        var children: [Process] = []
        var logs: [URL] = []
        for index in 0..<3 {
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-race-\(UUID())-\(index)")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            logs.append(log)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "postgresLedgerRaceChild"]
            var environment = ProcessInfo.processInfo.environment
            environment[raceKey] = target + "\u{1F}" + schema
            child.environment = environment
            child.standardOutput = try FileHandle(forWritingTo: log)
            child.standardError = child.standardOutput
            try child.run()
            children.append(child)
        }
        for (child, log) in zip(children, logs) {
            child.waitUntilExit()
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(child.terminationStatus == 0, "child failed: \(output.suffix(1500))")
            try? FileManager.default.removeItem(at: log)
        }
        let all = try await store.readAll(after: 0, pageSize: 1000)
        let happened = all.filter { $0.type == "test.happened" }.count
        #expect(happened == 3 * raceRounds)
        let recorded = try await Self.expectOneHistory(store)
        #expect(recorded > 0)
    }
}
#endif
