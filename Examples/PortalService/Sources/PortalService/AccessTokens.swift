import Foundation
import PublicDataKit

/// The example's sign-in: a static table from bearer tokens to the people who hold them and the principals
/// (party and role) each may act as.
///
/// **This is an example.** A real portal verifies a signed token (OIDC, a government SSO) and reads the holder's
/// parties and roles from its identity provider; what matters here is only that the library receives a
/// ``Principal`` the host has authenticated and authorized.
///
/// The configuration file (`tokens.json`):
///
/// ```json
/// {"tokens": [
///   {"token": "agency-secret", "person": "wang.li",
///    "principals": [{"party": "agency-finance", "role": "implementing_agency"}]}
/// ]}
/// ```
public struct AccessTokens: Sendable, Codable, Equatable {
    /// One party and role a person may act as.
    public struct Grant: Sendable, Codable, Hashable {
        /// The organisation.
        public var party: PartyID
        /// The role the organisation holds.
        public var role: Role

        /// Creates a grant.
        public init(party: PartyID, role: Role) {
            self.party = party
            self.role = role
        }
    }

    /// One bearer token and what it stands for.
    public struct Holder: Sendable, Codable, Equatable {
        /// The secret the client sends as `Authorization: Bearer <token>`.
        public var token: String
        /// The natural person (recorded as the principal's `person`).
        public var person: String
        /// The parties and roles the person may act as.
        public var principals: [Grant]

        /// Creates a holder.
        public init(token: String, person: String, principals: [Grant]) {
            self.token = token
            self.person = person
            self.principals = principals
        }
    }

    /// Every token.
    public var tokens: [Holder]

    /// Creates a table.
    public init(tokens: [Holder]) {
        self.tokens = tokens
    }

    /// Reads the table from a JSON file.
    /// - Throws: The file or decoding error.
    public static func load(from path: String) throws -> AccessTokens {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try PublicDataJSON.makeDecoder().decode(AccessTokens.self, from: data)
    }

    /// The holder of `token`, compared in constant time per candidate.
    public func holder(of token: Substring) -> Holder? {
        let presented = Array(token.utf8)
        var found: Holder?
        for holder in tokens where Self.constantTimeEqual(Array(holder.token.utf8), presented) {
            found = holder
        }
        return found
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
