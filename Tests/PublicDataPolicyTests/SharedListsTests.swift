import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@testable import PublicDataPolicy

/// Rules with equal article or obligation lists share one storage once compiled, so that a decision copying
/// them from several rules retains objects that other decisions keep warm; the decisions are unchanged.
struct SharedListsTests {
    static func address<T>(_ list: [T]) -> UnsafeRawPointer? {
        list.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) }
    }

    @Test("Equal article and obligation lists of different rules share their storage")
    func equalListsShareStorage() {
        let policy = PolicyWorkloads.realisticPolicy(rules: 200)
        let rules = CompiledPolicy(
            id: policy.id,
            version: policy.version,
            digest: "",
            parameters: policy.parameters,
            rules: policy.rules
        ).points[DecisionPoint.dataRequest.ordinal].rules
        // Permit and deny rules all cite ["Art. 16"]; obligation rules ["Art. 20"].
        let grantsAndRestrictions = rules.filter { $0.kind != .obligation }
        #expect(grantsAndRestrictions.count > 2)
        #expect(Set(grantsAndRestrictions.map { Self.address($0.reason.articles) }).count == 1)
        let duties = rules.filter { $0.kind == .obligation }
        #expect(duties.count > 7)
        #expect(Set(duties.map { Self.address($0.reason.articles) }).count == 1)
        // One storage per distinct obligation list ("duty 0" … "duty 6"), also for the list without duplicates.
        #expect(Set(duties.map { Self.address($0.obligations) }).count == Set(duties.map(\.obligations)).count)
        #expect(Set(duties.map(\.obligations)).count == 7)
        #expect(duties.allSatisfy { Self.address($0.uniqueObligations) == Self.address($0.obligations) })
    }

    @Test("Decisions still carry each fired rule's own articles, message and obligations")
    func decisionsCarryTheRulesOwnLists() {
        let policy = PolicyWorkloads.realisticPolicy(rules: 1_000)
        var checked = 0
        for request in PolicyWorkloads.realisticRequests(count: 128) {
            let decision = policy.evaluate(request, at: PolicyFixtures.time)
            guard !decision.isNoApplicableRule else { continue }
            #expect(decision.reasons.map(\.ruleID) == decision.firedRules)
            var obligations: [Obligation] = []
            for (reason, id) in zip(decision.reasons, decision.firedRules) {
                guard let rule = policy.rule(id: id) else {
                    Issue.record("no rule \(id)")
                    continue
                }
                #expect(reason.articles == rule.articles)
                #expect(reason.message == rule.message)
                for obligation in rule.obligations where !obligations.contains(obligation) {
                    obligations.append(obligation)
                }
                checked += 1
            }
            #expect(decision.obligations == (decision.isPermit ? obligations : []))
        }
        #expect(checked > 20)
    }
}
