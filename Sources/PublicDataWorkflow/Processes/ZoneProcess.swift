import PublicDataModel

/// 数据专区: a data zone as a record (87号 §2–3): its kind (domain 领域类, regional 区域类, comprehensive
/// foundational 综合基础类), its supervisory department and, for a regional zone, its district.
///
/// A plan names its zone (`ImplementationPlan.zone`); plan review reads the zone's kind, so a by-domain plan
/// (分领域授权, Art. 10) passes only in a domain zone.
public enum ZoneProcess: WorkflowProcess {
    public static let kind = ProcessKind.zone
    public static let commandKey = "zone"
    public static let title = "Data zone (87号 §2–3; Art. 10)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = []

    /// The zone's states.
    public enum State: String, ProcessStateKind {
        /// Established; plans may name it.
        case established
    }

    public typealias Deadline = NoDeadline

    /// What a zone remembers.
    public struct Facts: Sendable, Hashable {
        /// The zone.
        public var zone: Zone?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Establishes a zone with its kind and supervisory department.
        case establishZone(zone: Zone)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case establishZone

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .establishZone:
                    CommandSpec(
                        [.dataAdministration],
                        ["Art. 8", "87号 §3"],
                        guards: ["a regional zone names its district; only a regional zone has one"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .establishZone: .establishZone
            }
        }

        public var instanceID: String {
            switch self {
            case .establishZone(let zone): zone.id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .establishZone(let zone):
                check.id(zone.id, "$.zone.id")
                check.add(zone.validationIssues(), under: "$.zone")
            }
        }
    }

    /// An established zone.
    public struct Established: Codable, Sendable, Hashable {
        /// The zone.
        public var zone: Zone
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Established.
        case established(Established)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case established = "zone.established"
        }

        public var kind: Kind {
            switch self {
            case .established: .established
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .established(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .established: self = .established(try Established(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .established: Established.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .established:
            EventSpec(.command(.establishZone), from: [nil], to: .established, notifies: [.industryDepartment])
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        switch command {
        case .establishZone(let zone):
            // The supervisory department is told (through the department route).
            var trace = TraceKeys()
            trace.departmentIDs = [zone.supervisoryDepartment]
            return [Draft(.established(Established(zone: zone)), trace: trace)]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .established(let established): facts.zone = established.zone
        }
    }
}

extension WorkflowCommand {
    /// A command of the data zone (87号 §2–3).
    public static func zone(_ command: ZoneProcess.Command) -> WorkflowCommand {
        WorkflowCommand(ZoneProcess.self, command)
    }
}

extension CommandName {
    /// A zone command.
    public static func zone(_ name: ZoneProcess.Command.Name) -> CommandName {
        CommandName(ZoneProcess.self, name)
    }
}
