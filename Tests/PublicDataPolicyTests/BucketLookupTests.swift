import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@testable import PublicDataPolicy

/// A shape whose key values are few finds its bucket in a dense table (no hashing); one whose values are many
/// (their combinations far more than its buckets) in an open-addressing table. Both must find exactly the
/// buckets the rules name, and no other.
struct BucketLookupTests {
    /// One rule per (operator, department) pair of `pairs`, keyed on both; each request names one operator and
    /// one department.
    static func policy(_ pairs: [(Int, Int)]) -> Policy {
        Policy(id: "pairs", version: "1") {
            for (operatorNumber, department) in pairs {
                Rule(
                    permit: "pair.\(operatorNumber).\(department)",
                    at: .dataRequest,
                    articles: ["Art. 16"],
                    message: "m"
                ) {
                    Condition.equals("request.operator", .string("op-\(operatorNumber)"))
                    Condition.equals("entry.owningDepartment", .string("dept-\(department)"))
                }
            }
            Rule(permit: "operator.3", at: .dataRequest, articles: ["Art. 16"], message: "m") {
                Condition.equals("request.operator", "op-3")
            }
        }
    }

    static func request(_ operatorNumber: Int, _ department: Int) -> PolicyRequest {
        var request = PolicyFixtures.dataRequest()
        request.operatorParty = PartyID("op-\(operatorNumber)")
        request.entry.owningDepartment = PartyID("dept-\(department)")
        return .dataRequest(request)
    }

    /// Whether each shape of the data-request point is dense, by its number of key attributes.
    static func denseShapes(_ policy: Policy) -> [Int32: Bool] {
        let compiled = CompiledPolicy(
            id: policy.id,
            version: policy.version,
            digest: "",
            parameters: policy.parameters,
            rules: policy.rules
        )
        var dense: [Int32: Bool] = [:]
        for shape in compiled.points[DecisionPoint.dataRequest.ordinal].shapes {
            dense[shape.count] = shape.directOffset >= 0
        }
        return dense
    }

    @Test("A full grid of few keys is dense; a sparse diagonal of many keys is hashed", arguments: [true, false])
    func findsExactlyTheNamedBuckets(full: Bool) {
        // 6 × 5 pairs, every one named (dense), or 300 pairs (i, i) of 300 × 300 possible ones (hashed).
        let pairs =
            full
            ? (0..<6).flatMap { operatorNumber in (0..<5).map { (operatorNumber, $0) } } : (0..<300).map { ($0, $0) }
        let policy = Self.policy(pairs)
        #expect(policy.validationIssues.isEmpty)
        // The values are numbered per attribute, across shapes: in the diagonal policy the operator shape's one
        // bucket has 300 possible operators, so it is hashed too.
        #expect(Self.denseShapes(policy) == [2: full, 1: full])
        let named = Set(pairs.map { "\($0.0)/\($0.1)" })
        // Named pairs, pairs of named values that no rule names, and values no rule names (op-400, dept-7 in the
        // grid).
        for (operatorNumber, department) in [
            (0, 0), (3, 4), (5, 4), (4, 3), (2, 7), (400, 0), (3, 3), (299, 299), (7, 0),
        ] {
            let decision = policy.evaluate(Self.request(operatorNumber, department), at: PolicyFixtures.time)
            var expected: [String] = []
            if named.contains("\(operatorNumber)/\(department)") {
                expected.append("pair.\(operatorNumber).\(department)")
            }
            if operatorNumber == 3 { expected.append("operator.3") }
            #expect(decision.firedRules == expected, "op-\(operatorNumber), dept-\(department)")
            #expect(
                decision == policy.evaluateByScanning(Self.request(operatorNumber, department), at: PolicyFixtures.time)
            )
        }
    }

    @Test("The realistic benchmark policies find their buckets in dense tables")
    func realisticIsDense() {
        for size in [10, 10_000] {
            let policy = PolicyWorkloads.realisticPolicy(rules: size)
            #expect(Self.denseShapes(policy).values.allSatisfy { $0 })
        }
    }
}

/// Generated rules over every vocabulary, bool and int attribute a data request has, in one bucket of up to 300
/// rules (tables of one to five words), must decide as scanning every rule does.
struct ManyAttributeBucketTests {
    /// A deterministic generator (SplitMix64).
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9E37_79B9_7F4A_7C15
            var value = state
            value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
            value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
            return Int((value ^ (value >> 31)) % UInt64(bound))
        }
        mutating func subset(_ values: [String]) -> [String] {
            let chosen = values.filter { _ in next(2) == 0 }
            return chosen.isEmpty ? [values[next(values.count)]] : chosen
        }
    }

    static let bools = [
        "entry.containsPersonalInformation", "entry.containsSensitivePersonalInformation", "request.anonymized",
        "request.dataSubjectConsent", "request.providerConsent", "request.touchesPersonalInformation",
        "request.fieldsBeyondNeed", "request.unknownFields", "agreement.coversDay", "agreement.entryInScope",
        "agreement.operatorMatches",
    ]
    static let vocabularies: [(String, [String])] = [
        ("request.purpose", Purpose.allCases.map(\.rawValue)),
        ("request.delivery", DeliveryMethod.allCases.map(\.rawValue)),
        ("entry.grade", DataGrade.allCases.map(\.rawValue)),
        ("entry.sharing", SharingAttribute.allCases.map(\.rawValue)),
        ("entry.openness", OpenAttribute.allCases.map(\.rawValue)),
        ("agreement.status", AgreementStatus.allCases.map(\.rawValue)),
    ]

    /// `rules` rules keyed on one operator, each testing a third of the vocabularies, a quarter of the bools and
    /// the field count.
    static func policy(rules: Int, seed: UInt64) -> Policy {
        var random = Generator(state: seed)
        var generated: [Rule] = []
        for index in 0..<rules {
            var conditions: [Condition] = [.equals("request.operator", "op-bj-finance")]
            for (attribute, values) in vocabularies where random.next(3) == 0 {
                let chosen = random.subset(values)
                conditions.append(
                    random.next(4) == 0 ? .notIn(attribute, .strings(chosen)) : .in(attribute, .strings(chosen))
                )
            }
            for attribute in bools where random.next(4) == 0 {
                let test = Condition.equals(attribute, .bool(random.next(2) == 0))
                conditions.append(random.next(4) == 0 ? .not(test) : test)
            }
            let operators: [ComparisonOperator] = [.equals, .notEquals, .greaterThan, .atLeast, .lessThan, .atMost]
            conditions.append(
                .compare(
                    attribute: "request.fieldCount",
                    op: operators[random.next(operators.count)],
                    operand: .int(random.next(5))
                )
            )
            generated.append(
                Rule(
                    id: "gen-\(index)",
                    point: .dataRequest,
                    kind: random.next(3) == 0 ? .deny : .permit,
                    conditions: conditions,
                    articles: ["Art. 16"],
                    message: "m"
                )
            )
        }
        return Policy(id: "layouts", version: "1", rules: generated)
    }

    static func requests(seed: UInt64) -> [PolicyRequest] {
        var random = Generator(state: seed)
        return (0..<400).map { _ in
            var request = PolicyFixtures.dataRequest()
            request.operatorParty = "op-bj-finance"
            request.purpose = Purpose.allCases[random.next(Purpose.allCases.count)]
            request.delivery = DeliveryMethod.allCases[random.next(DeliveryMethod.allCases.count)]
            request.entry.grade = DataGrade.allCases[random.next(DataGrade.allCases.count)]
            request.entry.sharing = SharingAttribute.allCases[random.next(SharingAttribute.allCases.count)]
            request.entry.openness = OpenAttribute.allCases[random.next(OpenAttribute.allCases.count)]
            request.agreementStatus = AgreementStatus.allCases[random.next(AgreementStatus.allCases.count)]
            request.entry.containsPersonalInformation = random.next(2) == 0
            request.entry.containsSensitivePersonalInformation = random.next(2) == 0
            request.anonymized = random.next(2) == 0
            request.dataSubjectConsent = random.next(2) == 0
            request.providerConsent = random.next(2) == 0
            request.requestedFields = Array(request.entry.fields.map(\.name).prefix(random.next(5)))
            if random.next(3) == 0 { request.neededFields = [] }
            return .dataRequest(request)
        }
    }

    @Test(
        "Buckets of many rules testing many attributes decide as scanning every rule",
        arguments: [
            20, 64, 65, 300,
        ]
    )
    func decidesAsScanning(rules: Int) {
        let policy = Self.policy(rules: rules, seed: UInt64(rules))
        #expect(policy.validationIssues.isEmpty)
        var fired = 0
        var effects: Set<Effect> = []
        for request in Self.requests(seed: UInt64(rules) &* 7) {
            let indexed = policy.evaluate(request, at: PolicyFixtures.time)
            #expect(indexed == policy.evaluateByScanning(request, at: PolicyFixtures.time))
            fired += indexed.firedRules.count
            effects.insert(indexed.effect)
        }
        // The rules do fire, and both ways.
        #expect(fired > 20)
        #expect(effects == [.permit, .deny])
    }
}
