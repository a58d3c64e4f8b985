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

/// Listens on a channel with its own connection and thread; yields a wake-up per burst of notifications.
final class PostgresNotificationListener: @unchecked Sendable {
    private let settings: PostgresConnectionSettings
    private let channel: String
    private let continuation: AsyncStream<Void>.Continuation
    private let lock = NSLock()
    private var stopped = false

    init(settings: PostgresConnectionSettings, channel: String, continuation: AsyncStream<Void>.Continuation) {
        self.settings = settings
        self.channel = channel
        self.continuation = continuation
    }

    func start() {
        let thread = Thread { [self] in loop() }
        thread.name = "publicdata-pg-listen"
        thread.start()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    private var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    private func loop() {
        var connection: OpaquePointer?
        var pause = 0.05
        while !isStopped {
            if connection == nil {
                if let opened = try? settings.connectOnce() {
                    if let result = PQexec(opened, "LISTEN \(channel)"), PQresultStatus(result) == PGRES_COMMAND_OK {
                        PQclear(result)
                        connection = opened
                        pause = 0.05
                        // Anything may have been appended while we were not listening.
                        continuation.yield()
                    } else {
                        PQfinish(opened)
                    }
                }
                if connection == nil {
                    Thread.sleep(forTimeInterval: pause)
                    pause = min(1, pause * 2)
                    continue
                }
            }
            guard let live = connection else { continue }
            var descriptor = pollfd(fd: PQsocket(live), events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 200)
            guard PQconsumeInput(live) != 0, PQstatus(live) == CONNECTION_OK else {
                PQfinish(live)
                connection = nil
                continue
            }
            var woke = false
            while let notice = PQnotifies(live) {
                PQfreemem(notice)
                woke = true
            }
            if woke { continuation.yield() }
        }
        if let connection { PQfinish(connection) }
        continuation.finish()
    }
}
#endif
