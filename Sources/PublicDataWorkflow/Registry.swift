import PublicDataModel

// The one place a process is registered: a case of `WorkflowCommand`, a case of `CommandName`, and one line
// in each switch below. The compiler checks that every switch names every process.

/// A command a party issues to the workflow engine: the process and that process's typed command.
///
/// ```swift
/// let outcome = try await engine.execute(.plan(.submitPlan(plan: "plan-fin")), by: agencyClerk)
/// ```
///
/// ## JSON
/// A command is an object with one key, the process, whose value is an object with one key, the command's
/// name, whose value holds the command's labelled inputs in the library's JSON style:
/// `{"plan": {"returnPlan": {"plan": "plan-fin", "reason": "the term is unclear"}}}`.
public enum WorkflowCommand: Sendable, Hashable, Codable {
    /// The catalog (Art. 8).
    case catalog(CatalogProcess.Command)
    /// The implementation plan (Art. 10–11).
    case plan(PlanProcess.Command)
    /// The operator selection (Art. 12).
    case selection(SelectionProcess.Command)
    /// The authorization agreement (Art. 13).
    case agreement(AgreementProcess.Command)
    /// The registration (Art. 9).
    case registration(RegistrationProcess.Command)
    /// The data request (Art. 16–19).
    case dataRequest(DataRequestProcess.Command)
    /// The product or service (Art. 20, 22, 26–27).
    case product(ProductProcess.Command)
    /// The downstream scenario (Art. 25, 27).
    case scenario(ScenarioProcess.Command)
    /// The quality objection (Art. 18).
    case objection(ObjectionProcess.Command)
    /// The evaluation (Art. 33).
    case evaluation(EvaluationProcess.Command)
    /// Usage and settlement (Art. 21–24).
    case settlement(SettlementProcess.Command)
    /// Data feedback (seed 001).
    case feedback(FeedbackProcess.Command)
    /// The data zone (seed 001 §2–3).
    case zone(ZoneProcess.Command)
    /// The yearly disclosure (Art. 32).
    case disclosure(DisclosureProcess.Command)

    /// The policy monitor (Art. 30).
    case monitor(MonitorProcess.Command)
    /// Inspections and rectification (Art. 31).
    case inspection(InspectionProcess.Command)
    /// The data subjects' consent (Art. 17 ¶2, 26).
    case consent(ConsentProcess.Command)
    /// Partner tiers (seed 001 §6(2)).
    case partner(PartnerProcess.Command)
    /// Use filing and periodic feedback (seed 001 §6(2), §4(3)).
    case useFiling(UseFilingProcess.Command)
    /// The operator's security records and officer (Art. 31; 87号 §7).
    case securityRecord(SecurityRecordProcess.Command)

    enum CodingKeys: String, CodingKey {
        case catalog, plan, selection, agreement, registration, dataRequest, product, scenario, objection
        case evaluation, settlement, feedback, zone, disclosure, monitor, inspection, consent
        case partner, useFiling
        case securityRecord
    }

    /// Decodes `{"<process>": {"<command>": {…inputs…}}}`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a command names exactly one process")
            )
        }
        switch key {
        case .catalog: self = .catalog(try container.decode(CatalogProcess.Command.self, forKey: key))
        case .plan: self = .plan(try container.decode(PlanProcess.Command.self, forKey: key))
        case .selection: self = .selection(try container.decode(SelectionProcess.Command.self, forKey: key))
        case .agreement: self = .agreement(try container.decode(AgreementProcess.Command.self, forKey: key))
        case .registration: self = .registration(try container.decode(RegistrationProcess.Command.self, forKey: key))
        case .dataRequest: self = .dataRequest(try container.decode(DataRequestProcess.Command.self, forKey: key))
        case .product: self = .product(try container.decode(ProductProcess.Command.self, forKey: key))
        case .scenario: self = .scenario(try container.decode(ScenarioProcess.Command.self, forKey: key))
        case .objection: self = .objection(try container.decode(ObjectionProcess.Command.self, forKey: key))
        case .evaluation: self = .evaluation(try container.decode(EvaluationProcess.Command.self, forKey: key))
        case .settlement: self = .settlement(try container.decode(SettlementProcess.Command.self, forKey: key))
        case .feedback: self = .feedback(try container.decode(FeedbackProcess.Command.self, forKey: key))
        case .zone: self = .zone(try container.decode(ZoneProcess.Command.self, forKey: key))
        case .disclosure: self = .disclosure(try container.decode(DisclosureProcess.Command.self, forKey: key))
        case .monitor: self = .monitor(try container.decode(MonitorProcess.Command.self, forKey: key))
        case .inspection: self = .inspection(try container.decode(InspectionProcess.Command.self, forKey: key))
        case .consent: self = .consent(try container.decode(ConsentProcess.Command.self, forKey: key))
        case .partner: self = .partner(try container.decode(PartnerProcess.Command.self, forKey: key))
        case .useFiling: self = .useFiling(try container.decode(UseFilingProcess.Command.self, forKey: key))
        case .securityRecord:
            self = .securityRecord(try container.decode(SecurityRecordProcess.Command.self, forKey: key))
        }
    }

    /// Encodes `{"<process>": {"<command>": {…inputs…}}}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try routed.encode(into: &container)
    }

    /// The process type and its typed command: the one switch that routes a command.
    var routed: any RoutedCommand {
        switch self {
        case .catalog(let command): Routed<CatalogProcess>(command: command, key: .catalog)
        case .plan(let command): Routed<PlanProcess>(command: command, key: .plan)
        case .selection(let command): Routed<SelectionProcess>(command: command, key: .selection)
        case .agreement(let command): Routed<AgreementProcess>(command: command, key: .agreement)
        case .registration(let command): Routed<RegistrationProcess>(command: command, key: .registration)
        case .dataRequest(let command): Routed<DataRequestProcess>(command: command, key: .dataRequest)
        case .product(let command): Routed<ProductProcess>(command: command, key: .product)
        case .scenario(let command): Routed<ScenarioProcess>(command: command, key: .scenario)
        case .objection(let command): Routed<ObjectionProcess>(command: command, key: .objection)
        case .evaluation(let command): Routed<EvaluationProcess>(command: command, key: .evaluation)
        case .settlement(let command): Routed<SettlementProcess>(command: command, key: .settlement)
        case .feedback(let command): Routed<FeedbackProcess>(command: command, key: .feedback)
        case .zone(let command): Routed<ZoneProcess>(command: command, key: .zone)
        case .disclosure(let command): Routed<DisclosureProcess>(command: command, key: .disclosure)
        case .monitor(let command): Routed<MonitorProcess>(command: command, key: .monitor)
        case .inspection(let command): Routed<InspectionProcess>(command: command, key: .inspection)
        case .consent(let command): Routed<ConsentProcess>(command: command, key: .consent)
        case .partner(let command): Routed<PartnerProcess>(command: command, key: .partner)
        case .useFiling(let command): Routed<UseFilingProcess>(command: command, key: .useFiling)
        case .securityRecord(let command): Routed<SecurityRecordProcess>(command: command, key: .securityRecord)
        }
    }

    /// The command's name.
    public var name: CommandName { routed.name }

    /// The stream the command changes.
    public var stream: StreamID { routed.stream }

    func run(
        on engine: WorkflowEngine,
        by actor: Principal,
        idempotencyKey: String?
    ) async throws(WorkflowError) -> CommandOutcome {
        // Each case names its process type, so that the engine's command path is compiled for that process:
        // no generic metadata lookups or witness calls per command (a third faster in the release benchmark).
        let name = self.name
        func run<P: WorkflowProcess>(
            _ process: P.Type,
            _ command: P.Command
        ) async throws(WorkflowError)
            -> CommandOutcome
        {
            try await engine.run(process, command, as: name, by: actor, idempotencyKey: idempotencyKey)
        }
        switch self {
        case .catalog(let command): return try await run(CatalogProcess.self, command)
        case .plan(let command): return try await run(PlanProcess.self, command)
        case .selection(let command): return try await run(SelectionProcess.self, command)
        case .agreement(let command): return try await run(AgreementProcess.self, command)
        case .registration(let command): return try await run(RegistrationProcess.self, command)
        case .dataRequest(let command): return try await run(DataRequestProcess.self, command)
        case .product(let command): return try await run(ProductProcess.self, command)
        case .scenario(let command): return try await run(ScenarioProcess.self, command)
        case .objection(let command): return try await run(ObjectionProcess.self, command)
        case .evaluation(let command): return try await run(EvaluationProcess.self, command)
        case .settlement(let command): return try await run(SettlementProcess.self, command)
        case .feedback(let command): return try await run(FeedbackProcess.self, command)
        case .zone(let command): return try await run(ZoneProcess.self, command)
        case .disclosure(let command): return try await run(DisclosureProcess.self, command)
        case .monitor(let command): return try await run(MonitorProcess.self, command)
        case .inspection(let command): return try await run(InspectionProcess.self, command)
        case .consent(let command): return try await run(ConsentProcess.self, command)
        case .partner(let command): return try await run(PartnerProcess.self, command)
        case .useFiling(let command): return try await run(UseFilingProcess.self, command)
        case .securityRecord(let command): return try await run(SecurityRecordProcess.self, command)
        }
    }
}

/// A command with its process type, so that everything else is derived without another switch.
protocol RoutedCommand: Sendable {
    var name: CommandName { get }
    var stream: StreamID { get }
    func encode(into container: inout KeyedEncodingContainer<WorkflowCommand.CodingKeys>) throws
}

struct Routed<P: WorkflowProcess>: RoutedCommand {
    var command: P.Command
    var key: WorkflowCommand.CodingKeys

    func encode(into container: inout KeyedEncodingContainer<WorkflowCommand.CodingKeys>) throws {
        try container.encode(command, forKey: key)
    }

    var name: CommandName { CommandName(P.self, command.name) }
    var stream: StreamID { P.kind.stream(command.instanceID) }
}

/// The name of a workflow command: the process and that process's command name.
///
/// In JSON a name is its bare string (`"submitPlan"`); names are unique across processes.
public enum CommandName: Sendable, Hashable, Codable, CustomStringConvertible, CaseIterable {
    /// A catalog command.
    case catalog(CatalogProcess.Command.Name)
    /// A plan command.
    case plan(PlanProcess.Command.Name)
    /// A selection command.
    case selection(SelectionProcess.Command.Name)
    /// An agreement command.
    case agreement(AgreementProcess.Command.Name)
    /// A registration command.
    case registration(RegistrationProcess.Command.Name)
    /// A data request command.
    case dataRequest(DataRequestProcess.Command.Name)
    /// A product command.
    case product(ProductProcess.Command.Name)
    /// A scenario command.
    case scenario(ScenarioProcess.Command.Name)
    /// An objection command.
    case objection(ObjectionProcess.Command.Name)
    /// An evaluation command.
    case evaluation(EvaluationProcess.Command.Name)
    /// A settlement command.
    case settlement(SettlementProcess.Command.Name)
    /// A feedback command.
    case feedback(FeedbackProcess.Command.Name)
    /// A zone command.
    case zone(ZoneProcess.Command.Name)
    /// A disclosure command.
    case disclosure(DisclosureProcess.Command.Name)
    /// A policy monitor command.
    case monitor(MonitorProcess.Command.Name)
    /// An inspection command.
    case inspection(InspectionProcess.Command.Name)
    /// A consent command.
    case consent(ConsentProcess.Command.Name)
    /// A partner command.
    case partner(PartnerProcess.Command.Name)
    /// A use filing command.
    case useFiling(UseFilingProcess.Command.Name)
    /// A security record command.
    case securityRecord(SecurityRecordProcess.Command.Name)

    /// Every command of every process, in lifecycle order.
    public static let allCases: [CommandName] =
        CatalogProcess.Command.Name.allCases.map(Self.catalog)
        + ZoneProcess.Command.Name.allCases.map(Self.zone)
        + PlanProcess.Command.Name.allCases.map(Self.plan)
        + SelectionProcess.Command.Name.allCases.map(Self.selection)
        + AgreementProcess.Command.Name.allCases.map(Self.agreement)
        + RegistrationProcess.Command.Name.allCases.map(Self.registration)
        + ConsentProcess.Command.Name.allCases.map(Self.consent)
        + DataRequestProcess.Command.Name.allCases.map(Self.dataRequest)
        + ProductProcess.Command.Name.allCases.map(Self.product)
        + ScenarioProcess.Command.Name.allCases.map(Self.scenario)
        + ObjectionProcess.Command.Name.allCases.map(Self.objection)
        + EvaluationProcess.Command.Name.allCases.map(Self.evaluation)
        + SettlementProcess.Command.Name.allCases.map(Self.settlement)
        + FeedbackProcess.Command.Name.allCases.map(Self.feedback)
        + DisclosureProcess.Command.Name.allCases.map(Self.disclosure)
        + MonitorProcess.Command.Name.allCases.map(Self.monitor)
        + InspectionProcess.Command.Name.allCases.map(Self.inspection)
        + PartnerProcess.Command.Name.allCases.map(Self.partner)
        + UseFilingProcess.Command.Name.allCases.map(Self.useFiling)
        + SecurityRecordProcess.Command.Name.allCases.map(Self.securityRecord)

    /// The process and the name, as the one switch every property reads.
    private var parts: (process: any WorkflowProcess.Type, name: any CommandNaming) {
        switch self {
        case .catalog(let name): (CatalogProcess.self, name)
        case .plan(let name): (PlanProcess.self, name)
        case .selection(let name): (SelectionProcess.self, name)
        case .agreement(let name): (AgreementProcess.self, name)
        case .registration(let name): (RegistrationProcess.self, name)
        case .dataRequest(let name): (DataRequestProcess.self, name)
        case .product(let name): (ProductProcess.self, name)
        case .scenario(let name): (ScenarioProcess.self, name)
        case .objection(let name): (ObjectionProcess.self, name)
        case .evaluation(let name): (EvaluationProcess.self, name)
        case .settlement(let name): (SettlementProcess.self, name)
        case .feedback(let name): (FeedbackProcess.self, name)
        case .zone(let name): (ZoneProcess.self, name)
        case .disclosure(let name): (DisclosureProcess.self, name)
        case .monitor(let name): (MonitorProcess.self, name)
        case .inspection(let name): (InspectionProcess.self, name)
        case .consent(let name): (ConsentProcess.self, name)
        case .partner(let name): (PartnerProcess.self, name)
        case .useFiling(let name): (UseFilingProcess.self, name)
        case .securityRecord(let name): (SecurityRecordProcess.self, name)
        }
    }

    /// The command's name, e.g. `"submitPlan"`.
    public var rawValue: String { parts.name.rawValue }

    /// Who may issue the command, the articles behind it and its guards.
    public var spec: CommandSpec { parts.name.spec }

    /// The process the command belongs to.
    public var process: ProcessKind { parts.process.kind }

    /// The name with the given raw value, if a process has such a command.
    public init?(rawValue: String) {
        guard let found = Self.byRawValue[rawValue] else { return nil }
        self = found
    }

    private static let byRawValue: [String: CommandName] = Dictionary(
        allCases.map { ($0.rawValue, $0) },
        uniquingKeysWith: { first, _ in first }
    )

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
    static func describe() -> ProcessDescription { ProcessDescription(Self.self) }

    static func stateName(of stream: StreamID, in engine: WorkflowEngine) async throws(WorkflowError) -> String {
        try await engine.instance(Self.self, stream: stream).stateName
    }
}
