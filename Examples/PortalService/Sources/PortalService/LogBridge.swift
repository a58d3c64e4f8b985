import Logging
import Metrics
import PublicDataKit

/// The library's observer bridged to swift-log and swift-metrics: every `ObservedEvent` becomes a log record
/// with structured metadata, and the ones worth alerting on also count.
///
/// Counters: `publicdata_commands_total{command, outcome}` (`recorded`, `refusal`, `deduplicated`, or the
/// refusal code), `publicdata_conflict_retries_total`, `publicdata_notifications_failed_total{final}`,
/// `publicdata_store_errors_total{operation, code, sqlstate}`, `publicdata_ledger_integrity_problems_total`.
public struct LogBridge: PublicDataObserver {
    /// Where the records go.
    public let logger: Logger

    /// Creates the bridge.
    public init(logger: Logger) {
        self.logger = logger
    }

    /// Logs and counts one event (synchronously, without blocking).
    public func observe(_ event: ObservedEvent) {
        switch event {
        case .commandRecorded(let command, let stream, let events, let deduplicated, let refusal):
            let outcome = deduplicated ? "deduplicated" : refusal ? "refusal" : "recorded"
            logger.info(
                "command \(outcome)",
                metadata: ["command": "\(command)", "stream": "\(stream)", "events": "\(events)"]
            )
            Counter(label: "publicdata_commands_total", dimensions: [("command", command), ("outcome", outcome)])
                .increment()
        case .commandRefused(let command, let stream, let code, let articles, let message):
            logger.notice(
                "command refused",
                metadata: [
                    "command": "\(command)", "stream": "\(stream.map(\.rawValue) ?? "-")", "code": "\(code)",
                    "articles": "\(articles.joined(separator: ", "))", "message": "\(message)",
                ]
            )
            Counter(label: "publicdata_commands_total", dimensions: [("command", command), ("outcome", code)])
                .increment()
        case .conflictRetry(let command, let stream, let attempt):
            logger.debug(
                "conflict retry",
                metadata: ["command": "\(command)", "stream": "\(stream)", "attempt": "\(attempt)"]
            )
            Counter(label: "publicdata_conflict_retries_total").increment()
        case .deadlineFired(let stream, let key, let event):
            logger.info("deadline fired", metadata: ["stream": "\(stream)", "key": "\(key)", "event": "\(event)"])
        case .notificationDelivered(let id, let recipient):
            logger.debug("notification delivered", metadata: ["id": "\(id)", "recipient": "\(recipient)"])
        case .notificationFailed(let id, let recipient, let attempt, let final, let message):
            logger.log(
                level: final ? .error : .warning,
                "notification failed",
                metadata: [
                    "id": "\(id)", "recipient": "\(recipient)", "attempt": "\(attempt)", "message": "\(message)",
                ]
            )
            Counter(label: "publicdata_notifications_failed_total", dimensions: [("final", "\(final)")]).increment()
        case .ledgerExtended(let appended, let size):
            logger.debug("ledger extended", metadata: ["appended": "\(appended)", "size": "\(size)"])
        case .ledgerIntegrityProblem(let message):
            logger.critical("ledger integrity problem", metadata: ["message": "\(message)"])
            Counter(label: "publicdata_ledger_integrity_problems_total").increment()
        case .storeError(let operation, let code, let sqlState, let message):
            logger.error(
                "store error",
                metadata: [
                    "operation": "\(operation)", "code": "\(code)", "sqlstate": "\(sqlState ?? "-")",
                    "message": "\(message)",
                ]
            )
            Counter(
                label: "publicdata_store_errors_total",
                dimensions: [("operation", operation), ("code", code), ("sqlstate", sqlState ?? "-")]
            ).increment()
        }
    }
}
