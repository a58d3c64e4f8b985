import Foundation
import PublicDataPolicy
import PublicDataTesting
import Testing

struct PolicyFormatTests {
    /// The source path of the bundled policy, for regenerating it with `PUBLICDATA_REGENERATE_POLICY=1`.
    static let resourcePath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/PublicDataPolicy/Resources/beijing-default.policy.json")

    @Test func bundledDefaultEqualsTheSwiftValue() throws {
        if ProcessInfo.processInfo.environment["PUBLICDATA_REGENERATE_POLICY"] == "1" {
            try Policy.beijingDefault.jsonData.write(to: Self.resourcePath)
        }
        let bundled = try Policy.bundledBeijingDefault()
        #expect(bundled == Policy.beijingDefault)
        #expect(bundled.jsonText == Policy.beijingDefault.jsonText)
        // The JSON is generated from the Swift value: the file's bytes are exactly what the value writes, so
        // neither copy can be edited alone.
        #expect(
            try Data(contentsOf: Self.resourcePath) == Policy.beijingDefault.jsonData,
            "Resources/beijing-default.policy.json is generated: edit BeijingDefault.swift, then run the tests with PUBLICDATA_REGENERATE_POLICY=1"
        )
    }

    @Test func defaultPolicyIsValid() {
        #expect(Policy.beijingDefault.validationIssues.isEmpty, "\(Policy.beijingDefault.validationIssues)")
    }

    @Test func jsonRoundTripAndCodable() throws {
        let policy = Policy.beijingDefault
        let reloaded = try Policy.load(from: policy.jsonData)
        #expect(reloaded == policy)
        let encoded = try JSONEncoder().encode(policy)
        let decoded = try JSONDecoder().decode(Policy.self, from: encoded)
        #expect(decoded == policy)
        let parameters = try JSONDecoder().decode(PolicyParameters.self, from: JSONEncoder().encode(policy.parameters))
        #expect(parameters == policy.parameters)
    }

    @Test func malformedPolicyListsEveryProblemWithItsPath() throws {
        var text = Policy.beijingDefault.jsonText
        // Start from the valid default and break it in several independent places.
        text = text.replacingOccurrences(of: "\"termCapYears\": 5", with: "\"termCapYears\": \"five\"")
        text = text.replacingOccurrences(of: "\"objectionEscalationLimit\": 1,", with: "")
        text = text.replacingOccurrences(
            of: "\"version\": \"2026.1\"",
            with: "\"version\": \"2026.1\",\n  \"owner\": \"someone\""
        )
        text = text.replacingOccurrences(of: "\"id\": \"dr.not-shared\"", with: "\"id\": \"dr.core-grade\"")
        text = text.replacingOccurrences(
            of: "\"kind\": \"obligation\"",
            with: "\"kind\": \"maybe\"",
            options: [],
            range: text.range(of: "\"kind\": \"obligation\"")
        )
        text = text.replacingOccurrences(of: "\"parameter\": \"coReviewSharing\"", with: "\"parameter\": \"coReview\"")
        text = text.replacingOccurrences(of: "\"attribute\": \"entry.source\"", with: "\"attribute\": \"entry.origin\"")
        text = text.replacingOccurrences(of: "\"equals\": \"suspended\"", with: "\"equals\": \"paused\"")
        let error = try #require(throws: PolicyLoadError.self) { try Policy.load(from: Data(text.utf8)) }
        #expect(error.code == .invalidPolicy)
        let paths = error.issues.map(\.path)
        let rules = Policy.beijingDefault.rules
        func index(_ id: String) -> Int { rules.firstIndex { $0.id == id } ?? -1 }
        #expect(paths.contains("$.parameters.termCapYears"))
        #expect(paths.contains("$.parameters.objectionEscalationLimit"))
        #expect(paths.contains("$.owner"))
        #expect(paths.contains("$.rules[\(index("dr.not-shared"))].id"))
        #expect(paths.contains("$.rules[\(index("dr.anonymize"))].kind"))
        #expect(paths.contains { $0.hasPrefix("$.rules[\(index("dr.conditional-delivery"))].when[0].in.parameter") })
        #expect(paths.contains("$.rules[\(index("dr.provider-consent"))].when[0].attribute"))
        #expect(paths.contains("$.rules[\(index("dr.agreement-suspended"))].when[0].equals"))
        #expect(error.description.contains("duplicate rule id"))
        #expect(error.description.contains("references missing parameter \"coReview\""))
        #expect(error.description.contains("unknown rule kind \"maybe\""))
        #expect(error.issues.count >= 8, "\(error)")
    }

    @Test func wrongTypesAndUnknownFieldsInRules() throws {
        let text = """
            {"format": "publicdatakit.policy/1", "id": "t", "version": "1", "parameters": {}, "rules": [
              {"id": "a", "point": "data_request", "kind": "deny", "articles": "Art. 5", "message": 3,
               "when": [{"attribute": "entry.grade", "in": ["core", "secret"]}], "colour": "red"},
              {"id": "b", "point": "nowhere", "kind": "permit", "articles": ["Art. 16"], "message": "m",
               "when": [{"attribute": "request.anonymized", "greaterThan": 1}]},
              {"id": "c", "point": "pricing", "kind": "deny", "articles": ["Art. 22"], "message": "m",
               "when": [{"attribute": "request.chargeRequested", "equals": "yes"}], "obligations": [{"kind": "pay"}]}
            ]}
            """
        let error = try #require(throws: PolicyLoadError.self) { try Policy.load(from: Data(text.utf8)) }
        let paths = Set(error.issues.map(\.path))
        #expect(paths.contains("$.rules[0].articles"))
        #expect(paths.contains("$.rules[0].message"))
        #expect(paths.contains("$.rules[0].colour"))
        #expect(paths.contains("$.rules[0].when[0].in[1]"))
        #expect(paths.contains("$.rules[1].point"))
        #expect(paths.contains("$.rules[2].obligations[0].kind"))
        #expect(paths.contains("$.rules[2].obligations[0].article"))
        // Every parameter is required.
        #expect(paths.contains("$.parameters.termCapYears"))
    }

    @Test func semanticProblemsOfWellFormedRules() throws {
        var parameters = PolicyParameters.beijing
        parameters.termCapYears = 0
        let policy = Policy(id: "t", version: "1", parameters: parameters) {
            Rule(deny: "x", at: .plan, articles: ["Art. 11"], message: "m") {
                Condition.greaterThan("plan.termMonths", .parameter("freePurposes"))
            }
            Rule(permit: "y", at: .pricing, articles: [], message: "m") {
                Condition.in("request.purpose", .parameter("neverAuthorizableGrades"))
            }
        }
        let messages = policy.validationIssues.map(\.description)
        #expect(messages.contains { $0.hasPrefix("$.parameters.termCapYears") })
        #expect(messages.contains { $0.hasPrefix("$.rules[0].when[0].greaterThan") })
        #expect(messages.contains { $0.hasPrefix("$.rules[1].articles") })
        #expect(messages.contains { $0.hasPrefix("$.rules[1].when[0].in.parameter") })
    }

    @Test func notJSONAtAll() throws {
        let error = try #require(throws: PolicyLoadError.self) { try Policy.load(from: Data("{not json".utf8)) }
        #expect(error.code == .malformedJSON)
        #expect(error.issues.count == 1)
    }

    @Test func brokenSwiftRulesFailClosed() {
        // An unknown attribute makes a permit rule never apply and a deny rule always apply.
        let permitOnly = Policy(id: "t", version: "1") {
            Rule(permit: "p", at: .pricing, articles: ["Art. 22"], message: "m") {
                Condition.equals("request.colour", "red")
            }
        }
        #expect(!permitOnly.validationIssues.isEmpty)
        let request = PolicyRequest.pricing(PolicyFixtures.pricing())
        #expect(permitOnly.evaluate(request, at: PolicyFixtures.time).isNoApplicableRule)
        let withDeny = Policy(id: "t", version: "1") {
            Rule(permit: "p", at: .pricing, articles: ["Art. 22"], message: "m")
            Rule(deny: "d", at: .pricing, articles: ["Art. 22"], message: "m") {
                Condition.equals("request.colour", "red")
            }
        }
        #expect(withDeny.evaluate(request, at: PolicyFixtures.time).firedRules == ["d"])
    }

    @Test func policyEditsRecompile() {
        var policy = Policy.beijingDefault
        let request = PolicyRequest.pricing(
            PolicyFixtures.pricing(purpose: .industryDevelopment, chargeRequested: true)
        )
        #expect(policy.evaluate(request, at: PolicyFixtures.time).isPermit)
        policy.parameters.freePurposes.insert(.industryDevelopment)
        policy.version = "edited"
        let decision = policy.evaluate(request, at: PolicyFixtures.time)
        #expect(decision.effect == .deny)
        #expect(decision.firedRules == ["pe.charge-free-purpose"])
        #expect(decision.policyVersion == "edited")
        policy.rules.removeAll { $0.id == "pe.charge-free-purpose" }
        #expect(policy.evaluate(request, at: PolicyFixtures.time).isNoApplicableRule)
    }
}

struct PolicyReferenceTests {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Documentation/PolicyReference.md")

    @Test func generatedReferenceIsCurrent() throws {
        let text = PolicyReference.markdown(for: .beijingDefault)
        if ProcessInfo.processInfo.environment["PUBLICDATA_REGENERATE_POLICY"] == "1" {
            try Data(text.utf8).write(to: Self.path)
        }
        let stored = try String(contentsOf: Self.path, encoding: .utf8)
        #expect(stored == text, "run the tests with PUBLICDATA_REGENERATE_POLICY=1 to update PolicyReference.md")
        for rule in Policy.beijingDefault.rules { #expect(text.contains("`\(rule.id)`")) }
    }

    @Test func attributeNamesAreUniquePerPoint() {
        for point in DecisionPoint.allCases {
            let names = point.attributes.map(\.name)
            #expect(Set(names).count == names.count, "\(point)")
        }
    }

    @Test func vocabularyOrdinalsMatchDeclarationOrder() {
        // The engine maps each vocabulary value to a bit by its position; the format lists values in that order.
        #expect(SymbolDomain.grade.values == ["general", "important", "core"])
        #expect(SymbolDomain.agreementStatus.values.count == AgreementStatus.allCases.count)
        for (index, grade) in DataGrade.allCases.enumerated() {
            var parameters = PolicyParameters.beijing
            parameters.neverAuthorizableGrades = [grade]
            var request = PolicyFixtures.dataRequest()
            request.entry.grade = DataGrade.allCases[index]
            let policy = Policy(id: "g", version: "1", parameters: parameters, rules: Policy.beijingDefault.rules)
            #expect(policy.evaluate(.dataRequest(request), at: PolicyFixtures.time).firedRules == ["dr.core-grade"])
        }
        for role in Role.allCases {
            let policy = Policy(id: "r", version: "1") {
                Rule(permit: "p", at: .conduct, articles: ["Art. 6"], message: "m") {
                    Condition.equals("actor.role", .string(role.rawValue))
                }
            }
            for other in Role.allCases {
                let request = ConductReviewRequest(actor: "a", actorRole: other)
                #expect(policy.evaluate(.conduct(request), at: PolicyFixtures.time).isPermit == (role == other))
            }
        }
    }
}
