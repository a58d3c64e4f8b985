import CPublicDataSQLite
import Foundation
import PublicDataModel

/// SQLite's transient-destructor marker: SQLite copies bound text and blobs before the call returns.
private let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// A static byte to point at when binding an empty value (SQLite binds a null pointer as SQL NULL).
private nonisolated(unsafe) let emptyText: UnsafeMutablePointer<UInt8> = {
    let pointer = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    pointer.initialize(to: 0)
    return pointer
}()

/// The largest value, in bytes, this wrapper hands to SQLite: SQLite's own compile-time ceiling
/// (`SQLITE_MAX_LENGTH` is at most 2^31 − 1); the connection's run-time limit may be lower.
let sqliteMaximumValueBytes = Int(Int32.max)

/// `count` as the 64-bit length SQLite's `*64` bind functions take.
/// - Throws: `invalidArgument` when `count` exceeds ``sqliteMaximumValueBytes`` (a ≥ 2 GiB payload), instead
///   of trapping in an `Int32` conversion.
func sqliteLength(_ count: Int, what: String) throws(EventStoreError) -> sqlite3_uint64 {
    guard count >= 0, count <= sqliteMaximumValueBytes else {
        throw EventStoreError(
            code: .invalidArgument,
            message: "a \(what) of \(count) bytes is larger than SQLite can store (\(sqliteMaximumValueBytes) bytes)"
        )
    }
    return sqlite3_uint64(count)
}

/// A thin, single-threaded wrapper around one `sqlite3` connection. Used only on the store's queue.
final class SQLiteConnection: @unchecked Sendable {  // confined to the owning store's serial queue
    let path: String
    private var handle: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]

    init(path: String, busyTimeoutMilliseconds: Int32, create: Bool) throws(EventStoreError) {
        self.path = path
        var db: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) | SQLITE_OPEN_NOMUTEX
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(db)
            throw EventStoreError(
                code: .unavailable,
                message: "cannot open the database: \(message)",
                location: path,
                backendCode: "\(rc)"
            )
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMilliseconds)
    }

    deinit { close() }

    func close() {
        for statement in statements.values { sqlite3_finalize(statement) }
        statements.removeAll()
        if let handle { sqlite3_close_v2(handle) }
        handle = nil
    }

    func error(_ rc: Int32, _ what: String) -> EventStoreError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "closed"
        let primary = rc & 0xFF
        let code: EventStoreError.Code =
            switch primary {
            case SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN, SQLITE_NOTADB, SQLITE_READONLY, SQLITE_PERM,
                SQLITE_AUTH, SQLITE_FULL, SQLITE_IOERR:
                .unavailable
            case SQLITE_CORRUPT: .corrupted
            case SQLITE_TOOBIG, SQLITE_RANGE: .invalidArgument
            default: .backend
            }
        return EventStoreError(code: code, message: "\(what): \(message)", location: path, backendCode: "\(rc)")
    }

    func execute(_ sql: String) throws(EventStoreError) {
        guard let handle else { throw EventStoreError(code: .unavailable, message: "closed", location: path) }
        let rc = sqlite3_exec(handle, sql, nil, nil, nil)
        guard rc == SQLITE_OK else { throw error(rc, "executing \(sql.prefix(40))") }
    }

    /// A cached prepared statement, reset and cleared of bindings.
    func statement(_ sql: String) throws(EventStoreError) -> Statement {
        guard let handle else { throw EventStoreError(code: .unavailable, message: "closed", location: path) }
        if let cached = statements[sql] {
            sqlite3_reset(cached)
            sqlite3_clear_bindings(cached)
            return Statement(raw: cached, connection: self)
        }
        var raw: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &raw, nil)
        guard rc == SQLITE_OK, let raw else { throw error(rc, "preparing \(sql.prefix(40))") }
        statements[sql] = raw
        return Statement(raw: raw, connection: self)
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws.
    func writeTransaction<T>(_ body: () throws(EventStoreError) -> T) throws(EventStoreError) -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    var lastInsertedRowID: Int64 { handle.map { sqlite3_last_insert_rowid($0) } ?? 0 }
}

/// A prepared statement borrowed from the connection's cache.
struct Statement {
    let raw: OpaquePointer
    unowned let connection: SQLiteConnection

    /// Binds text with its explicit UTF-8 length (never C-string semantics: an embedded NUL is kept).
    func bind(_ index: Int32, _ value: String?) throws(EventStoreError) {
        let rc: Int32
        if var value {
            let length = try sqliteLength(value.utf8.count, what: "text")
            rc = value.withUTF8 { buffer in
                // A non-null pointer even for "", which SQLite would otherwise bind as NULL.
                let base = UnsafeRawPointer(buffer.baseAddress) ?? UnsafeRawPointer(emptyText)
                return sqlite3_bind_text64(
                    raw,
                    index,
                    base.assumingMemoryBound(to: CChar.self),
                    length,
                    transient,
                    UInt8(SQLITE_UTF8)
                )
            }
        } else {
            rc = sqlite3_bind_null(raw, index)
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, "binding text") }
    }

    func bind(_ index: Int32, _ value: Int64) throws(EventStoreError) {
        let rc = sqlite3_bind_int64(raw, index, value)
        guard rc == SQLITE_OK else { throw connection.error(rc, "binding integer") }
    }

    /// Binds a blob with its explicit 64-bit length; a size SQLite refuses is a typed error, never a trap.
    func bind(_ index: Int32, _ value: Data) throws(EventStoreError) {
        let length = try sqliteLength(value.count, what: "blob")
        let rc = value.withUnsafeBytes { buffer in
            sqlite3_bind_blob64(
                raw,
                index,
                buffer.baseAddress ?? UnsafeRawPointer(emptyText),
                length,
                transient
            )
        }
        guard rc == SQLITE_OK else { throw connection.error(rc, "binding blob") }
    }

    /// Steps once: `true` when a row is available, `false` when done.
    func step() throws(EventStoreError) -> Bool {
        let rc = sqlite3_step(raw)
        switch rc {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            sqlite3_reset(raw)
            throw connection.error(rc, "stepping")
        }
    }

    /// Steps until done, for statements that return no rows.
    func run() throws(EventStoreError) {
        while try step() {}
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(raw, column) }

    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(raw, column) == SQLITE_NULL }

    /// A text column read with its explicit byte length; `nil` for NULL.
    /// - Throws: `corrupted` when the stored bytes are not valid UTF-8 (foreign or damaged data).
    func string(_ column: Int32) throws(EventStoreError) -> String? {
        guard let text = sqlite3_column_text(raw, column) else { return nil }
        let count = Int(sqlite3_column_bytes(raw, column))
        let bytes = UnsafeBufferPointer(start: text, count: max(0, count))
        let value = String(decoding: bytes, as: UTF8.self)
        // Decoding replaces invalid sequences; a changed byte count or content means the bytes were not UTF-8.
        guard value.utf8.elementsEqual(bytes) else {
            throw EventStoreError(
                code: .corrupted,
                message: "a stored text value is not valid UTF-8",
                location: connection.path
            )
        }
        return value
    }

    func data(_ column: Int32) -> Data {
        let count = Int(sqlite3_column_bytes(raw, column))
        guard count > 0, let bytes = sqlite3_column_blob(raw, column) else { return Data() }
        return Data(bytes: bytes, count: count)
    }
}

extension Statement {
    /// Resets the statement so it can be stepped again with new bindings.
    func reset() {
        sqlite3_reset(raw)
    }
}
