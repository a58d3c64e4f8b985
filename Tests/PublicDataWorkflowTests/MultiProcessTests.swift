import Foundation
import PublicDataKit
import PublicDataPostgresTesting
import PublicDataSQLite
import PublicDataTesting
import Testing

@testable import PublicDataPostgres

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let raceKey = "PUBLICDATA_ENGINE_RACE_DIR"
/// Set (to `connection string \u{1F} schema`) when the children race on PostgreSQL instead of SQLite.
private let racePostgresKey = "PUBLICDATA_ENGINE_RACE_PG"

/// Two engine processes on one SQLite file (or one PostgreSQL schema) issue every step of the lifecycle at the
/// same moment, each with the step's idempotency key: every step has exactly one winner, and the log holds each
/// step once.
@Suite struct MultiProcessEngineTests {
    /// The store the children share: the SQLite file in the race folder, or the PostgreSQL schema.
    static func sharedStore(folder: String, postgres: String?) async throws -> any EventStore {
        guard let postgres else { return try SQLiteEventStore(path: folder + "/log.sqlite") }
        #if PostgreSQL
        let parts = postgres.components(separatedBy: "\u{1F}")
        var configuration = PostgresConfiguration(parts[0], schema: parts[1])
        configuration.maximumConnections = 2
        return try await PostgresEventStore(configuration: configuration)
        #else
        throw EventStoreError(code: .unavailable, message: "built without the PostgreSQL trait: \(postgres)")
        #endif
    }

    /// Runs only inside the child processes started by `twoEngineProcessesRaceEveryLifecycleStep`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[raceKey] != nil))
    func childRunsEveryStep() async throws {
        let folder = try #require(ProcessInfo.processInfo.environment[raceKey])
        let me = ProcessInfo.processInfo.processIdentifier
        let store = try await Self.sharedStore(
            folder: folder,
            postgres: ProcessInfo.processInfo.environment[racePostgresKey]
        )
        let world = World(store: store)
        var lines: [String] = []
        for (index, step) in Scripts.lifecycle.enumerated() {
            while !FileManager.default.fileExists(atPath: folder + "/step-\(index)") { usleep(200) }
            switch step {
            case .run(let command, let actor):
                do {
                    let outcome = try await world.engine.execute(command, by: actor, idempotencyKey: "step-\(index)")
                    lines.append("\(index) \(outcome.deduplicated ? "dedup" : "won") \(outcome.events.count)")
                } catch {
                    lines.append("\(index) error \(error.code)")
                }
            case .advanceDays(let days):
                world.clock.advance(byDays: days)
                let fired = try await world.engine.advance()
                lines.append("\(index) fired \(fired.count)")
            }
            _ = FileManager.default.createFile(atPath: folder + "/done-\(index)-\(me)", contents: nil)
        }
        try lines.joined(separator: "\n").write(toFile: folder + "/result-\(me)", atomically: true, encoding: .utf8)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[raceKey] == nil), .timeLimit(.minutes(3)))
    func twoEngineProcessesRaceEveryLifecycleStep() async throws {
        try await race(postgres: nil)
    }

    #if PostgreSQL
    /// The same race on one PostgreSQL schema (the throwaway cluster of PublicDataPostgresTesting, or the server
    /// in `PUBLICDATA_POSTGRES_URL`).
    @Test(
        .enabled(if: ProcessInfo.processInfo.environment[raceKey] == nil),
        .enabled(if: PostgresTestServer.detect().isAvailable, "needs PostgreSQL's server programs (initdb)"),
        .timeLimit(.minutes(3))
    )
    func twoEngineProcessesRaceEveryLifecycleStepOnPostgreSQL() async throws {
        var cluster: PostgresTestCluster?
        defer { cluster?.stop() }
        let connectionString: String
        switch PostgresTestServer.detect() {
        case .url(let url): connectionString = url
        case .cluster(let bin):
            cluster = try PostgresTestCluster.start(binDirectory: bin)
            connectionString = cluster!.connectionString
        case .unavailable(let reason): throw EventStoreError(code: .unavailable, message: reason)
        }
        let schema = "race_\(UInt32.random(in: 0...UInt32.max))"
        try await race(postgres: connectionString + "\u{1F}" + schema)
        if cluster == nil, let settings = try? PostgresConfiguration(connectionString).connectionSettings() {
            try? settings.executeOnce("DROP SCHEMA IF EXISTS \(schema) CASCADE;")
        }
    }
    #endif

    func race(postgres: String?) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdk-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Create the store first, so that the children race on commands, not on opening.
        let raced = try await Self.sharedStore(folder: folder.path, postgres: postgres)
        var children: [Process] = []
        for _ in 0..<2 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childRunsEveryStep"]
            var environment = ProcessInfo.processInfo.environment
            environment[raceKey] = folder.path
            environment[racePostgresKey] = postgres
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            children.append(child)
        }
        defer { for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        for index in Scripts.lifecycle.indices {
            _ = FileManager.default.createFile(atPath: folder.path + "/step-\(index)", contents: nil)
            var waited = 0
            while waited < 10_000 {
                let done = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                    .filter { $0.hasPrefix("done-\(index)-") }.count
                if done == children.count || children.contains(where: { !$0.isRunning }) { break }
                try await Task.sleep(nanoseconds: 2_000_000)
                waited += 1
            }
        }
        for child in children { child.waitUntilExit() }
        var results: [[String]] = []
        for child in children {
            let text = try String(contentsOfFile: folder.path + "/result-\(child.processIdentifier)", encoding: .utf8)
            results.append(text.split(separator: "\n").map(String.init))
        }
        #expect(results.allSatisfy { $0.count == Scripts.lifecycle.count })
        var winners = 0
        for index in Scripts.lifecycle.indices {
            guard case .run = Scripts.lifecycle[index] else { continue }
            let outcomes = results.map { $0[index].split(separator: " ").dropFirst().first.map(String.init) ?? "" }
            #expect(
                outcomes.filter { $0 == "won" }.count == 1 && outcomes.allSatisfy { $0 == "won" || $0 == "dedup" },
                "step \(index): \(outcomes)"
            )
            winners += 1
        }
        #expect(winners > 40)
        // The file holds the same log a single engine writes: no step twice, none lost.
        let single = World()
        try await single.run(Scripts.lifecycle)
        let racedTypes = try await raced.readAll(after: 0, pageSize: 1000).map(\.type)
        let singleTypes = try await single.log().map(\.type)
        #expect(racedTypes.sorted() == singleTypes.sorted())
    }
}
