import Foundation
import PublicDataModel

/// One department's data supply in one period, counted from the log (Art. 33 ¶1: 定期对各部门的数据供给进行评估;
/// 87号 §4(2): data sharing and quality feedback count in the city's assessment).
///
/// Every count is of events whose `occurredAt` falls on a day of the period (in the calendar's time zone); a
/// response time pairs an answer in the period with its request, whenever that was.
public struct DepartmentScorecard: Codable, Sendable, Hashable {
    /// The department (or data provider).
    public var department: PartyID
    /// The first day of the period.
    public var from: CivilDate
    /// The last day of the period.
    public var through: CivilDate
    /// Catalog entries it published (`catalog.entryPublished`).
    public var entriesPublished: Int = 0
    /// New versions of its entries (`catalog.entryChanged`).
    public var entriesChanged: Int = 0
    /// Its entries retired (`catalog.entryRetired`).
    public var entriesRetired: Int = 0
    /// Entries accepted into its catalog from operators' feedback (`catalog.feedbackEntryPublished`, 数据反哺).
    public var feedbackEntriesReceived: Int = 0
    /// Co-reviews requested of it (`dataRequest.coReviewRequested` naming it).
    public var coReviewsRequested: Int = 0
    /// Co-reviews it answered (approved, partly approved or rejected by it).
    public var coReviewsAnswered: Int = 0
    /// Co-reviews it rejected.
    public var coReviewsRejected: Int = 0
    /// The mean hours from a co-review request to its answer, over the answers in the period.
    public var meanCoReviewHours: Double?
    /// Quality objections raised against its data (`objection.raised` naming it as a provider).
    public var objectionsReceived: Int = 0
    /// Objections it answered (`objection.fedBack`, or `objection.partlyFedBack` when several providers answer).
    public var objectionsAnswered: Int = 0
    /// The mean hours from an objection being raised to its answer, over the answers in the period.
    public var meanObjectionResponseHours: Double?
    /// Objections escalated because its answer was late (`objection.escalated` while it had not answered).
    public var objectionsEscalated: Int = 0
    /// Corrections it made (`objection.corrected`).
    public var corrections: Int = 0

    /// Creates an empty scorecard.
    public init(department: PartyID, from: CivilDate, through: CivilDate) {
        self.department = department
        self.from = from
        self.through = through
    }
}

/// Department scorecards computed from the log: a pure fold, exportable as JSON (`Codable`) and Markdown.
public enum DepartmentScorecards {
    /// Computes every department's scorecard for the days `from` through `through` from `events` (the global log,
    /// in order), with days in `calendar`'s time zone. Departments with nothing in the period are left out.
    /// - Throws: ``WorkflowError`` (`corruptEvent`) for a payload whose trace keys cannot be read.
    public static func compute(
        _ events: [RecordedEvent],
        from: CivilDate,
        through: CivilDate,
        calendar: any WorkingDayCalendar
    ) throws(WorkflowError) -> [DepartmentScorecard] {
        var cards: [PartyID: DepartmentScorecard] = [:]
        var coReviewAsked: [StreamID: Date] = [:]
        var objectionRaised: [StreamID: Date] = [:]
        var objectionAnswered: [StreamID: Set<PartyID>] = [:]
        var coReviewHours: [PartyID: [Double]] = [:]
        var objectionHours: [PartyID: [Double]] = [:]
        func card(_ party: PartyID, _ change: (inout DepartmentScorecard) -> Void) {
            change(&cards[party, default: DepartmentScorecard(department: party, from: from, through: through)])
        }
        for event in events {
            let day = calendar.civilDate(of: event.occurredAt)
            let inPeriod = from <= day && day <= through
            let trace: TraceKeys
            switch event.type {
            case "dataRequest.coReviewRequested":
                coReviewAsked[event.streamID] = event.occurredAt
            case "objection.raised":
                objectionRaised[event.streamID] = event.occurredAt
            default:
                break
            }
            // Who has answered before this event (an escalation counts only against the providers still owing).
            let answeredBefore = objectionAnswered[event.streamID] ?? []
            if event.type == "objection.fedBack" || event.type == "objection.partlyFedBack",
                let party = event.actor?.party
            {
                objectionAnswered[event.streamID, default: []].insert(party)
            }
            guard inPeriod, Self.types.contains(event.type) else { continue }
            do {
                trace = try event.decodePayload(TraceKeys.self)
            } catch {
                throw WorkflowError(
                    code: .corruptEvent,
                    message: "\(event.streamID)@\(event.streamVersion) (\(event.type)): \(error)",
                    stream: event.streamID
                )
            }
            let departments = trace.departmentIDs ?? []
            let providers = trace.providerIDs ?? []
            let actor = event.actor?.party
            switch event.type {
            case "catalog.entryPublished": for party in departments { card(party) { $0.entriesPublished += 1 } }
            case "catalog.entryChanged": for party in departments { card(party) { $0.entriesChanged += 1 } }
            case "catalog.entryRetired": for party in departments { card(party) { $0.entriesRetired += 1 } }
            case "catalog.feedbackEntryPublished":
                for party in departments { card(party) { $0.feedbackEntriesReceived += 1 } }
            case "dataRequest.coReviewRequested":
                for party in departments { card(party) { $0.coReviewsRequested += 1 } }
            case "dataRequest.coReviewApproved", "dataRequest.coReviewPartlyApproved", "dataRequest.coReviewRejected":
                guard let actor else { continue }
                card(actor) {
                    $0.coReviewsAnswered += 1
                    if event.type == "dataRequest.coReviewRejected" { $0.coReviewsRejected += 1 }
                }
                if let asked = coReviewAsked[event.streamID] {
                    coReviewHours[actor, default: []].append(event.occurredAt.timeIntervalSince(asked) / 3600)
                }
            case "objection.raised": for party in providers { card(party) { $0.objectionsReceived += 1 } }
            case "objection.fedBack", "objection.partlyFedBack":
                let party = actor ?? providers.first
                guard let party else { continue }
                card(party) { $0.objectionsAnswered += 1 }
                if let raised = objectionRaised[event.streamID] {
                    objectionHours[party, default: []].append(event.occurredAt.timeIntervalSince(raised) / 3600)
                }
            case "objection.escalated":
                for party in providers where !answeredBefore.contains(party) {
                    card(party) { $0.objectionsEscalated += 1 }
                }
            case "objection.corrected":
                guard let party = actor ?? providers.first else { continue }
                card(party) { $0.corrections += 1 }
            default:
                break
            }
        }
        for (party, hours) in coReviewHours where !hours.isEmpty {
            card(party) { $0.meanCoReviewHours = hours.reduce(0, +) / Double(hours.count) }
        }
        for (party, hours) in objectionHours where !hours.isEmpty {
            card(party) { $0.meanObjectionResponseHours = hours.reduce(0, +) / Double(hours.count) }
        }
        return cards.values.sorted { $0.department < $1.department }
    }

    /// The scorecards as a Markdown table, one row per department.
    public static func markdown(_ cards: [DepartmentScorecard]) -> String {
        func hours(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "—" }
        var lines = [
            "| department | published | changed | retired | feedback entries | co-reviews requested | answered | "
                + "rejected | mean co-review hours | objections | answered | mean response hours | escalated | "
                + "corrections |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for card in cards {
            let cells: [String] = [
                card.department.rawValue, "\(card.entriesPublished)", "\(card.entriesChanged)",
                "\(card.entriesRetired)", "\(card.feedbackEntriesReceived)", "\(card.coReviewsRequested)",
                "\(card.coReviewsAnswered)", "\(card.coReviewsRejected)", hours(card.meanCoReviewHours),
                "\(card.objectionsReceived)", "\(card.objectionsAnswered)", hours(card.meanObjectionResponseHours),
                "\(card.objectionsEscalated)", "\(card.corrections)",
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static let types: Set<String> = [
        "catalog.entryPublished", "catalog.entryChanged", "catalog.entryRetired", "catalog.feedbackEntryPublished",
        "dataRequest.coReviewRequested", "dataRequest.coReviewApproved", "dataRequest.coReviewPartlyApproved",
        "dataRequest.coReviewRejected", "objection.raised", "objection.fedBack", "objection.partlyFedBack",
        "objection.escalated", "objection.corrected",
    ]
}

extension WorkflowEngine {
    /// Every department's scorecard for the days `from` through `through`, computed from the whole log
    /// (``DepartmentScorecards/compute(_:from:through:calendar:)``).
    ///
    /// ```swift
    /// let cards = try await engine.departmentScorecards(from: "2026-01-01", through: "2026-12-31")
    /// print(DepartmentScorecards.markdown(cards))
    /// ```
    /// - Throws: ``WorkflowError`` (`store`, `corruptEvent`).
    public func departmentScorecards(
        from: CivilDate,
        through: CivilDate
    ) async throws(WorkflowError) -> [DepartmentScorecard] {
        var events: [RecordedEvent] = []
        var position: Int64 = 0
        while true {
            let page = try await storeCall(nil) { try await store.readAll(after: position, limit: 4096) }
            events.append(contentsOf: page)
            guard let last = page.last, page.count == 4096 else { break }
            position = last.globalPosition
        }
        return try DepartmentScorecards.compute(events, from: from, through: through, calendar: calendar)
    }
}
