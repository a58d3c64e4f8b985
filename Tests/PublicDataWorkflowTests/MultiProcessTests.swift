import Foundation
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let raceKey = "PUBLICDATA_ENGINE_RACE_DIR"

/// Two engine processes on one SQLite file issue every step of the lifecycle at the same moment, each with the
/// step's idempotency key: every step has exactly one winner, and the log holds each step once.
@Suite struct MultiProcessEngineTests {
    /// Runs only inside the child processes started by `twoEngineProcessesRaceEveryLifecycleStep`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[raceKey] != nil))
    func childRunsEveryStep() async throws {
        let folder = try #require(ProcessInfo.processInfo.environment[raceKey])
        let me = ProcessInfo.processInfo.processIdentifier
        let store = try SQLiteEventStore(path: folder + "/log.sqlite")
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
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pdk-race-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Create the file first, so that the children race on commands, not on opening.
        _ = try SQLiteEventStore(path: folder.path + "/log.sqlite")
        var children: [Process] = []
        for _ in 0..<2 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childRunsEveryStep"]
            var environment = ProcessInfo.processInfo.environment
            environment[raceKey] = folder.path
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
        let raced = try SQLiteEventStore(path: folder.path + "/log.sqlite", createIfNeeded: false)
        let single = World()
        try await single.run(Scripts.lifecycle)
        let racedTypes = try await raced.readAll(after: 0, pageSize: 1000).map(\.type)
        let singleTypes = try await single.log().map(\.type)
        #expect(racedTypes.sorted() == singleTypes.sorted())
    }
}
