import Foundation

/// The outcome of a policy decision: permit or deny.
///
/// Precedence is fixed: a single matching deny rule overrides every permit rule, and a request that no
/// permit rule covers is denied ("fail closed").
public enum Effect: String, Codable, Sendable, CaseIterable, Hashable {
    /// The request may proceed, subject to the decision's obligations.
    case permit
    /// The request is refused; the decision's reasons say why.
    case deny
}

/// The kind of duty that a permit attaches to the request it allows.
public enum ObligationKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// Deliver the data only by privacy computing ("usable but invisible", Art. 16, Art. 28).
    case privacyComputingOnly = "privacy_computing_only"
    /// Anonymize personal information before use (Art. 26).
    case anonymizePersonalInformation = "anonymize_personal_information"
    /// The industry department must co-review the application scenario (Art. 16).
    case industryCoReview = "industry_co_review"
    /// File the scenario with the implementing agency (Art. 20).
    case fileScenario = "file_scenario"
    /// Use only the fields the scenario needs (minimal authorization, 87号 §6).
    case minimalFields = "minimal_fields"
    /// Use personal information only within the data subject's consent (Art. 26).
    case useWithinConsent = "use_within_consent"
    /// File the released product or service (with the implementing agency, or with the operator, Art. 27).
    case fileProduct = "file_product"
    /// File the agreement with the data administration (Art. 13).
    case fileAgreement = "file_agreement"
    /// The municipal government must approve the plan before it is implemented (Art. 11).
    case municipalApproval = "municipal_approval"
    /// Provide the product free of charge, with conditions (Art. 22).
    case freeOfCharge = "free_of_charge"
    /// Charge at or below the government-guided price cap (Art. 22, 65号).
    case guidedPrice = "guided_price"
    /// Publish the fees charged (65号).
    case publishFees = "publish_fees"
    /// Apply enhanced security measures for important data (Art. 28).
    case enhancedSecurity = "enhanced_security"
}

/// A duty attached to a permit, with the article it comes from.
///
/// ```swift
/// let duty = Obligation(kind: .privacyComputingOnly, detail: "conditional-share data", article: "Art. 16")
/// ```
public struct Obligation: Codable, Sendable, Hashable, CustomStringConvertible {
    /// What must be done.
    public var kind: ObligationKind
    /// Optional plain-words detail, e.g. a deadline.
    public var detail: String?
    /// The article that imposes the duty, e.g. `"Art. 16"`.
    public var article: String

    /// Creates an obligation.
    /// - Parameters:
    ///   - kind: What must be done.
    ///   - detail: Optional plain-words detail.
    ///   - article: The article that imposes the duty.
    public init(kind: ObligationKind, detail: String? = nil, article: String) {
        self.kind = kind
        self.detail = detail
        self.article = article
    }

    /// `kind (article)` followed by the detail, if any.
    public var description: String {
        "\(kind.rawValue) (\(article))" + (detail.map { ": \($0)" } ?? "")
    }
}

/// Why a decision came out as it did: the rule that fired, the articles it cites and a message.
public struct Reason: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The id of the rule that produced this reason, or ``Reason/noApplicableRuleID``.
    public var ruleID: String
    /// The cited articles, e.g. `["Art. 16"]` or `["65号"]`.
    public var articles: [String]
    /// The explanation in plain words.
    public var message: String

    /// The rule id of the reason given when no rule applies (fail closed).
    public static let noApplicableRuleID = "no-applicable-rule"

    /// Creates a reason.
    /// - Parameters:
    ///   - ruleID: The rule's id.
    ///   - articles: The cited articles.
    ///   - message: The explanation.
    public init(ruleID: String, articles: [String], message: String) {
        self.ruleID = ruleID
        self.articles = articles
        self.message = message
    }

    /// `[rule] message (articles)`.
    public var description: String {
        "[\(ruleID)] \(message)" + (articles.isEmpty ? "" : " (\(articles.joined(separator: ", ")))")
    }
}

extension Sequence<Reason> {
    /// Every article the reasons cite, in order of first appearance, without duplicates.
    public var citedArticles: [String] { uniqueArticles(lazy.flatMap(\.articles)) }
}

/// `articles` in order of first appearance, without duplicates.
func uniqueArticles(_ articles: some Sequence<String>) -> [String] {
    var seen: Set<String> = []
    return articles.filter { seen.insert($0).inserted }
}

/// The answer to a policy request: an effect, the obligations of a permit, and the reasons.
///
/// A "no" is a value, never a thrown error. Decisions are deterministic: the same policy, request and
/// time always give an equal decision.
///
/// ```swift
/// let decision = Policy.beijingDefault.evaluate(.dataRequest(request), at: now)
/// if decision.isPermit { deliver(obligations: decision.obligations) } else { print(decision.reasons) }
/// ```
public struct Decision: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Permit or deny.
    public var effect: Effect
    /// The duties attached to a permit, in rule order, without duplicates; empty for a deny.
    public var obligations: [Obligation]
    /// Why: for a deny, every deny rule that matched; for a permit, the permit and obligation rules.
    public var reasons: [Reason]
    /// The ids of the rules that contributed to the decision, in policy order.
    public var firedRules: [String]
    /// The id of the policy that decided.
    public var policyID: String
    /// The version label of the policy that decided.
    public var policyVersion: String
    /// The content digest of the policy that decided (``Policy/digest``, Art. 35), so an auditor can prove which
    /// rules applied; `nil` in decisions recorded before digests were kept.
    public var policyDigest: String?
    /// The evaluation time passed in by the caller (no clock is read).
    public var evaluatedAt: Date

    /// Creates a decision.
    /// - Parameters:
    ///   - effect: Permit or deny.
    ///   - obligations: The duties of a permit.
    ///   - reasons: The reasons.
    ///   - firedRules: The contributing rule ids.
    ///   - policyID: The policy's id.
    ///   - policyVersion: The policy's version label.
    ///   - policyDigest: The policy's content digest.
    ///   - evaluatedAt: The evaluation time.
    public init(
        effect: Effect,
        obligations: [Obligation],
        reasons: [Reason],
        firedRules: [String],
        policyID: String,
        policyVersion: String,
        policyDigest: String? = nil,
        evaluatedAt: Date
    ) {
        self.effect = effect
        self.obligations = obligations
        self.reasons = reasons
        self.firedRules = firedRules
        self.policyID = policyID
        self.policyVersion = policyVersion
        self.policyDigest = policyDigest
        self.evaluatedAt = evaluatedAt
    }

    /// Whether the effect is ``Effect/permit``.
    public var isPermit: Bool { effect == .permit }

    /// Every article cited by the reasons and obligations, in order of first appearance, without duplicates.
    public var citedArticles: [String] { uniqueArticles(reasons.flatMap(\.articles) + obligations.map(\.article)) }

    /// The obligation kinds, in order, without duplicates.
    public var obligationKinds: [ObligationKind] {
        var seen: Set<ObligationKind> = []
        return obligations.map(\.kind).filter { seen.insert($0).inserted }
    }

    /// Whether the decision was a deny because no rule applied.
    public var isNoApplicableRule: Bool {
        effect == .deny && reasons.count == 1 && reasons[0].ruleID == Reason.noApplicableRuleID
    }

    /// A multi-line explanation: effect, policy, reasons and obligations.
    public var description: String {
        var lines = ["\(effect.rawValue) by \(policyID)@\(policyVersion)"]
        lines += reasons.map { "  reason: \($0)" }
        lines += obligations.map { "  obligation: \($0)" }
        return lines.joined(separator: "\n")
    }
}
