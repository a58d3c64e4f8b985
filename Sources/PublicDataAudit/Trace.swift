import Foundation
import PublicDataModel

/// The kind of thing a trace reference names: a catalog entry, an agreement, a plan, a product, ...
///
/// Kinds are open: a host may add its own (`TraceKind("invoice")`).
public struct TraceKind: RawRepresentable, Hashable, Comparable, Sendable, Codable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The kind's name.
    public let rawValue: String

    /// Creates a kind.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// Creates a kind.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    /// Creates a kind from a literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A catalog entry (public data resource).
    public static let catalogEntry: TraceKind = "catalogEntry"
    /// An authorization agreement (a grant).
    public static let agreement: TraceKind = "agreement"
    /// An implementation plan.
    public static let plan: TraceKind = "plan"
    /// A product or service.
    public static let product: TraceKind = "product"
    /// A data request (a use of data).
    public static let dataRequest: TraceKind = "dataRequest"
    /// A downstream or operator scenario.
    public static let scenario: TraceKind = "scenario"

    /// Orders kinds by name.
    public static func < (lhs: TraceKind, rhs: TraceKind) -> Bool { lhs.rawValue < rhs.rawValue }
    /// The kind's name.
    public var description: String { rawValue }
}

/// One identified thing an event refers to, e.g. `agreement:agr-001`.
public struct TraceReference: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// What kind of thing.
    public var kind: TraceKind
    /// Its identifier.
    public var id: String

    /// Creates a reference.
    public init(_ kind: TraceKind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// Orders by kind, then identifier.
    public static func < (lhs: TraceReference, rhs: TraceReference) -> Bool {
        (lhs.kind, lhs.id) < (rhs.kind, rhs.id)
    }

    /// `kind:id`.
    public var description: String { "\(kind):\(id)" }
}

/// How events name the things they concern, so that the audit layer can trace them without knowing the
/// workflow's payload types.
///
/// ## The convention
/// An event refers to a thing when **either**
/// 1. its JSON payload is an object with a **top-level key** listed in ``payloadKeys`` whose value is a
///    non-empty string or an array of strings (each string is one identifier), **or**
/// 2. its stream id starts with a prefix listed in ``streamPrefixes``; the rest of the stream id is the
///    identifier.
///
/// The ``standard`` convention, which workflow events should follow:
///
/// | Payload key | Kind |
/// |-------------|------|
/// | `catalogEntryID`, `catalogEntryIDs` | ``TraceKind/catalogEntry`` |
/// | `agreementID`, `agreementIDs` | ``TraceKind/agreement`` |
/// | `planID`, `planIDs` | ``TraceKind/plan`` |
/// | `productID`, `productIDs` | ``TraceKind/product`` |
/// | `dataRequestID`, `dataRequestIDs` | ``TraceKind/dataRequest`` |
/// | `scenarioID`, `scenarioIDs` | ``TraceKind/scenario`` |
///
/// | Stream prefix | Kind |
/// |---------------|------|
/// | `catalog-` | ``TraceKind/catalogEntry`` |
/// | `agreement-` | ``TraceKind/agreement`` |
/// | `plan-` | ``TraceKind/plan`` |
/// | `product-` | ``TraceKind/product`` |
/// | `data-request-` | ``TraceKind/dataRequest`` |
/// | `scenario-` | ``TraceKind/scenario`` |
///
/// So an event `{"agreementID":"agr-1","catalogEntryIDs":["c-1","c-2"],"productID":"p-9"}` on stream
/// `product-p-9` refers to agreement `agr-1`, catalog entries `c-1` and `c-2`, and product `p-9`.
/// Nested keys are not searched: put every reference an event should be traced by at the top level.
/// Policy decisions are traced through `EventMetadata.policyVersion`.
public struct TraceConvention: Sendable, Hashable {
    /// Top-level payload keys and the kind of identifier they hold.
    public var payloadKeys: [String: TraceKind]
    /// Stream-id prefixes and the kind of the identifier that follows them.
    public var streamPrefixes: [String: TraceKind]

    /// Creates a convention.
    public init(payloadKeys: [String: TraceKind], streamPrefixes: [String: TraceKind] = [:]) {
        self.payloadKeys = payloadKeys
        self.streamPrefixes = streamPrefixes
    }

    /// The library's documented default (see the tables above).
    public static let standard: TraceConvention = {
        var keys: [String: TraceKind] = [:]
        var prefixes: [String: TraceKind] = [:]
        for (stem, process) in TraceKeys.traceKeyKinds {
            let kind = TraceKind(stem)
            keys[stem + "ID"] = kind
            keys[stem + "IDs"] = kind
            prefixes[process.streamPrefix] = kind
        }
        return TraceConvention(payloadKeys: keys, streamPrefixes: prefixes)
    }()

    /// The references `event` carries under this convention, sorted, without duplicates.
    /// - Parameter event: A recorded event; a payload that is not a JSON object contributes nothing.
    /// - Returns: The references.
    public func references(in event: RecordedEvent) -> [TraceReference] {
        var found: Set<TraceReference> = []
        for (prefix, kind) in streamPrefixes where event.streamID.rawValue.hasPrefix(prefix) {
            let id = String(event.streamID.rawValue.dropFirst(prefix.count))
            if !id.isEmpty { found.insert(TraceReference(kind, id)) }
        }
        if !payloadKeys.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: event.payload) as? [String: Any]
        {
            for (key, kind) in payloadKeys {
                switch object[key] {
                case let text as String where !text.isEmpty:
                    found.insert(TraceReference(kind, text))
                case let list as [Any]:
                    for case let text as String in list where !text.isEmpty {
                        found.insert(TraceReference(kind, text))
                    }
                default:
                    break
                }
            }
        }
        return found.sorted()
    }
}

/// A policy decision found while tracing: the event that recorded it and the policy version that decided it.
public struct PolicyDecisionTrace: Hashable, Sendable, Codable {
    /// The deciding event's id.
    public var event: EventID
    /// The event type, e.g. `"data_request.approved"`.
    public var type: String
    /// `policyID@version` from the event metadata.
    public var policyVersion: String
    /// When it was decided.
    public var occurredAt: Date
    /// The event's global position.
    public var globalPosition: Int64
}

/// Everything behind a product: the catalog entries, agreements, plans, requests and policy decisions.
public struct ProductProvenance: Hashable, Sendable {
    /// The product traced.
    public var product: ProductID
    /// Catalog entries referenced by the product's events or by its agreements' events.
    public var catalogEntries: [CatalogEntryID]
    /// Agreements referenced by the product's events.
    public var agreements: [AgreementID]
    /// Plans referenced by the product's or its agreements' events.
    public var plans: [PlanID]
    /// Data requests referenced by the product's events.
    public var dataRequests: [DataRequestID]
    /// Scenarios referenced by the product's events.
    public var scenarios: [ScenarioID]
    /// Policy decisions recorded on any of the events below.
    public var policyDecisions: [PolicyDecisionTrace]
    /// The events of the product, its agreements and its plans, in global order.
    public var events: [RecordedEvent]
}

/// Everything that touched a catalog entry: grants, products, uses.
public struct CatalogEntryUsage: Hashable, Sendable {
    /// The entry traced.
    public var catalogEntry: CatalogEntryID
    /// Agreements (grants) in events that reference the entry.
    public var agreements: [AgreementID]
    /// Products in events that reference the entry.
    public var products: [ProductID]
    /// Data requests in events that reference the entry.
    public var dataRequests: [DataRequestID]
    /// Scenarios in events that reference the entry.
    public var scenarios: [ScenarioID]
    /// The events that reference the entry, in global order.
    public var events: [RecordedEvent]
}

/// An index of events by the things they refer to (溯源): answers "what is behind this product", "who touched
/// this catalog entry", "what did this party do".
///
/// Build it from the global log (``build(from:convention:)``) or feed events one by one (``add(_:)``) from a
/// projection; it follows a ``TraceConvention``.
public struct TraceIndex: Sendable {
    /// The convention that finds references in events.
    public let convention: TraceConvention
    /// The indexed events, in the order added (global order when built from a store).
    public private(set) var events: [RecordedEvent] = []
    private var referencesByEvent: [[TraceReference]] = []
    private var eventsByReference: [TraceReference: [Int]] = [:]
    private var eventsByParty: [PartyID: [Int]] = [:]

    /// Creates an index.
    /// - Parameters:
    ///   - events: Events to index, in global order.
    ///   - convention: How references are found (``TraceConvention/standard`` by default).
    public init(events: some Sequence<RecordedEvent> = [], convention: TraceConvention = .standard) {
        self.convention = convention
        for event in events { add(event) }
    }

    /// Reads the whole global log of `store` into an index.
    /// - Throws: The store's error.
    public static func build(
        from store: any EventStore,
        convention: TraceConvention = .standard
    ) async throws -> TraceIndex {
        TraceIndex(events: try await store.readAll(after: 0, pageSize: 1000), convention: convention)
    }

    /// Adds one event (call in global order).
    public mutating func add(_ event: RecordedEvent) {
        let index = events.count
        let references = convention.references(in: event)
        events.append(event)
        referencesByEvent.append(references)
        for reference in references { eventsByReference[reference, default: []].append(index) }
        if let party = event.actor?.party { eventsByParty[party, default: []].append(index) }
    }

    /// The references of the event at `index` in ``events``.
    public func references(ofEventAt index: Int) -> [TraceReference] {
        index >= 0 && index < referencesByEvent.count ? referencesByEvent[index] : []
    }

    /// The events that refer to `reference`, in order.
    public func events(referencing reference: TraceReference) -> [RecordedEvent] {
        (eventsByReference[reference] ?? []).map { events[$0] }
    }

    /// Every reference that appears in an event together with `reference` (not including itself).
    public func related(to reference: TraceReference) -> [TraceReference] {
        Set(indices(referencing: [reference]).flatMap { referencesByEvent[$0] }).subtracting([reference]).sorted()
    }

    /// What is behind a product: its catalog entries, agreements, plan, requests and policy decisions.
    ///
    /// The product's events give its agreements, entries, requests, scenarios and plans; its agreements'
    /// events add their plans and authorized entries; the plans' events are included for their decisions.
    public func provenance(ofProduct product: ProductID) -> ProductProvenance {
        let own = indices(referencing: [TraceReference(.product, product.rawValue)])
        let first = references(in: own)
        let agreements = first.filter { $0.kind == .agreement }
        let agreementEvents = indices(referencing: agreements)
        let second = references(in: agreementEvents)
        let plans = (first + second).filter { $0.kind == .plan }
        let planEvents = indices(referencing: plans)
        let all = Set(own).union(agreementEvents).union(planEvents).sorted()
        let entries = (first + second).filter { $0.kind == .catalogEntry }
        return ProductProvenance(
            product: product,
            catalogEntries: ids(entries),
            agreements: ids(agreements),
            plans: ids(plans),
            dataRequests: ids(first.filter { $0.kind == .dataRequest }),
            scenarios: ids(first.filter { $0.kind == .scenario }),
            policyDecisions: all.compactMap { decision(at: $0) },
            events: all.map { events[$0] }
        )
    }

    /// Everything that touched a catalog entry: the grants, products and uses named in its events.
    public func usage(ofCatalogEntry entry: CatalogEntryID) -> CatalogEntryUsage {
        let own = indices(referencing: [TraceReference(.catalogEntry, entry.rawValue)])
        let found = references(in: own)
        return CatalogEntryUsage(
            catalogEntry: entry,
            agreements: ids(found.filter { $0.kind == .agreement }),
            products: ids(found.filter { $0.kind == .product }),
            dataRequests: ids(found.filter { $0.kind == .dataRequest }),
            scenarios: ids(found.filter { $0.kind == .scenario }),
            events: own.map { events[$0] }
        )
    }

    /// Everything a party did in `[start, end)`, in order; optionally only one person's actions.
    /// - Parameters:
    ///   - party: The acting party.
    ///   - person: Only this person's actions, when given.
    ///   - start: The first instant included.
    ///   - end: The first instant excluded.
    /// - Returns: The events.
    public func activity(of party: PartyID, person: String? = nil, from start: Date, to end: Date) -> [RecordedEvent] {
        (eventsByParty[party] ?? []).map { events[$0] }.filter { event in
            event.occurredAt >= start && event.occurredAt < end && (person == nil || event.actor?.person == person)
        }
    }

    private func indices(referencing references: [TraceReference]) -> [Int] {
        Set(references.flatMap { eventsByReference[$0] ?? [] }).sorted()
    }

    private func references(in indices: [Int]) -> [TraceReference] {
        Set(indices.flatMap { referencesByEvent[$0] }).sorted()
    }

    private func ids<T>(_ references: [TraceReference]) -> [Identifier<T>] {
        Set(references.map(\.id)).sorted().map { Identifier<T>($0) }
    }

    private func decision(at index: Int) -> PolicyDecisionTrace? {
        let event = events[index]
        guard let version = event.metadata.policyVersion else { return nil }
        return PolicyDecisionTrace(
            event: event.id,
            type: event.type,
            policyVersion: version,
            occurredAt: event.occurredAt,
            globalPosition: event.globalPosition
        )
    }
}
