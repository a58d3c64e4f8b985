import Foundation
import PublicDataKit
import PublicDataTesting
import Testing

/// The security matrix: every (command × role) pair.
///
/// For every command, a fresh store is brought to the state just before the command (by the first script that
/// issues it). Every role outside the command's allowed roles is refused with `roleNotPermitted`, citing the
/// command's articles, and leaves the store exactly as it was (same head position, same events). Every allowed role, acting for the party that
/// owns the object, succeeds.
struct RoleMatrixTests {
    @Test func everyCommandIsIssuedByAScript() {
        for name in CommandName.allCases {
            #expect(Scripts.prefix(before: name) != nil, "no script issues \(name)")
        }
    }

    @Test(arguments: CommandName.allCases)
    func onlyAllowedRolesMayIssue(_ name: CommandName) async throws {
        let (steps, command, scriptedActor) = try #require(Scripts.prefix(before: name))
        let allowed = name.spec.roles
        #expect(allowed.contains(scriptedActor.role))

        let world = World()
        try await world.run(steps)
        let log = try await world.log()
        let head = try await world.store.headPosition()
        for role in Role.allCases where !allowed.contains(role) {
            let error = await expectRefusal(.roleNotPermitted) {
                try await world.engine.execute(command, by: Parties.actor(role))
            }
            // The refusal cites the articles that assign the act to its roles.
            let articles = error?.articles ?? []
            #expect(!articles.isEmpty, "\(name) by \(role) cites no article")
            #expect(
                Set(name.spec.articles).isSubset(of: articles),
                "\(name) by \(role): \(articles), spec \(name.spec.articles)"
            )
            #expect(try await world.store.headPosition() == head, "\(name) by \(role) changed the head")
            #expect(try await world.log() == log, "\(name) by \(role) changed the log")
        }

        for role in allowed {
            let fresh = World()
            try await fresh.run(steps)
            let before = try await fresh.store.headPosition()
            do {
                let outcome = try await fresh.engine.execute(command, by: Parties.actor(role))
                #expect(!outcome.events.isEmpty)
                #expect(try await fresh.store.headPosition() > before)
            } catch let error as WorkflowError {
                // Only the applicant renews its registration, and only the party that owes a disclosure
                // publishes it: the other allowed roles are refused as a party.
                let ownedByOneParty: Set<CommandName> = [
                    .registration(.renewRegistration), .disclosure(.publishDisclosure),
                ]
                #expect(
                    ownedByOneParty.contains(name) && error.code == .notParty,
                    "\(name) by \(role): \(error)"
                )
                #expect(try await fresh.store.headPosition() == before)
            }
        }
    }
}
