import Foundation

/// What a rule does when its conditions hold.
///
/// Precedence: any matching ``deny`` rule makes the decision a deny; otherwise a matching ``permit`` rule
/// makes it a permit, and every matching ``obligation`` rule adds its obligations to that permit; when no
/// permit rule matches the decision is a deny with the reason "no applicable rule" (fail closed).
public enum RuleKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Grants the request (with the rule's obligations).
    case permit
    /// Refuses the request; overrides every permit.
    case deny
    /// Adds obligations to a permit granted by another rule; never grants by itself.
    case obligation
}

/// How a condition compares a request attribute with its operand.
public enum ComparisonOperator: String, Codable, Sendable, CaseIterable, Hashable {
    /// Equal to a value (bool, int, string or vocabulary value).
    case equals
    /// Not equal to a value.
    case notEquals
    /// One of a list of values or a set parameter.
    case `in`
    /// None of a list of values or a set parameter.
    case notIn
    /// An integer greater than the operand.
    case greaterThan
    /// An integer greater than or equal to the operand.
    case atLeast
    /// An integer less than the operand.
    case lessThan
    /// An integer less than or equal to the operand.
    case atMost
    /// A set attribute shares at least one value with the operand.
    case intersects
}

/// The right-hand side of a comparison: a literal, a reference to a policy parameter, or another attribute
/// of the same request.
public enum Operand: Sendable, Hashable, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral
{
    /// `true` / `false`.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A string (an identifier or a vocabulary value).
    case string(String)
    /// A list of strings.
    case strings([String])
    /// The named parameter's value; an integer parameter is multiplied by `times` (e.g. years × 12).
    case parameter(String, times: Int = 1)
    /// The value of another attribute of the same request, e.g. `.attribute("plan.termMonths")`.
    ///
    /// Allowed pairs: two ints (every comparison); two bools or two strings (`equals`, `notEquals`); two
    /// values of one vocabulary (`equals`, `notEquals`, and the orderings when the vocabulary is ordered,
    /// see ``SymbolDomain/isOrdered``); a vocabulary value and a set of the same vocabulary (`in`,
    /// `notIn`); two sets of one vocabulary (`intersects`). When either side is missing the comparison is
    /// false.
    case attribute(String)

    /// A string operand.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A bool operand.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An integer operand.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A list-of-strings operand.
    public init(arrayLiteral elements: String...) { self = .strings(elements) }
}

/// A test over the attributes of a request; a rule holds when all of its conditions hold.
///
/// ```swift
/// Condition.in("entry.grade", .parameter("neverAuthorizableGrades"))
/// Condition.equals("request.anonymized", false)
/// Condition.any { Condition.equals("entry.sharing", "unconditional"); Condition.equals("entry.openness", "open") }
/// ```
///
/// A comparison whose attribute has no value for the request (e.g. a plan without a term) is false.
public indirect enum Condition: Sendable, Hashable {
    /// Compares one attribute with an operand.
    case compare(attribute: String, op: ComparisonOperator, operand: Operand)
    /// Every condition holds (an empty list holds).
    case all([Condition])
    /// At least one condition holds (an empty list does not hold).
    case any([Condition])
    /// The condition does not hold.
    case not(Condition)

    /// `attribute == value`.
    public static func equals(_ attribute: String, _ value: Operand) -> Condition {
        .compare(attribute: attribute, op: .equals, operand: value)
    }

    /// `attribute != value`.
    public static func notEquals(_ attribute: String, _ value: Operand) -> Condition {
        .compare(attribute: attribute, op: .notEquals, operand: value)
    }

    /// `attribute ∈ values` (a list or a set parameter).
    public static func `in`(_ attribute: String, _ values: Operand) -> Condition {
        .compare(attribute: attribute, op: .in, operand: values)
    }

    /// `attribute ∉ values` (a list or a set parameter).
    public static func notIn(_ attribute: String, _ values: Operand) -> Condition {
        .compare(attribute: attribute, op: .notIn, operand: values)
    }

    /// `attribute > value`.
    public static func greaterThan(_ attribute: String, _ value: Operand) -> Condition {
        .compare(attribute: attribute, op: .greaterThan, operand: value)
    }

    /// `attribute ≥ value`.
    public static func atLeast(_ attribute: String, _ value: Operand) -> Condition {
        .compare(attribute: attribute, op: .atLeast, operand: value)
    }

    /// `attribute < value`.
    public static func lessThan(_ attribute: String, _ value: Operand) -> Condition {
        .compare(attribute: attribute, op: .lessThan, operand: value)
    }

    /// `attribute ≤ value`, e.g. `Condition.atMost("agreement.termMonths", .attribute("plan.termMonths"))`.
    public static func atMost(_ attribute: String, _ value: Operand) -> Condition {
        .compare(attribute: attribute, op: .atMost, operand: value)
    }

    /// The set attribute shares a value with `values`.
    public static func intersects(_ attribute: String, _ values: Operand) -> Condition {
        .compare(attribute: attribute, op: .intersects, operand: values)
    }

    /// Every condition built holds.
    public static func all(@ConditionBuilder _ conditions: () -> [Condition]) -> Condition { .all(conditions()) }

    /// At least one condition built holds.
    public static func any(@ConditionBuilder _ conditions: () -> [Condition]) -> Condition { .any(conditions()) }
}

/// Builds a list of conditions (all of which must hold) from a block.
@resultBuilder
public enum ConditionBuilder {
    /// Collects the block's conditions.
    public static func buildBlock(_ components: [Condition]...) -> [Condition] { components.flatMap { $0 } }
    /// Wraps one condition.
    public static func buildExpression(_ expression: Condition) -> [Condition] { [expression] }
    /// Adds optional conditions.
    public static func buildOptional(_ component: [Condition]?) -> [Condition] { component ?? [] }
    /// Picks the first branch.
    public static func buildEither(first component: [Condition]) -> [Condition] { component }
    /// Picks the second branch.
    public static func buildEither(second component: [Condition]) -> [Condition] { component }
    /// Flattens a loop.
    public static func buildArray(_ components: [[Condition]]) -> [Condition] { components.flatMap { $0 } }
}

/// One rule of a policy: when its conditions hold at its decision point, it permits, denies or adds
/// obligations, citing articles.
///
/// ```swift
/// Rule(deny: "dr.core-grade", at: .dataRequest, articles: ["Art. 5"], message: "core data is never authorized") {
///     Condition.in("entry.grade", .parameter("neverAuthorizableGrades"))
/// }
/// ```
public struct Rule: Sendable, Hashable, Identifiable {
    /// The rule's id, unique within its policy (e.g. `"dr.core-grade"`).
    public var id: String
    /// The decision point the rule applies to.
    public var point: DecisionPoint
    /// What the rule does.
    public var kind: RuleKind
    /// The conditions, all of which must hold; an empty list always holds.
    public var conditions: [Condition]
    /// The cited articles, e.g. `["Art. 16"]`.
    public var articles: [String]
    /// The reason given when the rule fires.
    public var message: String
    /// The obligations a permit or obligation rule attaches (a deny rule has none).
    public var obligations: [Obligation]
    /// A free-text note for authors; not used in decisions.
    public var note: String?

    /// Creates a rule.
    public init(
        id: String,
        point: DecisionPoint,
        kind: RuleKind,
        conditions: [Condition],
        articles: [String],
        message: String,
        obligations: [Obligation] = [],
        note: String? = nil
    ) {
        self.id = id
        self.point = point
        self.kind = kind
        self.conditions = conditions
        self.articles = articles
        self.message = message
        self.obligations = obligations
        self.note = note
    }

    /// Creates a deny rule whose conditions come from a builder block.
    public init(
        deny id: String,
        at point: DecisionPoint,
        articles: [String],
        message: String,
        @ConditionBuilder when conditions: () -> [Condition] = { [] }
    ) {
        self.init(id: id, point: point, kind: .deny, conditions: conditions(), articles: articles, message: message)
    }

    /// Creates a permit rule whose conditions come from a builder block.
    public init(
        permit id: String,
        at point: DecisionPoint,
        articles: [String],
        message: String,
        obligations: [Obligation] = [],
        @ConditionBuilder when conditions: () -> [Condition] = { [] }
    ) {
        self.init(
            id: id,
            point: point,
            kind: .permit,
            conditions: conditions(),
            articles: articles,
            message: message,
            obligations: obligations
        )
    }

    /// Creates an obligation rule whose conditions come from a builder block.
    public init(
        obligation id: String,
        at point: DecisionPoint,
        articles: [String],
        message: String,
        obligations: [Obligation],
        @ConditionBuilder when conditions: () -> [Condition] = { [] }
    ) {
        self.init(
            id: id,
            point: point,
            kind: .obligation,
            conditions: conditions(),
            articles: articles,
            message: message,
            obligations: obligations
        )
    }
}

/// Composes the rules of a policy from blocks, arrays, conditionals and loops
/// (in the style of swift-certificates' `PolicyBuilder`).
///
/// ```swift
/// let policy = Policy(id: "pilot", version: "1") {
///     Policy.beijingDefault.rules
///     Rule(deny: "pilot.no-sandbox", at: .dataRequest, articles: ["Art. 16"], message: "no sandbox in the pilot") {
///         Condition.equals("request.delivery", "sandbox")
///     }
/// }
/// ```
@resultBuilder
public enum RuleBuilder {
    /// Collects the block's rules in order.
    public static func buildBlock(_ components: [Rule]...) -> [Rule] { components.flatMap { $0 } }
    /// Wraps one rule.
    public static func buildExpression(_ expression: Rule) -> [Rule] { [expression] }
    /// Passes a list of rules through.
    public static func buildExpression(_ expression: [Rule]) -> [Rule] { expression }
    /// Adds optional rules.
    public static func buildOptional(_ component: [Rule]?) -> [Rule] { component ?? [] }
    /// Picks the first branch.
    public static func buildEither(first component: [Rule]) -> [Rule] { component }
    /// Picks the second branch.
    public static func buildEither(second component: [Rule]) -> [Rule] { component }
    /// Flattens a loop.
    public static func buildArray(_ components: [[Rule]]) -> [Rule] { components.flatMap { $0 } }
}
