import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@testable import PublicDataPolicy

/// A top-level `any` whose members test two bool or vocabulary attributes (`any(dataSubjectConsent, anonymized)`)
/// is decided by a *pair table* over both attributes, which also decides the bucket's tests of either attribute
/// alone, instead of being checked as a residual condition of every candidate. Decisions are unchanged.
struct PairTableTests {
    static let time = PolicyFixtures.time
    static let table = DecisionPoint.dataRequest.attributes

    static func attribute(_ name: String) -> Int {
        table.firstIndex { $0.name == name } ?? -1
    }

    static func compile(_ condition: Condition) -> CompiledCondition {
        var compiler = RuleCompiler(parameters: PolicyParameters())
        return compiler.compile(condition, table: table, path: "$")
    }

    static let consent = attribute("request.dataSubjectConsent")
    static let anonymized = attribute("request.anonymized")
    static let grade = attribute("entry.grade")

    struct Recognition: Sendable, CustomTestStringConvertible {
        var label: String
        var condition: Condition
        /// The pair's attribute names, when it is one.
        var pair: [String]?
        var testDescription: String { label }
    }

    static let recognitions: [Recognition] = [
        Recognition(
            label: "two bools",
            condition: .any([.equals("request.dataSubjectConsent", true), .equals("request.anonymized", true)]),
            pair: ["request.anonymized", "request.dataSubjectConsent"]
        ),
        Recognition(
            label: "a bool and a vocabulary value, negated",
            condition: .any([.not(.equals("request.dataSubjectConsent", true)), .equals("entry.grade", "important")]),
            pair: ["entry.grade", "request.dataSubjectConsent"]
        ),
        Recognition(
            label: "three members over two attributes",
            condition: .any([
                .equals("request.anonymized", true), .equals("entry.grade", "core"), .equals("entry.grade", "general"),
            ]),
            pair: ["entry.grade", "request.anonymized"]
        ),
        Recognition(
            label: "one attribute",
            condition: .any([.equals("request.anonymized", true), .equals("request.anonymized", false)]),
            pair: nil
        ),
        Recognition(
            label: "three attributes",
            condition: .any([
                .equals("request.anonymized", true), .equals("request.dataSubjectConsent", true),
                .equals("request.providerConsent", true),
            ]),
            pair: nil
        ),
        Recognition(
            label: "an int member",
            condition: .any([
                .equals("request.anonymized", true), .compare(attribute: "request.fieldCount", op: .atMost, operand: 2),
            ]),
            pair: nil
        ),
        Recognition(
            label: "a string member",
            condition: .any([.equals("request.anonymized", true), .equals("request.operator", "op-1")]),
            pair: nil
        ),
        Recognition(
            label: "not an any",
            condition: .all([.equals("request.anonymized", true), .equals("request.dataSubjectConsent", true)]),
            pair: nil
        ),
    ]

    @Test("Which conditions a pair table decides", arguments: recognitions)
    func recognition(_ case: Recognition) {
        let found = BucketBlock.pairAttributes(Self.compile(`case`.condition), Self.table)
        #expect(found.map { [Self.table[$0.0].name, Self.table[$0.1].name] } == `case`.pair)
    }

    @Test("A pair's rows give the condition's value for every pair of values, missing ones included")
    func pairRowsMatchTheCondition() {
        // not(consent) or grade in {important, core}: true when consent is missing or false, or for those grades.
        let condition = Self.compile(
            .any([.not(.equals("request.dataSubjectConsent", true)), .in("entry.grade", ["important", "core"])])
        )
        let grades = DataGrade.allCases.count
        for consentRow in 0...2 {
            for gradeRow in 0...grades {
                let holds = BucketBlock.pairHolds(condition, Self.table) {
                    $0 == Self.consent ? consentRow : gradeRow
                }
                let gradeHolds =
                    gradeRow < grades && ["important", "core"].contains(DataGrade.allCases[gradeRow].rawValue)
                #expect(holds == (consentRow != 1 || gradeHolds))
            }
        }
        #expect(BucketBlock.valueRow(nil, symbol: false, rows: 3) == 2)
        #expect(BucketBlock.valueRow(1, symbol: false, rows: 3) == 1)
        #expect(BucketBlock.valueRow(Int64(1 << 2), symbol: true, rows: 4) == 2)
        #expect(BucketBlock.valueRow(0, symbol: true, rows: 4) == 3)
    }

    /// The starts of every bucket's block of a compiled point.
    static func bucketStarts(_ compiled: CompiledPoint) -> [Int] {
        var starts = Set(compiled.direct.filter { $0 != 0 }.map { Int($0) - 1 })
        for slot in stride(from: 0, to: compiled.table.count, by: 3) where compiled.table[slot] != 0 {
            starts.insert(Int(compiled.table[slot]) - 1)
        }
        return starts.sorted()
    }

    @Test(
        "The realistic policy's consent-or-anonymized groups are pair tables, never residual conditions; its two bools tested alone share one"
    )
    func realisticGroupsArePairTables() {
        let policy = PolicyWorkloads.realisticPolicy(rules: 1_000)
        let compiled = PolicyDenyFirstTests.compiledPoint(policy)
        let bools = [
            Self.attribute("entry.containsSensitivePersonalInformation"), Self.attribute("agreement.coversDay"),
        ]
        .sorted()
        var pairTables = 0
        var boolTables = 0
        for start in Self.bucketStarts(compiled) {
            let rules = Int(compiled.blocks[start] & 0xFFFF_FFFF)
            let tables = Int(compiled.blocks[start + 1] & 0xFFFF_FFFF)
            let rulesOffset = Int(compiled.blocks[start + 1] >> 32)
            var attributes: [Int] = []
            for entry in compiled.blocks[(start + 2)..<(start + 2 + tables)] {
                if entry & BucketBlock.pairFlag != 0 {
                    pairTables += 1
                    let pair: [Int] = [Int(entry & 0xFF), Int((entry >> 8) & 0xFF)]
                    if pair == bools { boolTables += 1 } else { #expect(pair == [Self.anonymized, Self.consent]) }
                    attributes += pair
                } else {
                    attributes.append(Int(entry & 0xFFFF))
                }
            }
            // Every attribute has one table at most in a bucket.
            #expect(Set(attributes).count == attributes.count)
            for position in 0..<rules {
                let at = start + rulesOffset + 2 * position
                let count = Int(compiled.blocks[at] >> 32)
                let first = Int(compiled.blocks[at + 1] & 0xFFFF_FFFF)
                #expect(compiled.nodes[first..<(first + count)].allSatisfy { $0.op != .any })
            }
        }
        #expect(pairTables > 0)
        #expect(boolTables > 0)
    }

    /// 240 rules of twelve departments that test four bools alone (each with probability one half, some negated):
    /// every department's bucket tests every pair of them, so two pairs share tables.
    /// A generated data-request rule; an obligation rule carries one of three duties.
    static func generatedRule(_ id: String, _ index: Int, _ kind: RuleKind, _ conditions: [Condition]) -> Rule {
        Rule(
            id: id,
            point: .dataRequest,
            kind: kind,
            conditions: conditions,
            articles: ["Art. 16"],
            message: "rule \(index)",
            obligations: kind == .obligation
                ? [Obligation(kind: .fileScenario, detail: "duty \(index % 3)", article: "Art. 20")] : []
        )
    }

    static func boolPolicy(seed: UInt64) -> Policy {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let names = [
            "request.anonymized", "request.dataSubjectConsent", "request.providerConsent",
            "entry.containsPersonalInformation",
        ]
        var rules: [Rule] = []
        for index in 0..<240 {
            var conditions: [Condition] = [.equals("entry.owningDepartment", .string("dept-\(next(12))"))]
            for name in names where next(2) == 0 {
                let test = Condition.equals(name, .bool(next(2) == 0))
                conditions.append(next(3) == 0 ? .not(test) : test)
            }
            let kind: RuleKind = [.permit, .permit, .deny, .obligation][next(4)]
            rules.append(Self.generatedRule("b\(index)", index, kind, conditions))
        }
        return Policy(id: "bools-\(seed)", version: "1", rules: rules)
    }

    @Test(
        "Bools tested alone in many buckets share pair tables and decide every combination as scanning",
        arguments: [1, 2] as [UInt64]
    )
    func boolPairsEqualScanning(seed: UInt64) {
        let policy = Self.boolPolicy(seed: seed)
        let compiled = PolicyDenyFirstTests.compiledPoint(policy)
        var pairs = 0
        for start in Self.bucketStarts(compiled) {
            let tables = Int(compiled.blocks[start + 1] & 0xFFFF_FFFF)
            pairs += compiled.blocks[(start + 2)..<(start + 2 + tables)].filter { $0 & BucketBlock.pairFlag != 0 }.count
        }
        #expect(pairs >= 12)
        for index in 0..<(12 * 16) {
            var request = PolicyFixtures.dataRequest()
            request.entry.owningDepartment = PartyID("dept-\(index % 12)")
            request.anonymized = index / 12 % 2 == 0
            request.dataSubjectConsent = index / 24 % 2 == 0
            request.providerConsent = index / 48 % 2 == 0
            request.entry.containsPersonalInformation = index / 96 % 2 == 0
            #expect(
                policy.evaluate(.dataRequest(request), at: Self.time)
                    == policy.evaluateByScanning(.dataRequest(request), at: Self.time)
            )
        }
    }

    /// 300 rules of three departments, with tests of five bool and vocabulary attributes alone and `any` groups over
    /// pairs of them (negated members included; two pairs become tables, the third shares an attribute with one
    /// of them and stays residual), one group over three attributes (a residual condition), and every kind of
    /// rule.
    static func pairPolicy(seed: UInt64) -> Policy {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        func leaf(_ attribute: Int) -> Condition {
            let test: Condition
            switch attribute {
            case 0: test = .equals("request.anonymized", .bool(next(2) == 0))
            case 1: test = .equals("request.dataSubjectConsent", .bool(next(2) == 0))
            case 2: test = .equals("request.providerConsent", .bool(next(2) == 0))
            case 3: test = .equals("entry.grade", .string(DataGrade.allCases[next(3)].rawValue))
            default: test = .in("entry.sharing", .strings([SharingAttribute.allCases[next(3)].rawValue]))
            }
            return next(4) == 0 ? .not(test) : test
        }
        var rules: [Rule] = []
        for index in 0..<300 {
            var conditions: [Condition] = [.equals("entry.owningDepartment", .string("dept-\(next(3))"))]
            for attribute in 0..<5 where next(3) == 0 { conditions.append(leaf(attribute)) }
            switch next(4) {
            case 0: conditions.append(.any([leaf(0), leaf(1)]))
            case 1: conditions.append(.any([leaf(1), leaf(3), leaf(3)]))
            case 2: conditions.append(.any([leaf(2), leaf(4)]))
            default: conditions.append(.any([leaf(0), leaf(1), leaf(2)]))
            }
            // Deny rules are rarer and need a not-shared entry, so that permits occur too.
            let kind: RuleKind = [.permit, .permit, .permit, .deny, .obligation][next(5)]
            if kind == .deny { conditions.append(.equals("entry.sharing", "not_shared")) }
            rules.append(Self.generatedRule("r\(index)", index, kind, conditions))
        }
        return Policy(id: "pairs-\(seed)", version: "1", rules: rules)
    }

    @Test(
        "Generated policies with pair groups decide every combination of values as scanning",
        arguments: [1, 2, 3] as [UInt64]
    )
    func generatedPairsEqualScanning(seed: UInt64) {
        let policy = Self.pairPolicy(seed: seed)
        var outcomes: Set<String> = []
        for index in 0..<(3 * 8 * 9) {
            var request = PolicyFixtures.dataRequest()
            request.entry.owningDepartment = PartyID("dept-\(index % 3)")
            request.anonymized = index / 3 % 2 == 0
            request.dataSubjectConsent = index / 6 % 2 == 0
            request.providerConsent = index / 12 % 2 == 0
            request.entry.grade = DataGrade.allCases[index / 24 % 3]
            request.entry.sharing = SharingAttribute.allCases[index / 72 % 3]
            let decision = policy.evaluate(.dataRequest(request), at: Self.time)
            #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
            outcomes.insert(decision.isNoApplicableRule ? "none" : decision.effect.rawValue)
        }
        #expect(outcomes.contains("permit") && outcomes.contains("deny"))
    }
}
