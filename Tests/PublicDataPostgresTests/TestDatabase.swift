#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import PublicDataPostgresTesting
import Testing

/// How this test process reaches PostgreSQL: `PUBLICDATA_POSTGRES_URL`, else one throwaway cluster shared by
/// every test of the target (started on first use, stopped at process exit), else skipped with the reason.
enum TestDatabase {
    /// Decided once, without starting anything (used by `.enabled(if:)`).
    static let server = PostgresTestServer.detect()

    /// Whether the PostgreSQL tests can run.
    static var isAvailable: Bool { server.isAvailable }

    /// Whether a private cluster can be started (server programs installed).
    static var canStartCluster: Bool {
        PostgresTestCluster.serverProgramsDirectory() != nil
    }

    /// The shared server's connection string (starts the cluster on first use).
    static func connectionString() async throws -> String {
        try await SharedCluster.shared.connectionString()
    }

    /// A new, empty schema name, unique in this run.
    static func freshSchema(_ prefix: String = "t") -> String {
        let name = "\(prefix)_\(String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16))"
        CreatedSchemas.shared.add(name)
        return name
    }

    /// A store over a fresh, empty schema.
    static func makeStore(
        schema: String? = nil,
        connectionString: String? = nil,
        configure: (inout PostgresConfiguration) -> Void = { _ in }
    ) async throws -> PostgresEventStore {
        let target: String
        if let connectionString { target = connectionString } else { target = try await Self.connectionString() }
        var configuration = PostgresConfiguration(target, schema: schema ?? freshSchema())
        configuration.maximumConnections = 4
        configure(&configuration)
        return try await PostgresEventStore(configuration: configuration)
    }

    /// Starts a separate cluster (for tests that restart the server); `nil` without server programs.
    static func startPrivateCluster() async throws -> PostgresTestCluster? {
        guard let bin = PostgresTestCluster.serverProgramsDirectory() else { return nil }
        return try await runBlocking { try PostgresTestCluster.start(binDirectory: bin) }
    }

    /// A single session outside any store, for SQL the tests drive by hand (held transactions, kills).
    static func session(_ connectionString: String? = nil) async throws -> RawSession {
        let target: String
        if let connectionString { target = connectionString } else { target = try await Self.connectionString() }
        return RawSession(try PostgresConfiguration(target).connectionSettings())
    }
}

/// A hand-driven session; transactions stay open across calls.
final class RawSession: Sendable {
    let connection: PostgresConnection

    init(_ settings: PostgresConnectionSettings) {
        connection = PostgresConnection(settings: settings, name: "test-raw")
    }

    deinit { connection.shutdown() }

    /// Runs a script (several statements, no parameters).
    func script(_ sql: String) async throws {
        try await connection.run(keepTransaction: true) { connection in try connection.executeScript(sql) }
    }

    /// Runs one statement with parameters and returns every value as text.
    @discardableResult
    func query(_ sql: String, _ bindings: [PostgresBinding] = []) async throws -> [[String?]] {
        try await connection.run(keepTransaction: true) { connection in
            let result = try connection.execute(sql, bindings, textResults: true)
            let columns = Int(result.columnCount)
            return (0..<result.rowCount).map { row in (0..<columns).map { result.string(row, $0) } }
        }
    }

    /// The first value of the first row.
    func value(_ sql: String, _ bindings: [PostgresBinding] = []) async throws -> String? {
        try await query(sql, bindings).first?.first ?? nil
    }

    /// This session's backend process id.
    func backendPID() async throws -> Int32 {
        try await connection.run(keepTransaction: true) { connection in connection.backendPID }
    }
}

/// Runs blocking work (process launches) on a thread of its own.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }.start()
    }
}

/// Starts the shared cluster once.
actor SharedCluster {
    static let shared = SharedCluster()
    private var task: Task<String, any Error>?

    func connectionString() async throws -> String {
        if let task { return try await task.value }
        let server = TestDatabase.server
        let task = Task<String, any Error> {
            switch server {
            case .url(let url):
                return url
            case .cluster(let bin):
                let cluster = try await runBlocking { try PostgresTestCluster.start(binDirectory: bin) }
                return cluster.connectionString
            case .unavailable(let reason):
                throw EventStoreError(code: .unavailable, message: reason)
            }
        }
        self.task = task
        return try await task.value
    }
}

/// Schemas created in an external database (`PUBLICDATA_POSTGRES_URL`), dropped at process exit.
final class CreatedSchemas: @unchecked Sendable {
    static let shared = CreatedSchemas()
    private let lock = NSLock()
    private var names: [String] = []
    private var installed = false

    func add(_ name: String) {
        guard case .url = TestDatabase.server else { return }
        lock.lock()
        defer { lock.unlock() }
        names.append(name)
        if !installed {
            installed = true
            atexit { CreatedSchemas.shared.dropAll() }
        }
    }

    private func dropAll() {
        guard case .url(let url) = TestDatabase.server else { return }
        lock.lock()
        let pending = names
        names.removeAll()
        lock.unlock()
        guard !pending.isEmpty, let settings = try? PostgresConfiguration(url).connectionSettings() else { return }
        let drops = pending.map { "DROP SCHEMA IF EXISTS \($0) CASCADE;" }.joined(separator: " ")
        try? settings.executeOnce(drops)
    }
}

/// Events for tests.
enum Fixture {
    static let instant = Date(millisecondsSince1970: 1_775_000_000_123)

    static func event(_ id: String, type: String = "test.happened", payload: String = "{}") -> ProposedEvent {
        ProposedEvent(
            id: EventID(id),
            type: type,
            occurredAt: instant,
            actor: Principal(party: "party-1", role: .operator, person: "alice"),
            payload: Data(payload.utf8),
            metadata: EventMetadata(correlationID: "corr-\(id)", causationID: nil, policyVersion: "p@1")
        )
    }

    static func batch(_ prefix: String, count: Int) -> [ProposedEvent] {
        (1...count).map { event("\(prefix)-\($0)") }
    }
}
#endif
