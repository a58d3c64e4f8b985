import CPublicDataSQLite
import Foundation

/// Direct SQLite access for tests that must reach around the store.
enum RawSQLite {
    struct Failure: Error { let message: String }

    static func open(_ path: String) throws -> OpaquePointer {
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw Failure(message: "open \(path)") }
        return db
    }

    static func execute(path: String, _ sql: String) throws {
        let db = try open(path)
        defer { sqlite3_close(db) }
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw Failure(message: String(cString: sqlite3_errmsg(db)))
        }
    }

    static func userVersion(path: String) throws -> Int64 {
        try scalar(path: path, "PRAGMA user_version")
    }

    static func scalar(path: String, _ sql: String) throws -> Int64 {
        let db = try open(path)
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW else { throw Failure(message: "no row for \(sql)") }
        return sqlite3_column_int64(statement, 0)
    }

    static func text(path: String, _ sql: String) throws -> String {
        let db = try open(path)
        defer { sqlite3_close(db) }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else {
            throw Failure(message: String(cString: sqlite3_errmsg(db)))
        }
        defer { sqlite3_finalize(statement) }
        guard sqlite3_step(statement) == SQLITE_ROW, let text = sqlite3_column_text(statement, 0) else {
            throw Failure(message: "no row for \(sql)")
        }
        return String(cString: text)
    }

    /// Holds `BEGIN IMMEDIATE` on another connection until released.
    final class WriteLock: @unchecked Sendable {
        private var db: OpaquePointer?
        init(db: OpaquePointer) { self.db = db }
        func release() {
            guard let db else { return }
            sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            sqlite3_close(db)
            self.db = nil
        }
    }

    static func holdWriteLock(path: String) throws -> WriteLock {
        let db = try open(path)
        guard sqlite3_exec(db, "BEGIN IMMEDIATE", nil, nil, nil) == SQLITE_OK else {
            sqlite3_close(db)
            throw Failure(message: "cannot lock")
        }
        return WriteLock(db: db)
    }
}
