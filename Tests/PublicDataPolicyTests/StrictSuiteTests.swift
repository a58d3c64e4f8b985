import Foundation
import PublicDataPolicy
import PublicDataTesting
import Testing

/// Suites and requests are read strictly; expectations assert absence, alternatives and the fail-closed deny.
struct StrictSuiteTests {
    /// The first case of the shipped suite (dr.core-grade: a deny), with `edit` applied to it, as suite JSON.
    static func suite(_ edit: (inout [String: Any]) -> Void = { _ in }) throws -> Data {
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: HarnessTests.suitePath)) as? [String: Any]
        )
        var first = try #require((object["cases"] as? [[String: Any]])?.first)
        edit(&first)
        var suite = object
        suite["cases"] = [first]
        return try JSONSerialization.data(withJSONObject: suite)
    }

    static func loadError(_ data: Data) throws -> PolicySuiteError {
        try #require(throws: PolicySuiteError.self) { try PolicyTestSuite.load(from: data, file: "s.json") }
    }

    @Test func theShippedCaseLoadsAsItIs() throws {
        let suite = try PolicyTestSuite.load(from: Self.suite())
        #expect(suite.cases.count == 1)
    }

    @Test func aMisspeltExpectationIsNamedWithItsPath() throws {
        let error = try Self.loadError(
            Self.suite { testCase in
                var expect = testCase["expect"] as? [String: Any] ?? [:]
                expect["obligatons"] = ["minimal_fields"]
                testCase["expect"] = expect
            }
        )
        #expect(error.issues.count == 1)
        #expect(error.path == "$.cases[0].expect.obligatons")
        #expect(error.message == #"unknown field "obligatons"; did you mean "obligations"?"#)
        #expect(
            error.description
                == #"s.json: $.cases[0].expect.obligatons: unknown field "obligatons"; did you mean "obligations"?"#
        )
    }

    @Test func aMisspeltRequestFactIsNamedWithItsPath() throws {
        let error = try Self.loadError(
            Self.suite { testCase in
                var request = testCase["request"] as? [String: Any] ?? [:]
                var facts = request["dataRequest"] as? [String: Any] ?? [:]
                facts["anonymised"] = true
                var entry = facts["entry"] as? [String: Any] ?? [:]
                entry["grad"] = "core"
                facts["entry"] = entry
                request["dataRequest"] = facts
                testCase["request"] = request
                testCase["nmae"] = "x"
            }
        )
        // Every problem, one per line.
        #expect(
            Set(error.issues.map(\.path)) == [
                "$.cases[0].request.dataRequest.anonymised", "$.cases[0].request.dataRequest.entry.grad",
                "$.cases[0].nmae",
            ]
        )
        let anonymised = try #require(error.issues.first { $0.path.hasSuffix("anonymised") })
        #expect(anonymised.message.contains(#"did you mean "anonymized"?"#))
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0] == "s.json: 3 problem(s)")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("  - $.cases[0].") })
    }

    @Test func anEmptySuiteOrExpectationFails() throws {
        let empty = try Self.loadError(Data(#"{"name": "empty", "cases": []}"#.utf8))
        #expect(empty.path == "$.cases")
        #expect(empty.message.contains("no cases"))
        let noEffect = try Self.loadError(Self.suite { $0["expect"] = ["rules": ["dr.core-grade"]] })
        #expect(noEffect.path == "$.cases[0].expect.effect")
        let noAlternative = try Self.loadError(Self.suite { $0["expect"] = ["anyOf": [] as [Any]] })
        #expect(noAlternative.path == "$.cases[0].expect.anyOf")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: PolicySuiteError.self) { try PolicyTestSuite.loadDirectory(directory) }
    }

    @Test func aRequestIsReadStrictly() throws {
        let good = #"{"pricing": {"product": "p", "purpose": "public_welfare", "chargeRequested": false}}"#
        #expect(try PolicyRequest.load(from: Data(good.utf8)).point == .pricing)
        let bad =
            #"{"pricing": {"product": "p", "purpose": "public_welfare", "chargeRequested": false, "priceCap": true}}"#
        let error = try #require(throws: PolicySuiteError.self) { try PolicyRequest.load(from: Data(bad.utf8)) }
        #expect(error.path == "$.pricing.priceCap")
        #expect(error.message.hasPrefix(#"unknown field "priceCap""#))
    }

    /// The core-grade deny carries no obligations, cites Art. 5 and fires dr.core-grade.
    static let coreGrade: PolicyRequest = {
        var request = PolicyFixtures.dataRequest()
        request.entry.grade = .core
        return .dataRequest(request)
    }()

    /// A guided-price permit: obligations guided_price and publish_fees.
    static let guidedPrice = PolicyRequest.pricing(PolicyFixtures.pricing())

    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var request: PolicyRequest
        var expect: PolicyExpectation
        var passes: Bool
        var field: String?
        var testDescription: String { name }
    }

    static let rows: [Row] = [
        Row(
            name: "excluded obligation absent",
            request: guidedPrice,
            expect: PolicyExpectation(effect: .permit, obligationsExclude: [.freeOfCharge]),
            passes: true
        ),
        Row(
            name: "excluded obligation present",
            request: guidedPrice,
            expect: PolicyExpectation(effect: .permit, obligationsExclude: [.publishFees]),
            passes: false,
            field: "obligationsExclude"
        ),
        Row(
            name: "excluded article cited",
            request: coreGrade,
            expect: PolicyExpectation(effect: .deny, articlesExclude: ["Art. 5"]),
            passes: false,
            field: "articlesExclude"
        ),
        Row(
            name: "excluded rule not fired",
            request: coreGrade,
            expect: PolicyExpectation(effect: .deny, rulesExclude: ["dr.grant-open"]),
            passes: true
        ),
        Row(
            name: "excluded rule fired",
            request: coreGrade,
            expect: PolicyExpectation(effect: .deny, rulesExclude: ["dr.core-grade"]),
            passes: false,
            field: "rulesExclude"
        ),
        Row(
            name: "one alternative holds",
            request: guidedPrice,
            expect: PolicyExpectation(
                effect: nil,
                anyOf: [
                    PolicyExpectation(effect: .deny),
                    PolicyExpectation(effect: .permit, obligations: [.guidedPrice]),
                ]
            ),
            passes: true
        ),
        Row(
            name: "no alternative holds",
            request: guidedPrice,
            expect: PolicyExpectation(
                effect: nil,
                anyOf: [
                    PolicyExpectation(effect: .deny), PolicyExpectation(effect: .permit, rules: ["pe.free-public"]),
                ]
            ),
            passes: false,
            field: "anyOf"
        ),
        Row(
            name: "alternatives and a failing top-level member",
            request: guidedPrice,
            expect: PolicyExpectation(
                effect: .permit,
                obligationsExclude: [.guidedPrice],
                anyOf: [PolicyExpectation(effect: .permit)]
            ),
            passes: false,
            field: "obligationsExclude"
        ),
        Row(
            name: "a fired rule is not the fail-closed deny",
            request: coreGrade,
            expect: PolicyExpectation(effect: .deny, rules: [Reason.noApplicableRuleID]),
            passes: false,
            field: "rules"
        ),
    ]

    @Test(arguments: rows) func expectations(_ row: Row) {
        let decision = Policy.beijingDefault.evaluate(row.request, at: PolicyFixtures.time)
        let mismatches = PolicyHarness.check(decision, row.expect)
        #expect(mismatches.isEmpty == row.passes, "\(mismatches)")
        if let field = row.field { #expect(mismatches.map(\.field) == [field]) }
    }

    @Test func theFailClosedDenyIsAssertedByItsRuleID() throws {
        var policy = Policy.beijingDefault
        policy.rules.removeAll { $0.point == .pricing }
        let decision = policy.evaluate(Self.guidedPrice, at: PolicyFixtures.time)
        #expect(decision.isNoApplicableRule)
        #expect(PolicyHarness.ruleIDs(of: decision) == ["no-applicable-rule"])
        #expect(PolicyHarness.check(decision, PolicyExpectation(effect: .deny, rules: ["no-applicable-rule"])).isEmpty)
        // The same expectation, read from JSON, fails against a policy where a rule applies.
        let suite = try PolicyTestSuite.load(
            from: Data(
                #"""
                {"name": "fail-closed", "cases": [{"name": "no pricing rules",
                  "request": {"pricing": {"product": "p", "purpose": "industry_development", "chargeRequested": true, "priceCapApproved": true}},
                  "expect": {"effect": "deny", "rules": ["no-applicable-rule"]}}]}
                """#.utf8
            )
        )
        #expect(PolicyHarness.run(suite: suite, policy: policy).allPassed)
        #expect(!PolicyHarness.run(suite: suite, policy: .beijingDefault).allPassed)
    }

    @Test func verboseTextShowsEveryDecision() throws {
        let suite = try PolicyTestSuite.load(from: Self.suite())
        let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
        #expect(report.text.split(separator: "\n").count == 1)
        let lines = report.verboseText.split(separator: "\n")
        #expect(lines.count == 2)
        #expect(lines[1].hasPrefix("  ✓ dr.core-grade"))
        #expect(lines[1].contains(": deny  rules [dr.core-grade]"))
        #expect(lines[1].contains("articles [Art. 5, Art. 16]"))
    }
}
