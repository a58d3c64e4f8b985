import CPublicDataSQLite
import Foundation
import PublicDataKit
import PublicDataSQLite
import Testing

@testable import PublicDataCommandLine

/// The subcommands with good and bad input: exit statuses 0, 1 and 2 and one clear line per bad file.
@Suite struct CommandTests {
    // MARK: - The demo on SQLite and the follow-up commands

    @Test func theSQLiteDemoRunsTwiceAndItsFollowUpCommandsWork() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("publicdata-demo-data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path

        let first = await tool(["--data-dir", dataDirectory])
        #expect(first.status == .success, "\(first.error)")
        #expect(first.output.hasPrefix("Store: SQLite \(database) (fresh database)"))
        #expect(first.output.contains("publicdata-demo ledger verify \(database)"))
        #expect(first.output.contains("publicdata-demo disclose \(database) --year 2026"))
        let second = await tool(["run", "--data-dir", dataDirectory])
        #expect(second.status == .success, "\(second.error)")
        // 95 workflow and ledger events (the exit closes the registration renewal too; the operator's security records
        // are recorded, reminded and expire) plus the ledger's two leaf records.
        #expect(second.output.contains("Done: 97 events"))

        let verified = await tool(["ledger", "verify", database])
        #expect(verified.status == .success)
        #expect(verified.output.contains("0 held and 2 recorded signed checkpoint(s)"))
        #expect(
            verified.output.contains("note: events at global positions 97…97 are not yet under a signed checkpoint")
        )

        let proof = directory.path("proof.json")
        #expect(await tool(["ledger", "prove", database, "0", "--out", proof]).status == .success)
        let checked = await tool(["ledger", "check-proof", proof])
        #expect(checked.status == .success)
        #expect(checked.output.contains("catalog.entryPublished"))

        let markdown = await tool(["disclose", database, "--year", "2026"])
        #expect(markdown.status == .success)
        #expect(markdown.output.hasPrefix("# 公共数据授权运营信息披露"))
        #expect(markdown.output.contains("| `prod-sme-credit-model` | ¥0.20 | per call | 是 (yes) | ¥200.00 |"))
        // The command rebuilds from the file exactly the disclosure the demo printed.
        let printed = second.output.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { $0.hasPrefix("    │ ") }.map { $0.dropFirst(6) }
        #expect(printed.joined(separator: "\n") == markdown.output)
        let json = await tool(["disclose", database, "--year", "2026", "--format", "json"])
        #expect(json.status == .success)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any]
        )
        #expect((object["operators"] as? [Any])?.count == 1)
        #expect(object["ledgerCheckpoint"] != nil)
        let empty = await tool(["disclose", database, "--year", "2025"])
        #expect(empty.status == .success)
        #expect(empty.output.contains("无 (none)"))

        let resumed = await tool(["--resume", "--data-dir", dataDirectory])
        #expect(resumed.status == .success)
        #expect(resumed.output.contains("re-verifying its audit ledger"))
        #expect(resumed.output.contains("OK: every checkpoint is signed"))
    }

    @Test func ledgerVerifyDetectsATamperedDatabase() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let dataDirectory = directory.path("data")
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        #expect(await tool(["--data-dir", dataDirectory, "--hash", "sm3"]).status == .success)

        // Flip one byte of the second event's payload (the tax bureau's catalog entry) behind the store's back.
        var handle: OpaquePointer?
        #expect(sqlite3_open(database, &handle) == SQLITE_OK)
        let sql = """
            UPDATE events SET payload = CAST(replace(CAST(payload AS TEXT), 'bj-tax', 'bj-taX') AS BLOB)
            WHERE position = 2
            """
        #expect(sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK)
        #expect(sqlite3_changes(handle) == 1)
        sqlite3_close(handle)

        let verified = await tool(["ledger", "verify", database])
        #expect(verified.status == .checkFailed)
        #expect(verified.output.contains("✗ recorded at position 78: size 77: the store hashes to"))
        #expect(verified.output.contains("FAILED: the event at global position 2 (leaf 1) was changed"))
        #expect(verified.output.contains("FAILED: the first change lies in leaf indexes 0..<77"))
        let resumed = await tool(["--resume", "--data-dir", dataDirectory])
        #expect(resumed.status == .checkFailed)
    }

    @Test func theMemoryStoreWritesNothing() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let run = await tool(["run", "--store", "memory", "--data-dir", directory.path("unused")])
        #expect(run.status == .success)
        #expect(run.output.hasPrefix("Store: in memory"))
        #expect(!FileManager.default.fileExists(atPath: directory.path("unused")))
    }

    @Test(
        arguments: [
            (["run", "--store", "mysql"], "unknown store 'mysql'"),
            (["run", "--hash", "md5"], "unknown hash 'md5'"),
            (["run", "extra"], "unexpected argument 'extra'"),
            (["frobnicate"], "unknown command 'frobnicate'"),
            (["disclose", "x.sqlite"], "missing --year YYYY"),
            (["disclose", "x.sqlite", "--year", "twenty"], "--year must be a year"),
            (["disclose", "x.sqlite", "--year", "2026", "--format", "pdf"], "--format must be markdown or json"),
            (["diagram"], "missing argument(s)"),
            (["ledger", "prove", "x.sqlite", "minus-one"], "INDEX must be a non-negative integer"),
        ] as [([String], String)]
    )
    func badCommandLinesAreUsageErrors(arguments: [String], message: String) async {
        let run = await tool(arguments)
        #expect(run.status == .usage)
        #expect(run.errorLines.first?.contains(message) == true, "\(run.error)")
    }

    #if !PostgreSQL
    @Test func postgresWithoutTheTraitSaysHowToBuild() async {
        let run = await tool(["--store", "postgres://demo@localhost/publicdata"])
        #expect(run.status == .usage)
        #expect(run.error.contains("swift run --traits PostgreSQL publicdata-demo"))
    }
    #endif

    @Test(
        arguments: [
            ["--help"], ["run", "--help"], ["policy", "--help"], ["policy", "test", "--help"],
            ["policy", "diff", "--help"], ["policy", "coverage", "--help"], ["ledger", "--help"],
            ["ledger", "verify", "--help"], ["ledger", "prove", "--help"], ["ledger", "check-proof", "--help"],
            ["disclose", "--help"], ["diagram", "--help"],
        ]
    )
    func everySubcommandHasHelp(arguments: [String]) async {
        let run = await tool(arguments)
        #expect(run.status == .success)
        #expect(run.output.contains("USAGE"))
        #expect(run.error.isEmpty)
    }

    // MARK: - Missing and bad files

    @Test(
        arguments: [
            ["disclose", "FILE", "--year", "2026"], ["ledger", "verify", "FILE"], ["ledger", "prove", "FILE", "0"],
            ["ledger", "check-proof", "FILE"], ["policy", "test", "FILE"], ["policy", "coverage", "FILE"],
        ]
    )
    func aMissingFileIsOneLineNamingIt(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let missing = directory.path("missing-\(arguments[0]).file")
        let run = await tool(arguments.map { $0 == "FILE" ? missing : $0 })
        #expect(run.status == .usage)
        #expect(run.errorLines.count == 1)
        #expect(run.errorLines.first?.hasPrefix("error: \(missing): ") == true, "\(run.error)")
    }

    @Test(arguments: [["disclose", "FILE", "--year", "2026"], ["ledger", "verify", "FILE"]])
    func aFileThatIsNoDatabaseIsOneLineNamingIt(arguments: [String]) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = try directory.write("notes.sqlite", "not a database\n")
        let run = await tool(arguments.map { $0 == "FILE" ? path : $0 })
        #expect(run.status == .usage)
        #expect(run.errorLines.count == 1)
        #expect(run.error.hasPrefix("error: \(path): "))
        #expect(run.error.contains("not a database"))
    }

    @Test func aStoreWithoutALedgerIsNamed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let path = directory.path("empty.sqlite")
        let store = try SQLiteEventStore(path: path)
        store.close()
        let run = await tool(["ledger", "verify", path])
        #expect(run.status == .usage)
        #expect(run.error == "error: \(path): the store holds no audit ledger\n")
    }

    @Test func aBadProofBundleNamesTheFileAndThePathAndATamperedOneFails() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let bad = try directory.write("bad.json", #"{"index": "zero"}"#)
        let unreadable = await tool(["ledger", "check-proof", bad])
        #expect(unreadable.status == .usage)
        #expect(unreadable.errorLines.count == 1)
        #expect(unreadable.error.hasPrefix("error: \(bad): $"), "\(unreadable.error)")

        let dataDirectory = directory.path("data")
        #expect(await tool(["--data-dir", dataDirectory]).status == .success)
        let database = URL(fileURLWithPath: dataDirectory).appendingPathComponent("demo.sqlite").path
        let proof = directory.path("proof.json")
        #expect(await tool(["ledger", "prove", database, "1", "--out", proof]).status == .success)
        // Flip one bit of the entry's canonical bytes.
        var bundle = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: proof))) as? [String: Any]
        )
        let encoded = try #require(bundle["entry"] as? String)
        var entry = try #require(Data(base64Encoded: encoded))
        entry[entry.count - 2] ^= 0x01
        bundle["entry"] = entry.base64EncodedString()
        let tampered = directory.path("tampered.json")
        try JSONSerialization.data(withJSONObject: bundle).write(to: URL(fileURLWithPath: tampered))
        let run = await tool(["ledger", "check-proof", tampered])
        #expect(run.status == .checkFailed)
        #expect(run.output.hasPrefix("FAILED:"))
        #expect(await tool(["ledger", "check-proof", proof, "--key", "another key"]).status == .checkFailed)
    }

    // MARK: - diagram

    @Test(arguments: ProcessKind.allCases)
    func everyProcessHasADiagram(process: ProcessKind) async {
        let run = await tool(["diagram", process.rawValue])
        #expect(run.status == .success)
        let lines = run.output.split(separator: "\n")
        #expect(lines.first == "%% \(Processes.description(of: process).title)")
        #expect(lines.dropFirst().first == "stateDiagram-v2")
        #expect(lines.contains { $0.contains("-->") })
    }

    @Test func diagramAcceptsSpellingsAndListsValidNames() async {
        #expect(await tool(["diagram", "data-request"]).output == (await tool(["diagram", "data_request"])).output)
        #expect(await tool(["diagram", "dataRequest"]).status == .success)
        let run = await tool(["diagram", "contract"])
        #expect(run.status == .usage)
        #expect(
            run.errorLines.first == "error: unknown process 'contract'; valid processes: \(DiagramCommand.validNames)"
        )
        #expect(run.error.contains("agreement, registration, data_request"))
    }

    // MARK: - policy

    /// The first case of the repository's Beijing suite (dr.core-grade: deny, Art. 5), as a suite of its own.
    static func suite(expecting effect: String) throws -> String {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("PublicDataPolicyTests/Suites/beijing-default.suite.json")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        var first = try #require((object["cases"] as? [[String: Any]])?.first)
        var expect = try #require(first["expect"] as? [String: Any])
        expect["effect"] = effect
        first["expect"] = expect
        var suite = object
        suite["name"] = "one-case"
        suite["cases"] = [first]
        return String(decoding: try JSONSerialization.data(withJSONObject: suite), as: UTF8.self)
    }

    static func request() throws -> String {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(try suite(expecting: "deny").utf8)) as? [String: Any]
        )
        let first = try #require((object["cases"] as? [[String: Any]])?.first)
        return String(
            decoding: try JSONSerialization.data(withJSONObject: try #require(first["request"])),
            as: UTF8.self
        )
    }

    @Test func policyTestPassesAndFails() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let passing = try directory.write("passing.json", try Self.suite(expecting: "deny"))
        let good = await tool(["policy", "test", passing])
        #expect(good.status == .success)
        #expect(good.output.contains("1 passed, 0 failed"))

        let failing = try directory.write("failing.json", try Self.suite(expecting: "permit"))
        let bad = await tool(["policy", "test", failing])
        #expect(bad.status == .checkFailed)
        #expect(bad.output.contains("0 passed, 1 failed"))
        #expect(bad.output.contains("permit"))
        #expect(bad.output.contains("deny"))
        // A directory runs every suite in it.
        #expect(await tool(["policy", "test", directory.url.path]).status == .checkFailed)
        let broken = try directory.write("zz-broken.json", "{")
        let inDirectory = await tool(["policy", "test", directory.url.path])
        #expect(inDirectory.status == .usage)
        #expect(inDirectory.error.hasPrefix("error: \(broken): "), "\(inDirectory.error)")
    }

    @Test func aBadSuiteOrPolicyNamesTheFileAndTheJSONPath() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let suite = try directory.write("broken.json", #"{"name": "broken", "cases": [{"name": "x", "request": 5}]}"#)
        let run = await tool(["policy", "test", suite])
        #expect(run.status == .usage)
        #expect(run.errorLines.count == 1)
        #expect(run.error.hasPrefix("error: \(suite): $"), "\(run.error)")

        let policy = try directory.write("policy.json", #"{"id": 7}"#)
        let passing = try directory.write("passing.json", try Self.suite(expecting: "deny"))
        let withPolicy = await tool(["policy", "test", passing, "--policy", policy])
        #expect(withPolicy.status == .usage)
        // Several problems: a count, then one problem per line.
        #expect(withPolicy.errorLines.count > 2)
        #expect(withPolicy.error.hasPrefix("error: \(policy): invalid policy: "), "\(withPolicy.error)")
        #expect(withPolicy.errorLines.dropFirst().allSatisfy { $0.hasPrefix("  - $") })
    }

    @Test func policyDiffAndCoverage() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let corpus = try directory.write("corpus.jsonl", "# one request\n" + (try Self.request()) + "\n")
        let diff = await tool(["policy", "diff", "default", "default", "--corpus", corpus])
        #expect(diff.status == .success, "\(diff.error)")
        #expect(diff.output.contains("0 decision(s) changed"))

        let broken = try directory.write("broken.jsonl", "{\"dataRequest\": 1}\n")
        let bad = await tool(["policy", "diff", "default", "default", "--corpus", broken])
        #expect(bad.status == .usage)
        #expect(bad.errorLines.count == 1)
        #expect(bad.error.hasPrefix("error: \(broken): "))
        #expect(await tool(["policy", "diff", "default", "default"]).status == .usage)

        let suite = try directory.write("suite.json", try Self.suite(expecting: "deny"))
        let coverage = await tool(["policy", "coverage", suite])
        #expect(coverage.status == .success)
        #expect(coverage.output.contains("never exercised: "))
        #expect(!coverage.output.contains("never exercised: dr.core-grade,"))
    }
}

/// `policy eval`, `policy test -v` and `--format json`, strict suites (issue 18, item 4).
struct PolicyToolingTests {
    /// The first case of the shipped suite with `edit` applied, as a one-case suite.
    static func suite(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let text = try CommandTests.suite(expecting: "deny")
        var object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var first = try #require((object["cases"] as? [[String: Any]])?.first)
        edit(&first)
        object["cases"] = [first]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func evalPrintsTheDecision() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let request = try directory.write("request.json", try CommandTests.request())
        let text = await tool(["policy", "eval", request, "--at", "2026-06-01T00:00:00Z"])
        #expect(text.status == .success, "\(text.error)")
        let lines = text.output.split(separator: "\n")
        #expect(lines.first == "deny (data_request, beijing-default@2026.1)")
        #expect(lines.contains("rules: dr.core-grade"))
        #expect(lines.contains("articles: Art. 5, Art. 16"))

        let json = await tool(["policy", "eval", request, "--format", "json", "--policy", "default"])
        #expect(json.status == .success)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any])
        #expect(object["effect"] as? String == "deny")
        #expect(object["rules"] as? [String] == ["dr.core-grade"])
        #expect(object["policy"] as? String == "beijing-default@2026.1")

        let typo = try directory.write(
            "typo.json",
            try CommandTests.request().replacingOccurrences(of: "\"day\"", with: "\"anonymised\": true, \"day\"")
        )
        let bad = await tool(["policy", "eval", typo])
        #expect(bad.status == .usage)
        #expect(bad.errorLines.count == 1)
        #expect(bad.error.hasPrefix("error: \(typo): $.dataRequest.anonymised: unknown field \"anonymised\""))
        #expect(await tool(["policy", "eval", request, "--format", "yaml"]).status == .usage)
        #expect(await tool(["policy", "eval"]).status == .usage)
    }

    @Test func verboseTestShowsEveryDecision() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let suite = try directory.write("suite.json", try Self.suite())
        let quiet = await tool(["policy", "test", suite])
        #expect(quiet.status == .success)
        #expect(!quiet.output.contains("✓"))
        for flag in ["-v", "--verbose"] {
            let verbose = await tool(["policy", "test", suite, flag])
            #expect(verbose.status == .success, "\(verbose.error)")
            #expect(verbose.output.contains("  ✓ dr.core-grade"))
            #expect(verbose.output.contains(": deny  rules [dr.core-grade]"))
        }
    }

    @Test func testReportsJSONForCI() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let passing = try directory.write("passing.json", try Self.suite())
        let failing = try directory.write("failing.json", try CommandTests.suite(expecting: "permit"))
        let run = await tool(["policy", "test", passing, failing, "--format", "json"])
        #expect(run.status == .checkFailed)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any])
        #expect(object["passed"] as? Int == 1)
        #expect(object["failed"] as? Int == 1)
        let suites = try #require(object["suites"] as? [[String: Any]])
        #expect(suites.count == 2)
        let failedCase = try #require((suites[1]["cases"] as? [[String: Any]])?.first)
        #expect(failedCase["passed"] as? Bool == false)
        let mismatch = try #require((failedCase["mismatches"] as? [[String: Any]])?.first)
        #expect(mismatch["field"] as? String == "effect")
        #expect(mismatch["expected"] as? String == "permit")
        #expect(mismatch["actual"] as? String == "deny")
        #expect(await tool(["policy", "test", passing, "--format", "json"]).status == .success)
    }

    @Test(arguments: [
        ("expect", "obligatons", "$.cases[0].expect.obligatons", "obligations"),
        ("dataRequest", "anonymised", "$.cases[0].request.dataRequest.anonymised", "anonymized"),
    ])
    func aTypoExitsTwoNamingThePath(place: String, key: String, path: String, suggestion: String) async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let text = try Self.suite { testCase in
            if place == "expect" {
                var expect = testCase["expect"] as? [String: Any] ?? [:]
                expect[key] = ["minimal_fields"]
                testCase["expect"] = expect
            } else {
                var request = testCase["request"] as? [String: Any] ?? [:]
                var facts = request["dataRequest"] as? [String: Any] ?? [:]
                facts[key] = true
                request["dataRequest"] = facts
                testCase["request"] = request
            }
        }
        let suite = try directory.write("typo.json", text)
        let run = await tool(["policy", "test", suite])
        #expect(run.status == .usage)
        #expect(run.output.isEmpty)
        #expect(
            run.errorLines == ["error: \(suite): \(path): unknown field \"\(key)\"; did you mean \"\(suggestion)\"?"]
        )
    }

    @Test func severalProblemsArePrintedOneALine() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let text = try Self.suite { testCase in
            testCase["nmae"] = "x"
            var expect = testCase["expect"] as? [String: Any] ?? [:]
            expect["obligatons"] = ["minimal_fields"]
            testCase["expect"] = expect
        }
        let suite = try directory.write("typos.json", text)
        let run = await tool(["policy", "test", suite])
        #expect(run.status == .usage)
        #expect(run.errorLines.count == 3)
        #expect(run.errorLines.first == "error: \(suite): 2 problem(s)")
        #expect(run.errorLines.dropFirst().allSatisfy { $0.hasPrefix("  - $.cases[0].") })

        let policy = try directory.write("policy.json", #"{"id": 7}"#)
        let withPolicy = await tool(["policy", "test", suite, "--policy", policy])
        #expect(withPolicy.status == .usage)
        let header = try #require(withPolicy.errorLines.first)
        #expect(header.hasPrefix("error: \(policy): invalid policy: ") && header.hasSuffix(" problem(s)"))
        #expect(withPolicy.errorLines.dropFirst().allSatisfy { $0.hasPrefix("  - $") })
    }

    @Test func anEmptySuiteExitsTwo() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let empty = try directory.write("empty.json", #"{"name": "empty", "cases": []}"#)
        let run = await tool(["policy", "test", empty])
        #expect(run.status == .usage)
        #expect(run.errorLines == ["error: \(empty): $.cases: the suite has no cases; an empty suite checks nothing"])
        let emptyDirectory = directory.url.appendingPathComponent("none")
        try FileManager.default.createDirectory(at: emptyDirectory, withIntermediateDirectories: true)
        #expect(await tool(["policy", "test", emptyDirectory.path]).status == .usage)
    }
}
