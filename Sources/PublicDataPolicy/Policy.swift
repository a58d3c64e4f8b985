import Foundation
import PublicDataAudit

/// A versioned set of rules and parameters that answers ``PolicyRequest``s with ``Decision``s.
///
/// Policies are data: load one from its JSON file with ``load(from:limits:)``, or compose one in Swift with the
/// ``RuleBuilder``. Rules are compiled and indexed once, when the policy is created or changed, so that
/// ``evaluate(_:at:)`` only looks at the rules of the request's decision point (and, for rules keyed to one
/// catalog entry, operator or product, only at that key's bucket).
///
/// ```swift
/// let policy = Policy.beijingDefault
/// let decision = policy.evaluate(.dataRequest(request), at: now)
/// print(decision.effect, decision.citedArticles)
/// ```
public struct Policy: Sendable, Codable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The policy's id, e.g. `"beijing-default"`.
    public var id: String {
        didSet { recompile() }
    }
    /// The policy's version label, as its authors name it (e.g. `"2026.1"`). The label is a name; what identifies
    /// the content is ``digest``, which decisions record next to the label.
    public var version: String {
        didSet { recompile() }
    }
    /// A human title.
    public var title: String?
    /// The parameters the rules refer to.
    public var parameters: PolicyParameters {
        didSet { recompile() }
    }
    /// The rules, in precedence-neutral order (order only fixes the order of reasons and obligations).
    public var rules: [Rule] {
        didSet { recompile() }
    }

    private var compiled: CompiledPolicy

    /// The policy's content version (Art. 35): `"sha256:"` and the hex SHA-256 of the canonical JSON of what
    /// decides — the id, the parameters and the rules in order, members sorted, without white space — so two
    /// policies that decide differently never share it and the same content always has the same one. The
    /// version label and the title are not part of it. Every ``Decision`` records it (``Decision/policyDigest``).
    public var digest: String { compiled.digest }

    /// Creates a policy from rules. Problems are not thrown: see ``validationIssues``; a rule with an invalid
    /// condition fails closed (a deny or obligation rule always applies, a permit rule never does).
    public init(
        id: String,
        version: String,
        title: String? = nil,
        parameters: PolicyParameters = .beijing,
        rules: [Rule]
    ) {
        self.id = id
        self.version = version
        self.title = title
        self.parameters = parameters
        self.rules = rules
        self.compiled = CompiledPolicy(
            id: id,
            version: version,
            digest: Self.contentDigest(id: id, parameters: parameters, rules: rules),
            parameters: parameters,
            rules: rules
        )
    }

    /// Creates a policy whose rules come from a builder block.
    ///
    /// ```swift
    /// let stricter = Policy(id: "bj", version: "2026.2") {
    ///     Policy.beijingDefault.rules
    ///     Rule(deny: "no-sandbox", at: .dataRequest, articles: ["Art. 16"], message: "no sandbox") {
    ///         Condition.equals("request.delivery", "sandbox")
    ///     }
    /// }
    /// ```
    public init(
        id: String,
        version: String,
        title: String? = nil,
        parameters: PolicyParameters = .beijing,
        @RuleBuilder rules: () -> [Rule]
    ) {
        self.init(id: id, version: version, title: title, parameters: parameters, rules: rules())
    }

    private mutating func recompile() {
        compiled = CompiledPolicy(
            id: id,
            version: version,
            digest: Self.contentDigest(id: id, parameters: parameters, rules: rules),
            parameters: parameters,
            rules: rules
        )
    }

    /// The content digest of a policy (see ``digest``).
    static func contentDigest(id: String, parameters: PolicyParameters, rules: [Rule]) -> String {
        let content = JSONValue.object([
            ("id", .string(id)), ("parameters", parameters.jsonValue), ("rules", .array(rules.map(\.jsonValue))),
        ])
        return "sha256:" + SHA256Hasher().digest(utf8: content.canonical.description).hex
    }

    /// Every problem of the policy: duplicate rule ids, unknown attributes, operators that do not fit an
    /// attribute's type, unknown vocabulary values, references to missing parameters, obligations on deny rules.
    public var validationIssues: [ValidationIssue] { compiled.issues }

    /// Policies are equal when their id, version, title, parameters and rules are equal.
    public static func == (lhs: Policy, rhs: Policy) -> Bool {
        lhs.id == rhs.id && lhs.version == rhs.version && lhs.title == rhs.title && lhs.parameters == rhs.parameters
            && lhs.rules == rhs.rules
    }

    /// Hashes the id, version, title, parameters and rules.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(version)
        hasher.combine(title)
        hasher.combine(parameters)
        hasher.combine(rules)
    }

    /// `Policy(id@version, N rules)`.
    public var description: String { "Policy(\(id)@\(version), \(rules.count) rules)" }

    /// The same as ``description``; the full content is in ``jsonText``.
    public var debugDescription: String { description }

    // MARK: Loading and writing

    /// Loads a policy from its JSON file, strictly.
    ///
    /// Every problem is collected — unknown fields, unknown rule kinds or decision points, wrong types,
    /// duplicate rule ids, unknown attributes, unknown vocabulary values, references to missing parameters —
    /// and thrown as one ``PolicyLoadError`` listing each with its JSON path.
    ///
    /// ```swift
    /// let policy = try Policy.load(from: Data(contentsOf: url))
    /// ```
    /// - Parameters:
    ///   - data: The file's bytes (UTF-8 JSON).
    ///   - limits: The largest input read (``PolicyInputLimits/maximumPolicyBytes`` and nesting depth).
    /// - Returns: The policy.
    /// - Throws: ``PolicyLoadError`` (``PolicyLoadError/Code/tooLarge`` beyond `limits`).
    public static func load(
        from data: Data,
        limits: PolicyInputLimits = .standard
    ) throws(PolicyLoadError) -> Policy {
        if let problem = PolicyInputLimits.problem(
            data,
            maximumBytes: limits.maximumPolicyBytes,
            maximumDepth: limits.maximumNestingDepth
        ) {
            throw PolicyLoadError(code: .tooLarge, issues: [ValidationIssue(path: "$", message: problem)])
        }
        let root: JSONValue
        do {
            root = try JSONValue.parse(data)
        } catch {
            throw PolicyLoadError(
                code: .malformedJSON,
                issues: [ValidationIssue(path: "$", message: "not valid JSON: \(error)")]
            )
        }
        let (policy, issues, declared) = read(root)
        guard let policy, issues.isEmpty else { throw PolicyLoadError(code: .invalidPolicy, issues: issues) }
        // Art. 35: a declared digest (or a version written as a digest) must be the digest of the content.
        var mismatches: [ValidationIssue] = []
        if let declared, declared != policy.digest {
            mismatches.append(
                ValidationIssue(
                    path: "$.digest",
                    message: "declares \(declared), the content's digest is \(policy.digest)"
                )
            )
        }
        if policy.version.hasPrefix("sha256:"), policy.version != policy.digest {
            mismatches.append(
                ValidationIssue(
                    path: "$.version",
                    message: "the version \(policy.version) is not the content's digest \(policy.digest)"
                )
            )
        }
        guard mismatches.isEmpty else { throw PolicyLoadError(code: .digestMismatch, issues: mismatches) }
        return policy
    }

    /// Reads a policy and collects every structural and semantic problem, with paths into the file.
    private static func read(_ root: JSONValue) -> (Policy?, [ValidationIssue], String?) {
        var reader = PolicyReader()
        let policy = reader.policy(root)
        var issues = reader.issues
        if let policy {
            let semantic = CompiledPolicy(
                id: policy.id,
                version: policy.version,
                digest: policy.digest,
                parameters: policy.parameters,
                rules: policy.rules,
                positions: reader.positions
            ).issues
            var known = Set(issues.map(\.description))
            for issue in semantic where known.insert(issue.description).inserted { issues.append(issue) }
        }
        return (policy, issues, reader.declaredDigest)
    }

    /// Loads a policy from a JSON file on disk; a file larger than the limit is refused without reading it whole.
    /// - Parameters:
    ///   - url: The file.
    ///   - limits: The largest input read.
    /// - Returns: The policy.
    /// - Throws: ``PolicyLoadError`` (``PolicyLoadError/Code/unreadable`` when the file cannot be read,
    ///   ``PolicyLoadError/Code/tooLarge`` beyond `limits`).
    public static func load(
        contentsOf url: URL,
        limits: PolicyInputLimits = .standard
    ) throws(PolicyLoadError) -> Policy {
        let data: Data
        do {
            data = try PolicyInputLimits.read(url, maximumBytes: limits.maximumPolicyBytes)
        } catch let error as PolicyInputLimits.TooLarge {
            throw PolicyLoadError(
                code: .tooLarge,
                issues: [ValidationIssue(path: "$", message: "\(url.path): \(error)")]
            )
        } catch {
            throw PolicyLoadError(
                code: .unreadable,
                issues: [ValidationIssue(path: "$", message: "cannot read \(url.path): \(error)")]
            )
        }
        return try load(from: data, limits: limits)
    }

    /// The policy in the documented JSON format, pretty-printed with a stable member order.
    public var jsonText: String { jsonValue.prettyText }

    /// The policy in the documented JSON format as UTF-8 bytes.
    public var jsonData: Data { Data(jsonText.utf8) }

    /// Decodes a policy strictly (the same checks as ``load(from:limits:)``).
    /// - Throws: `DecodingError.dataCorrupted` whose description lists every problem.
    public init(from decoder: any Decoder) throws {
        let root = try JSONValue(from: decoder)
        let (policy, issues, _) = Policy.read(root)
        guard let policy, issues.isEmpty else {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(
                    codingPath: decoder.codingPath,
                    debugDescription: PolicyLoadError(code: .invalidPolicy, issues: issues).description
                )
            )
        }
        self = policy
    }

    /// Encodes the policy in the documented format.
    /// - Throws: `EncodingError`.
    public func encode(to encoder: any Encoder) throws {
        try jsonValue.encode(to: encoder)
    }

    // MARK: Evaluating

    /// Decides a request. Pure and deterministic: no I/O, no clock; `time` is only recorded in the decision.
    ///
    /// Deny overrides permit; when no permit rule applies the decision is a deny with the reason
    /// "no applicable rule".
    ///
    /// ```swift
    /// let decision = policy.evaluate(.pricing(request), at: now)
    /// ```
    /// - Parameters:
    ///   - request: The request.
    ///   - time: The evaluation time, recorded as ``Decision/evaluatedAt``.
    /// - Returns: The decision.
    public func evaluate(_ request: PolicyRequest, at time: Date) -> Decision {
        compiled.evaluate(request, at: time)
    }

    /// Decides a request by testing every rule of its decision point in order, without the index.
    ///
    /// Gives exactly the decision of ``evaluate(_:at:)`` (same effect, reasons, obligations and fired rules,
    /// in policy order); it exists so that tests and benchmarks can check the index against the plain
    /// reading of the rules. It is slower on large policies.
    /// - Parameters:
    ///   - request: The request.
    ///   - time: The evaluation time, recorded as ``Decision/evaluatedAt``.
    /// - Returns: The decision.
    public func evaluateByScanning(_ request: PolicyRequest, at time: Date) -> Decision {
        compiled.evaluate(request, at: time, indexed: false)
    }

    /// The rules of one decision point, in policy order.
    public func rules(at point: DecisionPoint) -> [Rule] { rules.filter { $0.point == point } }

    /// The rule with the given id.
    public func rule(id: String) -> Rule? { rules.first { $0.id == id } }
}
