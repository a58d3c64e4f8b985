#if PostgreSQL
import Foundation
import PublicDataAudit
import PublicDataModel
@testable import PublicDataPostgres
import PublicDataPostgresTesting
import PublicDataTesting
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

private let stressKey = "PUBLICDATA_PG_STRESS"
private let stressBatch = 5

/// Issue 19, item 7 on PostgreSQL: several writer processes create and migrate one new schema together, then
/// append to it and are killed with SIGKILL at random (in the middle of appends) while a follower reads the log
/// and an audit ledger extends itself over it (its leaf records go into the same schema);
/// afterwards every acknowledged batch is present, no batch is partial, positions have no holes and every
/// stream's versions run 1…n, and the ledger re-verifies against the store.
@Suite(
    "Writer processes killed at random",
    .enabled(if: TestDatabase.isAvailable, "needs PUBLICDATA_POSTGRES_URL or PostgreSQL's server programs (initdb)")
)
struct PostgresMultiProcessStressTests {
    /// Runs only inside the writer processes started by `writersKilledAtRandomLoseNothing`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[stressKey] != nil))
    func postgresStressWriter() async throws {
        let setting = try #require(ProcessInfo.processInfo.environment[stressKey])
        let parts = setting.components(separatedBy: "\u{1F}")
        try #require(parts.count == 3)
        let (connectionString, schema, folder) = (parts[0], parts[1], parts[2])
        let me = ProcessInfo.processInfo.processIdentifier
        var configuration = PostgresConfiguration(connectionString, schema: schema)
        configuration.maximumConnections = 2
        let store = try await PostgresEventStore(configuration: configuration)
        let acks = folder + "/ack-\(me)"
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
            _ = try await appendRetrying(store, events, to: stream, exact: batch % 2 == 0)
            try ackFile.write(contentsOf: Data("w\(me)-b\(batch)\n".utf8))
            batch += 1
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[stressKey] == nil), .timeLimit(.minutes(3)))
    func writersKilledAtRandomLoseNothing() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pg-stress-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let connectionString = try await TestDatabase.connectionString()
        // The writers and the follower create the schema together (opening under contention, item 3).
        let schema = TestDatabase.freshSchema("stress")
        @Sendable func spawn() throws -> Process {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--testing-library", "swift-testing", "--filter", "postgresStressWriter"]
            var environment = ProcessInfo.processInfo.environment
            environment[stressKey] = [connectionString, schema, folder.path].joined(separator: "\u{1F}")
            child.environment = environment
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            return child
        }
        let deadline = Date().addingTimeInterval(20)
        // The writers live in a task of their own that kills one every 0.2–0.8 s, whatever the follower and the
        // ledger are doing, and kills them all at the deadline.
        let killer = RandomKiller.start(processes: 3, until: deadline, warmUp: .milliseconds(1500), spawn: spawn)
        let follower = try await TestDatabase.makeStore(schema: schema)
        let ledger = try await Ledger.open(store: follower, configuration: LedgerConfiguration(name: "stress/pg"))
        var seen: [RecordedEvent] = []
        var rounds = 0
        while Date() < deadline {
            rounds += 1
            // Follow the log: every page continues exactly where the last one ended.
            seen += try await follower.readAll(after: seen.last?.globalPosition ?? 0, limit: 500)
            _ = try await ledger.catchUp()
            try await Task.sleep(for: .milliseconds(40))
        }
        let kills = try await killer.value
        // A killed writer's open transaction is rolled back once the server notices the closed socket.
        try await Task.sleep(for: .milliseconds(300))
        _ = try await ledger.catchUp()
        seen += try await follower.readAll(after: seen.last?.globalPosition ?? 0, pageSize: 500)
        #expect(try await ledger.verifyStore().isOK, "the ledger does not re-verify against the store")
        #expect(await ledger.size >= seen.filter { $0.type == "test.stress" }.count)

        let all = try await follower.readAll(after: 0, pageSize: 500)
        #expect(seen == all, "the follower's view differs from the final log")
        #expect(kills >= 10, "only \(kills) kills")
        #expect(all.count > 100, "only \(all.count) events were written")
        checkLog(all, expectedCount: all.count)
        var byBatch: [String: Int] = [:]
        for event in all where event.type == "test.stress" {
            byBatch[String(event.id.rawValue.prefix { $0 != "e" }.dropLast()), default: 0] += 1
        }
        let partial = byBatch.filter { $0.value != stressBatch }
        #expect(partial.isEmpty, "partial batches: \(partial)")
        var acknowledged = 0
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) where name.hasPrefix("ack-") {
            let text = try String(contentsOfFile: folder.appendingPathComponent(name).path, encoding: .utf8)
            for line in text.split(separator: "\n") {
                acknowledged += 1
                #expect(byBatch[String(line)] == stressBatch, "acknowledged batch \(line) is missing")
            }
        }
        #expect(acknowledged > 20, "only \(acknowledged) acknowledged batches")
        print("pg stress: \(kills) kills, \(all.count) events, \(acknowledged) acknowledged batches, \(rounds) rounds")
        await follower.close()
    }
}
#endif
