#if PostgreSQL
import Foundation
import PublicDataModel
@testable import PublicDataPostgres
import Testing

/// The tests' recurring sequence: a side session holds a lock, an append starts and is seen waiting for it,
/// then the side session lets go (`COMMIT`, `ROLLBACK` or an advisory unlock, as the test needs).
extension RawSession {
    /// Opens a transaction and takes `schema`'s head row in it (`FOR UPDATE`), until `COMMIT` or `ROLLBACK`.
    func holdHeadRow(_ schema: String) async throws {
        try await script("BEGIN")
        try await query("SELECT last_position FROM \(schema).log_head WHERE id = 1 FOR UPDATE")
    }

    /// Takes the session-level advisory lock an append of `stream` takes (see `append_events`).
    func lockStream(_ schema: String, _ stream: String) async throws {
        try await query("SELECT pg_advisory_lock(hashtextextended($1, 0))", [.text(Self.streamKey(schema, stream))])
    }

    /// Releases the lock taken by ``lockStream(_:_:)``.
    func unlockStream(_ schema: String, _ stream: String) async throws {
        try await query(
            "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
            [.text(Self.streamKey(schema, stream))]
        )
    }

    private static func streamKey(_ schema: String, _ stream: String) -> String {
        "publicdata.stream.\(schema).\(stream)"
    }

    /// The pids of the sessions waiting on a lock while running a query that contains one of `fragments`.
    func lockWaiters(running fragments: [String]) async throws -> [Int32] {
        try await query(
            """
            SELECT pid FROM pg_stat_activity
             WHERE wait_event_type = 'Lock' AND state = 'active'
               AND EXISTS (SELECT 1 FROM unnest($1::text[]) AS f(fragment) WHERE position(f.fragment IN query) > 0)
             ORDER BY pid
            """,
            [.textArray(fragments)]
        ).compactMap { $0.first.flatMap { $0.flatMap { Int32($0) } } }
    }

    /// Waits (as `eventually` does) until a session running one of `fragments` waits on a lock; its pid, or
    /// `nil` when none did in time.
    func lockWaiter(running fragments: [String]) async throws -> Int32? {
        var pid: Int32?
        let found = try await eventually {
            pid = try await lockWaiters(running: fragments).first
            return pid != nil
        }
        return found ? pid : nil
    }

    /// Starts `append` and waits until a session running one of `fragments` waits on a lock (what the caller
    /// holds); returns the append's task and the waiting session's pid (`nil` when none waited in time).
    func startWaiting<T: Sendable>(
        running fragments: [String],
        _ append: @escaping @Sendable () async throws -> T
    ) async throws -> (task: Task<T, any Error>, pid: Int32?) {
        let task = Task { try await append() }
        return (task, try await lockWaiter(running: fragments))
    }
}
#endif
