import Foundation
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

/// A host's view of the refusals: every script and every refusal of ``RefusalArticlesTests`` driven through
/// `PublicDataApplication.execute`, on the in-memory store and on SQLite. Each refusal names its articles and
/// leaves the log exactly as it was; each script runs to its end.
struct ApplicationRefusalTests {
    enum StoreKind: String, CaseIterable, Sendable {
        case memory
        case sqlite
    }

    /// An application on a fresh store of `kind` (a SQLite file in a folder of its own).
    struct Host {
        let store: any EventStore
        let clock: TestClock
        let application: PublicDataApplication

        init(_ kind: StoreKind) throws {
            switch kind {
            case .memory:
                store = InMemoryEventStore()
            case .sqlite:
                let folder = FileManager.default.temporaryDirectory
                    .appendingPathComponent("pdk-app-refusals-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                store = try SQLiteEventStore(path: folder.appendingPathComponent("log.sqlite").path)
            }
            clock = TestClock(now: testInstant("2026-03-02T01:00:00Z"))
            application = PublicDataApplication(
                store: store,
                sink: RecordingNotificationSink(),
                clock: clock,
                calendar: FixedWorkingDayCalendar(),
                policy: .beijingDefault,
                hasher: SM3Hasher(),
                authorities: Parties.directory
            )
        }

        func run(_ steps: [Step]) async throws {
            for step in steps {
                switch step {
                case .run(let command, let actor): try await application.execute(command, by: actor)
                case .advanceDays(let days):
                    clock.advance(byDays: days)
                    try await application.advanceDeadlines()
                }
            }
        }

        func log() async throws -> [RecordedEvent] { try await store.readAll(after: 0, pageSize: 1000) }
    }

    @Test(arguments: StoreKind.allCases)
    func everyScriptRunsThroughTheApplication(_ kind: StoreKind) async throws {
        for script in Scripts.all {
            let host = try Host(kind)
            try await host.run(script)
            let commands = script.filter {
                if case .run = $0 { return true }
                return false
            }
            #expect(try await host.store.headPosition() >= Int64(commands.count))
            #expect(try await host.application.tick().ledgeredEvents > 0)
        }
    }

    @Test(arguments: StoreKind.allCases, RefusalArticlesTests.refusals)
    func aRefusalThroughTheApplicationCitesItsArticles(
        _ kind: StoreKind,
        _ refusal: RefusalArticlesTests.Refusal
    ) async throws {
        let host = try Host(kind)
        try await host.run(refusal.steps)
        let log = try await host.log()
        let error = await expectRefusal(refusal.code) {
            try await host.application.execute(refusal.command, by: refusal.actor)
        }
        #expect(error?.articles.contains(refusal.article) == true, "\(refusal.label): \(String(describing: error))")
        if let rule = refusal.rule {
            #expect(error?.decision?.firedRules.contains(rule) == true, "\(refusal.label)")
        }
        #expect(try await host.log() == log)
    }

    /// Every command, issued by the role its script issues it with but on a store where nothing has happened yet,
    /// is either accepted (it starts its process) or refused with the articles behind it, recording nothing.
    @Test(arguments: StoreKind.allCases)
    func everyCommandOnAnEmptyStoreIsAcceptedOrRefusedWithItsArticles(_ kind: StoreKind) async throws {
        var refused = 0
        for name in CommandName.allCases {
            let (_, command, actor) = try #require(Scripts.prefix(before: name))
            let host = try Host(kind)
            do {
                try await host.application.execute(command, by: actor)
            } catch {
                refused += 1
                #expect(!error.articles.isEmpty, "\(name): \(error)")
                #expect(try await host.store.headPosition() == 0, "\(name) was refused but recorded")
            }
        }
        // Most commands need an earlier step; the test must have seen refusals to prove anything.
        #expect(refused > CommandName.allCases.count / 2)
    }

    /// The `roleNotPermitted` refusal of `name` issued by `role` on a store brought to the step before it.
    static func refusal(of name: CommandName, by role: Role) async throws -> WorkflowError? {
        let (steps, command, _) = try #require(Scripts.prefix(before: name))
        let host = try Host(.memory)
        try await host.run(steps)
        return await expectRefusal(.roleNotPermitted) {
            try await host.application.execute(command, by: Parties.actor(role))
        }
    }

    /// Art. 20 ¶2: the operator assesses a scenario and files it with the implementing agency (Art. 27 is the
    /// business entity's filing of its published products).
    @Test func scenarioFilingCitesArticle20() async throws {
        let filing = try #require(try await Self.refusal(of: .scenario(.fileScenario), by: .businessEntity))
        #expect(filing.articles == ["Art. 20"])
        let activation = try #require(try await Self.refusal(of: .scenario(.activateScenario), by: .operator))
        #expect(activation.articles.contains("Art. 20"))
    }

    /// Art. 6 ¶2: the operator may not re-develop the products it delivered; Art. 25 gives that to other entities.
    @Test func anOperatorApplyingForAScenarioIsRefusedCitingArticle6() async throws {
        let refusal = try #require(try await Self.refusal(of: .scenario(.applyScenario), by: .operator))
        #expect(refusal.articles.contains("Art. 6"))
        #expect(refusal.articles.contains("Art. 25"))
    }

    /// A command that refers to an instance that does not exist cites the articles of the step that creates one.
    @Test func aMissingAgreementCitesArticle13() async throws {
        let (_, command, actor) = try #require(Scripts.prefix(before: .dataRequest(.submitDataRequest)))
        let host = try Host(.memory)
        let error = await expectRefusal(.notFound) { try await host.application.execute(command, by: actor) }
        #expect(error?.articles == Processes.description(of: .agreement).foundingArticles)
        #expect(error?.articles.contains("Art. 13") == true)
    }

    /// The founding articles are derived from the process types: those of the commands recording a creating event.
    @Test(arguments: Processes.all)
    func everyProcessHasFoundingArticles(_ process: ProcessDescription) {
        #expect(!process.foundingArticles.isEmpty, "\(process.kind)")
        let creators = Set(
            process.events.filter { $0.from.contains(ProcessDescription.initialState) }.map(\.trigger)
        )
        let commands = process.commands.filter {
            creators.contains($0.name.rawValue) || creators.contains("effect of \($0.name.rawValue)")
        }
        for command in commands {
            #expect(Set(command.spec.articles).isSubset(of: process.foundingArticles), "\(command.name)")
        }
    }
}

/// Art. 12: the implementing agency selects the operator "根据市政府审定同意后的实施方案": an approved plan is enough,
/// a plan not yet approved is not.
struct SelectionFollowsTheApprovedPlanTests {
    static let announcement = SelectionAnnouncement(
        id: "sel-1",
        plan: "plan-fin",
        method: .openTender,
        criteria: "Art. 12"
    )

    @Test func anApprovedPlanThatIsNotPublishedMayBeFollowedBySelection() async throws {
        let world = World()
        try await world.run(Scripts.setup + [.by(.municipalGovernment, .plan(.approvePlan(plan: "plan-fin")))])
        #expect(try await world.state(PlanProcess.self, "plan-fin") == .approved)
        let announced = try await world.run(
            .implementingAgency,
            .selection(.announceSelection(announcement: Self.announcement))
        )
        #expect(announced.state == "announced")
    }

    @Test func aPlanNotYetApprovedIsRefusedCitingArticles11And12() async throws {
        let world = World()
        try await world.run(Scripts.setup)
        #expect(try await world.state(PlanProcess.self, "plan-fin") == .submitted)
        let log = try await world.log()
        let error = await expectRefusal(.invalidState) {
            try await world.run(.implementingAgency, .selection(.announceSelection(announcement: Self.announcement)))
        }
        #expect(error?.articles == ["Art. 11", "Art. 12"])
        #expect(try await world.log() == log)
    }
}
