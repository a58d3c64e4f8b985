import PublicDataModel

/// The public data catalog (Art. 8): one stream per entry, published by its owning department or the big data
/// center, or accepted from an operator's feedback offer.
///
/// The catalog is updated dynamically (004 §1: 动态更新数据的共享、开放属性): a published entry's attributes and
/// fields change in numbered versions (`catalog.entryChanged`, version 2, 3, …; publication is version 1), and
/// an entry may be retired (`catalog.entryRetired`). Each change and each retirement is fed to the policy monitor
/// (``MonitorProcess``), which re-judges the grants, products and scenarios built on the entry (Art. 30). A
/// retired entry is no longer in the catalog: new requests and products naming it are refused (Art. 8).
public enum CatalogProcess: WorkflowProcess {
    public static let kind = ProcessKind.catalog
    public static let commandKey = "catalog"
    public static let title = "Catalog entry (Art. 8–9; 004 dynamic updates)"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.retired]

    /// The entry's states.
    public enum State: String, ProcessStateKind {
        /// In the catalog.
        case published
        /// Retired from the catalog.
        case retired
    }

    public typealias Deadline = NoDeadline

    /// What an entry instance remembers.
    public struct Facts: Sendable, Hashable {
        /// The entry as it is in the catalog now; `nil` before publication and after retirement.
        public var entry: CatalogEntry?
        /// The entry's version: 1 when published, one more for every change.
        public var version: Int = 0
        /// The entry's last version, once it was retired.
        public var retired: CatalogEntry?
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// Publishes a catalog entry.
        case publishCatalogEntry(entry: CatalogEntry)
        /// Changes a published entry's attributes or fields (a new version); its dependants are re-judged.
        case changeCatalogEntry(entry: CatalogEntry, reason: String)
        /// Retires a published entry from the catalog; its dependants are re-judged.
        case retireCatalogEntry(entry: CatalogEntryID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case publishCatalogEntry, changeCatalogEntry, retireCatalogEntry

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .publishCatalogEntry:
                    CommandSpec(
                        [.industryDepartment, .bigDataCenter],
                        ["Art. 8"],
                        guards: ["an industry department publishes only entries it owns", "the entry is well-formed"]
                    )
                case .changeCatalogEntry:
                    CommandSpec(
                        [.industryDepartment, .bigDataCenter],
                        ["Art. 8", "Art. 30"],
                        guards: [
                            "an industry department changes only entries it owns", "the owner does not change",
                            "something changes", "the policy monitor re-judges the entry's dependants",
                        ]
                    )
                case .retireCatalogEntry:
                    CommandSpec(
                        [.industryDepartment, .bigDataCenter],
                        ["Art. 8", "Art. 30"],
                        guards: [
                            "an industry department retires only entries it owns", "a reason",
                            "the policy monitor re-judges the entry's dependants",
                        ]
                    )
                }
            }
        }

        public var name: Name {
            switch self {
            case .publishCatalogEntry: .publishCatalogEntry
            case .changeCatalogEntry: .changeCatalogEntry
            case .retireCatalogEntry: .retireCatalogEntry
            }
        }

        public var instanceID: String {
            switch self {
            case .publishCatalogEntry(let entry), .changeCatalogEntry(let entry, _): entry.id.rawValue
            case .retireCatalogEntry(let id, _): id.rawValue
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .publishCatalogEntry(let entry):
                check.id(entry.id, "$.entry.id")
                check.text(entry.name, "$.entry.name")
                check.id(entry.owningDepartment, "$.entry.owningDepartment")
            case .changeCatalogEntry(let entry, let reason):
                check.id(entry.id, "$.entry.id")
                check.text(entry.name, "$.entry.name")
                check.id(entry.owningDepartment, "$.entry.owningDepartment")
                check.text(reason, "$.reason")
            case .retireCatalogEntry(let id, let reason):
                check.id(id, "$.entry")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A published entry.
    public struct Published: Codable, Sendable, Hashable {
        /// The entry.
        public var catalogEntry: CatalogEntry
    }

    /// A new version of an entry.
    public struct Changed: Codable, Sendable, Hashable {
        /// The entry as changed.
        public var catalogEntry: CatalogEntry
        /// The entry's new version (publication is version 1).
        public var entryVersion: Int
        /// What changed, by attribute name (`sharing`, `openness`, `grade`, `fields`, …).
        public var changedAttributes: [String]
        /// Why.
        public var reason: String
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// Published by its department or the big data center.
        case entryPublished(Published)
        /// Published from an accepted feedback offer.
        case feedbackEntryPublished(Published)
        /// A new version of the entry's attributes or fields.
        case entryChanged(Changed)
        /// Retired from the catalog.
        case entryRetired(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case entryPublished = "catalog.entryPublished"
            case feedbackEntryPublished = "catalog.feedbackEntryPublished"
            case entryChanged = "catalog.entryChanged"
            case entryRetired = "catalog.entryRetired"
        }

        public var kind: Kind {
            switch self {
            case .entryPublished: .entryPublished
            case .feedbackEntryPublished: .feedbackEntryPublished
            case .entryChanged: .entryChanged
            case .entryRetired: .entryRetired
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .entryPublished(let payload), .feedbackEntryPublished(let payload): try payload.encode(to: encoder)
            case .entryChanged(let payload): try payload.encode(to: encoder)
            case .entryRetired(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .entryPublished: self = .entryPublished(try Published(from: decoder))
            case .feedbackEntryPublished: self = .feedbackEntryPublished(try Published(from: decoder))
            case .entryChanged: self = .entryChanged(try Changed(from: decoder))
            case .entryRetired: self = .entryRetired(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .entryPublished: Published.self
            case .feedbackEntryPublished: Published.self
            case .entryChanged: Changed.self
            case .entryRetired: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .entryPublished: EventSpec(.command(.publishCatalogEntry), from: [nil], to: .published)
        case .feedbackEntryPublished:
            EventSpec(.effect(.feedback(.acceptFeedback)), from: [nil], to: .published, notifies: [.industryDepartment])
        case .entryChanged:
            EventSpec(
                .command(.changeCatalogEntry),
                from: [.published],
                to: nil,
                notifies: [.industryDepartment, .dataAdministration]
            )
        case .entryRetired:
            EventSpec(
                .command(.retireCatalogEntry),
                from: [.published],
                to: .retired,
                notifies: [.industryDepartment, .dataAdministration]
            )
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
        case .changeCatalogEntry(let entry, let reason):
            let articles = command.name.spec.articles
            guard let current = instance.facts.entry else {
                throw context.refuse(.notFound, "the entry has no content")
            }
            try context.requireParty(current.owningDepartment, when: .industryDepartment, articles)
            guard entry.owningDepartment == current.owningDepartment else {
                throw context.refuse(
                    .invalidInput,
                    "an update does not move \(entry.id) from \(current.owningDepartment) to "
                        + "\(entry.owningDepartment); retire it and publish it anew",
                    articles
                )
            }
            let changes = changedAttributes(from: current, to: entry)
            guard !changes.isEmpty else {
                throw context.refuse(.invalidInput, "the update changes nothing in \(entry.id)", articles)
            }
            let changed = Changed(
                catalogEntry: entry,
                entryVersion: instance.facts.version + 1,
                changedAttributes: changes,
                reason: reason
            )
            return [Draft(.entryChanged(changed))]
        case .retireCatalogEntry(_, let reason):
            guard let current = instance.facts.entry else {
                throw context.refuse(.notFound, "the entry has no content")
            }
            try context.requireParty(current.owningDepartment, when: .industryDepartment, command.name.spec.articles)
            return [Draft(.entryRetired(Reasoned(reason: reason)))]
        }
    }

    /// The names of the attributes in which `new` differs from `old`, in a fixed order.
    static func changedAttributes(from old: CatalogEntry, to new: CatalogEntry) -> [String] {
        var changes: [String] = []
        if old.name != new.name { changes.append("name") }
        if old.sharing != new.sharing { changes.append("sharing") }
        if old.openness != new.openness { changes.append("openness") }
        if old.grade != new.grade { changes.append("grade") }
        if old.containsPersonalInformation != new.containsPersonalInformation {
            changes.append("containsPersonalInformation")
        }
        if old.containsSensitivePersonalInformation != new.containsSensitivePersonalInformation {
            changes.append("containsSensitivePersonalInformation")
        }
        if old.fields != new.fields { changes.append("fields") }
        if old.source != new.source { changes.append("source") }
        if old.registrationCode != new.registrationCode { changes.append("registrationCode") }
        return changes
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
            facts.version = 1
        case .entryChanged(let changed):
            facts.entry = changed.catalogEntry
            facts.version = changed.entryVersion
        case .entryRetired:
            facts.retired = facts.entry
            facts.entry = nil
        }
    }
}

extension WorkflowCommand {
    /// A command of the catalog (Art. 8).
    public static func catalog(_ command: CatalogProcess.Command) -> WorkflowCommand {
        WorkflowCommand(CatalogProcess.self, command)
    }
}

extension CommandName {
    /// A catalog command.
    public static func catalog(_ name: CatalogProcess.Command.Name) -> CommandName {
        CommandName(CatalogProcess.self, name)
    }
}
