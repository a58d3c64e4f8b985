import Foundation
import PublicDataModel
import Testing

@testable import PublicDataSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Issue 19 for the SQLite store: checked lengths, explicit-length text, safe opening under contention.
@Suite struct SQLiteHardeningTests {
    @Test(arguments: [Int(Int32.max) + 1, 2 << 30, 3 << 30, Int.max, -1])
    func lengthsSQLiteCannotTakeAreTypedErrors(count: Int) {
        // The 2 GiB payload used to trap in `Int32(buffer.count)`; the checked conversion is tested without
        // allocating it.
        let error = #expect(throws: EventStoreError.self) { _ = try sqliteLength(count, what: "blob") }
        #expect(error?.code == .invalidArgument)
    }

    @Test func lengthsUpToTheCeilingPassUnchanged() throws {
        #expect(try sqliteLength(0, what: "blob") == 0)
        #expect(try sqliteLength(Int(Int32.max), what: "blob") == UInt64(Int32.max))
    }

    @Test func aLargePayloadIsStoredWholeAndAnOversizedOneRefused() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteEventStore(path: folder.appendingPathComponent("large.sqlite").path)
        var payload = Data(count: EventStoreLimits.maximumPayloadBytes)
        payload[payload.count - 1] = 0x7D
        let event = ProposedEvent(id: "big", type: "t", occurredAt: Date(), actor: nil, payload: payload)
        _ = try await store.append([event], to: "s", expectedVersion: .noStream)
        let read = try await store.readStream("s", fromVersion: 1, limit: 1)
        #expect(read.first?.payload == payload)
        var tooBig = event
        tooBig.id = "too-big"
        tooBig.payload.append(0)
        let error = await #expect(throws: EventStoreError.self) {
            _ = try await store.append([tooBig], to: "s", expectedVersion: .any)
        }
        #expect(error?.code == .invalidArgument)
        #expect(try await store.headPosition() == 1)
    }

    @Test func textIsReadWithItsLengthNotUpToTheFirstNUL() async throws {
        // A row written by another tool with an embedded NUL reads back whole instead of being cut.
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("nul.sqlite").path
        _ = try SQLiteEventStore(path: path)
        try RawSQLite.execute(
            path: path,
            """
            INSERT INTO events (event_id, stream_id, stream_version, type, occurred_at_ms, payload)
            VALUES (CAST(x'657674006f6e65' AS TEXT), CAST(x'706c616e0041' AS TEXT), 1, 't', 0, x'');
            """
        )
        let store = try SQLiteEventStore(path: path)
        let all = try await store.readAll(after: 0, limit: 10)
        #expect(all.first?.id.rawValue == "evt\u{0}one")
        #expect(all.first?.streamID.rawValue == "plan\u{0}A")
        // The store itself refuses to write such ids, and "plan" stays a different, empty stream.
        #expect(try await store.streamVersion("plan") == 0)
    }

    @Test func invalidUTF8InAStoredRowIsCorruptedNotReplaced() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("utf8.sqlite").path
        _ = try SQLiteEventStore(path: path)
        try RawSQLite.execute(
            path: path,
            """
            INSERT INTO events (event_id, stream_id, stream_version, type, occurred_at_ms, payload)
            VALUES (CAST(x'65ff' AS TEXT), 's', 1, 't', 0, x'');
            """
        )
        let store = try SQLiteEventStore(path: path)
        let error = await #expect(throws: EventStoreError.self) { _ = try await store.readAll(after: 0, limit: 10) }
        #expect(error?.code == .corrupted)
    }

    @Test func storedNumbersAtTheEdgesAreErrorsNotTraps() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("edges.sqlite").path
        _ = try SQLiteEventStore(path: path)
        // Foreign rows: a stream at version Int64.max, an event at position Int64.min, extreme instants.
        try RawSQLite.execute(
            path: path,
            """
            INSERT INTO events (position, event_id, stream_id, stream_version, type, occurred_at_ms, payload)
            VALUES (-9223372036854775808, 'first', 'edge', 9223372036854775807, 't', -9223372036854775808, x'');
            """
        )
        let store = try SQLiteEventStore(path: path)
        let event = ProposedEvent(id: "next", type: "t", occurredAt: Date(), actor: nil, payload: Data())
        let error = await #expect(throws: EventStoreError.self) {
            _ = try await store.append([event], to: "edge", expectedVersion: .any)
        }
        #expect(error?.code == .corrupted)
        // A retry of the foreign first event looks it up at position Int64.min without overflowing.
        let retry = ProposedEvent(id: "first", type: "t", occurredAt: Date(), actor: nil, payload: Data())
        let again = await #expect(throws: EventStoreError.self) {
            _ = try await store.append([retry], to: "edge", expectedVersion: .any)
        }
        #expect(again?.code == .corrupted)
        let read = try await store.readStream("edge", fromVersion: .min, limit: .max)
        #expect(read.first?.occurredAt.millisecondsSince1970 == .min)
        #expect(read.first?.globalPosition == .min)
    }
}

// MARK: - Several processes opening one new file

private let openRaceKey = "PUBLICDATA_OPEN_RACE_DIR"
private let openRaceRounds = 40
private let openRaceProcesses = 4

@Suite struct SQLiteOpenRaceTests {
    /// Runs only inside the child processes started by `manyProcessesOpenOneNewFileAtOnce`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[openRaceKey] != nil))
    func childOpensEveryRoundFile() async throws {
        let folder = try #require(ProcessInfo.processInfo.environment[openRaceKey])
        let me = ProcessInfo.processInfo.processIdentifier
        while !FileManager.default.fileExists(atPath: folder + "/go") { usleep(1_000) }
        var failures: [String] = []
        for round in 0..<openRaceRounds {
            // Every process opens (creating and migrating) the same new file at about the same moment.
            while !FileManager.default.fileExists(atPath: folder + "/round-\(round)") { usleep(200) }
            do {
                let store = try SQLiteEventStore(path: folder + "/db-\(round).sqlite")
                let event = ProposedEvent(
                    id: EventID("p\(me)"),
                    type: "t",
                    occurredAt: Date(),
                    actor: nil,
                    payload: Data()
                )
                _ = try await store.append([event], to: "s", expectedVersion: .any)
                store.close()
            } catch {
                failures.append("round \(round): \(error)")
            }
            _ = FileManager.default.createFile(atPath: folder + "/done-\(round)-\(me)", contents: nil)
        }
        try failures.joined(separator: "\n").write(toFile: folder + "/result-\(me)", atomically: true, encoding: .utf8)
        #expect(failures.isEmpty)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[openRaceKey] == nil), .timeLimit(.minutes(2)))
    func manyProcessesOpenOneNewFileAtOnce() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var children: [Process] = []
        for _ in 0..<openRaceProcesses {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childOpensEveryRoundFile"]
            var environment = ProcessInfo.processInfo.environment
            environment[openRaceKey] = folder.path
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            children.append(child)
        }
        defer { for child in children where child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        _ = FileManager.default.createFile(atPath: folder.path + "/go", contents: nil)
        for round in 0..<openRaceRounds {
            // Release one round at a time, once every process finished the previous one: a real race per file.
            _ = FileManager.default.createFile(atPath: folder.path + "/round-\(round)", contents: nil)
            var waited = 0
            while waited < 6_000 {
                let done = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                    .filter { $0.hasPrefix("done-\(round)-") }.count
                if done == openRaceProcesses || children.contains(where: { !$0.isRunning }) { break }
                try await Task.sleep(nanoseconds: 5_000_000)
                waited += 1
            }
        }
        for child in children { child.waitUntilExit() }
        for child in children {
            let result =
                (try? String(contentsOfFile: folder.path + "/result-\(child.processIdentifier)", encoding: .utf8))
            #expect(result == "", "process \(child.processIdentifier): \(result ?? "no result")")
            #expect(child.terminationStatus == 0)
        }
        for round in 0..<openRaceRounds {
            let store = try SQLiteEventStore(path: folder.path + "/db-\(round).sqlite", createIfNeeded: false)
            #expect(try await store.headPosition() == Int64(openRaceProcesses), "round \(round)")
        }
    }
}
