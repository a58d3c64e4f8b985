import Foundation
import PublicDataModel
import PublicDataPolicy

/// Generated rule sets and requests for measuring and checking the policy engine at scale.
///
/// ``realisticPolicy(rules:seed:)`` is shaped like a deployment's local rules: every rule is scoped to one of
/// ``organisations`` requesting operators and/or one of ``domains`` owning departments (keys shared by many
/// rules), carries about eight conditions (vocabulary sets, flags, a field-count bound, an `any` group, an
/// attribute-to-attribute comparison), and several rules are in scope of every request once the policy is
/// large. ``bestCasePolicy(rules:)`` is the opposite: every rule keys on its own unique id, so a request only
/// ever meets a handful. Both are deterministic for a given size and seed.
///
/// ```swift
/// let policy = PolicyWorkloads.realisticPolicy(rules: 10_000)
/// for request in PolicyWorkloads.realisticRequests(count: 64) {
///     print(policy.evaluate(request, at: PolicyFixtures.time).effect)
/// }
/// ```
public enum PolicyWorkloads {
    /// How many requesting operators the realistic rules are scoped to.
    public static let organisations = 20
    /// How many owning departments (data domains) the realistic rules are scoped to.
    public static let domains = 25
    /// The seed used when none is given.
    public static let defaultSeed: UInt64 = 17

    /// A policy of `rules` data-request rules shaped like a real deployment's (see the type's summary).
    /// - Parameters:
    ///   - rules: How many rules (at least 1).
    ///   - seed: The generator's seed; the same seed gives the same policy.
    /// - Returns: A valid policy.
    public static func realisticPolicy(rules: Int, seed: UInt64 = defaultSeed) -> Policy {
        var random = SplitMix64(seed: seed)
        var generated: [Rule] = []
        generated.reserveCapacity(rules)
        for index in 0..<max(1, rules) {
            var conditions: [Condition] = []
            let scope = random.below(100)
            if scope < 85 {
                conditions.append(.equals("request.operator", .string(organisation(random.below(organisations)))))
            }
            if scope < 75 || scope >= 85 {
                conditions.append(.equals("entry.owningDepartment", .string(domain(random.below(domains)))))
            }
            conditions.append(.in("request.purpose", .strings(random.subset(of: Purpose.allCases, atMost: 3))))
            conditions.append(.in("request.delivery", .strings(random.subset(of: DeliveryMethod.allCases, atMost: 4))))
            conditions.append(.in("entry.grade", .strings(random.subset(of: DataGrade.allCases, atMost: 2))))
            conditions.append(.equals("agreement.status", "active"))
            if random.below(2) == 0 {
                conditions.append(
                    .in("entry.sharing", .strings(random.subset(of: SharingAttribute.allCases, atMost: 2)))
                )
            } else {
                conditions.append(.equals("request.anonymized", .bool(random.below(2) == 0)))
            }
            conditions.append(
                .compare(attribute: "request.fieldCount", op: .atMost, operand: .int(1 + random.below(6)))
            )
            switch random.below(3) {
            case 0:
                conditions.append(
                    .any([.equals("request.dataSubjectConsent", true), .equals("request.anonymized", true)])
                )
            case 1:
                conditions.append(.equals("agreement.coversDay", true))
            default:
                conditions.append(.not(.equals("entry.containsSensitivePersonalInformation", true)))
            }
            if index % 4 == 0 {
                // A comparison of two request attributes (drawn without consuming the generator, so that the
                // other conditions stay as they were).
                conditions.append(
                    .compare(attribute: "request.fieldCount", op: .atMost, operand: .attribute("entry.fieldCount"))
                )
            }
            let kind = random.below(10)
            if kind < 5 {
                generated.append(
                    Rule(
                        id: "local.permit-\(index)",
                        point: .dataRequest,
                        kind: .permit,
                        conditions: conditions,
                        articles: ["Art. 16"],
                        message: "local grant \(index)"
                    )
                )
            } else if kind < 8 {
                generated.append(
                    Rule(
                        id: "local.deny-\(index)",
                        point: .dataRequest,
                        kind: .deny,
                        conditions: conditions,
                        articles: ["Art. 16"],
                        message: "local restriction \(index)"
                    )
                )
            } else {
                generated.append(
                    Rule(
                        id: "local.duty-\(index)",
                        point: .dataRequest,
                        kind: .obligation,
                        conditions: conditions,
                        articles: ["Art. 20"],
                        message: "local duty \(index)",
                        obligations: [Obligation(kind: .fileScenario, detail: "duty \(index % 7)", article: "Art. 20")]
                    )
                )
            }
        }
        return Policy(id: "realistic-\(rules)", version: "1", rules: generated)
    }

    /// `count` varied data requests over the realistic policy's organisations and domains.
    /// - Parameters:
    ///   - count: How many requests.
    ///   - seed: The generator's seed; the same seed gives the same requests.
    /// - Returns: Data requests wrapped as `PolicyRequest` values.
    public static func realisticRequests(count: Int, seed: UInt64 = defaultSeed &+ 1) -> [PolicyRequest] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { index in
            let entry = CatalogEntry(
                id: CatalogEntryID("entry-\(random.below(500))"),
                name: "entry",
                owningDepartment: PartyID(domain(random.below(domains))),
                sharing: SharingAttribute.allCases[random.below(SharingAttribute.allCases.count)],
                openness: OpenAttribute.allCases[random.below(OpenAttribute.allCases.count)],
                grade: DataGrade.allCases[random.below(2)],
                containsPersonalInformation: random.below(2) == 0,
                containsSensitivePersonalInformation: random.below(5) == 0,
                fields: (0..<6).map { CatalogField(name: "field\($0)") }
            )
            let operatorParty = PartyID(organisation(random.below(organisations)))
            let fields = (0..<(1 + random.below(5))).map { "field\($0)" }
            var agreement = PolicyFixtures.agreement(entries: [entry.id])
            agreement.operatorParty = operatorParty
            let request = DataAccessRequest(
                requestID: DataRequestID("req-\(index)"),
                operatorParty: operatorParty,
                entry: entry,
                agreement: agreement,
                agreementStatus: random.below(10) == 0 ? .suspended : .active,
                requestedFields: fields,
                neededFields: fields,
                purpose: Purpose.allCases[random.below(Purpose.allCases.count)],
                delivery: DeliveryMethod.allCases[random.below(DeliveryMethod.allCases.count)],
                anonymized: random.below(2) == 0,
                dataSubjectConsent: random.below(2) == 0,
                providerConsent: true,
                day: PolicyFixtures.day
            )
            return .dataRequest(request)
        }
    }

    /// `rules` rules that each key on a unique catalog entry, operator or product (one or two conditions),
    /// plus one generic permit: a request meets only the few rules of its own keys.
    /// - Parameter rules: How many rules (at least 1).
    /// - Returns: A valid policy.
    public static func bestCasePolicy(rules: Int) -> Policy {
        Policy(id: "best-case-\(rules)", version: "1") {
            Rule(permit: "gen.permit", at: .dataRequest, articles: ["Art. 16"], message: "generic grant") {
                Condition.notEquals("entry.grade", "core")
            }
            for index in 0..<(max(1, rules) - 1) {
                switch index % 4 {
                case 0:
                    Rule(deny: "gen.entry-\(index)", at: .dataRequest, articles: ["Art. 16"], message: "local") {
                        Condition.equals("entry.id", .string("gen-entry-\(index)"))
                        Condition.equals("request.purpose", "sector_development")
                    }
                case 1:
                    Rule(
                        obligation: "gen.operator-\(index)",
                        at: .dataRequest,
                        articles: ["Art. 20"],
                        message: "local duty",
                        obligations: [Obligation(kind: .fileScenario, article: "Art. 20")]
                    ) {
                        Condition.equals("request.operator", .string("gen-op-\(index)"))
                    }
                case 2:
                    Rule(deny: "gen.product-\(index)", at: .productRelease, articles: ["Art. 27"], message: "local") {
                        Condition.equals("product.id", .string("gen-prd-\(index)"))
                    }
                default:
                    Rule(deny: "gen.price-\(index)", at: .pricing, articles: ["Art. 22"], message: "local") {
                        Condition.equals("product.id", .string("gen-prd-\(index)"))
                        Condition.equals("request.chargeRequested", true)
                    }
                }
            }
        }
    }

    /// The best-case policy's request: entry `gen-entry-0` by operator `gen-op-1` (a permit with two fired
    /// rules).
    public static func bestCaseRequest() -> PolicyRequest {
        var request = PolicyFixtures.dataRequest(entry: PolicyFixtures.entry(id: "gen-entry-0"))
        request.operatorParty = "gen-op-1"
        request.agreement.operatorParty = "gen-op-1"
        return .dataRequest(request)
    }

    private static func organisation(_ number: Int) -> String { "org-\(number)" }
    private static func domain(_ number: Int) -> String { "dept-\(number)" }
}

/// SplitMix64: small, fast, and the same sequence on every platform.
private struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A number in `0..<bound`.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// One to `atMost` distinct raw values of `cases`, in declaration order.
    mutating func subset<T: RawRepresentable>(of cases: [T], atMost: Int) -> [String] where T.RawValue == String {
        let size = 1 + below(min(atMost, cases.count))
        var chosen = Set<Int>()
        while chosen.count < size { chosen.insert(below(cases.count)) }
        return chosen.sorted().map { cases[$0].rawValue }
    }
}
