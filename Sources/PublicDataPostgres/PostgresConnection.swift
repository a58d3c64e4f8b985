#if PostgreSQL
import CPublicDataLibPQ
import Foundation
import PublicDataModel

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// MARK: - Dedicated threads

/// A thread of its own that runs blocking jobs (libpq calls) one after another, off Swift's cooperative pool.
///
/// libpq blocks the calling thread for the whole network round trip (and a commit's WAL flush). Running
/// that on the cooperative pool would starve every other task of the process, so each pooled connection
/// owns one of these threads and every call on that connection runs there.
final class WorkerThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopping = false

    /// Starts the thread.
    init(name: String) {
        let thread = Thread { [self] in loop() }
        thread.name = name
        thread.stackSize = 512 * 1024
        thread.start()
    }

    /// Queues `job`; it runs after every job queued before it.
    func submit(_ job: @escaping @Sendable () -> Void) {
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the queued jobs, then end.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
    }

    /// Runs `body` on the thread and returns its result to the awaiting task.
    func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            submit {
                do {
                    continuation.resume(returning: try body())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    /// `true` on a worker thread (a thread-local mark set when the thread starts).
    static var isCurrentThreadWorker: Bool {
        Thread.current.threadDictionary[workerKey] as? Bool ?? false
    }
    private static let workerKey = "PublicDataPostgres.WorkerThread"

    private func loop() {
        Thread.current.threadDictionary[Self.workerKey] = true
        while true {
            condition.lock()
            while jobs.isEmpty && !stopping { condition.wait() }
            if jobs.isEmpty && stopping {
                condition.unlock()
                return
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}

// MARK: - Values

/// One statement parameter, already in PostgreSQL's binary wire format.
struct PostgresBinding: Sendable {
    /// The parameter's type OID.
    var oid: UInt32
    /// The binary value; `nil` is SQL NULL.
    var bytes: [UInt8]?

    static let null = PostgresBinding(oid: 0, bytes: nil)

    static func text(_ value: String) -> Self { PostgresBinding(oid: 25, bytes: Array(value.utf8)) }
    static func int64(_ value: Int64) -> Self { PostgresBinding(oid: 20, bytes: bigEndianBytes(value)) }
    static func bool(_ value: Bool) -> Self { PostgresBinding(oid: 16, bytes: [value ? 1 : 0]) }
    static func bytea(_ value: Data) -> Self { PostgresBinding(oid: 17, bytes: Array(value)) }

    static func textArray(_ values: [String?]) -> Self {
        array(elementOID: 25, arrayOID: 1009, values.map { $0.map { Array($0.utf8) } })
    }
    static func int64Array(_ values: [Int64]) -> Self {
        array(elementOID: 20, arrayOID: 1016, values.map { bigEndianBytes($0) })
    }
    static func optionalInt64Array(_ values: [Int64?]) -> Self {
        array(elementOID: 20, arrayOID: 1016, values.map { $0.map { bigEndianBytes($0) } })
    }
    static func int32Array(_ values: [Int32]) -> Self {
        array(elementOID: 23, arrayOID: 1007, values.map { bigEndianBytes($0) })
    }
    static func byteaArray(_ values: [Data]) -> Self {
        array(elementOID: 17, arrayOID: 1001, values.map { Array($0) })
    }

    /// A one-dimensional array in binary format: ndim, has-null flag, element OID, size and lower bound,
    /// then each element as a 4-byte length (-1 for NULL) followed by its bytes.
    private static func array(elementOID: UInt32, arrayOID: UInt32, _ elements: [[UInt8]?]) -> Self {
        var out: [UInt8] = []
        out.reserveCapacity(20 + elements.reduce(0) { $0 + 4 + ($1?.count ?? 0) })
        func put32(_ value: Int32) { out += bigEndianBytes(value) }
        if elements.isEmpty {
            put32(0)
            put32(0)
            out += bigEndianBytes(elementOID)
            return PostgresBinding(oid: arrayOID, bytes: out)
        }
        put32(1)
        put32(elements.contains { $0 == nil } ? 1 : 0)
        out += bigEndianBytes(elementOID)
        put32(Int32(clamping: elements.count))
        put32(1)
        for element in elements {
            if let element {
                put32(Int32(clamping: element.count))
                out += element
            } else {
                put32(-1)
            }
        }
        return PostgresBinding(oid: arrayOID, bytes: out)
    }
}

func bigEndianBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.bigEndian) { Array($0) }
}

/// A statement's result, read on the connection's thread; cleared when released.
final class PostgresResult {
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { PQclear(raw) }

    var rowCount: Int { Int(PQntuples(raw)) }
    var columnCount: Int { Int(PQnfields(raw)) }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(raw, Int32(row), Int32(column)) != 0 }

    private func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(raw, Int32(row), Int32(column)))
        guard let pointer = PQgetvalue(raw, Int32(row), Int32(column)) else {
            return UnsafeRawBufferPointer(start: nil, count: 0)
        }
        return UnsafeRawBufferPointer(start: pointer, count: length)
    }

    /// A text-format or binary-format string column.
    func string(_ row: Int, _ column: Int) -> String? {
        if isNull(row, column) { return nil }
        return String(decoding: bytes(row, column), as: UTF8.self)
    }

    /// A binary-format `bigint` column.
    func int64(_ row: Int, _ column: Int) -> Int64? {
        if isNull(row, column) { return nil }
        let buffer = bytes(row, column)
        guard buffer.count == 8 else { return nil }
        var value: UInt64 = 0
        for byte in buffer { value = value << 8 | UInt64(byte) }
        return Int64(bitPattern: value)
    }

    /// A binary-format `bytea` column.
    func data(_ row: Int, _ column: Int) -> Data? {
        if isNull(row, column) { return nil }
        return Data(bytes(row, column))
    }
}

/// A statement the store prepares once per session: its name (unique per schema, at most 63 bytes) and SQL.
struct PostgresStatement: Sendable {
    var name: String
    var sql: String
}

// MARK: - Connection settings

/// How to open one libpq connection: the host's connection string plus the store's defaults.
struct PostgresConnectionSettings: Sendable {
    var connectionString: String
    var connectTimeoutSeconds: Int
    var statementTimeoutMilliseconds: Int64
    var reconnectWindow: Duration
    var applicationName: String
    /// The target without secrets, for error messages (`host=… port=… dbname=… user=…`).
    var location: String

    /// Opens a connection, retrying transient failures (server starting, restarting or not yet listening)
    /// for up to ``reconnectWindow``.
    /// - Throws: `EventStoreError` with code `unavailable`.
    func connect() throws -> OpaquePointer {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: reconnectWindow)
        var pause = Duration.milliseconds(50)
        while true {
            do {
                return try connectOnce()
            } catch let error as EventStoreError {
                guard Self.isTransient(error), clock.now.advanced(by: pause) < deadline else { throw error }
                Thread.sleep(
                    forTimeInterval: Double(pause.components.attoseconds) / 1e18 + Double(pause.components.seconds)
                )
                pause = min(pause * 2, .seconds(1))
            }
        }
    }

    /// One connection attempt, then the session settings.
    func connectOnce() throws -> OpaquePointer {
        // Keywords are processed in order and a later one wins: the defaults come first so that the host's
        // connection string (expanded from `dbname`) overrides them; client_encoding comes last because the
        // store exchanges text as UTF-8.
        let pairs: [(String, String)] = [
            ("connect_timeout", String(connectTimeoutSeconds)),
            ("fallback_application_name", applicationName),
            ("dbname", connectionString),
            ("client_encoding", "UTF8"),
        ]
        let keywords = pairs.map { strdup($0.0) }
        let values = pairs.map { strdup($0.1) }
        defer {
            for pointer in keywords + values { free(pointer) }
        }
        var keywordPointers: [UnsafePointer<CChar>?] = keywords.map { UnsafePointer($0) } + [nil]
        var valuePointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer($0) } + [nil]
        guard let connection = PQconnectdbParams(&keywordPointers, &valuePointers, 1) else {
            throw EventStoreError(
                code: .unavailable,
                message: "libpq could not allocate a connection",
                location: location
            )
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(connection))
            PQfinish(connection)
            throw EventStoreError(
                code: .unavailable,
                message: "cannot connect to PostgreSQL: \(message)",
                location: location,
                backendCode: Self.connectionFailureCode(message)
            )
        }
        // Server notices (e.g. "already exists, skipping") are not errors; keep them off the host's stderr.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        let setup = "SET statement_timeout = \(statementTimeoutMilliseconds)"
        if let result = PQexec(connection, setup) {
            let status = PQresultStatus(result)
            PQclear(result)
            if status != PGRES_COMMAND_OK {
                let message = Self.trimmed(PQerrorMessage(connection))
                PQfinish(connection)
                throw EventStoreError(
                    code: .unavailable,
                    message: "cannot set up the session: \(message)",
                    location: location
                )
            }
        }
        return connection
    }

    /// Connects, runs `sql` as a script, and disconnects, synchronously (exit handlers, tools).
    /// - Throws: `EventStoreError`.
    func executeOnce(_ sql: String) throws {
        let connection = try connectOnce()
        defer { PQfinish(connection) }
        guard let result = PQexec(connection, sql) else {
            throw EventStoreError(
                code: .unavailable,
                message: Self.trimmed(PQerrorMessage(connection)),
                location: location
            )
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            throw EventStoreError(code: .backend, message: Self.trimmed(PQerrorMessage(connection)), location: location)
        }
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "unknown error" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "\n", with: " ")
    }

    /// libpq reports connection failures as text only; name the SQLSTATE for the causes a host must tell apart.
    static func connectionFailureCode(_ message: String) -> String? {
        if message.contains("password authentication failed") { return "28P01" }
        if message.contains("no password supplied") { return "28P01" }
        if message.contains("does not exist") && message.contains("database") { return "3D000" }
        if message.contains("does not exist") && message.contains("role") { return "28000" }
        if message.contains("too many clients") || message.contains("remaining connection slots") { return "53300" }
        if message.contains("the database system is starting up") { return "57P03" }
        if message.contains("the database system is shutting down") { return "57P03" }
        if message.contains("the database system is in recovery mode") { return "57P03" }
        return "08006"
    }

    /// Whether a connect failure may go away by itself (server restarting, failover in progress).
    static func isTransient(_ error: EventStoreError) -> Bool {
        guard error.code == .unavailable else { return false }
        if error.backendCode == "57P03" || error.backendCode == "53300" { return true }
        let message = error.message
        return message.contains("Connection refused") || message.contains("No such file or directory")
            || message.contains("server closed the connection") || message.contains("timeout expired")
            || message.contains("Connection reset")
    }

    /// The parts of `connectionString` that identify the target, without a password.
    /// - Throws: `EventStoreError` `invalidArgument` when libpq cannot parse the string.
    static func describeTarget(_ connectionString: String) throws(EventStoreError) -> String {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let isConninfo =
            connectionString.contains("=") || connectionString.hasPrefix("postgres://")
            || connectionString.hasPrefix("postgresql://")
        guard isConninfo else { return connectionString.isEmpty ? "(libpq defaults)" : "dbname=\(connectionString)" }
        guard let options = PQconninfoParse(connectionString, &errorMessage) else {
            let message = trimmed(errorMessage)
            if let errorMessage { PQfreemem(errorMessage) }
            throw EventStoreError(code: .invalidArgument, message: "invalid PostgreSQL connection string: \(message)")
        }
        defer { PQconninfoFree(options) }
        var parts: [String] = []
        var index = 0
        while let keyword = options[index].keyword {
            let name = String(cString: keyword)
            if ["host", "hostaddr", "port", "dbname", "user", "sslmode"].contains(name), let value = options[index].val
            {
                parts.append("\(name)=\(String(cString: value))")
            }
            index += 1
        }
        return parts.isEmpty ? "(libpq defaults)" : parts.joined(separator: " ")
    }
}

// MARK: - Connection

/// One libpq connection with its own thread. Every use of the handle happens on that thread.
///
/// The connection is opened lazily and replaced transparently: before a statement is sent, a connection that
/// the server dropped (restart, failover, `pg_terminate_backend`, idle timeout) is detected and reopened, so a
/// statement is only ever sent on a live session. A failure after the statement was sent is reported to the
/// caller and the session is reopened on the next use.
final class PostgresConnection: @unchecked Sendable {
    let settings: PostgresConnectionSettings
    private let worker: WorkerThread
    /// Only touched on `worker`'s thread (or after the worker stopped).
    private var handle: OpaquePointer?
    /// The statements prepared on the current session; only touched on `worker`'s thread.
    private var prepared: Set<String> = []

    init(settings: PostgresConnectionSettings, name: String) {
        self.settings = settings
        self.worker = WorkerThread(name: name)
    }

    /// Runs `body` on the connection's thread with a live session.
    ///
    /// A session left inside a transaction is rolled back first, unless `keepTransaction` (tests that hold a
    /// transaction open across calls).
    func run<T: Sendable>(
        keepTransaction: Bool = false,
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    )
        async throws -> T
    {
        try await worker.run { [self] in
            try ensureConnected(keepTransaction: keepTransaction)
            return try body(self)
        }
    }

    /// Closes the session and ends the thread, after queued jobs.
    func shutdown() {
        worker.submit { [self] in
            if let handle {
                PQfinish(handle)
                self.handle = nil
            }
        }
        worker.stop()
    }

    /// The backend's process id (on the connection's thread).
    var backendPID: Int32 { handle.map { PQbackendPID($0) } ?? 0 }

    /// Opens the session if needed and replaces it when the server has dropped it.
    private func ensureConnected(keepTransaction: Bool) throws {
        if let current = handle {
            if PQstatus(current) == CONNECTION_OK && Self.isAlive(current) {
                switch PQtransactionStatus(current) {
                case PQTRANS_IDLE:
                    return
                case PQTRANS_INTRANS where keepTransaction, PQTRANS_INERROR where keepTransaction:
                    return
                case PQTRANS_INTRANS, PQTRANS_INERROR:
                    if let result = PQexec(current, "ROLLBACK") { PQclear(result) }
                    if PQtransactionStatus(current) == PQTRANS_IDLE { return }
                default:
                    break
                }
            }
            PQfinish(current)
            handle = nil
        }
        prepared.removeAll()
        handle = try settings.connect()
    }

    /// `false` when the server has closed the socket (it is readable and reading finds the end).
    private static func isAlive(_ connection: OpaquePointer) -> Bool {
        let socket = PQsocket(connection)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        if ready == 0 { return true }
        if ready < 0 { return false }
        guard PQconsumeInput(connection) != 0 else { return false }
        while let notice = PQnotifies(connection) { PQfreemem(notice) }
        return PQstatus(connection) == CONNECTION_OK
    }

    /// Runs one statement with binary parameters; results in binary format unless `textResults`.
    /// - Throws: `EventStoreError` naming the SQLSTATE.
    @discardableResult
    func execute(
        _ sql: String,
        _ bindings: [PostgresBinding] = [],
        textResults: Bool = false
    ) throws
        -> PostgresResult
    {
        let handle = try liveHandle()
        let raw = try Self.withParameters(bindings, location: settings.location) {
            count,
            types,
            values,
            lengths,
            formats in
            PQexecParams(handle, sql, count, types, values, lengths, formats, textResults ? 0 : 1)
        }
        return try check(raw, handle: handle)
    }

    /// Runs a statement prepared once per session under `name` (binary parameters and results), so the
    /// server parses and plans it once instead of on every call. The parameter types are those of `bindings`
    /// on first use (a NULL lets the server infer its type); later calls must bind the same types.
    /// - Throws: `EventStoreError` naming the SQLSTATE.
    @discardableResult
    func executePrepared(
        _ name: String,
        _ sql: String,
        _ bindings: [PostgresBinding],
        preparingAgain: Bool = false
    ) throws
        -> PostgresResult
    {
        let handle = try liveHandle()
        if !prepared.contains(name) {
            var types = bindings.map { $0.oid }
            let raw = PQprepare(handle, name, sql, Int32(types.count), &types)
            do {
                _ = try check(raw, handle: handle)
            } catch let error as EventStoreError where error.backendCode == "42P05" {
                // Already prepared on this server session (a pooler hands sessions around); names are per
                // schema, so it is the same statement.
            }
            prepared.insert(name)
        }
        let raw = try Self.withParameters(bindings, location: settings.location) {
            count,
            _,
            values,
            lengths,
            formats in
            PQexecPrepared(handle, name, count, values, lengths, formats, 1)
        }
        do {
            return try check(raw, handle: handle)
        } catch let error as EventStoreError where error.backendCode == "26000" && !preparingAgain {
            // The session lost its prepared statements (DISCARD ALL, a pooler in between): prepare again.
            prepared.remove(name)
            return try executePrepared(name, sql, bindings, preparingAgain: true)
        }
    }

    /// Runs `statement`, prepared once per session under its name (see
    /// ``executePrepared(_:_:_:preparingAgain:)``).
    /// - Throws: `EventStoreError` naming the SQLSTATE.
    @discardableResult
    func execute(_ statement: PostgresStatement, _ bindings: [PostgresBinding]) throws -> PostgresResult {
        try executePrepared(statement.name, statement.sql, bindings)
    }

    private func liveHandle() throws -> OpaquePointer {
        guard let handle else {
            throw EventStoreError(code: .unavailable, message: "not connected", location: settings.location)
        }
        return handle
    }

    /// Turns a libpq result into a `PostgresResult`, or throws the error it carries.
    private func check(_ raw: OpaquePointer?, handle: OpaquePointer) throws -> PostgresResult {
        guard let raw else {
            throw EventStoreError(
                code: .unavailable,
                message: PostgresConnectionSettings.trimmed(PQerrorMessage(handle)),
                location: settings.location,
                backendCode: "08006"
            )
        }
        let result = PostgresResult(raw)
        let status = PQresultStatus(raw)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK else {
            let error = mapError(result: raw, handle: handle)
            withExtendedLifetime(result) {}
            throw error
        }
        return result
    }

    /// Lays `bindings` out as libpq wants them (binary format, explicit lengths) for the duration of `body`.
    private static func withParameters(
        _ bindings: [PostgresBinding],
        location: String,
        _ body: (
            Int32, UnsafePointer<UInt32>?, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?,
            UnsafePointer<Int32>?
        ) -> OpaquePointer?
    ) throws -> OpaquePointer? {
        let count = bindings.count
        // Lengths are sent explicitly (binary format, never C strings); a value libpq cannot describe is an
        // error, not a silently clamped length.
        for (index, binding) in bindings.enumerated() where (binding.bytes?.count ?? 0) > Int(Int32.max) {
            throw EventStoreError(
                code: .invalidArgument,
                message:
                    "parameter \(index + 1) is \(binding.bytes?.count ?? 0) bytes; libpq takes at most \(Int32.max)",
                location: location
            )
        }
        let types = bindings.map { $0.oid }
        let lengths = bindings.map { Int32(clamping: $0.bytes?.count ?? 0) }
        let formats = [Int32](repeating: 1, count: count)
        var buffers: [UnsafeMutablePointer<CChar>?] = bindings.map { binding in
            guard let bytes = binding.bytes else { return nil }
            let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: max(1, bytes.count))
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { chars in
                    if let base = chars.baseAddress { buffer.initialize(from: base, count: chars.count) }
                }
            }
            return buffer
        }
        defer {
            for buffer in buffers { buffer?.deallocate() }
        }
        return buffers.withUnsafeMutableBufferPointer { values in
            values.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constValues in
                types.withUnsafeBufferPointer { types in
                    lengths.withUnsafeBufferPointer { lengths in
                        formats.withUnsafeBufferPointer { formats in
                            body(
                                Int32(count),
                                types.baseAddress,
                                UnsafePointer(constValues.baseAddress),
                                lengths.baseAddress,
                                formats.baseAddress
                            )
                        }
                    }
                }
            }
        }
    }

    /// Runs one or more statements given as text (DDL; no parameters).
    /// - Throws: `EventStoreError` naming the SQLSTATE.
    func executeScript(_ sql: String) throws {
        guard let handle else {
            throw EventStoreError(code: .unavailable, message: "not connected", location: settings.location)
        }
        guard let raw = PQexec(handle, sql) else {
            throw EventStoreError(
                code: .unavailable,
                message: PostgresConnectionSettings.trimmed(PQerrorMessage(handle)),
                location: settings.location,
                backendCode: "08006"
            )
        }
        let result = PostgresResult(raw)
        let status = PQresultStatus(raw)
        guard status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY else {
            throw mapError(result: result.raw, handle: handle)
        }
    }

    private func mapError(result: OpaquePointer, handle: OpaquePointer) -> EventStoreError {
        let sqlState = PQresultErrorField(result, Int32(UInt8(ascii: "C"))).map { String(cString: $0) }
        var message =
            PQresultErrorField(result, Int32(UInt8(ascii: "M"))).map { String(cString: $0) }
            ?? PostgresConnectionSettings.trimmed(PQerrorMessage(handle))
        if message.isEmpty { message = PostgresConnectionSettings.trimmed(PQerrorMessage(handle)) }
        let lost = PQstatus(handle) != CONNECTION_OK
        return PostgresErrorMapping.error(
            sqlState: sqlState,
            message: message,
            connectionLost: lost,
            location: settings.location
        )
    }
}

/// Maps SQLSTATE classes to `EventStoreError` codes.
enum PostgresErrorMapping {
    static func error(sqlState: String?, message: String, connectionLost: Bool, location: String) -> EventStoreError {
        let state = sqlState ?? (connectionLost ? "08006" : nil)
        let code: EventStoreError.Code
        var text = message
        switch state {
        case let s? where s.hasPrefix("08"):  // connection exception
            code = .unavailable
        case "57P01", "57P02", "57P03":  // admin shutdown (pg_terminate_backend, fast shutdown), crash, cannot connect
            code = .unavailable
        case "57014":  // query_canceled: statement_timeout or a cancel request
            code = .unavailable
            text = "statement cancelled (statement timeout or cancel request): " + message
        case "55P03":  // lock_not_available (lock_timeout)
            code = .unavailable
        case let s? where s.hasPrefix("53"):  // insufficient resources
            code = .unavailable
        case let s? where s.hasPrefix("28"):  // invalid authorization
            code = .unavailable
        case "3D000":  // database does not exist
            code = .unavailable
        case "25006":  // read-only transaction: connected to a standby
            code = .unavailable
            text = "the server is read-only (a standby?): " + message
        case let s? where s.hasPrefix("22"):  // data exception (e.g. a NUL character in text)
            code = .invalidArgument
        case "23505":  // unique violation
            code = .duplicateEventID
        default:
            code = .backend
        }
        if connectionLost && code == .backend {
            return EventStoreError(
                code: .unavailable,
                message: "connection lost: " + text,
                location: location,
                backendCode: state
            )
        }
        return EventStoreError(code: code, message: text, location: location, backendCode: state)
    }
}
#endif
