import Foundation
import Logging
import PortalService
import PublicDataKit

// Usage: swift run portal-service [--host H] [--port P] [--tokens tokens.json] [--sqlite FILE | --postgres URL]
do {
    let configuration = try PortalConfiguration(
        arguments: Array(CommandLine.arguments.dropFirst()),
        environment: ProcessInfo.processInfo.environment
    )
    // The library's observer goes to swift-log and swift-metrics (bootstrap your own backends here).
    let app = PublicDataApplication(
        configuration: PublicDataConfiguration(
            store: try await openStore(configuration.database),
            observer: LogBridge(logger: Logger(label: "publicdata"))
        )
    )
    try await buildApplication(app, configuration: configuration).runService()
} catch {
    FileHandle.standardError.write(Data("portal-service: \(error)\n".utf8))
    exit(1)
}
