import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PublicDataKit

/// The body of `POST /v1/commands`: who acts and the command.
///
/// ```json
/// {"as": {"party": "agency-finance", "role": "implementing_agency"},
///  "command": {"plan": {"submitPlan": {"plan": "plan-fin"}}}}
/// ```
/// `as` may be left out when the token holds exactly one principal.
public struct CommandRequest: Sendable, Codable {
    /// The party and role to act as (one the token holds).
    public var `as`: AccessTokens.Grant?
    /// The workflow command, in the library's JSON form.
    public var command: WorkflowCommand

    /// Creates a request.
    public init(as grant: AccessTokens.Grant?, command: WorkflowCommand) {
        self.as = grant
        self.command = command
    }
}

/// An error the portal itself returns (before the library saw the command), in the same shape as a
/// `WorkflowError`: `{"error": {"code": …, "message": …}}`.
struct PortalError: Error, Encodable {
    var status: HTTPResponse.Status
    var code: String
    var message: String

    private enum CodingKeys: String, CodingKey { case code, message }

    static func unauthenticated(_ message: String) -> PortalError {
        PortalError(status: .unauthorized, code: "unauthenticated", message: message)
    }
}

/// The routes of the portal, over one ``PublicDataApplication``.
///
/// - `POST /v1/commands`: executes a ``CommandRequest``; `200` with the `CommandOutcome` (a policy denial that
///   the regulation records is an outcome with `isRefusal: true`), or the `WorkflowError` with its articles
///   under `"error"` and the status ``Portal/status(for:)`` gives. An `Idempotency-Key` header makes a retry
///   return the first outcome instead of recording twice.
/// - `GET /v1/streams/{stream}`: the state of one process instance from the read-side projection.
/// - `GET /v1/agreements`: the agreements of the caller's operator party, with their states.
///
/// Every route needs `Authorization: Bearer <token>` (`401` without a known token).
public struct Portal: Sendable {
    /// The application commands run through.
    public let app: PublicDataApplication
    /// The sign-in table.
    public let tokens: AccessTokens
    /// The largest accepted request body.
    public var maximumBodyBytes = 1 << 20

    /// Creates the routes' handler.
    public init(app: PublicDataApplication, tokens: AccessTokens) {
        self.app = app
        self.tokens = tokens
    }

    /// The HTTP status for a refused or failed command.
    ///
    /// Bad input `422`, a role or party the command needs `403`, an unknown object `404`, a step out of order or a
    /// lost race `409`, a store that failed `503`, an unreadable stored event `500`.
    public static func status(for code: WorkflowError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidInput, .pricing: .unprocessableContent
        case .roleNotPermitted, .notParty, .policyDenied, .notAuthorized: .forbidden
        case .notFound: .notFound
        case .invalidState, .contention: .conflict
        case .store, .delivery: .serviceUnavailable
        default: .internalServerError
        }
    }

    /// Adds the routes to `router`.
    public func addRoutes(to router: Router<BasicRequestContext>) {
        router.post("/v1/commands") { request, context in
            await respond { try await execute(request, context: context) }
        }
        router.get("/v1/streams/{stream}") { request, context in
            await respond {
                _ = try authenticate(request)
                let stream = try context.parameters.require("stream")
                let projection = try await app.projections()
                guard let state = projection.states[StreamID(stream)] else {
                    throw PortalError(status: .notFound, code: "notFound", message: "no stream \(stream)")
                }
                return try Self.json(.ok, StreamState(stream: stream, state: state, position: projection.position))
            }
        }
        router.get("/v1/agreements") { request, _ in
            await respond {
                let holder = try authenticate(request)
                let projection = try await app.projections()
                var agreements: [String: String] = [:]
                for grant in holder.principals where grant.role == .operator {
                    for (agreement, state) in projection.agreementsByOperator[grant.party] ?? [:] {
                        agreements[agreement.rawValue] = state
                    }
                }
                return try Self.json(.ok, ["agreements": agreements])
            }
        }
    }

    private struct StreamState: Encodable {
        var stream: String
        var state: String
        var position: Int64
    }

    private func execute(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let holder = try authenticate(request)
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maximumBodyBytes)
        } catch {
            throw PortalError(
                status: .contentTooLarge,
                code: "bodyTooLarge",
                message: "a command body is at most \(maximumBodyBytes) bytes"
            )
        }
        let input: CommandRequest
        do {
            input = try PublicDataJSON.makeDecoder().decode(CommandRequest.self, from: Data(body.readableBytesView))
        } catch {
            throw PortalError(status: .badRequest, code: "malformedCommand", message: Self.describe(error))
        }
        let grant: AccessTokens.Grant
        if let asked = input.as {
            guard holder.principals.contains(asked) else {
                throw PortalError(
                    status: .forbidden,
                    code: "principalNotHeld",
                    message: "\(holder.person) does not act as \(asked.role.rawValue) of \(asked.party)"
                )
            }
            grant = asked
        } else if holder.principals.count == 1 {
            grant = holder.principals[0]
        } else {
            throw PortalError(
                status: .badRequest,
                code: "principalRequired",
                message: "the token holds \(holder.principals.count) principals; name one in \"as\""
            )
        }
        let principal = Principal(party: grant.party, role: grant.role, person: holder.person)
        let key = request.headers[.idempotencyKey]
        let outcome: CommandOutcome
        do {
            outcome = try await app.execute(input.command, by: principal, idempotencyKey: key)
        } catch {
            return try Self.json(Self.status(for: error.code), ["error": error])
        }
        return try Self.json(.ok, outcome)
    }

    private func authenticate(_ request: Request) throws -> AccessTokens.Holder {
        guard let header = request.headers[.authorization] else {
            throw PortalError.unauthenticated("an Authorization: Bearer <token> header is required")
        }
        let prefix = "Bearer "
        guard header.count > prefix.count, header.lowercased().hasPrefix(prefix.lowercased()) else {
            throw PortalError.unauthenticated("only bearer tokens are accepted")
        }
        guard let holder = tokens.holder(of: header.dropFirst(prefix.count)) else {
            throw PortalError.unauthenticated("unknown token")
        }
        return holder
    }

    private func respond(_ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as PortalError {
            var response = (try? Self.json(error.status, ["error": error])) ?? Response(status: error.status)
            if error.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
            return response
        } catch let error as WorkflowError {
            return (try? Self.json(Self.status(for: error.code), ["error": error]))
                ?? Response(status: .internalServerError)
        } catch {
            let failure = PortalError(status: .internalServerError, code: "internal", message: "\(error)")
            return (try? Self.json(failure.status, ["error": failure])) ?? Response(status: .internalServerError)
        }
    }

    static func json(_ status: HTTPResponse.Status, _ value: some Encodable) throws -> Response {
        let data = try PublicDataJSON.makeEncoder().encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    /// A decoding error as one line naming the JSON path.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.isEmpty
                ? "$" : "$." + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): missing"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context),
            DecodingError.dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        default:
            return "\(error)"
        }
    }
}

extension HTTPField.Name {
    /// `Idempotency-Key`: the client's id for a command, so that a retry returns the first outcome.
    public static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
}
