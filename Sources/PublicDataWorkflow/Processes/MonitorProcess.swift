import Foundation
import PublicDataModel
import PublicDataPolicy

/// What sets a re-judgement of live grants, products and scenarios in motion (Art. 30).
///
/// Each trigger names one change of the record; its ``key`` is the re-judgement's instance id, so that each
/// change is re-judged once, whichever engine instance sees it first.
public enum MonitorTrigger: Sendable, Hashable, Codable, CustomStringConvertible {
    /// A catalog entry's attributes or fields changed (`catalog.entryChanged`); `version` is its new version.
    case catalogEntryChanged(entry: CatalogEntryID, version: Int)
    /// A catalog entry was retired (`catalog.entryRetired`).
    case catalogEntryRetired(entry: CatalogEntryID)
    /// An agreement was suspended; `version` is the agreement stream's version after the suspension.
    case agreementSuspended(agreement: AgreementID, version: Int64)
    /// A registration's validity ended (`registration.expired`).
    case registrationExpired(registration: RegistrationID)
    /// A registration was cancelled or superseded (`registration.cancelled`, `registration.superseded`; 26号).
    case registrationEnded(registration: RegistrationID)
    /// The data subjects' consent was withdrawn or expired (`consent.withdrawn`, `consent.expired`; Art. 17, 26).
    case consentEnded(consent: ConsentID)
    /// The data administration adopted a policy (Art. 35); every live object is re-judged under it. `version` is
    /// the policy's content digest (`Policy.digest`), so two different policies never share an adoption.
    case policyAdopted(policy: String, version: String)
    /// A review on a day: every live object is re-judged under the policy on that day (terms that have passed).
    case termReview(day: CivilDate)

    /// The re-judgement's instance id (the monitor stream is `monitor-` + this key).
    public var key: String {
        switch self {
        case .catalogEntryChanged(let entry, let version): "entry-changed-\(entry)-v\(version)"
        case .catalogEntryRetired(let entry): "entry-retired-\(entry)"
        case .agreementSuspended(let agreement, let version): "agreement-suspended-\(agreement)-v\(version)"
        case .registrationExpired(let registration): "registration-expired-\(registration)"
        case .registrationEnded(let registration): "registration-ended-\(registration)"
        case .consentEnded(let consent): "consent-ended-\(consent)"
        case .policyAdopted(let policy, let version): "policy-adopted-\(policy)@\(version)"
        case .termReview(let day): "term-review-\(day)"
        }
    }

    /// The trigger in plain words.
    public var description: String {
        switch self {
        case .catalogEntryChanged(let entry, let version): "catalog entry \(entry) changed (version \(version))"
        case .catalogEntryRetired(let entry): "catalog entry \(entry) was retired"
        case .agreementSuspended(let agreement, _): "agreement \(agreement) was suspended"
        case .registrationExpired(let registration): "registration \(registration) expired"
        case .registrationEnded(let registration): "registration \(registration) was cancelled or superseded"
        case .consentEnded(let consent): "consent \(consent) was withdrawn or expired"
        case .policyAdopted(let policy, let version): "policy \(policy)@\(version) was adopted"
        case .termReview(let day): "term review on \(day)"
        }
    }
}

/// One live grant, product or scenario that a re-judgement found no longer holds, and why.
public struct MonitorFinding: Codable, Sendable, Hashable {
    /// The grant's, product's or scenario's stream.
    public var stream: StreamID
    /// Why it no longer holds: the policy's denying reasons and the monitor's own checks (rule ids `monitor.…`).
    public var reasons: [Reason]
    /// The policy's decision when the policy denied it (or permitted it subject to a co-review it never had).
    public var decision: Decision?

    /// Creates a finding.
    public init(stream: StreamID, reasons: [Reason], decision: Decision? = nil) {
        self.stream = stream
        self.reasons = reasons
        self.decision = decision
    }

    /// The articles the reasons cite, in first-seen order.
    public var articles: [String] { reasons.citedArticles }
}

/// The payload of a suspension by the policy monitor (`dataRequest.suspended`, `product.suspendedByMonitor`,
/// `scenario.suspendedByMonitor`): which re-judgement, what set it off, why, and the policy's decision.
public struct MonitorSuspension: Codable, Sendable, Hashable {
    /// The re-judgement's instance id (``MonitorTrigger/key``).
    public var monitor: String
    /// What set the re-judgement off.
    public var trigger: MonitorTrigger
    /// Why the object no longer holds.
    public var reasons: [Reason]
    /// The policy's decision, when the policy denied it.
    public var decision: Decision?
}

/// 技术监管: the policy monitor (Art. 30: 及时终止违规授权使用). When something a live grant, product or scenario
/// depends on changes — a catalog entry's attributes, its retirement, an agreement's suspension, a registration's
/// expiry, a newly adopted policy version, a day passing a term — the dependants are re-judged under the policy
/// and the monitor's own checks, the re-judgement is recorded (`monitor.reassessed`: what was judged, what fails
/// and why, under which policy version), and each failing object is suspended with that decision, its parties
/// told.
///
/// The engine starts a re-judgement itself after `changeCatalogEntry`, `retireCatalogEntry`, `suspendAgreement`,
/// `withdrawConsent` and a code that cancels or supersedes a registration, and when a registration's or a
/// consent's validity deadline fires; the data administration or the agency
/// starts one for an adopted policy or a term review with `reassess`. A trigger's ``MonitorTrigger/key`` is the
/// instance id, and the automatic runs use it as the command's idempotency key, so with any number of engine
/// instances each change is re-judged once and each suspension recorded once (its event id is derived from the
/// re-judgement and the object).
///
/// What is judged (and suspended when it fails):
/// - a **grant** (data request granted or provisioned): every entry still in the catalog (Art. 8); every entry with
///   a valid registration when grants need one (`registrationBeforeGrant`; Art. 9, 26号: an expired, cancelled or
///   superseded registration cuts its grants off); the consent record it relies on still covering it (Art. 17 ¶2,
///   26: a withdrawn or expired consent ends the supply); the policy's
///   data-request decision on the entries as they are now, the agreement's status and the day; a co-review the
///   decision now requires was given by every owning department (Art. 16);
/// - a **product** (compliant, filed, registered or published): every source still in the catalog and covered by a
///   grant that holds (Art. 16, 20); its registration not expired (Art. 9); the policy's product-release decision;
/// - a **scenario** (active): its product still published and not suspended now (Art. 20, 25); the policy's
///   downstream-scenario decision.
public enum MonitorProcess: WorkflowProcess {
    public static let kind = ProcessKind.monitor
    public static let commandKey = "monitor"
    public static let title = "Policy monitor (Art. 30, 35)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.reassessed]

    /// The re-judgement's states.
    public enum State: String, ProcessStateKind {
        /// Recorded; the failing objects are suspended.
        case reassessed
    }

    public typealias Deadline = NoDeadline

    /// What a re-judgement remembers.
    public struct Facts: Sendable, Hashable {
        /// The recorded re-judgement.
        public var reassessment: Reassessed?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Re-judges the live objects that depend on what `trigger` changed.
        case reassess(trigger: MonitorTrigger)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case reassess

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .reassess:
                    CommandSpec(
                        [.dataAdministration, .implementingAgency],
                        ["Art. 30", "Art. 35"],
                        guards: [
                            "the trigger matches the record (the entry's version, a retired entry, an expired "
                                + "registration, the policy the engine runs)",
                            "once per trigger; started by the engine for catalog changes, agreement suspensions and "
                                + "registration expiries",
                            "a policy adoption only by the data administration (Art. 35)",
                        ]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .reassess: .reassess
            }
        }

        public var instanceID: String {
            switch self {
            case .reassess(let trigger): trigger.key
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .reassess(let trigger):
                switch trigger {
                case .catalogEntryChanged(let entry, let version):
                    check.id(entry, "$.trigger.entry")
                    if version < 2 { check.fail("$.trigger.version", "a change makes version 2 or later") }
                case .catalogEntryRetired(let entry): check.id(entry, "$.trigger.entry")
                case .agreementSuspended(let agreement, let version):
                    check.id(agreement, "$.trigger.agreement")
                    if version < 1 { check.fail("$.trigger.version", "is not a stream version") }
                case .registrationExpired(let registration), .registrationEnded(let registration):
                    check.id(registration, "$.trigger.registration")
                case .consentEnded(let consent): check.id(consent, "$.trigger.consent")
                case .policyAdopted(let policy, let version):
                    check.text(policy, "$.trigger.policy")
                    check.text(version, "$.trigger.version")
                case .termReview: break
                }
            }
        }
    }

    /// A recorded re-judgement.
    public struct Reassessed: Codable, Sendable, Hashable {
        /// What set it off.
        public var trigger: MonitorTrigger
        /// The policy applied.
        public var policyID: String
        /// The policy version label applied.
        public var policyVersion: String
        /// The content digest of the policy applied (`Policy.digest`); `nil` in re-judgements recorded before
        /// digests were kept.
        public var policyDigest: String?
        /// The day judged.
        public var day: CivilDate
        /// Every object re-judged, grants first, then products, then scenarios.
        public var judged: [StreamID]
        /// The objects that no longer hold; each is suspended.
        public var suspensions: [MonitorFinding]
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// The re-judgement was recorded.
        case reassessed(Reassessed)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case reassessed = "monitor.reassessed"
        }

        public var kind: Kind {
            switch self {
            case .reassessed: .reassessed
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .reassessed(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .reassessed: self = .reassessed(try Reassessed(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .reassessed: Reassessed.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .reassessed:
            EventSpec(
                .command(.reassess),
                from: [nil],
                to: .reassessed,
                notifies: [.dataAdministration, .implementingAgency]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        switch command {
        case .reassess(let trigger):
            var trace = TraceKeys()
            let scope: MonitorScope
            switch trigger {
            case .catalogEntryChanged(let entry, let version):
                let catalog = try await context.load(CatalogProcess.self, entry.rawValue)
                guard catalog.facts.version == version, catalog.state == .published else {
                    throw context.refuse(
                        .invalidInput,
                        "catalog entry \(entry) is at version \(catalog.facts.version) (\(catalog.stateName)), "
                            + "not \(version)",
                        ["Art. 8"]
                    )
                }
                trace.catalogEntryIDs = [entry]
                scope = .entry(entry)
            case .catalogEntryRetired(let entry):
                let catalog = try await context.load(CatalogProcess.self, entry.rawValue)
                try context.require(catalog, in: [.retired], ["Art. 8"])
                trace.catalogEntryIDs = [entry]
                scope = .entry(entry)
            case .agreementSuspended(let agreementID, let version):
                let agreement = try await context.load(AgreementProcess.self, agreementID.rawValue)
                guard version <= agreement.version else {
                    throw context.refuse(
                        .invalidInput,
                        "agreement \(agreementID) has \(agreement.version) events, not \(version)",
                        ["Art. 13"]
                    )
                }
                trace.agreementID = agreementID
                trace.agencyID = agreement.trace.agencyID
                trace.operatorID = agreement.trace.operatorID
                scope = .agreement(agreementID)
            case .registrationExpired(let registrationID):
                let registration = try await context.load(RegistrationProcess.self, registrationID.rawValue)
                try context.require(registration, in: [.expired], ["Art. 9"])
                trace.registrationID = registrationID
                scope = .registration(registrationID)
            case .registrationEnded(let registrationID):
                let registration = try await context.load(RegistrationProcess.self, registrationID.rawValue)
                try context.require(registration, in: [.cancelled, .superseded], ["Art. 9", "26号"])
                trace.registrationID = registrationID
                scope = .registration(registrationID)
            case .consentEnded(let consentID):
                let consent = try await context.load(ConsentProcess.self, consentID.rawValue)
                try context.require(consent, in: [.withdrawn, .expired], ["Art. 17", "Art. 26"])
                trace.operatorID = consent.trace.operatorID
                scope = .consent(consentID)
            case .policyAdopted(let policy, let version):
                // Art. 35: the data administration interprets the Measures; adopting a policy is its act.
                guard context.actor.role == .dataAdministration else {
                    throw context.refuse(
                        .roleNotPermitted,
                        "adopting a policy is the data administration's act, not the \(context.actor.role.rawValue)'s",
                        ["Art. 35"]
                    )
                }
                guard policy == context.policy.id, version == context.policy.digest else {
                    throw context.refuse(
                        .invalidInput,
                        "the engine runs policy \(context.policy.id) with digest \(context.policy.digest), not "
                            + "\(policy) with \(version); adopt a policy by running the engine with it and name its "
                            + "digest",
                        ["Art. 35"]
                    )
                }
                scope = .everything
            case .termReview(let day):
                guard day <= context.today else {
                    throw context.refuse(.invalidInput, "a term review on \(day) is in the future", ["Art. 30"])
                }
                scope = .everything
            }
            var day = context.today
            if case .termReview(let reviewed) = trigger { day = reviewed }
            let snapshot = try await context.engine.monitorSnapshot(scope, day: day)
            let (judged, findings) = PolicyMonitor.judge(snapshot, policy: context.policy, at: context.now)
            let reassessed = Reassessed(
                trigger: trigger,
                policyID: context.policy.id,
                policyVersion: context.policy.version,
                policyDigest: context.policy.digest,
                day: day,
                judged: judged,
                suspensions: findings
            )
            return [Draft(.reassessed(reassessed), trace: trace)]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .reassessed(let reassessed): facts.reassessment = reassessed
        }
    }
}

// MARK: - The judgement

/// Which live objects a trigger concerns directly (others follow: a product whose grant fails, a scenario whose
/// product fails).
enum MonitorScope: Sendable, Hashable {
    /// The grants and products built on the entry.
    case entry(CatalogEntryID)
    /// Every live object under the agreement.
    case agreement(AgreementID)
    /// The products registered under the registration, and the grants of the entries it registers.
    case registration(RegistrationID)
    /// The grants relying on the consent.
    case consent(ConsentID)
    /// Every live object.
    case everything
    /// One grant (live or suspended), for its resumption.
    case grant(StreamID)
}

/// What a re-judgement reads: the live objects of the agreements concerned, the catalog entries they use, the
/// agreements' terms and status and the expired registrations, on one day.
struct MonitorSnapshot: Sendable, Hashable {
    struct Grant: Sendable, Hashable {
        var stream: StreamID
        var request: DataRequestSpec
        var approvals: [PartyID]
        var inScope: Bool
    }

    struct Product: Sendable, Hashable {
        var stream: StreamID
        var product: ProductSpec
        var registration: RegistrationID?
        var redevelopsDeliveredProduct: Bool
        var inScope: Bool
    }

    struct Scenario: Sendable, Hashable {
        var stream: StreamID
        var scenario: ScenarioSpec
        var applicant: PartyID
        var agreement: AgreementID
        var productPublished: Bool
        var inScope: Bool
    }

    struct Agreement: Sendable, Hashable {
        var terms: AgreementTerms
        var status: AgreementStatus
    }

    var day: CivilDate
    var entries: [CatalogEntryID: CatalogEntry] = [:]
    var agreements: [AgreementID: Agreement] = [:]
    var expiredRegistrations: Set<RegistrationID> = []
    /// The grants' entries without a valid registration on the day, when grants need one (`registrationBeforeGrant`).
    var unregisteredEntries: Set<CatalogEntryID> = []
    /// The consent records the grants rely on.
    var consents: [ConsentID: ProcessInstance<ConsentProcess>] = [:]
    var grants: [Grant] = []
    var products: [Product] = []
    var scenarios: [Scenario] = []
    /// The live grants of each operator concerned, under all its agreements (Art. 30: a grant is judged with what
    /// its operator holds in total).
    var held: [PartyID: [OperatorHoldings.Grant]] = [:]
}

/// The monitor's judgement: pure, so that a re-judgement and a policy's predicted impact
/// (``WorkflowEngine/policyImpact(of:)``) agree by construction.
enum PolicyMonitor {
    /// Judges the snapshot under `policy` at `time`: the objects judged (grants, products, scenarios) and the ones
    /// that fail, in that order.
    static func judge(
        _ snapshot: MonitorSnapshot,
        policy: Policy,
        at time: Date
    ) -> (judged: [StreamID], findings: [MonitorFinding]) {
        var judged: [StreamID] = []
        var findings: [MonitorFinding] = []
        var failing: Set<StreamID> = []
        for grant in snapshot.grants where grant.inScope {
            judged.append(grant.stream)
            if let finding = judge(grant, snapshot, policy: policy, at: time) {
                findings.append(finding)
                failing.insert(grant.stream)
            }
        }
        var cover: [AgreementID: Set<CatalogEntryID>] = [:]
        var lost: [AgreementID: Set<CatalogEntryID>] = [:]
        for grant in snapshot.grants {
            let entries = grant.request.items.map(\.entry)
            if failing.contains(grant.stream) {
                lost[grant.request.agreement, default: []].formUnion(entries)
            } else {
                cover[grant.request.agreement, default: []].formUnion(entries)
            }
        }
        var failingProducts: Set<ProductID> = []
        for product in snapshot.products {
            let spec = product.product
            let losesCover = spec.sourceEntries.contains { lost[spec.agreement]?.contains($0) == true }
            guard product.inScope || losesCover else { continue }
            judged.append(product.stream)
            if let finding = judge(product, cover: cover[spec.agreement] ?? [], snapshot, policy: policy, at: time) {
                findings.append(finding)
                failingProducts.insert(spec.id)
            }
        }
        for scenario in snapshot.scenarios {
            let productFails = failingProducts.contains(scenario.scenario.product)
            guard scenario.inScope || productFails else { continue }
            judged.append(scenario.stream)
            var reasons: [Reason] = []
            if productFails || !scenario.productPublished {
                reasons.append(
                    Reason(
                        ruleID: "monitor.product-unavailable",
                        articles: ["Art. 20", "Art. 25"],
                        message: "product \(scenario.scenario.product) is no longer published"
                            + (productFails ? " (it fails this re-judgement)" : "")
                    )
                )
            }
            var decision: Decision?
            if let agreement = snapshot.agreements[scenario.agreement] {
                let verdict = policy.evaluate(
                    ScenarioProcess.scenarioRequest(
                        scenario.scenario,
                        applicant: scenario.applicant,
                        product: scenario.scenario.product,
                        published: scenario.productPublished && !productFails,
                        terms: agreement.terms,
                        status: agreement.status,
                        day: snapshot.day
                    ),
                    at: time
                )
                if !verdict.isPermit {
                    reasons.append(contentsOf: verdict.reasons)
                    decision = verdict
                }
            }
            if !reasons.isEmpty {
                findings.append(MonitorFinding(stream: scenario.stream, reasons: reasons, decision: decision))
            }
        }
        return (judged, findings)
    }

    private static func retired(_ ids: [CatalogEntryID], _ snapshot: MonitorSnapshot) -> Reason? {
        let missing = ids.filter { snapshot.entries[$0] == nil }
        guard !missing.isEmpty else { return nil }
        return Reason(
            ruleID: "monitor.entry-retired",
            articles: ["Art. 8"],
            message: "no longer in the catalog: " + missing.map(\.rawValue).joined(separator: ", ")
        )
    }

    private static func unknownAgreement(_ id: AgreementID) -> Reason {
        Reason(ruleID: "monitor.agreement-unknown", articles: ["Art. 13"], message: "agreement \(id) has no terms")
    }

    private static func judge(
        _ grant: MonitorSnapshot.Grant,
        _ snapshot: MonitorSnapshot,
        policy: Policy,
        at time: Date
    ) -> MonitorFinding? {
        let request = grant.request
        guard let agreement = snapshot.agreements[request.agreement] else {
            return MonitorFinding(stream: grant.stream, reasons: [unknownAgreement(request.agreement)])
        }
        if let reason = retired(request.items.map(\.entry), snapshot) {
            return MonitorFinding(stream: grant.stream, reasons: [reason])
        }
        let entries = request.items.compactMap { snapshot.entries[$0.entry] }
        var held: [Reason] = []
        let unregistered = request.items.map(\.entry).filter { snapshot.unregisteredEntries.contains($0) }
        if !unregistered.isEmpty {
            held.append(
                Reason(
                    ruleID: "monitor.registration-invalid",
                    articles: ["Art. 9", "26号"],
                    message: "no valid registration of " + unregistered.map(\.rawValue).joined(separator: ", ")
                )
            )
        }
        if let consentID = request.consent {
            let gaps =
                snapshot.consents[consentID].map {
                    $0.consentGaps(
                        request,
                        operatorParty: agreement.terms.operatorParty,
                        entries: snapshot.entries,
                        on: snapshot.day
                    )
                } ?? ["consent \(consentID) was never recorded"]
            if !gaps.isEmpty {
                held.append(
                    Reason(
                        ruleID: "monitor.consent-ended",
                        articles: ["Art. 17", "Art. 26"],
                        message: gaps.joined(separator: "; ")
                    )
                )
            }
        }
        if !held.isEmpty { return MonitorFinding(stream: grant.stream, reasons: held) }
        let others = (snapshot.held[agreement.terms.operatorParty] ?? []).filter { $0.stream != grant.stream }
        let decisions = DataRequestProcess.accessRequests(
            request,
            entries: entries,
            terms: agreement.terms,
            status: agreement.status,
            day: snapshot.day,
            holdings: OperatorHoldings.totals(others, plus: request, catalog: snapshot.entries)
        ).map { policy.evaluate($0, at: time) }
        let decision = Decision.combining(decisions, policy: policy, at: time)
        guard decision.isPermit else {
            return MonitorFinding(stream: grant.stream, reasons: decision.reasons, decision: decision)
        }
        guard decision.requiresCoReview else { return nil }
        let owners = Set(entries.filter { $0.sharing == .conditional }.map(\.owningDepartment))
        let missing = owners.subtracting(grant.approvals).sorted()
        guard !missing.isEmpty else { return nil }
        let reason = Reason(
            ruleID: "monitor.co-review-missing",
            articles: ["Art. 16"],
            message: "the grant now needs the co-review of " + missing.map(\.rawValue).joined(separator: ", ")
                + ", which it never had"
        )
        return MonitorFinding(stream: grant.stream, reasons: [reason], decision: decision)
    }

    private static func judge(
        _ product: MonitorSnapshot.Product,
        cover: Set<CatalogEntryID>,
        _ snapshot: MonitorSnapshot,
        policy: Policy,
        at time: Date
    ) -> MonitorFinding? {
        let spec = product.product
        guard let agreement = snapshot.agreements[spec.agreement] else {
            return MonitorFinding(stream: product.stream, reasons: [unknownAgreement(spec.agreement)])
        }
        var reasons: [Reason] = []
        var decision: Decision?
        let retiredReason = retired(spec.sourceEntries, snapshot)
        if let retiredReason { reasons.append(retiredReason) }
        let uncovered = spec.sourceEntries.filter { !cover.contains($0) && snapshot.entries[$0] != nil }
        if !uncovered.isEmpty {
            reasons.append(
                Reason(
                    ruleID: "monitor.grant-lost",
                    articles: ["Art. 16", "Art. 20"],
                    message: "no grant that holds covers " + uncovered.map(\.rawValue).joined(separator: ", ")
                )
            )
        }
        if let registration = product.registration, snapshot.expiredRegistrations.contains(registration) {
            reasons.append(
                Reason(
                    ruleID: "monitor.registration-expired",
                    articles: ["Art. 9"],
                    message: "its registration \(registration) expired"
                )
            )
        }
        if retiredReason == nil {
            let verdict = policy.evaluate(
                ProductProcess.releaseRequest(
                    spec,
                    sources: spec.sourceEntries.compactMap { snapshot.entries[$0] },
                    terms: agreement.terms,
                    status: agreement.status,
                    redevelops: product.redevelopsDeliveredProduct,
                    day: snapshot.day
                ),
                at: time
            )
            if !verdict.isPermit {
                reasons.append(contentsOf: verdict.reasons)
                decision = verdict
            }
        }
        return reasons.isEmpty ? nil : MonitorFinding(stream: product.stream, reasons: reasons, decision: decision)
    }
}

// MARK: - Reading the record and acting on it

extension WorkflowEngine {
    /// Re-judges the live objects that depend on what `trigger` changed, records the re-judgement and suspends
    /// every object that fails, as the data administration's scheduler (once per trigger, whichever instance
    /// runs it; a repeated call returns the first outcome and repairs any suspension not yet recorded).
    ///
    /// ```swift
    /// let outcome = try await engine.reassess(.policyAdopted(policy: policy.id, version: policy.digest))
    /// ```
    /// - Returns: The outcome of the `reassess` command.
    /// - Throws: ``WorkflowError``: `invalidInput` or `invalidState` when the trigger does not match the record.
    @discardableResult
    public func reassess(_ trigger: MonitorTrigger) async throws(WorkflowError) -> CommandOutcome {
        try await execute(
            .monitor(.reassess(trigger: trigger)),
            by: .scheduler,
            idempotencyKey: "monitor:" + trigger.key
        )
    }

    /// Reads what a re-judgement of `scope` needs, on `day`.
    func monitorSnapshot(_ scope: MonitorScope, day: CivilDate) async throws(WorkflowError) -> MonitorSnapshot {
        let projection = try await index.catchUp()
        var snapshot = MonitorSnapshot(day: day)
        var agreementIDs: [AgreementID] = []
        switch scope {
        case .agreement(let id): agreementIDs = [id]
        case .grant(let stream):
            if let agreement = try await instance(DataRequestProcess.self, stream: stream).facts.request?.agreement {
                agreementIDs = [agreement]
            }
        case .entry, .registration, .consent, .everything:
            agreementIDs = projection.agreementsByOperator.values.flatMap(\.keys).sorted()
        }
        var registered: Set<CatalogEntryID> = []
        if case .registration(let id) = scope {
            let registration = try await instance(RegistrationProcess.self, id.rawValue)
            registered = Set(registration.facts.application?.catalogEntries ?? [])
        }
        var entryIDs: Set<CatalogEntryID> = []
        let liveProducts: Set<ProductProcess.State> = [.compliant, .filed, .registered, .published]
        for agreementID in agreementIDs {
            let agreement = try await instance(AgreementProcess.self, agreementID.rawValue)
            guard let terms = agreement.facts.terms, let state = agreement.state,
                !AgreementProcess.finalStates.contains(state)
            else { continue }
            snapshot.agreements[agreementID] = .init(terms: terms, status: agreement.agreementStatus)
            let (requests, products) = projection.streams(of: agreementID)
            for stream in requests {
                let request = try await instance(DataRequestProcess.self, stream: stream)
                guard let spec = request.facts.request else { continue }
                let live = request.state == .granted || request.state == .provisioned
                let inScope: Bool
                switch scope {
                case .entry(let entry): inScope = spec.items.contains { $0.entry == entry }
                case .agreement, .everything: inScope = true
                case .registration: inScope = !registered.isDisjoint(with: spec.items.map(\.entry))
                case .consent(let id): inScope = spec.consent == id
                case .grant(let target): inScope = stream == target
                }
                guard live || (inScope && request.state == .suspended) else { continue }
                snapshot.grants.append(
                    .init(stream: stream, request: spec, approvals: request.facts.approvals, inScope: inScope)
                )
                entryIDs.formUnion(spec.items.map(\.entry))
                if let consent = spec.consent, snapshot.consents[consent] == nil {
                    snapshot.consents[consent] = try await instance(ConsentProcess.self, consent.rawValue)
                }
            }
            for stream in products {
                let product = try await instance(ProductProcess.self, stream: stream)
                guard let state = product.state, liveProducts.contains(state), let spec = product.facts.product else {
                    continue
                }
                let inScope: Bool
                switch scope {
                case .entry(let entry): inScope = spec.sourceEntries.contains(entry)
                case .agreement, .everything: inScope = true
                case .registration(let registration): inScope = product.facts.registration == registration
                case .grant, .consent: inScope = false
                }
                if let registration = product.facts.registration,
                    try await instance(RegistrationProcess.self, registration.rawValue).state == .expired
                {
                    snapshot.expiredRegistrations.insert(registration)
                }
                var redevelops = false
                for source in spec.derivedFrom {
                    let other = try await instance(ProductProcess.self, source.rawValue)
                    if other.exists, other.trace.operatorID == product.trace.operatorID { redevelops = true }
                }
                snapshot.products.append(
                    .init(
                        stream: stream,
                        product: spec,
                        registration: product.facts.registration,
                        redevelopsDeliveredProduct: redevelops,
                        inScope: inScope
                    )
                )
                entryIDs.formUnion(spec.sourceEntries)
                for scenarioStream in projection.scenarios(of: spec.id) {
                    let scenario = try await instance(ScenarioProcess.self, stream: scenarioStream)
                    guard scenario.state == .active, let scenarioSpec = scenario.facts.scenario else { continue }
                    let direct: Bool
                    switch scope {
                    case .agreement, .everything: direct = true
                    case .entry, .registration, .grant, .consent: direct = false
                    }
                    snapshot.scenarios.append(
                        .init(
                            stream: scenarioStream,
                            scenario: scenarioSpec,
                            applicant: scenario.trace.applicantID ?? PartyID(""),
                            agreement: agreementID,
                            productPublished: state == .published,
                            inScope: direct
                        )
                    )
                }
            }
        }
        for operatorParty in Set(snapshot.agreements.values.map(\.terms.operatorParty)) {
            let held = try await liveGrants(of: operatorParty)
            snapshot.held[operatorParty] = held
            for grant in held { entryIDs.formUnion(grant.items.map(\.entry)) }
        }
        for id in entryIDs.sorted() {
            if let entry = try await instance(CatalogProcess.self, id.rawValue).facts.entry {
                snapshot.entries[id] = entry
            }
        }
        // Art. 9, 26号: a grant holds only while its entries have a valid registration (when grants need one).
        if policy.parameters.registrationBeforeGrant != 0 {
            let granted = Set(snapshot.grants.flatMap { $0.request.items.map(\.entry) })
            for id in granted.sorted() {
                var valid = false
                for stream in try await index.registrationStreams(of: id) where !valid {
                    valid = try await instance(RegistrationProcess.self, stream: stream).isValid(on: day)
                }
                if !valid { snapshot.unregisteredEntries.insert(id) }
            }
        }
        return snapshot
    }

    /// The re-judgement of one grant as it would be now (for its resumption): `nil` when it holds.
    func rejudgeGrant(
        _ grant: ProcessInstance<DataRequestProcess>,
        day: CivilDate,
        at time: Date
    ) async throws(WorkflowError) -> MonitorFinding? {
        let snapshot = try await monitorSnapshot(.grant(grant.stream), day: day)
        return PolicyMonitor.judge(snapshot, policy: policy, at: time).findings.first { $0.stream == grant.stream }
    }

    /// Suspends every object the recorded re-judgement of `trigger` found failing (once each: a deterministic id
    /// per re-judgement and object; an object that has moved on since is left alone).
    func applyMonitorFindings(_ trigger: MonitorTrigger) async throws(WorkflowError) {
        let monitor = try await instance(MonitorProcess.self, trigger.key)
        guard let reassessed = monitor.facts.reassessment else { return }
        for finding in reassessed.suspensions {
            let payload = MonitorSuspension(
                monitor: trigger.key,
                trigger: trigger,
                reasons: finding.reasons,
                decision: finding.decision
            )
            let id = EventID("monitor:\(trigger.key):\(finding.stream)")
            switch ProcessKind.of(finding.stream) {
            case .dataRequest:
                try await monitorStep(DataRequestProcess.self, finding.stream, .suspended(payload), id, monitor.stream)
            case .product:
                try await monitorStep(
                    ProductProcess.self,
                    finding.stream,
                    .suspendedByMonitor(payload),
                    id,
                    monitor.stream
                )
            case .scenario:
                try await monitorStep(
                    ScenarioProcess.self,
                    finding.stream,
                    .suspendedByMonitor(payload),
                    id,
                    monitor.stream
                )
            default:
                continue
            }
        }
    }

    private func monitorStep<P: WorkflowProcess>(
        _ process: P.Type,
        _ stream: StreamID,
        _ event: P.Event,
        _ id: EventID,
        _ cause: StreamID
    ) async throws(WorkflowError) {
        for _ in 0..<32 {
            let current = try await instance(P.self, stream: stream)
            guard P.spec(event.kind).from.contains(current.state) else { return }
            let result = try await append(
                [Draft(event, id: id)],
                to: current,
                actor: nil,
                now: clock.now(),
                trigger: .effect(.monitor(.reassess)),
                causation: cause.rawValue
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "\(stream) kept changing while the monitor suspended it")
    }
}

// MARK: - Resuming after a crash

extension MonitorTrigger {
    /// The trigger a recorded event sets off, or `nil` for an event that sets off none (the events the engine
    /// follows up with a re-judgement: a catalog change or retirement, an agreement's suspension, a registration's
    /// expiry).
    public init?(recorded event: RecordedEvent) {
        switch event.type {
        case CatalogProcess.Event.Kind.entryChanged.rawValue:
            guard let id = ProcessKind.catalog.instanceID(of: event.streamID),
                let changed = try? event.decodePayload(CatalogProcess.Changed.self)
            else { return nil }
            self = .catalogEntryChanged(entry: CatalogEntryID(id), version: changed.entryVersion)
        case CatalogProcess.Event.Kind.entryRetired.rawValue:
            guard let id = ProcessKind.catalog.instanceID(of: event.streamID) else { return nil }
            self = .catalogEntryRetired(entry: CatalogEntryID(id))
        case AgreementProcess.Event.Kind.suspended.rawValue:
            guard let id = ProcessKind.agreement.instanceID(of: event.streamID) else { return nil }
            self = .agreementSuspended(agreement: AgreementID(id), version: event.streamVersion)
        case RegistrationProcess.Event.Kind.expired.rawValue:
            guard let id = ProcessKind.registration.instanceID(of: event.streamID) else { return nil }
            self = .registrationExpired(registration: RegistrationID(id))
        default:
            return nil
        }
    }
}

extension WorkflowEngine {
    /// The name of the store cursor up to which ``resumeMonitor()`` has followed the log.
    public static let monitorCursor = "publicdatakit.monitor"

    /// Catches the policy monitor up with the log after a crash or a restart: every change recorded since the
    /// monitor's cursor that sets off a re-judgement (a catalog change or retirement, an agreement's suspension, a
    /// registration's expiry) is re-judged if it was not yet, and the suspensions of every recorded re-judgement
    /// are completed. Progress is derived from the log — a re-judgement exists or it does not, a suspension carries
    /// a deterministic id — and the cursor (``monitorCursor``) only saves re-reading: it moves after a page is
    /// done, so a crash repeats at most a page, and repeating changes nothing. Any number of instances may run it.
    ///
    /// ```swift
    /// let engine = WorkflowEngine(store: store, clock: clock, calendar: calendar, policy: policy)
    /// let started = try await engine.resumeMonitor()   // before serving commands
    /// ```
    /// - Returns: The triggers this call re-judged (those another instance or the original run had judged are
    ///   not listed).
    /// - Throws: ``WorkflowError`` (`store`, `corruptEvent`, `contention`).
    @discardableResult
    public func resumeMonitor() async throws(WorkflowError) -> [MonitorTrigger] {
        var position = try await monitorStoreCall { try await store.loadCursor(Self.monitorCursor) } ?? 0
        var judged: [MonitorTrigger] = []
        while true {
            let from = position
            let page = try await monitorStoreCall { try await store.readAll(after: from, limit: 500) }
            guard let last = page.last else { return judged }
            for event in page {
                if event.type == MonitorProcess.Event.Kind.reassessed.rawValue {
                    // A re-judgement recorded before the crash: complete its suspensions.
                    let reassessed = try? event.decodePayload(MonitorProcess.Reassessed.self)
                    if let trigger = reassessed?.trigger { try await applyMonitorFindings(trigger) }
                    continue
                }
                guard let trigger = MonitorTrigger(recorded: event) else { continue }
                let monitor = try await instance(MonitorProcess.self, trigger.key)
                if monitor.exists {
                    try await applyMonitorFindings(trigger)
                    continue
                }
                do {
                    let outcome = try await reassess(trigger)
                    if !outcome.deduplicated { judged.append(trigger) }
                } catch let error where error.code == .invalidInput || error.code == .invalidState {
                    // The record moved on (the entry changed again): the later change's re-judgement covers it.
                    continue
                }
            }
            position = last.globalPosition
            let reached = position
            try await monitorStoreCall { try await store.saveCursor(Self.monitorCursor, position: reached) }
        }
    }

    private func monitorStoreCall<T>(_ body: () async throws -> T) async throws(WorkflowError) -> T {
        do {
            return try await body()
        } catch let error as EventStoreError {
            throw WorkflowError(code: .store, message: error.message, storeError: error)
        } catch {
            throw WorkflowError(code: .store, message: "\(error)")
        }
    }
}

extension WorkflowCommand {
    /// A command of the policy monitor (Art. 30).
    public static func monitor(_ command: MonitorProcess.Command) -> WorkflowCommand {
        WorkflowCommand(MonitorProcess.self, command)
    }
}

extension CommandName {
    /// A policy monitor command.
    public static func monitor(_ name: MonitorProcess.Command.Name) -> CommandName {
        CommandName(MonitorProcess.self, name)
    }
}
