import Foundation
import PublicDataModel
import PublicDataPolicy

/// The parties that hold the city-wide roles, so that notifications reach a real party.
///
/// Notifications to a process's own parties (the operator, the agency, the provider) go to those parties;
/// notifications to an authority role go to the party listed here, or to a party named after the role's raw
/// value (e.g. `data_administration`) when none is listed.
public struct AuthorityDirectory: Sendable, Hashable, Codable {
    /// The party for each authority role.
    public var parties: [Role: PartyID]

    /// Creates a directory.
    public init(_ parties: [Role: PartyID] = [:]) {
        self.parties = parties
    }

    /// The party holding `role`.
    public func party(for role: Role) -> PartyID {
        parties[role] ?? PartyID(role.rawValue)
    }
}

/// The agreement facts a policy request needs: its terms and status.
struct AgreementContext: Sendable, Hashable {
    var terms: AgreementTerms
    var status: AgreementStatus
}

extension Decision {
    /// Whether the permit requires the industry department's co-review (Art. 16, conditional share).
    public var requiresCoReview: Bool { isPermit && obligationKinds.contains(.industryCoReview) }

    /// Combines per-entry decisions into one: deny if any denies (with every denying reason), otherwise
    /// permit with every obligation; rules and reasons keep their first-seen order.
    static func combining(_ decisions: [Decision], policy: Policy, at time: Date) -> Decision {
        let denied = decisions.filter { !$0.isPermit }
        let relevant = denied.isEmpty ? decisions : denied
        var obligations: [Obligation] = []
        var reasons: [Reason] = []
        var rules: [String] = []
        for decision in relevant {
            for obligation in decision.obligations where denied.isEmpty && !obligations.contains(obligation) {
                obligations.append(obligation)
            }
            for reason in decision.reasons where !reasons.contains(reason) { reasons.append(reason) }
            for rule in decision.firedRules where !rules.contains(rule) { rules.append(rule) }
        }
        return Decision(
            effect: denied.isEmpty && !decisions.isEmpty ? .permit : .deny,
            obligations: obligations,
            reasons: reasons,
            firedRules: rules,
            policyID: policy.id,
            policyVersion: policy.version,
            policyDigest: policy.digest,
            evaluatedAt: time
        )
    }
}
