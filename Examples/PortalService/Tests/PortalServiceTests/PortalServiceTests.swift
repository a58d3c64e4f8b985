import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PortalService
import PublicDataKit
import PublicDataSQLite
import PublicDataTesting
import Testing

/// Drives the portal over a live HTTP server (HummingbirdTesting's `.live` client talks TCP to it) on a fresh
/// SQLite file, as a browser or `curl` would.
struct PortalServiceTests {
    // MARK: - Authentication and authorization

    @Test func withoutAKnownBearerTokenTheAnswerIs401() async throws {
        try await World().serve { client in
            let body = try World.body(.catalog(.publishCatalogEntry(entry: Samples.openEntry)))
            let bare = try await client.execute(uri: "/v1/commands", method: .post, body: body)
            #expect(bare.status == .unauthorized)
            #expect(bare.headers[.wwwAuthenticate] == "Bearer")
            let codeBare = try World.error(bare, "code", as: String.self)
            #expect(codeBare == "unauthenticated")
            let unknown = try await client.execute(
                uri: "/v1/commands",
                method: .post,
                headers: [.authorization: "Bearer not-a-token"],
                body: body
            )
            #expect(unknown.status == .unauthorized)
            let read = try await client.execute(uri: "/v1/agreements", method: .get)
            #expect(read.status == .unauthorized)
        }
    }

    @Test func actingAsAPrincipalTheTokenDoesNotHoldIs403AndRecordsNothing() async throws {
        let world = try World()
        try await world.serve { client in
            let response = try await world.send(
                .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
                token: "operator-token",
                as: AccessTokens.Grant(party: "dept-finance", role: .industryDepartment),
                client
            )
            #expect(response.status == .forbidden)
            let codeResponse = try World.error(response, "code", as: String.self)
            #expect(codeResponse == "principalNotHeld")
        }
        #expect(try await world.workflowEvents() == 0)
    }

    @Test func aRoleTheCommandIsNotAssignedToIs403WithTheArticles() async throws {
        let world = try World()
        try await world.serve { client in
            let response = try await world.send(
                .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
                token: "operator-token",
                client
            )
            #expect(response.status == .forbidden)
            let error = try World.error(response)
            let (code, command) = (error["code"] as? String, error["command"] as? String)
            #expect(code == "roleNotPermitted")
            #expect(command == "publishCatalogEntry")
            let articles = error["articles"] as? [String]
            #expect(articles?.isEmpty == false)
        }
        #expect(try await world.workflowEvents() == 0)
    }

    // MARK: - Commands

    @Test func aPermittedCommandReturnsItsOutcomeAndTheReadSideShowsIt() async throws {
        let world = try World()
        try await world.serve { client in
            let command = WorkflowCommand.catalog(.publishCatalogEntry(entry: Samples.openEntry))
            let response = try await world.send(command, token: "department-token", client)
            #expect(response.status == .ok)
            let outcome = try PublicDataJSON.makeDecoder().decode(
                CommandOutcome.self,
                from: Data(response.body.readableBytesView)
            )
            #expect(outcome.state == "published")
            #expect(outcome.events.map(\.type) == ["catalog.entryPublished"])
            #expect(outcome.events.first?.actor?.person == "zhao.min")

            let read = try await client.execute(
                uri: "/v1/streams/catalog-ent-open",
                method: .get,
                headers: [.authorization: "Bearer auditor-token"]
            )
            #expect(read.status == .ok)
            let stateRead = try World.object(read, "state", as: String.self)
            #expect(stateRead == "published")
            let missing = try await client.execute(
                uri: "/v1/streams/catalog-nothing",
                method: .get,
                headers: [.authorization: "Bearer auditor-token"]
            )
            #expect(missing.status == .notFound)
        }
    }

    @Test func aRetryWithTheSameIdempotencyKeyReturnsTheFirstOutcome() async throws {
        let world = try World()
        try await world.serve { client in
            let command = WorkflowCommand.catalog(.publishCatalogEntry(entry: Samples.openEntry))
            let first = try await world.send(command, token: "department-token", key: "req-0001", client)
            let retry = try await world.send(command, token: "department-token", key: "req-0001", client)
            #expect(first.status == .ok)
            #expect(retry.status == .ok)
            let deduplicatedRetry = try World.object(retry, "deduplicated", as: Bool.self)
            #expect(deduplicatedRetry == true)
            // Without a key the repeated command meets a stream that moved on.
            let again = try await world.send(command, token: "department-token", client)
            #expect(again.status == .conflict)
            let codeAgain = try World.error(again, "code", as: String.self)
            #expect(codeAgain == "invalidState")
        }
        #expect(try await world.workflowEvents() == 1)
    }

    @Test(
        arguments: [
            ("{", "malformedCommand"),
            (#"{"command": {"plan": {"launchRocket": {}}}}"#, "malformedCommand"),
            (#"{"command": {"catalog": {"publishCatalogEntry": {}}}}"#, "malformedCommand"),
        ] as [(String, String)]
    )
    func anUndecodableBodyIs400NamingWhere(body: String, code: String) async throws {
        let world = try World()
        try await world.serve { client in
            let response = try await client.execute(
                uri: "/v1/commands",
                method: .post,
                headers: [.authorization: "Bearer department-token", .contentType: "application/json"],
                body: ByteBuffer(string: body)
            )
            #expect(response.status == .badRequest)
            let error = try World.error(response)
            let found = error["code"] as? String
            #expect(found == code)
            let message = error["message"] as? String
            #expect(message?.hasPrefix("$") == true)
        }
        #expect(try await world.workflowEvents() == 0)
    }

    @Test func invalidInputIs422WithEveryIssue() async throws {
        let world = try World()
        try await world.serve { client in
            var entry = Samples.openEntry
            entry.name = ""
            let response = try await world.send(
                .catalog(.publishCatalogEntry(entry: entry)),
                token: "department-token",
                client
            )
            #expect(response.status == .unprocessableContent)
            let error = try World.error(response)
            let code = error["code"] as? String
            #expect(code == "invalidInput")
            let issues = error["issues"] as? [Any]
            #expect(issues?.isEmpty == false)
        }
    }

    @Test func aPolicyDenialIsRecordedAndReturnedAsAnOutcome() async throws {
        let world = try World()
        try await world.serve { client in
            for (command, token) in Scripts.toActiveAgreement {
                let response = try await world.send(command, token: token, client)
                #expect(response.status == .ok, "\(command.name): \(String(buffer: response.body))")
            }
            let agreements = try await client.execute(
                uri: "/v1/agreements",
                method: .get,
                headers: [.authorization: "Bearer operator-token"]
            )
            let agreementsAgreements = try World.object(agreements, "agreements", as: [String: String].self)
            #expect(agreementsAgreements == ["agr-1": "active"])

            let submitted = try await world.send(
                .dataRequest(.submitDataRequest(request: Samples.request("req-x", "ent-closed"))),
                token: "operator-token",
                client
            )
            #expect(submitted.status == .ok)
            let evaluated = try await world.send(
                .dataRequest(.evaluateDataRequest(request: "req-x")),
                token: "agency-token",
                client
            )
            #expect(evaluated.status == .ok)
            let outcome = try World.object(evaluated)
            let (isRefusal, state) = (outcome["isRefusal"] as? Bool, outcome["state"] as? String)
            #expect(isRefusal == true)
            #expect(state == "refused")
            let decision = try #require(outcome["decision"] as? [String: Any])
            let effect = decision["effect"] as? String
            #expect(effect == "deny")
        }
    }

    // MARK: - Observability

    @Test func refusalsReachTheHostsLogWithCodeAndArticles() async throws {
        let records = LogRecords()
        let world = try World(observer: LogBridge(logger: Logger(label: "publicdata") { _ in records }))
        try await world.serve { client in
            _ = try await world.send(
                .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
                token: "operator-token",
                client
            )
            _ = try await world.send(
                .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
                token: "department-token",
                client
            )
        }
        let refused = try #require(records.all.first { $0.message == "command refused" })
        #expect(refused.level == .notice)
        #expect(refused.metadata["code"] == "roleNotPermitted")
        #expect(refused.metadata["articles"] == "Art. 8")
        #expect(refused.metadata["command"] == "publishCatalogEntry")
        let recorded = records.all.filter { $0.message == "command recorded" }
        #expect(recorded.map { $0.metadata["stream"] } == ["catalog-ent-open"])
    }

    // MARK: - The background loop

    @Test func theBackgroundLoopRunsUnderTheServiceGroup() async throws {
        let world = try World()
        try await world.serve { client in
            let response = try await world.send(
                .catalog(.publishCatalogEntry(entry: Samples.openEntry)),
                token: "department-token",
                client
            )
            #expect(response.status == .ok)
            // `app.run` extends the audit ledger on its own; nothing here calls `tick()`.
            let ledger = try await world.app.ledger()
            var waited = 0
            while await ledger.size == 0 && waited < 200 {
                try await Task.sleep(for: .milliseconds(50))
                waited += 1
            }
            #expect(await ledger.size >= 1)
            #expect(try await ledger.verifyStore().isOK)
        }
    }
}

/// One portal over a fresh SQLite file, with a token per role.
struct World {
    let store: SQLiteEventStore
    let app: PublicDataApplication
    let configuration: PortalConfiguration

    static let tokens = AccessTokens(tokens: [
        .init(
            token: "agency-token",
            person: "wang.li",
            principals: [.init(party: "agency-finance", role: .implementingAgency)]
        ),
        .init(token: "operator-token", person: "li.na", principals: [.init(party: "op-1", role: .operator)]),
        .init(
            token: "department-token",
            person: "zhao.min",
            principals: [.init(party: "dept-finance", role: .industryDepartment)]
        ),
        .init(
            token: "government-token",
            person: "chen.jie",
            principals: [.init(party: "bj-government", role: .municipalGovernment)]
        ),
        .init(
            token: "administration-token",
            person: "sun.yu",
            principals: [.init(party: "bj-data-administration", role: .dataAdministration)]
        ),
        .init(token: "auditor-token", person: "zhou.qi", principals: [.init(party: "auditor-1", role: .auditor)]),
    ])

    init(observer: any PublicDataObserver = NoOpObserver()) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("portal-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteEventStore(path: folder.appendingPathComponent("portal.sqlite").path)
        app = PublicDataApplication(
            configuration: PublicDataConfiguration(
                store: store,
                clock: TestClock(now: testInstant("2026-03-02T01:00:00Z")),
                observer: observer
            )
        )
        var configuration = PortalConfiguration()
        configuration.port = 0
        configuration.tokens = Self.tokens
        configuration.pollInterval = .milliseconds(50)
        self.configuration = configuration
    }

    /// The events of workflow streams (the audit ledger records its own leaf records beside them).
    func workflowEvents() async throws -> Int {
        try await store.readAll(after: 0, pageSize: 1000).filter { ProcessKind.of($0.streamID) != nil }.count
    }

    func serve(_ test: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await buildApplication(app, configuration: configuration).test(.live) { client in try await test(client) }
    }

    func send(
        _ command: WorkflowCommand,
        token: String,
        as grant: AccessTokens.Grant? = nil,
        key: String? = nil,
        _ client: some TestClientProtocol
    ) async throws -> TestResponse {
        var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
        if let key { headers[.idempotencyKey] = key }
        return try await client.execute(
            uri: "/v1/commands",
            method: .post,
            headers: headers,
            body: try Self.body(command, as: grant)
        )
    }

    static func body(_ command: WorkflowCommand, as grant: AccessTokens.Grant? = nil) throws -> ByteBuffer {
        ByteBuffer(bytes: try PublicDataJSON.makeEncoder().encode(CommandRequest(as: grant, command: command)))
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    static func object<T>(_ response: TestResponse, _ key: String, as type: T.Type) throws -> T? {
        try object(response)[key] as? T
    }

    static func error<T>(_ response: TestResponse, _ key: String, as type: T.Type) throws -> T? {
        try error(response)[key] as? T
    }

    static func error(_ response: TestResponse) throws -> [String: Any] {
        try #require(try object(response)["error"] as? [String: Any])
    }
}

/// A log handler that keeps every record (the test's own swift-log backend).
final class LogRecords: LogHandler, @unchecked Sendable {
    struct Record {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let lock = NSLock()
    private var records: [Record] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    var all: [Record] { lock.withLock { records } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = (event.metadata ?? [:]).mapValues { "\($0)" }
        lock.withLock { records.append(Record(level: event.level, message: "\(event.message)", metadata: fields)) }
    }
}
