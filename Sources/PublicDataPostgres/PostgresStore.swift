#if PostgreSQL
import Foundation
import PublicDataModel

/// An `EventStore` on PostgreSQL, for several service instances sharing one database.
///
/// The store talks to the server through the system libpq, over a bounded pool of connections whose blocking
/// calls run on dedicated threads. It owns its schema (see ``PostgresSchema``) and creates or upgrades it at
/// start-up under an advisory lock.
///
/// ## Ordering
/// Positions are handed out only by the transaction that holds the single `log_head` row, which keeps it
/// until it ends, so they become visible strictly in position order: a reader that has seen position `p`
/// never later discovers a committed event below `p`. Positions have no gaps (a rolled-back append also
/// rolls back the head), and readers never wait on anything.
///
/// A lone append is one call of `<schema>.append_events(…)` in its own transaction. When the head row is free (one
/// appender, or a quiet moment) the function takes it and the batch gets its positions in the same
/// transaction: one round trip, one commit. When another append holds the row, the function does not wait
/// for that commit: it stores the batch without positions and commits; the store then calls
/// `<schema>.assign_positions(…)`: one caller at a time (under an advisory lock and the head row) positions
/// every committed batch still waiting, the others look again after a few milliseconds — so concurrent
/// appenders commit in parallel and share the ordering commits. A batch stored without a position commits
/// without waiting for its own WAL flush: the synchronous commit that positions it flushes it first. Reads show an event once it has its position; ``streamVersion(_:)`` counts every committed
/// event (it is the version an append is checked against), so for the few milliseconds a batch waits for
/// its position it can be ahead of ``readStream(_:fromVersion:limit:)``. The calls are prepared once per
/// pooled connection. `Operations.md` describes the scheme, its cost and its failure cases.
///
/// ## Group commit
/// At most ``PostgresConfiguration/concurrentAppendCalls`` append calls of one store are in flight. Appends
/// that arrive while they are all busy wait, and the next call sends every waiting batch in one
/// `<schema>.append_group(…)` call — one transaction, one round trip, one commit — with each batch's own
/// outcome, as if the batches had been appended one after another. A group waits for the head row (from
/// schema version 5), so its batches get their positions in the group's own transaction; while the
/// instance is busy (its appends queued lately) a lone append goes the same way. A group of one-event batches is
/// checked in one statement and stored in one (from schema version 6). One appender alone never
/// waits. When a group call fails with `unavailable` every batch in it gets the
/// error (all of them or none committed); on any other error the batches are sent again one by one.
///
/// ## Errors
/// Every failure is an `EventStoreError`; `backendCode` carries the SQLSTATE. Connection failures,
/// timeouts, a terminated backend or a server shutting down are `unavailable`. An append that fails has
/// written nothing — except when the connection drops while the server commits, or between a contended
/// append's commit and its positioning; retry with the same event ids and the store answers `deduplicated`
/// if the first attempt landed (the next append positions such a batch in any case).
///
/// Cancelling the calling task does not interrupt a statement already sent to the server;
/// ``PostgresConfiguration/statementTimeout`` bounds how long one can run (including waiting for the
/// ordering lock).
///
/// ```swift
/// let store = try await PostgresEventStore("postgresql://portal@db.example/publicdata?sslmode=verify-full")
/// let result = try await store.append([event], to: "plan-001", expectedVersion: .noStream)
/// ```
public final class PostgresEventStore: EventStore {
    /// The configuration the store was opened with.
    public let configuration: PostgresConfiguration
    /// The target without secrets (`host=… port=… dbname=… user=…`), as used in error locations.
    public let location: String
    let schema: String
    let settings: PostgresConnectionSettings
    private let pool: PostgresConnectionPool
    /// The append and positioning calls, prepared once per pooled connection (names per schema, at most 58 bytes).
    let appendStatement: PostgresStatement
    let assignStatement: PostgresStatement
    let groupStatement: PostgresStatement
    let positionsStatement: PostgresStatement
    /// The reads and cursor calls, prepared once per pooled connection like the append calls (the server
    /// parses and plans each once per session instead of on every call).
    let headStatement: PostgresStatement
    let streamVersionStatement: PostgresStatement
    let readStreamStatement: PostgresStatement
    let readAllStatement: PostgresStatement
    let loadCursorStatement: PostgresStatement
    let saveCursorStatement: PostgresStatement
    /// Group commit: how many append calls are in flight, and the appends waiting for the next one.
    let groups: PostgresAppendGroups
    private static let selectColumns =
        "global_position, event_id, stream_id, stream_version, event_type, occurred_at_ms, actor_party, actor_role, "
        + "actor_person, payload, correlation_id, causation_id, policy_version"

    /// Opens a store: checks the configuration, connects, and creates or upgrades the schema.
    /// - Parameter configuration: Where the database is and how to pool connections.
    /// - Throws: `EventStoreError`: `invalidArgument` for a bad connection string or schema name,
    ///   `unavailable` when the server cannot be reached or refuses the login (SQLSTATE in `backendCode`
    ///   when known), `schemaTooNew` when the database was written by a newer release (nothing changed).
    public init(configuration: PostgresConfiguration) async throws(EventStoreError) {
        let schema = try PostgresSchema.validateSchemaName(configuration.schema)
        let settings = try configuration.connectionSettings()
        self.configuration = configuration
        self.schema = schema
        self.settings = settings
        self.location = settings.location
        self.pool = PostgresConnectionPool(
            settings: settings,
            capacity: configuration.maximumConnections,
            acquireTimeout: configuration.acquireTimeout,
            name: "publicdata-pg-\(schema)"
        )
        self.appendStatement = PostgresStatement(
            name: "pd_append_" + schema,
            sql: "SELECT r_outcome, r_version, r_position, r_detail FROM \(schema).append_events("
                + "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
        )
        self.assignStatement = PostgresStatement(
            name: "pd_assign_" + schema,
            sql: "SELECT \(schema).assign_positions($1, $2)"
        )
        self.groupStatement = PostgresStatement(
            name: "pd_group_" + schema,
            sql: "SELECT r_outcome, r_version, r_position, r_detail FROM \(schema).append_group("
                + "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
        )
        self.positionsStatement = PostgresStatement(
            name: "pd_positions_" + schema,
            sql: "SELECT \(schema).positions_of($1, $2)"
        )
        let columns = Self.selectColumns
        self.headStatement = PostgresStatement(
            name: "pd_head_" + schema,
            sql: "SELECT last_position FROM \(schema).log_head WHERE id = 1"
        )
        self.streamVersionStatement = PostgresStatement(
            name: "pd_version_" + schema,
            sql: "SELECT coalesce(max(stream_version), 0)::bigint FROM \(schema).events WHERE stream_id = $1"
        )
        self.readStreamStatement = PostgresStatement(
            name: "pd_read_stream_" + schema,
            sql: "SELECT \(columns) FROM \(schema).events WHERE stream_id = $1 AND stream_version >= $2 "
                + "AND global_position IS NOT NULL ORDER BY stream_version LIMIT $3"
        )
        self.readAllStatement = PostgresStatement(
            name: "pd_read_all_" + schema,
            sql: "SELECT \(columns) FROM \(schema).events WHERE global_position > $1 ORDER BY global_position LIMIT $2"
        )
        self.loadCursorStatement = PostgresStatement(
            name: "pd_cursor_get_" + schema,
            sql: "SELECT cursor_position FROM \(schema).cursors WHERE name = $1"
        )
        self.saveCursorStatement = PostgresStatement(
            name: "pd_cursor_set_" + schema,
            sql: "INSERT INTO \(schema).cursors (name, cursor_position) VALUES ($1, $2) "
                + "ON CONFLICT (name) DO UPDATE SET cursor_position = excluded.cursor_position, updated_at = now()"
        )
        self.groups = PostgresAppendGroups(limit: configuration.concurrentAppendCalls)
        let mode = configuration.migration
        try await Self.call(pool) { connection in
            try PostgresSchema.migrate(on: connection, schema: schema, mode: mode)
        }
    }

    /// Opens a store from a connection string with default settings.
    /// - Parameters:
    ///   - connectionString: A libpq connection string or `postgresql://` URL.
    ///   - schema: The schema that holds the store's tables.
    /// - Throws: `EventStoreError`, as ``init(configuration:)``.
    public convenience init(
        _ connectionString: String,
        schema: String = PostgresSchema.defaultSchema
    )
        async throws(EventStoreError)
    {
        try await self.init(configuration: PostgresConfiguration(connectionString, schema: schema))
    }

    /// Closes the pool's connections. Later calls fail with `unavailable`. Releasing the store also closes them.
    public func close() async {
        pool.close()
    }

    /// Runs `body` on a pooled connection, turning every failure into an `EventStoreError`.
    private static func call<T: Sendable>(
        _ pool: PostgresConnectionPool,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws(EventStoreError) -> T {
        do {
            return try await pool.withConnection(body)
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError(code: .backend, message: "\(error)")
        }
    }

    func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    )
        async throws(EventStoreError) -> T
    {
        try await Self.call(pool, body)
    }

    // MARK: - EventStore

    /// Appends a batch atomically; see `EventStore` for the contract.
    ///
    /// Appends that arrive while ``PostgresConfiguration/concurrentAppendCalls`` calls are already in flight
    /// wait and go to the server together in the next call (group commit); each keeps its own outcome.
    /// - Throws: `EventStoreError`.
    public func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    )
        async throws -> AppendResult
    {
        try validateAppendArguments(events, stream: stream)
        let request = PostgresAppendRequest(events: events, stream: stream, expectedVersion: expectedVersion)
        let outcome: PostgresAppendOutcome
        let role: PostgresAppendGroups.Role
        if let free = groups.tryLead() {
            role = free
        } else {
            role = await groups.enter(request)
        }
        switch role {
        case .answered(let result): outcome = try result.get()
        case .lead(let busy): outcome = try await lead(request, busy: busy)
        }
        let count = Int64(events.count)
        switch outcome {
        case .appended(let version, let position):
            let recorded = events.enumerated().map { offset, event in
                RecordedEvent(
                    id: event.id,
                    streamID: stream,
                    streamVersion: version - count + Int64(offset) + 1,
                    globalPosition: position - count + Int64(offset) + 1,
                    type: event.type,
                    occurredAt: event.occurredAt,
                    actor: event.actor,
                    payload: event.payload,
                    metadata: event.metadata
                )
            }
            return AppendResult(events: recorded, deduplicated: false)
        case .deduplicated(let stored):
            return AppendResult(events: stored, deduplicated: true)
        case .conflict(let actual):
            throw EventStoreError.versionConflict(stream: stream, expected: expectedVersion, actual: actual)
        case .duplicate(let id):
            throw EventStoreError(
                code: .duplicateEventID,
                message: "event id \(id) is already stored",
                stream: stream,
                location: location
            )
        }
    }

    /// Sends `own` together with the appends queued when the connection is ready, answers those, and returns
    /// the outcome of `own`. The caller holds a slot; it is given back once the append call has returned.
    /// A leader of a busy instance (handed its slot by a previous call, or appends queued lately) sends
    /// through `append_group` even alone, so that it waits for the head row instead of being stored without
    /// positions and positioned by a second call.
    private func lead(
        _ own: PostgresAppendRequest,
        busy: Bool
    ) async throws(EventStoreError) -> PostgresAppendOutcome {
        let groups = groups
        let slot = PostgresAppendSlot(groups)
        let taken = PostgresTakenAppends()
        do throws(EventStoreError) {
            let outcomes = try await withConnection { connection in
                let followers = groups.take(besides: own.events.count)
                taken.set(followers)
                return try self.send(
                    [own] + followers.map(\.request),
                    on: connection,
                    slot: slot,
                    asGroup: busy
                )
            }
            slot.release()
            for (entry, outcome) in zip(taken.drain(), outcomes.dropFirst()) { entry.resume(.answered(outcome)) }
            return try outcomes[0].get()
        } catch {
            slot.release()
            for entry in taken.drain() { entry.resume(.answered(.failure(error))) }
            throw error
        }
    }

    /// Appends the batches on `connection` (one `append_events` call for one batch unless `asGroup`, one
    /// `append_group` call otherwise), releases `slot` once the call has returned, then positions what was
    /// stored without positions. Returns one outcome per batch; throws when no batch has an outcome of its own.
    private func send(
        _ requests: [PostgresAppendRequest],
        on connection: PostgresConnection,
        slot: PostgresAppendSlot,
        asGroup: Bool
    ) throws -> [Result<PostgresAppendOutcome, EventStoreError>] {
        if requests.count == 1 && !asGroup {
            return [.success(try appendOne(requests[0], on: connection, slot: slot))]
        }
        var answer: PostgresResult?
        var failure: EventStoreError?
        do throws(EventStoreError) {
            answer = try retryingDuplicateKeys {
                try connection.execute(self.groupStatement, self.groupBindings(requests))
            }
        } catch {
            failure = error
        }
        guard let rows = answer else {
            let failure = failure ?? EventStoreError(code: .backend, message: "append_group gave no answer")
            // The connection failed: the call may have committed, which only a retry can tell.
            if failure.code == .unavailable { throw failure }
            // Nothing was written (the call is one transaction): one batch's bad value must not fail the
            // others, so each is sent on its own and gets its own answer.
            var outcomes: [Result<PostgresAppendOutcome, EventStoreError>] = []
            for request in requests {
                do throws(EventStoreError) {
                    outcomes.append(.success(try appendOne(request, on: connection, slot: slot)))
                } catch {
                    outcomes.append(.failure(error))
                }
            }
            return outcomes
        }
        slot.release()
        guard rows.rowCount == requests.count else {
            throw EventStoreError(code: .corrupted, message: "append_group returned \(rows.rowCount) outcomes")
        }
        var outcomes: [Result<PostgresAppendOutcome, EventStoreError>] = []
        var pending: [Int] = []
        for (index, request) in requests.enumerated() {
            let version = rows.int64(index, 1) ?? 0
            switch rows.string(index, 0) {
            case "appended":
                outcomes.append(.success(.appended(version: version, position: rows.int64(index, 2) ?? 0)))
            case "pending":
                pending.append(index)
                outcomes.append(.success(.appended(version: version, position: 0)))
            case "deduplicated":
                do throws(EventStoreError) {
                    outcomes.append(.success(try stored(request, on: connection)))
                } catch {
                    outcomes.append(.failure(error))
                }
            case "conflict":
                outcomes.append(.success(.conflict(actual: version)))
            case "duplicate":
                outcomes.append(.success(.duplicate(rows.string(index, 3) ?? "?")))
            case let name:
                outcomes.append(
                    .failure(
                        EventStoreError(
                            code: .corrupted,
                            message: "append_group returned unknown outcome \(name ?? "NULL")"
                        )
                    )
                )
            }
        }
        guard !pending.isEmpty else { return outcomes }
        // Committed together without positions: one call positions them (and whatever else waits).
        do throws(EventStoreError) {
            let ids = pending.map { requests[$0].events[0].id.rawValue }
            let bindings: [PostgresBinding] = [.textArray(ids), .bool(configuration.notifyOnAppend)]
            let positions = try Self.storeErrors {
                try connection.execute(self.positionsStatement, bindings)
            }
            guard positions.rowCount == pending.count else {
                throw EventStoreError(code: .corrupted, message: "positions_of returned \(positions.rowCount) rows")
            }
            for (row, index) in pending.enumerated() {
                guard case .success(.appended(let version, _)) = outcomes[index], let first = positions.int64(row, 0)
                else {
                    throw EventStoreError(code: .corrupted, message: "positions_of found no appended event")
                }
                let last = first + Int64(requests[index].events.count) - 1
                outcomes[index] = .success(.appended(version: version, position: last))
            }
        } catch {
            let failure = error
            for index in pending { outcomes[index] = .failure(failure) }
        }
        return outcomes
    }

    /// One batch through `append_events`; releases `slot` once the call has returned.
    private func appendOne(
        _ request: PostgresAppendRequest,
        on connection: PostgresConnection,
        slot: PostgresAppendSlot
    ) throws(EventStoreError) -> PostgresAppendOutcome {
        let bindings = appendBindings(request.events, stream: request.stream, expectedVersion: request.expectedVersion)
        let result: PostgresResult
        do throws(EventStoreError) {
            result = try retryingDuplicateKeys {
                try connection.execute(self.appendStatement, bindings)
            }
        } catch {
            slot.release()
            throw error
        }
        slot.release()
        guard result.rowCount == 1, let name = result.string(0, 0) else {
            throw EventStoreError(code: .corrupted, message: "append_events returned no outcome")
        }
        switch name {
        case "appended":
            return .appended(version: result.int64(0, 1) ?? 0, position: result.int64(0, 2) ?? 0)
        case "pending":
            // Committed without positions: position it (and whatever else waits) before answering.
            let assign = [PostgresBinding.text(request.events[0].id.rawValue), .bool(configuration.notifyOnAppend)]
            guard
                let first = try Self.storeErrors({ try connection.execute(assignStatement, assign) })
                    .int64(0, 0)
            else {
                throw EventStoreError(code: .corrupted, message: "assign_positions found no appended event")
            }
            return .appended(version: result.int64(0, 1) ?? 0, position: first + Int64(request.events.count) - 1)
        case "deduplicated":
            return try stored(request, on: connection)
        case "conflict":
            return .conflict(actual: result.int64(0, 1) ?? 0)
        case "duplicate":
            return .duplicate(result.string(0, 3) ?? "?")
        default:
            throw EventStoreError(code: .corrupted, message: "append_events returned unknown outcome \(name)")
        }
    }

    /// The stored events of a batch found stored before (positioned first, should it still wait).
    private func stored(
        _ request: PostgresAppendRequest,
        on connection: PostgresConnection
    ) throws(EventStoreError) -> PostgresAppendOutcome {
        let ids = request.events.map { $0.id.rawValue }
        let assign = [PostgresBinding.text(ids[0]), .bool(configuration.notifyOnAppend)]
        let readSQL =
            "SELECT \(Self.selectColumns) FROM \(schema).events WHERE event_id = ANY ($1) ORDER BY stream_version"
        return try Self.storeErrors {
            _ = try connection.execute(assignStatement, assign)
            return .deduplicated(try Self.decodeEvents(try connection.execute(readSQL, [.textArray(ids)])))
        }
    }

    /// Runs `body`, turning any other error into an `EventStoreError` (`backend`).
    private static func storeErrors<T>(_ body: () throws -> T) throws(EventStoreError) -> T {
        do {
            return try body()
        } catch let error as EventStoreError {
            throw error
        } catch {
            throw EventStoreError(code: .backend, message: "\(error)")
        }
    }

    /// Runs an append call again when a concurrent append with one of its event ids committed first (SQLSTATE
    /// 23505; nothing was written): decided again, the answer is then `deduplicated` or `duplicate`.
    private func retryingDuplicateKeys(
        _ call: () throws -> PostgresResult
    ) throws(EventStoreError) -> PostgresResult {
        var attempts = 0
        while true {
            do {
                return try call()
            } catch let error as EventStoreError {
                if error.backendCode != "23505" || attempts >= 5 { throw error }
                attempts += 1
            } catch {
                throw EventStoreError(code: .backend, message: "\(error)")
            }
        }
    }

    /// Reads a stream in version order.
    /// - Throws: `EventStoreError`.
    public func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        try validateStreamID(stream)
        let statement = readStreamStatement
        let bindings: [PostgresBinding] = [.text(stream.rawValue), .int64(fromVersion), .int64(Int64(limit))]
        return try await withConnection { connection in
            try Self.decodeEvents(try connection.execute(statement, bindings))
        }
    }

    /// Reads the global log in position order.
    /// - Throws: `EventStoreError`.
    public func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try validateReadLimit(limit)
        let statement = readAllStatement
        let bindings: [PostgresBinding] = [.int64(position), .int64(Int64(limit))]
        return try await withConnection { connection in
            try Self.decodeEvents(try connection.execute(statement, bindings))
        }
    }

    /// The stream's current version (0 when it has no events), counting committed events that are still
    /// waiting for their positions: the version the next append is checked against.
    /// - Throws: `EventStoreError`.
    public func streamVersion(_ stream: StreamID) async throws -> Int64 {
        try validateStreamID(stream)
        let statement = streamVersionStatement
        let bindings: [PostgresBinding] = [.text(stream.rawValue)]
        return try await withConnection { connection in
            try connection.execute(statement, bindings).int64(0, 0) ?? 0
        }
    }

    /// The last committed position (0 for an empty store).
    /// - Throws: `EventStoreError`.
    public func headPosition() async throws -> Int64 {
        let statement = headStatement
        return try await withConnection { connection in
            try connection.execute(statement, []).int64(0, 0) ?? 0
        }
    }

    /// The position saved under `name`, or `nil`.
    /// - Throws: `EventStoreError`.
    public func loadCursor(_ name: String) async throws -> Int64? {
        try validateCursorName(name)
        let statement = loadCursorStatement
        let bindings: [PostgresBinding] = [.text(name)]
        return try await withConnection { connection in
            let result = try connection.execute(statement, bindings)
            return result.rowCount == 0 ? nil : result.int64(0, 0)
        }
    }

    /// Durably saves a cursor, replacing any earlier value.
    /// - Throws: `EventStoreError` (`invalidArgument` for a name breaking `IdentifierRules`).
    public func saveCursor(_ name: String, position: Int64) async throws {
        try validateCursorName(name)
        let statement = saveCursorStatement
        let bindings: [PostgresBinding] = [.text(name), .int64(position)]
        try await withConnection { connection in
            try connection.execute(statement, bindings)
            return ()
        }
    }

    // MARK: - Wake-ups

    /// A stream that yields whenever events may have been appended, so followers of the global log (ledger,
    /// outbox, projections) read at once instead of polling.
    ///
    /// It listens on the schema's notification channel with a dedicated connection and thread. It yields once
    /// at the start and again after every reconnection (notifications sent while disconnected are lost), and
    /// coalesces bursts into one element. Cursors stay the source of truth: on each element, read from your
    /// cursor with ``readAll(after:limit:)``. Stop iterating (or cancel the task) to close the connection.
    ///
    /// ```swift
    /// for await _ in store.logWakeUps() {
    ///     let events = try await store.readAll(after: cursor, limit: 500)
    ///     …
    /// }
    /// ```
    /// - Returns: An endless stream of wake-ups.
    public func logWakeUps() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let listener = PostgresNotificationListener(
            settings: settings,
            channel: PostgresSchema.notificationChannel(schema: schema),
            continuation: continuation
        )
        continuation.onTermination = { _ in listener.stop() }
        listener.start()
        return stream
    }

    // MARK: - Encoding

    func appendBindings(
        _ events: [ProposedEvent],
        stream: StreamID,
        expectedVersion: ExpectedVersion
    ) -> [PostgresBinding] {
        let expected: PostgresBinding =
            switch expectedVersion {
            case .any: .null
            case .noStream: .int64(0)
            case .exactly(let version): .int64(version)
            }
        return [
            .text(stream.rawValue),
            expected,
            .textArray(events.map { $0.id.rawValue }),
            .textArray(events.map { $0.type }),
            .int64Array(events.map { $0.occurredAt.millisecondsSince1970 }),
            .textArray(events.map { $0.actor?.party.rawValue }),
            .textArray(events.map { $0.actor?.role.rawValue }),
            .textArray(events.map { $0.actor?.person }),
            .byteaArray(events.map { $0.payload }),
            .textArray(events.map { $0.metadata.correlationID }),
            .textArray(events.map { $0.metadata.causationID }),
            .textArray(events.map { $0.metadata.policyVersion }),
            .bool(configuration.notifyOnAppend),
        ]
    }

    /// The parameters of one `append_group` call: the batches' streams, expected versions (NULL for any) and
    /// sizes, then every event's columns in batch order.
    func groupBindings(_ requests: [PostgresAppendRequest]) -> [PostgresBinding] {
        let events = requests.flatMap(\.events)
        let expected: [Int64?] = requests.map { request in
            switch request.expectedVersion {
            case .any: nil
            case .noStream: 0
            case .exactly(let version): version
            }
        }
        return [
            .textArray(requests.map { $0.stream.rawValue }),
            .optionalInt64Array(expected),
            .int32Array(requests.map { Int32(clamping: $0.events.count) }),
            .textArray(events.map { $0.id.rawValue }),
            .textArray(events.map { $0.type }),
            .int64Array(events.map { $0.occurredAt.millisecondsSince1970 }),
            .textArray(events.map { $0.actor?.party.rawValue }),
            .textArray(events.map { $0.actor?.role.rawValue }),
            .textArray(events.map { $0.actor?.person }),
            .byteaArray(events.map { $0.payload }),
            .textArray(events.map { $0.metadata.correlationID }),
            .textArray(events.map { $0.metadata.causationID }),
            .textArray(events.map { $0.metadata.policyVersion }),
            .bool(configuration.notifyOnAppend),
        ]
    }

    /// Decodes rows of `selectColumns` (binary format).
    static func decodeEvents(_ result: PostgresResult) throws -> [RecordedEvent] {
        var events: [RecordedEvent] = []
        events.reserveCapacity(result.rowCount)
        for row in 0..<result.rowCount {
            guard let position = result.int64(row, 0), let id = result.string(row, 1),
                let stream = result.string(row, 2), let version = result.int64(row, 3),
                let type = result.string(row, 4), let occurred = result.int64(row, 5),
                let payload = result.data(row, 9)
            else {
                throw EventStoreError(code: .corrupted, message: "an event row has a missing or malformed column")
            }
            var actor: Principal?
            if let party = result.string(row, 6) {
                guard let roleName = result.string(row, 7), let role = Role(rawValue: roleName),
                    let person = result.string(row, 8)
                else {
                    throw EventStoreError(
                        code: .corrupted,
                        message: "event \(id) at position \(position) has an unknown actor role",
                        stream: StreamID(stream)
                    )
                }
                actor = Principal(party: PartyID(party), role: role, person: person)
            }
            let metadata = EventMetadata(
                correlationID: result.string(row, 10),
                causationID: result.string(row, 11),
                policyVersion: result.string(row, 12)
            )
            events.append(
                RecordedEvent(
                    id: EventID(id),
                    streamID: StreamID(stream),
                    streamVersion: version,
                    globalPosition: position,
                    type: type,
                    occurredAt: Date(millisecondsSince1970: occurred),
                    actor: actor,
                    payload: payload,
                    metadata: metadata
                )
            )
        }
        return events
    }
}
#endif
