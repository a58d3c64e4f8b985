import PublicDataModel

/// The public data catalog (Art. 8): one stream per entry, published by its owning department or the big data
/// center, or accepted from an operator's feedback offer.
public enum CatalogProcess: WorkflowProcess {
    public static let kind = ProcessKind.catalog
    public static let title = "Catalog entry (Art. 8–9)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = []

    /// The entry's states.
    public enum State: String, ProcessStateKind {
        /// In the catalog.
        case published
    }

    public typealias Deadline = NoDeadline

    /// What an entry instance remembers.
    public struct Facts: Sendable, Hashable {
        /// The entry.
        public var entry: CatalogEntry?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Publishes a catalog entry.
        case publishCatalogEntry(entry: CatalogEntry)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case publishCatalogEntry

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .publishCatalogEntry:
                    CommandSpec(
                        [.industryDepartment, .bigDataCenter],
                        ["Art. 8"],
                        guards: ["an industry department publishes only entries it owns", "the entry is well-formed"]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .publishCatalogEntry: .publishCatalogEntry
            }
        }

        public var instanceID: String {
            switch self {
            case .publishCatalogEntry(let entry): entry.id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .publishCatalogEntry(let entry):
                check.id(entry.id, "$.entry.id")
                check.text(entry.name, "$.entry.name")
                check.id(entry.owningDepartment, "$.entry.owningDepartment")
            }
        }
    }

    /// A published entry.
    public struct Published: Codable, Sendable, Hashable {
        /// The entry.
        public var catalogEntry: CatalogEntry
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Published by its department or the big data center.
        case entryPublished(Published)
        /// Published from an accepted feedback offer.
        case feedbackEntryPublished(Published)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case entryPublished = "catalog.entryPublished"
            case feedbackEntryPublished = "catalog.feedbackEntryPublished"
        }

        public var kind: Kind {
            switch self {
            case .entryPublished: .entryPublished
            case .feedbackEntryPublished: .feedbackEntryPublished
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .entryPublished(let payload), .feedbackEntryPublished(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .entryPublished: self = .entryPublished(try Published(from: decoder))
            case .feedbackEntryPublished: self = .feedbackEntryPublished(try Published(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .entryPublished: Published.self
            case .feedbackEntryPublished: Published.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .entryPublished: EventSpec(.command(.publishCatalogEntry), from: [nil], to: .published)
        case .feedbackEntryPublished:
            EventSpec(.effect(.feedback(.acceptFeedback)), from: [nil], to: .published, notifies: [.industryDepartment])
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        switch command {
        case .publishCatalogEntry(let entry):
            try context.requireParty(entry.owningDepartment, when: .industryDepartment, command.name.spec.articles)
            return [Draft(.entryPublished(Published(catalogEntry: entry)), trace: trace(of: entry))]
        }
    }

    /// The trace keys of an entry's events.
    static func trace(of entry: CatalogEntry) -> TraceKeys {
        var trace = TraceKeys()
        trace.catalogEntryIDs = [entry.id]
        trace.departmentIDs = [entry.owningDepartment]
        return trace
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .entryPublished(let published), .feedbackEntryPublished(let published):
            facts.entry = published.catalogEntry
        }
    }
}
