import PublicDataModel

/// A refused or failed command. A command that throws this has appended **nothing**.
///
/// Refusals for bad input, a wrong role, a wrong party or a wrong state are errors; a well-formed data request,
/// product release or downstream scenario that the *policy* denies is not an error but a recorded decision
/// event (see ``CommandOutcome/decision``). Compare codes, not messages:
///
/// ```swift
/// do { try await engine.execute(.approvePlan("plan-1"), by: operatorClerk) }
/// catch let error as WorkflowError where error.code == .roleNotPermitted { /* refused, nothing recorded */ }
/// ```
public struct WorkflowError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of refusal or failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The command's input is malformed or incomplete (the issues say where).
        public static let invalidInput = Code("invalidInput")
        /// The actor's role may not issue this command (see the role matrix).
        public static let roleNotPermitted = Code("roleNotPermitted")
        /// The actor's party is not the party the object belongs to (e.g. another operator's agreement).
        public static let notParty = Code("notParty")
        /// The process instance is not in a state the command may leave (or does not exist, or exists already).
        public static let invalidState = Code("invalidState")
        /// An object the command refers to does not exist.
        public static let notFound = Code("notFound")
        /// A price plan exceeds its cap, or a charge cannot be computed.
        public static let pricing = Code("pricing")
        /// The store kept changing under the command; it was re-decided too often.
        public static let contention = Code("contention")
        /// A notification could not be delivered after every retry; the outbox cursor stays before it.
        public static let delivery = Code("delivery")
        /// The event store failed (``WorkflowError/storeError`` has the cause).
        public static let store = Code("store")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of refusal.
    public var code: Code
    /// A human-readable explanation.
    public var message: String
    /// The command, when the error concerns one.
    public var command: CommandName?
    /// The stream concerned.
    public var stream: StreamID?
    /// Every input problem, for ``Code/invalidInput``.
    public var issues: [ValidationIssue]
    /// The underlying store error, for ``Code/store``.
    public var storeError: EventStoreError?

    /// Creates an error.
    public init(
        code: Code,
        message: String,
        command: CommandName? = nil,
        stream: StreamID? = nil,
        issues: [ValidationIssue] = [],
        storeError: EventStoreError? = nil
    ) {
        self.code = code
        self.message = message
        self.command = command
        self.stream = stream
        self.issues = issues
        self.storeError = storeError
    }

    /// The code, the command and the message, then each issue on its own line.
    public var description: String {
        var text = "workflow \(code)"
        if let command { text += " [\(command.rawValue)]" }
        text += ": \(message)"
        for issue in issues { text += "\n  - \(issue)" }
        return text
    }
}
