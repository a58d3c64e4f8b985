#if PostgreSQL
import Foundation
import PublicDataModel

/// A bounded pool of libpq connections behind an async API.
///
/// At most `capacity` connections exist; each has its own thread, so blocking libpq calls never run on
/// Swift's cooperative pool. A caller waits (in FIFO order) when every connection is busy, for at most the
/// acquire timeout. Connections open lazily and are replaced when the server drops them.
///
/// The bookkeeping is a few dictionary operations under a lock (not an actor), so a call costs one hand-over
/// to the connection's thread and one back, and no executor hops besides.
final class PostgresConnectionPool: @unchecked Sendable {
    private let settings: PostgresConnectionSettings
    private let capacity: Int
    private let acquireTimeout: Duration
    private let name: String
    private let lock = NSLock()
    // Guarded by `lock`:
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
    }

    /// Runs `body` on a pooled connection's thread.
    /// - Throws: `EventStoreError`.
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
        lock.lock()
        isClosed = true
        let closing = idle
        idle.removeAll()
        let pending = waiters
        waiters.removeAll()
        waitOrder.removeAll()
        let pendingTimers = timers
        timers.removeAll()
        lock.unlock()
        for connection in closing { connection.shutdown() }
        for timer in pendingTimers.values { timer.cancel() }
        for continuation in pending.values { continuation.resume(throwing: closedError()) }
    }

    private func closedError() -> EventStoreError {
        EventStoreError(code: .unavailable, message: "the store is closed", location: settings.location)
    }

    private enum Grant {
        case ready(PostgresConnection)
        case wait(UInt64)
        case closed
    }

    private func grantOrQueue() -> Grant {
        lock.lock()
        defer { lock.unlock() }
        if isClosed { return .closed }
        if let connection = idle.popLast() { return .ready(connection) }
        if created < capacity {
            created += 1
            return .ready(PostgresConnection(settings: settings, name: "\(name)-\(created)"))
        }
        let id = nextWaiter
        nextWaiter += 1
        return .wait(id)
    }

    private func acquire() async throws -> PostgresConnection {
        let id: UInt64
        switch grantOrQueue() {
        case .ready(let connection): return connection
        case .closed: throw closedError()
        case .wait(let waiter): id = waiter
        }
        let timeout = acquireTimeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<PostgresConnection, any Error>) in
                lock.lock()
                if isClosed {
                    lock.unlock()
                    continuation.resume(throwing: closedError())
                    return
                }
                if let connection = idle.popLast() {
                    lock.unlock()
                    continuation.resume(returning: connection)
                    return
                }
                waiters[id] = continuation
                waitOrder.append(id)
                timers[id] = Task { [weak self] in
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    self?.expire(id, reason: "no connection became free within \(timeout)")
                }
                lock.unlock()
            }
        } onCancel: {
            self.expire(id, reason: "the task was cancelled")
        }
    }

    private func expire(_ id: UInt64, reason: String) {
        lock.lock()
        let timer = timers.removeValue(forKey: id)
        let continuation = waiters.removeValue(forKey: id)
        if continuation != nil { waitOrder.removeAll { $0 == id } }
        lock.unlock()
        timer?.cancel()
        continuation?.resume(
            throwing: EventStoreError(
                code: .unavailable,
                message: "connection pool exhausted (\(capacity) connections): \(reason)",
                location: settings.location
            )
        )
    }

    private func release(_ connection: PostgresConnection) {
        lock.lock()
        if isClosed {
            lock.unlock()
            connection.shutdown()
            return
        }
        while !waitOrder.isEmpty {
            let id = waitOrder.removeFirst()
            if let continuation = waiters.removeValue(forKey: id) {
                let timer = timers.removeValue(forKey: id)
                lock.unlock()
                timer?.cancel()
                continuation.resume(returning: connection)
                return
            }
        }
        idle.append(connection)
        lock.unlock()
    }
}
#endif
