import Foundation
import PublicDataModel
import PublicDataPolicy

/// What a proposed policy would do to the live record: the live grants, products and scenarios it would no
/// longer allow, and the refused requests it would now grant — grouped by rule and article, with counts.
///
/// The live objects are judged exactly as the policy monitor judges them when the policy is adopted
/// (``MonitorTrigger/policyAdopted(policy:version:)``), on the same day, so ``wouldSuspend`` is the list the
/// monitor acts on.
public struct PolicyImpact: Sendable, Hashable, Codable {
    /// A refused request that the proposed policy would permit.
    public struct Permit: Sendable, Hashable, Codable {
        /// The data request's, product's or scenario's stream.
        public var stream: StreamID
        /// The reasons of the recorded denial.
        public var deniedBy: [Reason]
        /// The proposed policy's decision.
        public var decision: Decision
    }

    /// A count of objects under one rule id or article.
    public struct Count: Sendable, Hashable, Codable {
        /// The rule id or the article.
        public var key: String
        /// The number of objects.
        public var count: Int

        /// Creates a count.
        public init(key: String, count: Int) {
            self.key = key
            self.count = count
        }
    }

    /// The policy the engine runs, `id@version`.
    public var currentPolicy: String
    /// The proposed policy, `id@version`.
    public var proposedPolicy: String
    /// The day judged.
    public var day: CivilDate
    /// Every live object judged.
    public var judged: [StreamID]
    /// The live objects the proposed policy would no longer allow (the monitor suspends exactly these on
    /// adoption).
    public var wouldSuspend: [MonitorFinding]
    /// The refused requests the proposed policy would permit.
    public var wouldPermit: [Permit]
    /// The objects that would be suspended, per rule id of their reasons.
    public var suspensionsByRule: [Count]
    /// The objects that would be suspended, per article their reasons cite.
    public var suspensionsByArticle: [Count]
    /// The refused requests that would be permitted, per rule id of their recorded denial.
    public var permitsByRule: [Count]

    /// The impact as a Markdown report.
    public func markdown() -> String {
        var lines = [
            "# Policy impact: \(proposedPolicy) over the record (running \(currentPolicy))", "",
            "Day judged: \(day). Live objects judged: \(judged.count). Would be suspended: \(wouldSuspend.count). "
                + "Refused requests that would be permitted: \(wouldPermit.count).", "",
        ]
        func table(_ title: String, _ counts: [Count]) {
            guard !counts.isEmpty else { return }
            lines += ["## \(title)", "", "| key | objects |", "|---|---|"]
            lines += counts.map { "| \($0.key) | \($0.count) |" }
            lines.append("")
        }
        table("Suspensions by rule", suspensionsByRule)
        table("Suspensions by article", suspensionsByArticle)
        table("Permits by the rule that denied them", permitsByRule)
        if !wouldSuspend.isEmpty {
            lines += ["## Would be suspended", ""]
            lines += wouldSuspend.map { "- \($0.stream): " + $0.reasons.map(\.description).joined(separator: "; ") }
            lines.append("")
        }
        if !wouldPermit.isEmpty {
            lines += ["## Would be permitted", ""]
            lines += wouldPermit.map {
                "- \($0.stream): denied by " + $0.deniedBy.map(\.ruleID).joined(separator: ", ")
            }
            lines.append("")
        }
        return lines.joined(separator: "\n")
    }

    static func counts(_ groups: [[String]]) -> [Count] {
        var counts: [String: Int] = [:]
        for group in groups {
            for key in Set(group) { counts[key, default: 0] += 1 }
        }
        return counts.map { Count(key: $0.key, count: $0.value) }.sorted {
            $0.count != $1.count ? $0.count > $1.count : $0.key < $1.key
        }
    }
}

extension WorkflowEngine {
    /// Judges the live record under `proposed` without recording anything: the live grants, products and
    /// scenarios it would suspend (exactly as the policy monitor would on its adoption today) and the refused
    /// data requests, product releases and scenarios it would now permit.
    ///
    /// ```swift
    /// let impact = try await engine.policyImpact(of: proposedPolicy)
    /// print(impact.markdown())
    /// ```
    /// - Parameter proposed: The proposed policy.
    /// - Returns: The impact, grouped by rule and article.
    /// - Throws: ``WorkflowError`` (`store`, `corruptEvent`).
    public func policyImpact(of proposed: Policy) async throws(WorkflowError) -> PolicyImpact {
        let now = clock.now()
        let today = calendar.civilDate(of: now)
        let snapshot = try await monitorSnapshot(.everything, day: today)
        let (judged, failing) = PolicyMonitor.judge(snapshot, policy: proposed, at: now)
        let projection = try await index.catchUp()
        // A grant already suspended is judged (it may be resumed only when it holds) but not suspended again: the
        // impact lists what adoption would suspend.
        let suspended = DataRequestProcess.State.suspended.rawValue
        let findings = failing.filter { projection.states[$0.stream] != suspended }
        var permits: [PolicyImpact.Permit] = []
        for (stream, state) in projection.states.sorted(by: { $0.key < $1.key }) where state == "refused" {
            let recorded: Decision?
            let request: PolicyRequest?
            switch ProcessKind.of(stream) {
            case .dataRequest:
                let refused = try await instance(DataRequestProcess.self, stream: stream)
                recorded = refused.facts.decision
                request = nil
                guard let spec = refused.facts.request, let terms = try await agreementTerms(spec.agreement),
                    let entries = try await catalogEntries(spec.items.map(\.entry))
                else { continue }
                let unmet = try await unmetSecurityDuties(of: terms.terms.operatorParty, on: today)
                let decisions = DataRequestProcess.accessRequests(
                    spec,
                    entries: entries,
                    terms: terms.terms,
                    status: terms.status,
                    day: today,
                    unmetSecurityDuties: unmet
                ).map { proposed.evaluate($0, at: now) }
                let decision = Decision.combining(decisions, policy: proposed, at: now)
                if let recorded, !recorded.isPermit, decision.isPermit {
                    permits.append(.init(stream: stream, deniedBy: recorded.reasons, decision: decision))
                }
                continue
            case .product:
                let refused = try await instance(ProductProcess.self, stream: stream)
                recorded = refused.facts.decision
                guard let spec = refused.facts.product, let terms = try await agreementTerms(spec.agreement),
                    let entries = try await catalogEntries(spec.sourceEntries)
                else { continue }
                var redevelops = false
                for source in spec.derivedFrom {
                    let other = try await instance(ProductProcess.self, source.rawValue)
                    if other.exists, other.trace.operatorID == refused.trace.operatorID { redevelops = true }
                }
                request = ProductProcess.releaseRequest(
                    spec,
                    sources: entries,
                    terms: terms.terms,
                    status: terms.status,
                    redevelops: redevelops,
                    day: today
                )
            case .scenario:
                let refused = try await instance(ScenarioProcess.self, stream: stream)
                recorded = refused.facts.decision
                guard let spec = refused.facts.scenario, let agreementID = refused.trace.agreementID,
                    let terms = try await agreementTerms(agreementID)
                else { continue }
                let product = try await instance(ProductProcess.self, spec.product.rawValue)
                request = ScenarioProcess.scenarioRequest(
                    spec,
                    applicant: refused.trace.applicantID ?? PartyID(""),
                    product: spec.product,
                    published: product.state == .published,
                    terms: terms.terms,
                    status: terms.status,
                    day: today
                )
            default:
                continue
            }
            guard let recorded, !recorded.isPermit, let request else { continue }
            let decision = proposed.evaluate(request, at: now)
            if decision.isPermit {
                permits.append(.init(stream: stream, deniedBy: recorded.reasons, decision: decision))
            }
        }
        return PolicyImpact(
            currentPolicy: "\(policy.id)@\(policy.version)",
            proposedPolicy: "\(proposed.id)@\(proposed.version)",
            day: today,
            judged: judged,
            wouldSuspend: findings,
            wouldPermit: permits,
            suspensionsByRule: PolicyImpact.counts(findings.map { $0.reasons.map(\.ruleID) }),
            suspensionsByArticle: PolicyImpact.counts(findings.map(\.articles)),
            permitsByRule: PolicyImpact.counts(permits.map { $0.deniedBy.map(\.ruleID) })
        )
    }

    private func agreementTerms(_ id: AgreementID) async throws(WorkflowError) -> AgreementContext? {
        let agreement = try await instance(AgreementProcess.self, id.rawValue)
        guard let terms = agreement.facts.terms else { return nil }
        return AgreementContext(terms: terms, status: agreement.agreementStatus)
    }

    /// The entries as they are in the catalog now, or `nil` when one is not (never published, or retired).
    private func catalogEntries(_ ids: [CatalogEntryID]) async throws(WorkflowError) -> [CatalogEntry]? {
        var entries: [CatalogEntry] = []
        for id in ids {
            guard let entry = try await instance(CatalogProcess.self, id.rawValue).facts.entry else { return nil }
            entries.append(entry)
        }
        return entries
    }
}
