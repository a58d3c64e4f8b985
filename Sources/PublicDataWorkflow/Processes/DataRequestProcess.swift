import PublicDataModel
import PublicDataPolicy

/// 数据申请: an operator's request for catalog entries (Art. 16–19), decided by the policy, co-reviewed by the
/// owning industry departments for conditional-share entries, provisioned by the big data center.
///
/// A live grant (granted or provisioned) is re-judged by the policy monitor (``MonitorProcess``, Art. 30) when
/// something it depends on changes; a grant that no longer holds is suspended (`dataRequest.suspended`, with the
/// monitor's reasons and decision) and its products lose their cover. The agency may resume it once a fresh
/// re-judgement holds (`resumeGrant`; the data is then provisioned again) or revoke it.
public enum DataRequestProcess: WorkflowProcess {
    public static let kind = ProcessKind.dataRequest
    public static let commandKey = "dataRequest"
    public static let title = "Data request (Art. 16–19)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.refused, .revoked, .withdrawn]

    /// The request's states.
    public enum State: String, ProcessStateKind {
        /// Submitted.
        case submitted
        /// Awaiting the industry departments' co-review.
        case coReview
        /// Granted.
        case granted
        /// Refused (by the policy, the implementing agency or a co-reviewer).
        case refused
        /// Provisioned by the big data center.
        case provisioned
        /// The grant was revoked.
        case revoked
        /// Suspended by the policy monitor (Art. 30): it no longer holds; no product may rely on it.
        case suspended
        /// Withdrawn by the operator before it was decided.
        case withdrawn
    }

    public typealias Deadline = NoDeadline

    /// What a request remembers.
    public struct Facts: Sendable, Hashable {
        /// The request.
        public var request: DataRequestSpec?
        /// The policy's decision.
        public var decision: Decision?
        /// The co-reviewers who approved.
        public var approvals: [PartyID] = []
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// The operator requests catalog entries for a scenario.
        case submitDataRequest(request: DataRequestSpec)
        /// The implementing agency evaluates the request under the policy.
        case evaluateDataRequest(request: DataRequestID)
        /// An owning industry department co-reviews a conditional-share request; a refusal may name its ground
        /// (and must, when the data subjects consented: Art. 17 ¶2).
        case coReviewDataRequest(request: DataRequestID, approve: Bool, note: String, ground: RefusalGround? = nil)
        /// The big data center provisions the granted data.
        case provisionData(request: DataRequestID, note: String)
        /// Revokes the grant.
        case revokeGrant(request: DataRequestID, reason: String)
        /// Resumes a grant the policy monitor suspended, once a fresh re-judgement holds.
        case resumeGrant(request: DataRequestID)
        /// The implementing agency refuses a submitted request on its own evaluation (Art. 16: data is authorized
        /// "after the implementing agency evaluates and agrees"), whatever the policy would permit; recorded.
        case refuseDataRequest(request: DataRequestID, reason: String)
        /// The operator withdraws its request before it is decided (submitted or in co-review).
        case withdrawDataRequest(request: DataRequestID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case submitDataRequest, evaluateDataRequest, coReviewDataRequest, provisionData, revokeGrant
            case resumeGrant, refuseDataRequest, withdrawDataRequest

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .submitDataRequest:
                    CommandSpec(
                        [.operator],
                        ["Art. 16"],
                        guards: ["the operator of the agreement", "the entries are in the catalog"]
                    )
                case .evaluateDataRequest:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 16", "Art. 17", "Art. 19", "Art. 26", "Art. 31"],
                        guards: [
                            "the agency of the agreement", "the policy decides; a denial is recorded",
                            "a permitted entry has a valid registration (`registrationBeforeGrant`, Art. 9)",
                            "a consented request's consent record covers it and is valid today (Art. 17, 26)",
                            "judged with the operator's unmet security duties (`dr.operator-security`, Art. 31)",
                        ]
                    )
                case .coReviewDataRequest:
                    CommandSpec(
                        [.industryDepartment],
                        ["Art. 16", "Art. 17"],
                        guards: [
                            "the department owns a requested conditional entry",
                            "granted once every owning department approved; refused by any one",
                            "a request with the data subjects' explicit consent is refused only on a ground consent "
                                + "does not overcome (Art. 17 ¶2), while its consent record covers it",
                            "an approval needs the consent record the request names to cover it today",
                            "the approval that completes the co-review waits for the operator's security duties "
                                + "(`dr.operator-security`, Art. 31)",
                        ]
                    )
                case .provisionData:
                    // Art. 8 ¶2: the big data center supports authorized operation technically; Art. 28: data stays
                    // within its domain ("原始数据不出域").
                    CommandSpec([.bigDataCenter], ["Art. 8", "Art. 28"], guards: ["the agreement is active"])
                case .revokeGrant:
                    CommandSpec([.implementingAgency, .dataAdministration], ["Art. 30"], guards: ["a reason"])
                case .resumeGrant:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 30"],
                        guards: [
                            "the agency of the agreement",
                            "the policy monitor's re-judgement of the grant holds now (otherwise refused, nothing recorded)",
                        ]
                    )
                case .refuseDataRequest:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 16"],
                        guards: ["the agency of the agreement", "a reason; the refusal is recorded"]
                    )
                case .withdrawDataRequest:
                    CommandSpec([.operator], ["Art. 16"], guards: ["the operator that submitted it", "a reason"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .submitDataRequest: .submitDataRequest
            case .evaluateDataRequest: .evaluateDataRequest
            case .coReviewDataRequest: .coReviewDataRequest
            case .provisionData: .provisionData
            case .revokeGrant: .revokeGrant
            case .resumeGrant: .resumeGrant
            case .refuseDataRequest: .refuseDataRequest
            case .withdrawDataRequest: .withdrawDataRequest
            }
        }

        public var instanceID: String {
            switch self {
            case .submitDataRequest(let request): request.id.rawValue
            case .evaluateDataRequest(let id), .coReviewDataRequest(let id, _, _, _), .provisionData(let id, _),
                .revokeGrant(let id, _), .resumeGrant(let id), .refuseDataRequest(let id, _),
                .withdrawDataRequest(let id, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .submitDataRequest(let request):
                check.id(request.id, "$.request.id")
                check.id(request.agreement, "$.request.agreement")
                check.text(request.scenario, "$.request.scenario")
                if request.items.isEmpty { check.fail("$.request.items", "requests nothing") }
                var seen: Set<CatalogEntryID> = []
                for (index, item) in request.items.enumerated() where !seen.insert(item.entry).inserted {
                    check.fail("$.request.items[\(index)]", "entry \(item.entry) twice")
                }
                // Art. 17 ¶2, 26: consent is a record, not a flag; a consented request names it.
                if let consent = request.consent {
                    check.id(consent, "$.request.consent")
                    if !request.subjectConsent { check.fail("$.request.subjectConsent", "names a consent record") }
                } else if request.subjectConsent {
                    check.fail(
                        "$.request.consent",
                        "a request with the data subjects' consent names its consent record"
                    )
                }
            case .evaluateDataRequest(let id), .resumeGrant(let id): check.id(id, "$.request")
            case .coReviewDataRequest(let id, let approve, let note, let ground):
                check.id(id, "$.request")
                check.text(note, "$.note")
                if approve, ground != nil { check.fail("$.ground", "an approval has no refusal ground") }
            case .provisionData(let id, let note):
                check.id(id, "$.request")
                check.text(note, "$.note")
            case .revokeGrant(let id, let reason), .refuseDataRequest(let id, let reason),
                .withdrawDataRequest(let id, let reason):
                check.id(id, "$.request")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A submitted request.
    public struct Submitted: Codable, Sendable, Hashable {
        /// The request.
        public var request: DataRequestSpec
    }

    /// Why an industry department refuses a co-reviewed request. The data subjects' explicit consent overcomes
    /// the department's unwillingness and the protection of the subjects' own information (Art. 17 ¶2, Art. 26); it
    /// does not overcome a legal prohibition, security or a scenario that does not need the data.
    public enum RefusalGround: String, Codable, Sendable, CaseIterable, Hashable {
        /// The department prefers not to supply (不愿提供). Overcome by consent.
        case unwilling
        /// The subjects' personal information would be exposed. Overcome by their consent (Art. 26).
        case personalInformation = "personal_information"
        /// The scenario does not need the data, or needs less of it (Art. 16; 87号 §6 minimal authorization).
        case scenarioNotJustified = "scenario_not_justified"
        /// National security or public interest (Art. 5).
        case security
        /// A law forbids the supply ("依法提供", Art. 17 ¶2).
        case unlawful

        /// Whether the data subjects' explicit consent overcomes this ground (Art. 17 ¶2, Art. 26).
        public var overcomeByConsent: Bool { self == .unwilling || self == .personalInformation }
    }

    /// A co-review refusal.
    public struct Rejected: Codable, Sendable, Hashable {
        /// The department's note.
        public var note: String
        /// The ground, if named.
        public var ground: RefusalGround?
    }

    /// A co-review approval.
    public struct Approved: Codable, Sendable, Hashable {
        /// The department's note.
        public var note: String
        /// Every department that approved so far.
        public var coReviewApprovals: [PartyID]
    }

    /// The events.
    public enum Event: ProcessEvent, DecisionCarrying {
        /// Submitted.
        case submitted(Submitted)
        /// Granted by the policy.
        case granted(Decided)
        /// Permitted, subject to the industry departments' co-review.
        case coReviewRequested(Decided)
        /// Refused by the policy.
        case refused(Decided)
        /// Every owning department approved: granted.
        case coReviewApproved(Approved)
        /// One department approved; others are outstanding.
        case coReviewPartlyApproved(Approved)
        /// A department refused.
        case coReviewRejected(Rejected)
        /// Provisioned.
        case provisioned(Noted)
        /// Revoked.
        case revoked(Reasoned)
        /// Revoked by the exit procedure of the agreement.
        case revokedOnExit(Reasoned)
        /// Suspended by the policy monitor (Art. 30).
        case suspended(MonitorSuspension)
        /// Resumed by the agency after a re-judgement that holds.
        case resumed
        /// Refused by the implementing agency on its own evaluation.
        case refusedByAgency(Reasoned)
        /// Withdrawn by the operator.
        case withdrawn(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case submitted = "dataRequest.submitted"
            case granted = "dataRequest.granted"
            case coReviewRequested = "dataRequest.coReviewRequested"
            case refused = "dataRequest.refused"
            case coReviewApproved = "dataRequest.coReviewApproved"
            case coReviewPartlyApproved = "dataRequest.coReviewPartlyApproved"
            case coReviewRejected = "dataRequest.coReviewRejected"
            case provisioned = "dataRequest.provisioned"
            case revoked = "dataRequest.revoked"
            case revokedOnExit = "dataRequest.revokedOnExit"
            case suspended = "dataRequest.suspended"
            case resumed = "dataRequest.resumed"
            case refusedByAgency = "dataRequest.refusedByAgency"
            case withdrawn = "dataRequest.withdrawn"
        }

        public var kind: Kind {
            switch self {
            case .submitted: .submitted
            case .granted: .granted
            case .coReviewRequested: .coReviewRequested
            case .refused: .refused
            case .coReviewApproved: .coReviewApproved
            case .coReviewPartlyApproved: .coReviewPartlyApproved
            case .coReviewRejected: .coReviewRejected
            case .provisioned: .provisioned
            case .revoked: .revoked
            case .revokedOnExit: .revokedOnExit
            case .suspended: .suspended
            case .resumed: .resumed
            case .refusedByAgency: .refusedByAgency
            case .withdrawn: .withdrawn
            }
        }

        public var recordedDecision: Decision? {
            switch self {
            case .granted(let decided), .coReviewRequested(let decided), .refused(let decided): decided.decision
            default: nil
            }
        }

        public var refuses: Bool {
            switch self {
            case .refused, .coReviewRejected, .refusedByAgency: true
            default: false
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .submitted(let payload): try payload.encode(to: encoder)
            case .granted(let payload), .coReviewRequested(let payload), .refused(let payload):
                try payload.encode(to: encoder)
            case .coReviewApproved(let payload), .coReviewPartlyApproved(let payload): try payload.encode(to: encoder)
            case .coReviewRejected(let payload): try payload.encode(to: encoder)
            case .provisioned(let payload): try payload.encode(to: encoder)
            case .revoked(let payload), .revokedOnExit(let payload), .refusedByAgency(let payload),
                .withdrawn(let payload):
                try payload.encode(to: encoder)
            case .suspended(let payload): try payload.encode(to: encoder)
            case .resumed: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .submitted: self = .submitted(try Submitted(from: decoder))
            case .granted: self = .granted(try Decided(from: decoder))
            case .coReviewRequested: self = .coReviewRequested(try Decided(from: decoder))
            case .refused: self = .refused(try Decided(from: decoder))
            case .coReviewApproved: self = .coReviewApproved(try Approved(from: decoder))
            case .coReviewPartlyApproved: self = .coReviewPartlyApproved(try Approved(from: decoder))
            case .coReviewRejected: self = .coReviewRejected(try Rejected(from: decoder))
            case .provisioned: self = .provisioned(try Noted(from: decoder))
            case .revoked: self = .revoked(try Reasoned(from: decoder))
            case .revokedOnExit: self = .revokedOnExit(try Reasoned(from: decoder))
            case .suspended: self = .suspended(try MonitorSuspension(from: decoder))
            case .resumed: self = .resumed
            case .refusedByAgency: self = .refusedByAgency(try Reasoned(from: decoder))
            case .withdrawn: self = .withdrawn(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .submitted: Submitted.self
            case .granted: Decided.self
            case .coReviewRequested: Decided.self
            case .refused: Decided.self
            case .coReviewApproved: Approved.self
            case .coReviewPartlyApproved: Approved.self
            case .coReviewRejected: Rejected.self
            case .provisioned: Noted.self
            case .revoked: Reasoned.self
            case .revokedOnExit: Reasoned.self
            case .suspended: MonitorSuspension.self
            case .resumed: NoPayload.self
            case .refusedByAgency, .withdrawn: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .submitted:
            EventSpec(.command(.submitDataRequest), from: [nil], to: .submitted, notifies: [.implementingAgency])
        case .granted:
            EventSpec(
                .command(.evaluateDataRequest),
                from: [.submitted],
                to: .granted,
                notifies: [.operator, .bigDataCenter]
            )
        case .coReviewRequested:
            EventSpec(
                .command(.evaluateDataRequest),
                from: [.submitted],
                to: .coReview,
                notifies: [.industryDepartment]
            )
        case .refused:
            EventSpec(.command(.evaluateDataRequest), from: [.submitted], to: .refused, notifies: [.operator])
        case .coReviewApproved:
            EventSpec(
                .command(.coReviewDataRequest),
                from: [.coReview],
                to: .granted,
                notifies: [.operator, .bigDataCenter]
            )
        case .coReviewPartlyApproved: EventSpec(.command(.coReviewDataRequest), from: [.coReview], to: nil)
        case .coReviewRejected:
            EventSpec(.command(.coReviewDataRequest), from: [.coReview], to: .refused, notifies: [.operator])
        case .provisioned:
            EventSpec(.command(.provisionData), from: [.granted], to: .provisioned, notifies: [.operator])
        case .revoked:
            EventSpec(
                .command(.revokeGrant),
                from: [.granted, .provisioned, .suspended],
                to: .revoked,
                notifies: [.operator]
            )
        case .revokedOnExit:
            EventSpec(
                .exit,
                from: [.submitted, .coReview, .granted, .provisioned, .suspended],
                to: .revoked,
                notifies: [.operator, .bigDataCenter]
            )
        case .suspended:
            EventSpec(
                .effect(.monitor(.reassess)),
                from: [.granted, .provisioned],
                to: .suspended,
                notifies: [.operator, .implementingAgency, .bigDataCenter]
            )
        case .resumed:
            EventSpec(
                .command(.resumeGrant),
                from: [.suspended],
                to: .granted,
                notifies: [.operator, .bigDataCenter]
            )
        case .refusedByAgency:
            EventSpec(.command(.refuseDataRequest), from: [.submitted], to: .refused, notifies: [.operator])
        case .withdrawn:
            EventSpec(
                .command(.withdrawDataRequest),
                from: [.submitted, .coReview],
                to: .withdrawn,
                notifies: [.implementingAgency]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .submitDataRequest(let request):
            let (agreement, terms) = try await context.agreement(request.agreement)
            try context.requireParty(agreement.trace.operatorID, when: .operator, articles)
            let entries = try await context.entries(request.items.map(\.entry))
            var trace = TraceKeys()
            trace.dataRequestID = request.id
            trace.agreementID = request.agreement
            trace.operatorID = terms.terms.operatorParty
            trace.agencyID = terms.terms.implementingAgency
            trace.catalogEntryIDs = request.items.map(\.entry)
            trace.departmentIDs = Array(Set(entries.map(\.owningDepartment))).sorted()
            return [Draft(.submitted(Submitted(request: request)), trace: trace)]
        case .evaluateDataRequest:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            guard let request = instance.facts.request else {
                throw context.refuse(.notFound, "the request has no content")
            }
            let (_, terms) = try await context.agreement(request.agreement)
            let entries = try await context.entries(request.items.map(\.entry))
            // Art. 17 ¶2, 26: the consent the request relies on covers it and is valid today.
            if let gaps = try await consentGaps(request, context), !gaps.isEmpty {
                throw context.refuse(
                    .notAuthorized,
                    "the consent the request relies on does not cover it: " + gaps.joined(separator: "; "),
                    ["Art. 17", "Art. 26"]
                )
            }
            // Art. 30: judged with what the operator would then hold in total.
            let holdings = try await context.engine.holdings(
                after: request,
                operatorParty: terms.terms.operatorParty,
                excluding: instance.stream
            )
            // Art. 31, 87号 §7: the operator's security records and officer, as they stand today.
            let unmet = try await context.engine.unmetSecurityDuties(of: terms.terms.operatorParty, on: context.today)
            let decisions = accessRequests(
                request,
                entries: entries,
                terms: terms.terms,
                status: terms.status,
                day: context.today,
                holdings: holdings,
                unmetSecurityDuties: unmet
            ).map(context.evaluate)
            let decision = Decision.combining(decisions, policy: context.policy, at: context.now)
            guard decision.isPermit else { return [Draft(.refused(Decided(decision: decision)))] }
            // Art. 9, 26号: data in authorized operation is registered before it is granted.
            if context.parameters.registrationBeforeGrant != 0 {
                for entry in entries { try await requireValidRegistration(entry.id, context) }
            }
            guard decision.requiresCoReview else { return [Draft(.granted(Decided(decision: decision)))] }
            let owners = Set(entries.filter { $0.sharing == .conditional }.map(\.owningDepartment))
            var trace = TraceKeys()
            trace.departmentIDs = owners.isEmpty ? instance.trace.departmentIDs : owners.sorted()
            return [Draft(.coReviewRequested(Decided(decision: decision)), trace: trace)]
        case .coReviewDataRequest(_, let approve, let note, let ground):
            guard let departments = instance.trace.departmentIDs, departments.contains(context.actor.party) else {
                throw context.refuse(.notParty, "\(context.actor.party) owns none of the conditional entries", articles)
            }
            var gaps: [String]?
            if let request = instance.facts.request { gaps = try await consentGaps(request, context) }
            guard approve else {
                // Art. 17 ¶2: explicit consent obliges supply while its record covers the request; only a ground
                // consent does not overcome may refuse. A withdrawn or expired consent obliges nothing.
                if gaps?.isEmpty == true {
                    guard let ground else {
                        throw context.refuse(
                            .invalidInput,
                            "the data subjects consented: a refusal names its ground",
                            ["Art. 17"]
                        )
                    }
                    guard !ground.overcomeByConsent else {
                        throw context.refuse(
                            .dutyToSupply,
                            "the data subjects' explicit consent obliges supply; \(ground.rawValue) is no ground to refuse",
                            ["Art. 17", "Art. 26"]
                        )
                    }
                }
                return [Draft(.coReviewRejected(Rejected(note: note, ground: ground)))]
            }
            if let gaps, !gaps.isEmpty {
                throw context.refuse(
                    .notAuthorized,
                    "the consent the request relies on no longer covers it: " + gaps.joined(separator: "; "),
                    ["Art. 17", "Art. 26"]
                )
            }
            // Art. 16: granted only when every owning department of its conditional entries approved.
            guard !instance.facts.approvals.contains(context.actor.party) else {
                throw context.refuse(.invalidState, "\(context.actor.party) has approved the request already", articles)
            }
            let approvals = (instance.facts.approvals + [context.actor.party]).sorted()
            let approved = Approved(note: note, coReviewApprovals: approvals)
            let complete = Set(departments).isSubset(of: Set(approvals))
            // Art. 31, 87号 §7: the approval that completes the co-review grants, so it waits for the security duties.
            if complete, let request = instance.facts.request {
                try await requireSecurityDuties(request, instance, context)
            }
            return [Draft(complete ? .coReviewApproved(approved) : .coReviewPartlyApproved(approved))]
        case .provisionData(_, let note):
            guard let agreementID = instance.trace.agreementID else {
                throw context.refuse(.notFound, "the request names no agreement")
            }
            let (agreement, _) = try await context.agreement(agreementID)
            try context.require(agreement, in: [.active], ["Art. 13", "Art. 28"])
            return [Draft(.provisioned(Noted(note: note)))]
        case .revokeGrant(_, let reason):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.revoked(Reasoned(reason: reason)))]
        case .resumeGrant:
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            if let finding = try await context.engine.rejudgeGrant(instance, day: context.today, at: context.now) {
                let message = "grant \(instance.id) still does not hold"
                if let decision = finding.decision, !decision.isPermit { throw context.policyDenied(decision, message) }
                throw context.refuse(
                    .notAuthorized,
                    message + ": " + finding.reasons.map(\.message).joined(separator: "; "),
                    finding.articles
                )
            }
            return [Draft(.resumed)]
        case .refuseDataRequest(_, let reason):
            try context.requireParty(instance.trace.agencyID, when: .implementingAgency, articles)
            return [Draft(.refusedByAgency(Reasoned(reason: reason)))]
        case .withdrawDataRequest(_, let reason):
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            return [Draft(.withdrawn(Reasoned(reason: reason)))]
        }
    }

    /// The policy requests of a data request, one per item, judged against `entries` (the items' entries as they
    /// are in the catalog, in item order) and the agreement's terms and status on `day`. The evaluation and the
    /// policy monitor's re-judgement (``PolicyMonitor``) build them the same way. `holdings` are the operator's
    /// totals with the request (Art. 30); `nil` judges the request alone. `unmetSecurityDuties` are the operator's
    /// unmet security duties (Art. 31); `nil` does not judge them (the monitor's re-judgement of a live grant).
    static func accessRequests(
        _ request: DataRequestSpec,
        entries: [CatalogEntry],
        terms: AgreementTerms,
        status: AgreementStatus,
        day: CivilDate,
        holdings: AggregateHoldings? = nil,
        unmetSecurityDuties: [SecurityDuty]? = nil
    ) -> [PolicyRequest] {
        zip(request.items, entries).map { item, entry in
            let requested = item.requestedFields.isEmpty ? entry.fields.map(\.name) : item.requestedFields
            return .dataRequest(
                DataAccessRequest(
                    requestID: request.id,
                    operatorParty: terms.operatorParty,
                    entry: entry,
                    agreement: terms,
                    agreementStatus: status,
                    requestedFields: requested,
                    neededFields: item.neededFields ?? requested,
                    purpose: request.purpose,
                    delivery: request.delivery,
                    anonymized: request.anonymized,
                    dataSubjectConsent: request.subjectConsent,
                    providerConsent: request.providerConsent,
                    day: day,
                    holdings: holdings,
                    unmetSecurityDuties: unmetSecurityDuties
                )
            )
        }
    }

    /// Refuses (`policyDenied`, with the decision) when the operator's unmet security duties today are what makes the
    /// policy deny `request` (Art. 31; 87号 §7): the request is judged as its evaluation judges it, with the duties and
    /// without them, and only a denial the duties alone cause blocks.
    static func requireSecurityDuties(
        _ request: DataRequestSpec,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) {
        let (_, terms) = try await context.agreement(request.agreement)
        let unmet = try await context.engine.unmetSecurityDuties(of: terms.terms.operatorParty, on: context.today)
        guard !unmet.isEmpty else { return }
        let entries = try await context.entries(request.items.map(\.entry))
        let holdings = try await context.engine.holdings(
            after: request,
            operatorParty: terms.terms.operatorParty,
            excluding: instance.stream
        )
        func decision(_ duties: [SecurityDuty]) -> Decision {
            let requests = accessRequests(
                request,
                entries: entries,
                terms: terms.terms,
                status: terms.status,
                day: context.today,
                holdings: holdings,
                unmetSecurityDuties: duties
            )
            return Decision.combining(requests.map(context.evaluate), policy: context.policy, at: context.now)
        }
        let judged = decision(unmet)
        if judged.isPermit || !decision([]).isPermit { return }
        throw context.policyDenied(
            judged,
            "the approval would grant \(instance.id) while the operator's security duties are unmet"
        )
    }

    /// What the request's consent record does not cover today (Art. 17 ¶2, 26); `nil` when it names none.
    static func consentGaps(
        _ request: DataRequestSpec,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [String]? {
        guard let id = request.consent else { return nil }
        let (_, terms) = try await context.agreement(request.agreement)
        let entries = try await context.entries(request.items.map(\.entry))
        let consent = try await context.instance(ConsentProcess.self, id.rawValue)
        return consent.consentGaps(
            request,
            operatorParty: terms.terms.operatorParty,
            entries: Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }),
            on: context.today
        )
    }

    /// Refuses (`notAuthorized`, Art. 9 and 26号) unless a registration of `entry` is valid today.
    static func requireValidRegistration(
        _ entry: CatalogEntryID,
        _ context: DecisionContext
    ) async throws(WorkflowError) {
        for stream in try await context.engine.index.registrationStreams(of: entry) {
            let registration = try await context.engine.instance(RegistrationProcess.self, stream: stream)
            if registration.isValid(on: context.today) { return }
        }
        throw context.refuse(
            .notAuthorized,
            "catalog entry \(entry) has no valid registration code; it is registered before it is granted",
            ["Art. 9", "26号"]
        )
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .submitted(let submitted): facts.request = submitted.request
        case .granted(let decided), .coReviewRequested(let decided), .refused(let decided):
            facts.decision = decided.decision
        case .coReviewApproved(let approved), .coReviewPartlyApproved(let approved):
            facts.approvals = approved.coReviewApprovals
        case .coReviewRejected, .provisioned, .revoked, .revokedOnExit, .suspended, .resumed, .refusedByAgency,
            .withdrawn:
            break
        }
    }
}

extension WorkflowCommand {
    /// A command of the data request (Art. 16–19).
    public static func dataRequest(_ command: DataRequestProcess.Command) -> WorkflowCommand {
        WorkflowCommand(DataRequestProcess.self, command)
    }
}

extension CommandName {
    /// A data request command.
    public static func dataRequest(_ name: DataRequestProcess.Command.Name) -> CommandName {
        CommandName(DataRequestProcess.self, name)
    }
}
