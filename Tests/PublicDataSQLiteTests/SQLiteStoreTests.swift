import Foundation
import PublicDataModel
import PublicDataSQLite
import PublicDataTesting
import Testing

/// A fresh temporary folder per call, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("pdk-sqlite-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct SQLiteStoreTests {
    @Test func sqliteStorePassesTheConformanceSuite() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        await EventStoreConformance.run {
            try SQLiteEventStore(path: folder.appendingPathComponent("\(UUID().uuidString).sqlite").path)
        }
    }

    @Test func twoConnectionsOnOneFilePassTheConformanceSuite() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        await EventStoreConformance.run {
            let path = folder.appendingPathComponent("\(UUID().uuidString).sqlite").path
            return RoundRobinStore(stores: [try SQLiteEventStore(path: path), try SQLiteEventStore(path: path)])
        }
    }

    @Test func eventsSurviveReopening() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("events.sqlite").path
        let event = ProposedEvent(
            id: "e-1",
            type: "plan.drafted",
            occurredAt: testInstant("2026-01-05T09:00:00.250Z"),
            actor: Principal(party: "agency", role: .implementingAgency, person: "li"),
            payload: Data("{\"planID\":\"p-1\"}".utf8)
        )
        let written: AppendResult
        do {
            let store = try SQLiteEventStore(path: path)
            written = try await store.append([event], to: "plan-p-1", expectedVersion: .noStream)
            try await store.saveCursor("ledger", position: 1)
            store.close()
        }
        let reopened = try SQLiteEventStore(path: path)
        #expect(try await reopened.readAll(after: 0, limit: 10) == written.events)
        #expect(try await reopened.loadCursor("ledger") == 1)
    }

    @Test func aFileThatIsNotADatabaseIsATypedErrorNamingThePath() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("garbage.sqlite").path
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error?.code == .unavailable)
        #expect(error?.location == path)
    }

    @Test func aMissingFolderIsATypedErrorNamingThePath() throws {
        let path = "/nonexistent-\(UUID().uuidString)/events.sqlite"
        let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error?.code == .unavailable)
        #expect(error?.location == path)
    }

    @Test func aNewerSchemaIsRefusedAndLeftUntouched() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("future.sqlite").path
        do {
            let store = try SQLiteEventStore(path: path)
            store.close()
        }
        try RawSQLite.execute(path: path, "PRAGMA user_version = 99;")
        let error = #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: path) }
        #expect(error?.code == .schemaTooNew)
        #expect(try RawSQLite.userVersion(path: path) == 99)
    }

    @Test func aWriterLockedBeyondTheBusyTimeoutIsATypedError() async throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("locked.sqlite").path
        let store = try SQLiteEventStore(path: path, busyTimeout: 50)
        let lock = try RawSQLite.holdWriteLock(path: path)
        defer { lock.release() }
        let event = ProposedEvent(id: "e", type: "t", occurredAt: Date(), actor: nil, payload: Data("{}".utf8))
        let error = await #expect(throws: EventStoreError.self) {
            _ = try await store.append([event], to: "s", expectedVersion: .any)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.location == path)
        lock.release()
        #expect(try await store.headPosition() == 0)
        _ = try await store.append([event], to: "s", expectedVersion: .any)
        #expect(try await store.headPosition() == 1)
    }
}

/// Sends each call to the next of several stores (connections) in turn.
final class RoundRobinStore: EventStore, @unchecked Sendable {
    let stores: [any EventStore]
    private let counter = Counter()

    init(stores: [any EventStore]) { self.stores = stores }

    private func next() -> any EventStore { stores[counter.next() % stores.count] }

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws
        -> AppendResult
    { try await next().append(events, to: stream, expectedVersion: expectedVersion) }
    func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await next().readStream(stream, fromVersion: fromVersion, limit: limit)
    }
    func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await next().readAll(after: position, limit: limit)
    }
    func streamVersion(_ stream: StreamID) async throws -> Int64 { try await next().streamVersion(stream) }
    func headPosition() async throws -> Int64 { try await next().headPosition() }
    func loadCursor(_ name: String) async throws -> Int64? { try await next().loadCursor(name) }
    func saveCursor(_ name: String, position: Int64) async throws {
        try await next().saveCursor(name, position: position)
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}

@Suite struct SQLiteOpenExistingTests {
    @Test func openingOnlyAnExistingStoreLeavesOtherDatabasesUntouched() throws {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let foreign = folder.appendingPathComponent("foreign.sqlite").path
        try RawSQLite.execute(path: foreign, "CREATE TABLE people (name TEXT);")
        let error = #expect(throws: EventStoreError.self) {
            try SQLiteEventStore(path: foreign, createIfNeeded: false)
        }
        #expect(error?.code == .unavailable)
        #expect(error?.location == foreign)
        #expect(try RawSQLite.scalar(path: foreign, "SELECT count(*) FROM sqlite_master WHERE name = 'events'") == 0)
        let missing = folder.appendingPathComponent("missing.sqlite").path
        #expect(throws: EventStoreError.self) { try SQLiteEventStore(path: missing, createIfNeeded: false) }
        #expect(!FileManager.default.fileExists(atPath: missing))
    }
}
