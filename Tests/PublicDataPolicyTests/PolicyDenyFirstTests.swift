import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@testable import PublicDataPolicy

/// A bucket files its deny rules before its permit and obligation rules, so that a request stops checking
/// candidates once a deny rule has matched (nothing after it can change the decision) and checks only the deny
/// part of later buckets; a decision of several rules copies their reasons from one array of every rule's reason.
/// Decisions are unchanged: they must equal those of scanning every rule.
struct PolicyDenyFirstTests {
    static let time = PolicyFixtures.time

    static func compiledPoint(_ policy: Policy) -> CompiledPoint {
        CompiledPolicy(
            id: policy.id,
            version: policy.version,
            digest: "",
            parameters: policy.parameters,
            rules: policy.rules
        ).points[DecisionPoint.dataRequest.ordinal]
    }

    static func address<T>(_ list: [T]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    /// Five rules of one department, kinds interleaved: permit, deny, obligation, deny, permit.
    static let interleaved = Policy(id: "interleaved", version: "1") {
        Rule(permit: "p0", at: .dataRequest, articles: ["Art. 16"], message: "grant 0") {
            Condition.equals("entry.owningDepartment", "dept-1")
            Condition.in("request.purpose", ["public_governance"])
        }
        Rule(deny: "d1", at: .dataRequest, articles: ["Art. 16"], message: "restriction 1") {
            Condition.equals("entry.owningDepartment", "dept-1")
            Condition.equals("request.anonymized", false)
        }
        Rule(
            obligation: "o2",
            at: .dataRequest,
            articles: ["Art. 20"],
            message: "duty 2",
            obligations: [Obligation(kind: .fileScenario, detail: "duty 2", article: "Art. 20")]
        ) {
            Condition.equals("entry.owningDepartment", "dept-1")
        }
        Rule(deny: "d3", at: .dataRequest, articles: ["Art. 16"], message: "restriction 3") {
            Condition.equals("entry.owningDepartment", "dept-1")
            Condition.any([.equals("request.dataSubjectConsent", false), .equals("request.anonymized", false)])
        }
        Rule(permit: "p4", at: .dataRequest, articles: ["Art. 16"], message: "grant 4") {
            Condition.equals("entry.owningDepartment", "dept-1")
        }
    }

    @Test("A bucket holds its deny rules first, then its permit and obligation rules, each part in policy order")
    func denyRulesComeFirst() {
        let compiled = Self.compiledPoint(Self.interleaved)
        // One shape, one bucket: its block is the first.
        #expect(compiled.shapes.count == 1)
        let first = compiled.blocks[0]
        #expect(first & 0xFFFF_FFFF == 5)
        #expect(first >> 32 == 2)
        let rules = Int(compiled.blocks[1] >> 32)
        let order = (0..<5).map { compiled.blocks[rules + 2 * $0] & 0xFFFF_FFFF }
        #expect(order == [1, 3, 0, 2, 4])
    }

    @Test("Decisions of a bucket with interleaved kinds equal scanning, denies listed in policy order")
    func interleavedDecisionsEqualScanning() {
        for anonymized in [false, true] {
            for consent in [false, true] {
                var request = PolicyFixtures.dataRequest()
                request.entry.owningDepartment = "dept-1"
                request.anonymized = anonymized
                request.dataSubjectConsent = consent
                let decision = Self.interleaved.evaluate(.dataRequest(request), at: Self.time)
                #expect(decision == Self.interleaved.evaluateByScanning(.dataRequest(request), at: Self.time))
                switch (anonymized, consent) {
                case (false, _): #expect(decision.firedRules == ["d1", "d3"])
                case (true, false): #expect(decision.firedRules == ["d3"])
                case (true, true): #expect(decision.firedRules == ["p0", "o2", "p4"])
                }
            }
        }
    }

    @Test("Every rule's reason lies in the point's reason array, in rule order")
    func reasonsLieSideBySide() {
        let compiled = Self.compiledPoint(PolicyWorkloads.realisticPolicy(rules: 300))
        #expect(compiled.reasons.count == compiled.rules.count)
        #expect(zip(compiled.reasons, compiled.rules).allSatisfy { $0 == $1.reason })
    }

    @Test("A permit of several rules of which one carries obligations shares that rule's obligation list")
    func singleObligationRuleSharesItsList() throws {
        let compiled = Self.compiledPoint(Self.interleaved)
        var request = PolicyFixtures.dataRequest()
        request.entry.owningDepartment = "dept-1"
        request.anonymized = true
        request.dataSubjectConsent = true
        let decision = Self.interleaved.evaluate(.dataRequest(request), at: Self.time)
        #expect(decision.firedRules == ["p0", "o2", "p4"])
        let duty = try #require(compiled.rules.first { $0.id == "o2" })
        #expect(decision.obligations == duty.uniqueObligations)
        #expect(Self.address(decision.obligations) == Self.address(duty.uniqueObligations))
    }

    @Test("A deny in one bucket overrides the permits and obligations of another, in either order")
    func denyInAnotherBucket() {
        let policy = Policy(id: "two-buckets", version: "1") {
            Rule(permit: "op.permit", at: .dataRequest, articles: ["Art. 16"], message: "grant") {
                Condition.equals("request.operator", "op-1")
            }
            Rule(deny: "entry.deny", at: .dataRequest, articles: ["Art. 16"], message: "restriction") {
                Condition.equals("entry.id", "entry-1")
                Condition.equals("request.anonymized", false)
            }
            Rule(
                obligation: "agreement.duty",
                at: .dataRequest,
                articles: ["Art. 20"],
                message: "duty",
                obligations: [Obligation(kind: .fileScenario, article: "Art. 20")]
            ) {
                Condition.equals("agreement.id", "agr-1")
            }
            Rule(deny: "op.deny", at: .dataRequest, articles: ["Art. 16"], message: "restriction") {
                Condition.equals("request.operator", "op-1")
                Condition.equals("request.dataSubjectConsent", false)
            }
        }
        for (anonymized, consent, fired) in [
            (false, false, ["entry.deny", "op.deny"]), (false, true, ["entry.deny"]), (true, false, ["op.deny"]),
            (true, true, ["op.permit", "agreement.duty"]),
        ] {
            var request = PolicyFixtures.dataRequest()
            request.operatorParty = "op-1"
            request.entry.id = "entry-1"
            request.agreement.id = "agr-1"
            request.anonymized = anonymized
            request.dataSubjectConsent = consent
            let decision = policy.evaluate(.dataRequest(request), at: Self.time)
            #expect(decision.firedRules == fired)
            #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
        }
    }

    /// Rules of three shapes that are not subsets of one another (operator, entry, agreement), so a request meets
    /// up to three buckets: a deny in a later bucket after permits in an earlier one, or the reverse.
    static func threeShapes(seed: UInt64) -> Policy {
        var state = seed
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        var rules: [Rule] = []
        for index in 0..<240 {
            var conditions: [Condition] = []
            switch next(4) {
            case 0: conditions.append(.equals("request.operator", .string("op-\(next(4))")))
            case 1: conditions.append(.equals("entry.id", .string("entry-\(next(4))")))
            case 2: conditions.append(.equals("agreement.id", .string("agr-\(next(4))")))
            default: break
            }
            if next(2) == 0 { conditions.append(.equals("request.anonymized", .bool(next(2) == 0))) }
            if next(2) == 0 {
                let purposes = Purpose.allCases.filter { _ in next(2) == 0 }.map(\.rawValue)
                conditions.append(.in("request.purpose", .strings(purposes.isEmpty ? ["public_governance"] : purposes)))
            }
            if next(3) == 0 {
                conditions.append(
                    .any([.equals("request.dataSubjectConsent", true), .equals("entry.grade", "important")])
                )
            }
            if next(4) == 0 {
                conditions.append(
                    .compare(attribute: "request.fieldCount", op: .atMost, operand: .attribute("entry.fieldCount"))
                )
            }
            switch next(10) {
            case 0..<4:
                rules.append(
                    Rule(
                        id: "p\(index)",
                        point: .dataRequest,
                        kind: .permit,
                        conditions: conditions,
                        articles: ["Art. 16"],
                        message: "grant \(index)"
                    )
                )
            case 4..<6:
                // A deny rule applies to one purpose and to requests without the data subjects' consent, so that
                // both permits and denies are frequent.
                conditions.append(.equals("request.purpose", .string(Purpose.allCases[next(4)].rawValue)))
                conditions.append(.equals("request.dataSubjectConsent", false))
                rules.append(
                    Rule(
                        id: "d\(index)",
                        point: .dataRequest,
                        kind: .deny,
                        conditions: conditions,
                        articles: ["Art. 16"],
                        message: "restriction \(index)"
                    )
                )
            default:
                rules.append(
                    Rule(
                        id: "o\(index)",
                        point: .dataRequest,
                        kind: .obligation,
                        conditions: conditions,
                        articles: ["Art. 20"],
                        message: "duty \(index)",
                        obligations: [Obligation(kind: .fileScenario, detail: "duty \(index % 3)", article: "Art. 20")]
                    )
                )
            }
        }
        return Policy(id: "three-shapes-\(seed)", version: "1", rules: rules)
    }

    @Test("Requests meeting several buckets with denies in some decide as scanning", arguments: [1, 2, 3] as [UInt64])
    func severalBucketsEqualScanning(seed: UInt64) {
        let policy = Self.threeShapes(seed: seed)
        var denies = 0
        var permits = 0
        for index in 0..<400 {
            var request = PolicyFixtures.dataRequest()
            request.operatorParty = PartyID("op-\(index % 5)")
            request.entry.id = CatalogEntryID("entry-\(index / 5 % 5)")
            request.agreement.id = AgreementID("agr-\(index / 25 % 5)")
            request.anonymized = index % 2 == 0
            request.dataSubjectConsent = index % 3 == 0
            request.purpose = Purpose.allCases[index % Purpose.allCases.count]
            request.requestedFields = Array(
                ["licenseNo", "companyName", "status", "legalRepresentative", "x"][..<(1 + index % 5)]
            )
            let indexed = policy.evaluate(.dataRequest(request), at: Self.time)
            #expect(indexed == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
            if indexed.effect == .deny && !indexed.isNoApplicableRule { denies += 1 }
            if indexed.isPermit { permits += 1 }
        }
        // Both outcomes occur often enough for the test to mean something.
        #expect(denies > 40)
        #expect(permits > 10)
    }
}
