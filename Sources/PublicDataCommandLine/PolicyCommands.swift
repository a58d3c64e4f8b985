import Foundation
import PublicDataPolicy

/// `policy test`, `policy diff`, `policy coverage`.
enum PolicyCommands {
    static let help = """
        USAGE
          publicdata-demo policy test SUITE_DIR_OR_FILE… [--policy FILE]
              Runs JSON policy test suites; prints each failure with expected and actual. Exit 1 on a failure.
          publicdata-demo policy diff OLD_POLICY NEW_POLICY --corpus FILE
              Replays a JSON Lines corpus of requests under both policies and reports the decisions that
              change, grouped by rule and by article. Use 'default' for the bundled Beijing policy.
          publicdata-demo policy coverage SUITE_DIR_OR_FILE… [--policy FILE]
              Lists the rules no case exercised.

        Without --policy the bundled Beijing default policy is used.
        """

    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        guard let sub = arguments.first, !["--help", "-h"].contains(sub) else {
            output.line(help)
            return arguments.isEmpty ? .usage : .success
        }
        let specs: [String: ArgumentSpec] = [
            "test": ArgumentSpec(command: "policy test", valued: ["policy"], positionals: 1...Int.max),
            "coverage": ArgumentSpec(command: "policy coverage", valued: ["policy"], positionals: 1...Int.max),
            "diff": ArgumentSpec(command: "policy diff", valued: ["corpus"], positionals: 2...2),
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
        case "test": return try test(parsed, output: output)
        case "coverage": return try coverage(parsed, output: output)
        default: return try diff(parsed, output: output)
        }
    }

    /// Loads a policy file, or the bundled default for `nil` or `"default"`.
    static func loadPolicy(_ path: String?) throws -> Policy {
        guard let path, path != "default" else { return Policy.beijingDefault }
        let data = try PublicDataTool.read(path)
        do {
            return try Policy.load(from: data)
        } catch {
            let problems = error.issues.map { "\($0.path): \($0.message)" }
            let detail = problems.isEmpty ? "\(error)" : problems.joined(separator: "; ")
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
                throw InputError(file: file, message: "\(error.path): \(error.message)")
            }
        }
        return suites
    }

    private static func test(_ parsed: ParsedArguments, output: TextOutput) throws -> ExitStatus {
        let policy = try loadPolicy(parsed.values["policy"])
        let suites = try loadSuites(parsed.positionals)
        var passed = 0
        var failed = 0
        for suite in suites {
            let report = PolicyHarness.run(suite: suite, policy: policy)
            output.line(report.text)
            passed += report.passedCount
            failed += report.failures.count
        }
        output.line("\(passed) passed, \(failed) failed")
        return failed == 0 ? .success : .checkFailed
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
