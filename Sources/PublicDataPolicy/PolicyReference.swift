import Foundation

/// Renders the reference a policy author needs: every decision point's attributes, every parameter with
/// its value, the obligation kinds, and the rules of a policy.
///
/// `Documentation/PolicyReference.md` is this rendering of ``Policy/beijingDefault``; a test keeps it current.
///
/// ```swift
/// print(PolicyReference.markdown(for: .beijingDefault))
/// ```
public enum PolicyReference {
    /// The reference as Markdown.
    /// - Parameter policy: The policy whose parameters and rules are listed.
    /// - Returns: Markdown text.
    public static func markdown(for policy: Policy) -> String {
        var lines: [String] = [
            "# Policy reference: \(policy.id) \(policy.version)",
            "",
            "Generated from the library (`PolicyReference.markdown(for:)`); do not edit by hand.",
            "See `PolicyAuthoring.md` for how to write and test a policy.",
            "",
            "## Vocabularies",
            "",
            "| vocabulary | values |",
            "|---|---|",
        ]
        for domain in SymbolDomain.allCases {
            let order = domain.isOrdered ? " (ordered, in this order)" : ""
            lines.append(
                "| `\(domain.rawValue)` | \(domain.values.map { "`\($0)`" }.joined(separator: ", "))\(order) |"
            )
        }
        lines += ["", "## Attributes by decision point", ""]
        for point in DecisionPoint.allCases {
            lines += [
                "### `\(point.rawValue)` (request key `\(point.requestKey)`)", "",
                "| attribute | type | meaning |", "|---|---|---|",
            ]
            for attribute in point.attributes {
                let indexed = attribute.indexed ? " Indexed." : ""
                lines.append("| `\(attribute.name)` | \(attribute.type) | \(attribute.summary)\(indexed) |")
            }
            lines.append("")
        }
        lines += ["## Parameters", "", "| parameter | type | value | meaning and source |", "|---|---|---|---|"]
        for descriptor in PolicyParameters.descriptors {
            let value: String
            switch descriptor.get(policy.parameters) {
            case .int(let number): value = String(number)
            case .symbols(let mask):
                value = symbolNames(mask, descriptor.type).map { "`\($0)`" }.joined(separator: ", ")
            }
            let range = descriptor.type == .int ? " Allowed \(descriptor.minimum)…\(descriptor.maximum)." : ""
            lines.append("| `\(descriptor.name)` | \(descriptor.type) | \(value) | \(descriptor.summary)\(range) |")
        }
        lines += ["", "## Obligation kinds", ""]
        lines += ObligationKind.allCases.map { "- `\($0.rawValue)`" }
        lines += ["", "## Rules", ""]
        for point in DecisionPoint.allCases {
            let rules = policy.rules(at: point)
            guard !rules.isEmpty else { continue }
            lines += [
                "### `\(point.rawValue)`", "", "| rule | kind | articles | message | obligations |",
                "|---|---|---|---|---|",
            ]
            for rule in rules {
                let obligations = rule.obligations.map { "`\($0.kind.rawValue)` (\($0.article))" }
                lines.append(
                    "| `\(rule.id)` | \(rule.kind.rawValue) | \(rule.articles.joined(separator: ", ")) | "
                        + "\(rule.message) | \(obligations.joined(separator: ", ")) |"
                )
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }
}
