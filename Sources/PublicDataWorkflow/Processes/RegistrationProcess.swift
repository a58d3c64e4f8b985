import Foundation
import PublicDataModel

/// 登记: registration of public data resources and products (Art. 9; the national registration measures 26号):
/// application, acceptance, formal review with public notice, the registration code, its validity and renewal.
public enum RegistrationProcess: WorkflowProcess {
    public static let kind = ProcessKind.registration
    public static let commandKey = "registration"
    public static let title = "Registration (Art. 9)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.rejected, .expired, .superseded, .cancelled]

    /// The registration's states.
    public enum State: String, ProcessStateKind {
        /// Applied.
        case applied
        /// Accepted for review.
        case accepted
        /// Under public notice.
        case publicNotice
        /// The public notice ended.
        case noticeCompleted
        /// Rejected in formal review.
        case rejected
        /// Registered; the code is valid.
        case registered
        /// The validity ended.
        case expired
        /// Replaced by a change or correction registration whose code was issued (26号).
        case superseded
        /// Cancelled by a cancellation registration whose code was issued (26号).
        case cancelled
    }

    /// The registration's deadlines.
    public enum Deadline: String, DeadlineKind {
        /// The end of the public notice.
        case notice
        /// The end of the validity.
        case validity

        public var rule: String {
            switch self {
            case .notice: "the end of `registrationNoticeWorkingDays` working days after the notice is published"
            case .validity: "`registrationValidityYears` years after the code is issued or renewed"
            }
        }
    }

    /// What a registration remembers.
    public struct Facts: Sendable, Hashable {
        /// The application.
        public var application: RegistrationApplication?
        /// The formal review's note.
        public var note: String?
        /// The registration code.
        public var code: String?
        /// The last day of validity.
        public var validUntil: CivilDate?
        /// The change, correction or cancellation registration that ended this one.
        public var endedBy: RegistrationID?
        /// The role the applicant applied in.
        public var applicantRole: Role?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Applies for a registration (first, change, correction, cancellation).
        case applyRegistration(application: RegistrationApplication)
        /// Accepts the application.
        case acceptRegistration(registration: RegistrationID)
        /// Completes the formal review: public notice, or rejection.
        case completeFormalReview(registration: RegistrationID, passed: Bool, note: String)
        /// Issues the registration code after the public notice.
        case issueRegistrationCode(registration: RegistrationID, code: String)
        /// Renews the registration before its validity ends.
        case renewRegistration(registration: RegistrationID)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case applyRegistration, acceptRegistration, completeFormalReview, issueRegistrationCode
            case renewRegistration

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .applyRegistration:
                    CommandSpec(
                        [.industryDepartment, .implementingAgency, .operator],
                        ["Art. 9"],
                        guards: ["change, correction and cancellation name a registered registration"]
                    )
                case .acceptRegistration: CommandSpec([.dataAdministration], ["Art. 9"])
                case .completeFormalReview: CommandSpec([.dataAdministration], ["Art. 9"])
                case .issueRegistrationCode:
                    CommandSpec([.dataAdministration], ["Art. 9"], guards: ["the public notice has ended"])
                case .renewRegistration:
                    CommandSpec(
                        [.industryDepartment, .implementingAgency, .operator],
                        ["Art. 9"],
                        guards: ["the applicant renews", "before the validity ends"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .applyRegistration: .applyRegistration
            case .acceptRegistration: .acceptRegistration
            case .completeFormalReview: .completeFormalReview
            case .issueRegistrationCode: .issueRegistrationCode
            case .renewRegistration: .renewRegistration
            }
        }

        public var instanceID: String {
            switch self {
            case .applyRegistration(let application): application.id.rawValue
            case .acceptRegistration(let id), .completeFormalReview(let id, _, _), .issueRegistrationCode(let id, _),
                .renewRegistration(let id):
                id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .applyRegistration(let application):
                check.id(application.id, "$.application.id")
                check.text(application.description, "$.application.description")
                if application.catalogEntries.isEmpty && application.product == nil {
                    check.fail("$.application.catalogEntries", "names no entry and no product")
                }
                if application.kind != .first && application.concerns == nil {
                    check.fail("$.application.concerns", "a \(application.kind) names its registration")
                }
            case .acceptRegistration(let id), .renewRegistration(let id): check.id(id, "$.registration")
            case .completeFormalReview(let id, _, let note):
                check.id(id, "$.registration")
                check.text(note, "$.note")
            case .issueRegistrationCode(let id, let code):
                check.id(id, "$.registration")
                check.text(code, "$.code")
            }
        }
    }

    /// An application.
    public struct Applied: Codable, Sendable, Hashable {
        /// The application.
        public var registration: RegistrationApplication
        /// The role in which the applicant applied (told of every step in that role).
        public var applicantRole: Role?
    }

    /// The roles that may apply; the registration's notices go to the applicant in the role it applied in.
    static let applicantRoles: [Role] = [.industryDepartment, .implementingAgency, .operator]

    /// The applicant as the only recipient of a notice (the other applicant roles are told nothing).
    static func applicant(_ instance: ProcessInstance<Self>) -> [Role: [PartyID]] {
        let role = instance.facts.applicantRole ?? .industryDepartment
        var recipients: [Role: [PartyID]] = [:]
        for candidate in applicantRoles {
            recipients[candidate] = candidate == role ? instance.trace.applicantID.map { [$0] } ?? [] : []
        }
        return recipients
    }

    /// The applicant as the only recipient of `event` (for the exit procedure's steps).
    static func applicantTold(_ instance: ProcessInstance<Self>, _ event: Event) -> [Role: [PartyID]] {
        applicant(instance)
    }

    /// An issued code.
    public struct CodeIssued: Codable, Sendable, Hashable {
        /// The code.
        public var registrationCode: String
        /// The last day of validity.
        public var validUntil: CivilDate
    }

    /// A registration ended by a later change, correction or cancellation registration.
    public struct Replaced: Codable, Sendable, Hashable {
        /// The registration whose code ended this one.
        public var replacedBy: RegistrationID
        /// Its kind (change, correction or cancellation).
        public var replacementKind: RegistrationKind
    }

    /// A renewal.
    public struct Renewed: Codable, Sendable, Hashable {
        /// The new last day of validity.
        public var validUntil: CivilDate
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Applied.
        case applied(Applied)
        /// Accepted.
        case accepted
        /// Formal review passed; public notice published.
        case noticePublished(Noted)
        /// Formal review failed.
        case rejected(Noted)
        /// The public notice ended.
        case noticeEnded
        /// The code was issued.
        case codeIssued(CodeIssued)
        /// Renewed.
        case renewed(Renewed)
        /// The validity ended.
        case expired
        /// A change or correction registration of this one received its code: this one is superseded.
        case superseded(Replaced)
        /// A cancellation registration of this one received its code: this one is cancelled.
        case cancelled(Replaced)
        /// The exit procedure of the only agreement operating what it registers ended its renewal duty: the
        /// validity deadline is closed (the code stays valid until its last day, and may still be renewed).
        case renewalClosedOnExit(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case applied = "registration.applied"
            case accepted = "registration.accepted"
            case noticePublished = "registration.noticePublished"
            case rejected = "registration.rejected"
            case noticeEnded = "registration.noticeEnded"
            case codeIssued = "registration.codeIssued"
            case renewed = "registration.renewed"
            case expired = "registration.expired"
            case superseded = "registration.superseded"
            case cancelled = "registration.cancelled"
            case renewalClosedOnExit = "registration.renewalClosedOnExit"
        }

        public var kind: Kind {
            switch self {
            case .applied: .applied
            case .accepted: .accepted
            case .noticePublished: .noticePublished
            case .rejected: .rejected
            case .noticeEnded: .noticeEnded
            case .codeIssued: .codeIssued
            case .renewed: .renewed
            case .expired: .expired
            case .superseded: .superseded
            case .cancelled: .cancelled
            case .renewalClosedOnExit: .renewalClosedOnExit
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .applied(let payload): try payload.encode(to: encoder)
            case .noticePublished(let payload), .rejected(let payload): try payload.encode(to: encoder)
            case .codeIssued(let payload): try payload.encode(to: encoder)
            case .renewed(let payload): try payload.encode(to: encoder)
            case .superseded(let payload), .cancelled(let payload): try payload.encode(to: encoder)
            case .renewalClosedOnExit(let payload): try payload.encode(to: encoder)
            case .accepted, .noticeEnded, .expired: break
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .applied: self = .applied(try Applied(from: decoder))
            case .accepted: self = .accepted
            case .noticePublished: self = .noticePublished(try Noted(from: decoder))
            case .rejected: self = .rejected(try Noted(from: decoder))
            case .noticeEnded: self = .noticeEnded
            case .codeIssued: self = .codeIssued(try CodeIssued(from: decoder))
            case .renewed: self = .renewed(try Renewed(from: decoder))
            case .expired: self = .expired
            case .superseded: self = .superseded(try Replaced(from: decoder))
            case .cancelled: self = .cancelled(try Replaced(from: decoder))
            case .renewalClosedOnExit: self = .renewalClosedOnExit(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .applied: Applied.self
            case .accepted: NoPayload.self
            case .noticePublished: Noted.self
            case .rejected: Noted.self
            case .noticeEnded: NoPayload.self
            case .codeIssued: CodeIssued.self
            case .renewed: Renewed.self
            case .expired: NoPayload.self
            case .superseded, .cancelled: Replaced.self
            case .renewalClosedOnExit: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .applied:
            EventSpec(.command(.applyRegistration), from: [nil], to: .applied, notifies: [.dataAdministration])
        case .accepted:
            EventSpec(.command(.acceptRegistration), from: [.applied], to: .accepted, notifies: applicantRoles)
        case .noticePublished:
            EventSpec(
                .command(.completeFormalReview),
                from: [.accepted],
                to: .publicNotice,
                notifies: applicantRoles,
                opens: [.notice]
            )
        case .rejected:
            EventSpec(.command(.completeFormalReview), from: [.accepted], to: .rejected, notifies: applicantRoles)
        case .noticeEnded:
            EventSpec(
                .deadline(.notice),
                from: [.publicNotice],
                to: .noticeCompleted,
                notifies: [.dataAdministration],
                closes: [.notice]
            )
        case .codeIssued:
            EventSpec(
                .command(.issueRegistrationCode),
                from: [.noticeCompleted],
                to: .registered,
                notifies: applicantRoles,
                opens: [.validity]
            )
        case .renewed:
            EventSpec(
                .command(.renewRegistration),
                from: [.registered],
                to: nil,
                opens: [.validity],
                closes: [.validity]
            )
        case .expired:
            EventSpec(
                .deadline(.validity),
                from: [.registered],
                to: .expired,
                notifies: applicantRoles,
                closes: [.validity]
            )
        case .superseded:
            EventSpec(
                .effect(.registration(.issueRegistrationCode)),
                from: [.registered],
                to: .superseded,
                notifies: applicantRoles,
                closes: [.validity]
            )
        case .cancelled:
            EventSpec(
                .effect(.registration(.issueRegistrationCode)),
                from: [.registered],
                to: .cancelled,
                notifies: applicantRoles,
                closes: [.validity]
            )
        case .renewalClosedOnExit:
            EventSpec(.exit, from: [.registered], to: nil, notifies: applicantRoles, closes: [.validity])
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        let parameters = context.parameters
        switch command {
        case .applyRegistration(let application):
            if context.actor.role == .operator, let product = application.product {
                let loaded = try await context.load(ProductProcess.self, product.rawValue)
                try context.requireParty(loaded.trace.operatorID, when: .operator, articles)
            }
            if let concerns = application.concerns {
                let previous = try await context.load(RegistrationProcess.self, concerns.rawValue)
                try context.require(previous, in: [.registered], articles)
            }
            var trace = TraceKeys()
            trace.registrationID = application.id
            trace.applicantID = context.actor.party
            trace.catalogEntryIDs = application.catalogEntries.isEmpty ? nil : application.catalogEntries
            trace.productID = application.product
            return [
                Draft(
                    .applied(Applied(registration: application, applicantRole: context.actor.role)),
                    trace: trace
                )
            ]
        case .acceptRegistration: return [Draft(.accepted, recipients: applicant(instance))]
        case .completeFormalReview(_, let passed, let note):
            guard passed else { return [Draft(.rejected(Noted(note: note)), recipients: applicant(instance))] }
            let notice = context.workingDayDeadline(
                Deadline.notice,
                instance,
                count: parameters.registrationNoticeWorkingDays
            )
            return [Draft(.noticePublished(Noted(note: note)), deadlines: [notice], recipients: applicant(instance))]
        case .issueRegistrationCode(_, let code):
            guard let validUntil = context.today.adding(years: parameters.registrationValidityYears)?.adding(days: -1)
            else { throw context.refuse(.invalidInput, "the validity overflows the calendar", articles) }
            let validity = context.deadline(
                Deadline.validity,
                instance,
                dueDay: validUntil,
                dueAt: context.calendar.endOfDay(validUntil)
            )
            return [
                Draft(
                    .codeIssued(CodeIssued(registrationCode: code, validUntil: validUntil)),
                    deadlines: [validity],
                    recipients: applicant(instance)
                )
            ]
        case .renewRegistration:
            guard context.actor.party == instance.trace.applicantID else {
                throw context.refuse(
                    .notParty,
                    "only the applicant \(instance.trace.applicantID?.rawValue ?? "?") renews",
                    articles
                )
            }
            guard let current = instance.facts.validUntil, context.today <= current,
                let validUntil = current.adding(years: parameters.registrationValidityYears)
            else { throw context.refuse(.invalidState, "the registration's validity has ended", articles) }
            let validity = context.deadline(
                Deadline.validity,
                instance,
                dueDay: validUntil,
                dueAt: context.calendar.endOfDay(validUntil)
            )
            return [Draft(.renewed(Renewed(validUntil: validUntil)), deadlines: [validity])]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .applied(let applied):
            facts.application = applied.registration
            facts.applicantRole = applied.applicantRole
        case .noticePublished(let noted), .rejected(let noted): facts.note = noted.note
        case .codeIssued(let issued):
            facts.code = issued.registrationCode
            facts.validUntil = issued.validUntil
        case .renewed(let renewed): facts.validUntil = renewed.validUntil
        case .superseded(let replaced), .cancelled(let replaced): facts.endedBy = replaced.replacedBy
        case .accepted, .noticeEnded, .expired, .renewalClosedOnExit: break
        }
    }

    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        switch deadline {
        case .notice: Draft(.noticeEnded)
        case .validity: Draft(.expired, recipients: applicant(instance))
        }
    }
}

extension ProcessInstance where Process == RegistrationProcess {
    /// Whether the registration registers data and its code is valid on `day` (Art. 9; 26号): registered, not a
    /// cancellation, not superseded, cancelled or expired, and `day` within its validity.
    public func isValid(on day: CivilDate) -> Bool {
        guard state == .registered, let application = facts.application, application.kind != .cancellation,
            let validUntil = facts.validUntil
        else { return false }
        return day <= validUntil
    }
}

extension WorkflowEngine {
    /// A change or correction registration whose code was issued supersedes the registration it concerns; a
    /// cancellation cancels it (26号). Recorded once (a deterministic id) on the concerned registration.
    func endConcernedRegistration(_ id: RegistrationID, actor: Principal) async throws(WorkflowError) {
        let issued = try await instance(RegistrationProcess.self, id.rawValue)
        guard let application = issued.facts.application, application.kind != .first,
            let concerns = application.concerns
        else { return }
        let replaced = RegistrationProcess.Replaced(replacedBy: id, replacementKind: application.kind)
        let event: RegistrationProcess.Event =
            application.kind == .cancellation ? .cancelled(replaced) : .superseded(replaced)
        for _ in 0..<32 {
            let concerned = try await instance(RegistrationProcess.self, concerns.rawValue)
            guard concerned.state == .registered else { return }
            let draft = Draft<RegistrationProcess>(
                event,
                id: EventID("registration:\(concerns):ended-by:\(id)"),
                recipients: RegistrationProcess.applicant(concerned)
            )
            let result = try await append(
                [draft],
                to: concerned,
                actor: actor,
                now: clock.now(),
                trigger: .effect(.registration(.issueRegistrationCode)),
                causation: issued.stream.rawValue
            )
            if case .appended = result { return }
        }
        throw WorkflowError(code: .contention, message: "registration \(concerns) kept changing")
    }
}

extension WorkflowCommand {
    /// A command of the registration (Art. 9).
    public static func registration(_ command: RegistrationProcess.Command) -> WorkflowCommand {
        WorkflowCommand(RegistrationProcess.self, command)
    }
}

extension CommandName {
    /// A registration command.
    public static func registration(_ name: RegistrationProcess.Command.Name) -> CommandName {
        CommandName(RegistrationProcess.self, name)
    }
}
