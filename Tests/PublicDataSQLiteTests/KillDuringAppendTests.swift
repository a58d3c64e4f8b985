import Foundation
import PublicDataModel
import PublicDataSQLite
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let childEnvironmentKey = "PUBLICDATA_KILL_CHILD_DB"
private let batchSize = 20

@Suite struct KillDuringAppendTests {
    /// Runs only inside the child process started by `killedMidAppendLeavesOnlyWholeBatches`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironmentKey] != nil))
    func childAppendsUntilKilled() async throws {
        let path = try #require(ProcessInfo.processInfo.environment[childEnvironmentKey])
        let store = try SQLiteEventStore(path: path)
        var batch = 0
        while true {
            let stream = StreamID("stream-\(batch % 7)")
            let version = try await store.streamVersion(stream)
            let events = (0..<batchSize).map { index in
                ProposedEvent(
                    id: EventID("b\(batch)-e\(index)"),
                    type: "test.batch",
                    occurredAt: Date(millisecondsSince1970: Int64(batch)),
                    actor: nil,
                    payload: Data(
                        "{\"batch\":\(batch),\"index\":\(index),\"pad\":\"\(String(repeating: "x", count: 512))\"}".utf8
                    )
                )
            }
            _ = try await store.append(events, to: stream, expectedVersion: .exactly(version))
            batch += 1
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childEnvironmentKey] == nil))
    func killedMidAppendLeavesOnlyWholeBatches() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("killed.sqlite").path
        _ = try SQLiteEventStore(path: path)  // create the schema before the child starts

        for round in 0..<3 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "childAppendsUntilKilled"]
            var environment = ProcessInfo.processInfo.environment
            environment[childEnvironmentKey] = path
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            let observer = try SQLiteEventStore(path: path, busyTimeout: 10_000)
            let start = try await observer.headPosition()
            var waited = 0
            // Let the child write a good number of batches, then kill it without warning.
            while try await observer.headPosition() < start + Int64(batchSize * (40 + round * 17)), waited < 3000 {
                try await Task.sleep(nanoseconds: 5_000_000)
                waited += 1
            }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(child.terminationReason == .uncaughtSignal)
            observer.close()
        }

        let store = try SQLiteEventStore(path: path)
        let all = try await store.readAll(after: 0, pageSize: 500)
        #expect(all.count >= batchSize * 40)
        #expect(all.count % batchSize == 0, "a partial batch exists: \(all.count) events")
        var byBatch: [String: Int] = [:]
        for event in all {
            let batch = event.id.rawValue.split(separator: "-").first.map(String.init) ?? ""
            byBatch[batch, default: 0] += 1
        }
        #expect(byBatch.values.allSatisfy { $0 == batchSize }, "some batch is not whole")
        for stream in Set(all.map(\.streamID)) {
            let versions = all.filter { $0.streamID == stream }.map(\.streamVersion)
            #expect(versions == Array(1...Int64(versions.count)), "stream \(stream) has gaps")
        }
        #expect(try RawSQLite.text(path: path, "PRAGMA integrity_check") == "ok")
    }
}
