/// One problem found while validating a value: where it is and what is wrong.
public struct ValidationIssue: Codable, Sendable, Hashable, CustomStringConvertible {
    /// A JSON-style path to the offending element, e.g. `"$.dataScope[2]"`.
    public var path: String
    /// What is wrong, in plain words.
    public var message: String

    /// Creates an issue.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

/// A value failed validation; ``issues`` lists **every** problem found, not just the first.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was being validated (e.g. "implementation plan plan-001").
    public var subject: String
    /// Every problem found, in document order.
    public var issues: [ValidationIssue]

    /// Creates a validation error.
    public init(subject: String, issues: [ValidationIssue]) {
        self.subject = subject
        self.issues = issues
    }

    /// A multi-line description naming the subject and each issue.
    public var description: String {
        (["invalid \(subject): \(issues.count) problem(s)"] + issues.map { "  - \($0)" }).joined(separator: "\n")
    }
}
