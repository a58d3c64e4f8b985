import PublicDataModel

// The one place a process is registered is `Processes.types`. A process's own file declares its
// `WorkflowCommand` and `CommandName` factories (`.plan(…)`) and its JSON key (`commandKey`); everything here is
// derived from the registered types, so adding a process adds one line to `Processes.types`.

/// A command a party issues to the workflow engine: the process and that process's typed command.
///
/// Each process declares a factory named after it (its `commandKey`), so a command reads as the process and the
/// command:
///
/// ```swift
/// let outcome = try await engine.execute(.plan(.submitPlan(plan: "plan-fin")), by: agencyClerk)
/// ```
///
/// ``command(of:)`` gives the typed command back:
///
/// ```swift
/// if case .submitPlan(let plan)? = command.command(of: PlanProcess.self) { print(plan) }
/// ```
///
/// ## JSON
/// A command is an object with one key, the process, whose value is an object with one key, the command's
/// name, whose value holds the command's labelled inputs in the library's JSON style:
/// `{"plan": {"returnPlan": {"plan": "plan-fin", "reason": "the term is unclear"}}}`.
public struct WorkflowCommand: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The process type and its typed command.
    let routed: any RoutedCommand

    /// The command `command` of `process` (each process's factory calls this).
    init<P: WorkflowProcess>(_ process: P.Type, _ command: P.Command) {
        routed = Routed<P>(command: command)
    }

    /// The typed command, if the command belongs to `process`; otherwise `nil`.
    /// - Parameter process: The process the caller expects.
    /// - Returns: The process's typed command, or `nil` for a command of another process.
    public func command<P: WorkflowProcess>(of process: P.Type) -> P.Command? {
        guard routed.process == P.kind else { return nil }
        return (routed as? Routed<P>)?.command
    }

    /// The process the command belongs to.
    public var process: ProcessKind { routed.process }

    /// The command's name.
    public var name: CommandName { routed.name }

    /// The stream the command changes.
    public var stream: StreamID { routed.stream }

    /// The command as written in Swift, e.g. `plan(returnPlan(plan: plan-fin, reason: "unclear"))`.
    public var description: String { routed.description }

    /// Whether two commands are of the same process and equal.
    public static func == (lhs: WorkflowCommand, rhs: WorkflowCommand) -> Bool {
        lhs.routed.isEqual(to: rhs.routed)
    }

    /// Hashes the process and the command.
    public func hash(into hasher: inout Hasher) {
        routed.hash(into: &hasher)
    }

    /// Decodes `{"<process>": {"<command>": {…inputs…}}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ProcessKey.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a command names exactly one process")
            )
        }
        guard let process = Processes.byCommandKey[key.stringValue] else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath + [key],
                    debugDescription: "no process is named \(key.stringValue)"
                )
            )
        }
        // Through the process's own `workflowCommand(_:)`, so that a decoded command runs on the path compiled
        // for its process, like one made by a factory.
        func decode<P: WorkflowProcess>(_ process: P.Type) throws -> WorkflowCommand {
            P.workflowCommand(try container.decode(P.Command.self, forKey: key))
        }
        self = try decode(process)
    }

    /// Encodes `{"<process>": {"<command>": {…inputs…}}}`.
    public func encode(to encoder: any Encoder) throws {
        try routed.encode(to: encoder)
    }

    func run(
        on engine: WorkflowEngine,
        by actor: Principal,
        idempotencyKey: String?
    ) async throws(WorkflowError) -> CommandOutcome {
        try await routed.run(on: engine, by: actor, idempotencyKey: idempotencyKey)
    }
}

/// A command's process key in JSON.
struct ProcessKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A command with its process type, so that everything else is derived without a switch over processes.
protocol RoutedCommand: Sendable, CustomStringConvertible {
    var process: ProcessKind { get }
    var name: CommandName { get }
    var stream: StreamID { get }
    func isEqual(to other: any RoutedCommand) -> Bool
    func hash(into hasher: inout Hasher)
    func encode(to encoder: any Encoder) throws
    func run(
        on engine: WorkflowEngine,
        by actor: Principal,
        idempotencyKey: String?
    ) async throws(WorkflowError)
        -> CommandOutcome
}

struct Routed<P: WorkflowProcess>: RoutedCommand {
    let command: P.Command
    /// Runs the command: a closure made where the process type is known (a process's factory), so that the
    /// engine's command path is compiled for that process (no generic metadata lookups or witness calls per
    /// command; a third faster in the release benchmark than one generic path).
    private let runner:
        @Sendable (P.Command, WorkflowEngine, Principal, String?) async throws(WorkflowError) -> CommandOutcome

    init(command: P.Command) {
        self.command = command
        runner = { command, engine, actor, idempotencyKey async throws(WorkflowError) -> CommandOutcome in
            try await engine.run(
                P.self,
                command,
                as: CommandName(P.self, command.name),
                by: actor,
                idempotencyKey: idempotencyKey
            )
        }
    }

    var process: ProcessKind { P.kind }
    var description: String { "\(P.commandKey)(\(command))" }
    var name: CommandName { CommandName(P.self, command.name) }
    var stream: StreamID { P.kind.stream(command.instanceID) }

    func isEqual(to other: any RoutedCommand) -> Bool {
        guard let other = other as? Routed<P> else { return false }
        return other.command == command
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(P.kind)
        hasher.combine(command)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ProcessKey.self)
        try container.encode(command, forKey: ProcessKey(stringValue: P.commandKey))
    }

    func run(
        on engine: WorkflowEngine,
        by actor: Principal,
        idempotencyKey: String?
    ) async throws(WorkflowError) -> CommandOutcome {
        try await runner(command, engine, actor, idempotencyKey)
    }
}

/// The name of a workflow command: the process and that process's command name.
///
/// Each process declares a factory named after it: `CommandName.plan(.submitPlan)`. In JSON a name is its bare
/// string (`"submitPlan"`); names are unique across processes.
public struct CommandName: Sendable, Hashable, Codable, CustomStringConvertible, CaseIterable {
    /// The process's own command name.
    private let naming: any CommandNaming
    /// The process type.
    private let processType: any WorkflowProcess.Type

    /// The name `name` of a command of `process` (each process's factory calls this).
    init<P: WorkflowProcess>(_ process: P.Type, _ name: P.Command.Name) {
        naming = name
        processType = process
    }

    /// Every command of every process, in lifecycle order (the order of `Processes.types`).
    public static let allCases: [CommandName] = Processes.types.flatMap { $0.commandNames }

    /// The command's name, e.g. `"submitPlan"`.
    public var rawValue: String { naming.rawValue }

    /// Who may issue the command, the articles behind it and its guards.
    public var spec: CommandSpec { naming.spec }

    /// The process the command belongs to.
    public var process: ProcessKind { processType.kind }

    /// The process's own command name, if the name belongs to `process`; otherwise `nil`.
    /// - Parameter process: The process the caller expects.
    /// - Returns: The typed name (`PlanProcess.Command.Name.submitPlan`), or `nil` for another process's command.
    public func name<P: WorkflowProcess>(of process: P.Type) -> P.Command.Name? {
        guard self.process == P.kind else { return nil }
        return naming as? P.Command.Name
    }

    /// The name with the given raw value, if a process has such a command.
    public init?(rawValue: String) {
        guard let found = Self.byRawValue[rawValue] else { return nil }
        self = found
    }

    private static let byRawValue: [String: CommandName] = Dictionary(
        allCases.map { ($0.rawValue, $0) },
        uniquingKeysWith: { first, _ in first }
    )

    /// Whether two names are the same command (names are unique across processes).
    public static func == (lhs: CommandName, rhs: CommandName) -> Bool {
        lhs.rawValue == rhs.rawValue
    }

    /// Hashes the name.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(rawValue)
    }

    /// Decodes a name from its string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let name = CommandName(rawValue: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown command \(text)")
        }
        self = name
    }

    /// Encodes the name as its string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The name, e.g. `submitPlan`.
    public var description: String { rawValue }
}

/// Every process, derived from the process types.
public enum Processes {
    /// Every process type, in lifecycle order.
    public static let types: [any WorkflowProcess.Type] = [
        CatalogProcess.self, ZoneProcess.self, PlanProcess.self, SelectionProcess.self, AgreementProcess.self,
        RegistrationProcess.self, ConsentProcess.self, DataRequestProcess.self, ProductProcess.self,
        ScenarioProcess.self,
        ObjectionProcess.self, EvaluationProcess.self, SettlementProcess.self, FeedbackProcess.self,
        DisclosureProcess.self,
        MonitorProcess.self, InspectionProcess.self,
        PartnerProcess.self, UseFilingProcess.self,
        SecurityRecordProcess.self,
    ]

    /// Every process's description, in lifecycle order.
    public static let all: [ProcessDescription] = types.map { $0.describe() }

    /// The type of the process `kind`.
    public static func type(of kind: ProcessKind) -> any WorkflowProcess.Type {
        byKind[kind]!
    }

    /// The description of the process `kind`.
    public static func description(of kind: ProcessKind) -> ProcessDescription {
        descriptions[kind]!
    }

    /// The description of the stored event type `type`, with its process.
    static func event(_ type: String) -> (process: ProcessKind, event: ProcessDescription.EventDescription)? {
        eventsByType[type]
    }

    /// The process types by their command key (a repeated key keeps the first; `ProcessRegistryTests` fails).
    static let byCommandKey: [String: any WorkflowProcess.Type] = Dictionary(
        types.map { ($0.commandKey, $0) },
        uniquingKeysWith: { first, _ in first }
    )
    private static let byKind: [ProcessKind: any WorkflowProcess.Type] = Dictionary(
        uniqueKeysWithValues: types.map { ($0.kind, $0) }
    )
    private static let descriptions: [ProcessKind: ProcessDescription] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.kind, $0) }
    )
    private static let eventsByType: [String: (process: ProcessKind, event: ProcessDescription.EventDescription)] =
        Dictionary(
            uniqueKeysWithValues: all.flatMap { process in process.events.map { ($0.type, (process.kind, $0)) } }
        )
}

extension WorkflowProcess {
    /// The workflow command that issues `command`: what the process's factory (`.plan(_:)`) returns.
    /// - Parameter command: The process's typed command.
    /// - Returns: The command, routed to this process.
    public static func workflowCommand(_ command: Command) -> WorkflowCommand {
        WorkflowCommand(Self.self, command)
    }

    /// Every command name of the process.
    static var commandNames: [CommandName] { Command.Name.allCases.map { CommandName(Self.self, $0) } }

    static func describe() -> ProcessDescription { ProcessDescription(Self.self) }

    static func stateName(of stream: StreamID, in engine: WorkflowEngine) async throws(WorkflowError) -> String {
        try await engine.instance(Self.self, stream: stream).stateName
    }
}
