import PublicDataModel

/// The permissions an operator grants one of its partners (合作方) (87号 §6(2): 按需向合作方授予数据获取、产品和
/// 场景授权、权属管控等方面的权限).
///
/// A tier never grants more than the operator holds: every entry (and field) it names is covered by a live grant to
/// the operator, and every product it names is the operator's own and not withdrawn.
public struct PartnerTier: Codable, Sendable, Hashable {
    /// The operator that grants the tier.
    public var operatorParty: PartyID
    /// The partner (a business entity cooperating with the operator).
    public var partner: PartyID
    /// The tier's name in the operator's grading scheme (e.g. "核心合作方"); the permissions below are what is checked.
    public var level: String
    /// 数据获取: the catalog entries, and fields, whose data the partner may obtain through the operator's products
    /// (an item without fields means every field the operator holds).
    public var data: [DataRequestItem]
    /// 产品授权: the operator's products the partner may use.
    public var products: [ProductID]
    /// 场景授权: the purposes of the scenarios the partner may apply for.
    public var purposes: [Purpose]
    /// 权属管控: whether the partner may publish products of its own from its scenarios (Art. 27).
    public var derivedProducts: Bool

    /// Creates a tier.
    public init(
        operatorParty: PartyID,
        partner: PartyID,
        level: String,
        data: [DataRequestItem] = [],
        products: [ProductID] = [],
        purposes: [Purpose] = [],
        derivedProducts: Bool = false
    ) {
        self.operatorParty = operatorParty
        self.partner = partner
        self.level = level
        self.data = data
        self.products = products
        self.purposes = purposes
        self.derivedProducts = derivedProducts
    }

    /// The instance id of the partnership (``PartnerProcess/instanceID(operatorParty:partner:)``).
    public var instanceID: String { PartnerProcess.instanceID(operatorParty: operatorParty, partner: partner) }
}

/// 合作方分级管理 (87号 §6(2); §5 合作生态): an operator registers a partner with a tier of data, product and
/// scenario permissions, amends the tier and revokes the partnership.
///
/// A partnership is one instance per operator and partner (``instanceID(operatorParty:partner:)``), so the
/// workflow finds it where the partner acts: a scenario the partner applies for on the operator's product, and a
/// use of the operator's product by the partner, must be within the tier (product, purpose, the product's source
/// entries), and a product the partner publishes from its scenario needs ``PartnerTier/derivedProducts``;
/// otherwise the command is refused (`notAuthorized`, 87号 §6) and nothing is recorded. A revoked partner is
/// refused everything on that operator's products. A business entity that is not the operator's partner is not
/// affected (Art. 25 governs it alone).
public enum PartnerProcess: WorkflowProcess {
    public static let kind = ProcessKind.partner
    public static let commandKey = "partner"
    public static let title = "Partner tiers (87号 §6(2))"
    public static let initialFacts = Facts()
    public static let finalStates: Set<State> = [.revoked]

    /// The instance id of `partner`'s partnership with `operatorParty`: `"<operator>:<partner>"`.
    public static func instanceID(operatorParty: PartyID, partner: PartyID) -> String {
        "\(operatorParty.rawValue):\(partner.rawValue)"
    }

    /// The partnership's states.
    public enum State: String, ProcessStateKind {
        /// The partner acts within its tier.
        case active
        /// Revoked; the partner has no permission on the operator's products.
        case revoked
    }

    public typealias Deadline = NoDeadline

    /// What a partnership remembers.
    public struct Facts: Sendable, Hashable {
        /// The tier in force.
        public var tier: PartnerTier?
        /// How many times the tier was amended.
        public var amendments: Int = 0
    }

    /// The commands.
    public enum Command: ProcessCommand {
        /// The operator registers a partner with its tier.
        case registerPartner(tier: PartnerTier)
        /// The operator replaces the partner's tier.
        case amendPartnerTier(tier: PartnerTier)
        /// The operator revokes the partnership.
        case revokePartner(operatorParty: PartyID, partner: PartyID, reason: String)

        /// The commands' names.
        public enum Name: String, CommandNaming {
            case registerPartner, amendPartnerTier, revokePartner

            /// Who may issue it, and why.
            public var spec: CommandSpec {
                switch self {
                case .registerPartner, .amendPartnerTier:
                    CommandSpec(
                        [.operator],
                        ["87号 §6"],
                        guards: [
                            "the operator itself", "every entry and field within a live grant to the operator",
                            "every product the operator's own and not withdrawn",
                        ]
                    )
                case .revokePartner:
                    CommandSpec([.operator], ["87号 §6"], guards: ["the operator itself", "a reason"])
                }
            }
        }

        public var name: Name {
            switch self {
            case .registerPartner: .registerPartner
            case .amendPartnerTier: .amendPartnerTier
            case .revokePartner: .revokePartner
            }
        }

        public var instanceID: String {
            switch self {
            case .registerPartner(let tier), .amendPartnerTier(let tier): tier.instanceID
            case .revokePartner(let operatorParty, let partner, _):
                PartnerProcess.instanceID(operatorParty: operatorParty, partner: partner)
            }
        }

        public func validate(_ check: inout InputCheck) {
            switch self {
            case .registerPartner(let tier), .amendPartnerTier(let tier):
                check.id(tier.operatorParty, "$.tier.operatorParty")
                check.id(tier.partner, "$.tier.partner")
                if tier.partner == tier.operatorParty { check.fail("$.tier.partner", "is the operator itself") }
                if PartnerProcess.kind.stream(tier.instanceID).rawValue.utf8.count
                    > IdentifierRules.maximumStreamIDUTF8Length
                {
                    check.fail("$.tier.partner", "the operator's and the partner's ids are too long together")
                }
                check.text(tier.level, "$.tier.level")
                var entries: Set<CatalogEntryID> = []
                for (index, item) in tier.data.enumerated() {
                    check.id(item.entry, "$.tier.data[\(index)].entry")
                    if !entries.insert(item.entry).inserted {
                        check.fail("$.tier.data[\(index)].entry", "appears twice")
                    }
                }
                var products: Set<ProductID> = []
                for (index, product) in tier.products.enumerated() {
                    check.id(product, "$.tier.products[\(index)]")
                    if !products.insert(product).inserted { check.fail("$.tier.products[\(index)]", "appears twice") }
                }
                if Set(tier.purposes).count != tier.purposes.count {
                    check.fail("$.tier.purposes", "a purpose appears twice")
                }
            case .revokePartner(let operatorParty, let partner, let reason):
                check.id(operatorParty, "$.operatorParty")
                check.id(partner, "$.partner")
                check.text(reason, "$.reason")
            }
        }
    }

    /// A tier granted or amended.
    public struct Tiered: Codable, Sendable, Hashable {
        /// The tier.
        public var tier: PartnerTier
    }

    /// The events.
    public enum Event: ProcessEvent {
        /// The partner was registered with its tier.
        case registered(Tiered)
        /// The tier was replaced.
        case tierAmended(Tiered)
        /// The partnership was revoked.
        case revoked(Reasoned)

        /// The stored event types.
        public enum Kind: String, EventKinding {
            case registered = "partner.registered"
            case tierAmended = "partner.tierAmended"
            case revoked = "partner.revoked"
        }

        public var kind: Kind {
            switch self {
            case .registered: .registered
            case .tierAmended: .tierAmended
            case .revoked: .revoked
            }
        }

        public func encodePayload(to encoder: any Encoder) throws {
            switch self {
            case .registered(let payload), .tierAmended(let payload): try payload.encode(to: encoder)
            case .revoked(let payload): try payload.encode(to: encoder)
            }
        }

        public init(kind: Kind, from decoder: any Decoder) throws {
            switch kind {
            case .registered: self = .registered(try Tiered(from: decoder))
            case .tierAmended: self = .tierAmended(try Tiered(from: decoder))
            case .revoked: self = .revoked(try Reasoned(from: decoder))
            }
        }

        public static func payloadType(of kind: Kind) -> any Codable.Type {
            switch kind {
            case .registered, .tierAmended: Tiered.self
            case .revoked: Reasoned.self
            }
        }
    }

    public static func spec(_ kind: Event.Kind) -> EventSpec<Self> {
        switch kind {
        case .registered:
            EventSpec(.command(.registerPartner), from: [nil], to: .active, notifies: [.businessEntity])
        case .tierAmended:
            EventSpec(.command(.amendPartnerTier), from: [.active], to: nil, notifies: [.businessEntity])
        case .revoked:
            EventSpec(.command(.revokePartner), from: [.active], to: .revoked, notifies: [.businessEntity])
        }
    }

    public static func decide(
        _ command: Command,
        _ instance: ProcessInstance<Self>,
        _ context: DecisionContext
    ) async throws(WorkflowError) -> [Draft<Self>] {
        let articles = command.name.spec.articles
        switch command {
        case .registerPartner(let tier):
            try context.requireParty(tier.operatorParty, when: .operator, articles)
            try await requireWithinHoldings(tier, context)
            var trace = TraceKeys()
            trace.operatorID = tier.operatorParty
            trace.applicantID = tier.partner
            return [Draft(.registered(Tiered(tier: tier)), trace: trace)]
        case .amendPartnerTier(let tier):
            try context.requireParty(tier.operatorParty, when: .operator, articles)
            try await requireWithinHoldings(tier, context)
            return [Draft(.tierAmended(Tiered(tier: tier)))]
        case .revokePartner(let operatorParty, _, let reason):
            try context.requireParty(operatorParty, when: .operator, articles)
            return [Draft(.revoked(Reasoned(reason: reason)))]
        }
    }

    public static func evolve(_ facts: inout Facts, _ event: Event) {
        switch event {
        case .registered(let tiered): facts.tier = tiered.tier
        case .tierAmended(let tiered):
            facts.tier = tiered.tier
            facts.amendments += 1
        case .revoked: break
        }
    }

    /// Refuses a tier that grants more than its operator holds: an entry or a field without a live grant to the
    /// operator, a product that is not the operator's or is withdrawn (`notAuthorized`, every excess listed).
    static func requireWithinHoldings(_ tier: PartnerTier, _ context: DecisionContext) async throws(WorkflowError) {
        var everyField: Set<CatalogEntryID> = []
        var someFields: [CatalogEntryID: Set<String>] = [:]
        for item in try await context.engine.liveGrants(of: tier.operatorParty).flatMap(\.items) {
            if item.requestedFields.isEmpty {
                everyField.insert(item.entry)
            } else {
                someFields[item.entry, default: []].formUnion(item.requestedFields)
            }
        }
        var issues: [ValidationIssue] = []
        for (index, item) in tier.data.enumerated() where !everyField.contains(item.entry) {
            let path = "$.tier.data[\(index)]"
            guard let held = someFields[item.entry] else {
                issues.append(ValidationIssue(path: path, message: "\(item.entry) has no live grant to the operator"))
                continue
            }
            if item.requestedFields.isEmpty {
                issues.append(
                    ValidationIssue(
                        path: path,
                        message: "the operator holds only the fields \(held.sorted().joined(separator: ", ")) of "
                            + "\(item.entry)"
                    )
                )
            } else if case let beyond = item.requestedFields.filter({ !held.contains($0) }), !beyond.isEmpty {
                issues.append(
                    ValidationIssue(
                        path: path,
                        message: "the operator holds no grant of \(beyond.joined(separator: ", ")) of \(item.entry)"
                    )
                )
            }
        }
        for (index, id) in tier.products.enumerated() {
            let product = try await context.instance(ProductProcess.self, id.rawValue)
            let path = "$.tier.products[\(index)]"
            if !product.exists || product.trace.operatorID != tier.operatorParty {
                issues.append(ValidationIssue(path: path, message: "\(id) is not a product of \(tier.operatorParty)"))
            } else if product.state == .withdrawn {
                issues.append(ValidationIssue(path: path, message: "\(id) is withdrawn"))
            }
        }
        guard issues.isEmpty else {
            var error = context.refuse(
                .notAuthorized,
                "the tier grants more than \(tier.operatorParty) holds: "
                    + issues.map(\.message).joined(separator: "; "),
                ["87号 §6"]
            )
            error.issues = issues
            throw error
        }
    }

    /// What a partner does on its operator's product, for ``requireWithinTier(_:of:_:_:)``.
    struct PartnerAct {
        /// The product used or applied for.
        var product: ProductID
        /// The scenario's purpose, when it is known.
        var purpose: Purpose?
        /// The product's source entries.
        var entries: [CatalogEntryID]
        /// Whether the act publishes a product of the partner's own (Art. 27).
        var derived: Bool = false
    }

    /// Refuses an act of `party` on a product of `operatorParty` outside its tier when `party` is that operator's
    /// partner (`notAuthorized`, 87号 §6): a revoked partnership, a product, a purpose or a source entry the
    /// tier does not grant, a published product without ``PartnerTier/derivedProducts``. Nothing happens when
    /// `party` is not the operator's partner.
    static func requireWithinTier(
        _ party: PartyID?,
        of operatorParty: PartyID?,
        _ act: PartnerAct,
        _ context: DecisionContext
    ) async throws(WorkflowError) {
        guard let party, let operatorParty else { return }
        let partnership = try await context.instance(
            PartnerProcess.self,
            instanceID(operatorParty: operatorParty, partner: party)
        )
        guard partnership.exists, let tier = partnership.facts.tier else { return }
        guard partnership.state != .revoked else {
            throw context.refuse(
                .notAuthorized,
                "\(operatorParty) revoked its partnership with \(party); it has no permission on its products",
                ["87号 §6"]
            )
        }
        var beyond: [String] = []
        if !tier.products.contains(act.product) { beyond.append("product \(act.product)") }
        if let purpose = act.purpose, !tier.purposes.contains(purpose) { beyond.append("purpose \(purpose.rawValue)") }
        let granted = Set(tier.data.map(\.entry))
        for entry in act.entries where !granted.contains(entry) { beyond.append("entry \(entry)") }
        if act.derived, !tier.derivedProducts { beyond.append("publishing products of its own") }
        guard beyond.isEmpty else {
            throw context.refuse(
                .notAuthorized,
                "\(party) is a partner of \(operatorParty) at tier \(tier.level), which does not grant "
                    + beyond.joined(separator: ", "),
                ["87号 §6"]
            )
        }
    }
}

extension WorkflowCommand {
    /// A command of partner tiers (87号 §6(2)).
    public static func partner(_ command: PartnerProcess.Command) -> WorkflowCommand {
        WorkflowCommand(PartnerProcess.self, command)
    }
}

extension CommandName {
    /// A partner command.
    public static func partner(_ name: PartnerProcess.Command.Name) -> CommandName {
        CommandName(PartnerProcess.self, name)
    }
}
