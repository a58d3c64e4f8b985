#if PostgreSQL
import Foundation
import PublicDataModel

/// How a ``PostgresEventStore`` reaches its database and sizes its connection pool.
///
/// The connection string is handed to libpq unchanged, so TLS and authentication are configured there,
/// never in code: `sslmode=verify-full sslrootcert=…`, `passfile=…` (or `~/.pgpass`), `PGPASSWORD`,
/// client certificates, `target_session_attrs=read-write` for multi-host failover strings, keepalives.
///
/// ```swift
/// var configuration = PostgresConfiguration(
///     "postgresql://portal@db1.example,db2.example/publicdata?sslmode=verify-full&target_session_attrs=read-write"
/// )
/// configuration.maximumConnections = 16
/// let store = try await PostgresEventStore(configuration: configuration)
/// ```
public struct PostgresConfiguration: Sendable, Hashable {
    /// A libpq connection string: `key=value` pairs or a `postgresql://` URL (see libpq's documentation).
    public var connectionString: String
    /// The PostgreSQL schema that holds the store's tables (default `publicdata`).
    public var schema: String
    /// The pool's upper bound on open connections (default 8).
    public var maximumConnections: Int
    /// How long one connection attempt may take (libpq `connect_timeout`, whole seconds, at least 2).
    public var connectTimeout: Duration
    /// The server-side limit for one statement, including waiting for locks (`statement_timeout`).
    public var statementTimeout: Duration
    /// How long a call waits for a free pooled connection before failing with `unavailable`.
    public var acquireTimeout: Duration
    /// How long the store keeps retrying to (re)connect while the server is restarting or failing over.
    /// `.zero` fails at the first refused connection.
    public var reconnectWindow: Duration
    /// Whether the store creates or upgrades its schema at start-up, or only checks it.
    public var migration: PostgresSchema.MigrationMode
    /// Whether each append sends a `NOTIFY` so that ``PostgresEventStore/logWakeUps()`` followers wake at once.
    public var notifyOnAppend: Bool
    /// The `application_name` shown in `pg_stat_activity` unless the connection string sets one.
    public var applicationName: String
    /// How many append calls the store has in flight at once (default 1). Appends that arrive while all of
    /// them are busy wait and go to the server together in the next call — one transaction, one round trip
    /// and one commit for all of them (group commit) — each with its own outcome. One appender alone is
    /// never delayed. `Operations.md` describes the trade-off.
    public var concurrentAppendCalls: Int

    /// Creates a configuration with the defaults described on each property.
    /// - Parameters:
    ///   - connectionString: A libpq connection string or `postgresql://` URL.
    ///   - schema: The schema that holds the store's tables.
    public init(_ connectionString: String, schema: String = PostgresSchema.defaultSchema) {
        self.connectionString = connectionString
        self.schema = schema
        self.maximumConnections = 8
        self.connectTimeout = .seconds(10)
        self.statementTimeout = .seconds(30)
        self.acquireTimeout = .seconds(30)
        self.reconnectWindow = .seconds(15)
        self.migration = .automatic
        self.notifyOnAppend = true
        self.applicationName = "publicdata"
        self.concurrentAppendCalls = 1
    }

    /// The settings for one connection; checks the connection string and limits.
    func connectionSettings() throws(EventStoreError) -> PostgresConnectionSettings {
        guard maximumConnections > 0 else {
            throw EventStoreError(code: .invalidArgument, message: "maximumConnections must be positive")
        }
        guard concurrentAppendCalls > 0 else {
            throw EventStoreError(code: .invalidArgument, message: "concurrentAppendCalls must be positive")
        }
        guard statementTimeout >= .zero, connectTimeout >= .zero, reconnectWindow >= .zero else {
            throw EventStoreError(code: .invalidArgument, message: "timeouts may not be negative")
        }
        let location = try PostgresConnectionSettings.describeTarget(connectionString)
        let statementMilliseconds =
            statementTimeout.components.seconds * 1000 + statementTimeout.components.attoseconds / 1_000_000_000_000_000
        return PostgresConnectionSettings(
            connectionString: connectionString,
            connectTimeoutSeconds: max(2, Int(connectTimeout.components.seconds)),
            statementTimeoutMilliseconds: statementMilliseconds,
            reconnectWindow: reconnectWindow,
            applicationName: applicationName,
            location: location
        )
    }
}
#endif
