import Foundation

/// Finds the members of a JSON document that decoding did not read.
///
/// Swift's `Decodable` ignores unknown keys, so a misspelt fact (`"anonymised"`) or expectation
/// (`"obligatons"`) would silently fall back to its default. The check decodes the value, encodes it again and
/// walks both documents side by side: a member of the input that is not in the re-encoded value was read by
/// nothing. Forms that the decoders accept in short (a field or scope item given as a bare string) are compared
/// only where both sides are objects; members whose value is `null` are skipped (an absent optional).
enum StrictDecoding {
    /// Member names offered as corrections besides the siblings the value itself encodes.
    static let vocabulary: Set<String> = [
        "name", "description", "at", "cases", "request", "expect", "effect", "obligations", "articles", "rules",
        "exact", "exactObligations", "exactArticles", "obligationsExclude", "articlesExclude", "rulesExclude",
        "anyOf", "anonymized", "dataSubjectConsent", "providerConsent", "requestedFields", "neededFields",
        "requestID", "scenario", "registrationCode", "selection", "selectedOperator", "zoneKind", "scenarios",
        "containsPersonalInformation", "containsSensitivePersonalInformation", "personalInformation",
        "priceCapApproved", "planApproved", "collectiveDecisionRecorded", "deliveredProducts",
        "involvesPersonalInformation", "meetsOperatorConditions", "complianceAssessed", "containsRawData",
        "redevelopsDeliveredProduct", "implementingAgency", "products", "fields", "source", "owningDepartment",
    ]

    /// Every member of `data` that `value` (decoded from it) does not encode again, as issues under `root`.
    static func unreadMembers(of value: some Encodable, in data: Data, root: String = "$") -> [ValidationIssue] {
        guard let input = try? JSONValue.parse(data),
            let encoded = try? JSONValue.parse(PublicDataJSON.encode(value))
        else { return [] }
        var issues: [ValidationIssue] = []
        compare(input, encoded, path: root, into: &issues)
        return issues
    }

    private static func compare(
        _ input: JSONValue,
        _ read: JSONValue,
        path: String,
        into issues: inout [ValidationIssue]
    ) {
        switch (input, read) {
        case (.object(let members), .object(let known)):
            let knownNames = known.map(\.0)
            for (key, value) in members {
                if let match = known.first(where: { $0.0 == key }) {
                    compare(value, match.1, path: "\(path).\(key)", into: &issues)
                } else if value != .null {
                    let candidates = Set(knownNames).union(vocabulary)
                    var message = "unknown field \"\(key)\""
                    if let suggestion = closest(to: key, in: candidates) {
                        message += "; did you mean \"\(suggestion)\"?"
                    }
                    issues.append(ValidationIssue(path: "\(path).\(key)", message: message))
                }
            }
        case (.array(let items), .array(let readItems)) where items.count == readItems.count:
            for (index, pair) in zip(items, readItems).enumerated() {
                compare(pair.0, pair.1, path: "\(path)[\(index)]", into: &issues)
            }
        default:
            return
        }
    }

    /// The candidate within two edits of `word` (case ignored), nearest first, or `nil`.
    static func closest(to word: String, in candidates: Set<String>) -> String? {
        let scored = candidates.map { ($0, distance(word.lowercased(), $0.lowercased())) }
            .filter { $0.1 <= 2 }
            .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        return scored.first?.0
    }

    /// The Levenshtein distance of two strings.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
