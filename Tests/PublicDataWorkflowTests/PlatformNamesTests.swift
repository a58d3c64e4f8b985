import PublicDataKit
import Testing

/// The library's public names do not shadow the platform's: a file that imports PublicDataKit can still name
/// Swift's `Actor` protocol (for `isolated` parameters) without qualification.
@Suite struct PlatformNamesTests {
    actor Counter {
        var value = 0
        func increment() { value += 1 }
    }

    /// Compiles only while `Actor` means `Swift.Actor` in a file that imports PublicDataKit.
    static func isIsolated(_ counter: isolated (any Actor)) -> Bool { true }

    @Test func swiftActorIsNotShadowed() async {
        let counter = Counter()
        await counter.increment()
        #expect(await Self.isIsolated(counter))
        #expect(await counter.value == 1)
    }
}
