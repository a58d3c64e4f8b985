import Dispatch
import Foundation
import PublicDataModel

/// SQLite's `SQLITE_BUSY` result code, reported when a lock could not be taken.
private let SQLITE_BUSY_CODE: Int32 = 5

/// An `EventStore` in one SQLite file: the embedded default for a single node.
///
/// - WAL journal, one `BEGIN IMMEDIATE` transaction per batch, `synchronous = FULL` by default (a batch is
///   on disk before `append` returns), a busy timeout so that several connections or processes on one
///   file wait for each other instead of failing.
/// - Uniqueness constraints on `(stream_id, stream_version)` and on `event_id` back the contract even
///   against a buggy caller.
/// - Global positions are the table's integer primary key: SQLite has one writer at a time, so positions
///   become visible in order and readers never skip an event.
/// - Each store owns one connection on its own serial queue, so SQLite's blocking calls never run on
///   Swift's cooperative thread pool. Open two stores on one file for two connections.
///
/// ```swift
/// let store = try SQLiteEventStore(path: "/var/lib/portal/events.sqlite")
/// try await store.append(events, to: "agreement-agr-001", expectedVersion: .exactly(3))
/// ```
public final class SQLiteEventStore: EventStore, @unchecked Sendable {
    // @unchecked: `connection` is touched only on `queue`, a serial queue; everything else is immutable.

    /// How hard a commit is pushed to disk.
    public enum Durability: String, Sendable {
        /// `synchronous = FULL`: a committed batch survives power loss. The default.
        case full
        /// `synchronous = NORMAL`: survives a crash of the process, may lose the last commits on power loss.
        case normal
    }

    /// The schema version this library writes (SQLite `user_version`).
    public static let schemaVersion: Int64 = 1

    /// The database file.
    public let path: String
    private let queue: DispatchQueue
    private let connection: SQLiteConnection

    /// Opens (creating if needed) a store in the file at `path`.
    /// - Parameters:
    ///   - path: The database file; its folder must exist.
    ///   - durability: `.full` (default) or `.normal`.
    ///   - busyTimeout: How long a call waits for another connection's write lock, in milliseconds.
    ///   - createIfNeeded: When `false`, only an existing store of this library is opened: a missing file or a
    ///     database without the store's schema is refused and left untouched (for tools that inspect a store).
    /// - Throws: `EventStoreError` with code `unavailable` (naming the path) when the file cannot be opened,
    ///   is locked, or is not a database (or, with `createIfNeeded: false`, not a store); `schemaTooNew` when
    ///   written by a newer release (nothing touched).
    public init(
        path: String,
        durability: Durability = .full,
        busyTimeout: Int32 = 5_000,
        createIfNeeded: Bool = true
    ) throws(EventStoreError) {
        self.path = path
        self.queue = DispatchQueue(label: "PublicDataSQLite.\(path)")
        let connection = try SQLiteConnection(
            path: path,
            busyTimeoutMilliseconds: busyTimeout,
            create: createIfNeeded
        )
        self.connection = connection
        // Opening, creating and migrating are retried while another connection holds a lock (switching to WAL
        // needs an exclusive lock and SQLite does not call the busy handler for it), up to the busy timeout.
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(max(0, busyTimeout)) * 1_000_000
        var attempt = 0
        while true {
            do throws(EventStoreError) {
                try Self.prepare(connection, durability: durability, create: createIfNeeded)
                break
            } catch  where Self.isBusy(error) && DispatchTime.now().uptimeNanoseconds < deadline {
                attempt += 1
                // 1, 2, 4 … 32 ms, with jitter so that racing processes spread out.
                let pause = UInt32(1_000 << min(attempt, 5)) + UInt32.random(in: 0..<1_000)
                usleep(pause)
            } catch  where Self.isBusy(error) {
                throw EventStoreError(
                    code: .unavailable,
                    message: "the database stayed locked by another connection for the busy timeout of "
                        + "\(busyTimeout) ms while opening: \(error.message)",
                    location: path,
                    backendCode: error.backendCode
                )
            }
        }
    }

    /// Whether the error is SQLite's `SQLITE_BUSY` or `SQLITE_LOCKED` (any extended code).
    private static func isBusy(_ error: EventStoreError) -> Bool {
        guard let code = error.backendCode.flatMap({ Int32($0) }) else { return false }
        return code & 0xFF == 5 || code & 0xFF == 6
    }

    /// Closes the connection; later calls fail with `unavailable`.
    public func close() {
        queue.sync { connection.close() }
    }

    /// The pragmas every connection uses; the benchmark applies the same ones to its raw baseline.
    public static func pragmas(durability: Durability) -> String {
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL"); "
            + "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;"
    }

    private static func prepare(
        _ connection: SQLiteConnection,
        durability: Durability,
        create: Bool
    )
        throws(EventStoreError)
    {
        let version = try connection.statement("PRAGMA user_version")
        let current = try version.step() ? version.int64(0) : 0
        try version.run()
        guard create || current > 0 else {
            throw EventStoreError(
                code: .unavailable,
                message: "the database is not a PublicDataKit event store (no schema); it was left untouched",
                location: connection.path
            )
        }
        guard current <= schemaVersion else {
            throw EventStoreError(
                code: .schemaTooNew,
                message: "the database has schema version \(current); this library understands \(schemaVersion)",
                location: connection.path
            )
        }
        try connection.execute(pragmas(durability: durability))
        let mode = try connection.statement("PRAGMA journal_mode")
        let journal = try mode.step() ? try mode.string(0) : nil
        try mode.run()
        guard journal?.lowercased() == "wal" || journal?.lowercased() == "memory" else {
            // Another connection held a lock while this one asked for WAL; retried by the caller.
            throw EventStoreError(
                code: .unavailable,
                message: "the journal mode is \(journal ?? "unknown"), not WAL",
                location: connection.path,
                backendCode: "\(SQLITE_BUSY_CODE)"
            )
        }
        guard current < schemaVersion else { return }
        try connection.writeTransaction { () throws(EventStoreError) in
            // Re-read under the write lock: another process may have created or migrated the schema meanwhile.
            let recheck = try connection.statement("PRAGMA user_version")
            let now = try recheck.step() ? recheck.int64(0) : 0
            try recheck.run()
            guard now < schemaVersion else { return }
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS events (
                    position INTEGER PRIMARY KEY,
                    event_id TEXT NOT NULL UNIQUE,
                    stream_id TEXT NOT NULL,
                    stream_version INTEGER NOT NULL CHECK (stream_version > 0),
                    type TEXT NOT NULL,
                    occurred_at_ms INTEGER NOT NULL,
                    actor_party TEXT,
                    actor_role TEXT,
                    actor_person TEXT,
                    correlation_id TEXT,
                    causation_id TEXT,
                    policy_version TEXT,
                    payload BLOB NOT NULL,
                    UNIQUE (stream_id, stream_version)
                );
                CREATE TABLE IF NOT EXISTS cursors (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
                PRAGMA user_version = \(schemaVersion);
                """
            )
        }
    }

    private func onQueue<T: Sendable>(_ body: @escaping @Sendable () throws(EventStoreError) -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            queue.async {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    // MARK: - EventStore

    /// Appends a batch in one transaction; see `EventStore` for the contract.
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws
        -> AppendResult
    {
        try validateAppendArguments(events, stream: stream, checkingDuplicates: false)
        let connection = self.connection
        return try await onQueue { () throws(EventStoreError) -> AppendResult in
            do throws(EventStoreError) {
                return try connection.writeTransaction { () throws(EventStoreError) -> AppendResult in
                    if let stored = try Self.storedBatch(connection, events, stream: stream) {
                        return AppendResult(events: stored, deduplicated: true)
                    }
                    let current = try Self.version(connection, stream)
                    guard expectedVersion.isSatisfied(by: current) else {
                        throw EventStoreError.versionConflict(
                            stream: stream,
                            expected: expectedVersion,
                            actual: current
                        )
                    }
                    return AppendResult(
                        events: try Self.insert(connection, events, stream: stream, after: current),
                        deduplicated: false
                    )
                }
            } catch let error where error.backendCode == "\(2067)" || error.backendCode == "\(1555)" {
                // SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY: another writer raced us between check and insert.
                throw EventStoreError(
                    code: .duplicateEventID,
                    message: "an event id or stream version is already stored: \(error.message)",
                    stream: stream,
                    location: connection.path
                )
            }
        }
    }

    /// The stored events when every id of the batch is already stored as this batch; `nil` when none is.
    private static func storedBatch(
        _ connection: SQLiteConnection,
        _ events: [ProposedEvent],
        stream: StreamID
    )
        throws(EventStoreError) -> [RecordedEvent]?
    {
        // Only the first id is looked up: a batch is either new (its first id unknown) or a retry. A later id
        // that collides is caught by the UNIQUE constraint on insert, which rolls the whole batch back.
        let lookup = try connection.statement("SELECT position FROM events WHERE event_id = ?1")
        try lookup.bind(1, events[0].id.rawValue)
        guard try lookup.step() else { return nil }
        let first = lookup.int64(0)
        try lookup.run()
        let (before, overflow) = first.subtractingReportingOverflow(1)
        guard !overflow else { throw corruptedPosition(connection, first) }
        let stored = try readRange(connection, after: before, limit: events.count)
        let same =
            stored.count == events.count && zip(stored, events).allSatisfy { $0.id == $1.id }
            && stored.allSatisfy { $0.streamID == stream }
        guard same else {
            throw EventStoreError(
                code: .duplicateEventID,
                message: "event id \(events[0].id) is already stored, but not as this batch",
                stream: stream,
                location: connection.path
            )
        }
        return stored
    }
    private static func corruptedPosition(_ connection: SQLiteConnection, _ value: Int64) -> EventStoreError {
        EventStoreError(
            code: .corrupted,
            message: "a stored position or version (\(value)) is out of range",
            location: connection.path
        )
    }

    private static func version(_ connection: SQLiteConnection, _ stream: StreamID) throws(EventStoreError) -> Int64 {
        let statement = try connection.statement(
            "SELECT stream_version FROM events WHERE stream_id = ?1 ORDER BY stream_version DESC LIMIT 1"
        )
        try statement.bind(1, stream.rawValue)
        let version = try statement.step() ? statement.int64(0) : 0
        try statement.run()
        return version
    }

    private static func insert(
        _ connection: SQLiteConnection,
        _ events: [ProposedEvent],
        stream: StreamID,
        after current: Int64
    ) throws(EventStoreError) -> [RecordedEvent] {
        let statement = try connection.statement(
            """
            INSERT INTO events (event_id, stream_id, stream_version, type, occurred_at_ms, actor_party, actor_role,
                actor_person, correlation_id, causation_id, policy_version, payload)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
            """
        )
        // Checked once for the whole batch: a stored version near Int64.max (foreign data) is an error, not a trap.
        guard current >= 0, current <= Int64.max - Int64(events.count) else {
            throw corruptedPosition(connection, current)
        }
        var recorded: [RecordedEvent] = []
        recorded.reserveCapacity(events.count)
        for (offset, event) in events.enumerated() {
            statement.reset()
            let version = current + Int64(offset) + 1
            try statement.bind(1, event.id.rawValue)
            try statement.bind(2, stream.rawValue)
            try statement.bind(3, version)
            try statement.bind(4, event.type)
            try statement.bind(5, event.occurredAt.millisecondsSince1970)
            try statement.bind(6, event.actor?.party.rawValue)
            try statement.bind(7, event.actor?.role.rawValue)
            try statement.bind(8, event.actor?.person)
            try statement.bind(9, event.metadata.correlationID)
            try statement.bind(10, event.metadata.causationID)
            try statement.bind(11, event.metadata.policyVersion)
            try statement.bind(12, event.payload)
            try statement.run()
            let position = connection.lastInsertedRowID
            recorded.append(
                RecordedEvent(
                    id: event.id,
                    streamID: stream,
                    streamVersion: version,
                    globalPosition: position,
                    type: event.type,
                    occurredAt: event.occurredAt,
                    actor: event.actor,
                    payload: event.payload,
                    metadata: event.metadata
                )
            )
        }
        return recorded
    }

    private static let columns =
        "position, event_id, stream_id, stream_version, type, occurred_at_ms, actor_party, actor_role, "
        + "actor_person, correlation_id, causation_id, policy_version, payload"

    private static func readRange(
        _ connection: SQLiteConnection,
        after position: Int64,
        limit: Int
    )
        throws(EventStoreError) -> [RecordedEvent]
    {
        let statement = try connection.statement(
            "SELECT \(columns) FROM events WHERE position > ?1 ORDER BY position LIMIT ?2"
        )
        try statement.bind(1, position)
        try statement.bind(2, Int64(limit))
        return try rows(statement)
    }

    private static func rows(_ statement: Statement) throws(EventStoreError) -> [RecordedEvent] {
        var result: [RecordedEvent] = []
        while try statement.step() {
            result.append(try decodeRow(statement))
        }
        return result
    }

    private static func decodeRow(_ row: Statement) throws(EventStoreError) -> RecordedEvent {
        let position = row.int64(0)
        guard let id = try row.string(1), let stream = try row.string(2), let type = try row.string(4) else {
            throw EventStoreError(
                code: .corrupted,
                message: "row at position \(position) lacks an id, stream or type",
                location: row.connection.path
            )
        }
        var actor: Principal?
        if let party = try row.string(6) {
            guard let roleText = try row.string(7), let role = Role(rawValue: roleText), let person = try row.string(8)
            else {
                throw EventStoreError(
                    code: .corrupted,
                    message: "row at position \(position) has an unreadable actor",
                    location: row.connection.path
                )
            }
            actor = Principal(party: PartyID(party), role: role, person: person)
        }
        return RecordedEvent(
            id: EventID(id),
            streamID: StreamID(stream),
            streamVersion: row.int64(3),
            globalPosition: position,
            type: type,
            occurredAt: Date(millisecondsSince1970: row.int64(5)),
            actor: actor,
            payload: row.data(12),
            metadata: EventMetadata(
                correlationID: try row.string(9),
                causationID: try row.string(10),
                policyVersion: try row.string(11)
            )
        )
    }

    /// Reads a stream in version order.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        try validateStreamID(stream)
        let connection = self.connection
        return try await onQueue { () throws(EventStoreError) in
            let statement = try connection.statement(
                "SELECT \(Self.columns) FROM events WHERE stream_id = ?1 AND stream_version >= ?2 "
                    + "ORDER BY stream_version LIMIT ?3"
            )
            try statement.bind(1, stream.rawValue)
            try statement.bind(2, fromVersion)
            try statement.bind(3, Int64(limit))
            return try Self.rows(statement)
        }
    }

    /// Reads the global log in position order.
    public func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        let connection = self.connection
        return try await onQueue { () throws(EventStoreError) in
            try Self.readRange(connection, after: position, limit: limit)
        }
    }

    /// The stream's current version.
    public func streamVersion(_ stream: StreamID) async throws -> Int64 {
        try validateStreamID(stream)
        let connection = self.connection
        return try await onQueue { () throws(EventStoreError) in try Self.version(connection, stream) }
    }

    /// The last global position.
    public func headPosition() async throws -> Int64 {
        let connection = self.connection
        return try await onQueue { () throws(EventStoreError) in
            let statement = try connection.statement("SELECT coalesce(max(position), 0) FROM events")
            let head = try statement.step() ? statement.int64(0) : 0
            try statement.run()
            return head
        }
    }

    /// The saved cursor, if any.
    public func loadCursor(_ name: String) async throws -> Int64? {
        try validateCursorName(name)
        let connection = self.connection
        return try await onQueue { () throws(EventStoreError) in
            let statement = try connection.statement("SELECT position FROM cursors WHERE name = ?1")
            try statement.bind(1, name)
            let position: Int64? = try statement.step() ? statement.int64(0) : nil
            try statement.run()
            return position
        }
    }

    /// Saves a cursor durably.
    public func saveCursor(_ name: String, position: Int64) async throws {
        try validateCursorName(name)
        let connection = self.connection
        try await onQueue { () throws(EventStoreError) in
            let statement = try connection.statement(
                "INSERT INTO cursors (name, position) VALUES (?1, ?2) "
                    + "ON CONFLICT (name) DO UPDATE SET position = excluded.position"
            )
            try statement.bind(1, name)
            try statement.bind(2, position)
            try statement.run()
        }
    }
}
