import Foundation

/// A policy file could not be loaded. ``issues`` lists **every** problem found, each with its JSON path.
///
/// ```swift
/// do { policy = try Policy.load(from: data) }
/// catch { print(error) }   // "invalid policy: 3 problem(s)\n  - $.rules[2].kind: unknown rule kind ..."
/// ```
public struct PolicyLoadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The bytes are not JSON at all.
        public static let malformedJSON = Code("malformedJSON")
        /// The JSON does not follow the policy format; see ``PolicyLoadError/issues``.
        public static let invalidPolicy = Code("invalidPolicy")
        /// The file could not be read.
        public static let unreadable = Code("unreadable")
        /// The input is larger or nests deeper than the ``PolicyInputLimits`` allow; nothing was parsed.
        public static let tooLarge = Code("tooLarge")
        /// The file declares a digest (its `digest` member, or a version written as `sha256:…`) that is not the
        /// digest of its content (``Policy/digest``, Art. 35); nothing was loaded.
        public static let digestMismatch = Code("digestMismatch")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// Every problem, in document order, each with a path such as `$.rules[3].when[0].attribute`.
    public var issues: [ValidationIssue]

    /// Creates an error.
    public init(code: Code, issues: [ValidationIssue]) {
        self.code = code
        self.issues = issues
    }

    /// A multi-line description with one line per problem.
    public var description: String {
        (["invalid policy (\(code)): \(issues.count) problem(s)"] + issues.map { "  - \($0)" })
            .joined(separator: "\n")
    }
}

/// The identifier of the policy file format written in every file's `"format"` member.
public let policyFormatIdentifier = "publicdatakit.policy/1"

// MARK: - Reading

struct PolicyReader {
    var issues: [ValidationIssue] = []
    /// For each rule read, its index in the file's `rules` array.
    var positions: [Int] = []
    /// The `digest` member, when the file declares one.
    var declaredDigest: String?
    /// Checks conditions against attributes and parameters even for rules that fail to read otherwise.
    var compiler = RuleCompiler(parameters: .beijing)

    mutating func issue(_ path: String, _ message: String) {
        issues.append(ValidationIssue(path: path, message: message))
    }

    /// Reports members not in `allowed` and returns the object's members, or `nil` when not an object.
    mutating func object(
        _ value: JSONValue,
        _ path: String,
        allowed: [String],
        required: [String],
        what: String
    ) -> [(String, JSONValue)]? {
        guard case .object(let members) = value else {
            issue(path, "expected \(what) (an object), got \(value.kindName)")
            return nil
        }
        for (key, _) in members where !allowed.contains(key) {
            issue("\(path).\(key)", "unknown field \"\(key)\" in \(what); allowed: \(allowed.joined(separator: ", "))")
        }
        for key in required where !members.contains(where: { $0.0 == key }) {
            issue("\(path).\(key)", "missing field \"\(key)\" in \(what)")
        }
        return members
    }

    mutating func string(_ value: JSONValue?, _ path: String) -> String? {
        guard let value else { return nil }
        guard case .string(let text) = value else {
            issue(path, "expected a string, got \(value.kindName)")
            return nil
        }
        return text
    }

    mutating func strings(_ value: JSONValue?, _ path: String) -> [String]? {
        guard let value else { return nil }
        guard case .array(let items) = value else {
            issue(path, "expected an array of strings, got \(value.kindName)")
            return nil
        }
        var result: [String] = []
        for (index, item) in items.enumerated() {
            if let text = string(item, "\(path)[\(index)]") { result.append(text) }
        }
        return result.count == items.count ? result : nil
    }

    mutating func policy(_ root: JSONValue) -> Policy? {
        guard
            let members = object(
                root,
                "$",
                allowed: ["format", "id", "version", "digest", "title", "parameters", "rules"],
                required: ["format", "id", "version", "parameters", "rules"],
                what: "a policy"
            )
        else { return nil }
        func member(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        if let format = string(member("format"), "$.format"), format != policyFormatIdentifier {
            issue("$.format", "unsupported format \"\(format)\"; expected \"\(policyFormatIdentifier)\"")
        }
        let id = string(member("id"), "$.id")
        if id?.isEmpty == true { issue("$.id", "the policy id is empty") }
        let version = string(member("version"), "$.version")
        if version?.isEmpty == true { issue("$.version", "the policy version is empty") }
        let title = string(member("title"), "$.title")
        if let value = member("digest") { declaredDigest = string(value, "$.digest") }
        var parameters = PolicyParameters()
        if let value = member("parameters") {
            parameters = PolicyParameters.parse(value, path: "$.parameters", issues: &issues)
        }
        compiler = RuleCompiler(parameters: parameters)
        compiler.issues = []
        var rules: [Rule] = []
        if let value = member("rules") {
            if case .array(let items) = value {
                for (index, item) in items.enumerated() {
                    if let rule = rule(item, "$.rules[\(index)]") {
                        rules.append(rule)
                        positions.append(index)
                    }
                }
            } else {
                issue("$.rules", "expected an array of rules, got \(value.kindName)")
            }
        }
        guard let id, let version else { return nil }
        return Policy(id: id, version: version, title: title, parameters: parameters, rules: rules)
    }

    mutating func rule(_ value: JSONValue, _ path: String) -> Rule? {
        guard
            let members = object(
                value,
                path,
                allowed: ["id", "point", "kind", "when", "articles", "message", "obligations", "note"],
                required: ["id", "point", "kind", "articles", "message"],
                what: "a rule"
            )
        else { return nil }
        func member(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        let id = string(member("id"), "\(path).id")
        var point: DecisionPoint?
        if let text = string(member("point"), "\(path).point") {
            point = DecisionPoint(rawValue: text)
            if point == nil {
                let known = DecisionPoint.allCases.map(\.rawValue).joined(separator: ", ")
                issue("\(path).point", "unknown decision point \"\(text)\"; expected one of \(known)")
            }
        }
        var kind: RuleKind?
        if let text = string(member("kind"), "\(path).kind") {
            kind = RuleKind(rawValue: text)
            if kind == nil {
                issue("\(path).kind", "unknown rule kind \"\(text)\"; expected permit, deny or obligation")
            }
        }
        let articles = strings(member("articles"), "\(path).articles")
        let message = string(member("message"), "\(path).message")
        let note = string(member("note"), "\(path).note")
        var conditions: [Condition] = []
        var conditionsOK = true
        if let when = member("when") {
            if case .array(let items) = when {
                for (index, item) in items.enumerated() {
                    if let condition = condition(item, "\(path).when[\(index)]") {
                        conditions.append(condition)
                    } else {
                        conditionsOK = false
                    }
                }
            } else {
                issue("\(path).when", "expected an array of conditions, got \(when.kindName)")
                conditionsOK = false
            }
        }
        var obligations: [Obligation] = []
        if let list = member("obligations") {
            if case .array(let items) = list {
                for (index, item) in items.enumerated() {
                    if let obligation = obligation(item, "\(path).obligations[\(index)]") {
                        obligations.append(obligation)
                    }
                }
            } else {
                issue("\(path).obligations", "expected an array of obligations, got \(list.kindName)")
            }
        }
        if let point, conditionsOK {
            let table = point.attributes
            for (index, condition) in conditions.enumerated() {
                _ = compiler.compile(condition, table: table, path: "\(path).when[\(index)]")
            }
            issues += compiler.issues
            compiler.issues = []
        }
        guard let id, let point, let kind, let articles, let message, conditionsOK else { return nil }
        return Rule(
            id: id,
            point: point,
            kind: kind,
            conditions: conditions,
            articles: articles,
            message: message,
            obligations: obligations,
            note: note
        )
    }

    mutating func obligation(_ value: JSONValue, _ path: String) -> Obligation? {
        guard
            let members = object(
                value,
                path,
                allowed: ["kind", "article", "detail"],
                required: ["kind", "article"],
                what: "an obligation"
            )
        else { return nil }
        func member(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        var kind: ObligationKind?
        if let text = string(member("kind"), "\(path).kind") {
            kind = ObligationKind(rawValue: text)
            if kind == nil {
                let known = ObligationKind.allCases.map(\.rawValue).joined(separator: ", ")
                issue("\(path).kind", "unknown obligation kind \"\(text)\"; expected one of \(known)")
            }
        }
        let article = string(member("article"), "\(path).article")
        let detail = string(member("detail"), "\(path).detail")
        guard let kind, let article else { return nil }
        return Obligation(kind: kind, detail: detail, article: article)
    }

    mutating func condition(_ value: JSONValue, _ path: String) -> Condition? {
        guard case .object(let members) = value else {
            issue(path, "expected a condition (an object), got \(value.kindName)")
            return nil
        }
        func member(_ key: String) -> JSONValue? { members.first { $0.0 == key }?.1 }
        let keys = members.map(\.0)
        for combinator in ["all", "any", "not"] where keys.contains(combinator) {
            if keys.count != 1 {
                for key in keys where key != combinator {
                    issue("\(path).\(key)", "unknown field \"\(key)\" beside \"\(combinator)\"")
                }
            }
            guard let inner = member(combinator) else { return nil }
            if combinator == "not" {
                return condition(inner, "\(path).not").map { Condition.not($0) }
            }
            guard case .array(let items) = inner else {
                issue("\(path).\(combinator)", "expected an array of conditions, got \(inner.kindName)")
                return nil
            }
            var list: [Condition] = []
            for (index, item) in items.enumerated() {
                if let parsed = condition(item, "\(path).\(combinator)[\(index)]") { list.append(parsed) }
            }
            guard list.count == items.count else { return nil }
            return combinator == "all" ? .all(list) : .any(list)
        }
        let operators = ComparisonOperator.allCases.map(\.rawValue)
        var ok = true
        for key in keys where key != "attribute" && !operators.contains(key) {
            issue(
                "\(path).\(key)",
                "unknown field \"\(key)\" in a condition; expected \"attribute\" with one of "
                    + operators.joined(separator: ", ") + ", or all / any / not"
            )
            ok = false
        }
        let attribute = string(member("attribute"), "\(path).attribute")
        if member("attribute") == nil { issue("\(path).attribute", "missing field \"attribute\" in a condition") }
        let present = keys.filter { operators.contains($0) }
        if present.count != 1 {
            issue(path, "a condition needs exactly one operator, found \(present.count)")
            return nil
        }
        guard let opName = present.first, let op = ComparisonOperator(rawValue: opName),
            let raw = member(opName), let operand = operand(raw, "\(path).\(opName)"), let attribute, ok
        else { return nil }
        return .compare(attribute: attribute, op: op, operand: operand)
    }

    mutating func operand(_ value: JSONValue, _ path: String) -> Operand? {
        switch value {
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .string(let text): return .string(text)
        case .array:
            return strings(value, path).map { .strings($0) }
        case .object(let members) where members.contains(where: { $0.0 == "attribute" }):
            for (key, _) in members where key != "attribute" {
                issue("\(path).\(key)", "unknown field \"\(key)\" in an attribute reference")
            }
            guard let name = string(value["attribute"], "\(path).attribute") else { return nil }
            return .attribute(name)
        case .object(let members):
            for (key, _) in members where key != "parameter" && key != "times" {
                issue("\(path).\(key)", "unknown field \"\(key)\" in a parameter reference")
            }
            guard let name = string(value["parameter"], "\(path).parameter") else {
                if value["parameter"] == nil { issue("\(path).parameter", "missing field \"parameter\"") }
                return nil
            }
            var times = 1
            if let factor = value["times"] {
                guard case .int(let number) = factor else {
                    issue("\(path).times", "expected an integer, got \(factor.kindName)")
                    return nil
                }
                times = number
            }
            return .parameter(name, times: times)
        default:
            issue(
                path,
                "expected a value (boolean, integer, string, array, parameter or attribute), got \(value.kindName)"
            )
            return nil
        }
    }
}

// MARK: - Writing

extension Operand {
    var jsonValue: JSONValue {
        switch self {
        case .bool(let flag): .bool(flag)
        case .int(let number): .int(number)
        case .string(let text): .string(text)
        case .strings(let list): .array(list.map { .string($0) })
        case .parameter(let name, let times):
            times == 1
                ? .object([("parameter", .string(name))])
                : .object([("parameter", .string(name)), ("times", .int(times))])
        case .attribute(let name): .object([("attribute", .string(name))])
        }
    }
}

extension Condition {
    var jsonValue: JSONValue {
        switch self {
        case .compare(let attribute, let op, let operand):
            .object([("attribute", .string(attribute)), (op.rawValue, operand.jsonValue)])
        case .all(let list): .object([("all", .array(list.map(\.jsonValue)))])
        case .any(let list): .object([("any", .array(list.map(\.jsonValue)))])
        case .not(let inner): .object([("not", inner.jsonValue)])
        }
    }
}

extension Obligation {
    var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = [("kind", .string(kind.rawValue)), ("article", .string(article))]
        if let detail { members.append(("detail", .string(detail))) }
        return .object(members)
    }
}

extension Rule {
    var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(id)), ("point", .string(point.rawValue)), ("kind", .string(kind.rawValue)),
        ]
        if !conditions.isEmpty { members.append(("when", .array(conditions.map(\.jsonValue)))) }
        members.append(("articles", .array(articles.map { .string($0) })))
        members.append(("message", .string(message)))
        if !obligations.isEmpty { members.append(("obligations", .array(obligations.map(\.jsonValue)))) }
        if let note { members.append(("note", .string(note))) }
        return .object(members)
    }
}

extension Policy {
    var jsonValue: JSONValue {
        var members: [(String, JSONValue)] = [
            ("format", .string(policyFormatIdentifier)), ("id", .string(id)), ("version", .string(version)),
        ]
        if let title { members.append(("title", .string(title))) }
        members.append(("parameters", parameters.jsonValue))
        members.append(("rules", .array(rules.map(\.jsonValue))))
        return .object(members)
    }
}
