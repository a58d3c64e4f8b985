import Foundation
import PublicDataModel
import PublicDataPolicy
import PublicDataTesting
import Testing

/// Art. 35: a policy's version is the digest of its content; decisions record it.
struct PolicyDigestTests {
    /// A change to what decides, and whether it changes the digest.
    struct Change: Sendable, CustomTestStringConvertible {
        var name: String
        var changesDecisions: Bool
        var apply: @Sendable (inout Policy) -> Void
        var testDescription: String { name }
    }

    static let changes: [Change] = [
        Change(name: "the version label", changesDecisions: false) { $0.version = "2099.9" },
        Change(name: "the title", changesDecisions: false) { $0.title = "another title" },
        Change(name: "a parameter", changesDecisions: true) { $0.parameters.termCapYears = 4 },
        Change(name: "a rule removed", changesDecisions: true) { $0.rules.removeLast() },
        Change(name: "two rules swapped", changesDecisions: true) { $0.rules.swapAt(0, 1) },
        Change(name: "a rule's message", changesDecisions: true) { $0.rules[0].message += "." },
        Change(name: "the policy id", changesDecisions: true) { $0.id = "beijing-other" },
    ]

    @Test(arguments: changes)
    func theDigestChangesExactlyWhenWhatDecidesChanges(_ change: Change) {
        var changed = Policy.beijingDefault
        change.apply(&changed)
        #expect((changed.digest != Policy.beijingDefault.digest) == change.changesDecisions)
    }

    @Test func theSameContentAlwaysHasTheSameDigest() throws {
        let digest = Policy.beijingDefault.digest
        #expect(digest.hasPrefix("sha256:"))
        #expect(digest.count == "sha256:".count + 64)
        #expect(try Policy.load(from: Policy.beijingDefault.jsonData).digest == digest)
        #expect(try Policy.bundledBeijingDefault().digest == digest)
        // Built again from its parts, in Swift.
        let rebuilt = Policy(
            id: Policy.beijingDefault.id,
            version: "any label",
            parameters: Policy.beijingDefault.parameters,
            rules: Policy.beijingDefault.rules
        )
        #expect(rebuilt.digest == digest)
    }

    @Test func everyDecisionRecordsTheDigest() {
        let policy = Policy.beijingDefault
        let permit = policy.evaluate(.dataRequest(PolicyFixtures.dataRequest()), at: PolicyFixtures.time)
        var core = PolicyFixtures.dataRequest()
        core.entry.grade = .core
        let deny = policy.evaluate(.dataRequest(core), at: PolicyFixtures.time)
        #expect(permit.isPermit && !deny.isPermit)
        #expect(permit.policyDigest == policy.digest)
        #expect(deny.policyDigest == policy.digest)
        var stricter = policy
        stricter.parameters.neverAuthorizableGrades = [.important, .core]
        let stricterDecision = stricter.evaluate(.dataRequest(PolicyFixtures.dataRequest()), at: PolicyFixtures.time)
        #expect(stricterDecision.policyVersion == permit.policyVersion)
        #expect(stricterDecision.policyDigest == stricter.digest)
        #expect(stricterDecision.policyDigest != permit.policyDigest)
    }

    /// Inserts `member` after the file's `"version"` member.
    static func file(declaring member: String, version: String? = nil) -> Data {
        var text = Policy.beijingDefault.jsonText
        let label = "\"version\": \"\(Policy.beijingDefault.version)\""
        let versioned = version.map { "\"version\": \"\($0)\"" } ?? label
        text = text.replacingOccurrences(of: label, with: versioned + (member.isEmpty ? "" : ",\n  " + member))
        return Data(text.utf8)
    }

    @Test func aFileDeclaringItsDigestLoadsAndAWrongDigestIsATypedError() throws {
        let digest = Policy.beijingDefault.digest
        #expect(try Policy.load(from: Self.file(declaring: "\"digest\": \"\(digest)\"")) == Policy.beijingDefault)
        let asVersion = try Policy.load(from: Self.file(declaring: "", version: digest))
        #expect(asVersion.version == digest && asVersion.digest == digest)

        let wrong = "sha256:" + String(repeating: "0", count: 64)
        let declared = try #require(throws: PolicyLoadError.self) {
            try Policy.load(from: Self.file(declaring: "\"digest\": \"\(wrong)\""))
        }
        #expect(declared.code == .digestMismatch)
        #expect(declared.issues.map(\.path) == ["$.digest"])
        let versioned = try #require(throws: PolicyLoadError.self) {
            try Policy.load(from: Self.file(declaring: "", version: wrong))
        }
        #expect(versioned.code == .digestMismatch)
        #expect(versioned.issues.map(\.path) == ["$.version"])

        // A file edited after its digest was declared no longer loads.
        var text = String(decoding: Self.file(declaring: "\"digest\": \"\(digest)\""), as: UTF8.self)
        text = text.replacingOccurrences(of: "\"termCapYears\": 5", with: "\"termCapYears\": 4")
        let edited = try #require(throws: PolicyLoadError.self) { try Policy.load(from: Data(text.utf8)) }
        #expect(edited.code == .digestMismatch)
    }
}
