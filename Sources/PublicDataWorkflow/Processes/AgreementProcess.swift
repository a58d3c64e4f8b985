import Foundation
import PublicDataModel
import PublicDataPolicy

/// 授权运营协议: the authorization agreement (Art. 13), its filing, its term, suspension, termination,
/// revocation and the exit procedure (87号 §8).
///
/// Whether an agreement may be signed is the policy's agreement review (term cap, scope within the plan, the
/// selected operator, the approved plan, the collective decision): drafting only checks the input's shape.
public enum AgreementProcess: WorkflowProcess {
    public static let kind = ProcessKind.agreement
    public static let commandKey = "agreement"
    public static let title = "Authorization agreement (Art. 13)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.terminated, .revoked, .expired, .abandoned]

    /// The agreement's states (the same names as `AgreementStatus`).
    public enum State: String, ProcessStateKind {
        /// Drafted.
        case drafted
        /// The collective decision (三重一大) is recorded.
        case decided
        /// Signed.
        case signed
        /// Filed (备案) with the data administration.
        case filed
        /// In force.
        case active
        /// Suspended.
        case suspended
        /// Terminated.
        case terminated
        /// Revoked for a violation.
        case revoked
        /// Its term ended.
        case expired
        /// Abandoned before it came into force (nothing was granted under it).
        case abandoned
    }

    /// The agreement's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// Filing after signing.
        case filing
        /// Notice before the term ends.
        case expiryNotice
        /// The end of the term.
        case expiry
        /// The exit procedure.
        case exit

        public var rule: String {
            switch self {
            case .filing: "the end of `agreementFilingWorkingDays` working days after signing; overdue → notice, once"
            case .expiryNotice: "`agreementExpiryNoticeDays` calendar days before the last day of the term"
            case .expiry: "the end of the term's last day"
            case .exit: "immediately: revoke grants, withdraw products, close the period, settle the accounts"
            }
        }
    }

    /// What an agreement remembers.
    public struct Facts: Sendable, Hashable {
        /// The terms.
        public var terms: AgreementTerms?
        /// The selection it results from.
        public var selection: SelectionID?
        /// The agreement review's decision at signing.
        public var decision: Decision?
        /// The filing number.
        public var filingNumber: String?
        /// The reason of the latest suspension, termination or revocation.
        public var reason: String?
        /// The parties that signed, in order: the operator, then the agency and any co-signing department.
        public var signatories: [PartyID] = []
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Drafts an agreement for the operator selected for a published plan.
        case draftAgreement(terms: AgreementTerms, selection: SelectionID)
        /// Records the collective decision (三重一大).
        case recordCollectiveDecision(agreement: AgreementID, minutes: String)
        /// The operator signs; the policy's agreement review decides.
        case signAgreement(agreement: AgreementID)
        /// The implementing agency, and the co-signing industry department the terms name, sign after the
        /// operator (Art. 13); the agreement is filed only when every party signed.
        case countersignAgreement(agreement: AgreementID)
        /// The data administration files the agreement.
        case fileAgreement(agreement: AgreementID, filingNumber: String)
        /// Puts a filed agreement in force.
        case activateAgreement(agreement: AgreementID)
        /// Suspends an active agreement.
        case suspendAgreement(agreement: AgreementID, reason: String)
        /// Resumes a suspended agreement.
        case resumeAgreement(agreement: AgreementID)
        /// Terminates the agreement and starts the exit procedure.
        case terminateAgreement(agreement: AgreementID, reason: String)
        /// Revokes the agreement for a violation and starts the exit procedure.
        case revokeAgreement(agreement: AgreementID, reason: String)
        /// The implementing agency abandons an agreement that is not in force yet (the collective decision went
        /// against it, a party will not sign, the filing was refused): it ends without an exit procedure, since
        /// nothing was granted under it.
        case abandonAgreement(agreement: AgreementID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case draftAgreement, recordCollectiveDecision, signAgreement, countersignAgreement, fileAgreement
            case activateAgreement
            case suspendAgreement, resumeAgreement, terminateAgreement, revokeAgreement, abandonAgreement

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .draftAgreement:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 13"],
                        guards: ["the agency's own agreement", "the selection exists"]
                    )
                case .recordCollectiveDecision:
                    CommandSpec([.implementingAgency], ["Art. 13"], guards: ["the agency's own agreement"])
                case .signAgreement:
                    CommandSpec(
                        [.operator],
                        ["Art. 13"],
                        guards: [
                            "the operator of this agreement",
                            "the policy's agreement review: term cap, scope, plan, selection, collective decision",
                        ]
                    )
                case .countersignAgreement:
                    CommandSpec(
                        [.implementingAgency, .industryDepartment],
                        ["Art. 13"],
                        guards: [
                            "the agency of the agreement, or the co-signing department its terms name",
                            "each party signs once",
                        ]
                    )
                case .fileAgreement:
                    CommandSpec(
                        [.dataAdministration],
                        ["Art. 13"],
                        guards: ["the operator, the agency and any co-signing department signed"]
                    )
                case .activateAgreement:
                    CommandSpec([.implementingAgency], ["Art. 13"], guards: ["today lies within the term"])
                case .suspendAgreement:
                    CommandSpec([.implementingAgency, .dataAdministration], ["Art. 30"], guards: ["a reason"])
                case .resumeAgreement: CommandSpec([.implementingAgency, .dataAdministration], ["Art. 30"])
                case .terminateAgreement: CommandSpec([.implementingAgency], ["Art. 33"], guards: ["a reason"])
                case .revokeAgreement:
                    CommandSpec(
                        [.implementingAgency, .dataAdministration],
                        ["Art. 30", "Art. 33"],
                        guards: ["a reason"]
                    )
                case .abandonAgreement:
                    CommandSpec(
                        [.implementingAgency],
                        ["Art. 13"],
                        guards: ["the agency's own agreement", "not yet in force", "a reason"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .draftAgreement: .draftAgreement
            case .recordCollectiveDecision: .recordCollectiveDecision
            case .signAgreement: .signAgreement
            case .countersignAgreement: .countersignAgreement
            case .fileAgreement: .fileAgreement
            case .activateAgreement: .activateAgreement
            case .suspendAgreement: .suspendAgreement
            case .resumeAgreement: .resumeAgreement
            case .terminateAgreement: .terminateAgreement
            case .revokeAgreement: .revokeAgreement
            case .abandonAgreement: .abandonAgreement
            }
        }

        public var instanceID: String {
            switch self {
            case .draftAgreement(let terms, _): terms.id.rawValue
            case .recordCollectiveDecision(let id, _), .signAgreement(let id), .countersignAgreement(let id),
                .fileAgreement(let id, _),
                .activateAgreement(let id), .suspendAgreement(let id, _), .resumeAgreement(let id),
                .terminateAgreement(let id, _), .revokeAgreement(let id, _), .abandonAgreement(let id, _):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .draftAgreement(let terms, let selection):
                check.add(terms.validationIssues(), under: "$.terms")
                check.id(selection, "$.selection")
                check.id(terms.plan, "$.terms.plan")
                check.id(terms.implementingAgency, "$.terms.implementingAgency")
            case .recordCollectiveDecision(let id, let minutes):
                check.id(id, "$.agreement")
                check.text(minutes, "$.minutes")
            case .fileAgreement(let id, let number):
                check.id(id, "$.agreement")
                check.text(number, "$.filingNumber")
            case .suspendAgreement(let id, let reason), .terminateAgreement(let id, let reason),
                .revokeAgreement(let id, let reason), .abandonAgreement(let id, let reason):
                check.id(id, "$.agreement")
                check.text(reason, "$.reason")
            case .signAgreement(let id), .countersignAgreement(let id), .activateAgreement(let id),
                .resumeAgreement(let id):
                check.id(id, "$.agreement")
            }
        }
    }

    /// Drafted terms.
    public struct Drafted: Codable, Sendable, Hashable {
        /// The terms.
        public var terms: AgreementTerms
        /// The selection.
        public var selection: SelectionID
    }

    /// A signature after the operator's.
    public struct Countersigned: Codable, Sendable, Hashable {
        /// The signing party.
        public var signatory: PartyID
        /// The role it signed in.
        public var signatoryRole: Role
    }

    /// A filing.
    public struct Filed: Codable, Sendable, Hashable {
        /// The filing number.
        public var filingNumber: String
    }

    /// A termination by the evaluation (87号 §8).
    public struct TerminatedByEvaluation: Codable, Sendable, Hashable {
        /// The rating that ordered the exit.
        public var rating: EvaluationRating
        /// Consecutive poor ratings.
        public var consecutivePoorRatings: Int
        /// Why.
        public var reason: String
    }

    /// The events.
    public enum Event: ProcessEvent, DecisionCarrying {
        /// Drafted.
        case drafted(Drafted)
        /// Collective decision recorded.
        case decided(Noted)
        /// Signed, with the agreement review's permit.
        case signed(Decided)
        /// Signed by the agency or the co-signing department.
        case countersigned(Countersigned)
        /// Filed.
        case filed(Filed)
        /// Not filed in time.
        case filingOverdue
        /// In force.
        case activated
        /// Suspended.
        case suspended(Reasoned)
        /// Resumed.
        case resumed
        /// Terminated.
        case terminated(Reasoned)
        /// Revoked.
        case revoked(Reasoned)
        /// Terminated after consecutive poor evaluations.
        case terminatedByEvaluation(TerminatedByEvaluation)
        /// The term ends soon.
        case expiryApproaching
        /// The term ended.
        case expired
        /// The exit procedure completed.
        case exitCompleted
        /// Abandoned before it came into force.
        case abandoned(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case drafted = "agreement.drafted"
            case decided = "agreement.decided"
            case signed = "agreement.signed"
            case countersigned = "agreement.countersigned"
            case filed = "agreement.filed"
            case filingOverdue = "agreement.filingOverdue"
            case activated = "agreement.activated"
            case suspended = "agreement.suspended"
            case resumed = "agreement.resumed"
            case terminated = "agreement.terminated"
            case revoked = "agreement.revoked"
            case terminatedByEvaluation = "agreement.terminatedByEvaluation"
            case expiryApproaching = "agreement.expiryApproaching"
            case expired = "agreement.expired"
            case exitCompleted = "agreement.exitCompleted"
            case abandoned = "agreement.abandoned"
        }

        public var kind: Kind {
            switch self {
            case .drafted: .drafted
            case .decided: .decided
            case .signed: .signed
            case .countersigned: .countersigned
            case .filed: .filed
            case .filingOverdue: .filingOverdue
            case .activated: .activated
            case .suspended: .suspended
            case .resumed: .resumed
            case .terminated: .terminated
            case .revoked: .revoked
            case .terminatedByEvaluation: .terminatedByEvaluation
            case .expiryApproaching: .expiryApproaching
            case .expired: .expired
            case .exitCompleted: .exitCompleted
            case .abandoned: .abandoned
            }
        }

        public var recordedDecision: Decision? {
            if case .signed(let decided) = self { return decided.decision }
            return nil
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .drafted(let payload): try payload.encode(to: encoder)
            case .decided(let payload): try payload.encode(to: encoder)
            case .signed(let payload): try payload.encode(to: encoder)
            case .countersigned(let payload): try payload.encode(to: encoder)
            case .filed(let payload): try payload.encode(to: encoder)
            case .suspended(let payload), .terminated(let payload), .revoked(let payload), .abandoned(let payload):
                try payload.encode(to: encoder)
            case .terminatedByEvaluation(let payload): try payload.encode(to: encoder)
            case .filingOverdue, .activated, .resumed, .expiryApproaching, .expired, .exitCompleted: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .drafted: self = .drafted(try Drafted(from: decoder))
            case .decided: self = .decided(try Noted(from: decoder))
            case .signed: self = .signed(try Decided(from: decoder))
            case .countersigned: self = .countersigned(try Countersigned(from: decoder))
            case .filed: self = .filed(try Filed(from: decoder))
            case .filingOverdue: self = .filingOverdue
            case .activated: self = .activated
            case .suspended: self = .suspended(try Reasoned(from: decoder))
            case .resumed: self = .resumed
            case .terminated: self = .terminated(try Reasoned(from: decoder))
            case .revoked: self = .revoked(try Reasoned(from: decoder))
            case .abandoned: self = .abandoned(try Reasoned(from: decoder))
            case .terminatedByEvaluation: self = .terminatedByEvaluation(try TerminatedByEvaluation(from: decoder))
            case .expiryApproaching: self = .expiryApproaching
            case .expired: self = .expired
            case .exitCompleted: self = .exitCompleted
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .drafted: Drafted.self
            case .decided: Noted.self
            case .signed: Decided.self
            case .countersigned: Countersigned.self
            case .filed: Filed.self
            case .filingOverdue: NoPayload.self
            case .activated: NoPayload.self
            case .suspended: Reasoned.self
            case .resumed: NoPayload.self
            case .terminated: Reasoned.self
            case .revoked: Reasoned.self
            case .abandoned: Reasoned.self
            case .terminatedByEvaluation: TerminatedByEvaluation.self
            case .expiryApproaching: NoPayload.self
            case .expired: NoPayload.self
            case .exitCompleted: NoPayload.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        let ending: [State?] = [.active, .suspended]
        switch kind {
        case .drafted: return EventSpec(.command(.draftAgreement), from: [nil], to: .drafted, notifies: [.operator])
        case .decided:
            return EventSpec(.command(.recordCollectiveDecision), from: [.drafted], to: .decided, notifies: [.operator])
        case .signed:
            return EventSpec(
                .command(.signAgreement),
                from: [.decided],
                to: .signed,
                notifies: [.implementingAgency, .dataAdministration],
                opens: [.filing]
            )
        case .countersigned:
            return EventSpec(
                .command(.countersignAgreement),
                from: [.signed],
                to: nil,
                notifies: [.operator, .dataAdministration]
            )
        case .filed:
            return EventSpec(
                .command(.fileAgreement),
                from: [.signed],
                to: .filed,
                notifies: [.implementingAgency, .operator],
                closes: [.filing]
            )
        case .filingOverdue:
            return EventSpec(
                .deadline(.filing),
                from: [.signed],
                to: nil,
                notifies: [.dataAdministration, .implementingAgency],
                closes: [.filing]
            )
        case .activated:
            return EventSpec(
                .command(.activateAgreement),
                from: [.filed],
                to: .active,
                notifies: [.operator],
                opens: [.expiryNotice, .expiry]
            )
        case .suspended:
            return EventSpec(.command(.suspendAgreement), from: [.active], to: .suspended, notifies: [.operator])
        case .resumed:
            return EventSpec(.command(.resumeAgreement), from: [.suspended], to: .active, notifies: [.operator])
        case .terminated:
            return EventSpec(
                .command(.terminateAgreement),
                from: ending,
                to: .terminated,
                notifies: [.operator, .dataAdministration],
                opens: [.exit],
                closes: [.expiryNotice, .expiry]
            )
        case .revoked:
            return EventSpec(
                .command(.revokeAgreement),
                from: ending,
                to: .revoked,
                notifies: [.operator, .implementingAgency],
                opens: [.exit],
                closes: [.expiryNotice, .expiry]
            )
        case .terminatedByEvaluation:
            return EventSpec(
                .effect(.evaluation(.rateOperator)),
                from: ending,
                to: .terminated,
                notifies: [.operator, .implementingAgency, .dataAdministration],
                opens: [.exit],
                closes: [.expiryNotice, .expiry]
            )
        case .expiryApproaching:
            return EventSpec(
                .deadline(.expiryNotice),
                from: ending,
                to: nil,
                notifies: [.operator, .implementingAgency],
                closes: [.expiryNotice]
            )
        case .expired:
            return EventSpec(
                .deadline(.expiry),
                from: ending,
                to: .expired,
                notifies: [.operator, .implementingAgency],
                opens: [.exit],
                closes: [.expiry, .expiryNotice]
            )
        case .exitCompleted:
            return EventSpec(
                .deadline(.exit),
                from: [.terminated, .revoked, .expired],
                to: nil,
                notifies: [.operator, .dataAdministration],
                closes: [.exit]
            )
        case .abandoned:
            return EventSpec(
                .command(.abandonAgreement),
                from: [.drafted, .decided, .signed, .filed],
                to: .abandoned,
                notifies: [.operator, .dataAdministration],
                closes: [.filing]
            )
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        let agency = instance.trace.agencyID
        switch command {
        case .draftAgreement(let terms, let selection):
            try context.requireParty(terms.implementingAgency, when: .implementingAgency, articles)
            _ = try await context.load(SelectionProcess.self, selection.rawValue)
            _ = try await context.load(PlanProcess.self, terms.plan.rawValue)
            var trace = TraceKeys()
            trace.agreementID = terms.id
            trace.planID = terms.plan
            trace.selectionID = selection
            trace.operatorID = terms.operatorParty
            trace.agencyID = terms.implementingAgency
            trace.catalogEntryIDs = terms.scope.map(\.entry)
            return [Draft(.drafted(Drafted(terms: terms, selection: selection)), trace: trace)]
        case .recordCollectiveDecision(_, let minutes):
            try context.requireParty(agency, when: .implementingAgency, articles)
            return [Draft(.decided(Noted(note: minutes)))]
        case .signAgreement:
            try context.requireParty(instance.trace.operatorID, when: .operator, articles)
            guard let terms = instance.facts.terms else {
                throw context.refuse(.notFound, "the agreement has no terms")
            }
            let plan = try await context.load(PlanProcess.self, terms.plan.rawValue)
            guard let content = plan.facts.plan else { throw context.refuse(.notFound, "the plan has no content") }
            var selected: PartyID?
            if let selectionID = instance.facts.selection {
                let selection = try await context.instance(SelectionProcess.self, selectionID.rawValue)
                if selection.state == .selected, selection.trace.planID == terms.plan {
                    selected = selection.facts.selected
                }
            }
            let decision = context.evaluate(
                .agreement(
                    AgreementReviewRequest(
                        agreement: terms,
                        plan: content,
                        planApproved: plan.state == .published || plan.state == .approved,
                        collectiveDecisionRecorded: true,
                        selectedOperator: selected
                    )
                )
            )
            guard decision.isPermit else { throw context.policyDenied(decision, "the agreement review refuses") }
            let filing = context.workingDayDeadline(
                Deadline.filing,
                instance,
                count: context.parameters.agreementFilingWorkingDays
            )
            return [Draft(.signed(Decided(decision: decision)), deadlines: [filing])]
        case .countersignAgreement:
            guard let terms = instance.facts.terms else {
                throw context.refuse(.notFound, "the agreement has no terms")
            }
            try context.requireParty(agency, when: .implementingAgency, articles)
            if context.actor.role == .industryDepartment, terms.coSigningDepartment != context.actor.party {
                throw context.refuse(
                    .notParty,
                    "\(context.actor.party) is not the co-signing department of \(terms.id) "
                        + "(\(terms.coSigningDepartment?.rawValue ?? "the agency signs alone"))",
                    articles
                )
            }
            guard !instance.facts.signatories.contains(context.actor.party) else {
                throw context.refuse(.invalidState, "\(context.actor.party) has signed \(terms.id) already", articles)
            }
            return [
                Draft(
                    .countersigned(Countersigned(signatory: context.actor.party, signatoryRole: context.actor.role))
                )
            ]
        case .fileAgreement(_, let number):
            // Art. 13: the agency (with the co-signing department the terms name) signs with the operator.
            guard let terms = instance.facts.terms else {
                throw context.refuse(.notFound, "the agreement has no terms")
            }
            let missing = [terms.implementingAgency, terms.coSigningDepartment].compactMap { $0 }
                .filter { !instance.facts.signatories.contains($0) }
            guard missing.isEmpty else {
                throw context.refuse(
                    .invalidState,
                    "\(terms.id) lacks the signature of " + missing.map(\.rawValue).joined(separator: ", "),
                    ["Art. 13"]
                )
            }
            return [Draft(.filed(Filed(filingNumber: number)))]
        case .activateAgreement:
            try context.requireParty(agency, when: .implementingAgency, articles)
            guard let terms = instance.facts.terms, terms.covers(context.today) else {
                throw context.refuse(
                    .invalidState,
                    "today (\(context.today)) is outside the agreement's term",
                    articles
                )
            }
            let noticeDay = terms.end.adding(days: -context.parameters.agreementExpiryNoticeDays)
            return [
                Draft(
                    .activated,
                    deadlines: [
                        context.deadline(
                            Deadline.expiryNotice,
                            instance,
                            dueDay: noticeDay,
                            dueAt: context.calendar.startOfDay(noticeDay)
                        ),
                        context.deadline(
                            Deadline.expiry,
                            instance,
                            dueDay: terms.end,
                            dueAt: context.calendar.endOfDay(terms.end)
                        ),
                    ]
                )
            ]
        case .suspendAgreement(_, let reason):
            try context.requireParty(agency, when: .implementingAgency, articles)
            return [Draft(.suspended(Reasoned(reason: reason)))]
        case .resumeAgreement:
            try context.requireParty(agency, when: .implementingAgency, articles)
            return [Draft(.resumed)]
        case .terminateAgreement(_, let reason):
            try context.requireParty(agency, when: .implementingAgency, articles)
            let exit = context.deadline(Deadline.exit, instance, dueDay: context.today, dueAt: context.now)
            return [Draft(.terminated(Reasoned(reason: reason)), deadlines: [exit])]
        case .revokeAgreement(_, let reason):
            try context.requireParty(agency, when: .implementingAgency, articles)
            let exit = context.deadline(Deadline.exit, instance, dueDay: context.today, dueAt: context.now)
            return [Draft(.revoked(Reasoned(reason: reason)), deadlines: [exit])]
        case .abandonAgreement(_, let reason):
            try context.requireParty(agency, when: .implementingAgency, articles)
            return [Draft(.abandoned(Reasoned(reason: reason)))]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .drafted(let drafted):
            facts.terms = drafted.terms
            facts.selection = drafted.selection
        case .signed(let decided):
            facts.decision = decided.decision
            if let party = facts.terms?.operatorParty { facts.signatories = [party] }
        case .countersigned(let signed): facts.signatories.append(signed.signatory)
        case .filed(let filed): facts.filingNumber = filed.filingNumber
        case .suspended(let reasoned), .terminated(let reasoned), .revoked(let reasoned), .abandoned(let reasoned):
            facts.reason = reasoned.reason
        case .terminatedByEvaluation(let ended): facts.reason = ended.reason
        case .decided, .filingOverdue, .activated, .resumed, .expiryApproaching, .expired, .exitCompleted: break
        }
    }
}

extension ProcessInstance where Process == AgreementProcess {
    /// The agreement's status (`AgreementStatus.drafted` before the first event).
    public var agreementStatus: AgreementStatus {
        state.flatMap { AgreementStatus(rawValue: $0.rawValue) } ?? .drafted
    }
}

extension AgreementProcess {
    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .filing: Draft(.filingOverdue)
        case .expiryNotice: Draft(.expiryApproaching)
        case .expiry:
            Draft(
                .expired,
                deadlines: [context.deadline(Deadline.exit, instance, dueDay: context.today, dueAt: context.now)]
            )
        case .exit: Draft(.exitCompleted)
        }
    }
}

extension WorkflowCommand {
    /// A command of the authorization agreement (Art. 13).
    public static func agreement(_ command: AgreementProcess.Command) -> WorkflowCommand {
        WorkflowCommand(AgreementProcess.self, command)
    }
}

extension CommandName {
    /// An agreement command.
    public static func agreement(_ name: AgreementProcess.Command.Name) -> CommandName {
        CommandName(AgreementProcess.self, name)
    }
}
