import Foundation

enum IntComparison: Sendable {
    case equals, notEquals, greaterThan, atLeast, lessThan, atMost
}

indirect enum CompiledCondition: Sendable {
    case constant(Bool)
    case bool(Int, Bool)
    case symbolIn(Int, UInt64)
    case setIntersects(Int, UInt64)
    case int(Int, IntComparison, Int)
    case stringIn(Int, [String], negated: Bool)
    case all([CompiledCondition])
    case any([CompiledCondition])
    case not(CompiledCondition)
}

struct CompiledRule: Sendable {
    var id: String
    var kind: RuleKind
    var conditions: [CompiledCondition]
    var reason: Reason
    var obligations: [Obligation]
}

struct AttributeIndex: Sendable {
    var attribute: Int
    var buckets: [String: [Int]]
}

struct CompiledPoint: Sendable {
    var rules: [CompiledRule] = []
    /// Rules not in any bucket, in policy order.
    var unindexed: [Int] = []
    var indexes: [AttributeIndex] = []
}

/// The compiled, indexed form of a policy. Immutable; shared between copies of a ``Policy``.
final class CompiledPolicy: Sendable {
    let id: String
    let version: String
    let points: [CompiledPoint]
    let issues: [ValidationIssue]

    /// Compiles `rules`; `positions[i]` is the index of `rules[i]` in its file, for issue paths.
    init(id: String, version: String, parameters: PolicyParameters, rules: [Rule], positions: [Int]? = nil) {
        self.id = id
        self.version = version
        var compiler = RuleCompiler(parameters: parameters)
        var points = Array(repeating: CompiledPoint(), count: DecisionPoint.allCases.count)
        var seen: [String: Int] = [:]
        for (offset, rule) in rules.enumerated() {
            let index = positions?[offset] ?? offset
            let path = "$.rules[\(index)]"
            if let first = seen[rule.id] {
                compiler.issue("\(path).id", "duplicate rule id \"\(rule.id)\" (first at $.rules[\(first)])")
            } else {
                seen[rule.id] = index
            }
            if rule.id.isEmpty { compiler.issue("\(path).id", "the rule id is empty") }
            if rule.articles.isEmpty { compiler.issue("\(path).articles", "a rule cites at least one article") }
            if rule.kind == .deny && !rule.obligations.isEmpty {
                compiler.issue("\(path).obligations", "a deny rule carries no obligations")
            }
            if rule.kind == .obligation && rule.obligations.isEmpty {
                compiler.issue("\(path).obligations", "an obligation rule needs at least one obligation")
            }
            let table = rule.point.attributes
            var compiledConditions: [CompiledCondition] = []
            var indexKey: (attribute: Int, values: [String])?
            for (position, condition) in rule.conditions.enumerated() {
                let before = compiler.issues.count
                let compiled = compiler.compile(condition, table: table, path: "\(path).when[\(position)]")
                if compiler.issues.count > before {
                    // Fail closed: a broken deny/obligation rule always applies, a broken permit rule never does.
                    compiledConditions = [.constant(rule.kind != .permit)]
                    indexKey = nil
                    break
                }
                compiledConditions.append(compiled)
                if indexKey == nil, case .stringIn(let attribute, let values, false) = compiled,
                    table[attribute].indexed
                {
                    indexKey = (attribute, values)
                }
            }
            var point = points[rule.point.ordinal]
            let ruleIndex = point.rules.count
            point.rules.append(
                CompiledRule(
                    id: rule.id,
                    kind: rule.kind,
                    conditions: compiledConditions,
                    reason: Reason(ruleID: rule.id, articles: rule.articles, message: rule.message),
                    obligations: rule.obligations
                )
            )
            if let indexKey {
                let slot: Int
                if let existing = point.indexes.firstIndex(where: { $0.attribute == indexKey.attribute }) {
                    slot = existing
                } else {
                    point.indexes.append(AttributeIndex(attribute: indexKey.attribute, buckets: [:]))
                    slot = point.indexes.count - 1
                }
                for value in Set(indexKey.values) { point.indexes[slot].buckets[value, default: []].append(ruleIndex) }
            } else {
                point.unindexed.append(ruleIndex)
            }
            points[rule.point.ordinal] = point
        }
        self.points = points
        self.issues = compiler.issues
    }

    func evaluate(_ request: PolicyRequest, at time: Date) -> Decision {
        switch request {
        case .dataRequest(let value): decide(value, AttributeTables.dataRequest, .dataRequest, time)
        case .downstreamScenario(let value):
            decide(value, AttributeTables.downstreamScenario, .downstreamScenario, time)
        case .productRelease(let value): decide(value, AttributeTables.productRelease, .productRelease, time)
        case .operatorEligibility(let value):
            decide(value, AttributeTables.operatorEligibility, .operatorEligibility, time)
        case .plan(let value): decide(value, AttributeTables.plan, .plan, time)
        case .agreement(let value): decide(value, AttributeTables.agreement, .agreement, time)
        case .pricing(let value): decide(value, AttributeTables.pricing, .pricing, time)
        case .conduct(let value): decide(value, AttributeTables.conduct, .conduct, time)
        }
    }

    private func decide<R>(_ request: R, _ table: [AttributeSpec<R>], _ point: DecisionPoint, _ time: Date) -> Decision
    {
        let compiled = points[point.ordinal]
        var matched: [Int] = []
        var anyDeny = false
        var anyPermit = false
        func consider(_ index: Int) {
            let rule = compiled.rules[index]
            for condition in rule.conditions where !holds(condition, request, table) { return }
            matched.append(index)
            switch rule.kind {
            case .deny: anyDeny = true
            case .permit: anyPermit = true
            case .obligation: break
            }
        }
        for index in compiled.unindexed { consider(index) }
        if !compiled.indexes.isEmpty {
            var extra = false
            for attributeIndex in compiled.indexes {
                guard case .string(let key) = table[attributeIndex.attribute].extract(request),
                    let bucket = attributeIndex.buckets[key]
                else { continue }
                for index in bucket { consider(index) }
                extra = true
            }
            if extra { matched.sort() }
        }
        if anyDeny {
            var reasons: [Reason] = []
            var fired: [String] = []
            for index in matched where compiled.rules[index].kind == .deny {
                reasons.append(compiled.rules[index].reason)
                fired.append(compiled.rules[index].id)
            }
            return Decision(
                effect: .deny,
                obligations: [],
                reasons: reasons,
                firedRules: fired,
                policyID: id,
                policyVersion: version,
                evaluatedAt: time
            )
        }
        guard anyPermit else {
            return Decision(
                effect: .deny,
                obligations: [],
                reasons: [Reason(ruleID: Reason.noApplicableRuleID, articles: [], message: "no applicable rule")],
                firedRules: [],
                policyID: id,
                policyVersion: version,
                evaluatedAt: time
            )
        }
        var reasons: [Reason] = []
        var obligations: [Obligation] = []
        var fired: [String] = []
        reasons.reserveCapacity(matched.count)
        fired.reserveCapacity(matched.count)
        for index in matched {
            let rule = compiled.rules[index]
            reasons.append(rule.reason)
            fired.append(rule.id)
            for obligation in rule.obligations where !obligations.contains(obligation) {
                obligations.append(obligation)
            }
        }
        return Decision(
            effect: .permit,
            obligations: obligations,
            reasons: reasons,
            firedRules: fired,
            policyID: id,
            policyVersion: version,
            evaluatedAt: time
        )
    }

    private func holds<R>(_ condition: CompiledCondition, _ request: R, _ table: [AttributeSpec<R>]) -> Bool {
        switch condition {
        case .constant(let value):
            return value
        case .bool(let attribute, let expected):
            if case .bool(let value) = table[attribute].extract(request) { return value == expected }
            return false
        case .symbolIn(let attribute, let mask):
            if case .symbol(let bit) = table[attribute].extract(request) { return bit & mask != 0 }
            return false
        case .setIntersects(let attribute, let mask):
            if case .symbols(let bits) = table[attribute].extract(request) { return bits & mask != 0 }
            return false
        case .int(let attribute, let comparison, let operand):
            guard case .int(let value) = table[attribute].extract(request) else { return false }
            switch comparison {
            case .equals: return value == operand
            case .notEquals: return value != operand
            case .greaterThan: return value > operand
            case .atLeast: return value >= operand
            case .lessThan: return value < operand
            case .atMost: return value <= operand
            }
        case .stringIn(let attribute, let values, let negated):
            guard case .string(let value) = table[attribute].extract(request) else { return false }
            return values.contains(value) != negated
        case .all(let list):
            for item in list where !holds(item, request, table) { return false }
            return true
        case .any(let list):
            for item in list where holds(item, request, table) { return true }
            return false
        case .not(let inner):
            return !holds(inner, request, table)
        }
    }
}

/// Turns ``Condition`` values into ``CompiledCondition``s, checking attributes, types and parameters.
struct RuleCompiler {
    let parameters: PolicyParameters
    var issues: [ValidationIssue] = []

    init(parameters: PolicyParameters) {
        self.parameters = parameters
        issues = parameters.validationIssues()
    }

    mutating func issue(_ path: String, _ message: String) {
        issues.append(ValidationIssue(path: path, message: message))
    }

    mutating func compile(_ condition: Condition, table: [AttributeDescriptor], path: String) -> CompiledCondition {
        switch condition {
        case .all(let list):
            return .all(list.enumerated().map { compile($1, table: table, path: "\(path).all[\($0)]") })
        case .any(let list):
            return .any(list.enumerated().map { compile($1, table: table, path: "\(path).any[\($0)]") })
        case .not(let inner):
            return .not(compile(inner, table: table, path: "\(path).not"))
        case .compare(let name, let op, let operand):
            guard let attribute = table.firstIndex(where: { $0.name == name }) else {
                let known = table.map(\.name).joined(separator: ", ")
                issue("\(path).attribute", "unknown attribute \"\(name)\" for this decision point; known: \(known)")
                return .constant(false)
            }
            let type = table[attribute].type
            let operandPath = "\(path).\(op.rawValue)"
            func wrongOperator() -> CompiledCondition {
                issue(operandPath, "operator \"\(op.rawValue)\" does not apply to \(name) (\(type))")
                return .constant(false)
            }
            func wrongOperand(_ expected: String) -> CompiledCondition {
                issue(operandPath, "expected \(expected) for \(name) (\(type))")
                return .constant(false)
            }
            switch type {
            case .bool:
                guard op == .equals || op == .notEquals else { return wrongOperator() }
                guard case .bool(let value) = operand else { return wrongOperand("true or false") }
                return .bool(attribute, op == .equals ? value : !value)
            case .int:
                let comparison: IntComparison
                switch op {
                case .equals: comparison = .equals
                case .notEquals: comparison = .notEquals
                case .greaterThan: comparison = .greaterThan
                case .atLeast: comparison = .atLeast
                case .lessThan: comparison = .lessThan
                case .atMost: comparison = .atMost
                default: return wrongOperator()
                }
                switch operand {
                case .int(let value): return .int(attribute, comparison, value)
                case .parameter(let parameter, let times):
                    guard let value = resolve(parameter, path: "\(operandPath).parameter") else {
                        return .constant(false)
                    }
                    guard case .int(let number) = value else {
                        return wrongOperand("an integer parameter, but \"\(parameter)\" is a set")
                    }
                    let (product, overflow) = number.multipliedReportingOverflow(by: times)
                    if overflow { return wrongOperand("a parameter product that fits an integer") }
                    return .int(attribute, comparison, product)
                default: return wrongOperand("an integer or an integer parameter")
                }
            case .string:
                switch (op, operand) {
                case (.equals, .string(let value)): return .stringIn(attribute, [value], negated: false)
                case (.notEquals, .string(let value)): return .stringIn(attribute, [value], negated: true)
                case (.in, .strings(let values)): return .stringIn(attribute, values, negated: false)
                case (.notIn, .strings(let values)): return .stringIn(attribute, values, negated: true)
                case (.equals, _), (.notEquals, _): return wrongOperand("a string")
                case (.in, _), (.notIn, _): return wrongOperand("an array of strings")
                default: return wrongOperator()
                }
            case .symbol(let domain):
                let all: UInt64 = (1 << UInt64(domain.values.count)) - 1
                switch (op, operand) {
                case (.equals, .string(let value)), (.notEquals, .string(let value)):
                    guard let mask = symbolMask([value], domain, operandPath, single: true) else {
                        return .constant(false)
                    }
                    return .symbolIn(attribute, op == .equals ? mask : all & ~mask)
                case (.in, .strings(let values)), (.notIn, .strings(let values)):
                    guard let mask = symbolMask(values, domain, operandPath) else { return .constant(false) }
                    return .symbolIn(attribute, op == .in ? mask : all & ~mask)
                case (.in, .parameter(let parameter, _)), (.notIn, .parameter(let parameter, _)):
                    guard let mask = setParameter(parameter, domain, "\(operandPath).parameter") else {
                        return .constant(false)
                    }
                    return .symbolIn(attribute, op == .in ? mask : all & ~mask)
                case (.equals, _), (.notEquals, _): return wrongOperand("one \(domain.rawValue) value (a string)")
                case (.in, _), (.notIn, _):
                    return wrongOperand("an array of \(domain.rawValue) values or a set parameter")
                default: return wrongOperator()
                }
            case .symbolSet(let domain):
                guard op == .intersects else { return wrongOperator() }
                switch operand {
                case .strings(let values):
                    guard let mask = symbolMask(values, domain, operandPath) else { return .constant(false) }
                    return .setIntersects(attribute, mask)
                case .parameter(let parameter, _):
                    guard let mask = setParameter(parameter, domain, "\(operandPath).parameter") else {
                        return .constant(false)
                    }
                    return .setIntersects(attribute, mask)
                default: return wrongOperand("an array of \(domain.rawValue) values or a set parameter")
                }
            }
        }
    }

    private mutating func resolve(_ name: String, path: String) -> ParameterValue? {
        guard let value = parameters.value(named: name) else {
            issue(path, "references missing parameter \"\(name)\"")
            return nil
        }
        return value
    }

    private mutating func setParameter(_ name: String, _ domain: SymbolDomain, _ path: String) -> UInt64? {
        guard let value = resolve(name, path: path) else { return nil }
        guard case .symbols(let mask) = value,
            PolicyParameters.descriptorsByName[name]?.type == .symbolSet(domain)
        else {
            let type = PolicyParameters.descriptorsByName[name].map { "\($0.type)" } ?? "?"
            issue(path, "parameter \"\(name)\" is \(type), expected set of \(domain.rawValue)")
            return nil
        }
        return mask
    }

    private mutating func symbolMask(
        _ values: [String],
        _ domain: SymbolDomain,
        _ path: String,
        single: Bool = false
    ) -> UInt64? {
        var issuesHere: [ValidationIssue] = []
        let mask = parseSymbols(.array(values.map { .string($0) }), domain: domain, path: path, issues: &issuesHere)
        if single {
            issuesHere = issuesHere.map { ValidationIssue(path: path, message: $0.message) }
        }
        issues += issuesHere
        return mask
    }
}
