import Foundation
import PublicDataAudit
import PublicDataSQLite
import PublicDataTesting
import Testing

private let childDatabaseKey = "PUBLICDATA_LEDGER_RACE_DB"
private let childRounds = 12

/// A fresh temporary folder for SQLite files.
func auditTemporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("publicdata-audit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Forwards to a real store but names every ledger record after its type and the ledger stream's current
/// version, as a host that derives event ids from content would: a stale instance's record then carries an id
/// the real store already holds, and the store answers "deduplicated".
struct ContentNamedStore: ForwardingEventStore {
    let base: any EventStore

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws
        -> AppendResult
    {
        guard stream.rawValue.hasPrefix("audit-ledger-"), case .exactly(let version) = expectedVersion else {
            return try await base.append(events, to: stream, expectedVersion: expectedVersion)
        }
        let renamed = events.enumerated().map { offset, event in
            var copy = event
            copy.id = EventID("\(stream.rawValue)-\(event.type)-\(version + Int64(offset) + 1)")
            return copy
        }
        return try await base.append(renamed, to: stream, expectedVersion: expectedVersion)
    }
}

/// Calls `hook` before signing like ``Fixtures/signer``: lets a test act while a ledger is inside its signer.
struct HookSigner: CheckpointSigner {
    let hook: @Sendable () async -> Void
    var name: String { Fixtures.signer.name }
    var keyID: [UInt8] { Fixtures.signer.keyID }
    func sign(_ message: [UInt8]) async throws -> [UInt8] {
        await hook()
        return Fixtures.signer.mac(message)
    }
}

/// The checkpoints recorded in the ledger stream, in stream order, and a check that they never shrink and each
/// extends the one before (same root at its size in the final tree).
func recordedCheckpoints(_ store: some EventStore) async throws -> [SignedCheckpoint] {
    let stream = try await store.readStream(StreamID("audit-ledger-test.ledger"), pageSize: 100)
    let versions: [Int64] = stream.map(\.streamVersion)
    let expected: [Int64] = Array(1...Int64(stream.count))
    #expect(versions == expected)
    return stream.compactMap { Ledger.recordedCheckpoint(in: $0) }
}

func expectSingleHistory(_ store: some EventStore) async throws {
    let checkpoints = try await recordedCheckpoints(store)
    let sizes: [Int] = checkpoints.map(\.checkpoint.size)
    #expect(sizes == sizes.sorted(), "a smaller checkpoint was recorded after a larger one: \(sizes)")
    let audit = try await Fixtures.ledger(store)
    #expect(await audit.integrityProblem == nil)
    try await audit.catchUp()
    for checkpoint in checkpoints {
        #expect(try await audit.rootHash(atSize: checkpoint.checkpoint.size) == checkpoint.checkpoint.rootHash)
    }
}

@Suite struct SingleSignerTests {
    @Test(arguments: ["memory", "sqlite"])
    func aStaleInstanceNeverSignsASmallerCheckpoint(_ kind: String) async throws {
        let folder = try auditTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("ledger.sqlite").path
        let memory = InMemoryEventStore()
        func open() throws -> any EventStore {
            if kind == "memory" { return memory }
            return try SQLiteEventStore(path: path)
        }
        let store = try open()
        for number in 0..<20 { _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any) }
        let first = try await Fixtures.ledger(try open())
        let second = try await Fixtures.ledger(try open())
        try await second.catchUp()
        let stale = await second.size
        for number in 20..<26 { _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any) }
        try await first.catchUp()
        let large = try await first.signCheckpoint(with: [Fixtures.signer])
        #expect(large.checkpoint.size > stale)
        await #expect {
            _ = try await second.signCheckpoint(with: [Fixtures.signer])
        } throws: { error in
            (error as? AuditError)?.code == .conflict
        }
        #expect(try await recordedCheckpoints(store) == [large])
        // Once caught up, the second instance signs a checkpoint extending the first one's.
        try await second.catchUp()
        let next = try await second.signCheckpoint(with: [Fixtures.signer])
        #expect(next.checkpoint.size >= large.checkpoint.size)
        try await expectSingleHistory(store)
    }

    /// Another instance signs while this one is inside its signer, after it read the ledger's stream: the
    /// real store then either deduplicates this one's record (content-named ids) or reports a version conflict.
    @Test(arguments: [true, false])
    func aCheckpointAppendThatLostTheRaceIsNeverSuccess(_ contentNamed: Bool) async throws {
        let memory = InMemoryEventStore()
        var store: any EventStore = memory
        if contentNamed { store = ContentNamedStore(base: memory) }
        for number in 0..<20 { _ = try await store.append([Fixtures.event(number)], to: "s", expectedVersion: .any) }
        let first = try await Fixtures.ledger(store)
        let second = try await Fixtures.ledger(store)
        try await first.catchUp()
        try await second.catchUp()
        let winner = LockedBox<SignedCheckpoint?>(nil)
        let meanwhile = HookSigner {
            let signed = try? await first.signCheckpoint(with: [Fixtures.signer])
            winner.withLock { $0 = signed }
        }
        await #expect {
            _ = try await second.signCheckpoint(with: [meanwhile])
        } throws: { error in
            (error as? AuditError)?.code == .conflict
        }
        let signed = try #require(winner.withLock { $0 })
        #expect(try await recordedCheckpoints(store) == [signed])
    }

    @Test func racingCreationsLeaveOneLedgerAndRefuseAnotherHasher() async throws {
        let store = InMemoryEventStore()
        let first = Task { try await Fixtures.ledger(store) }
        let second = Task { try await Fixtures.ledger(store) }
        let firstOrigin = try await first.value.origin
        let secondOrigin = try await second.value.origin
        #expect(firstOrigin == secondOrigin)
        let stream = try await store.readStream(StreamID("audit-ledger-test.ledger"))
        #expect(stream.filter { $0.type == Ledger.createdEventType }.count == 1)

        let fresh = InMemoryEventStore()
        let sha = Task { await Self.openingOutcome(fresh, SHA256Hasher()) }
        let sm3 = Task { await Self.openingOutcome(fresh, SM3Hasher()) }
        let outcomes = [await sha.value, await sm3.value].sorted()
        #expect(outcomes == ["hasherMismatch", "opened"])
    }

    static func openingOutcome(_ store: InMemoryEventStore, _ hasher: any LedgerHasher) async -> String {
        do {
            _ = try await Fixtures.ledger(store, hasher: hasher)
            return "opened"
        } catch {
            return (error as? AuditError).map { "\($0.code)" } ?? "\(error)"
        }
    }

    @Test(arguments: ["memory", "sqlite"])
    func instancesRacingInTasksRecordOneHistory(_ kind: String) async throws {
        let folder = try auditTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("race.sqlite").path
        let memory = InMemoryEventStore()
        func open() throws -> any EventStore {
            if kind == "memory" { return memory }
            return try SQLiteEventStore(path: path)
        }
        let store = try open()
        let signedCount = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<4 {
                let instanceStore = try open()
                group.addTask {
                    let ledger = try await Fixtures.ledger(instanceStore)
                    var signed = 0
                    for round in 0..<10 {
                        _ = try await instanceStore.append(
                            [Fixtures.event(worker * 100 + round)],
                            to: StreamID("w\(worker)"),
                            expectedVersion: .any
                        )
                        do {
                            try await ledger.catchUp()
                            _ = try await ledger.signCheckpoint(with: [Fixtures.signer])
                            signed += 1
                        } catch let error as AuditError where error.code == .conflict {
                            continue
                        }
                    }
                    return signed
                }
            }
            var total = 0
            for try await count in group { total += count }
            return total
        }
        let checkpoints = try await recordedCheckpoints(store)
        #expect(checkpoints.count == signedCount)
        #expect(signedCount > 0)
        try await expectSingleHistory(store)
    }

    /// Runs only inside the child processes started by `instancesInSeparateProcessesRecordOneHistory`.
    @Test(.enabled(if: ProcessInfo.processInfo.environment[childDatabaseKey] != nil))
    func childProcessAppendsCatchesUpAndSigns() async throws {
        let path = try #require(ProcessInfo.processInfo.environment[childDatabaseKey])
        let store = try SQLiteEventStore(path: path, busyTimeout: 20_000)
        let ledger = try await Fixtures.ledger(store)
        let me = ProcessInfo.processInfo.processIdentifier
        for round in 0..<childRounds {
            _ = try await store.append(
                [Fixtures.event(Int(me) * 1000 + round)],
                to: StreamID("p\(me)"),
                expectedVersion: .any
            )
            do {
                try await ledger.catchUp()
                _ = try await ledger.signCheckpoint(with: [Fixtures.signer])
            } catch {
                guard error.code == .conflict else { throw error }
            }
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment[childDatabaseKey] == nil))
    func instancesInSeparateProcessesRecordOneHistory() async throws {
        let folder = try auditTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("processes.sqlite").path
        let store = try SQLiteEventStore(path: path)
        _ = try await Fixtures.ledger(store)  // create the schema and the ledger before the children start
        var children: [(process: Process, log: URL)] = []
        for index in 0..<3 {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = [
                "--testing-library", "swift-testing", "--filter", "childProcessAppendsCatchesUpAndSigns",
            ]
            var environment = ProcessInfo.processInfo.environment
            environment[childDatabaseKey] = path
            child.environment = environment
            // The child's output is kept, so that a failing child says why.
            let log = folder.appendingPathComponent("child-\(index).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            child.standardOutput = handle
            child.standardError = handle
            try child.run()
            children.append((child, log))
        }
        for (child, log) in children {
            child.waitUntilExit()
            let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            #expect(child.terminationStatus == 0, "\(output.suffix(4000))")
        }
        let all = try await store.readAll(after: 0, pageSize: 1000)
        #expect(all.filter { $0.type == "test.happened" }.count == 3 * childRounds)
        #expect(try await recordedCheckpoints(store).count > 0)
        try await expectSingleHistory(store)
    }
}
