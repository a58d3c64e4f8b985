import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@testable import PublicDataPolicy

/// Shapes whose key attributes are a subset of a wider shape's are looked up together with it: one merged bucket
/// per combination of the wider shape's key values, holding every rule that a request with those values meets in
/// any of the group's shapes. A request that lacks one of the wider shape's key values (missing, or named by no
/// rule) looks each shape up on its own. Either way the decision must be the one that scanning every rule gives.
struct ShapeGroupTests {
    static let time = PolicyFixtures.time

    static func compiledPoint(_ policy: Policy, _ point: DecisionPoint = .dataRequest) -> CompiledPoint {
        CompiledPolicy(
            id: policy.id,
            version: policy.version,
            digest: "",
            parameters: policy.parameters,
            rules: policy.rules
        ).points[point.ordinal]
    }

    /// The names of the key attributes of each shape of `group`, the head first.
    static func shapeNames(_ compiled: CompiledPoint, _ group: ShapeGroup) -> [[String]] {
        let names = DecisionPoint.dataRequest.attributes.map(\.name)
        return (Int(group.first)..<Int(group.first + group.count)).map { index in
            let shape = compiled.shapes[Int(compiled.groupMembers[index])]
            return (0..<Int(shape.count)).map { slot in
                names[Int(compiled.keyAttributes[Int(shape[slot])])]
            }
        }
    }

    @Test("The realistic policy's operator and department shapes are merged into the (operator, department) one")
    func realisticShapesAreMerged() {
        let compiled = Self.compiledPoint(PolicyWorkloads.realisticPolicy(rules: 10_000))
        #expect(compiled.shapes.count == 3)
        #expect(compiled.groups.count == 1)
        let group = compiled.groups[0]
        #expect(group.merged.directOffset >= 0)
        let names = Self.shapeNames(compiled, group)
        #expect(names.first == ["entry.owningDepartment", "request.operator"])
        #expect(Set(names.dropFirst()) == [["entry.owningDepartment"], ["request.operator"]])
        // Every member shape is in exactly one group.
        #expect(compiled.groupMembers.sorted() == [0, 1, 2])
    }

    @Test("A group whose merged table would be far larger than its rules is not merged")
    func oversizedGroupIsNotMerged() {
        // 300 operators × 300 departments, but only 300 (operator, department) rules and one department rule:
        // merging would copy the department rule into 300 × 300 entries.
        let policy = Policy(id: "sparse", version: "1") {
            for index in 0..<300 {
                Rule(permit: "pair.\(index)", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                    Condition.equals("request.operator", .string("op-\(index)"))
                    Condition.equals("entry.owningDepartment", .string("dept-\(index)"))
                }
            }
            Rule(permit: "dept.7", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                Condition.equals("entry.owningDepartment", "dept-7")
            }
        }
        let compiled = Self.compiledPoint(policy)
        #expect(compiled.groups.count == 2)
        #expect(compiled.groups.allSatisfy { $0.merged.directOffset < 0 })
        for (operatorNumber, department, fired) in [
            (7, 7, ["pair.7", "dept.7"]), (8, 7, ["dept.7"]), (8, 8, ["pair.8"]),
        ] {
            let request = Self.request(operatorParty: "op-\(operatorNumber)", department: "dept-\(department)")
            let decision = policy.evaluate(request, at: Self.time)
            #expect(decision.firedRules == fired)
            #expect(decision == policy.evaluateByScanning(request, at: Self.time))
        }
    }

    static func request(operatorParty: String, department: String, anonymized: Bool = false) -> PolicyRequest {
        var request = PolicyFixtures.dataRequest()
        request.anonymized = anonymized
        request.operatorParty = PartyID(operatorParty)
        request.agreement.operatorParty = request.operatorParty
        request.entry.owningDepartment = PartyID(department)
        return .dataRequest(request)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var operatorParty: String
        var department: String
        var fired: [String]
        var testDescription: String { "\(operatorParty) / \(department)" }
    }

    /// Rules of four shapes over the operator and the department (both, each alone, neither), `in` lists among
    /// them; requests whose values are named together, apart, or not at all (the fallback).
    static let cases: [Case] = [
        Case(operatorParty: "op-a", department: "dept-1", fired: ["any", "both.a1", "op.a", "dept.1-2"]),
        Case(operatorParty: "op-b", department: "dept-2", fired: ["any", "both.ab2", "op.b", "dept.1-2"]),
        Case(operatorParty: "op-a", department: "dept-2", fired: ["any", "op.a", "both.ab2", "dept.1-2"]),
        Case(operatorParty: "op-b", department: "dept-1", fired: ["any", "op.b", "dept.1-2"]),
        Case(operatorParty: "op-a", department: "dept-3", fired: ["any", "op.a", "dept.3"]),
        // A department that no rule names: the group's shapes are looked up one by one.
        Case(operatorParty: "op-a", department: "dept-9", fired: ["any", "op.a"]),
        // An operator that no rule names.
        Case(operatorParty: "op-z", department: "dept-1", fired: ["any", "dept.1-2"]),
        Case(operatorParty: "op-z", department: "dept-9", fired: ["any"]),
    ]

    static let fourShapes = Policy(id: "four-shapes", version: "1") {
        Rule(permit: "any", at: .dataRequest, articles: ["Art. 16"], message: "m") {
            Condition.equals("request.anonymized", true)
        }
        Rule(permit: "both.a1", at: .dataRequest, articles: ["Art. 16"], message: "m") {
            Condition.equals("request.operator", "op-a")
            Condition.equals("entry.owningDepartment", "dept-1")
        }
        Rule(
            obligation: "op.a",
            at: .dataRequest,
            articles: ["Art. 20"],
            message: "m",
            obligations: [Obligation(kind: .fileScenario, article: "Art. 20")]
        ) {
            Condition.equals("request.operator", "op-a")
        }
        Rule(permit: "both.ab2", at: .dataRequest, articles: ["Art. 16"], message: "m") {
            Condition.in("request.operator", ["op-a", "op-b"])
            Condition.equals("entry.owningDepartment", "dept-2")
        }
        Rule(permit: "op.b", at: .dataRequest, articles: ["Art. 16"], message: "m") {
            Condition.equals("request.operator", "op-b")
            Condition.equals("request.anonymized", true)
        }
        Rule(permit: "dept.1-2", at: .dataRequest, articles: ["Art. 16"], message: "m") {
            Condition.in("entry.owningDepartment", ["dept-1", "dept-2"])
        }
        Rule(permit: "dept.3", at: .dataRequest, articles: ["Art. 16"], message: "m") {
            Condition.equals("entry.owningDepartment", "dept-3")
        }
    }

    @Test("Merged and one-by-one lookups fire the rules of every shape, in policy order", arguments: cases)
    func firesEveryShapesRules(_ testCase: Case) {
        let compiled = Self.compiledPoint(Self.fourShapes)
        #expect(compiled.groups.count == 1)
        #expect(compiled.groups[0].merged.directOffset >= 0)
        for anonymized in [true, false] {
            let request = Self.request(
                operatorParty: testCase.operatorParty,
                department: testCase.department,
                anonymized: anonymized
            )
            let decision = Self.fourShapes.evaluate(request, at: Self.time)
            if anonymized { #expect(decision.firedRules == testCase.fired) }
            #expect(decision == Self.fourShapes.evaluateByScanning(request, at: Self.time))
        }
    }

    /// A small deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func below(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((value ^ (value >> 31)) % UInt64(bound))
        }
    }

    @Test(
        "Generated rule sets over three shared keys: the index agrees with scanning",
        arguments: [UInt64(1), 2, 3, 4, 5, 6]
    )
    func generatedAgree(seed: UInt64) {
        var random = Generator(state: seed)
        // Rules keyed on any subset of (operator, department, entry id), by `equals` or an `in` list, with a
        // vocabulary test and a flag; a few values of each key, shared by many rules.
        let rules: [Rule] = (0..<(200 + 50 * Int(seed))).map { index in
            var conditions: [Condition] = []
            func key(_ attribute: String, _ prefix: String, _ values: Int) {
                if random.below(4) == 0 {
                    let list = (0..<(1 + random.below(3))).map { _ in "\(prefix)-\(random.below(values))" }
                    conditions.append(.in(attribute, .strings(list)))
                } else {
                    conditions.append(.equals(attribute, .string("\(prefix)-\(random.below(values))")))
                }
            }
            if random.below(3) != 0 { key("request.operator", "op", 6) }
            if random.below(3) != 0 { key("entry.owningDepartment", "dept", 5) }
            if random.below(4) == 0 { key("entry.id", "entry", 4) }
            let purposes = Purpose.allCases
            conditions.append(.equals("request.purpose", .string(purposes[random.below(purposes.count)].rawValue)))
            if random.below(2) == 0 { conditions.append(.equals("request.anonymized", .bool(random.below(2) == 0))) }
            let kind = random.below(3)
            return Rule(
                id: "gen.\(index)",
                point: .dataRequest,
                kind: kind == 0 ? .permit : kind == 1 ? .deny : .obligation,
                conditions: conditions,
                articles: ["Art. 16"],
                message: "m",
                obligations: kind == 2 ? [Obligation(kind: .fileScenario, article: "Art. 20")] : []
            )
        }
        let policy = Policy(id: "generated-\(seed)", version: "1", rules: rules)
        #expect(policy.validationIssues.isEmpty)
        let compiled = Self.compiledPoint(policy)
        #expect(compiled.groups.contains { $0.merged.directOffset >= 0 })
        var fired = 0
        // Values named by the rules and values one past them (named by none).
        for operatorNumber in 0...6 {
            for department in 0...5 {
                for entry in [0, 4] {
                    for purpose in Purpose.allCases {
                        var request = PolicyFixtures.dataRequest(
                            entry: PolicyFixtures.entry(id: CatalogEntryID("entry-\(entry)"))
                        )
                        request.operatorParty = PartyID("op-\(operatorNumber)")
                        request.entry.owningDepartment = PartyID("dept-\(department)")
                        request.purpose = purpose
                        request.anonymized = (operatorNumber + department) % 2 == 0
                        let indexed = policy.evaluate(.dataRequest(request), at: Self.time)
                        #expect(indexed == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
                        fired += indexed.firedRules.count
                    }
                }
            }
        }
        #expect(fired > 100)
    }
}
