import Foundation

enum IntComparison: Sendable {
    case equals, notEquals, greaterThan, atLeast, lessThan, atMost
}

/// How a condition compares two attributes of the same request.
enum AttributeComparison: Sendable {
    /// Both values as numbers: ints, bools (0/1) or single vocabulary bits (ordered by declaration order).
    case numbers(IntComparison)
    /// The two bit masks share a bit (a value in a set, two sets overlapping).
    case intersects
    /// The two bit masks share no bit.
    case disjoint
    /// The two strings are equal (`true`) or differ (`false`).
    case strings(equal: Bool)
}

indirect enum CompiledCondition: Sendable {
    case constant(Bool)
    case bool(Int, Bool)
    case symbolIn(Int, UInt64)
    case setIntersects(Int, UInt64)
    case int(Int, IntComparison, Int)
    case stringIn(Int, [String], negated: Bool)
    case attributes(Int, AttributeComparison, Int)
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
    /// `[reason]`, `[id]` and the obligations without duplicates: a decision that this rule alone decides
    /// shares these arrays instead of building new ones.
    let reasons: [Reason]
    let fired: [String]
    let uniqueObligations: [Obligation]

    init(id: String, kind: RuleKind, conditions: [CompiledCondition], reason: Reason, obligations: [Obligation]) {
        self.id = id
        self.kind = kind
        self.conditions = conditions
        self.reason = reason
        self.obligations = obligations
        reasons = [reason]
        fired = [id]
        var unique: [Obligation] = []
        for obligation in obligations where !unique.contains(obligation) { unique.append(obligation) }
        // Without duplicates the list is the rule's own: share its storage.
        uniqueObligations = unique.count == obligations.count ? obligations : unique
    }
}

/// One node of a compiled condition tree. Plain data (no references), so evaluation does no reference counting.
struct ConditionNode: Sendable {
    enum Op: UInt8, Sendable {
        case constant, bool, symbolIn, setIntersects
        case intEquals, intNotEquals, intGreaterThan, intAtLeast, intLessThan, intAtMost
        case stringIn, stringNotIn, all, any, not
        case attributesEqual, attributesNotEqual, attributesGreaterThan, attributesAtLeast, attributesLessThan
        case attributesAtMost, attributesIntersect, attributesDisjoint, stringsEqual, stringsDiffer
    }

    var op: Op
    /// The attribute number (leaves; the left-hand attribute of a comparison of two attributes).
    var attribute: Int32 = 0
    /// The operand: a bool as 0/1, a bit mask, an integer, the index of a string set, or the right-hand
    /// attribute's number.
    var value: Int64 = 0
    /// The first child and the number of children (all / any / not).
    var first: Int32 = 0
    var count: Int32 = 0
}

/// A rule's kind and a range of ``ConditionNode``s, all of which must hold.
struct RuleHeader: Sendable {
    var kind: RuleKind
    var first: Int32
    var count: Int32
}

/// The key of one bucket while the index is built: the values of up to four indexed string attributes
/// (unused slots stay empty).
struct BucketKey: Hashable {
    var values: [String] = []
}

/// One combination of indexed attributes (a *shape*) and its open-addressing table of buckets. A rule belongs
/// to the shape of all the indexed attributes it tests with `equals` / `in` at its top level; the empty shape
/// holds the rules that test none. A bucket's key is the numbers (per attribute, see
/// ``CompiledPoint/keyValues``) of its values, packed two to a word.
struct ShapeInfo: Sendable {
    static let maximumAttributes = 4
    /// Positions in ``CompiledPoint/keyAttributes`` of the shape's attributes (slots beyond `count` unused).
    var slots: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)
    var count: Int32 = 0
    /// First slot of the shape's table in ``CompiledPoint/table`` (three words a slot).
    var tableOffset: Int32 = 0
    /// The table's size minus one (the size is a power of two).
    var tableMask: Int32 = 0
    /// When the shape's key values are few enough: the first entry of its dense table in
    /// ``CompiledPoint/direct``, which holds a bucket's block start plus one (0: no bucket) at the position
    /// `sum(number[slot] * stride[slot])`, found without hashing or probing; -1 when the shape is hashed.
    var directOffset: Int32 = -1
    /// The dense table's stride of each slot (the product of the value counts of the slots before it).
    var strides: (Int32, Int32, Int32, Int32) = (0, 0, 0, 0)

    /// The largest dense table, in entries, relative to the shape's number of buckets: a dense table has
    /// at most `denseFactor * buckets + denseSlack` entries, so its memory stays proportional to the rules.
    static let denseFactor = 8
    static let denseSlack = 64

    func stride(_ slot: Int) -> Int32 {
        switch slot {
        case 0: strides.0
        case 1: strides.1
        case 2: strides.2
        default: strides.3
        }
    }

    subscript(slot: Int) -> Int32 {
        switch slot {
        case 0: slots.0
        case 1: slots.1
        case 2: slots.2
        default: slots.3
        }
    }

    /// Stores `value` in slot `slot` (0…3) of a four-slot tuple (``slots`` or ``strides``).
    static func set(_ tuple: inout (Int32, Int32, Int32, Int32), _ slot: Int, _ value: Int32) {
        switch slot {
        case 0: tuple.0 = value
        case 1: tuple.1 = value
        case 2: tuple.2 = value
        default: tuple.3 = value
        }
    }

    /// The table slot where the search for a key starts.
    @inline(__always)
    static func hash(_ low: UInt64, _ high: UInt64) -> Int {
        var mixed = (low &* 0x9E37_79B9_7F4A_7C15) ^ ((high &+ 0x632B_E59B_D9B4_E019) &* 0xC2B2_AE3D_27D4_EB4F)
        mixed ^= mixed >> 29
        return Int(truncatingIfNeeded: mixed)
    }
}

/// Shapes that a request looks up together: a *head* shape and the shapes whose key attributes are a subset of
/// the head's (the empty shape among them). When their buckets can be merged within bounds, the group has a dense
/// table over the head's key values whose every entry is the union of the buckets that a request with those
/// values meets in each member shape (deny rules first, each part in policy order; one block, one set of
/// tables): a request whose head key values all have a number looks one bucket up instead of one per shape. A
/// request that lacks one of them (missing, or named by no rule) looks each member shape up as before.
struct ShapeGroup: Sendable {
    /// The merged table (``ShapeInfo/slots``, ``ShapeInfo/strides`` and ``ShapeInfo/directOffset`` over the
    /// head's key attributes); `directOffset` is -1 when the group's buckets are not merged.
    var merged = ShapeInfo()
    /// The group's shapes in ``CompiledPoint/groupMembers``: the head first.
    var first: Int32 = 0
    var count: Int32 = 0

    /// A merged table may have at most `mergeFactor * memberships + mergeSlack` entries, and its buckets at
    /// most as many rules in total, where `memberships` counts each member shape's rules once per bucket: the
    /// merged form's memory stays proportional to the rules.
    static let mergeFactor = 16
    static let mergeSlack = 256
}

/// The block of words in ``CompiledPoint/blocks`` that holds one bucket: its rules, and for each vocabulary,
/// bool or int attribute its rules test, a table giving for every value of the attribute (and for "missing") the
/// bit set of rules whose tests of it hold. A request ANDs one row per attribute and checks only the remaining
/// (residual) conditions of the surviving rules. Everything a bucket holds lies in one run of words, so a
/// request reads neighbouring cache lines of one array per bucket, not lines scattered over several arrays.
///
/// A bucket's deny rules come first, then its permit and obligation rules, each part in policy order: once a deny
/// rule has matched, no permit or obligation rule can change the decision, so a request stops checking candidates
/// at the end of the deny part (and checks only the deny parts of later buckets).
///
/// From the block's first word:
/// - the number of rules (low 32 bits; a row has `ceil(rules / 64)` words) and of deny rules (high 32 bits);
/// - the number of tables (low 32 bits) and the offset of the rules from the block's start (high 32 bits);
/// - one word per table: its attribute (bits 0–15), whether its values are vocabulary bits (bit 16) or integers
///   (bit 17; else bools 0/1), its rows (bits 24–31: one per value, then one for "missing"), the offset of its
///   row 0 from the block's start (high 32 bits). A *pair table* (bit 18) decides tests of two bool or vocabulary
///   attributes together: an `any` over both (see ``BucketBlock/pairAttributes(_:_:)``) and the tests of either
///   alone, or the tests of two bools that many buckets test alone (``minimumBoolPairBuckets``). Its first
///   attribute in bits 0–7 (vocabulary: bit 16), its second in bits 8–15 (vocabulary: bit 19), the second's row
///   count (values plus "missing") in bits 20–23; its row is `first row × that count + second row`;
/// - each table's rows, those of an integer table preceded by the constants its rules compare with, ascending:
///   `k` constants give `2k + 1` value rows (below the first constant, equal to it, between it and the next,
///   …, above the last);
/// - two words per rule, in the order above: the rule's number (low 32 bits) and its residual
///   conditions' count (high 32 bits); the first residual node (low 32 bits) and the rule's kind (high 32 bits).
enum BucketBlock {
    static let symbolFlag: UInt64 = 1 << 16
    static let intFlag: UInt64 = 1 << 17
    static let pairFlag: UInt64 = 1 << 18
    static let secondSymbolFlag: UInt64 = 1 << 19
    /// The most rows of a pair table's second attribute (4 bits), and of a pair table.
    static let maximumPairRows = 15
    static let maximumPairTableRows = 255
    /// The fewest buckets that must test two bool attributes alone for the two to share a pair table.
    static let minimumBoolPairBuckets = 8

    /// The number of values of a bool or vocabulary attribute that a table can test (`nil` for other types).
    static func tableValues(_ descriptor: AttributeDescriptor) -> Int? {
        switch descriptor.type {
        case .bool: return 2
        case .symbol(let domain) where domain.values.count < 63: return domain.values.count
        default: return nil
        }
    }

    /// The two attributes of a top-level `any` whose members all test one of two bool or vocabulary attributes
    /// (a test, or the `not` of one): a pair table decides it (e.g. `any(dataSubjectConsent, anonymized)`),
    /// where it would otherwise be checked as a residual condition of every candidate. `nil` for any other
    /// condition, or when the table would exceed ``maximumPairTableRows``.
    static func pairAttributes(_ condition: CompiledCondition, _ table: [AttributeDescriptor]) -> (Int, Int)? {
        guard case .any(let members) = condition, !members.isEmpty else { return nil }
        var attributes: [Int] = []
        for member in members {
            guard let attribute = leafAttribute(member, table) else { return nil }
            if !attributes.contains(attribute) { attributes.append(attribute) }
        }
        guard attributes.count == 2 else { return nil }
        let (first, second) = (min(attributes[0], attributes[1]), max(attributes[0], attributes[1]))
        guard first < 256, second < 256, let firstValues = tableValues(table[first]),
            let secondValues = tableValues(table[second]), secondValues + 1 <= maximumPairRows,
            (firstValues + 1) * (secondValues + 1) <= maximumPairTableRows
        else { return nil }
        return (first, second)
    }

    /// The attribute of a bool or vocabulary test (or of its `not`) that a table can decide.
    private static func leafAttribute(_ condition: CompiledCondition, _ table: [AttributeDescriptor]) -> Int? {
        switch condition {
        case .bool(let attribute, _) where table[attribute].type == .bool: return attribute
        case .symbolIn(let attribute, _) where tableValues(table[attribute]) != nil: return attribute
        case .not(let inner):
            switch inner {
            case .bool, .symbolIn: return leafAttribute(inner, table)
            default: return nil
            }
        default: return nil
        }
    }

    /// Whether a condition accepted by ``pairAttributes(_:_:)`` holds when each attribute's value has the row
    /// `row(attribute)`: a bool's 0 or 1, a vocabulary value's position, the attribute's value count when missing.
    static func pairHolds(_ condition: CompiledCondition, _ table: [AttributeDescriptor], _ row: (Int) -> Int) -> Bool {
        switch condition {
        case .any(let members): return members.contains { pairHolds($0, table, row) }
        case .not(let inner): return !pairHolds(inner, table, row)
        case .bool(let attribute, let value): return row(attribute) < 2 && (row(attribute) == 1) == value
        case .symbolIn(let attribute, let mask):
            let position = row(attribute)
            return position < (tableValues(table[attribute]) ?? 0) && mask & (1 << UInt64(position)) != 0
        default: return false
        }
    }

    /// The row of a bool or vocabulary value in a table of `rows` rows (the last for a missing value).
    @inline(__always)
    static func valueRow(_ value: Int64?, symbol: Bool, rows: Int) -> Int {
        guard let value else { return rows &- 1 }
        let row = symbol ? UInt64(bitPattern: value).trailingZeroBitCount : Int(truncatingIfNeeded: value)
        return row >= 0 && row < rows ? row : rows &- 1
    }

    /// The most constants an int attribute may be compared with for its comparisons to become table tests.
    static let maximumIntConstants = 30
    /// The fewest rules that must compare an int attribute with constants for its comparisons to become table
    /// tests.
    static let minimumIntComparingRules = 8

    /// Whether `value op constants[operand]` holds for the values of `row` (see the layout above).
    static func intRowHolds(_ row: Int, _ comparison: IntComparison, _ operand: Int, _ constants: [Int]) -> Bool {
        if row % 2 == 1 {
            let value = constants[row / 2]
            let other = constants[operand]
            switch comparison {
            case .equals: return value == other
            case .notEquals: return value != other
            case .greaterThan: return value > other
            case .atLeast: return value >= other
            case .lessThan: return value < other
            case .atMost: return value <= other
            }
        }
        // The values lie strictly between constants[row / 2 - 1] and constants[row / 2].
        let gap = row / 2
        switch comparison {
        case .equals: return false
        case .notEquals: return true
        case .lessThan, .atMost: return gap <= operand
        case .greaterThan, .atLeast: return gap > operand
        }
    }

    /// The row of `value` in an integer table whose constants are `constants`.
    @inline(__always)
    static func intRow(_ value: Int64, _ constants: Slice<UnsafeBufferPointer<UInt64>>) -> Int {
        var gap = 0
        for constant in constants {
            let number = Int64(bitPattern: constant)
            if number == value { return 2 &* gap &+ 1 }
            if number > value { break }
            gap &+= 1
        }
        return 2 &* gap
    }

    static func code(_ kind: RuleKind) -> UInt64 {
        switch kind {
        case .permit: 0
        case .deny: 1
        case .obligation: 2
        }
    }

    @inline(__always)
    static func kind(_ code: UInt64) -> RuleKind { code == 0 ? .permit : code == 1 ? .deny : .obligation }
}

final class CompiledPoint: Sendable {
    let rules: [CompiledRule]
    /// Every rule's full conditions (evaluation without the index).
    let headers: [RuleHeader]
    let nodes: [ConditionNode]
    let stringSets: [[String]]
    let shapes: [ShapeInfo]
    /// The attributes that some shape keys on, and for each the number of every value a rule names.
    let keyAttributes: [Int32]
    let keyValues: [[String: Int32]]
    /// The shapes' tables, three words a slot: the start of the bucket's block plus one (0 for an empty slot),
    /// then the key.
    let table: [UInt64]
    /// The dense tables of the shapes with few key values (see ``ShapeInfo/directOffset``).
    let direct: [UInt32]
    /// Every bucket's block (see ``BucketBlock``), merged buckets (see ``ShapeGroup``) included.
    let blocks: [UInt64]
    /// The shapes grouped for lookup: every shape belongs to exactly one group.
    let groups: [ShapeGroup]
    /// The shapes of each group (indices in ``shapes``; see ``ShapeGroup/first``).
    let groupMembers: [Int32]
    /// The most rules one request can match: the largest bucket of each shape, summed (at least 1).
    let maximumCandidates: Int
    /// The widest bucket, in words (at least 1).
    let maximumWords: Int
    /// Every rule's reason, side by side: a decision of several rules copies its reasons (and their rule ids)
    /// from neighbouring entries instead of from one object per rule.
    let reasons: [Reason]
    /// Every rule's obligations without duplicates (``CompiledRule/uniqueObligations``), side by side.
    let duties: [[Obligation]]

    init(rules: [CompiledRule], table: [AttributeDescriptor]) {
        self.rules = rules
        reasons = rules.map(\.reason)
        duties = rules.map(\.uniqueObligations)
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
            case .attributes(let left, let comparison, let right):
                let op: ConditionNode.Op
                switch comparison {
                case .numbers(.equals): op = .attributesEqual
                case .numbers(.notEquals): op = .attributesNotEqual
                case .numbers(.greaterThan): op = .attributesGreaterThan
                case .numbers(.atLeast): op = .attributesAtLeast
                case .numbers(.lessThan): op = .attributesLessThan
                case .numbers(.atMost): op = .attributesAtMost
                case .intersects: op = .attributesIntersect
                case .disjoint: op = .attributesDisjoint
                case .strings(let equal): op = equal ? .stringsEqual : .stringsDiffer
                }
                return ConditionNode(op: op, attribute: Int32(left), value: Int64(right))
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
        headers = rules.map { rule in
            let (first, count) = children(rule.conditions)
            return RuleHeader(kind: rule.kind, first: first, count: count)
        }

        // File every rule under its shape and key(s); split its other conditions into table tests and residuals.
        struct Member {
            var rule: Int
            var tests: [Test]
            var pairs: [PairTest]
            var residual: RuleHeader
        }
        // A top-level `any` over two bool or vocabulary attributes (see `BucketBlock.pairAttributes`).
        struct PairTest {
            var first: Int
            var second: Int
            var condition: CompiledCondition
        }
        // A top-level test of one bool or vocabulary attribute: whether it holds for each value, and when the
        // value is missing.
        struct Test {
            var attribute: Int
            var holds: (Int) -> Bool
            var whenMissing: Bool
        }
        // The constants each int attribute is compared with at the top level of a rule. When many rules compare
        // it with few constants, the attribute's comparisons are table tests too: one row per constant and one
        // per gap between two. (A table reads its attribute for every request that reaches the bucket, so an
        // attribute that one rule tests, and that may be costly to compute, stays a residual condition.)
        var constantSets: [Int: Set<Int>] = [:]
        var comparingRules: [Int: Int] = [:]
        for rule in rules {
            var compared: Set<Int> = []
            for case .int(let attribute, _, let operand) in rule.conditions {
                constantSets[attribute, default: []].insert(operand)
                compared.insert(attribute)
            }
            for attribute in compared { comparingRules[attribute, default: 0] += 1 }
        }
        var intConstants = [[Int]](repeating: [], count: table.count)
        for (attribute, constants) in constantSets
        where constants.count <= BucketBlock.maximumIntConstants
            && comparingRules[attribute, default: 0] >= BucketBlock.minimumIntComparingRules
        {
            intConstants[attribute] = constants.sorted()
        }
        // The pairs of attributes whose `any` groups become pair tables: the most frequent first, each attribute in
        // at most one pair (a bucket's tests of either attribute are then decided by the pair's table).
        var pairCounts: [[Int]: Int] = [:]
        for rule in rules {
            for condition in rule.conditions {
                if let (first, second) = BucketBlock.pairAttributes(condition, table) {
                    pairCounts[[first, second], default: 0] += 1
                }
            }
        }
        var partner: [Int: Int] = [:]
        for (pair, _) in pairCounts.sorted(by: {
            $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key)
        })
        where partner[pair[0]] == nil && partner[pair[1]] == nil {
            partner[pair[0]] = pair[1]
            partner[pair[1]] = pair[0]
        }
        var shapeIndex: [[Int]: Int] = [:]
        var shapeAttributes: [[Int]] = []
        var bucketKeys: [[BucketKey: Int]] = []
        var keyAttributes: [Int] = []
        var keyValues: [[String: Int32]] = []
        var members: [[Member]] = []
        for (ruleNumber, rule) in rules.enumerated() {
            var keys: [(attribute: Int, values: [String])] = []
            var tests: [Test] = []
            var pairs: [PairTest] = []
            var residual: [CompiledCondition] = []
            for condition in rule.conditions {
                if let (first, second) = BucketBlock.pairAttributes(condition, table), partner[first] == second {
                    pairs.append(PairTest(first: first, second: second, condition: condition))
                    continue
                }
                // `not` of a bool or vocabulary test is a test too; it holds when the value is missing.
                var negated = false
                var tested = condition
                if case .not(let inner) = condition {
                    switch inner {
                    case .bool, .symbolIn:
                        negated = true
                        tested = inner
                    default: break
                    }
                }
                switch tested {
                case .stringIn(let attribute, let values, negated: false)
                where table[attribute].indexed && !values.isEmpty && keys.count < ShapeInfo.maximumAttributes
                    && !keys.contains(where: { $0.attribute == attribute })
                    && keys.reduce(values.count, { $0 * $1.values.count }) <= 64:
                    keys.append((attribute, Array(Set(values)).sorted()))
                case .bool(let attribute, let value) where table[attribute].type == .bool:
                    tests.append(
                        Test(attribute: attribute, holds: { (($0 == 1) == value) != negated }, whenMissing: negated)
                    )
                case .int(let attribute, let comparison, let operand) where !intConstants[attribute].isEmpty:
                    let constants = intConstants[attribute]
                    let position = constants.firstIndex(of: operand) ?? 0
                    tests.append(
                        Test(
                            attribute: attribute,
                            holds: { BucketBlock.intRowHolds($0, comparison, position, constants) },
                            whenMissing: false
                        )
                    )
                case .symbolIn(let attribute, let mask):
                    guard case .symbol(let domain) = table[attribute].type, domain.values.count < 63 else {
                        residual.append(condition)
                        continue
                    }
                    let count = domain.values.count
                    tests.append(
                        Test(
                            attribute: attribute,
                            holds: { ($0 < count && mask & (1 << UInt64($0)) != 0) != negated },
                            whenMissing: negated
                        )
                    )
                default:
                    residual.append(condition)
                }
            }
            keys.sort { $0.attribute < $1.attribute }
            let attributes = keys.map(\.attribute)
            let shape: Int
            if let existing = shapeIndex[attributes] {
                shape = existing
            } else {
                shape = shapeAttributes.count
                shapeIndex[attributes] = shape
                shapeAttributes.append(attributes)
                bucketKeys.append([:])
            }
            let (first, count) = children(residual)
            let member = Member(
                rule: ruleNumber,
                tests: tests,
                pairs: pairs,
                residual: RuleHeader(kind: rule.kind, first: first, count: count)
            )
            // Every combination of the key values (a rule with `in` lists goes into several buckets).
            var combinations = [BucketKey()]
            for key in keys {
                combinations = combinations.flatMap { partial in
                    key.values.map { value in
                        var extended = partial
                        extended.values.append(value)
                        return extended
                    }
                }
            }
            for key in combinations {
                if let bucket = bucketKeys[shape][key] {
                    members[bucket].append(member)
                } else {
                    bucketKeys[shape][key] = members.count
                    members.append([member])
                }
            }
        }

        // Bool attributes that many buckets test alone are paired too, the two most often tested in the same
        // buckets first: a bucket that tests both reads one row of a 3 × 3 table instead of a row of each.
        var boolPairs: [[Int]: Int] = [:]
        for list in members {
            var tested: [Int] = []
            for member in list {
                for test in member.tests
                where table[test.attribute].type == .bool && partner[test.attribute] == nil && test.attribute < 256
                    && !tested.contains(test.attribute)
                {
                    tested.append(test.attribute)
                }
            }
            tested.sort()
            for (offset, first) in tested.enumerated() {
                for second in tested[(offset + 1)...] { boolPairs[[first, second], default: 0] += 1 }
            }
        }
        for (pair, count) in boolPairs.sorted(by: {
            $0.value != $1.value ? $0.value > $1.value : $0.key.lexicographicallyPrecedes($1.key)
        })
        where count >= BucketBlock.minimumBoolPairBuckets && partner[pair[0]] == nil && partner[pair[1]] == nil {
            partner[pair[0]] = pair[1]
            partner[pair[1]] = pair[0]
        }

        var blocks: [UInt64] = []
        var bucketStarts: [Int] = []
        var bucketSizes: [Int] = []
        var maximumWords = 1
        // Appends the block of a bucket whose members are `members` (in policy order); returns its start.
        func appendBlock(_ members: [Member]) -> Int {
            // Deny rules first (see `BucketBlock`), each part in policy order.
            let denies = members.filter { $0.residual.kind == .deny }
            let list = denies + members.filter { $0.residual.kind != .deny }
            let words = (list.count + 63) / 64
            maximumWords = max(maximumWords, words)
            var tested: [Int] = []
            var pairTables: [Int] = []
            for member in list {
                for test in member.tests where !tested.contains(test.attribute) { tested.append(test.attribute) }
                for pair in member.pairs where !pairTables.contains(pair.first) { pairTables.append(pair.first) }
            }
            // Two paired bool attributes that the bucket tests alone share a table too.
            for first in tested {
                if let second = partner[first], first < second, tested.contains(second), !pairTables.contains(first),
                    case .bool = table[first].type, case .bool = table[second].type
                {
                    pairTables.append(first)
                }
            }
            // A pair table also decides the tests of its two attributes alone; it is one table, as the two were.
            for first in pairTables {
                tested.removeAll { $0 == first || $0 == partner[first] }
                tested.append(first)
            }
            // Int tables last: their rows take a search, and the earlier tables may leave no candidate.
            tested.sort { (!intConstants[$0].isEmpty ? 1 : 0, $0) < (!intConstants[$1].isEmpty ? 1 : 0, $1) }
            let start = blocks.count
            blocks.append(UInt64(list.count) | UInt64(denies.count) << 32)
            blocks.append(0)  // the tables' count and the rules' offset, filled in below
            let firstTable = blocks.count
            blocks.append(contentsOf: repeatElement(0, count: tested.count))
            for (number, attribute) in tested.enumerated() {
                if pairTables.contains(attribute), let second = partner[attribute],
                    let firstValues = BucketBlock.tableValues(table[attribute]),
                    let secondValues = BucketBlock.tableValues(table[second])
                {
                    let across = secondValues + 1
                    let rows = (firstValues + 1) * across
                    let rowsStart = blocks.count
                    var flags = BucketBlock.pairFlag | UInt64(across) << 20
                    if case .symbol = table[attribute].type { flags |= BucketBlock.symbolFlag }
                    if case .symbol = table[second].type { flags |= BucketBlock.secondSymbolFlag }
                    blocks[firstTable + number] =
                        UInt64(attribute) | UInt64(second) << 8 | flags | UInt64(rows) << 24
                        | UInt64(rowsStart - start) << 32
                    blocks.append(contentsOf: repeatElement(0, count: rows * words))
                    for (position, member) in list.enumerated() {
                        for row in 0..<rows {
                            let (firstRow, secondRow) = (row / across, row % across)
                            // Rows equal to the value count are "missing" (see `Test`).
                            func single(_ attribute: Int, _ row: Int, _ values: Int) -> Bool {
                                member.tests.filter { $0.attribute == attribute }.allSatisfy {
                                    row < values ? $0.holds(row) : $0.whenMissing
                                }
                            }
                            let holds =
                                single(attribute, firstRow, firstValues) && single(second, secondRow, secondValues)
                                && member.pairs.allSatisfy { pair in
                                    // The member's groups over another pair are that pair's table's.
                                    pair.first != attribute
                                        || BucketBlock.pairHolds(pair.condition, table) {
                                            $0 == attribute ? firstRow : secondRow
                                        }
                                }
                            if holds { blocks[rowsStart + row * words + position / 64] |= 1 << UInt64(position % 64) }
                        }
                    }
                    continue
                }
                let flag: UInt64
                let values: Int
                if case .symbol(let domain) = table[attribute].type {
                    flag = BucketBlock.symbolFlag
                    values = domain.values.count
                } else if !intConstants[attribute].isEmpty {
                    // The constants precede the rows.
                    flag = BucketBlock.intFlag
                    values = 2 * intConstants[attribute].count + 1
                    blocks += intConstants[attribute].map { UInt64(bitPattern: Int64($0)) }
                } else {
                    flag = 0
                    values = 2
                }
                let rowsStart = blocks.count
                let rowsOffset = UInt64(rowsStart - start) << 32
                blocks[firstTable + number] = UInt64(attribute) | flag | UInt64(values + 1) << 24 | rowsOffset
                blocks.append(contentsOf: repeatElement(0, count: (values + 1) * words))
                for (position, member) in list.enumerated() {
                    let relevant = member.tests.filter { $0.attribute == attribute }
                    for value in 0...values {
                        // The last row is "missing": a test of a missing value fails, unless it is negated.
                        let holds =
                            value < values
                            ? relevant.allSatisfy { $0.holds(value) } : relevant.allSatisfy(\.whenMissing)
                        if holds { blocks[rowsStart + value * words + position / 64] |= 1 << UInt64(position % 64) }
                    }
                }
            }
            blocks[start + 1] = UInt64(tested.count) | UInt64(blocks.count - start) << 32
            for member in list {
                blocks.append(UInt64(UInt32(member.rule)) | UInt64(UInt32(member.residual.count)) << 32)
                blocks.append(UInt64(UInt32(member.residual.first)) | BucketBlock.code(member.residual.kind) << 32)
            }
            return start
        }
        for list in members {
            bucketStarts.append(appendBlock(list))
            bucketSizes.append(list.count)
        }
        // Number every value of every key attribute, then file each shape's buckets in a dense table when its
        // key values are few, else in an open-addressing table.
        var shapePositions: [[Int]] = []
        var packedKeys: [[(key: (UInt64, UInt64), numbers: [Int32], bucket: Int)]] = []
        for (attributes, keys) in zip(shapeAttributes, bucketKeys) {
            var positions: [Int] = []
            for attribute in attributes {
                if let position = keyAttributes.firstIndex(of: attribute) {
                    positions.append(position)
                } else {
                    positions.append(keyAttributes.count)
                    keyAttributes.append(attribute)
                    keyValues.append([:])
                }
            }
            shapePositions.append(positions)
            var packedList: [(key: (UInt64, UInt64), numbers: [Int32], bucket: Int)] = []
            // Sorted, so that the numbering does not depend on the dictionary's order.
            for (key, bucket) in keys.sorted(by: { $0.value < $1.value }) {
                var packed: (UInt64, UInt64) = (0, 0)
                var numbers: [Int32] = []
                for (slot, value) in key.values.enumerated() {
                    let position = positions[slot]
                    let number: Int32
                    if let existing = keyValues[position][value] {
                        number = existing
                    } else {
                        number = Int32(keyValues[position].count)
                        keyValues[position][value] = number
                    }
                    numbers.append(number)
                    let shifted = UInt64(UInt32(bitPattern: number)) << UInt64(32 * (slot % 2))
                    if slot < 2 { packed.0 |= shifted } else { packed.1 |= shifted }
                }
                packedList.append((packed, numbers, bucket))
            }
            packedKeys.append(packedList)
        }
        var shapes: [ShapeInfo] = []
        var slots: [UInt64] = []
        var direct: [UInt32] = []
        var maximumCandidates = 0
        for (positions, keys) in zip(shapePositions, packedKeys) {
            var shape = ShapeInfo()
            var strides: [Int] = []
            var entries = 1
            for (slot, position) in positions.enumerated() {
                ShapeInfo.set(&shape.slots, slot, Int32(position))
                strides.append(entries)
                let (product, overflow) = entries.multipliedReportingOverflow(by: max(1, keyValues[position].count))
                entries = overflow ? Int.max : product
            }
            shape.count = Int32(positions.count)
            var largest = 0
            for key in keys { largest = max(largest, bucketSizes[key.bucket]) }
            maximumCandidates += largest
            if entries <= ShapeInfo.denseFactor * keys.count + ShapeInfo.denseSlack {
                for (slot, stride) in strides.enumerated() { ShapeInfo.set(&shape.strides, slot, Int32(stride)) }
                shape.directOffset = Int32(direct.count)
                direct.append(contentsOf: repeatElement(0, count: entries))
                for key in keys {
                    var at = Int(shape.directOffset)
                    for (slot, number) in key.numbers.enumerated() { at += Int(number) * strides[slot] }
                    direct[at] = UInt32(bucketStarts[key.bucket] + 1)
                }
                shapes.append(shape)
                continue
            }
            var size = 2
            while size < 2 * keys.count { size *= 2 }
            shape.tableOffset = Int32(slots.count / 3)
            shape.tableMask = Int32(size - 1)
            slots.append(contentsOf: repeatElement(0, count: 3 * size))
            for key in keys {
                var probe = ShapeInfo.hash(key.key.0, key.key.1) & (size - 1)
                while slots[3 * (Int(shape.tableOffset) + probe)] != 0 { probe = (probe + 1) & (size - 1) }
                let at = 3 * (Int(shape.tableOffset) + probe)
                slots[at] = UInt64(bucketStarts[key.bucket] + 1)
                slots[at + 1] = key.key.0
                slots[at + 2] = key.key.1
            }
            shapes.append(shape)
        }
        // Group every shape with the shapes whose key attributes are a subset of its own, widest shapes first,
        // and merge a group's buckets when the merged table stays within bounds (see `ShapeGroup`).
        var groups: [ShapeGroup] = []
        var groupMembers: [Int32] = []
        var grouped = [Bool](repeating: false, count: shapes.count)
        let byWidth = shapes.indices.sorted {
            shapePositions[$0].count != shapePositions[$1].count
                ? shapePositions[$0].count > shapePositions[$1].count : $0 < $1
        }
        for head in byWidth where !grouped[head] {
            let headPositions = shapePositions[head]
            var group = [head]
            let covered = byWidth.filter { other in
                other != head && !grouped[other] && shapePositions[other].allSatisfy(headPositions.contains)
            }
            var merged = ShapeInfo()
            if !covered.isEmpty && !headPositions.isEmpty {
                let candidates = [head] + covered
                var strides: [Int] = []
                var entries = 1
                for position in headPositions {
                    strides.append(entries)
                    let (product, overflow) = entries.multipliedReportingOverflow(
                        by: max(1, keyValues[position].count)
                    )
                    entries = overflow ? Int.max : product
                }
                var memberships = 0
                for shape in candidates {
                    for key in packedKeys[shape] { memberships += bucketSizes[key.bucket] }
                }
                let limit = ShapeGroup.mergeFactor * memberships + ShapeGroup.mergeSlack
                // Each bucket of a member shape is copied into every combination of the head's other key values.
                var total = 0
                if entries <= limit {
                    for shape in candidates {
                        var shapeEntries = 1
                        for position in shapePositions[shape] { shapeEntries *= max(1, keyValues[position].count) }
                        let copies = entries / shapeEntries
                        for key in packedKeys[shape] { total += bucketSizes[key.bucket] * copies }
                    }
                }
                if entries <= limit && total <= limit {
                    // Each member shape's buckets by their key numbers, and the head slot of each of its slots.
                    let lookups: [[[Int32]: Int]] = candidates.map { shape in
                        var lookup: [[Int32]: Int] = [:]
                        for key in packedKeys[shape] { lookup[key.numbers] = key.bucket }
                        return lookup
                    }
                    let headSlots: [[Int]] = candidates.map { shape in
                        shapePositions[shape].map { position in headPositions.firstIndex(of: position) ?? 0 }
                    }
                    merged.count = Int32(headPositions.count)
                    for (slot, position) in headPositions.enumerated() {
                        ShapeInfo.set(&merged.slots, slot, Int32(position))
                        ShapeInfo.set(&merged.strides, slot, Int32(strides[slot]))
                    }
                    merged.directOffset = Int32(direct.count)
                    direct.append(contentsOf: repeatElement(0, count: entries))
                    var numbers = [Int32](repeating: 0, count: headPositions.count)
                    for entry in 0..<entries {
                        for slot in numbers.indices {
                            let values = max(1, keyValues[headPositions[slot]].count)
                            numbers[slot] = Int32(entry / strides[slot] % values)
                        }
                        var list: [Member] = []
                        for (index, lookup) in lookups.enumerated() {
                            if let bucket = lookup[headSlots[index].map { numbers[$0] }] { list += members[bucket] }
                        }
                        guard !list.isEmpty else { continue }
                        // A rule belongs to one shape and, for given key values, to one of its buckets.
                        list.sort { $0.rule < $1.rule }
                        direct[Int(merged.directOffset) + entry] = UInt32(appendBlock(list) + 1)
                    }
                    group += covered
                }
            }
            for shape in group { grouped[shape] = true }
            groups.append(ShapeGroup(merged: merged, first: Int32(groupMembers.count), count: Int32(group.count)))
            groupMembers += group.map { Int32($0) }
        }
        self.groups = groups
        self.groupMembers = groupMembers
        self.shapes = shapes
        self.keyAttributes = keyAttributes.map { Int32($0) }
        self.keyValues = keyValues
        self.table = slots
        self.direct = direct
        self.blocks = blocks
        self.maximumCandidates = max(1, maximumCandidates)
        self.maximumWords = maximumWords
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
    @inline(__always)
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
///
/// A struct around the reader, not the bare function: an array of bare functions stores them in their most
/// general form (arguments and result passed indirectly), so every call would go through a reabstraction thunk
/// whose context, the wrapped reader, is retained and released around the call. Inside a struct the reader keeps
/// the form it was written in, and its context is empty (the readers capture nothing).
struct Extractor<Request>: Sendable {
    let read: @Sendable (UnsafePointer<Request>) -> FactValue

    @inline(__always)
    func callAsFunction(_ request: UnsafePointer<Request>) -> FactValue { read(request) }
}

/// The attribute readers of each decision point, without their descriptors (evaluation only needs these).
enum Extractors {
    static let dataRequest = AttributeTables.dataRequest.map { Extractor(read: $0.extract) }
    static let downstreamScenario = AttributeTables.downstreamScenario.map { Extractor(read: $0.extract) }
    static let productRelease = AttributeTables.productRelease.map { Extractor(read: $0.extract) }
    static let operatorEligibility = AttributeTables.operatorEligibility.map { Extractor(read: $0.extract) }
    static let plan = AttributeTables.plan.map { Extractor(read: $0.extract) }
    static let agreement = AttributeTables.agreement.map { Extractor(read: $0.extract) }
    static let pricing = AttributeTables.pricing.map { Extractor(read: $0.extract) }
    static let conduct = AttributeTables.conduct.map { Extractor(read: $0.extract) }
}

/// The compiled, indexed form of a policy. Immutable; shared between copies of a ``Policy``.
final class CompiledPolicy: Sendable {
    let id: String
    let version: String
    let digest: String
    let points: [CompiledPoint]
    let issues: [ValidationIssue]

    /// Compiles `rules`; `positions[i]` is the index of `rules[i]` in its file, for issue paths.
    init(
        id: String,
        version: String,
        digest: String,
        parameters: PolicyParameters,
        rules: [Rule],
        positions: [Int]? = nil
    ) {
        self.id = id
        self.version = version
        self.digest = digest
        var compiler = RuleCompiler(parameters: parameters)
        var points = Array(repeating: [CompiledRule](), count: DecisionPoint.allCases.count)
        var seen: [String: Int] = [:]
        // Equal article and obligation lists share one storage: a decision that copies them from several rules
        // retains one object that recent decisions have touched, not a cold one per rule (at 10,000 rules these
        // were cache misses).
        var sharedArticles: [[String]: [String]] = [:]
        var sharedObligations: [[Obligation]: [Obligation]] = [:]
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
            for (position, condition) in rule.conditions.enumerated() {
                let before = compiler.issues.count
                let compiled = compiler.compile(condition, table: table, path: "\(path).when[\(position)]")
                if compiler.issues.count > before {
                    // Fail closed: a broken deny/obligation rule always applies, a broken permit rule never does.
                    compiledConditions = [.constant(rule.kind != .permit)]
                    break
                }
                compiledConditions.append(compiled)
            }
            points[rule.point.ordinal].append(
                CompiledRule(
                    id: rule.id,
                    kind: rule.kind,
                    conditions: compiledConditions,
                    reason: Reason(
                        ruleID: rule.id,
                        articles: Self.shared(rule.articles, in: &sharedArticles),
                        message: rule.message
                    ),
                    obligations: Self.shared(rule.obligations, in: &sharedObligations)
                )
            )
        }
        self.points = zip(DecisionPoint.allCases, points).map { point, rules in
            CompiledPoint(rules: rules, table: point.attributes)
        }
        self.issues = compiler.issues
    }

    /// The first list equal to `list` that was passed with `lists`, so that equal lists share their storage.
    static func shared<Element: Hashable>(_ list: [Element], in lists: inout [[Element]: [Element]]) -> [Element] {
        if list.isEmpty { return [] }
        if let existing = lists[list] { return existing }
        lists[list] = list
        return list
    }

    /// The reason of a decision that no rule decides, shared by every such decision.
    let noApplicableReasons = [Reason(ruleID: Reason.noApplicableRuleID, articles: [], message: "no applicable rule")]

    func evaluate(_ request: PolicyRequest, at time: Date, indexed: Bool = true) -> Decision {
        // The request is borrowed: its payload is read in place, never copied (no reference counting).
        switch request {
        case .dataRequest(let value): decide(value, Extractors.dataRequest, .dataRequest, time, indexed)
        case .downstreamScenario(let value):
            decide(value, Extractors.downstreamScenario, .downstreamScenario, time, indexed)
        case .productRelease(let value): decide(value, Extractors.productRelease, .productRelease, time, indexed)
        case .operatorEligibility(let value):
            decide(value, Extractors.operatorEligibility, .operatorEligibility, time, indexed)
        case .plan(let value): decide(value, Extractors.plan, .plan, time, indexed)
        case .agreement(let value): decide(value, Extractors.agreement, .agreement, time, indexed)
        case .pricing(let value): decide(value, Extractors.pricing, .pricing, time, indexed)
        case .conduct(let value): decide(value, Extractors.conduct, .conduct, time, indexed)
        }
    }

    private func decide<R>(
        _ request: R,
        _ table: [Extractor<R>],
        _ point: DecisionPoint,
        _ time: Date,
        _ indexed: Bool
    ) -> Decision {
        let compiled = points[point.ordinal]
        let capacity = min(
            indexed ? compiled.maximumCandidates : max(1, compiled.rules.count),
            Matches.inlineCapacity
        )
        // Matched rule numbers, candidate words and facts live in temporary stack buffers: no allocation per
        // decision unless more rules match than the match buffer holds.
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: capacity) { buffer in
            withUnsafeTemporaryAllocation(of: Int64.self, capacity: FactCache.capacity) { facts in
                withUnsafeTemporaryAllocation(of: UInt64.self, capacity: compiled.maximumWords) { words in
                    withUnsafePointer(to: request) { pointer in
                        table.withUnsafeBufferPointer { table in
                            var cache = FactCache(values: facts.baseAddress)
                            var matches = Matches(buffer: buffer)
                            if indexed {
                                collectIndexed(pointer, table, compiled, &cache, &matches, words)
                            } else {
                                collectByScanning(pointer, table, compiled, &cache, &matches)
                            }
                            defer { matches.deallocate() }
                            return decision(compiled, &matches, time)
                        }
                    }
                }
            }
        }
    }

    /// The rules matched so far: each as its number times four plus its kind's code (``BucketBlock/code(_:)``),
    /// so that building the decision need not look the kind up again. They start in a caller-provided (stack)
    /// buffer of at most ``inlineCapacity`` entries and move to a heap buffer twice as large when it is full: a
    /// buffer sized for every rule that could match (the largest bucket of each shape, ~180 at 10,000 rules)
    /// would not fit the stack and cost an allocation per decision, where a request matches a few rules.
    struct Matches {
        /// The largest stack buffer a decision uses for its matches (1 KiB, the size up to which
        /// `withUnsafeTemporaryAllocation` stays on the stack).
        static let inlineCapacity = 128
        private(set) var buffer: UnsafeMutableBufferPointer<Int>
        /// Whether ``buffer`` was allocated by ``grow()`` (and must be deallocated).
        private(set) var onHeap = false
        var count = 0
        var anyDeny = false
        var anyPermit = false
        var ordered = true
        var last = -1
        var denies = 0
        var lastDeny = -1

        init(buffer: UnsafeMutableBufferPointer<Int>) { self.buffer = buffer }

        @inline(__always)
        mutating func add(_ rule: Int, _ kind: RuleKind) {
            if count == buffer.count { grow() }
            buffer[count] = rule &* 4 &+ Int(truncatingIfNeeded: BucketBlock.code(kind))
            count += 1
            if rule < last { ordered = false }
            last = rule
            switch kind {
            case .deny:
                anyDeny = true
                denies += 1
                lastDeny = rule
            case .permit: anyPermit = true
            case .obligation: break
            }
        }

        /// Moves the matches to a heap buffer twice as large.
        @inline(never)
        mutating func grow() {
            let larger = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(16, 2 &* buffer.count))
            _ = larger.initialize(fromContentsOf: buffer[0..<count])
            deallocate()
            buffer = larger
            onHeap = true
        }

        /// Frees the heap buffer, if any (the caller's buffer is the caller's).
        func deallocate() {
            if onHeap { buffer.deallocate() }
        }
    }

    /// Every rule of the point, in order, with its full conditions: the reference the index must agree with.
    private func collectByScanning<R>(
        _ request: UnsafePointer<R>,
        _ table: UnsafeBufferPointer<Extractor<R>>,
        _ compiled: CompiledPoint,
        _ cache: inout FactCache,
        _ matches: inout Matches
    ) {
        compiled.nodes.withUnsafeBufferPointer { nodes in
            for (index, header) in compiled.headers.enumerated()
            where allHold(header, nodes, compiled.stringSets, request, table, &cache) {
                matches.add(index, header.kind)
            }
        }
    }

    /// For each shape: the request's bucket, its tables ANDed into a candidate set, then the residual
    /// conditions of each candidate.
    private func collectIndexed<R>(
        _ request: UnsafePointer<R>,
        _ table: UnsafeBufferPointer<Extractor<R>>,
        _ compiled: CompiledPoint,
        _ cache: inout FactCache,
        _ matches: inout Matches,
        _ candidates: UnsafeMutableBufferPointer<UInt64>
    ) {
        // The number of each key attribute's value, read once: -2 unread, -1 missing or named by no rule.
        withUnsafeTemporaryAllocation(of: Int32.self, capacity: max(1, compiled.keyAttributes.count)) { numbers in
            numbers.initialize(repeating: -2)
            compiled.nodes.withUnsafeBufferPointer { nodes in
                compiled.blocks.withUnsafeBufferPointer { blocks in
                    compiled.shapes.withUnsafeBufferPointer { shapes in
                        compiled.groups.withUnsafeBufferPointer { groups in
                            compiled.groupMembers.withUnsafeBufferPointer { members in
                                compiled.table.withUnsafeBufferPointer { slots in
                                    compiled.direct.withUnsafeBufferPointer { direct in
                                        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 &* max(1, shapes.count))
                                        {
                                            found in
                                            // First every shape's bucket and its first word, then the buckets' work: the loads of
                                            // the buckets' first words do not wait for one another (at 10,000 rules they are
                                            // mostly cache misses).
                                            var buckets = 0
                                            for group in groups {
                                                if group.merged.directOffset >= 0 {
                                                    // One bucket for the whole group, or none; else each shape's.
                                                    let start = bucket(
                                                        of: group.merged,
                                                        request,
                                                        table,
                                                        compiled,
                                                        numbers,
                                                        slots,
                                                        direct
                                                    )
                                                    if start >= 0 {
                                                        found[buckets &* 2] = start
                                                        found[buckets &* 2 &+ 1] = Int(bitPattern: UInt(blocks[start]))
                                                        buckets &+= 1
                                                    }
                                                    if start != CompiledPolicy.keyMissing { continue }
                                                }
                                                let first = Int(group.first)
                                                for member in members[first..<(first &+ Int(group.count))] {
                                                    let start = bucket(
                                                        of: shapes[Int(member)],
                                                        request,
                                                        table,
                                                        compiled,
                                                        numbers,
                                                        slots,
                                                        direct
                                                    )
                                                    guard start >= 0 else { continue }
                                                    found[buckets &* 2] = start
                                                    found[buckets &* 2 &+ 1] = Int(bitPattern: UInt(blocks[start]))
                                                    buckets &+= 1
                                                }
                                            }
                                            for index in 0..<buckets {
                                                let start = found[index &* 2]
                                                let sizes = UInt64(UInt(bitPattern: found[index &* 2 &+ 1]))
                                                // Once a deny rule has matched, only deny rules can still fire.
                                                let denies = Int(truncatingIfNeeded: sizes >> 32)
                                                let all = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: sizes))
                                                let count = matches.anyDeny ? denies : all
                                                if count == 0 { continue }
                                                // Words per row, and the words of it that hold the rules checked.
                                                let stride = (all &+ 63) >> 6
                                                let words = (count &+ 63) >> 6
                                                let layout = blocks[start &+ 1]
                                                let tables = Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: layout))
                                                for word in 0..<words { candidates[word] = ~0 }
                                                if count % 64 != 0 {
                                                    candidates[words &- 1] = (1 << UInt64(count % 64)) &- 1
                                                }
                                                var alive = true
                                                for entry in blocks[(start &+ 2)..<(start &+ 2 &+ tables)] {
                                                    let rows = Int(truncatingIfNeeded: (entry >> 24) & 0xFF)
                                                    let row: Int
                                                    if entry & BucketBlock.pairFlag != 0 {
                                                        let across = Int(truncatingIfNeeded: (entry >> 20) & 0xF)
                                                        let first = BucketBlock.valueRow(
                                                            cache.number(
                                                                Int(truncatingIfNeeded: entry & 0xFF),
                                                                request,
                                                                table
                                                            ),
                                                            symbol: entry & BucketBlock.symbolFlag != 0,
                                                            rows: rows / across
                                                        )
                                                        let second = BucketBlock.valueRow(
                                                            cache.number(
                                                                Int(truncatingIfNeeded: (entry >> 8) & 0xFF),
                                                                request,
                                                                table
                                                            ),
                                                            symbol: entry & BucketBlock.secondSymbolFlag != 0,
                                                            rows: across
                                                        )
                                                        row = first &* across &+ second
                                                    } else if let value = cache.number(
                                                        Int(truncatingIfNeeded: entry & 0xFFFF),
                                                        request,
                                                        table
                                                    ) {
                                                        if entry & BucketBlock.symbolFlag != 0 {
                                                            row = UInt64(bitPattern: value).trailingZeroBitCount
                                                        } else if entry & BucketBlock.intFlag != 0 {
                                                            let rowsStart =
                                                                start &+ Int(truncatingIfNeeded: entry >> 32)
                                                            row = BucketBlock.intRow(
                                                                value,
                                                                blocks[(rowsStart &- (rows &- 2) / 2)..<rowsStart]
                                                            )
                                                        } else {
                                                            row = Int(value)
                                                        }
                                                    } else {
                                                        row = rows &- 1
                                                    }
                                                    let base =
                                                        start &+ Int(truncatingIfNeeded: entry >> 32) &+ min(
                                                            row,
                                                            rows &- 1
                                                        )
                                                        &* stride
                                                    var any: UInt64 = 0
                                                    for word in 0..<words {
                                                        candidates[word] &= blocks[base &+ word]
                                                        any |= candidates[word]
                                                    }
                                                    if any == 0 {
                                                        alive = false
                                                        break
                                                    }
                                                }
                                                guard alive else { continue }
                                                let rules = start &+ Int(truncatingIfNeeded: layout >> 32)
                                                survivors: for word in 0..<words {
                                                    var bits = candidates[word]
                                                    while bits != 0 {
                                                        let position = word &* 64 &+ bits.trailingZeroBitCount
                                                        // Past the deny part with a deny matched: nothing left can fire.
                                                        if position >= denies && matches.anyDeny { break survivors }
                                                        let at = rules &+ 2 &* position
                                                        bits &= bits &- 1
                                                        let number = blocks[at]
                                                        let residual = blocks[at &+ 1]
                                                        let kind = BucketBlock.kind(residual >> 32)
                                                        let conditions = Int32(truncatingIfNeeded: number >> 32)
                                                        if conditions == 0
                                                            || allHold(
                                                                RuleHeader(
                                                                    kind: kind,
                                                                    first: Int32(truncatingIfNeeded: residual),
                                                                    count: conditions
                                                                ),
                                                                nodes,
                                                                compiled.stringSets,
                                                                request,
                                                                table,
                                                                &cache
                                                            )
                                                        {
                                                            matches.add(
                                                                Int(
                                                                    truncatingIfNeeded: UInt32(
                                                                        truncatingIfNeeded: number
                                                                    )
                                                                ),
                                                                kind
                                                            )
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// What ``bucket(of:_:_:_:_:_:_:)`` returns when the request has no bucket because one of the shape's key
    /// values is missing or named by no rule.
    static let keyMissing = -2

    /// The start of the request's bucket's block in `shape`; -1 when no rule names the request's key values
    /// together, ``keyMissing`` when one of them is missing or named by no rule.
    @inline(__always)
    private func bucket<R>(
        of shape: ShapeInfo,
        _ request: UnsafePointer<R>,
        _ table: UnsafeBufferPointer<Extractor<R>>,
        _ compiled: CompiledPoint,
        _ numbers: UnsafeMutableBufferPointer<Int32>,
        _ slots: UnsafeBufferPointer<UInt64>,
        _ direct: UnsafeBufferPointer<UInt32>
    ) -> Int {
        var low: UInt64 = 0
        var high: UInt64 = 0
        for slot in 0..<Int(shape.count) {
            let position = Int(shape[slot])
            var number = numbers[position]
            if number == -2 {
                number = -1
                if case .string(let value) = table[Int(compiled.keyAttributes[position])](request) {
                    number = compiled.keyValues[position][value] ?? -1
                }
                numbers[position] = number
            }
            if number < 0 { return CompiledPolicy.keyMissing }
            if shape.directOffset >= 0 {
                low &+= UInt64(UInt32(bitPattern: number)) &* UInt64(UInt32(bitPattern: shape.stride(slot)))
                continue
            }
            let shifted = UInt64(UInt32(bitPattern: number)) << UInt64(32 * (slot % 2))
            if slot < 2 { low |= shifted } else { high |= shifted }
        }
        if shape.directOffset >= 0 {
            let found = direct[Int(shape.directOffset) &+ Int(truncatingIfNeeded: low)]
            return Int(truncatingIfNeeded: found) &- 1
        }
        let mask = Int(shape.tableMask)
        let offset = Int(shape.tableOffset)
        var probe = ShapeInfo.hash(low, high) & mask
        while true {
            let at = 3 &* (offset &+ probe)
            let found = slots[at]
            if found == 0 { return -1 }
            if slots[at &+ 1] == low && slots[at &+ 2] == high { return Int(truncatingIfNeeded: found) &- 1 }
            probe = (probe &+ 1) & mask
        }
    }

    @inline(__always)
    private func allHold<R>(
        _ header: RuleHeader,
        _ nodes: UnsafeBufferPointer<ConditionNode>,
        _ stringSets: [[String]],
        _ request: UnsafePointer<R>,
        _ table: UnsafeBufferPointer<Extractor<R>>,
        _ cache: inout FactCache
    ) -> Bool {
        var position = Int(header.first)
        let end = position + Int(header.count)
        while position < end {
            if !holds(position, nodes, stringSets, request, table, &cache) { return false }
            position += 1
        }
        return true
    }

    private func decision(_ compiled: CompiledPoint, _ matches: inout Matches, _ time: Date) -> Decision {
        var matched = UnsafeMutableBufferPointer(rebasing: matches.buffer[0..<matches.count])
        if !matches.ordered { matched.sort() }
        if matches.denies == 1 {
            let rule = compiled.rules[matches.lastDeny]
            return Decision(
                effect: .deny,
                obligations: [],
                reasons: rule.reasons,
                firedRules: rule.fired,
                policyID: id,
                policyVersion: version,
                policyDigest: digest,
                evaluatedAt: time
            )
        }
        if matches.anyDeny {
            return Decision(
                effect: .deny,
                obligations: [],
                reasons: Self.reasons(of: matched, count: matches.denies, onlyDenies: true, compiled.reasons),
                firedRules: Self.ids(of: matched, count: matches.denies, onlyDenies: true, compiled.reasons),
                policyID: id,
                policyVersion: version,
                policyDigest: digest,
                evaluatedAt: time
            )
        }
        guard matches.anyPermit else {
            return Decision(
                effect: .deny,
                obligations: [],
                reasons: noApplicableReasons,
                firedRules: [],
                policyID: id,
                policyVersion: version,
                policyDigest: digest,
                evaluatedAt: time
            )
        }
        if matched.count == 1 {
            let rule = compiled.rules[matched[0] / 4]
            return Decision(
                effect: .permit,
                obligations: rule.uniqueObligations,
                reasons: rule.reasons,
                firedRules: rule.fired,
                policyID: id,
                policyVersion: version,
                policyDigest: digest,
                evaluatedAt: time
            )
        }
        // The first rule with obligations lends its list; later rules' obligations are appended when new.
        var obligations: [Obligation] = []
        compiled.duties.withUnsafeBufferPointer { duties in
            for entry in matched {
                let duty = duties[entry / 4]
                guard !duty.isEmpty else { continue }
                if obligations.isEmpty {
                    obligations = duty
                    continue
                }
                for obligation in duty where !obligations.contains(obligation) { obligations.append(obligation) }
            }
        }
        return Decision(
            effect: .permit,
            obligations: obligations,
            reasons: Self.reasons(of: matched, count: matched.count, onlyDenies: false, compiled.reasons),
            firedRules: Self.ids(of: matched, count: matched.count, onlyDenies: false, compiled.reasons),
            policyID: id,
            policyVersion: version,
            policyDigest: digest,
            evaluatedAt: time
        )
    }

    /// The reasons of the `count` matched rules (the deny rules only when `onlyDenies`), in order, copied from the
    /// point's reason array. (Appending to a reserved array: `Array(unsafeUninitializedCapacity:)` looked up the
    /// array's generic metadata at run time on every call.)
    @inline(__always)
    private static func reasons(
        of matched: UnsafeMutableBufferPointer<Int>,
        count: Int,
        onlyDenies: Bool,
        _ reasons: [Reason]
    ) -> [Reason] {
        var result: [Reason] = []
        result.reserveCapacity(count)
        reasons.withUnsafeBufferPointer { reasons in
            for entry in matched where !onlyDenies || UInt64(entry & 3) == BucketBlock.code(.deny) {
                result.append(reasons[entry / 4])
            }
        }
        return result
    }

    /// The rule ids of the `count` matched rules (see ``reasons(of:count:onlyDenies:_:)``).
    @inline(__always)
    private static func ids(
        of matched: UnsafeMutableBufferPointer<Int>,
        count: Int,
        onlyDenies: Bool,
        _ reasons: [Reason]
    ) -> [String] {
        var result: [String] = []
        result.reserveCapacity(count)
        reasons.withUnsafeBufferPointer { reasons in
            for entry in matched where !onlyDenies || UInt64(entry & 3) == BucketBlock.code(.deny) {
                result.append(reasons[entry / 4].ruleID)
            }
        }
        return result
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
        case .attributesEqual, .attributesNotEqual, .attributesGreaterThan, .attributesAtLeast, .attributesLessThan,
            .attributesAtMost, .attributesIntersect, .attributesDisjoint:
            guard let left = cache.number(Int(node.attribute), request, table),
                let right = cache.number(Int(node.value), request, table)
            else { return false }
            switch node.op {
            case .attributesEqual: return left == right
            case .attributesNotEqual: return left != right
            case .attributesGreaterThan: return left > right
            case .attributesAtLeast: return left >= right
            case .attributesLessThan: return left < right
            case .attributesAtMost: return left <= right
            case .attributesIntersect: return left & right != 0
            default: return left & right == 0
            }
        case .stringsEqual, .stringsDiffer:
            guard case .string(let left) = table[Int(node.attribute)](request),
                case .string(let right) = table[Int(node.value)](request)
            else { return false }
            return (left == right) == (node.op == .stringsEqual)
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
            if case .attribute(let otherName) = operand {
                return compareAttributes(attribute, op, otherName, table: table, path: operandPath)
            }
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

    /// A comparison of two attributes of the request: numbers (int with int, ordered vocabulary with the same
    /// vocabulary), equality of bools, strings and vocabulary values, a vocabulary value in a set of the same
    /// vocabulary, or two such sets intersecting.
    private mutating func compareAttributes(
        _ left: Int,
        _ op: ComparisonOperator,
        _ rightName: String,
        table: [AttributeDescriptor],
        path: String
    ) -> CompiledCondition {
        let leftName = table[left].name
        guard let right = table.firstIndex(where: { $0.name == rightName }) else {
            let known = table.map(\.name).joined(separator: ", ")
            issue("\(path).attribute", "unknown attribute \"\(rightName)\" for this decision point; known: \(known)")
            return .constant(false)
        }
        guard right != left else {
            issue("\(path).attribute", "\(leftName) is compared with itself")
            return .constant(false)
        }
        let leftType = table[left].type
        let rightType = table[right].type
        func mismatch() -> CompiledCondition {
            issue(
                path,
                "operator \"\(op.rawValue)\" cannot compare \(leftName) (\(leftType)) with \(rightName) (\(rightType))"
            )
            return .constant(false)
        }
        let ordering: IntComparison?
        switch op {
        case .equals: ordering = .equals
        case .notEquals: ordering = .notEquals
        case .greaterThan: ordering = .greaterThan
        case .atLeast: ordering = .atLeast
        case .lessThan: ordering = .lessThan
        case .atMost: ordering = .atMost
        case .in, .notIn, .intersects: ordering = nil
        }
        switch (leftType, rightType) {
        case (.int, .int):
            guard let ordering else { return mismatch() }
            return .attributes(left, .numbers(ordering), right)
        case (.bool, .bool):
            guard op == .equals || op == .notEquals, let ordering else { return mismatch() }
            return .attributes(left, .numbers(ordering), right)
        case (.string, .string):
            guard op == .equals || op == .notEquals else { return mismatch() }
            return .attributes(left, .strings(equal: op == .equals), right)
        case (.symbol(let a), .symbol(let b)) where a == b:
            guard let ordering else { return mismatch() }
            guard op == .equals || op == .notEquals || a.isOrdered else {
                issue(path, "operator \"\(op.rawValue)\" needs an ordered vocabulary; \(a.rawValue) has no order")
                return .constant(false)
            }
            return .attributes(left, .numbers(ordering), right)
        case (.symbol(let a), .symbolSet(let b)) where a == b:
            guard op == .in || op == .notIn else { return mismatch() }
            return .attributes(left, op == .in ? .intersects : .disjoint, right)
        case (.symbolSet(let a), .symbolSet(let b)) where a == b:
            guard op == .intersects else { return mismatch() }
            return .attributes(left, .intersects, right)
        default:
            return mismatch()
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
