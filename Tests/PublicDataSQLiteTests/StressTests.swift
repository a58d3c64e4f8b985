import Foundation
import PublicDataAudit
import PublicDataModel
import PublicDataSQLite
import PublicDataTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let stressKey = "PUBLICDATA_STRESS_DB"
private let stressBatch = 5

/// Issue 19, item 7: several writer processes on one SQLite file, killed at random while a follower reads the
/// global log and an audit ledger extends itself over it (writing its leaf records into the same file);
/// afterwards every acknowledged batch is present, no batch is partial, nothing is out of order, and the ledger
/// re-verifies against the store.
@Suite struct SQLiteStressTests {
    /// Runs only inside the writer processes started by `writersKilledAtRandomLoseNothing`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[stressKey] != nil))
    func stressWriter() async throws {
        let path = try #require(ProcessInfo.processInfo.environment[stressKey])
        let me = ProcessInfo.processInfo.processIdentifier
        let store = try SQLiteEventStore(path: path, busyTimeout: 20_000)
        let acks = path + "-ack-\(me)"
        _ = FileManager.default.createFile(atPath: acks, contents: nil)
        let ackFile = try FileHandle(forWritingTo: URL(fileURLWithPath: acks))
        var batch = 0
        while true {
            let stream = StreamID("s-\(batch % 5)")
            let events = (0..<stressBatch).map { index in
                ProposedEvent(
                    id: EventID("w\(me)-b\(batch)-e\(index)"),
                    type: "test.stress",
                    occurredAt: Date(millisecondsSince1970: Int64(batch)),
                    actor: nil,
                    payload: Data("{\"batch\":\(batch),\"index\":\(index)}".utf8)
                )
            }
            while true {
                let version = try await store.streamVersion(stream)
                do {
                    _ = try await store.append(events, to: stream, expectedVersion: .exactly(version))
                    break
                } catch let error as EventStoreError where error.code == .versionConflict {
                    continue
                }
            }
            try ackFile.write(contentsOf: Data("w\(me)-b\(batch)\n".utf8))
            batch += 1
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[stressKey] == nil), .timeLimit(.minutes(2)))
    func writersKilledAtRandomLoseNothing() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("stress.sqlite").path
        let follower = try SQLiteEventStore(path: path, busyTimeout: 20_000)
        @Sendable func spawn() throws -> Process {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "stressWriter"]
            var environment = ProcessInfo.processInfo.environment
            environment[stressKey] = path
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            return child
        }
        let deadline = Date().addingTimeInterval(15)
        // Kills come on a clock (every 0.2–0.8 s) in a task of their own, whatever the follower and the ledger
        // are doing, so slow builds (sanitizers) kill as often; at the deadline every writer is killed.
        let killer = RandomKiller.start(processes: 3, until: deadline, warmUp: .milliseconds(500), spawn: spawn)
        let ledger = try await Ledger.open(store: follower, configuration: LedgerConfiguration(name: "stress/sqlite"))
        var seen: [RecordedEvent] = []
        while Date() < deadline {
            // Follow the log: every page continues exactly where the last one ended.
            let page = try await follower.readAll(after: seen.last?.globalPosition ?? 0, limit: 500)
            seen += page
            _ = try await ledger.catchUp()
            try await Task.sleep(nanoseconds: 40_000_000)
        }
        let kills = try await killer.value
        _ = try await ledger.catchUp()
        seen += try await follower.readAll(after: seen.last?.globalPosition ?? 0, pageSize: 500)
        #expect(try await ledger.verifyStore().isOK, "the ledger does not re-verify against the store")
        #expect(await ledger.size >= seen.filter { $0.type == "test.stress" }.count)
        follower.close()

        let store = try SQLiteEventStore(path: path)
        let all = try await store.readAll(after: 0, pageSize: 500)
        #expect(seen == all, "the follower's view differs from the final log")
        #expect(kills >= 5, "only \(kills) kills")
        #expect(all.count > 100, "only \(all.count) events were written")
        var byBatch: [String: Int] = [:]
        for event in all where event.type == "test.stress" {
            byBatch[String(event.id.rawValue.prefix { $0 != "e" }.dropLast()), default: 0] += 1
        }
        let partial = byBatch.filter { $0.value != stressBatch }
        #expect(partial.isEmpty, "partial batches: \(partial)")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("-ack-") }
        var acknowledged = 0
        for name in names {
            let text = try String(contentsOfFile: folder.appendingPathComponent(name).path, encoding: .utf8)
            for line in text.split(separator: "\n") {
                acknowledged += 1
                #expect(byBatch[String(line)] == stressBatch, "acknowledged batch \(line) is missing")
            }
        }
        #expect(acknowledged > 20)
        print("sqlite stress: \(kills) kills, \(all.count) events, \(acknowledged) acknowledged batches")
        for stream in Set(all.map(\.streamID)) {
            let versions = all.filter { $0.streamID == stream }.map(\.streamVersion)
            #expect(versions == Array(1...Int64(versions.count)), "stream \(stream) has gaps")
        }
        #expect(try RawSQLite.text(path: path, "PRAGMA integrity_check") == "ok")
    }
}
