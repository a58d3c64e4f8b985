import Foundation

/// What a test case expects of a decision.
///
/// `obligations`, `articles` and `rules` are "must include" lists: the decision must carry each listed
/// obligation kind, cite each listed article and fire each listed rule. With `exactObligations: true`
/// (or `exactArticles: true`) that list must match exactly, order ignored; `exact: true` sets both.
/// `obligationsExclude`, `articlesExclude` and `rulesExclude` are "must not include" lists. `anyOf` lists
/// alternative expectations: the case passes when the other members hold and at least one alternative holds
/// in full. The fail-closed deny is asserted with `"rules": ["no-applicable-rule"]`
/// (``Reason/noApplicableRuleID``).
public struct PolicyExpectation: Codable, Sendable, Hashable {
    /// The expected effect; required unless `anyOf` is given.
    public var effect: Effect?
    /// Obligation kinds the decision must carry.
    public var obligations: [ObligationKind]?
    /// Articles the decision must cite.
    public var articles: [String]?
    /// Rule ids that must fire (``Reason/noApplicableRuleID`` for the fail-closed deny).
    public var rules: [String]?
    /// Whether obligations and articles must match exactly rather than be included.
    public var exact: Bool?
    /// Whether the obligation kinds must match exactly.
    public var exactObligations: Bool?
    /// Whether the cited articles must match exactly.
    public var exactArticles: Bool?
    /// Obligation kinds the decision must not carry.
    public var obligationsExclude: [ObligationKind]?
    /// Articles the decision must not cite.
    public var articlesExclude: [String]?
    /// Rule ids that must not fire.
    public var rulesExclude: [String]?
    /// Alternatives, at least one of which must hold in full.
    public var anyOf: [PolicyExpectation]?

    /// Creates an expectation.
    public init(
        effect: Effect?,
        obligations: [ObligationKind]? = nil,
        articles: [String]? = nil,
        rules: [String]? = nil,
        exact: Bool? = nil,
        exactObligations: Bool? = nil,
        exactArticles: Bool? = nil,
        obligationsExclude: [ObligationKind]? = nil,
        articlesExclude: [String]? = nil,
        rulesExclude: [String]? = nil,
        anyOf: [PolicyExpectation]? = nil
    ) {
        self.effect = effect
        self.obligations = obligations
        self.articles = articles
        self.rules = rules
        self.exact = exact
        self.exactObligations = exactObligations
        self.exactArticles = exactArticles
        self.obligationsExclude = obligationsExclude
        self.articlesExclude = articlesExclude
        self.rulesExclude = rulesExclude
        self.anyOf = anyOf
    }
}

/// One case of a policy test suite: a named request and what its decision must be.
public struct PolicyTestCase: Codable, Sendable, Hashable {
    /// The case's name, unique within the suite.
    public var name: String
    /// The request.
    public var request: PolicyRequest
    /// The evaluation time; the suite's `at` (or 2026-01-01T00:00:00Z) when absent.
    public var at: Date?
    /// What the decision must be.
    public var expect: PolicyExpectation

    /// Creates a case.
    public init(name: String, request: PolicyRequest, at: Date? = nil, expect: PolicyExpectation) {
        self.name = name
        self.request = request
        self.at = at
        self.expect = expect
    }
}

/// A suite could not be read; names the file and the problem's path.
public struct PolicySuiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file concerned.
    public var file: String
    /// The problem's JSON path, e.g. `$.cases[3].request.dataRequest.entry`.
    public var path: String
    /// What is wrong.
    public var message: String
    /// Every problem found, in order; the first is ``path`` and ``message``.
    public var issues: [ValidationIssue]

    /// Creates an error with one problem.
    public init(file: String, path: String, message: String) {
        self.file = file
        self.path = path
        self.message = message
        self.issues = [ValidationIssue(path: path, message: message)]
    }

    /// Creates an error listing several problems (at least one).
    public init(file: String, issues: [ValidationIssue]) {
        let first = issues.first ?? ValidationIssue(path: "$", message: "invalid suite")
        self.file = file
        self.path = first.path
        self.message = first.message
        self.issues = issues.isEmpty ? [first] : issues
    }

    /// The problems, one per line: `path: message` for one, else a count and `  - path: message` lines.
    public var listing: String {
        if issues.count == 1 { return issues[0].description }
        return (["\(issues.count) problem(s)"] + issues.map { "  - \($0)" }).joined(separator: "\n")
    }

    /// `file: path: message`, or `file: N problem(s)` followed by one line per problem.
    public var description: String { "\(file): \(listing)" }
}

/// A named list of test cases for a policy, stored as JSON (see `Documentation/PolicyAuthoring.md`).
///
/// ```swift
/// let suite = try PolicyTestSuite.load(from: url)
/// let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
/// print(report.text)
/// ```
public struct PolicyTestSuite: Codable, Sendable, Hashable {
    /// The suite's name.
    public var name: String
    /// What the suite covers.
    public var description: String?
    /// The default evaluation time of its cases.
    public var at: Date?
    /// The cases.
    public var cases: [PolicyTestCase]

    /// Creates a suite.
    public init(name: String, description: String? = nil, at: Date? = nil, cases: [PolicyTestCase]) {
        self.name = name
        self.description = description
        self.at = at
        self.cases = cases
    }

    /// The evaluation time used when neither the case nor the suite gives one: 2026-01-01T00:00:00Z.
    public static let defaultTime = Date(timeIntervalSince1970: 1_767_225_600)

    /// Reads a suite from JSON bytes.
    /// - Parameters:
    ///   - data: The JSON.
    ///   - file: The file name used in errors.
    ///   - limits: The largest input read (``PolicyInputLimits/maximumSuiteBytes`` and nesting depth).
    /// - Returns: The suite.
    /// - Throws: ``PolicySuiteError`` naming the path of the first problem, or the limit exceeded.
    public static func load(
        from data: Data,
        file: String = "suite",
        limits: PolicyInputLimits = .standard
    ) throws(PolicySuiteError) -> PolicyTestSuite {
        if let problem = PolicyInputLimits.problem(
            data,
            maximumBytes: limits.maximumSuiteBytes,
            maximumDepth: limits.maximumNestingDepth
        ) {
            throw PolicySuiteError(file: file, path: "$", message: problem)
        }
        let suite: PolicyTestSuite
        do {
            suite = try PublicDataJSON.decode(PolicyTestSuite.self, from: data)
        } catch {
            throw PolicySuiteError(file: file, path: error.path, message: error.message)
        }
        let issues = StrictDecoding.unreadMembers(of: suite, in: data) + suite.problems
        if !issues.isEmpty { throw PolicySuiteError(file: file, issues: issues) }
        return suite
    }

    /// What makes a decoded suite unusable: no cases, or an expectation that checks no effect.
    var problems: [ValidationIssue] {
        var issues: [ValidationIssue] = []
        if cases.isEmpty {
            issues.append(
                ValidationIssue(path: "$.cases", message: "the suite has no cases; an empty suite checks nothing")
            )
        }
        func check(_ expect: PolicyExpectation, _ path: String) {
            if let alternatives = expect.anyOf {
                if alternatives.isEmpty {
                    issues.append(ValidationIssue(path: "\(path).anyOf", message: "anyOf lists no alternative"))
                }
                for (index, alternative) in alternatives.enumerated() { check(alternative, "\(path).anyOf[\(index)]") }
            } else if expect.effect == nil {
                issues.append(
                    ValidationIssue(path: "\(path).effect", message: "missing field \"effect\" (or \"anyOf\")")
                )
            }
        }
        for (index, testCase) in cases.enumerated() { check(testCase.expect, "$.cases[\(index)].expect") }
        return issues
    }

    /// Reads a suite from a JSON file; a file larger than the limit is refused without reading it whole.
    /// - Parameters:
    ///   - url: The file.
    ///   - limits: The largest input read.
    /// - Returns: The suite.
    /// - Throws: ``PolicySuiteError``.
    public static func load(
        from url: URL,
        limits: PolicyInputLimits = .standard
    ) throws(PolicySuiteError) -> PolicyTestSuite {
        let data: Data
        do {
            data = try PolicyInputLimits.read(url, maximumBytes: limits.maximumSuiteBytes)
        } catch {
            throw PolicySuiteError(file: url.lastPathComponent, path: "$", message: "cannot read: \(error)")
        }
        return try load(from: data, file: url.lastPathComponent, limits: limits)
    }

    /// Reads every `*.json` suite in a directory, sorted by file name.
    /// - Parameter directory: The directory.
    /// - Returns: The suites.
    /// - Throws: ``PolicySuiteError`` for the first unreadable file.
    public static func loadDirectory(_ directory: URL) throws(PolicySuiteError) -> [PolicyTestSuite] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw PolicySuiteError(file: directory.path, path: "$", message: "cannot list directory: \(error)")
        }
        var suites: [PolicyTestSuite] = []
        for name in names.sorted() where name.hasSuffix(".json") {
            suites.append(try load(from: directory.appendingPathComponent(name)))
        }
        if suites.isEmpty {
            throw PolicySuiteError(file: directory.path, path: "$", message: "the directory holds no *.json suite")
        }
        return suites
    }

    /// The suite as readable JSON in the library's style: `name`, `request` and `expect` first, short
    /// objects on one line.
    /// - Throws: `EncodingError`, or `DecodingError` if the encoded JSON cannot be read back.
    public func jsonData() throws -> Data {
        let value = try JSONValue.parse(PublicDataJSON.encode(self))
        let order = ["name", "description", "at", "cases", "request", "expect", "effect", "id"]
        return Data(value.reordered(first: order).prettyText.utf8)
    }
}

/// One way a decision differed from its expectation.
public struct ExpectationMismatch: Sendable, Hashable, CustomStringConvertible {
    /// What differed: `effect`, `obligations`, `articles` or `rules`.
    public var field: String
    /// The expected value, as text.
    public var expected: String
    /// The actual value, as text.
    public var actual: String

    /// `field: expected X, got Y`.
    public var description: String { "\(field): expected \(expected), got \(actual)" }
}

/// The outcome of one case.
public struct CaseResult: Sendable, Hashable {
    /// The case's name.
    public var name: String
    /// The decision the policy made.
    public var decision: Decision
    /// Every mismatch; empty when the case passed.
    public var mismatches: [ExpectationMismatch]

    /// Whether the case passed.
    public var passed: Bool { mismatches.isEmpty }

    /// One line: pass mark, name, effect, and the rules, obligations and articles of the decision.
    public var decisionText: String {
        let decisionRules = PolicyHarness.ruleIDs(of: decision)
        var line = "\(passed ? "✓" : "✗") \(name): \(decision.effect.rawValue)"
        line += "  rules [\(decisionRules.joined(separator: ", "))]"
        if !decision.obligations.isEmpty {
            line += "  obligations [\(decision.obligationKinds.map(\.rawValue).joined(separator: ", "))]"
        }
        line += "  articles [\(decision.citedArticles.joined(separator: ", "))]"
        return line
    }

    /// A readable diff of expected against actual, with the decision's reasons.
    public var failureText: String {
        var lines = ["✗ \(name)"]
        lines += mismatches.map { "    \($0.field):\n      expected: \($0.expected)\n      actual:   \($0.actual)" }
        lines += decision.reasons.map { "    reason: \($0)" }
        return lines.joined(separator: "\n")
    }
}

/// The result of running a suite against a policy.
public struct SuiteReport: Sendable, Hashable {
    /// The suite's name.
    public var suite: String
    /// The policy's id.
    public var policyID: String
    /// The policy's version.
    public var policyVersion: String
    /// One result per case, in suite order.
    public var results: [CaseResult]
    /// Which rules the cases exercised.
    public var coverage: Coverage

    /// The failed cases.
    public var failures: [CaseResult] { results.filter { !$0.passed } }
    /// The number of passed cases.
    public var passedCount: Int { results.count - failures.count }
    /// Whether every case passed.
    public var allPassed: Bool { failures.isEmpty }

    /// A plain-text report: a summary line, then each failure with expected and actual.
    public var text: String {
        var lines = [
            "suite \(suite) against \(policyID)@\(policyVersion): \(passedCount)/\(results.count) passed"
        ]
        lines += failures.map(\.failureText)
        return lines.joined(separator: "\n")
    }

    /// A plain-text report that also shows every case's decision: the summary line, one line per case, then
    /// each failure with expected and actual.
    public var verboseText: String {
        var lines = [
            "suite \(suite) against \(policyID)@\(policyVersion): \(passedCount)/\(results.count) passed"
        ]
        lines += results.map { "  " + $0.decisionText }
        lines += failures.map(\.failureText)
        return lines.joined(separator: "\n")
    }
}

extension PolicyRequest {
    /// Reads one request strictly: a member that decoding does not read (a misspelt fact such as
    /// `"anonymised"`) is an error naming its JSON path, as in test suites.
    /// - Parameters:
    ///   - data: The JSON, `{"<requestKey>": {...}}`.
    ///   - file: The file name used in errors.
    ///   - limits: The largest input read.
    /// - Returns: The request.
    /// - Throws: ``PolicySuiteError`` listing every problem.
    public static func load(
        from data: Data,
        file: String = "request",
        limits: PolicyInputLimits = .standard
    ) throws(PolicySuiteError) -> PolicyRequest {
        if let problem = PolicyInputLimits.problem(
            data,
            maximumBytes: limits.maximumSuiteBytes,
            maximumDepth: limits.maximumNestingDepth
        ) {
            throw PolicySuiteError(file: file, path: "$", message: problem)
        }
        let request: PolicyRequest
        do {
            request = try PublicDataJSON.decode(PolicyRequest.self, from: data)
        } catch {
            throw PolicySuiteError(file: file, path: error.path, message: error.message)
        }
        let issues = StrictDecoding.unreadMembers(of: request, in: data)
        if !issues.isEmpty { throw PolicySuiteError(file: file, issues: issues) }
        return request
    }
}

/// Runs policy test suites.
public enum PolicyHarness {
    /// Runs every case of a suite against a policy.
    ///
    /// ```swift
    /// let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
    /// if !report.allPassed { print(report.text) }
    /// ```
    /// - Parameters:
    ///   - suite: The suite.
    ///   - policy: The policy under test.
    /// - Returns: The report, with coverage.
    public static func run(suite: PolicyTestSuite, policy: Policy) -> SuiteReport {
        var results: [CaseResult] = []
        for testCase in suite.cases {
            let decision = policy.evaluate(testCase.request, at: testCase.at ?? suite.at ?? PolicyTestSuite.defaultTime)
            results.append(
                CaseResult(name: testCase.name, decision: decision, mismatches: check(decision, testCase.expect))
            )
        }
        return SuiteReport(
            suite: suite.name,
            policyID: policy.id,
            policyVersion: policy.version,
            results: results,
            coverage: Coverage(policy: policy, decisions: results.map(\.decision))
        )
    }

    /// Compares a decision with an expectation.
    /// - Returns: Every mismatch; empty when the decision meets the expectation.
    public static func check(_ decision: Decision, _ expect: PolicyExpectation) -> [ExpectationMismatch] {
        var mismatches: [ExpectationMismatch] = []
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
        if let effect = expect.effect, decision.effect != effect {
            mismatches.append(
                ExpectationMismatch(field: "effect", expected: effect.rawValue, actual: decision.effect.rawValue)
            )
        }
        func include(_ field: String, _ expected: [String]?, _ actual: [String], exact: Bool) {
            guard let expected else { return }
            let ok = exact ? Set(expected) == Set(actual) : Set(expected).isSubset(of: Set(actual))
            if !ok {
                mismatches.append(
                    ExpectationMismatch(
                        field: field,
                        expected: (exact ? "exactly " : "including ") + list(expected),
                        actual: list(actual)
                    )
                )
            }
        }
        func exclude(_ field: String, _ excluded: [String]?, _ actual: [String]) {
            guard let excluded, !Set(excluded).isDisjoint(with: Set(actual)) else { return }
            mismatches.append(
                ExpectationMismatch(field: field, expected: "not including " + list(excluded), actual: list(actual))
            )
        }
        let obligations = decision.obligationKinds.map(\.rawValue)
        let articles = decision.citedArticles
        let rules = ruleIDs(of: decision)
        include(
            "obligations",
            expect.obligations?.map(\.rawValue),
            obligations,
            exact: expect.exactObligations ?? expect.exact ?? false
        )
        include("articles", expect.articles, articles, exact: expect.exactArticles ?? expect.exact ?? false)
        include("rules", expect.rules, rules, exact: false)
        exclude("obligationsExclude", expect.obligationsExclude?.map(\.rawValue), obligations)
        exclude("articlesExclude", expect.articlesExclude, articles)
        exclude("rulesExclude", expect.rulesExclude, rules)
        if let alternatives = expect.anyOf, !alternatives.contains(where: { check(decision, $0).isEmpty }) {
            let described = alternatives.enumerated().map { index, alternative in
                "[\(index)] " + check(decision, alternative).map(\.description).joined(separator: "; ")
            }
            mismatches.append(
                ExpectationMismatch(
                    field: "anyOf",
                    expected: "one of \(alternatives.count) alternative(s)",
                    actual: "none held: " + described.joined(separator: " | ")
                )
            )
        }
        return mismatches
    }

    /// The rules a decision is attributed to: its fired rules, or ``Reason/noApplicableRuleID`` for the
    /// fail-closed deny.
    /// - Parameter decision: The decision.
    /// - Returns: The rule ids expectations and reports compare against.
    public static func ruleIDs(of decision: Decision) -> [String] {
        decision.isNoApplicableRule ? [Reason.noApplicableRuleID] : decision.firedRules
    }
}

/// Which rules a set of decisions exercised, like `opa test --coverage`.
public struct Coverage: Sendable, Hashable {
    /// Every rule id of the policy, in policy order.
    public var ruleIDs: [String]
    /// How many decisions each rule contributed to (rules never exercised are absent).
    public var hits: [String: Int]

    /// Computes coverage from decisions made by `policy`.
    /// - Parameters:
    ///   - policy: The policy.
    ///   - decisions: Decisions it made (e.g. a suite's results or a replayed corpus).
    public init(policy: Policy, decisions: [Decision]) {
        ruleIDs = policy.rules.map(\.id)
        hits = [:]
        for decision in decisions {
            for rule in decision.firedRules { hits[rule, default: 0] += 1 }
        }
    }

    /// Rules no decision exercised, in policy order.
    public var unexercised: [String] { ruleIDs.filter { hits[$0] == nil } }

    /// The exercised share of rules, 0...1 (1 for a policy without rules).
    public var ratio: Double {
        ruleIDs.isEmpty ? 1 : Double(ruleIDs.count - unexercised.count) / Double(ruleIDs.count)
    }

    /// A plain-text report: the percentage, then every rule with its count, unexercised rules marked.
    public var text: String {
        let covered = ruleIDs.count - unexercised.count
        let percent = Int((ratio * 100).rounded())
        var lines = ["coverage: \(covered)/\(ruleIDs.count) rules exercised (\(percent)%)"]
        for rule in ruleIDs {
            if let count = hits[rule] {
                lines.append("  ✓ \(rule)  \(count)")
            } else {
                lines.append("  ✗ \(rule)  never exercised")
            }
        }
        return lines.joined(separator: "\n")
    }
}

/// One recorded request of a replay corpus.
public struct CorpusRecord: Codable, Sendable, Hashable {
    /// An identifier for reports (the line number when the line had none).
    public var id: String
    /// The request.
    public var request: PolicyRequest
    /// When it was (or is) decided.
    public var at: Date

    /// Creates a record.
    public init(id: String, request: PolicyRequest, at: Date) {
        self.id = id
        self.request = request
        self.at = at
    }
}

/// A decision that differs between two policies.
public struct DecisionChange: Sendable, Hashable {
    /// The record.
    public var recordID: String
    /// The decision under the old policy.
    public var old: Decision
    /// The decision under the new policy.
    public var new: Decision
    /// The rules that fired under only one of the two policies (or whose outcome changed).
    public var rules: [String]
    /// The articles those rules cite.
    public var articles: [String]

    /// `permit → deny`, `permit (obligations changed)` or `deny (reasons changed)`.
    public var transition: String {
        if old.effect != new.effect { return "\(old.effect.rawValue) → \(new.effect.rawValue)" }
        if old.obligations != new.obligations { return "\(new.effect.rawValue) (obligations changed)" }
        return "\(new.effect.rawValue) (reasons changed)"
    }
}

/// Changed decisions attributed to one rule or article, with counts per transition.
public struct ImpactGroup: Sendable, Hashable {
    /// The rule id or the article.
    public var key: String
    /// How many changed decisions it took part in.
    public var count: Int
    /// Counts per transition, e.g. `["permit → deny": 3]`.
    public var transitions: [String: Int]
}

/// The result of replaying a corpus under two policies.
public struct ImpactReport: Sendable, Hashable {
    /// The old policy's `id@version`.
    public var old: String
    /// The new policy's `id@version`.
    public var new: String
    /// How many records were replayed.
    public var total: Int
    /// The records whose decision changed, in corpus order.
    public var changes: [DecisionChange]
    /// Changed decisions grouped by rule, most affected first.
    public var byRule: [ImpactGroup]
    /// Changed decisions grouped by cited article, most affected first.
    public var byArticle: [ImpactGroup]
    /// Counts per transition over all changes.
    public var transitions: [String: Int]

    /// A plain-text report: totals, transitions, groups by rule and by article, then each change.
    public var text: String {
        var lines = ["replay of \(total) request(s): \(old) → \(new): \(changes.count) decision(s) changed"]
        func render(_ counts: [String: Int]) -> String {
            counts.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        }
        if !changes.isEmpty {
            lines.append("transitions: " + render(transitions))
            lines.append("by rule:")
            lines += byRule.map { "  \($0.key)  \($0.count)  (\(render($0.transitions)))" }
            lines.append("by article:")
            lines += byArticle.map { "  \($0.key)  \($0.count)  (\(render($0.transitions)))" }
            lines.append("changes:")
            lines += changes.map { "  \($0.recordID): \($0.transition)  [\($0.rules.joined(separator: ", "))]" }
        }
        return lines.joined(separator: "\n")
    }
}

/// Replays recorded requests under two policy versions to show which decisions a change affects.
public enum ImpactAnalysis {
    /// Reads a JSON Lines corpus: one request per line, either a bare ``PolicyRequest``
    /// (`{"dataRequest": {...}}`) or a record `{"id": "...", "at": "...", "request": {...}}`. Blank lines and
    /// lines starting with `#` or `//` are skipped.
    /// - Parameters:
    ///   - data: The corpus.
    ///   - defaultTime: The time of lines without `at`.
    ///   - limits: The largest corpus, line and record count read, and the deepest nesting of a line.
    /// - Returns: The records.
    /// - Throws: ``PolicySuiteError`` naming the line (`line 7`) of the first bad record, or the limit exceeded
    ///   (file `corpus` for the whole input).
    public static func loadCorpus(
        jsonLines data: Data,
        defaultTime: Date = PolicyTestSuite.defaultTime,
        limits: PolicyInputLimits = .standard
    ) throws(PolicySuiteError) -> [CorpusRecord] {
        struct Line: Decodable {
            var id: String?
            var at: Date?
            var request: PolicyRequest
        }
        guard data.count <= limits.maximumCorpusBytes else {
            throw PolicySuiteError(
                file: "corpus",
                path: "$",
                message: "the corpus is \(data.count) bytes; the limit is \(limits.maximumCorpusBytes)"
            )
        }
        var records: [CorpusRecord] = []
        // Lines are sliced from the bytes one at a time, so memory stays proportional to the longest line.
        var offset = 0
        for rawBytes in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            offset += 1
            let number = offset
            if let problem = PolicyInputLimits.problem(
                rawBytes,
                maximumBytes: limits.maximumCorpusLineBytes,
                maximumDepth: limits.maximumNestingDepth
            ) {
                throw PolicySuiteError(file: "line \(number)", path: "$", message: problem)
            }
            let line = String(decoding: rawBytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix("//") { continue }
            guard records.count < limits.maximumCorpusRecords else {
                throw PolicySuiteError(
                    file: "line \(number)",
                    path: "$",
                    message: "the corpus holds more than \(limits.maximumCorpusRecords) records"
                )
            }
            let bytes = Data(line.utf8)
            if line.contains("\"request\"") {
                do {
                    let parsed = try PublicDataJSON.decode(Line.self, from: bytes)
                    records.append(
                        CorpusRecord(
                            id: parsed.id ?? "line \(number)",
                            request: parsed.request,
                            at: parsed.at ?? defaultTime
                        )
                    )
                    continue
                } catch {
                    if line.hasPrefix("{\"request\"") || line.contains("\"id\"") {
                        throw PolicySuiteError(file: "line \(number)", path: error.path, message: error.message)
                    }
                }
            }
            do {
                let request = try PublicDataJSON.decode(PolicyRequest.self, from: bytes)
                records.append(CorpusRecord(id: "line \(number)", request: request, at: defaultTime))
            } catch {
                throw PolicySuiteError(file: "line \(number)", path: error.path, message: error.message)
            }
        }
        return records
    }

    /// Evaluates every record under both policies and reports the decisions that changed.
    ///
    /// ```swift
    /// var stricter = Policy.beijingDefault
    /// stricter.version = "2026.2"
    /// stricter.parameters.freePurposes = [.publicGovernance]
    /// let report = ImpactAnalysis.compare(old: .beijingDefault, new: stricter, corpus: records)
    /// print(report.text)
    /// ```
    /// - Parameters:
    ///   - old: The policy in force.
    ///   - new: The candidate policy.
    ///   - corpus: The recorded requests.
    /// - Returns: The changes, grouped by rule and by article.
    public static func compare(old: Policy, new: Policy, corpus: [CorpusRecord]) -> ImpactReport {
        var changes: [DecisionChange] = []
        for record in corpus {
            let before = old.evaluate(record.request, at: record.at)
            let after = new.evaluate(record.request, at: record.at)
            guard
                before.effect != after.effect || before.obligations != after.obligations
                    || before.firedRules != after.firedRules
            else { continue }
            let rules = responsibleRules(before, after)
            var articles: [String] = []
            for reason in before.reasons + after.reasons where rules.contains(reason.ruleID) {
                for article in reason.articles where !articles.contains(article) { articles.append(article) }
            }
            changes.append(
                DecisionChange(recordID: record.id, old: before, new: after, rules: rules, articles: articles)
            )
        }
        func group(_ keys: (DecisionChange) -> [String]) -> [ImpactGroup] {
            var groups: [String: ImpactGroup] = [:]
            for change in changes {
                for key in keys(change) {
                    groups[key, default: ImpactGroup(key: key, count: 0, transitions: [:])].count += 1
                    groups[key]?.transitions[change.transition, default: 0] += 1
                }
            }
            return groups.values.sorted { ($0.count, $1.key) > ($1.count, $0.key) }
        }
        var transitions: [String: Int] = [:]
        for change in changes { transitions[change.transition, default: 0] += 1 }
        return ImpactReport(
            old: "\(old.id)@\(old.version)",
            new: "\(new.id)@\(new.version)",
            total: corpus.count,
            changes: changes,
            byRule: group(\.rules),
            byArticle: group(\.articles),
            transitions: transitions
        )
    }

    /// Replays a corpus under two policies, reading the corpus from JSON Lines.
    /// - Throws: ``PolicySuiteError`` for a bad line.
    public static func compare(
        old: Policy,
        new: Policy,
        jsonLines: Data,
        limits: PolicyInputLimits = .standard
    ) throws(PolicySuiteError) -> ImpactReport {
        compare(old: old, new: new, corpus: try loadCorpus(jsonLines: jsonLines, limits: limits))
    }

    /// The rules a change is attributed to: for a flip, the deny rules of the denying side (or, when that side
    /// had no applicable rule, the permit side's rules); otherwise the rules that fired on one side only.
    private static func responsibleRules(_ before: Decision, _ after: Decision) -> [String] {
        if before.effect != after.effect {
            let (permit, deny) = before.isPermit ? (before, after) : (after, before)
            if deny.isNoApplicableRule { return permit.firedRules + [Reason.noApplicableRuleID] }
            return deny.firedRules
        }
        let rules = symmetricDifference(before.firedRules, after.firedRules)
        if !rules.isEmpty { return rules }
        return after.firedRules.isEmpty ? [Reason.noApplicableRuleID] : after.firedRules
    }

    private static func symmetricDifference(_ a: [String], _ b: [String]) -> [String] {
        a.filter { !b.contains($0) } + b.filter { !a.contains($0) }
    }
}
