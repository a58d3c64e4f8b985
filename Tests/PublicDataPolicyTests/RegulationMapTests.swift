import Foundation
import PublicDataPolicy
import Testing

/// Keeps `Documentation/RegulationMap.md` in step with the Beijing default policy: every rule id it cites
/// exists, and every rule and parameter of the policy is mapped to an article.
struct RegulationMapTests {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Documentation/RegulationMap.md")

    /// The rule-id prefixes of the default policy (`dr`, `ds`, `pr`, `oe`, `pl`, `ag`, `pe`, `cd`).
    static let prefixes = Set(
        Policy.beijingDefault.rules.compactMap { $0.id.split(separator: ".").first.map(String.init) }
    )

    /// Whether `text` has the shape of a rule id: a known prefix, a dot, then lower-case words joined by hyphens.
    static func looksLikeRuleID(_ text: Substring) -> Bool {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, prefixes.contains(String(parts[0])) else { return false }
        let name = parts[1]
        guard let first = name.first, let last = name.last, first != "-", last != "-" else { return false }
        return name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
    }

    /// Every backticked span of the map that looks like a rule id, in order of appearance.
    static func citedRuleIDs(in text: String) -> [String] {
        // Splitting on backticks puts code spans at odd positions; fenced blocks may shift the parity, so every
        // piece is tested — prose between two spans is never exactly a rule id.
        text.split(separator: "`", omittingEmptySubsequences: false).filter(looksLikeRuleID).map(String.init)
    }

    @Test func recognizesRuleIDsAndNothingElse() {
        #expect(Self.prefixes == ["dr", "ds", "pr", "oe", "pl", "ag", "pe", "cd"])
        let sample =
            "`dr.core-grade`, `pe.guided-price` and `ds.grant`; not `termCapYears`, `Art. 6`, `dr.`, "
            + "`xx.core-grade`, `dr.-bad`, `dr.Core`, `README.md` or `PublicDataPolicy.Policy`."
        #expect(Self.citedRuleIDs(in: sample) == ["dr.core-grade", "pe.guided-price", "ds.grant"])
    }

    @Test func everyCitedRuleIDExistsInTheDefaultPolicy() throws {
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        let cited = Self.citedRuleIDs(in: text)
        #expect(cited.count >= Policy.beijingDefault.rules.count, "the map cites too few rule ids to be checked")
        let known = Set(Policy.beijingDefault.rules.map(\.id))
        let unknown = cited.filter { !known.contains($0) }
        #expect(unknown.isEmpty, "RegulationMap.md cites rule ids that are not in the default policy: \(unknown)")
    }

    @Test func everyDefaultRuleAndParameterIsMapped() throws {
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        let cited = Set(Self.citedRuleIDs(in: text))
        let unmapped = Policy.beijingDefault.rules.map(\.id).filter { !cited.contains($0) }
        #expect(unmapped.isEmpty, "RegulationMap.md does not map these default rules: \(unmapped)")
        let unnamed = PolicyParameters.descriptors.map(\.name).filter { !text.contains("`\($0)`") }
        #expect(unnamed.isEmpty, "RegulationMap.md does not name these policy parameters: \(unnamed)")
    }
}
