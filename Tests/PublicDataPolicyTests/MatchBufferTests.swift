import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

@testable import PublicDataPolicy

/// A decision collects its matched rules in a stack buffer of at most `Matches.inlineCapacity` entries and moves
/// them to a heap buffer only when more rules match (a buffer sized for every rule that could match did not fit
/// the stack at 10,000 rules, and cost an allocation per decision).
struct MatchBufferTests {
    static let time = PolicyFixtures.time

    @Test(
        "Matches move to a heap buffer twice as large when the caller's buffer is full, in order",
        arguments: [0, 1, 3, 4, 5, 16, 17, 200]
    )
    func matchesGrow(count: Int) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 4) { buffer in
            var matches = CompiledPolicy.Matches(buffer: buffer)
            defer { matches.deallocate() }
            for rule in 0..<count { matches.add(rule, rule % 3 == 0 ? .deny : rule % 3 == 1 ? .permit : .obligation) }
            #expect(matches.count == count)
            #expect(matches.onHeap == (count > 4))
            #expect(matches.buffer.count >= count)
            #expect(
                Array(matches.buffer[0..<count]) == (0..<count).map { $0 * 4 + ($0 % 3 == 0 ? 1 : $0 % 3 == 1 ? 0 : 2) }
            )
            #expect(matches.denies == (count + 2) / 3)
            #expect(matches.anyPermit == (count > 1))
            #expect(matches.ordered)
        }
    }

    /// `count` rules of one department that all hold for a request of it: every one matches. Rule `i` is a deny
    /// when `denies` and `i % 5 == 2`, an obligation when `i % 4 == 1`, else a permit.
    static func sameBucket(_ count: Int, denies: Bool) -> Policy {
        Policy(id: "same-bucket-\(count)", version: "1") {
            for index in 0..<count {
                if denies && index % 5 == 2 {
                    Rule(deny: "d\(index)", at: .dataRequest, articles: ["Art. 16"], message: "restriction \(index)") {
                        Condition.equals("entry.owningDepartment", "dept-1")
                        Condition.equals("agreement.status", "active")
                    }
                } else if index % 4 == 1 {
                    Rule(
                        obligation: "o\(index)",
                        at: .dataRequest,
                        articles: ["Art. 20"],
                        message: "duty \(index)",
                        obligations: [Obligation(kind: .fileScenario, detail: "duty \(index % 7)", article: "Art. 20")]
                    ) {
                        Condition.equals("entry.owningDepartment", "dept-1")
                    }
                } else {
                    Rule(permit: "p\(index)", at: .dataRequest, articles: ["Art. 16"], message: "grant \(index)") {
                        Condition.equals("entry.owningDepartment", "dept-1")
                        Condition.equals("agreement.status", "active")
                    }
                }
            }
        }
    }

    @Test(
        "More matches than the stack buffer holds decide as scanning, every rule fired in policy order",
        arguments: [1, 127, 128, 129, 300],
        [false, true]
    )
    func manyMatchesEqualScanning(count: Int, denies: Bool) {
        let policy = Self.sameBucket(count, denies: denies)
        var request = PolicyFixtures.dataRequest()
        request.entry.owningDepartment = "dept-1"
        let decision = policy.evaluate(.dataRequest(request), at: Self.time)
        #expect(decision == policy.evaluateByScanning(.dataRequest(request), at: Self.time))
        let denied = (0..<count).filter { denies && $0 % 5 == 2 }
        if denied.isEmpty {
            #expect(decision.isPermit)
            #expect(decision.firedRules.count == count)
            #expect(decision.obligations.count == min(7, (0..<count).filter { $0 % 4 == 1 }.count))
        } else {
            #expect(!decision.isPermit)
            #expect(decision.firedRules == denied.map { "d\($0)" })
        }
        #expect(decision.reasons.map(\.ruleID) == decision.firedRules)
    }
}
