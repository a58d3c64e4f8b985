import Foundation
import PublicDataPolicy
import PublicDataTesting
import Testing

struct HarnessTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let suitePath = root.appendingPathComponent("Tests/PublicDataPolicyTests/Suites/beijing-default.suite.json")
    static let examplesPath = root.appendingPathComponent("Documentation/PolicyExamples")

    /// The shipped suite: one case per default-policy row of the rule matrix.
    static func generatedSuite() -> PolicyTestSuite {
        let rows = RuleMatrix.all.filter { $0.policy == .beijingDefault }
        return PolicyTestSuite(
            name: "beijing-default",
            description: "For every rule of the Beijing default policy, requests it permits and denies.",
            at: PolicyFixtures.time,
            cases: rows.map { row in
                PolicyTestCase(
                    name: "\(row.rule): \(row.name)",
                    request: row.request,
                    expect: PolicyExpectation(
                        effect: row.effect,
                        obligations: row.obligations.sorted { $0.rawValue < $1.rawValue },
                        articles: [row.article],
                        rules: row.fires ? [row.rule] : nil,
                        exactObligations: true
                    )
                )
            }
        )
    }

    /// A short example suite for the documentation.
    static func exampleSuite() -> PolicyTestSuite {
        let wanted: Set<String> = [
            "dr.grant-open: unconditional share",
            "dr.grant-conditional: conditional share by privacy computing",
            "dr.not-shared: not shared, not open",
            "dr.core-grade: core grade",
            "dr.personal-information: personal information, no anonymization or consent",
            "pe.guided-price: industry use charged",
            "pe.charge-free-purpose: charge for public welfare",
        ]
        var suite = generatedSuite()
        suite.name = "example"
        suite.description = "A few cases showing the suite format; see Documentation/PolicyAuthoring.md."
        suite.cases = suite.cases.filter { wanted.contains($0.name) }
        return suite
    }

    @Test func shippedSuitesPassWithFullCoverage() throws {
        if ProcessInfo.processInfo.environment["PUBLICDATA_REGENERATE_POLICY"] == "1" {
            try Self.generatedSuite().jsonData().write(to: Self.suitePath)
            try FileManager.default.createDirectory(at: Self.examplesPath, withIntermediateDirectories: true)
            try Self.exampleSuite().jsonData().write(to: Self.examplesPath.appendingPathComponent("example.suite.json"))
        }
        let suites = try #require(Bundle.module.url(forResource: "Suites", withExtension: nil))
        let reports = PolicyTesting.expectSuitesPass(in: suites, policy: .beijingDefault, minimumCoverage: 0.95)
        #expect(reports.count == 1)
        #expect(reports.first?.allPassed == true)
        // This rule can only fire once a deployment narrows `authorizationModes`; the matrix covers it.
        #expect(reports.first?.coverage.unexercised == ["pl.mode-not-allowed"])
        let shipped = try PolicyTestSuite.load(from: Self.suitePath)
        #expect(shipped == Self.generatedSuite())
    }

    @Test func documentationExampleSuitePasses() throws {
        let suite = try PolicyTestSuite.load(from: Self.examplesPath.appendingPathComponent("example.suite.json"))
        #expect(suite == Self.exampleSuite())
        let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
        #expect(report.allPassed, "\(report.text)")
        #expect(report.results.count == 7)
    }

    @Test func failuresShowExpectedAgainstActual() {
        let suite = PolicyTestSuite(
            name: "wrong",
            cases: [
                PolicyTestCase(
                    name: "core data expected to pass",
                    request: .dataRequest(
                        {
                            var request = PolicyFixtures.dataRequest()
                            request.entry.grade = .core
                            return request
                        }()
                    ),
                    expect: PolicyExpectation(effect: .permit, obligations: [.minimalFields], articles: ["Art. 26"])
                ),
                PolicyTestCase(
                    name: "fine",
                    request: .pricing(PolicyFixtures.pricing()),
                    expect: PolicyExpectation(effect: .permit, obligations: [.guidedPrice], articles: ["65号"])
                ),
                PolicyTestCase(
                    name: "exact obligations",
                    request: .pricing(PolicyFixtures.pricing()),
                    expect: PolicyExpectation(effect: .permit, obligations: [.guidedPrice], exact: true)
                ),
            ]
        )
        let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
        #expect(report.passedCount == 1)
        #expect(report.failures.map(\.name) == ["core data expected to pass", "exact obligations"])
        let first = report.failures[0]
        #expect(first.mismatches.map(\.field) == ["effect", "obligations", "articles"])
        #expect(first.mismatches[0].expected == "permit")
        #expect(first.mismatches[0].actual == "deny")
        #expect(report.text.contains("1/3 passed"))
        #expect(report.text.contains("expected: permit"))
        #expect(report.text.contains("actual:   deny"))
        #expect(report.text.contains("[dr.core-grade]"))
        #expect(report.failures[1].mismatches.first?.actual == "[guided_price, publish_fees]")
    }

    @Test func suiteErrorsNameTheirPath() throws {
        let text =
            #"{"name": "bad", "cases": [{"name": "x", "request": {"pricing": {"product": "p"}}, "expect": {"effect": "permit"}}]}"#
        let error = try #require(throws: PolicySuiteError.self) {
            try PolicyTestSuite.load(from: Data(text.utf8), file: "bad.json")
        }
        #expect(error.path.hasPrefix("$.cases[0].request.pricing"))
        #expect(error.file == "bad.json")
    }

    @Test func coverageListsRulesNeverExercised() {
        let suite = PolicyTestSuite(
            name: "pricing only",
            cases: [
                PolicyTestCase(
                    name: "charged",
                    request: .pricing(PolicyFixtures.pricing()),
                    expect: PolicyExpectation(effect: .permit)
                )
            ]
        )
        let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
        let coverage = report.coverage
        #expect(coverage.hits == ["pe.guided-price": 1])
        #expect(coverage.unexercised.count == Policy.beijingDefault.rules.count - 1)
        #expect(coverage.unexercised.contains("dr.core-grade"))
        #expect(coverage.text.contains("✗ dr.core-grade  never exercised"))
        #expect(coverage.text.contains("✓ pe.guided-price  1"))
    }

    static func corpus() throws -> Data {
        var lines: [String] = ["# pricing and data requests recorded in 2026"]
        let encoder = PublicDataJSON.makeEncoder()
        for (index, purpose) in Purpose.allCases.enumerated() {
            for charge in [true, false] {
                let request = PolicyRequest.pricing(PolicyFixtures.pricing(purpose: purpose, chargeRequested: charge))
                let record = CorpusRecord(id: "price-\(index)-\(charge)", request: request, at: PolicyFixtures.time)
                lines.append(String(decoding: try encoder.encode(record), as: UTF8.self))
            }
        }
        var important = PolicyFixtures.dataRequest()
        important.entry.grade = .important
        lines.append(String(decoding: try encoder.encode(PolicyRequest.dataRequest(important)), as: UTF8.self))
        lines.append("")
        return Data(lines.joined(separator: "\n").utf8)
    }

    @Test func replayShowsAChangedParameter() throws {
        let records = try ImpactAnalysis.loadCorpus(jsonLines: Self.corpus())
        #expect(records.count == 9)
        #expect(records.last?.id == "line 10")
        var stricter = Policy.beijingDefault
        stricter.version = "2026.2"
        stricter.parameters.freePurposes = [.publicGovernance, .publicWelfare, .sectorDevelopment]
        let report = ImpactAnalysis.compare(old: .beijingDefault, new: stricter, corpus: records)
        #expect(report.total == 9)
        #expect(report.changes.map(\.recordID) == ["price-3-true", "price-3-false"])
        #expect(report.transitions == ["permit → deny": 1, "permit (obligations changed)": 1])
        let byRule = Dictionary(uniqueKeysWithValues: report.byRule.map { ($0.key, $0.count) })
        #expect(byRule["pe.charge-free-purpose"] == 1)
        #expect(byRule["pe.free-public"] == 1)
        #expect(byRule["pe.no-charge"] == 1)
        let byArticle = Dictionary(uniqueKeysWithValues: report.byArticle.map { ($0.key, $0.count) })
        #expect(byArticle["Art. 22"] == 2)
        #expect(byArticle["65号"] == 1)
        #expect(report.text.contains("beijing-default@2026.1 → beijing-default@2026.2: 2 decision(s) changed"))
        #expect(report.text.contains("price-3-true: permit → deny"))
        let unchanged = ImpactAnalysis.compare(old: .beijingDefault, new: .beijingDefault, corpus: records)
        #expect(unchanged.changes.isEmpty)
    }

    @Test func replayShowsARemovedRuleAndAStricterGrade() throws {
        var changed = Policy.beijingDefault
        changed.version = "next"
        changed.parameters.neverAuthorizableGrades = [.core, .important]
        let report = try ImpactAnalysis.compare(old: .beijingDefault, new: changed, jsonLines: Self.corpus())
        #expect(report.changes.count == 1)
        #expect(report.byRule.map(\.key) == ["dr.core-grade"])
        #expect(Set(report.byArticle.map(\.key)) == ["Art. 5", "Art. 16"])
        #expect(report.changes.first?.transition == "permit → deny")
    }

    @Test func badCorpusLineIsNamed() {
        let data = Data(
            "{\"pricing\": {\"product\": \"p\", \"purpose\": \"public_welfare\", \"chargeRequested\": false}}\n{\"nope\": 1}\n"
                .utf8
        )
        #expect(throws: PolicySuiteError.self) { try ImpactAnalysis.loadCorpus(jsonLines: data) }
        do {
            _ = try ImpactAnalysis.loadCorpus(jsonLines: data)
        } catch {
            #expect(error.file == "line 2")
        }
    }
}

struct DocumentationExampleTests {
    static let examples = HarnessTests.examplesPath

    @Test func pilotPolicyLoadsAndTheExampleSuiteCatchesItsMistake() throws {
        let pilot = try Policy.load(contentsOf: Self.examples.appendingPathComponent("pilot.policy.json"))
        #expect(pilot.id == "pilot-zone")
        #expect(pilot.rules.count == 9)
        let guide = try String(
            contentsOf: HarnessTests.root.appendingPathComponent("Documentation/PolicyAuthoring.md"),
            encoding: .utf8
        )
        #expect(guide.contains("\"id\": \"pilot-zone\""))
        // The pilot's deliberate mistake shows up as a readable failure.
        var request = PolicyFixtures.dataRequest(entry: PolicyFixtures.entry(personalInformation: true))
        request.requestedFields = ["legalRepresentative"]
        request.neededFields = ["legalRepresentative"]
        request.anonymized = true
        let suite = PolicyTestSuite(
            name: "pilot",
            cases: [
                PolicyTestCase(
                    name: "anonymized personal information is granted",
                    request: .dataRequest(request),
                    expect: PolicyExpectation(effect: .permit, obligations: [.minimalFields], articles: ["Art. 16"])
                )
            ]
        )
        let report = PolicyHarness.run(suite: suite, policy: pilot)
        #expect(!report.allPassed)
        #expect(report.text.contains("[personal-information]"))
        if ProcessInfo.processInfo.environment["PUBLICDATA_PRINT_EXAMPLES"] == "1" {
            print(report.text)
            print(report.coverage.text)
            var changed = Policy.beijingDefault
            changed.version = "2026.2"
            changed.parameters.freePurposes = [.publicGovernance, .publicWelfare, .sectorDevelopment]
            let corpus = try Data(contentsOf: Self.examples.appendingPathComponent("corpus.jsonl"))
            print(try ImpactAnalysis.compare(old: .beijingDefault, new: changed, jsonLines: corpus).text)
        }
    }

    @Test func exampleCorpusIsCurrent() throws {
        let path = Self.examples.appendingPathComponent("corpus.jsonl")
        if ProcessInfo.processInfo.environment["PUBLICDATA_REGENERATE_POLICY"] == "1" {
            try HarnessTests.corpus().write(to: path)
        }
        #expect(try Data(contentsOf: path) == HarnessTests.corpus())
    }
}

/// Cases written by hand in the documented format, with the shortest requests the format accepts.
struct HandWrittenSuiteTests {
    static let suite = #"""
        {
          "name": "hand-written",
          "cases": [
            {
              "name": "conditional share by privacy computing: co-review and privacy computing",
              "request": {"dataRequest": {
                "operatorParty": "op", "agreementStatus": "active", "day": "2026-03-01",
                "entry": {"id": "e1", "sharing": "conditional", "openness": "not_open", "grade": "general",
                          "fields": ["a", "b"]},
                "agreement": {"id": "ag", "operatorParty": "op", "scope": ["e1"], "start": "2026-01-01", "end": "2027-12-31"},
                "requestedFields": ["a"], "neededFields": ["a"], "purpose": "industry_development", "delivery": "privacy_computing"}},
              "expect": {"effect": "permit", "obligations": ["industry_co_review", "privacy_computing_only"], "articles": ["Art. 16"]}
            },
            {
              "name": "ministry data without the provider's consent",
              "request": {"dataRequest": {
                "operatorParty": "op", "agreementStatus": "active", "day": "2026-03-01",
                "entry": {"id": "e1", "sharing": "unconditional", "openness": "not_open", "grade": "general",
                          "source": "national_ministry"},
                "agreement": {"id": "ag", "operatorParty": "op", "scope": ["e1"], "start": "2026-01-01", "end": "2027-12-31"},
                "purpose": "public_governance", "delivery": "model"}},
              "expect": {"effect": "deny", "articles": ["Art. 19"]}
            },
            {
              "name": "personal fields with consent",
              "request": {"dataRequest": {
                "operatorParty": "op", "agreementStatus": "active", "day": "2026-03-01",
                "entry": {"id": "e1", "sharing": "unconditional", "openness": "not_open", "grade": "general",
                          "containsPersonalInformation": true,
                          "fields": [{"name": "name", "personalInformation": true}, "licence"]},
                "agreement": {"id": "ag", "operatorParty": "op", "scope": [{"entry": "e1"}], "start": "2026-01-01", "end": "2027-12-31"},
                "requestedFields": ["name"], "neededFields": ["name"], "dataSubjectConsent": true,
                "purpose": "public_welfare", "delivery": "verification_api"}},
              "expect": {"effect": "permit", "obligations": ["use_within_consent"], "articles": ["Art. 26"]}
            },
            {
              "name": "an operator may not re-develop its delivered product",
              "request": {"downstreamScenario": {
                "scenario": "s", "requester": "op", "requesterRole": "operator", "operatorParty": "op",
                "product": "p", "deliveredProducts": ["p"], "agreementStatus": "active", "day": "2026-03-01",
                "agreement": {"id": "ag", "operatorParty": "op", "scope": ["e1"], "start": "2026-01-01", "end": "2027-12-31"},
                "meetsOperatorConditions": true, "complianceAssessed": true, "purpose": "industry_development"}},
              "expect": {"effect": "deny", "articles": ["Art. 6"]}
            },
            {
              "name": "public welfare use is free",
              "request": {"pricing": {"product": "p", "purpose": "public_welfare", "chargeRequested": false}},
              "expect": {"effect": "permit", "obligations": ["free_of_charge"], "articles": ["Art. 22"], "exactObligations": true}
            },
            {
              "name": "a six-year plan exceeds the cap",
              "request": {"plan": {"plan": {"id": "pl", "implementingAgency": "ag", "name": "n",
                "necessityAndFeasibility": "x", "operatorSelectionCriteria": "x", "authorizationMode": "whole",
                "dataScope": ["e1"], "termMonths": 72, "plannedProducts": [{"name": "v", "kind": "verification"}],
                "costAndRevenueAccounting": "x", "revenueDistribution": "x", "securityAndEmergencyMeasures": "x",
                "rightsAndObligations": "x", "supervisionAndEvaluation": "x"}}},
              "expect": {"effect": "deny", "rules": ["pl.term-cap"], "articles": ["27号"]}
            }
          ]
        }
        """#

    @Test func shortRequestsDecideAsTheRegulationSays() throws {
        let suite = try PolicyTestSuite.load(from: Data(Self.suite.utf8), file: "hand-written.json")
        let report = PolicyHarness.run(suite: suite, policy: .beijingDefault)
        #expect(report.allPassed, "\(report.text)")
        #expect(report.results.count == 6)
    }
}
