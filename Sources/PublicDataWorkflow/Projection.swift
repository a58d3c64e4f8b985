import Foundation
import PublicDataModel
import PublicDataPricing

/// A product as the read side shows it.
public struct ProductSummary: Sendable, Hashable {
    /// The product.
    public var id: ProductID
    /// Its agreement.
    public var agreement: AgreementID
    /// Its operator.
    public var operatorParty: PartyID
    /// Its name.
    public var name: String
    /// Its state in the product process.
    public var state: String
    /// Its price plan, once published.
    public var pricePlan: PricePlan?
}

/// The read side: views of the workflow rebuilt from the global log.
///
/// ## Rebuild
/// A projection is a pure fold over the global log in position order: start from an empty value and
/// ``apply(_:)`` every event (``rebuild(from:pageSize:)`` does exactly that, page by page). Applying an event twice or
/// out of order is ignored (an event at or below ``position`` changes nothing), so a projection that was kept
/// up to date incrementally and one rebuilt from position 0 are equal (`==`). To rebuild after a change of
/// the projection code, discard the stored value and call ``rebuild(from:pageSize:)``; nothing else needs migrating,
/// because the events are the only source of truth.
///
/// Only events whose payload a view needs are decoded (creations, publications and events that open
/// deadlines); every other event moves its stream's state by its type alone, which keeps replay fast.
public struct WorkflowProjection: Sendable, Hashable {
    /// The global position of the last event applied.
    public private(set) var position: Int64 = 0
    /// The number of events applied.
    public private(set) var eventCount: Int = 0
    /// The state of every workflow stream.
    public private(set) var states: [StreamID: String] = [:]
    /// Agreements by operator, with each agreement's state.
    public private(set) var agreementsByOperator: [PartyID: [AgreementID: String]] = [:]
    /// Data requests currently granted or provisioned, by catalog entry.
    public private(set) var activeGrantsByCatalogEntry: [CatalogEntryID: Set<DataRequestID>] = [:]
    /// Products with their agreement, state and price plan.
    public private(set) var products: [ProductID: ProductSummary] = [:]
    /// Open deadlines, keyed `stream|key`.
    public var openDeadlines: [String: ScheduledDeadline] {
        Dictionary(uniqueKeysWithValues: deadlinesByKey.map { ($0.key.stream.rawValue + "|" + $0.key.key, $0.value) })
    }
    /// Objections by the data provider that must answer them, with each objection's state.
    public private(set) var objectionsByProvider: [PartyID: [ObjectionID: String]] = [:]

    private var requestsByAgreement: [AgreementID: Set<DataRequestID>] = [:]
    private var productsByAgreement: [AgreementID: Set<ProductID>] = [:]
    private var scenariosByProduct: [ProductID: Set<ScenarioID>] = [:]
    private var requests: [DataRequestID: RequestHolding] = [:]
    private var liveRequestsByOperator: [PartyID: Set<DataRequestID>] = [:]
    private var heldByOperator: [PartyID: [CatalogEntryID: HeldEntry]] = [:]
    private var agreementOperator: [AgreementID: PartyID] = [:]
    private var objectionProvider: [ObjectionID: PartyID] = [:]
    private var registrationsByCatalogEntry: [CatalogEntryID: Set<RegistrationID>] = [:]
    /// Open deadlines by stream and key (no text is joined to find one).
    private var deadlinesByKey: [DeadlineKey: ScheduledDeadline] = [:]
    /// The stream of the last event applied and its place in ``states``.
    private var recent = RecentStream()

    /// The stream of the last event applied and its index in ``states``, so that the events of one stream that follow
    /// each other (a command's events, a process's steps) find its state without hashing its id again. Not part of
    /// the projection's value: two projections that applied the same events are equal whatever they last read.
    private struct RecentStream: Hashable, Sendable {
        var stream: StreamID?
        /// Valid while ``states`` gains no key (writing a value keeps every index).
        var slot: [StreamID: String].Index?

        static func == (lhs: Self, rhs: Self) -> Bool { true }
        func hash(into hasher: inout Hasher) {}
    }

    /// A deadline's place: its stream and its key within the stream's process.
    private struct DeadlineKey: Hashable, Sendable {
        var stream: StreamID
        var key: String
    }

    /// An empty projection (position 0).
    public init() {}

    /// Open deadlines in firing order.
    public var deadlines: [ScheduledDeadline] { deadlinesByKey.values.sorted() }

    /// Open deadlines due at or before `instant`, in firing order.
    public func deadlines(dueAt instant: Date) -> [ScheduledDeadline] {
        deadlinesByKey.values.filter { $0.dueAt <= instant }.sorted()
    }

    /// The data request and product streams of an agreement (for its exit procedure).
    public func streams(of agreement: AgreementID) -> (requests: [StreamID], products: [StreamID]) {
        (
            (requestsByAgreement[agreement] ?? []).sorted().map { ProcessKind.dataRequest.stream($0.rawValue) },
            (productsByAgreement[agreement] ?? []).sorted().map { ProcessKind.product.stream($0.rawValue) }
        )
    }

    /// The scenario streams of a product (to end them with it).
    public func scenarios(of product: ProductID) -> [StreamID] {
        (scenariosByProduct[product] ?? []).sorted().map { ProcessKind.scenario.stream($0.rawValue) }
    }

    /// The registration streams that name a catalog entry (to find its valid registration, Art. 9).
    public func registrations(of entry: CatalogEntryID) -> [StreamID] {
        (registrationsByCatalogEntry[entry] ?? []).sorted().map { ProcessKind.registration.stream($0.rawValue) }
    }

    /// The operator's live grants (data requests granted or provisioned under any of its agreements), in id order,
    /// with their agreement and items.
    func liveGrants(
        of operatorParty: PartyID
    ) -> [(request: DataRequestID, agreement: AgreementID, items: [DataRequestItem])] {
        (liveRequestsByOperator[operatorParty] ?? []).sorted().compactMap { request in
            requests[request].map { (request, $0.agreement, $0.items) }
        }
    }

    /// What the operator holds through its live grants other than `excluded`: each catalog entry once, as an item
    /// with the union of the fields held (empty: every field), in entry order. Kept up to date as grants start and
    /// end, so reading it costs the number of entries held, not the number of grants (Art. 30).
    func held(by operatorParty: PartyID, excluding excluded: DataRequestID?) -> [DataRequestItem] {
        guard var held = heldByOperator[operatorParty] else { return [] }
        if let excluded, liveRequestsByOperator[operatorParty]?.contains(excluded) == true {
            for item in requests[excluded]?.items ?? [] { HeldEntry.remove(item, from: &held) }
        }
        return held.sorted { $0.key < $1.key }.map { entry, holding in
            DataRequestItem(entry: entry, requestedFields: holding.whole > 0 ? [] : holding.fields.keys.sorted())
        }
    }

    /// The events whose payload a view reads whatever their transition: creations and publications.
    private static let viewEvents: [String: ViewEvent] = [
        RegistrationProcess.Event.Kind.applied.rawValue: .registrationApplied,
        ScenarioProcess.Event.Kind.applied.rawValue: .scenarioApplied,
        AgreementProcess.Event.Kind.drafted.rawValue: .agreementDrafted,
        DataRequestProcess.Event.Kind.submitted.rawValue: .requestSubmitted,
        ProductProcess.Event.Kind.drafted.rawValue: .productDrafted,
        ProductProcess.Event.Kind.published.rawValue: .productPublished,
        ObjectionProcess.Event.Kind.raised.rawValue: .objectionRaised,
    ]

    /// An event a view reads by its payload.
    private enum ViewEvent {
        case registrationApplied, scenarioApplied, agreementDrafted, requestSubmitted, productDrafted
        case productPublished, objectionRaised
    }

    /// What replay needs to know of one event type, derived from its process's description. A class, so that
    /// finding it costs one hash of the event type and one reference, not a copy of the description.
    private final class EventPlan: Sendable {
        let process: ProcessKind
        /// The process's stream prefix in UTF-8.
        let prefix: [UInt8]
        let from: [String]
        let to: String?
        let closes: [String]
        /// Its payload is read: it creates or publishes something a view shows, or opens deadlines.
        let decodes: Bool
        /// The view that reads its payload, if any (also when its stream belongs to another process).
        let view: ViewEvent?

        init(_ process: ProcessKind, _ event: ProcessDescription.EventDescription) {
            self.process = process
            prefix = Array(process.streamPrefix.utf8)
            from = event.from
            to = event.to
            closes = event.closes
            view = WorkflowProjection.viewEvents[event.type]
            decodes = view != nil || !event.opens.isEmpty
        }
    }

    private static let plans = NameTable(
        Processes.all.flatMap { process in
            process.events.map { event in (event.type, EventPlan(process.kind, event)) }
        }
    )

    /// Whether `text` starts with the UTF-8 bytes `prefix`, compared in place for a native string.
    @inline(__always)
    private static func hasPrefix(_ text: String, _ prefix: [UInt8]) -> Bool {
        let inPlace = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.count >= prefix.count
                && prefix.withUnsafeBufferPointer { memcmp(bytes.baseAddress!, $0.baseAddress!, prefix.count) == 0 }
        }
        return inPlace ?? text.utf8.starts(with: prefix)
    }

    /// The instance id of `stream`, whose first `prefixLength` UTF-8 bytes are its process's (ASCII) prefix: the
    /// bytes after it when they start a new character, otherwise ``ProcessKind/instanceID(of:)``'s answer.
    @inline(__always)
    static func instanceID(_ stream: StreamID, of process: ProcessKind, prefixLength: Int) -> String {
        let utf8 = stream.rawValue.utf8
        let rest = utf8.dropFirst(prefixLength)
        if rest.first.map({ $0 < 0x80 }) ?? true { return String(Substring(rest)) }
        return process.instanceID(of: stream) ?? stream.rawValue
    }

    /// Applies one event of the global log; events at or below ``position`` are ignored.
    /// - Throws: ``WorkflowError`` (code `corruptEvent`) when a payload the projection needs is unreadable.
    public mutating func apply(_ event: RecordedEvent) throws(WorkflowError) {
        try apply(
            at: event.globalPosition,
            stream: event.streamID,
            version: event.streamVersion,
            type: event.type,
            payload: event.payload
        )
    }

    /// ``apply(_:)`` on the fields it reads, so that a page's events are applied without copying each one.
    private mutating func apply(
        at globalPosition: Int64,
        stream: StreamID,
        version: Int64,
        type: String,
        payload encoded: Data
    ) throws(WorkflowError) {
        guard globalPosition > position else { return }
        position = globalPosition
        eventCount += 1
        // One hash of the event type finds its process, transition and whether its payload is read; the stream's
        // prefix is then checked against that process alone.
        let plan = Self.plans[type]
        let process: ProcessKind
        let prefixLength: Int
        if let plan, Self.hasPrefix(stream.rawValue, plan.prefix) {
            process = plan.process
            prefixLength = plan.prefix.count
        } else if let kind = ProcessKind.of(stream) {
            process = kind
            prefixLength = kind.streamPrefix.utf8.count
        } else {
            return
        }
        let transition = plan?.process == process ? plan : nil
        // One hash of the stream id for a known stream: read and write its state through the index.
        let from: String
        let to: String
        let known: [StreamID: String].Index?
        if let slot = recent.slot, recent.stream == stream {
            known = slot
        } else {
            known = states.index(forKey: stream)
            recent = RecentStream(stream: stream, slot: known)
        }
        if let slot = known {
            from = states.values[slot]
            to = transition.flatMap { $0.from.contains(from) ? $0.to : nil } ?? from
            if to != from { states.values[slot] = to }
        } else {
            from = ProcessDescription.initialState
            to = transition.flatMap { $0.from.contains(from) ? $0.to : nil } ?? from
            states[stream] = to
            // The new key may have moved every other: the next event of this stream looks it up again.
            recent = RecentStream()
        }
        if let transition, !transition.closes.isEmpty, !deadlinesByKey.isEmpty {
            for key in transition.closes { deadlinesByKey[DeadlineKey(stream: stream, key: key)] = nil }
        }
        let view = plan?.view
        var payload: ProjectionFields?
        if transition?.decodes ?? (view != nil) {
            do {
                payload =
                    try ProjectionFields.fast(encoded) ?? PublicDataJSON.decode(ProjectionFields.self, from: encoded)
            } catch {
                throw WorkflowError(
                    code: .corruptEvent,
                    message: "\(stream)@\(version) (\(type)): \(error)",
                    stream: stream
                )
            }
        }
        for deadline in payload?.deadlines ?? [] {
            deadlinesByKey[DeadlineKey(stream: stream, key: deadline.key)] = deadline
        }
        // Only events that create an object or change its state touch the views below.
        guard payload != nil || to != from else { return }
        let id = Self.instanceID(stream, of: process, prefixLength: prefixLength)
        switch process {
        case .agreement:
            let agreement = AgreementID(id)
            if let party = payload?.operatorID, view == .agreementDrafted {
                agreementOperator[agreement] = party
            }
            if let party = agreementOperator[agreement] { agreementsByOperator[party, default: [:]][agreement] = to }
        case .dataRequest:
            let request = DataRequestID(id)
            if view == .requestSubmitted, let agreement = payload?.agreementID {
                let items =
                    payload?.request?.items
                    ?? (payload?.catalogEntryIDs ?? []).map { DataRequestItem(entry: $0) }
                requests[request] = RequestHolding(
                    agreement: agreement,
                    operatorParty: agreementOperator[agreement],
                    items: items
                )
                requestsByAgreement[agreement, default: []].insert(request)
            }
            let active = Self.isLive(to)
            guard active != Self.isLive(from), let holding = requests[request] else { return }
            func update(_ entry: CatalogEntryID) {
                if active {
                    activeGrantsByCatalogEntry[entry, default: []].insert(request)
                } else if activeGrantsByCatalogEntry[entry]?.remove(request) != nil,
                    activeGrantsByCatalogEntry[entry]?.isEmpty == true
                {
                    activeGrantsByCatalogEntry[entry] = nil
                }
            }
            // Each catalog entry once; a request of a few items finds the repeats without building a set.
            if holding.items.count <= 8 {
                for (index, item) in holding.items.enumerated()
                where !holding.items[..<index].contains(where: { $0.entry == item.entry }) {
                    update(item.entry)
                }
            } else {
                for entry in Set(holding.items.map(\.entry)) { update(entry) }
            }
            // Art. 30: the operator's running totals change only when a grant starts or ends.
            guard let party = holding.operatorParty else { return }
            if active {
                liveRequestsByOperator[party, default: []].insert(request)
                for item in holding.items { HeldEntry.add(item, to: &heldByOperator[party, default: [:]]) }
            } else {
                liveRequestsByOperator[party]?.remove(request)
                if liveRequestsByOperator[party]?.isEmpty == true { liveRequestsByOperator[party] = nil }
                for item in holding.items { HeldEntry.remove(item, from: &heldByOperator[party, default: [:]]) }
                if heldByOperator[party]?.isEmpty == true { heldByOperator[party] = nil }
            }
        case .product:
            let product = ProductID(id)
            if view == .productDrafted, let agreement = payload?.agreementID {
                products[product] = ProductSummary(
                    id: product,
                    agreement: agreement,
                    operatorParty: payload?.operatorID ?? PartyID("unknown"),
                    name: payload?.product?.name ?? "",
                    state: to,
                    pricePlan: nil
                )
                productsByAgreement[agreement, default: []].insert(product)
            }
            if view == .productPublished, let plan = payload?.pricePlan {
                products[product]?.pricePlan = plan
            }
            products[product]?.state = to
        case .scenario:
            if view == .scenarioApplied, let product = payload?.productID {
                scenariosByProduct[product, default: []].insert(ScenarioID(id))
            }
        case .registration:
            if view == .registrationApplied {
                for entry in payload?.catalogEntryIDs ?? [] {
                    registrationsByCatalogEntry[entry, default: []].insert(RegistrationID(id))
                }
            }
        case .objection:
            let objection = ObjectionID(id)
            if view == .objectionRaised, let provider = payload?.providerIDs?.first {
                objectionProvider[objection] = provider
            }
            if let provider = objectionProvider[objection] {
                objectionsByProvider[provider, default: [:]][objection] = to
            }
        default:
            break
        }
    }

    /// Applies a page read as runs of consecutive events (``page(of:after:limit:)``), in order.
    mutating func apply(_ runs: [ArraySlice<RecordedEvent>]) throws(WorkflowError) {
        for run in runs { try apply(run) }
    }

    /// Applies consecutive events of the global log in order, each read in place (not copied out of the run).
    private mutating func apply(_ run: ArraySlice<RecordedEvent>) throws(WorkflowError) {
        let failure: WorkflowError? = run.withUnsafeBufferPointer { events in
            guard let first = events.baseAddress else { return nil }
            for index in events.indices {
                // Each field is read through the pointer: only the four the projection reads are retained.
                let event = first + index
                do throws(WorkflowError) {
                    try apply(
                        at: event.pointee.globalPosition,
                        stream: event.pointee.streamID,
                        version: event.pointee.streamVersion,
                        type: event.pointee.type,
                        payload: event.pointee.payload
                    )
                } catch {
                    return error
                }
            }
            return nil
        }
        if let failure { throw failure }
    }

    /// The events after `position`, at most `limit`: read in place from an ``InMemoryEventStore`` (its appends'
    /// runs, no event copied), as one run from any other store.
    /// - Throws: ``WorkflowError`` (code `store`).
    static func page(
        of store: any EventStore,
        after position: Int64,
        limit: Int
    ) async throws(WorkflowError) -> (runs: [ArraySlice<RecordedEvent>], count: Int) {
        do {
            if let memory = store as? InMemoryEventStore {
                let runs = try await memory.readAllInPlace(after: position, limit: limit)
                return (runs, runs.reduce(0) { $0 + $1.count })
            }
            let events = try await store.readAll(after: position, limit: limit)
            return ([events[...]], events.count)
        } catch let error as EventStoreError {
            throw WorkflowError(code: .store, message: error.message, storeError: error)
        } catch {
            throw WorkflowError(code: .store, message: "\(error)")
        }
    }

    /// Rebuilds the projection from position 0 by reading the whole global log.
    /// - Parameters:
    ///   - store: The store.
    ///   - pageSize: Events read per page.
    /// - Returns: The projection at the store's head.
    /// - Throws: ``WorkflowError`` (code `store`).
    public static func rebuild(
        from store: any EventStore,
        pageSize: Int = 4096
    ) async throws(WorkflowError)
        -> WorkflowProjection
    {
        var projection = WorkflowProjection()
        try await projection.catchUp(with: store, pageSize: pageSize)
        return projection
    }

    /// Applies every event after ``position``.
    /// - Parameters:
    ///   - store: The store.
    ///   - pageSize: Events read per page.
    /// - Throws: ``WorkflowError`` (code `store`).
    public mutating func catchUp(with store: any EventStore, pageSize: Int = 4096) async throws(WorkflowError) {
        while true {
            let page = try await Self.page(of: store, after: position, limit: pageSize)
            try apply(page.runs)
            if page.count < pageSize { return }
        }
    }
}

/// Keeps a ``WorkflowProjection`` caught up with a store; the engine's scheduler and exit procedure use it.
public actor ProjectionRunner {
    private let store: any EventStore
    private var projection = WorkflowProjection()

    /// Creates a runner at position 0.
    public init(store: any EventStore) {
        self.store = store
    }

    /// Applies every new event and returns the projection.
    /// - Throws: ``WorkflowError`` (code `store`).
    @discardableResult
    public func catchUp() async throws(WorkflowError) -> WorkflowProjection {
        while true {
            let after = projection.position
            let page = try await WorkflowProjection.page(of: store, after: after, limit: 4096)
            // Another caller may have applied events while this one waited for the store.
            guard projection.position == after else { continue }
            try projection.apply(page.runs)
            if page.count < 4096 { return projection }
        }
    }

    func dueDeadlines(at instant: Date) async throws(WorkflowError) -> [ScheduledDeadline] {
        try await catchUp()
        return projection.deadlines(dueAt: instant)
    }

    func exitTargets(
        _ agreement: AgreementID
    ) async throws(WorkflowError) -> (
        requests: [StreamID], products: [StreamID]
    ) {
        try await catchUp()
        return projection.streams(of: agreement)
    }

    func registrationStreams(of entry: CatalogEntryID) async throws(WorkflowError) -> [StreamID] {
        try await catchUp()
        return projection.registrations(of: entry)
    }

    func scenarioStreams(of product: ProductID) async throws(WorkflowError) -> [StreamID] {
        try await catchUp()
        return projection.scenarios(of: product)
    }
}

extension WorkflowProjection {
    /// Whether a data request in `state` is a live grant (granted or provisioned).
    static func isLive(_ state: String) -> Bool {
        state == DataRequestProcess.State.granted.rawValue || state == DataRequestProcess.State.provisioned.rawValue
    }

    /// A submitted data request: its agreement, that agreement's operator and the items requested.
    struct RequestHolding: Sendable, Hashable {
        var agreement: AgreementID
        var operatorParty: PartyID?
        var items: [DataRequestItem]
    }

    /// What an operator's live grants hold of one catalog entry: how many items hold every field, and how many hold
    /// each named field (counts, so that a grant's end removes exactly what it added).
    struct HeldEntry: Sendable, Hashable {
        var items = 0
        var whole = 0
        var fields: [String: Int] = [:]

        static func add(_ item: DataRequestItem, to held: inout [CatalogEntryID: HeldEntry]) {
            held[item.entry, default: HeldEntry()].items += 1
            if item.requestedFields.isEmpty {
                held[item.entry]?.whole += 1
            } else {
                for field in item.requestedFields { held[item.entry]?.fields[field, default: 0] += 1 }
            }
        }

        static func remove(_ item: DataRequestItem, from held: inout [CatalogEntryID: HeldEntry]) {
            guard var entry = held[item.entry] else { return }
            entry.items -= 1
            if item.requestedFields.isEmpty {
                entry.whole -= 1
            } else {
                for field in item.requestedFields {
                    let count = (entry.fields[field] ?? 0) - 1
                    entry.fields[field] = count > 0 ? count : nil
                }
            }
            held[item.entry] = entry.items > 0 ? entry : nil
        }
    }
}

/// The few payload fields the projections read; decoding only these keeps replay fast.
///
/// A class: the replay reads several of its fields after decoding, and a struct this size (a price plan inline)
/// was copied, with a retain of every reference in it, at each read.
final class ProjectionFields: Decodable, Equatable {
    struct Named: Decodable, Equatable {
        var name: String
    }

    /// The items of a submitted data request.
    struct RequestedItems: Decodable, Equatable {
        var items: [DataRequestItem]?
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case operatorID, agreementID, productID, catalogEntryIDs, product, pricePlan, providerIDs, deadlines, request
    }

    var operatorID: PartyID?
    var agreementID: AgreementID?
    var productID: ProductID?
    var catalogEntryIDs: [CatalogEntryID]?
    var product: Named?
    var pricePlan: PricePlan?
    var providerIDs: [PartyID]?
    var deadlines: [ScheduledDeadline]?
    var request: RequestedItems?

    static func == (lhs: ProjectionFields, rhs: ProjectionFields) -> Bool {
        lhs.operatorID == rhs.operatorID && lhs.agreementID == rhs.agreementID && lhs.productID == rhs.productID
            && lhs.catalogEntryIDs == rhs.catalogEntryIDs && lhs.product == rhs.product
            && lhs.pricePlan == rhs.pricePlan && lhs.providerIDs == rhs.providerIDs && lhs.deadlines == rhs.deadlines
            && lhs.request == rhs.request
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        operatorID = try container.decodeIfPresent(PartyID.self, forKey: .operatorID)
        agreementID = try container.decodeIfPresent(AgreementID.self, forKey: .agreementID)
        productID = try container.decodeIfPresent(ProductID.self, forKey: .productID)
        catalogEntryIDs = try container.decodeIfPresent([CatalogEntryID].self, forKey: .catalogEntryIDs)
        product = try container.decodeIfPresent(Named.self, forKey: .product)
        pricePlan = try container.decodeIfPresent(PricePlan.self, forKey: .pricePlan)
        providerIDs = try container.decodeIfPresent([PartyID].self, forKey: .providerIDs)
        deadlines = try container.decodeIfPresent([ScheduledDeadline].self, forKey: .deadlines)
        // Only a submitted data request carries `request` as an object with items; elsewhere the key may name an id.
        request = try? container.decodeIfPresent(RequestedItems.self, forKey: .request)
    }

    /// The members read, in the order of ``CodingKeys``: a member's position there is its index in the reader.
    private static let order = CodingKeys.allCases
    private static let keys = FastJSONObject.Keys(order.map(\.stringValue))

    /// The fields read in one pass over the payload's members, or `nil` when the fast reader cannot vouch for them
    /// (the caller then decodes with ``init(from:)``, whose value or error is the answer).
    static func fast(_ payload: Data) -> ProjectionFields? {
        FastJSONObject.reading(payload, keys: keys) { object in object.flatMap(fields(of:)) }
    }

    /// The fields of a parsed payload, or `nil` (see ``fast(_:)``).
    private static func fields(of object: FastJSONObject) -> ProjectionFields? {
        let fields = ProjectionFields()
        func slot(_ key: CodingKeys) -> Int { order.firstIndex(of: key)! }
        func identifier<Tag>(_ key: CodingKeys) -> Identifier<Tag>?? {
            if object.isAbsent(slot(key)) { return .some(nil) }
            guard let text = object.string(slot(key)), let id = try? Identifier<Tag>.validated(text) else { return nil }
            return .some(id)
        }
        func identifiers<Tag>(_ key: CodingKeys) -> [Identifier<Tag>]?? {
            if object.isAbsent(slot(key)) { return .some(nil) }
            guard let texts = object.strings(slot(key)) else { return nil }
            var ids: [Identifier<Tag>] = []
            ids.reserveCapacity(texts.count)
            for text in texts {
                guard let id = try? Identifier<Tag>.validated(text) else { return nil }
                ids.append(id)
            }
            return .some(ids)
        }
        func value<T: Decodable>(_ type: T.Type, _ key: CodingKeys) -> T?? {
            if object.isAbsent(slot(key)) { return .some(nil) }
            return object.decode(type, slot(key)).map { .some($0) }
        }
        guard let operatorID: PartyID? = identifier(.operatorID),
            let agreementID: AgreementID? = identifier(.agreementID),
            let productID: ProductID? = identifier(.productID),
            let catalogEntryIDs: [CatalogEntryID]? = identifiers(.catalogEntryIDs),
            let product = value(Named.self, .product), let pricePlan = value(PricePlan.self, .pricePlan),
            let providerIDs: [PartyID]? = identifiers(.providerIDs),
            let deadlines = value([ScheduledDeadline].self, .deadlines)
        else { return nil }
        fields.operatorID = operatorID
        fields.agreementID = agreementID
        fields.productID = productID
        fields.catalogEntryIDs = catalogEntryIDs
        fields.product = product
        fields.pricePlan = pricePlan
        fields.providerIDs = providerIDs
        fields.deadlines = deadlines
        // `request` is read only as an object with items (as `init(from:)` does with `try?`).
        if object.isObject(slot(.request)) {
            guard let request = object.decode(RequestedItems.self, slot(.request)) else { return nil }
            fields.request = request
        }
        return fields
    }

    private init() {}
}

/// Values by name, found by the name's UTF-8 bytes: a hash of its length and its first and last eight bytes picks a
/// slot, and the whole name is compared there. For a few hundred short names fixed when the program starts (the
/// projection's plans by event type), where `String`'s hash (SipHash) cost several percent of a replay.
struct NameTable<Value: Sendable>: Sendable {
    private let names: [[UInt8]]
    private let values: [Value]
    /// Index + 1 into `names` and `values`; 0 marks an empty slot. Open addressing, linear probing.
    private let slots: [Int32]

    init(_ entries: [(String, Value)]) {
        var size = 16
        while size < entries.count * 4 { size *= 2 }
        var slots = [Int32](repeating: 0, count: size)
        var names: [[UInt8]] = []
        var values: [Value] = []
        for (name, value) in entries {
            let bytes = Array(name.utf8)
            precondition(!names.contains(bytes), "\(name) is named twice")
            var slot = bytes.withUnsafeBufferPointer { Self.hash(UnsafeRawBufferPointer($0)) } & (size - 1)
            while slots[slot] != 0 { slot = (slot + 1) & (size - 1) }
            names.append(bytes)
            values.append(value)
            slots[slot] = Int32(names.count)
        }
        self.names = names
        self.values = values
        self.slots = slots
    }

    /// The value named `name`, if any.
    @inline(__always)
    subscript(name: String) -> Value? {
        if let found = name.utf8.withContiguousStorageIfAvailable({ find(UnsafeRawBufferPointer($0)) }) {
            return found
        }
        var copy = name
        return copy.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    private func find(_ bytes: UnsafeRawBufferPointer) -> Value? {
        let mask = slots.count - 1
        var slot = Self.hash(bytes) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { return nil }
            let same = names[entry - 1].withUnsafeBytes { name in
                name.count == bytes.count
                    && (bytes.isEmpty || memcmp(name.baseAddress!, bytes.baseAddress!, bytes.count) == 0)
            }
            if same { return values[entry - 1] }
            slot = (slot + 1) & mask
        }
    }

    /// Mixes the length with the first and the last eight bytes (fewer when the name is shorter).
    @inline(__always)
    private static func hash(_ bytes: UnsafeRawBufferPointer) -> Int {
        let count = bytes.count
        var head: UInt64 = 0
        var tail: UInt64 = 0
        if count >= 8 {
            head = bytes.loadUnaligned(fromByteOffset: 0, as: UInt64.self)
            tail = bytes.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
        } else {
            for index in 0..<count { head |= UInt64(bytes[index]) << (UInt64(index) * 8) }
        }
        let mixed = (head ^ UInt64(count) &* 0x9E37_79B9_7F4A_7C15).multipliedFullWidth(
            by: tail ^ 0xA076_1D64_78BD_642F
        )
        return Int(truncatingIfNeeded: (mixed.high ^ mixed.low) >> 7)
    }
}
