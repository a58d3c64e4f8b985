import Foundation
import PublicDataPolicy

/// `policy eval`, `policy test`, `policy diff`, `policy coverage`, `policy impact`.
enum PolicyCommands {
    static let help = """
        USAGE
          publicdata-demo policy eval REQUEST.json [--policy FILE] [--at INSTANT] [--format text|json]
              Evaluates one request and prints the decision: effect, rules, obligations, articles, reasons.
          publicdata-demo policy test SUITE_DIR_OR_FILE… [--policy FILE] [-v|--verbose] [--format text|json]
              Runs JSON policy test suites; prints each failure with expected and actual (-v: every case's
              decision too; --format json: one JSON report for CI). Exit 1 on a failure.
          publicdata-demo policy diff OLD_POLICY NEW_POLICY --corpus FILE
              Replays a JSON Lines corpus of requests under both policies and reports the decisions that
              change, grouped by rule and by article. Use 'default' for the bundled Beijing policy.
          publicdata-demo policy coverage SUITE_DIR_OR_FILE… [--policy FILE]
              Lists the rules no case exercised.
          publicdata-demo policy impact --store DB --policy NEW [--current FILE] [--at INSTANT] [--format text|json]
              Judges the live record of the SQLite store DB under the proposed policy NEW, recording nothing:
              the live grants, products and scenarios it would suspend (the policy monitor suspends exactly
              these when NEW is adopted) and the refused requests it would permit, by rule and article.

        Without --policy the bundled Beijing default policy is used. Suites and requests are read strictly:
        an unknown member is an error naming its JSON path (exit 2), as is a suite without cases.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        guard let sub = arguments.first, !["--help", "-h"].contains(sub) else {
            output.line(help)
            return arguments.isEmpty ? .usage : .success
        }
        let specs: [String: ArgumentSpec] = [
            "eval": ArgumentSpec(command: "policy eval", valued: ["policy", "format", "at"], positionals: 1...1),
            "test": ArgumentSpec(
                command: "policy test",
                valued: ["policy", "format"],
                flags: ["verbose"],
                positionals: 1...Int.max
            ),
            "coverage": ArgumentSpec(command: "policy coverage", valued: ["policy"], positionals: 1...Int.max),
            "diff": ArgumentSpec(command: "policy diff", valued: ["corpus"], positionals: 2...2),
            "impact": ArgumentSpec(
                command: "policy impact",
                valued: ["store", "policy", "current", "at", "format"],
                positionals: 0...0
            ),
        ]
        guard let spec = specs[sub] else {
            throw UsageError("unknown policy command '\(sub)'", command: "policy")
        }
        let parsed = try ParsedArguments.parse(Array(arguments.dropFirst()), spec: spec)
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        switch sub {
        case "eval": return try eval(parsed, output: output)
        case "test": return try test(parsed, output: output)
        case "coverage": return try coverage(parsed, output: output)
        case "impact": return try await impact(parsed, output: output)
        default: return try diff(parsed, output: output)
        }
    }

    /// The `--format` option: `text` (the default) or `json`.
    static func wantsJSON(_ parsed: ParsedArguments) throws(UsageError) -> Bool {
        switch parsed.values["format"] ?? "text" {
        case "text": return false
        case "json": return true
        case let other:
            throw UsageError("unknown format '\(other)'; expected text or json", command: "policy")
        }
    }

    /// Loads a policy file, or the bundled default for `nil` or `"default"`.
    static func loadPolicy(_ path: String?) throws -> Policy {
        guard let path, path != "default" else { return Policy.beijingDefault }
        let data = try PublicDataTool.read(path)
        do {
            return try Policy.load(from: data)
        } catch {
            // One problem on the line itself; several as a count and one indented line each.
            let detail: String
            switch error.issues.count {
            case 0: detail = "\(error)"
            case 1: detail = error.issues[0].description
            default:
                detail = (["\(error.issues.count) problem(s)"] + error.issues.map { "  - \($0)" }).joined(
                    separator: "\n"
                )
            }
            throw InputError(file: path, message: "invalid policy: \(detail)")
        }
    }

    /// Loads every suite named by the positionals (files, or directories of `.json` files).
    static func loadSuites(_ paths: [String]) throws -> [PolicyTestSuite] {
        var suites: [PolicyTestSuite] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw InputError(file: path, message: "no such file or directory")
            }
            do {
                if isDirectory.boolValue {
                    suites += try PolicyTestSuite.loadDirectory(URL(fileURLWithPath: path))
                } else {
                    suites.append(try PolicyTestSuite.load(from: URL(fileURLWithPath: path)))
                }
            } catch {
                // The library names a suite by its last path component; name it as the user can find it.
                let file =
                    isDirectory.boolValue && error.file != path
                    ? URL(fileURLWithPath: path).appendingPathComponent(error.file).path : path
                throw InputError(file: file, message: error.listing)
            }
        }
        return suites
    }

    private static func eval(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        let json = try wantsJSON(parsed)
        let policy = try loadPolicy(parsed.values["policy"])
        var at = Date()
        if let text = parsed.values["at"] {
            guard let instant = PublicDataJSON.parseInstant(text) else {
                throw UsageError("--at needs an ISO 8601 instant such as 2026-03-01T00:00:00Z", command: "policy eval")
            }
            at = instant
        }
        let path = parsed.positionals[0]
        let request: PolicyRequest
        do {
            request = try PolicyRequest.load(from: try PublicDataTool.read(path), file: path)
        } catch let error as PolicySuiteError {
            throw InputError(file: path, message: error.listing)
        }
        let decision = policy.evaluate(request, at: at)
        if json {
            output.line(try render(DecisionReport(decision)))
        } else {
            output.line("\(decision.effect.rawValue) (\(request.point.rawValue), \(policy.id)@\(policy.version))")
            output.line("rules: " + PolicyHarness.ruleIDs(of: decision).joined(separator: ", "))
            if !decision.obligations.isEmpty {
                output.line("obligations:")
                for obligation in decision.obligations { output.line("  \(obligation)") }
            }
            output.line("articles: " + decision.citedArticles.joined(separator: ", "))
            output.line("reasons:")
            for reason in decision.reasons { output.line("  \(reason)") }
        }
        return .success
    }

    private static func test(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        let json = try wantsJSON(parsed)
        let policy = try loadPolicy(parsed.values["policy"])
        let suites = try loadSuites(parsed.positionals)
        let reports = suites.map { PolicyHarness.run(suite: $0, policy: policy) }
        let passed = reports.reduce(0) { $0 + $1.passedCount }
        let failed = reports.reduce(0) { $0 + $1.failures.count }
        if json {
            output.line(try render(TestReport(reports: reports)))
        } else {
            for report in reports {
                output.line(parsed.flags.contains("verbose") ? report.verboseText : report.text)
            }
            output.line("\(passed) passed, \(failed) failed")
        }
        return failed == 0 ? .success : .checkFailed
    }

    /// Pretty JSON with sorted keys, in the library's date style.
    private static func render(_ value: some Encodable) throws -> String {
        let encoder = PublicDataJSON.makeEncoder()
        encoder.outputFormatting.insert(.prettyPrinted)
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A decision as `policy eval --format json` and `policy test --format json` print it.
    struct DecisionReport: Encodable {
        var effect: String
        var rules: [String]
        var obligations: [Obligation]
        var articles: [String]
        var reasons: [Reason]
        var policy: String
        var evaluatedAt: Date

        init(_ decision: Decision) {
            effect = decision.effect.rawValue
            rules = PolicyHarness.ruleIDs(of: decision)
            obligations = decision.obligations
            articles = decision.citedArticles
            reasons = decision.reasons
            policy = "\(decision.policyID)@\(decision.policyVersion)"
            evaluatedAt = decision.evaluatedAt
        }
    }

    /// `policy test --format json`: totals, then every suite with every case.
    struct TestReport: Encodable {
        struct Mismatch: Encodable {
            var field: String
            var expected: String
            var actual: String
        }
        struct Case: Encodable {
            var name: String
            var passed: Bool
            var decision: DecisionReport
            var mismatches: [Mismatch]
        }
        struct Suite: Encodable {
            var name: String
            var policy: String
            var passed: Int
            var failed: Int
            var cases: [Case]
        }
        var passed: Int
        var failed: Int
        var suites: [Suite]

        init(reports: [SuiteReport]) {
            suites = reports.map { report in
                Suite(
                    name: report.suite,
                    policy: "\(report.policyID)@\(report.policyVersion)",
                    passed: report.passedCount,
                    failed: report.failures.count,
                    cases: report.results.map { result in
                        Case(
                            name: result.name,
                            passed: result.passed,
                            decision: DecisionReport(result.decision),
                            mismatches: result.mismatches.map {
                                Mismatch(field: $0.field, expected: $0.expected, actual: $0.actual)
                            }
                        )
                    }
                )
            }
            passed = suites.reduce(0) { $0 + $1.passed }
            failed = suites.reduce(0) { $0 + $1.failed }
        }
    }

    private static func coverage(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        let policy = try loadPolicy(parsed.values["policy"])
        let suites = try loadSuites(parsed.positionals)
        let decisions = suites.flatMap { PolicyHarness.run(suite: $0, policy: policy).results.map(\.decision) }
        let coverage = Coverage(policy: policy, decisions: decisions)
        output.line(coverage.text)
        if !coverage.unexercised.isEmpty {
            output.line("never exercised: " + coverage.unexercised.joined(separator: ", "))
        }
        return .success
    }

    private static func diff(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        guard let corpusPath = parsed.values["corpus"] else {
            throw UsageError("missing --corpus FILE", command: "policy diff")
        }
        let old = try loadPolicy(parsed.positionals[0])
        let new = try loadPolicy(parsed.positionals[1])
        let corpus = try PublicDataTool.read(corpusPath)
        do {
            let report = try ImpactAnalysis.compare(old: old, new: new, jsonLines: corpus)
            output.line(report.text)
        } catch {
            throw InputError(file: corpusPath, message: "\(error.path): \(error.message)")
        }
        return .success
    }
}
