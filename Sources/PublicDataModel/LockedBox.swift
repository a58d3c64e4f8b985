import Foundation

/// A value guarded by a lock, for the package's own synchronous shared state.
///
/// It offers the `withLock` shape of the standard library's `Mutex`, which needs macOS 15 / iOS 18; this one
/// runs on every platform the package supports (macOS 13+, iOS 16+).
package final class LockedBox<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private let lock = NSLock()
    private var value: Value

    /// Creates a box holding `value`.
    package init(_ value: Value) {
        self.value = value
    }

    /// Runs `body` with exclusive access to the value.
    package func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
