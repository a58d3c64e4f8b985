import Foundation
import PublicDataModel
import PublicDataPolicy
import PublicDataTesting
import Testing

/// The index (shapes of indexed attributes, per-bucket value tables, residual conditions) must decide every
/// request exactly as testing each rule in order does: same effect, reasons, obligations and fired rules.
struct IndexTests {
    static let time = PolicyFixtures.time

    @Test("Realistic policies: the index agrees with scanning every rule", arguments: [1, 10, 100, 1_000, 10_000])
    func realisticAgrees(size: Int) {
        let policy = PolicyWorkloads.realisticPolicy(rules: size)
        #expect(policy.validationIssues.isEmpty)
        var fired = 0
        var decisions: Set<Effect> = []
        for request in PolicyWorkloads.realisticRequests(count: 256) {
            let indexed = policy.evaluate(request, at: Self.time)
            let scanned = policy.evaluateByScanning(request, at: Self.time)
            #expect(indexed == scanned)
            fired += indexed.firedRules.count
            decisions.insert(indexed.effect)
        }
        if size >= 1_000 {
            // The workload exercises the index: many rules fire and both effects occur.
            #expect(fired > 50)
            #expect(decisions == [.permit, .deny])
        }
    }

    @Test("Seeds other than the benchmark's: the index agrees with scanning", arguments: [UInt64(1), 2, 3, 4])
    func otherSeedsAgree(seed: UInt64) {
        let policy = PolicyWorkloads.realisticPolicy(rules: 2_000, seed: seed)
        for request in PolicyWorkloads.realisticRequests(count: 128, seed: seed &* 31) {
            #expect(policy.evaluate(request, at: Self.time) == policy.evaluateByScanning(request, at: Self.time))
        }
    }

    @Test("The default and best-case policies: the index agrees with scanning at every decision point")
    func defaultAndBestCaseAgree() {
        var conditional = PolicyFixtures.dataRequest()
        conditional.entry.sharing = .conditional
        var core = PolicyFixtures.dataRequest()
        core.entry.grade = .core
        let requests: [PolicyRequest] = [
            .dataRequest(PolicyFixtures.dataRequest()), .dataRequest(conditional), .dataRequest(core),
            .downstreamScenario(PolicyFixtures.downstreamScenario()), .productRelease(PolicyFixtures.productRelease()),
            .operatorEligibility(PolicyFixtures.operatorEligibility()), .plan(PolicyFixtures.planReview()),
            .agreement(PolicyFixtures.agreementReview()), .pricing(PolicyFixtures.pricing()),
            .pricing(PolicyFixtures.pricing(purpose: .publicWelfare)), .conduct(PolicyFixtures.conduct()),
            PolicyWorkloads.bestCaseRequest(),
        ]
        for policy in [Policy.beijingDefault, PolicyWorkloads.bestCasePolicy(rules: 1_000)] {
            for request in requests {
                #expect(policy.evaluate(request, at: Self.time) == policy.evaluateByScanning(request, at: Self.time))
            }
        }
        let best = PolicyWorkloads.bestCasePolicy(rules: 1_000).evaluate(
            PolicyWorkloads.bestCaseRequest(),
            at: Self.time
        )
        #expect(best.firedRules == ["gen.permit", "gen.operator-1"])
    }

    @Test("A rule with an `in` list of keys fires for each key and once only; rules fire in policy order")
    func inListsAndOrder() {
        let policy = Policy(id: "keys", version: "1") {
            Rule(
                obligation: "z.first",
                at: .dataRequest,
                articles: ["Art. 20"],
                message: "m",
                obligations: [Obligation(kind: .fileScenario, article: "Art. 20")]
            ) {
                Condition.in("request.operator", ["op-a", "op-b", "op-a"])
                Condition.in("entry.owningDepartment", ["dept-1", "dept-2"])
            }
            Rule(permit: "a.second", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                Condition.equals("request.purpose", "public_governance")
            }
            Rule(permit: "m.third", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                Condition.equals("entry.owningDepartment", "dept-2")
                Condition.equals("request.anonymized", false)
            }
        }
        for (operatorParty, department, fired) in [
            ("op-a", "dept-1", ["z.first", "a.second"]), ("op-b", "dept-2", ["z.first", "a.second", "m.third"]),
            ("op-c", "dept-2", ["a.second", "m.third"]), ("op-a", "dept-3", ["a.second"]),
        ] {
            var request = PolicyFixtures.dataRequest()
            request.operatorParty = PartyID(operatorParty)
            request.entry.owningDepartment = PartyID(department)
            let decision = policy.evaluate(.dataRequest(request), at: Self.time)
            #expect(decision.firedRules == fired)
            #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
        }
    }
}

/// A `not` of a bool or vocabulary test is filed in the bucket's tables; it holds when the value is missing,
/// exactly as the plain reading of the rule says.
struct NegatedTableTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var mode: AuthorizationMode?
        var zoned: Bool
        var fired: [String]
        var testDescription: String { "mode \(mode.map(\.rawValue) ?? "missing"), zoned \(zoned)" }
    }

    static let cases: [Case] = [
        Case(mode: nil, zoned: false, fired: ["pl.not-whole", "pl.not-zoned"]),
        Case(mode: .whole, zoned: false, fired: ["pl.not-zoned"]),
        Case(mode: .byDomain, zoned: true, fired: ["pl.not-whole"]),
        Case(mode: .whole, zoned: true, fired: []),
    ]

    @Test("Negated tests in the tables decide as scanning does, including a missing value", arguments: cases)
    func negated(_ testCase: Case) {
        let policy = Policy(id: "negated", version: "1") {
            Rule(permit: "pl.not-whole", at: .plan, articles: ["Art. 10"], message: "m") {
                Condition.not(.equals("plan.mode", "whole"))
            }
            Rule(permit: "pl.not-zoned", at: .plan, articles: ["Art. 10"], message: "m") {
                Condition.not(.equals("plan.hasZone", true))
            }
        }
        var review = PolicyFixtures.planReview()
        review.plan.authorizationMode = testCase.mode
        review.zoneKind = testCase.zoned ? .domain : nil
        let decision = policy.evaluate(.plan(review), at: PolicyFixtures.time)
        #expect(decision.firedRules == testCase.fired)
        #expect(decision == policy.evaluateByScanning(.plan(review), at: PolicyFixtures.time))
    }
}

/// Conditions that compare two attributes of the same request.
struct AttributeComparisonTests {
    static let time = PolicyFixtures.time

    static func policy(_ condition: String) throws -> Policy {
        let text = """
            {"format": "publicdatakit.policy/1", "id": "cmp", "version": "1",
             "parameters": \(String(decoding: try JSONEncoder().encode(PolicyParameters.beijing), as: UTF8.self)),
             "rules": [{"id": "cmp.rule", "point": "data_request", "kind": "permit", "articles": ["Art. 16"],
                        "message": "m", "when": [\(condition)]}]}
            """
        return try Policy.load(from: Data(text.utf8))
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var condition: String
        var requestedFields: Int
        var agreementOperator: String
        var permits: Bool
        var testDescription: String { "\(condition) with \(requestedFields) fields, \(agreementOperator)" }
    }

    // The fixture entry lists 4 fields; the request's operator is op-bj-finance.
    static let cases: [Case] = [
        Case(
            condition: #"{"attribute": "request.fieldCount", "lessThan": {"attribute": "entry.fieldCount"}}"#,
            requestedFields: 3,
            agreementOperator: "op-bj-finance",
            permits: true
        ),
        Case(
            condition: #"{"attribute": "request.fieldCount", "lessThan": {"attribute": "entry.fieldCount"}}"#,
            requestedFields: 4,
            agreementOperator: "op-bj-finance",
            permits: false
        ),
        Case(
            condition: #"{"attribute": "request.fieldCount", "atMost": {"attribute": "entry.fieldCount"}}"#,
            requestedFields: 4,
            agreementOperator: "op-bj-finance",
            permits: true
        ),
        Case(
            condition: #"{"attribute": "request.fieldCount", "greaterThan": {"attribute": "entry.fieldCount"}}"#,
            requestedFields: 4,
            agreementOperator: "op-bj-finance",
            permits: false
        ),
        Case(
            condition: #"{"attribute": "request.fieldCount", "equals": {"attribute": "entry.fieldCount"}}"#,
            requestedFields: 4,
            agreementOperator: "op-bj-finance",
            permits: true
        ),
        Case(
            condition: #"{"attribute": "request.operator", "equals": {"attribute": "agreement.operator"}}"#,
            requestedFields: 1,
            agreementOperator: "op-bj-finance",
            permits: true
        ),
        Case(
            condition: #"{"attribute": "request.operator", "equals": {"attribute": "agreement.operator"}}"#,
            requestedFields: 1,
            agreementOperator: "op-other",
            permits: false
        ),
        Case(
            condition: #"{"attribute": "request.operator", "notEquals": {"attribute": "agreement.operator"}}"#,
            requestedFields: 1,
            agreementOperator: "op-other",
            permits: true
        ),
        Case(
            condition: #"{"attribute": "request.anonymized", "equals": {"attribute": "request.dataSubjectConsent"}}"#,
            requestedFields: 1,
            agreementOperator: "op-bj-finance",
            permits: true
        ),
    ]

    @Test("Comparisons of two attributes decide as written", arguments: cases)
    func decides(_ testCase: Case) throws {
        let policy = try Self.policy(testCase.condition)
        var request = PolicyFixtures.dataRequest()
        request.requestedFields = Array(
            ["licenseNo", "companyName", "status", "legalRepresentative"].prefix(testCase.requestedFields)
        )
        request.agreement.operatorParty = PartyID(testCase.agreementOperator)
        let decision = policy.evaluate(.dataRequest(request), at: Self.time)
        #expect(decision.isPermit == testCase.permits)
        #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
        // The reference written back to JSON reads the same.
        #expect(try Policy.load(from: policy.jsonData) == policy)
    }

    @Test("An attribute comparison matches the derived attribute it restates")
    func restatesDerivedAttribute() {
        let policy = Policy(id: "terms", version: "1") {
            Rule(permit: "ar.within", at: .agreement, articles: ["Art. 13"], message: "m") {
                Condition.atMost("agreement.termMonths", .attribute("plan.termMonths"))
            }
        }
        let derived = Policy(id: "terms", version: "1") {
            Rule(permit: "ar.within", at: .agreement, articles: ["Art. 13"], message: "m") {
                Condition.equals("agreement.termWithinPlan", true)
            }
        }
        var outcomes: Set<Bool> = []
        for months in [12, 59, 60, 61, 120] {
            var review = PolicyFixtures.agreementReview()
            review.plan.termMonths = months
            let decision = policy.evaluate(.agreement(review), at: Self.time)
            #expect(decision.isPermit == derived.evaluate(.agreement(review), at: Self.time).isPermit)
            outcomes.insert(decision.isPermit)
        }
        #expect(outcomes == [true, false])
    }

    static let invalid: [(condition: String, message: String)] = [
        (#"{"attribute": "request.fieldCount", "atMost": {"attribute": "request.anonymized"}}"#, "cannot compare"),
        (#"{"attribute": "request.fieldCount", "in": {"attribute": "entry.fieldCount"}}"#, "cannot compare"),
        (#"{"attribute": "request.operator", "lessThan": {"attribute": "agreement.operator"}}"#, "cannot compare"),
        (#"{"attribute": "entry.sharing", "equals": {"attribute": "entry.openness"}}"#, "cannot compare"),
        (#"{"attribute": "request.fieldCount", "atMost": {"attribute": "request.fieldCount"}}"#, "with itself"),
        (#"{"attribute": "request.fieldCount", "atMost": {"attribute": "request.nothing"}}"#, "unknown attribute"),
        (#"{"attribute": "request.fieldCount", "atMost": {"attribute": 3}}"#, "expected a string"),
        (
            #"{"attribute": "request.fieldCount", "atMost": {"attribute": "entry.fieldCount", "times": 2}}"#,
            "unknown field"
        ),
    ]

    @Test("Invalid attribute comparisons are refused with their path", arguments: 0..<8)
    func refused(_ index: Int) {
        let (condition, message) = Self.invalid[index]
        do {
            _ = try Self.policy(condition)
            Issue.record("accepted \(condition)")
        } catch let error as PolicyLoadError {
            #expect(
                error.issues.contains { $0.path.hasPrefix("$.rules[0].when[0]") && $0.message.contains(message) },
                "\(error)"
            )
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    struct MembershipCase: Sendable, CustomTestStringConvertible {
        var op: String
        var grade: DataGrade
        /// The grades held with the request; `nil` judges the request alone (its own grade).
        var held: Set<DataGrade>?
        var permits: Bool
        var testDescription: String {
            "\(grade) \(op) \(held.map { "\($0.sorted { $0.rawValue < $1.rawValue })" } ?? "alone")"
        }
    }

    static let membership: [MembershipCase] = [
        MembershipCase(op: "in", grade: .general, held: nil, permits: true),
        MembershipCase(op: "notIn", grade: .general, held: nil, permits: false),
        MembershipCase(op: "in", grade: .general, held: [.important, .core], permits: false),
        MembershipCase(op: "notIn", grade: .general, held: [.important, .core], permits: true),
        MembershipCase(op: "in", grade: .important, held: [.general, .important], permits: true),
        MembershipCase(op: "notIn", grade: .important, held: [.general, .important], permits: false),
        MembershipCase(op: "in", grade: .core, held: [], permits: false),
        MembershipCase(op: "notIn", grade: .core, held: [], permits: true),
    ]

    @Test("A vocabulary value `in` / `notIn` a set attribute of the same vocabulary", arguments: membership)
    func vocabularyInSet(_ testCase: MembershipCase) throws {
        let policy = try Self.policy(
            #"{"attribute": "entry.grade", "\#(testCase.op)": {"attribute": "holdings.grades"}}"#
        )
        var request = PolicyFixtures.dataRequest(entry: PolicyFixtures.entry(grade: testCase.grade))
        if let held = testCase.held {
            request.holdings = AggregateHoldings(
                entries: 2,
                personalInformationFields: 0,
                importantEntries: 0,
                grades: held,
                departments: 1
            )
        }
        let decision = policy.evaluate(.dataRequest(request), at: Self.time)
        #expect(decision.isPermit == testCase.permits)
        #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
        #expect(try Policy.load(from: policy.jsonData) == policy)
    }

    static let invalidMembership: [String] = [
        // Another vocabulary's set.
        #"{"attribute": "entry.sharing", "in": {"attribute": "holdings.grades"}}"#,
        // The set on the left of `in`.
        #"{"attribute": "holdings.grades", "in": {"attribute": "entry.grade"}}"#,
        // A set operator other than in / notIn between a value and a set.
        #"{"attribute": "entry.grade", "intersects": {"attribute": "holdings.grades"}}"#,
        #"{"attribute": "entry.grade", "equals": {"attribute": "holdings.grades"}}"#,
        // An integer or a string in a vocabulary set.
        #"{"attribute": "request.fieldCount", "in": {"attribute": "holdings.grades"}}"#,
        #"{"attribute": "entry.id", "notIn": {"attribute": "holdings.grades"}}"#,
        // `in` a value that is not a set.
        #"{"attribute": "entry.grade", "in": {"attribute": "entry.grade"}}"#,
        #"{"attribute": "entry.sharing", "in": {"attribute": "entry.openness"}}"#,
    ]

    @Test("Mismatched types in a membership comparison are refused with their path", arguments: invalidMembership)
    func membershipRefused(_ condition: String) {
        do {
            _ = try Self.policy(condition)
            Issue.record("accepted \(condition)")
        } catch let error as PolicyLoadError {
            #expect(
                error.issues.contains {
                    $0.path.hasPrefix("$.rules[0].when[0]")
                        && ($0.message.contains("cannot compare") || $0.message.contains("with itself"))
                },
                "\(error)"
            )
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("Only ordered vocabularies have orderings")
    func orderedVocabularies() {
        #expect(SymbolDomain.allCases.filter(\.isOrdered) == [.grade])
    }
}

/// Comparisons of an int attribute with constants are filed in the bucket's tables (one row per constant and
/// one per gap between two); they decide as written at each constant, between two and beyond both ends.
struct IntegerTableTests {
    static let operators: [ComparisonOperator] = [.equals, .notEquals, .greaterThan, .atLeast, .lessThan, .atMost]

    static func holds(_ value: Int, _ op: ComparisonOperator, _ constant: Int) -> Bool {
        switch op {
        case .equals: value == constant
        case .notEquals: value != constant
        case .greaterThan: value > constant
        case .atLeast: value >= constant
        case .lessThan: value < constant
        default: value <= constant
        }
    }

    @Test("Integer comparisons in the tables decide as written", arguments: operators)
    func decidesAsWritten(_ op: ComparisonOperator) {
        // Eight rules compare the attribute (the fewest for a table), with seven constants.
        let constants = [1, 3, 4, 8, 9, 12, 15]
        let policy = Policy(id: "ints", version: "1") {
            for constant in constants {
                // Keyed on the operator, so the comparisons sit in one bucket's table.
                Rule(permit: "int.\(constant)", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                    Condition.equals("request.operator", "op-bj-finance")
                    Condition.compare(attribute: "request.fieldCount", op: op, operand: .int(constant))
                }
            }
            Rule(permit: "int.unkeyed", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                Condition.compare(attribute: "request.fieldCount", op: op, operand: .int(3))
            }
        }
        for fields in 0...17 {
            var request = PolicyFixtures.dataRequest()
            request.operatorParty = "op-bj-finance"
            request.requestedFields = (0..<fields).map { "field\($0)" }
            let decision = policy.evaluate(.dataRequest(request), at: PolicyFixtures.time)
            var expected = constants.filter { Self.holds(fields, op, $0) }.map { "int.\($0)" }
            if Self.holds(fields, op, 3) { expected.append("int.unkeyed") }
            #expect(decision.firedRules == expected, "\(fields) fields")
            #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: PolicyFixtures.time))
        }
    }
}
