import Foundation
import Testing

@testable import PublicDataKit
@testable import PublicDataModel
@testable import PublicDataWorkflow

/// The command key's material: equal bytes exactly for equal content, within one type, with canonical JSON as
/// the oracle for the lifecycle's real commands.
@Suite struct CommandIdentityTests {
    static func identity<T: Encodable>(_ value: T) throws -> [UInt8] {
        var bytes: [UInt8] = []
        try CommandIdentity.append(value, to: &bytes)
        return bytes
    }

    /// Every pair of commands of every script: identity bytes are equal exactly when canonical JSON is.
    @Test func scriptCommandsAreIdentifiedAsTheirJSONIs() throws {
        var commands: [WorkflowCommand] = []
        for script in Scripts.all {
            for step in script {
                if case .run(let command, _) = step { commands.append(command) }
            }
        }
        #expect(commands.count > 50)
        let identities = try commands.map(Self.identity)
        let json = try commands.map { try PublicDataJSON.encode($0) }
        for left in commands.indices {
            for right in commands.indices where right > left {
                #expect(
                    (identities[left] == identities[right]) == (json[left] == json[right]),
                    "\(commands[left]) vs \(commands[right])"
                )
            }
        }
    }

    /// A command encoded twice, by two encoders, writes the same bytes; prepended bytes are kept.
    @Test func identityIsDeterministicAndAppends() throws {
        let command = WorkflowCommand.settlement(.recordUsage(agreement: "agr-1", usage: Samples.usage("u-1")))
        var bytes: [UInt8] = [9, 9]
        try CommandIdentity.append(command, to: &bytes)
        #expect(Array(bytes.prefix(2)) == [9, 9])
        #expect(Array(bytes.dropFirst(2)) == (try Self.identity(command)))
        let other = WorkflowCommand.settlement(
            .recordUsage(agreement: "agr-1", usage: Samples.usage("u-1", quantity: 11))
        )
        #expect(try Self.identity(other) != Self.identity(command))
    }

    struct Pair: Encodable {
        var first: [String]
        var second: String?
    }

    /// Boundaries between strings, elements and absent values are part of the bytes.
    @Test(arguments: [
        (Pair(first: ["ab", "c"], second: nil), Pair(first: ["a", "bc"], second: nil)),
        (Pair(first: ["abc"], second: nil), Pair(first: ["ab"], second: "c")),
        (Pair(first: [], second: ""), Pair(first: [], second: nil)),
        (Pair(first: [""], second: nil), Pair(first: [], second: nil)),
        (Pair(first: ["a"], second: "b"), Pair(first: ["b"], second: "a")),
    ])
    func boundariesSeparateValues(_ left: Pair, _ right: Pair) throws {
        #expect(try Self.identity(left) != Self.identity(right))
    }

    /// Two values whose nested containers end at different places: `{a:{b:1},c:2}` and `{a:{b:1,c:2}}`.
    struct Nested: Encodable {
        enum Keys: String, CodingKey { case a, b, c }
        var cInside: Bool

        func encode(to encoder: any Encoder) throws {
            var outer = encoder.container(keyedBy: Keys.self)
            var inner = outer.nestedContainer(keyedBy: Keys.self, forKey: .a)
            try inner.encode(1, forKey: .b)
            if cInside {
                try inner.encode(2, forKey: .c)
            } else {
                try outer.encode(2, forKey: .c)
            }
        }
    }

    @Test func nestedContainersKeepTheirMembers() throws {
        #expect(try Self.identity(Nested(cInside: true)) != Self.identity(Nested(cInside: false)))
        #expect(try Self.identity(Nested(cInside: true)) == Self.identity(Nested(cInside: true)))
    }

    struct Scalar<Value: Encodable>: Encodable {
        var value: Value
    }

    /// Scalars of different types and equal text stay apart: `1`, `1` unsigned, `"1"`, `true`, `1.0`.
    @Test func scalarTypesAreTagged() throws {
        let identities = [
            try Self.identity(Scalar(value: 1 as Int)),
            try Self.identity(Scalar(value: 1 as UInt)),
            try Self.identity(Scalar(value: "1")),
            try Self.identity(Scalar(value: true)),
            try Self.identity(Scalar(value: 1.0 as Double)),
            try Self.identity(Scalar(value: 1.0 as Float)),
            try Self.identity(Scalar(value: [1] as [Int])),
        ]
        #expect(Set(identities).count == identities.count)
        #expect(try Self.identity(Scalar(value: -1 as Int8)) == Self.identity(Scalar(value: -1 as Int64)))
    }
}
