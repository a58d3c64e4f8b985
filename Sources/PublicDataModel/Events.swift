import Foundation

/// Tag type for ``StreamID``.
public enum EventStreamTag: Sendable {}
/// Tag type for ``EventID``.
public enum EventTag: Sendable {}

/// Identifies an event stream: the history of one aggregate, e.g. `"agreement-agr-001"`.
public typealias StreamID = Identifier<EventStreamTag>
/// Identifies one event, globally; a retried append with the same id is stored once.
public typealias EventID = Identifier<EventTag>

/// Context carried with every event: how it relates to other events and which policy decided it.
public struct EventMetadata: Codable, Sendable, Hashable {
    /// Groups the events caused by one business request (e.g. a portal request id).
    public var correlationID: String?
    /// The event (or command) that directly caused this one.
    public var causationID: String?
    /// `policyID@version` of the policy that decided the command, when a policy was evaluated.
    public var policyVersion: String?

    /// Creates metadata.
    public init(correlationID: String? = nil, causationID: String? = nil, policyVersion: String? = nil) {
        self.correlationID = correlationID
        self.causationID = causationID
        self.policyVersion = policyVersion
    }
}

/// An event a command wants to record; the store assigns its stream version and global position.
///
/// `occurredAt` is kept to whole milliseconds so that the instant survives any store and any encoding
/// unchanged (the audit ledger hashes it).
public struct ProposedEvent: Sendable, Hashable {
    /// The event's identifier (a retried append with the same ids is stored once).
    public var id: EventID
    /// The event type, e.g. `"agreement.signed"`.
    public var type: String
    /// When it happened, per the injected clock, truncated to milliseconds.
    public var occurredAt: Date
    /// Who did it; `nil` only for system events (e.g. a deadline firing).
    public var actor: Principal?
    /// The event's payload, a JSON document.
    public var payload: Data
    /// Correlation, causation and policy version.
    public var metadata: EventMetadata

    /// Creates a proposed event.
    public init(
        id: EventID,
        type: String,
        occurredAt: Date,
        actor: Principal?,
        payload: Data,
        metadata: EventMetadata = EventMetadata()
    ) {
        self.id = id
        self.type = type
        self.occurredAt = Date(millisecondsSince1970: occurredAt.millisecondsSince1970)
        self.actor = actor
        self.payload = payload
        self.metadata = metadata
    }

    /// Creates a proposed event whose payload is `value` encoded with ``PublicDataJSON``.
    /// - Throws: `EncodingError` when the payload cannot be encoded.
    public init(
        id: EventID,
        type: String,
        occurredAt: Date,
        actor: Principal?,
        encoding value: some Encodable,
        metadata: EventMetadata = EventMetadata()
    ) throws {
        self.init(
            id: id,
            type: type,
            occurredAt: occurredAt,
            actor: actor,
            payload: try PublicDataJSON.encode(value),
            metadata: metadata
        )
    }
}

/// An event as the store recorded it: the shared envelope every layer reads.
public struct RecordedEvent: Codable, Sendable, Hashable {
    /// The event's identifier.
    public var id: EventID
    /// The stream it belongs to.
    public var streamID: StreamID
    /// Its version within the stream: 1 for the first event, then consecutive.
    public var streamVersion: Int64
    /// Its position in the global log, assigned by the store: strictly increasing in commit order.
    public var globalPosition: Int64
    /// The event type, e.g. `"agreement.signed"`.
    public var type: String
    /// When it happened (milliseconds precision).
    public var occurredAt: Date
    /// Who did it.
    public var actor: Principal?
    /// The JSON payload.
    public var payload: Data
    /// Correlation, causation and policy version.
    public var metadata: EventMetadata

    /// Creates a recorded event (stores and tests use this; hosts append ``ProposedEvent``s).
    public init(
        id: EventID,
        streamID: StreamID,
        streamVersion: Int64,
        globalPosition: Int64,
        type: String,
        occurredAt: Date,
        actor: Principal?,
        payload: Data,
        metadata: EventMetadata
    ) {
        self.id = id
        self.streamID = streamID
        self.streamVersion = streamVersion
        self.globalPosition = globalPosition
        self.type = type
        self.occurredAt = Date(millisecondsSince1970: occurredAt.millisecondsSince1970)
        self.actor = actor
        self.payload = payload
        self.metadata = metadata
    }

    /// Creates a record from a proposed event whose instant is already whole milliseconds (no re-rounding).
    init(_ event: ProposedEvent, stream: StreamID, version: Int64, position: Int64) {
        self.id = event.id
        self.streamID = stream
        self.streamVersion = version
        self.globalPosition = position
        self.type = event.type
        self.occurredAt = event.occurredAt
        self.actor = event.actor
        self.payload = event.payload
        self.metadata = event.metadata
    }

    /// Decodes the payload as `type` with ``PublicDataJSON``.
    /// - Throws: ``ModelDecodingError`` naming the coding path of the first problem.
    public func decodePayload<T: Decodable>(_ type: T.Type) throws(ModelDecodingError) -> T {
        try PublicDataJSON.decode(type, from: payload)
    }

    /// The proposed event this record was made from (same id, type, time, actor, payload, metadata).
    public var proposed: ProposedEvent {
        ProposedEvent(id: id, type: type, occurredAt: occurredAt, actor: actor, payload: payload, metadata: metadata)
    }
}

extension Date {
    /// Milliseconds since 1970-01-01T00:00:00Z, rounded to the nearest millisecond; saturates at `Int64.min`
    /// and `Int64.max` for instants beyond them, and is 0 for a `Date` whose interval is not a number.
    public var millisecondsSince1970: Int64 {
        let value = (timeIntervalSince1970 * 1000).rounded()
        if value.isNaN { return 0 }
        if value >= Double(Int64.max) { return .max }
        if value <= Double(Int64.min) { return .min }
        return Int64(value)
    }

    /// The instant `milliseconds` after 1970-01-01T00:00:00Z.
    public init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
