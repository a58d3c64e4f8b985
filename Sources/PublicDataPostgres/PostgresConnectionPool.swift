#if PostgreSQL
import Foundation
import PublicDataModel

/// A bounded pool of libpq connections behind an async API.
///
/// At most `capacity` connections exist; each has its own thread, so blocking libpq calls never run on
/// Swift's cooperative pool. A caller waits (in FIFO order) when every connection is busy, for at most the
/// acquire timeout. Connections open lazily and are replaced when the server drops them.
actor PostgresConnectionPool {
    private let settings: PostgresConnectionSettings
    private let capacity: Int
    private let acquireTimeout: Duration
    private let name: String
    private var idle: [PostgresConnection] = []
    private var created = 0
    private var waiters: [UInt64: CheckedContinuation<PostgresConnection, any Error>] = [:]
    private var waitOrder: [UInt64] = []
    private var timers: [UInt64: Task<Void, Never>] = [:]
    private var nextWaiter: UInt64 = 0
    private var isClosed = false

    init(settings: PostgresConnectionSettings, capacity: Int, acquireTimeout: Duration, name: String) {
        self.settings = settings
        self.capacity = max(1, capacity)
        self.acquireTimeout = acquireTimeout
        self.name = name
    }

    deinit {
        for connection in idle { connection.shutdown() }
        for timer in timers.values { timer.cancel() }
        for continuation in waiters.values {
            continuation.resume(throwing: EventStoreError(code: .unavailable, message: "the store was released"))
        }
    }

    /// Runs `body` on a pooled connection's thread.
    /// - Throws: ``EventStoreError``.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) throws -> T) async throws -> T {
        let connection = try await acquire()
        do {
            let value = try await connection.run(body)
            release(connection)
            return value
        } catch {
            release(connection)
            throw error
        }
    }

    /// Closes every connection; later calls fail with `unavailable`.
    func close() {
        isClosed = true
        for connection in idle { connection.shutdown() }
        idle.removeAll()
        let pending = waiters
        waiters.removeAll()
        waitOrder.removeAll()
        for timer in timers.values { timer.cancel() }
        timers.removeAll()
        for continuation in pending.values {
            continuation.resume(throwing: closedError())
        }
    }

    private func closedError() -> EventStoreError {
        EventStoreError(code: .unavailable, message: "the store is closed", location: settings.location)
    }

    private func acquire() async throws -> PostgresConnection {
        if isClosed { throw closedError() }
        if let connection = idle.popLast() { return connection }
        if created < capacity {
            created += 1
            return PostgresConnection(settings: settings, name: "\(name)-\(created)")
        }
        let id = nextWaiter
        nextWaiter += 1
        let timeout = acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                waiters[id] = continuation
                waitOrder.append(id)
                timers[id] = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    await self?.expire(id, reason: "no connection became free within \(timeout)")
                }
            }
        } onCancel: {
            Task { [weak self] in await self?.expire(id, reason: "the task was cancelled") }
        }
    }

    private func expire(_ id: UInt64, reason: String) {
        timers.removeValue(forKey: id)?.cancel()
        guard let continuation = waiters.removeValue(forKey: id) else { return }
        waitOrder.removeAll { $0 == id }
        continuation.resume(
            throwing: EventStoreError(
                code: .unavailable,
                message: "connection pool exhausted (\(capacity) connections): \(reason)",
                location: settings.location
            )
        )
    }

    private func release(_ connection: PostgresConnection) {
        if isClosed {
            connection.shutdown()
            return
        }
        while !waitOrder.isEmpty {
            let id = waitOrder.removeFirst()
            timers.removeValue(forKey: id)?.cancel()
            if let continuation = waiters.removeValue(forKey: id) {
                continuation.resume(returning: connection)
                return
            }
        }
        idle.append(connection)
    }
}
#endif
