import Foundation
import PublicDataModel

/// A deadline opened by an event: when it falls due and which stream it belongs to.
public struct ScheduledDeadline: Codable, Sendable, Hashable, Comparable {
    /// The deadline's key within its process (e.g. `"response"`).
    public var key: String
    /// The stream it belongs to.
    public var stream: StreamID
    /// The instant from which it is due (the scheduler fires it at or after this instant).
    public var dueAt: Date
    /// The last day to act, as shown to people.
    public var dueDay: CivilDate
    /// The version of the stream when it was opened (part of the firing event's id).
    public var openedAtVersion: Int64

    /// Creates a deadline.
    public init(key: String, stream: StreamID, dueAt: Date, dueDay: CivilDate, openedAtVersion: Int64) {
        self.key = key
        self.stream = stream
        self.dueAt = Date(millisecondsSince1970: dueAt.millisecondsSince1970)
        self.dueDay = dueDay
        self.openedAtVersion = openedAtVersion
    }

    /// Orders deadlines by due instant, then stream, then key (the scheduler's firing order).
    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.dueAt, lhs.stream, lhs.key) < (rhs.dueAt, rhs.stream, rhs.key)
    }

    /// The id of the event that fires this deadline; the same on every engine instance.
    public var firingEventID: EventID {
        EventID("deadline:\(stream):\(key):\(openedAtVersion)")
    }
}

/// A notification the engine resolved when it recorded an event; the outbox delivers it.
public struct NotificationTarget: Codable, Sendable, Hashable {
    /// The party to notify.
    public var party: PartyID
    /// The role in which it must act.
    public var role: Role
    /// The kind: the event type, e.g. `"objection.accepted"`.
    public var kind: String
    /// A line a person reads.
    public var subject: String
    /// The last day to act, if any.
    public var due: CivilDate?

    /// Creates a target.
    public init(party: PartyID, role: Role, kind: String, subject: String, due: CivilDate? = nil) {
        self.party = party
        self.role = role
        self.kind = kind
        self.subject = subject
        self.due = due
    }
}
