import Foundation
import PublicDataModel
import PublicDataPolicy

// MARK: - The shape of a process

/// A regulatory process as one typed unit: its commands, events, states, deadlines and facts, a pure `decide`
/// and a pure `evolve`.
///
/// A process reads top to bottom in one file: the ``Command`` enum (what parties may ask), the ``Event`` enum
/// whose cases carry typed payload structs (what is recorded), the ``State`` enum, the ``Facts`` folded from
/// the events, ``spec(_:)`` (each event's transition, notifications and deadlines) and ``decide(_:_:_:)``.
/// The ``WorkflowEngine`` runs every process the same way: role check, input validation listing every problem,
/// fold, decide, append with the expected version, re-decide on a conflict.
///
/// Tables, diagrams and documentation are derived from these types (``ProcessDescription``); there is no
/// parallel hand-kept list, and a misspelt command, event, state or deadline does not compile.
public protocol WorkflowProcess: Sendable {
    /// The commands parties issue to this process.
    associatedtype Command: ProcessCommand
    /// The events this process records.
    associatedtype Event: ProcessEvent
    /// The states of an instance.
    associatedtype State: ProcessStateKind
    /// The deadlines an instance may open (``NoDeadline`` when it has none).
    associatedtype Deadline: DeadlineKind
    /// What an instance remembers from its events.
    associatedtype Facts: Sendable, Hashable

    /// The process.
    static var kind: ProcessKind { get }
    /// The key naming the process in a command's JSON (`{"plan": {"submitPlan": {…}}}`); also the name of the
    /// process's ``WorkflowCommand`` and ``CommandName`` factories (`.plan(.submitPlan(…))`).
    static var commandKey: String { get }
    /// The workflow command that issues `command` (the default is the only implementation a process needs: it is
    /// a requirement so that a command decoded from JSON runs on the path compiled for its process).
    static func workflowCommand(_ command: Command) -> WorkflowCommand
    /// A title with the articles, e.g. "Authorization agreement (Art. 13)".
    static var title: String { get }
    /// The facts of an instance that has no event yet.
    static var initialFacts: Facts { get }
    /// States that end the process.
    static var finalStates: Set<State> { get }

    /// The transition, notifications and deadlines of an event kind.
    static func spec(_ kind: Event.Kind) -> EventSpec<Self>

    /// Decides a command against the instance's current state: the events to record, or a typed refusal.
    ///
    /// Pure apart from reading other streams through `context` (read-only) and the time passed in it.
    static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>]

    /// Folds one event into the facts (the state is moved by the event's ``EventSpec``). Pure.
    static func evolve(_ facts: inout Facts, _ event: Event)

    /// The event recorded when an open deadline falls due, or `nil` when nothing is due from the instance's
    /// state. Pure; deadlines it re-opens carry their due dates.
    static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>?
}

extension WorkflowProcess where Deadline == NoDeadline {
    /// A process without deadlines fires nothing.
    public static func fire(
        _ deadline: Deadline,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) -> Draft<Self>? {
        nil
    }
}

/// The states of a process: a `String` enum whose raw values appear in diagrams and projections.
public protocol ProcessStateKind: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String, AllCases == [Self] {}

/// The deadlines of a process: a `String` enum; each case says how its due date is computed.
public protocol DeadlineKind: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String, AllCases == [Self] {
    /// How the due date is computed, in plain words (naming the policy parameter).
    var rule: String { get }
}

/// The deadline type of a process that opens none: no value of it can be made.
public struct NoDeadline: DeadlineKind {
    private init() {}
    /// Never creates a value.
    public init?(rawValue: String) { nil }
    /// Unreachable: no value exists.
    public var rawValue: String { "" }
    /// Unreachable: no value exists.
    public var rule: String { "" }
    /// No values.
    public static var allCases: [NoDeadline] { [] }
}

/// A process's commands: an enum whose cases carry their typed input.
public protocol ProcessCommand: Sendable, Hashable, Codable {
    /// The command's name, without its input.
    associatedtype Name: CommandNaming
    /// The command's name.
    var name: Name { get }
    /// The id of the process instance the command targets (the stream is the process's prefix + this id).
    var instanceID: String { get }
    /// Adds every input-shape problem (before anything is loaded).
    func validate(_ check: inout InputCheck)
}

/// The names of a process's commands: a `String` enum; each case says who may issue it and why.
public protocol CommandNaming: RawRepresentable, CaseIterable, Codable, Sendable, Hashable
where RawValue == String, AllCases == [Self] {
    /// Who may issue the command, the articles behind it and its guards.
    var spec: CommandSpec { get }
}

/// A process's events: an enum whose cases carry typed payload structs.
///
/// An event's JSON payload is its trace keys (`TraceKeys`) and its payload struct's fields at the top
/// level, plus `deadlines` it opens, `closedDeadlines` and `notify` (resolved recipients) where present. The
/// event's type is ``Kind``'s raw value (e.g. `"agreement.signed"`).
public protocol ProcessEvent: Sendable, Hashable {
    /// The event's type, without its payload.
    associatedtype Kind: EventKinding
    /// The event's type.
    var kind: Kind { get }
    /// Encodes the payload struct's fields into `encoder`'s keyed container.
    func encodePayload(to encoder: any Encoder) throws
    /// Decodes the payload struct of `kind` from `decoder`.
    init(kind: Kind, from decoder: any Decoder) throws
    /// The payload struct of `kind` (``NoPayload`` for an event that records only its type and trace keys).
    static func payloadType(of kind: Kind) -> any Codable.Type
}

/// The types of a process's events: a `String` enum whose raw values are the stored event types.
public protocol EventKinding: RawRepresentable, CaseIterable, Sendable, Hashable
where RawValue == String, AllCases == [Self] {}

/// Who may issue a command, the articles that assign it, and the guards it checks.
public struct CommandSpec: Sendable, Hashable, Codable {
    /// The roles allowed to issue it; every other role is refused citing ``articles``.
    public var roles: Set<Role>
    /// The articles that assign the act to these roles.
    public var articles: [String]
    /// The guards checked, in plain words (including party checks).
    public var guards: [String]

    /// Creates a spec.
    public init(_ roles: Set<Role>, _ articles: [String], guards: [String] = []) {
        self.roles = roles
        self.articles = articles
        self.guards = guards
    }
}

/// What makes an event happen.
public enum EventTrigger<Process: WorkflowProcess>: Sendable, Hashable {
    /// A party issues a command of this process.
    case command(Process.Command.Name)
    /// A deadline of this process falls due (fired by the scheduler, once).
    case deadline(Process.Deadline)
    /// The exit procedure of an agreement (no actor).
    case exit
    /// A follow-up effect of a command of another process.
    case effect(CommandName)
}

/// One edge of a process's state machine: the states an event leaves, the one it enters, whom it notifies and
/// which deadlines it opens and closes.
public struct EventSpec<Process: WorkflowProcess>: Sendable {
    /// What triggers the event.
    public var trigger: EventTrigger<Process>
    /// The states it leaves; `nil` stands for "no instance yet" (a creating event).
    public var from: [Process.State?]
    /// The state it enters; `nil` means the state does not change.
    public var to: Process.State?
    /// The roles notified when it is recorded.
    public var notifies: [Role]
    /// The deadlines it opens.
    public var opens: [Process.Deadline]
    /// The deadlines it closes.
    public var closes: [Process.Deadline]

    /// Creates a spec.
    public init(
        _ trigger: EventTrigger<Process>,
        from: [Process.State?],
        to: Process.State?,
        notifies: [Role] = [],
        opens: [Process.Deadline] = [],
        closes: [Process.Deadline] = []
    ) {
        self.trigger = trigger
        self.from = from
        self.to = to
        self.notifies = notifies
        self.opens = opens
        self.closes = closes
    }
}

// MARK: - An instance

/// The state of one process instance (one stream), folded from its events.
public struct ProcessInstance<Process: WorkflowProcess>: Sendable, Hashable {
    /// The stream.
    public var stream: StreamID
    /// The current state; `nil` before the first event.
    public var state: Process.State?
    /// The stream's version (the number of events).
    public var version: Int64
    /// What the events recorded.
    public var facts: Process.Facts
    /// The trace keys of the instance (the union over its events).
    public var trace: TraceKeys
    /// The deadlines open now.
    public var openDeadlines: [Process.Deadline: ScheduledDeadline]

    /// An instance that has no events yet.
    public init(stream: StreamID) {
        self.stream = stream
        self.state = nil
        self.version = 0
        self.facts = Process.initialFacts
        self.trace = TraceKeys()
        self.openDeadlines = [:]
    }

    /// Whether the stream has any event.
    public var exists: Bool { version > 0 }

    /// The instance id (the stream id without the process's prefix).
    public var id: String { Process.kind.instanceID(of: stream) ?? stream.rawValue }

    /// The state's name, or `"[*]"` before the first event.
    public var stateName: String { state?.rawValue ?? ProcessDescription.initialState }

    /// Folds one decoded event at `version`: the state moves along the event's spec, its deadlines close and
    /// open, its trace keys and facts are recorded.
    public mutating func apply(_ envelope: EventEnvelope<Process>, version: Int64) {
        apply(envelope, version: version, spec: CompiledProcess<Process>.shared.spec(envelope.event.kind))
    }

    /// Folds one decoded event whose spec the caller has looked up already.
    mutating func apply(_ envelope: EventEnvelope<Process>, version: Int64, spec: EventSpec<Process>) {
        self.version = version
        if spec.from.contains(state) {
            state = spec.to ?? state
            for key in spec.closes { openDeadlines[key] = nil }
        }
        for deadline in envelope.deadlines {
            if let key = Process.Deadline(rawValue: deadline.key) { openDeadlines[key] = deadline }
        }
        trace.merge(envelope.trace)
        Process.evolve(&facts, envelope.event)
    }
}

/// A decoded workflow event: its typed event, trace keys, the deadlines it opened and whom it notified.
public struct EventEnvelope<Process: WorkflowProcess>: Sendable, Hashable {
    /// The event.
    public var event: Process.Event
    /// The trace keys the event carries.
    public var trace: TraceKeys
    /// The deadlines the event opened.
    public var deadlines: [ScheduledDeadline]
    /// The notifications resolved when it was recorded.
    public var notify: [NotificationTarget]

    /// Creates an envelope.
    public init(
        event: Process.Event,
        trace: TraceKeys = TraceKeys(),
        deadlines: [ScheduledDeadline] = [],
        notify: [NotificationTarget] = []
    ) {
        self.event = event
        self.trace = trace
        self.deadlines = deadlines
        self.notify = notify
    }

    /// Decodes a recorded event of this process.
    /// - Throws: ``WorkflowError`` (code `corruptEvent`) naming the stream, version and JSON path for an unknown
    ///   event type or a malformed payload.
    public init(decoding recorded: RecordedEvent) throws(WorkflowError) {
        try self.init(decoding: recorded, with: PublicDataJSON.makeDecoder())
    }

    /// Decodes a recorded event with `decoder` (reused across a fold; its user info is set here).
    init(decoding recorded: RecordedEvent, with decoder: JSONDecoder) throws(WorkflowError) {
        guard let kind = Process.Event.Kind(rawValue: recorded.type) else {
            throw WorkflowError(
                code: .corruptEvent,
                message: "\(recorded.streamID)@\(recorded.streamVersion): unknown event type \(recorded.type) "
                    + "for the \(Process.kind.rawValue) process",
                stream: recorded.streamID
            )
        }
        if let coded = FastJSON.decode(
            EnvelopeCoding<Process>.self,
            from: recorded.payload,
            userInfo: [EnvelopeCoding<Process>.kindKey: kind]
        ) {
            self = coded.envelope
            return
        }
        do {
            decoder.userInfo[EnvelopeCoding<Process>.kindKey] = kind
            self = try decoder.decode(EnvelopeCoding<Process>.self, from: recorded.payload).envelope
        } catch {
            let detail =
                (error as? DecodingError).map {
                    PublicDataJSON.describe($0, decoding: Process.Event.self).description
                } ?? "\(error)"
            throw WorkflowError(
                code: .corruptEvent,
                message: "\(recorded.streamID)@\(recorded.streamVersion) (\(recorded.type)): \(detail)",
                stream: recorded.streamID
            )
        }
    }

    /// The JSON payload as stored: trace keys, the payload struct's fields, then deadlines and notifications.
    public func encodedPayload(closing closed: [Process.Deadline]) throws -> Data {
        try PublicDataJSON.encode(EnvelopeCoding(envelope: self, closed: closed.map { $0.rawValue }))
    }
}

/// The JSON form of an envelope (trace keys, payload fields, extras at one level).
struct EnvelopeCoding<Process: WorkflowProcess>: Codable {
    static var kindKey: CodingUserInfoKey { CodingUserInfoKey(rawValue: "publicdatakit.eventKind")! }

    var envelope: EventEnvelope<Process>
    var closed: [String]

    private enum ExtraKeys: String, CodingKey {
        case deadlines, closedDeadlines, notify
    }

    init(envelope: EventEnvelope<Process>, closed: [String]) {
        self.envelope = envelope
        self.closed = closed
    }

    init(from decoder: any Decoder) throws {
        guard let kind = decoder.userInfo[Self.kindKey] as? Process.Event.Kind else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "no event kind"))
        }
        let trace = try TraceKeys(from: decoder)
        let event = try Process.Event(kind: kind, from: decoder)
        let extras = try decoder.container(keyedBy: ExtraKeys.self)
        envelope = EventEnvelope(
            event: event,
            trace: trace,
            deadlines: try extras.decodeIfPresent([ScheduledDeadline].self, forKey: .deadlines) ?? [],
            notify: try extras.decodeIfPresent([NotificationTarget].self, forKey: .notify) ?? []
        )
        closed = try extras.decodeIfPresent([String].self, forKey: .closedDeadlines) ?? []
    }

    func encode(to encoder: any Encoder) throws {
        try envelope.trace.encode(to: encoder)
        try envelope.event.encodePayload(to: encoder)
        var extras = encoder.container(keyedBy: ExtraKeys.self)
        if !envelope.deadlines.isEmpty { try extras.encode(envelope.deadlines, forKey: .deadlines) }
        if !closed.isEmpty { try extras.encode(closed, forKey: .closedDeadlines) }
        if !envelope.notify.isEmpty { try extras.encode(envelope.notify, forKey: .notify) }
    }
}

/// An event a decider wants recorded, with the trace keys it adds and the deadlines it opens.
public struct Draft<Process: WorkflowProcess>: Sendable {
    /// The event.
    public var event: Process.Event
    /// Trace keys the event adds to the instance's (a creating event names its objects and parties).
    public var trace: TraceKeys
    /// The deadlines it opens (each must be listed in the event's spec).
    public var deadlines: [ScheduledDeadline]
    /// A deterministic event id (for idempotent effects), or `nil` for the engine's command-derived id.
    public var id: EventID?
    /// When it happened, if not the command's time.
    public var occurredAt: Date?
    /// The parties to notify in a notified role, where the event names them itself (every candidate of a
    /// selection, every payer of a period's invoices); a role not listed is routed by the trace keys.
    public var recipients: [Role: [PartyID]]

    /// Creates a draft.
    public init(
        _ event: Process.Event,
        trace: TraceKeys = TraceKeys(),
        deadlines: [ScheduledDeadline] = [],
        id: EventID? = nil,
        occurredAt: Date? = nil,
        recipients: [Role: [PartyID]] = [:]
    ) {
        self.event = event
        self.trace = trace
        self.deadlines = deadlines
        self.id = id
        self.occurredAt = occurredAt
        self.recipients = recipients
    }
}

// MARK: - Payload helpers

/// The payload of an event that records nothing but its type (and trace keys).
public struct NoPayload: Codable, Sendable, Hashable {
    /// Nothing.
    public init() {}
    /// Decodes nothing.
    public init(from decoder: any Decoder) throws {}
    /// Encodes nothing.
    public func encode(to encoder: any Encoder) throws {}
}

/// A payload that records a reason in plain words.
public struct Reasoned: Codable, Sendable, Hashable {
    /// The reason.
    public var reason: String
    /// Creates the payload.
    public init(reason: String) { self.reason = reason }
}

/// A payload that records a note (minutes, a finding, a filing number).
public struct Noted: Codable, Sendable, Hashable {
    /// The note.
    public var note: String
    /// Creates the payload.
    public init(note: String) { self.note = note }
}

/// A payload that records a policy decision.
public struct Decided: Codable, Sendable, Hashable {
    /// The decision, with its reasons, obligations, rules and policy version.
    public var decision: Decision
    /// Creates the payload.
    public init(decision: Decision) { self.decision = decision }
}

/// Input-shape checks of a command; every problem is collected with its JSON path.
public struct InputCheck: Sendable {
    /// The problems found.
    public private(set) var issues: [ValidationIssue] = []

    /// No problems yet.
    public init() {}

    /// Records a problem.
    public mutating func fail(_ path: String, _ message: String) {
        issues.append(ValidationIssue(path: path, message: message))
    }

    /// Adds problems found elsewhere (e.g. a value's own `validationIssues()`), under `prefix`.
    public mutating func add(_ found: [ValidationIssue], under prefix: String = "$") {
        for issue in found {
            let path = prefix == "$" ? issue.path : prefix + issue.path.dropFirst()
            issues.append(ValidationIssue(path: path, message: issue.message))
        }
    }

    /// The text must contain more than white space.
    public mutating func text(_ value: String, _ path: String) {
        if value.allSatisfy(\.isWhitespace) { fail(path, "is empty") }
    }

    /// The identifier must be well-formed: not empty, and within the model's alphabet and length
    /// (`Identifier.validate()`: no NUL or control characters, at most the type's maximum length).
    public mutating func id<T>(_ value: Identifier<T>, _ path: String) {
        if value.isEmpty {
            fail(path, "the identifier is empty")
            return
        }
        do {
            try value.validate()
        } catch {
            fail(path, "\(error)")
        }
    }
}

/// A process's specs computed once: each event's spec, and the states each command may leave.
final class CompiledProcess<P: WorkflowProcess>: Sendable {
    let specs: [P.Event.Kind: EventSpec<P>]
    let allowed: [P.Command.Name: [P.State?]]
    /// Each command's roles, articles and guards, built once (a command's `spec` builds them on every call).
    let commands: [P.Command.Name: CommandSpec]

    private init() {
        specs = Dictionary(uniqueKeysWithValues: P.Event.Kind.allCases.map { ($0, P.spec($0)) })
        commands = Dictionary(uniqueKeysWithValues: P.Command.Name.allCases.map { ($0, $0.spec) })
        allowed = Dictionary(
            uniqueKeysWithValues: P.Command.Name.allCases.map {
                ($0, ProcessDescription.allowedStates(P.self, for: $0))
            }
        )
    }

    func spec(_ kind: P.Event.Kind) -> EventSpec<P> { specs[kind] ?? P.spec(kind) }

    func spec(_ name: P.Command.Name) -> CommandSpec { commands[name] ?? name.spec }

    private static var key: ObjectIdentifier { ObjectIdentifier(P.self) }

    /// The compiled specs of `P`, built on first use.
    static var shared: CompiledProcess<P> {
        // A table entry under `P`'s identifier is always a `CompiledProcess<P>`, so no checked cast is needed.
        if let found = compiledProcesses.withLock({ $0[key] }) {
            return unsafeDowncast(found, to: CompiledProcess<P>.self)
        }
        let made = CompiledProcess<P>()
        return compiledProcesses.withLock { table in
            if let found = table[key] { return unsafeDowncast(found, to: CompiledProcess<P>.self) }
            table[key] = made
            return made
        }
    }
}

private let compiledProcesses = LockedBox<[ObjectIdentifier: AnyObject]>([:])
