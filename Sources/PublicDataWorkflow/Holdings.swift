import PublicDataModel
import PublicDataPolicy

/// What an operator holds: its live grants (data requests granted or provisioned, under any of its agreements)
/// and their totals (Art. 30 关联汇聚).
///
/// The implementing agency asks for it with ``WorkflowEngine/holdings(of:)``; the evaluation of a data request and
/// the policy monitor judge a request with these totals plus the request (the `holdings.*` attributes).
public struct OperatorHoldings: Codable, Sendable, Hashable {
    /// One live grant.
    public struct Grant: Codable, Sendable, Hashable {
        /// The data request's stream.
        public var stream: StreamID
        /// The agreement it was granted under.
        public var agreement: AgreementID
        /// The entries and fields granted.
        public var items: [DataRequestItem]
    }

    /// The operator.
    public var operatorParty: PartyID
    /// Its live grants, in stream order.
    public var grants: [Grant]
    /// The distinct catalog entries held that are still in the catalog, in id order.
    public var entries: [CatalogEntryID]
    /// The totals the policy judges.
    public var totals: AggregateHoldings

    /// The totals of `grants` and, when given, `request`, over the catalog entries in `catalog` (entries no longer in
    /// the catalog are not held).
    static func totals(
        _ grants: [Grant],
        plus request: DataRequestSpec?,
        catalog: [CatalogEntryID: CatalogEntry]
    ) -> AggregateHoldings {
        totals(of: grants.flatMap(\.items) + (request?.items ?? []), catalog: catalog)
    }

    /// The totals of `items` (an entry with its requested fields; empty: every field) over the entries in `catalog`.
    static func totals(of items: [DataRequestItem], catalog: [CatalogEntryID: CatalogEntry]) -> AggregateHoldings {
        AggregateHoldings(
            holding: items.compactMap { item in
                catalog[item.entry].map { AggregateHoldings.Held(entry: $0, fields: item.requestedFields) }
            }
        )
    }
}

extension WorkflowEngine {
    /// What `operatorParty` holds now: its live grants under every agreement and their totals (Art. 30).
    ///
    /// ```swift
    /// let held = try await engine.holdings(of: "op-bj-finance")
    /// print(held.totals.entries, held.totals.personalInformationFields)
    /// ```
    /// - Throws: ``WorkflowError`` (`store`, `corruptEvent`).
    public func holdings(of operatorParty: PartyID) async throws(WorkflowError) -> OperatorHoldings {
        let grants = try await liveGrants(of: operatorParty)
        let catalog = try await catalogEntries(grants.flatMap { $0.items.map(\.entry) })
        return OperatorHoldings(
            operatorParty: operatorParty,
            grants: grants,
            entries: catalog.keys.sorted(),
            totals: OperatorHoldings.totals(grants, plus: nil, catalog: catalog)
        )
    }

    /// The live grants (granted or provisioned) of `operatorParty` under any of its agreements, in stream order.
    func liveGrants(of operatorParty: PartyID) async throws(WorkflowError) -> [OperatorHoldings.Grant] {
        try await index.catchUp().liveGrants(of: operatorParty).map { request, agreement, items in
            OperatorHoldings.Grant(
                stream: ProcessKind.dataRequest.stream(request.rawValue),
                agreement: agreement,
                items: items
            )
        }
        .sorted { $0.stream < $1.stream }
    }

    /// The entries of `ids` that are in the catalog now.
    func catalogEntries(_ ids: [CatalogEntryID]) async throws(WorkflowError) -> [CatalogEntryID: CatalogEntry] {
        var result: [CatalogEntryID: CatalogEntry] = [:]
        for id in Set(ids) {
            let catalog = try await instance(CatalogProcess.self, id.rawValue)
            if catalog.state != .retired, let entry = catalog.facts.entry { result[id] = entry }
        }
        return result
    }

    /// What the operator of `request` would hold in total once it is granted: its live grants other than
    /// `excluding` (the request's own stream) and the request.
    ///
    /// Reads the projection's running totals per entry, so its cost is the number of entries held, not the number of
    /// grants.
    func holdings(
        after request: DataRequestSpec,
        operatorParty: PartyID,
        excluding stream: StreamID
    ) async throws(WorkflowError) -> AggregateHoldings {
        let excluded = ProcessKind.dataRequest.instanceID(of: stream).map { DataRequestID($0) }
        let held = try await index.catchUp().held(by: operatorParty, excluding: excluded)
        let items = held + request.items
        return OperatorHoldings.totals(of: items, catalog: try await catalogEntries(items.map(\.entry)))
    }
}
