/// An error from the audit layer: bad arguments, a malformed document, or a ledger that must refuse to go on.
///
/// Compare ``code``s, not messages:
///
/// ```swift
/// do { _ = try await ledger.signCheckpoint() }
/// catch let error as AuditError where error.code == .inconsistentHistory { /* raise an alarm */ }
/// ```
///
/// A call that throws has changed nothing.
public struct AuditError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// An argument is out of range (an index at or beyond a tree size, a size beyond the tree, ...).
        public static let invalidArgument = Code("invalidArgument")
        /// A ledger was opened with a different hasher than the one it was created with.
        public static let hasherMismatch = Code("hasherMismatch")
        /// The store's history no longer matches what the ledger recorded or last signed
        /// (rewritten, truncated or reordered events); the ledger refuses to sign.
        public static let inconsistentHistory = Code("inconsistentHistory")
        /// A checkpoint, proof or bundle text could not be parsed.
        public static let malformedDocument = Code("malformedDocument")
        /// Canonical event bytes could not be produced or read back.
        public static let malformedEntry = Code("malformedEntry")
        /// A signer failed or produced an unusable signature.
        public static let signingFailed = Code("signingFailed")
        /// Another ledger instance recorded in the ledger's stream first (or the store reported the record as a
        /// duplicate); nothing was recorded by this call. Catch up and try again.
        public static let conflict = Code("conflict")
        /// An input exceeds a configured size limit (``AuditLimits``).
        public static let limitExceeded = Code("limitExceeded")
        /// The store failed underneath the ledger (the ``AuditError/message`` carries the store's error).
        public static let storeFailure = Code("storeFailure")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `audit CODE: MESSAGE`.
    public var description: String { "audit \(code): \(message)" }
}
