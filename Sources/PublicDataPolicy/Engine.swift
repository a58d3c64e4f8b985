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

/// One rule, compiled. A class, so that evaluation touches a rule with one reference instead of copying it.
final class CompiledRule: Sendable {
    let id: String
    let kind: RuleKind
    let conditions: [CompiledCondition]
    let reason: Reason
    let obligations: [Obligation]

    init(id: String, kind: RuleKind, conditions: [CompiledCondition], reason: Reason, obligations: [Obligation]) {
        self.id = id
        self.kind = kind
        self.conditions = conditions
        self.reason = reason
        self.obligations = obligations
    }
}

struct AttributeIndex: Sendable {
    var attribute: Int
    var buckets: [String: [Int]]
}

/// The rules of one decision point: all of them in policy order, the unindexed ones, and the indexes.
struct PointBuilder {
    var rules: [CompiledRule] = []
    var unindexed: [Int] = []
    var indexes: [AttributeIndex] = []
}

/// One node of a compiled condition tree. Plain data (no references), so evaluation does no reference counting.
struct ConditionNode: Sendable {
    enum Op: UInt8, Sendable {
        case constant, bool, symbolIn, setIntersects
        case intEquals, intNotEquals, intGreaterThan, intAtLeast, intLessThan, intAtMost
        case stringIn, stringNotIn, all, any, not
    }

    var op: Op
    /// The attribute number (leaves).
    var attribute: Int32 = 0
    /// The operand: a bool as 0/1, a bit mask, an integer, or the index of a string set.
    var value: Int64 = 0
    /// The first child and the number of children (all / any / not).
    var first: Int32 = 0
    var count: Int32 = 0
}

/// A rule's kind and its top-level conditions (a range of ``ConditionNode``s, all of which must hold).
struct RuleHeader: Sendable {
    var kind: RuleKind
    var first: Int32
    var count: Int32
}

final class CompiledPoint: Sendable {
    let rules: [CompiledRule]
    let headers: [RuleHeader]
    let nodes: [ConditionNode]
    let stringSets: [[String]]
    /// Rules not in any bucket, in policy order.
    let unindexed: [Int]
    let indexes: [AttributeIndex]
    /// The most rules one request can be checked against: the unindexed ones plus the largest bucket of
    /// each index (at least 1).
    let maximumCandidates: Int

    init(_ builder: PointBuilder) {
        rules = builder.rules
        unindexed = builder.unindexed
        indexes = builder.indexes
        maximumCandidates = max(
            1,
            builder.indexes.reduce(builder.unindexed.count) { $0 + ($1.buckets.values.map(\.count).max() ?? 0) }
        )
        var nodes: [ConditionNode] = []
        var stringSets: [[String]] = []
        func node(_ condition: CompiledCondition) -> ConditionNode {
            switch condition {
            case .constant(let value): return ConditionNode(op: .constant, value: value ? 1 : 0)
            case .bool(let attribute, let value):
                return ConditionNode(op: .bool, attribute: Int32(attribute), value: value ? 1 : 0)
            case .symbolIn(let attribute, let mask):
                return ConditionNode(op: .symbolIn, attribute: Int32(attribute), value: Int64(bitPattern: mask))
            case .setIntersects(let attribute, let mask):
                return ConditionNode(op: .setIntersects, attribute: Int32(attribute), value: Int64(bitPattern: mask))
            case .int(let attribute, let comparison, let operand):
                let op: ConditionNode.Op
                switch comparison {
                case .equals: op = .intEquals
                case .notEquals: op = .intNotEquals
                case .greaterThan: op = .intGreaterThan
                case .atLeast: op = .intAtLeast
                case .lessThan: op = .intLessThan
                case .atMost: op = .intAtMost
                }
                return ConditionNode(op: op, attribute: Int32(attribute), value: Int64(operand))
            case .stringIn(let attribute, let values, let negated):
                stringSets.append(values)
                return ConditionNode(
                    op: negated ? .stringNotIn : .stringIn,
                    attribute: Int32(attribute),
                    value: Int64(stringSets.count - 1)
                )
            case .all(let list):
                let (first, count) = children(list)
                return ConditionNode(op: .all, first: first, count: count)
            case .any(let list):
                let (first, count) = children(list)
                return ConditionNode(op: .any, first: first, count: count)
            case .not(let inner):
                let (first, count) = children([inner])
                return ConditionNode(op: .not, first: first, count: count)
            }
        }
        func children(_ list: [CompiledCondition]) -> (Int32, Int32) {
            let first = nodes.count
            nodes.append(contentsOf: repeatElement(ConditionNode(op: .constant, value: 1), count: list.count))
            for (offset, item) in list.enumerated() { nodes[first + offset] = node(item) }
            return (Int32(first), Int32(list.count))
        }
        var headers: [RuleHeader] = []
        for rule in builder.rules {
            let (first, count) = children(rule.conditions)
            headers.append(RuleHeader(kind: rule.kind, first: first, count: count))
        }
        self.headers = headers
        self.nodes = nodes
        self.stringSets = stringSets
    }
}

/// The non-text attribute values read during one decision, so that each is computed once even when
/// several rules test it. Values are numbers: a bool as 0/1, an int, or a vocabulary bit mask.
struct FactCache {
    /// Attributes beyond this position are read every time (no decision point has that many).
    static let capacity = 64
    let values: UnsafeMutablePointer<Int64>?
    var known: UInt64 = 0
    var missing: UInt64 = 0

    init(values: UnsafeMutablePointer<Int64>?) { self.values = values }

    /// The attribute's value as a number, or `nil` when the request has none.
    mutating func number<R>(
        _ attribute: Int,
        _ request: UnsafePointer<R>,
        _ table: UnsafeBufferPointer<Extractor<R>>
    ) -> Int64? {
        guard attribute < FactCache.capacity, let values else { return Self.number(table[attribute](request)) }
        let bit: UInt64 = 1 << UInt64(attribute)
        if known & bit != 0 { return missing & bit != 0 ? nil : values[attribute] }
        let value = Self.number(table[attribute](request))
        known |= bit
        if let value { values[attribute] = value } else { missing |= bit }
        return value
    }

    private static func number(_ fact: FactValue) -> Int64? {
        switch fact {
        case .bool(let flag): flag ? 1 : 0
        case .int(let number): Int64(number)
        case .symbol(let bits), .symbols(let bits): Int64(bitPattern: bits)
        case .string, .missing: nil
        }
    }
}

/// Reads one attribute of a request.
typealias Extractor<Request> = @Sendable (UnsafePointer<Request>) -> FactValue

/// The attribute readers of each decision point, without their descriptors (evaluation only needs these).
enum Extractors {
    static let dataRequest = AttributeTables.dataRequest.map(\.extract)
    static let downstreamScenario = AttributeTables.downstreamScenario.map(\.extract)
    static let productRelease = AttributeTables.productRelease.map(\.extract)
    static let operatorEligibility = AttributeTables.operatorEligibility.map(\.extract)
    static let plan = AttributeTables.plan.map(\.extract)
    static let agreement = AttributeTables.agreement.map(\.extract)
    static let pricing = AttributeTables.pricing.map(\.extract)
    static let conduct = AttributeTables.conduct.map(\.extract)
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
        var points = Array(repeating: PointBuilder(), count: DecisionPoint.allCases.count)
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
            let slotOfPoint = rule.point.ordinal
            let ruleIndex = points[slotOfPoint].rules.count
            points[slotOfPoint].rules.append(
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
                if let existing = points[slotOfPoint].indexes.firstIndex(where: { $0.attribute == indexKey.attribute })
                {
                    slot = existing
                } else {
                    points[slotOfPoint].indexes.append(AttributeIndex(attribute: indexKey.attribute, buckets: [:]))
                    slot = points[slotOfPoint].indexes.count - 1
                }
                for value in Set(indexKey.values) {
                    points[slotOfPoint].indexes[slot].buckets[value, default: []].append(ruleIndex)
                }
            } else {
                points[slotOfPoint].unindexed.append(ruleIndex)
            }
        }
        self.points = points.map(CompiledPoint.init)
        self.issues = compiler.issues
    }

    func evaluate(_ request: consuming PolicyRequest, at time: Date) -> Decision {
        // Consuming the request moves its payload out instead of copying it (no reference counting).
        switch consume request {
        case .dataRequest(let value): decide(value, Extractors.dataRequest, .dataRequest, time)
        case .downstreamScenario(let value): decide(value, Extractors.downstreamScenario, .downstreamScenario, time)
        case .productRelease(let value): decide(value, Extractors.productRelease, .productRelease, time)
        case .operatorEligibility(let value):
            decide(value, Extractors.operatorEligibility, .operatorEligibility, time)
        case .plan(let value): decide(value, Extractors.plan, .plan, time)
        case .agreement(let value): decide(value, Extractors.agreement, .agreement, time)
        case .pricing(let value): decide(value, Extractors.pricing, .pricing, time)
        case .conduct(let value): decide(value, Extractors.conduct, .conduct, time)
        }
    }

    private func decide<R>(
        _ request: consuming R,
        _ table: [Extractor<R>],
        _ point: DecisionPoint,
        _ time: Date
    ) -> Decision {
        var request = request
        let compiled = points[point.ordinal]
        // The matched rule numbers live in a temporary (normally stack) buffer: no allocation per decision.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: compiled.maximumCandidates) { buffer in
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: FactCache.capacity) { facts in
                withUnsafePointer(to: &request) { pointer in decide(pointer, table, compiled, time, buffer, facts) }
            }
        }
    }

    private func decide<R>(
        _ request: UnsafePointer<R>,
        _ table: [Extractor<R>],
        _ compiled: CompiledPoint,
        _ time: Date,
        _ buffer: UnsafeMutableBufferPointer<Int>,
        _ factBuffer: UnsafeMutableBufferPointer<Int64>
    ) -> Decision {
        var count = 0
        var anyDeny = false
        var anyPermit = false
        var ordered = true
        compiled.headers.withUnsafeBufferPointer { headers in
            compiled.nodes.withUnsafeBufferPointer { nodes in
                table.withUnsafeBufferPointer { table in
                    var cache = FactCache(values: factBuffer.baseAddress)
                    var last = -1
                    func consider(_ index: Int) {
                        let header = headers[index]
                        let end = Int(header.first) + Int(header.count)
                        var position = Int(header.first)
                        while position < end {
                            if !holds(position, nodes, compiled.stringSets, request, table, &cache) { return }
                            position += 1
                        }
                        buffer[count] = index
                        count += 1
                        if index < last { ordered = false }
                        last = index
                        switch header.kind {
                        case .deny: anyDeny = true
                        case .permit: anyPermit = true
                        case .obligation: break
                        }
                    }
                    for index in compiled.unindexed { consider(index) }
                    for attributeIndex in compiled.indexes {
                        guard case .string(let key) = table[attributeIndex.attribute](request),
                            let bucket = attributeIndex.buckets[key]
                        else { continue }
                        for index in bucket { consider(index) }
                    }
                }
            }
        }
        var matched = UnsafeMutableBufferPointer(rebasing: buffer[0..<count])
        if !ordered { matched.sort() }
        if anyDeny {
            var reasons: [Reason] = []
            var fired: [String] = []
            for index in matched where compiled.headers[index].kind == .deny {
                let rule = compiled.rules[index]
                reasons.append(rule.reason)
                fired.append(rule.id)
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

    private func holds<R>(
        _ position: Int,
        _ nodes: UnsafeBufferPointer<ConditionNode>,
        _ stringSets: [[String]],
        _ request: UnsafePointer<R>,
        _ table: UnsafeBufferPointer<Extractor<R>>,
        _ cache: inout FactCache
    ) -> Bool {
        let node = nodes[position]
        switch node.op {
        case .constant:
            return node.value != 0
        case .bool:
            guard let value = cache.number(Int(node.attribute), request, table) else { return false }
            return value == node.value
        case .symbolIn, .setIntersects:
            guard let bits = cache.number(Int(node.attribute), request, table) else { return false }
            return bits & node.value != 0
        case .intEquals, .intNotEquals, .intGreaterThan, .intAtLeast, .intLessThan, .intAtMost:
            guard let value = cache.number(Int(node.attribute), request, table) else { return false }
            switch node.op {
            case .intEquals: return value == node.value
            case .intNotEquals: return value != node.value
            case .intGreaterThan: return value > node.value
            case .intAtLeast: return value >= node.value
            case .intLessThan: return value < node.value
            default: return value <= node.value
            }
        case .stringIn, .stringNotIn:
            guard case .string(let text) = table[Int(node.attribute)](request) else { return false }
            return stringSets[Int(node.value)].contains(text) == (node.op == .stringIn)
        case .all:
            for child in Int(node.first)..<Int(node.first + node.count)
            where !holds(child, nodes, stringSets, request, table, &cache) {
                return false
            }
            return true
        case .any:
            for child in Int(node.first)..<Int(node.first + node.count)
            where holds(child, nodes, stringSets, request, table, &cache) {
                return true
            }
            return false
        case .not:
            return !holds(Int(node.first), nodes, stringSets, request, table, &cache)
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
