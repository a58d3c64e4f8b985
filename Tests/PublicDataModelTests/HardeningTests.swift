import Foundation
import PublicDataModel
import PublicDataTesting
import Testing

/// Issue 19: extreme numbers and hostile identifiers give typed errors or exact answers, never a trap.
@Suite struct InstantArithmeticTests {
    @Test(arguments: [Int64.min, .min + 1, -62_135_596_800_001, -1, 0, 1 << 53, 253_402_300_800_000, .max])
    func formatInstantIsTotal(milliseconds: Int64) {
        // Used to trap with an arithmetic overflow near Int64.min.
        let text = PublicDataJSON.formatInstant(Date(millisecondsSince1970: milliseconds))
        #expect(text.hasSuffix("Z"))
        #expect(text.count >= 24)
    }

    @Test func formatInstantNearInt64MinNamesTheProlepticYear() {
        #expect(PublicDataJSON.formatInstant(Date(millisecondsSince1970: .min)).hasPrefix("-292275055-05-16T16:47:04"))
    }

    @Test(arguments: [
        (PublicDataJSON.earliestInstantMilliseconds, "0001-01-01T00:00:00.000Z"),
        (PublicDataJSON.latestInstantMilliseconds, "9999-12-31T23:59:59.999Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (0, "1970-01-01T00:00:00.000Z"),
    ])
    func boundaryInstantsRoundTrip(milliseconds: Int64, text: String) throws {
        let date = Date(millisecondsSince1970: milliseconds)
        #expect(PublicDataJSON.formatInstant(date) == text)
        #expect(PublicDataJSON.parseInstant(text)?.millisecondsSince1970 == milliseconds)
        let data = try PublicDataJSON.encode([date])
        #expect(try PublicDataJSON.decode([Date].self, from: data) == [date])
    }

    @Test(arguments: [
        Int64.min, PublicDataJSON.earliestInstantMilliseconds - 1, PublicDataJSON.latestInstantMilliseconds + 1, .max,
    ])
    func encoderRefusesInstantsItCouldNotReadBack(milliseconds: Int64) {
        #expect(throws: EncodingError.self) { try PublicDataJSON.encode([Date(millisecondsSince1970: milliseconds)]) }
    }

    @Test func nonFiniteDatesDoNotTrap() {
        #expect(Date(timeIntervalSince1970: .nan).millisecondsSince1970 == 0)
        #expect(Date(timeIntervalSince1970: .infinity).millisecondsSince1970 == .max)
        #expect(Date(timeIntervalSince1970: -.infinity).millisecondsSince1970 == .min)
        #expect(throws: EncodingError.self) { try PublicDataJSON.encode([Date(timeIntervalSince1970: .nan)]) }
        let calendar = StandardWorkingDayCalendar(timeZoneIdentifier: "UTC")
        for seconds in [Double.nan, .infinity, -.infinity, 1e300, -1e300] {
            _ = calendar.civilDate(of: Date(timeIntervalSince1970: seconds))
        }
    }

    @Test func civilDateArithmeticSaturatesInsteadOfTrapping() throws {
        let day = try #require(CivilDate("2026-06-01"))
        #expect(day.adding(years: .max) == nil)
        #expect(day.adding(years: .min) == nil)
        #expect(day.adding(days: .max) == CivilDate(daysSinceEpoch: CivilDate.daysSinceEpochBound))
        #expect(day.adding(days: .min) == CivilDate(daysSinceEpoch: -CivilDate.daysSinceEpochBound))
        #expect(CivilDate(daysSinceEpoch: .max) == CivilDate(daysSinceEpoch: CivilDate.daysSinceEpochBound))
        #expect(CivilDate(daysSinceEpoch: .min).daysSinceEpoch == -CivilDate.daysSinceEpochBound)
        #expect(day.adding(days: 30) == CivilDate("2026-07-01"))
    }

    @Test func parseInstantRefusesOverlongAndGarbageText() {
        for text in [
            "2026-03-31T16:00:00.0000000000000000000000000001Z", "9999-12-31T23:59:59.999-99:99",
            "0000-01-01T00:00:00Z",
            "2026-03-31T16:00:00.Z", "2026-03-31T16:00:00", String(repeating: "9", count: 40),
        ] {
            let parsed = PublicDataJSON.parseInstant(text)
            if let parsed { #expect(parsed.timeIntervalSince1970.isFinite) }
        }
        #expect(PublicDataJSON.parseInstant("0000-01-01T00:00:00Z") == nil)
    }
}

@Suite struct IdentifierRulesTests {
    static let refused: [(String, String)] = [
        ("", "empty"),
        ("evt\u{0}one", "U+0000"),
        ("req-9\u{0}shadow", "U+0000"),
        ("tab\tid", "U+0009"),
        ("line\nbreak", "U+000A"),
        ("del\u{7F}", "U+007F"),
        ("c1\u{85}", "U+0085"),
        ("\u{202E}evil", "U+202E"),
        ("zero\u{200B}width", "U+200B"),
        ("bom\u{FEFF}", "U+FEFF"),
        ("sep\u{2028}x", "U+2028"),
        ("private\u{E000}", "U+E000"),
        ("non\u{FFFF}char", "U+FFFF"),
        (" leading", "white space"),
        ("trailing ", "white space"),
        ("ideographic\u{3000}", "white space"),
        ("e\u{301}-decomposed", "NFC"),
        (String(repeating: "p", count: 129), "129 UTF-8 bytes"),
        (String(repeating: "数", count: 43), "129 UTF-8 bytes"),
    ]

    @Test(arguments: refused)
    func hostileIdentifiersAreRefusedAtDecoding(text: String, reason: String) throws {
        let json = try PublicDataJSON.encode(["plan": text])
        let error = #expect(throws: ModelDecodingError.self) {
            _ = try PublicDataJSON.decode([String: PlanID].self, from: json)
        }
        #expect(error?.path == "$.plan")
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
        let validation = #expect(throws: IdentifierError.self) { try PlanID.validated(text) }
        #expect(validation?.kind == "ImplementationPlan")
        #expect(validation?.text == text)
        #expect(!PlanID(text).isValid)
    }

    @Test(arguments: [
        "plan-finance-2026", "流-数据-✓", "包裹📦", "é-precomposed", "with inner space", "a",
        String(repeating: "p", count: 128), String(repeating: "数", count: 42) + "xy",
    ])
    func ordinaryIdentifiersAreAccepted(text: String) throws {
        let json = try PublicDataJSON.encode(["plan": text])
        #expect(try PublicDataJSON.decode([String: PlanID].self, from: json) == ["plan": PlanID(text)])
        try PlanID(text).validate()
        #expect(PlanID(text).isValid)
    }

    @Test func maximumLengthsDependOnTheKindOfIdentifier() throws {
        #expect(PlanID.maximumUTF8Length == 128)
        #expect(PartyID.maximumUTF8Length == 128)
        #expect(StreamID.maximumUTF8Length == 256)
        #expect(EventID.maximumUTF8Length == 1024)
        try StreamID(String(repeating: "s", count: 256)).validate()
        #expect(throws: IdentifierError.self) { try StreamID(String(repeating: "s", count: 257)).validate() }
        try EventID(String(repeating: "e", count: 1024)).validate()
        #expect(throws: IdentifierError.self) { try EventID(String(repeating: "e", count: 1025)).validate() }
    }

    @Test func errorDescriptionEscapesTheText() {
        let error = IdentifierError(kind: "ImplementationPlan", text: "a\u{0}b", reason: "x")
        #expect(error.description == #"invalid ImplementationPlan identifier "a\0b": x"#)
    }

    @Test func storesRefuseHostileIdentifiersBeforeWriting() async throws {
        let store = InMemoryEventStore()
        let event = ProposedEvent(id: "evt\u{0}one", type: "t", occurredAt: Date(), actor: nil, payload: Data())
        let error = await #expect(throws: EventStoreError.self) {
            _ = try await store.append([event], to: "s", expectedVersion: .any)
        }
        #expect(error?.code == .invalidArgument)
        #expect(error?.message.contains("U+0000") == true)
        #expect(await store.headPosition() == 0)
    }

    @Test func conformanceSuiteCatchesAStoreThatTruncatesAtNUL() async {
        let failures = await EventStoreConformance.check { CStringStore() }
        #expect(failures.contains { $0.hasPrefix("identifiers") }, "\(failures)")
    }
}

/// A deliberately broken store with C-string semantics: every id is cut at its first NUL and nothing is checked.
private actor CStringStore: EventStore {
    let inner = InMemoryEventStore()

    private static func cut(_ text: String) -> String { String(text.prefix { $0 != "\u{0}" }) }

    func append(
        _ events: [ProposedEvent],
        to stream: StreamID,
        expectedVersion: ExpectedVersion
    ) async throws -> AppendResult {
        let cutEvents = events.map { event -> ProposedEvent in
            var copy = event
            copy.id = EventID(Self.cut(event.id.rawValue).isEmpty ? "x" : Self.cut(event.id.rawValue))
            return copy
        }
        let cutStream = Self.cut(stream.rawValue)
        return try await inner.append(
            cutEvents,
            to: StreamID(cutStream.isEmpty ? "x" : cutStream),
            expectedVersion: expectedVersion
        )
    }

    func readStream(_ stream: StreamID, fromVersion: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await inner.readStream(StreamID(Self.cut(stream.rawValue)), fromVersion: fromVersion, limit: limit)
    }

    func readAll(after position: Int64, limit: Int) async throws -> [RecordedEvent] {
        try await inner.readAll(after: position, limit: limit)
    }

    func streamVersion(_ stream: StreamID) async throws -> Int64 {
        await inner.streamVersion(StreamID(Self.cut(stream.rawValue)))
    }

    func headPosition() async throws -> Int64 { await inner.headPosition() }

    func loadCursor(_ name: String) async throws -> Int64? { await inner.loadCursor(Self.cut(name)) }

    func saveCursor(_ name: String, position: Int64) async throws {
        try await inner.saveCursor(Self.cut(name), position: position)
    }
}
