import Foundation
import Hummingbird
import Logging
import PublicDataKit
import PublicDataPostgres
import PublicDataSQLite
import ServiceLifecycle

/// Where the portal keeps its records.
public enum PortalDatabase: Sendable, Equatable {
    /// A SQLite file (the default: `portal.sqlite` in the working directory).
    case sqlite(path: String)
    /// A PostgreSQL database, by libpq connection string or `postgresql://` URL.
    case postgres(url: String)
}

/// How the portal is started.
public struct PortalConfiguration: Sendable {
    /// The address to listen on.
    public var host = "127.0.0.1"
    /// The port (0 picks a free one).
    public var port = 8080
    /// The store.
    public var database = PortalDatabase.sqlite(path: "portal.sqlite")
    /// The sign-in table.
    public var tokens = AccessTokens(tokens: [])
    /// The longest wait of the background loop between rounds.
    public var pollInterval: Duration = .seconds(5)

    /// A configuration with the defaults.
    public init() {}

    /// Reads `--host`, `--port`, `--tokens FILE`, `--sqlite FILE` and `--postgres URL` (or the environment
    /// variable `PORTAL_POSTGRES_URL`).
    /// - Throws: `PortalUsageError` for an unknown or incomplete option, or the token file's error.
    public init(arguments: [String], environment: [String: String]) throws {
        var tokensPath = "tokens.json"
        if let url = environment["PORTAL_POSTGRES_URL"], !url.isEmpty { database = .postgres(url: url) }
        var remaining = arguments[...]
        while let option = remaining.popFirst() {
            guard let value = remaining.popFirst() else { throw PortalUsageError(message: "\(option) needs a value") }
            switch option {
            case "--host": host = value
            case "--port":
                guard let number = Int(value), (0...65_535).contains(number) else {
                    throw PortalUsageError(message: "--port takes a number 0…65535, got \(value)")
                }
                port = number
            case "--tokens": tokensPath = value
            case "--sqlite": database = .sqlite(path: value)
            case "--postgres": database = .postgres(url: value)
            default: throw PortalUsageError(message: "unknown option \(option)")
            }
        }
        tokens = try AccessTokens.load(from: tokensPath)
    }
}

/// A wrong command line.
public struct PortalUsageError: Error, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The message and the usage line.
    public var description: String {
        "\(message)\nusage: portal-service [--host H] [--port P] [--tokens tokens.json] [--sqlite FILE | --postgres URL]"
    }
}

/// The library's background work (deadlines, notifications, the audit ledger: `PublicDataApplication.run`)
/// as a service of the service group, ended by graceful shutdown.
public struct WorkflowBackgroundService: Service {
    let app: PublicDataApplication
    let pollInterval: Duration
    let logger: Logger

    /// Creates the service.
    public init(app: PublicDataApplication, pollInterval: Duration, logger: Logger) {
        self.app = app
        self.pollInterval = pollInterval
        self.logger = logger
    }

    /// Runs `app.run` until graceful shutdown (the current round finishes first).
    public func run() async throws {
        let logger = self.logger
        await cancelWhenGracefulShutdown {
            await app.run(pollInterval: pollInterval) { error in
                logger.error("background round failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// Opens the configured store.
/// - Throws: `EventStoreError` when the store cannot be opened.
public func openStore(_ database: PortalDatabase) async throws -> any EventStore {
    switch database {
    case .sqlite(let path): try SQLiteEventStore(path: path)
    case .postgres(let url): try await PostgresEventStore(url)
    }
}

/// Builds the HTTP application over `app`, with the library's background loop attached as a service.
/// - Parameters:
///   - app: The library's application (its store, clock, policy, …).
///   - configuration: Where to listen, the tokens and the poll interval.
/// - Returns: The application, ready for `runService()` (or HummingbirdTesting's `test`).
public func buildApplication(
    _ app: PublicDataApplication,
    configuration: PortalConfiguration
) -> some ApplicationProtocol {
    var logger = Logger(label: "portal-service")
    logger.logLevel = .info
    let router = Router()
    Portal(app: app, tokens: configuration.tokens).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
        services: [WorkflowBackgroundService(app: app, pollInterval: configuration.pollInterval, logger: logger)],
        logger: logger
    )
}
