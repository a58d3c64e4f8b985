import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// Art. 33 ¶1, 87号 §4(2): the data administration evaluates each department's data supply; the scorecards are
/// counted from the log.
struct ScorecardTests {
    static let year2026 = (
        from: CivilDate(year: 2026, month: 1, day: 1)!, through: CivilDate(year: 2026, month: 12, day: 31)!
    )

    @Test func scorecardsMatchCountsTakenFromTheLogByHand() async throws {
        let world = World()
        try await world.run(Scripts.lifecycle)
        try await world.run(
            .industryDepartment,
            .catalog(.changeCatalogEntry(entry: Samples.renamedOpenEntry, reason: "name corrected"))
        )
        let cards = try await world.engine.departmentScorecards(
            from: Self.year2026.from,
            through: Self.year2026.through
        )
        let log = try await world.log()
        func count(_ type: String) -> Int { log.filter { $0.type == type }.count }

        let department = try #require(cards.first { $0.department == Parties.department })
        #expect(department.entriesPublished == count("catalog.entryPublished"))
        #expect(department.entriesPublished == 3)
        #expect(department.entriesChanged == 1)
        #expect(department.feedbackEntriesReceived == count("catalog.feedbackEntryPublished"))
        #expect(department.coReviewsRequested == count("dataRequest.coReviewRequested"))
        #expect(department.coReviewsAnswered == count("dataRequest.coReviewApproved"))
        #expect(department.coReviewsRequested == 1 && department.coReviewsAnswered == 1)
        let provider = try #require(cards.first { $0.department == Parties.provider })
        #expect(provider.objectionsReceived == count("objection.raised"))
        #expect(provider.objectionsAnswered == count("objection.fedBack"))
        #expect(provider.corrections == count("objection.corrected"))
        #expect(provider.objectionsReceived == 1 && provider.corrections == 1)
        #expect(Set(cards.map(\.department)) == [Parties.department, Parties.provider])

        // Another period counts nothing.
        let next = try await world.engine.departmentScorecards(
            from: CivilDate(year: 2030, month: 1, day: 1)!,
            through: CivilDate(year: 2030, month: 12, day: 31)!
        )
        #expect(next.isEmpty)

        // Exportable: JSON round trip and one Markdown row per department.
        let json = try JSONEncoder().encode(cards)
        #expect(try JSONDecoder().decode([DepartmentScorecard].self, from: json) == cards)
        let markdown = DepartmentScorecards.markdown(cards)
        #expect(markdown.contains("| dept-finance | 3 | 1 | 0 | 1 | 1 | 1 | 0 |"))
        #expect(markdown.split(separator: "\n").count == 2 + cards.count)
    }

    @Test func responseTimesPairEachAnswerWithItsRequest() async throws {
        let world = World()
        let steps = Scripts.toPublishedProduct
        let coReview = try #require(
            steps.firstIndex {
                if case .run(let command, _) = $0, command.name == .dataRequest(.coReviewDataRequest) { return true }
                return false
            }
        )
        try await world.run(Array(steps[..<coReview]))
        world.clock.advance(bySeconds: 26 * 3600)
        try await world.run(Array(steps[coReview...coReview]))
        try await world.run(.operator, .objection(.raiseObjection(objection: Samples.objection)))
        try await world.run(.dataAdministration, .objection(.acceptObjection(objection: "obj-1")))
        try await world.run(.dataProvider, .objection(.startVerification(objection: "obj-1")))
        world.clock.advance(bySeconds: 5 * 3600)
        try await world.run(.dataProvider, .objection(.feedBackObjection(objection: "obj-1", finding: "stale")))
        let cards = try await world.engine.departmentScorecards(
            from: Self.year2026.from,
            through: Self.year2026.through
        )
        #expect(cards.first { $0.department == Parties.department }?.meanCoReviewHours == 26)
        #expect(cards.first { $0.department == Parties.provider }?.meanObjectionResponseHours == 5)
    }
}
