import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kill loop of a multi-process stress test: child processes killed with `SIGKILL` at random and restarted.
///
/// The loop runs on a task of its own, so kills come on a clock whatever the test's follower and ledger are
/// doing (slow builds, sanitizers). It starts `processes` children, waits `warmUp`, then until `deadline`
/// kills one at random, waits for it, starts its replacement and pauses a random number of milliseconds in
/// `pause`. At the deadline — or when the task is cancelled or a start fails — every child is killed and
/// waited for (each wait bounded, so a missed exit cannot hang the test run).
///
/// ```swift
/// let killer = RandomKiller.start(processes: 3, until: deadline, warmUp: .milliseconds(500)) {
///     try spawnWriter()
/// }
/// // … follow the log while the writers die …
/// let kills = try await killer.value
/// ```
public enum RandomKiller {
    /// Starts the kill loop; the task's value is the number of kills.
    /// - Parameters:
    ///   - processes: How many children run at once.
    ///   - deadline: When the loop stops and kills every child.
    ///   - warmUp: The pause before the first kill (children opening or migrating a store).
    ///   - pause: The pause between kills, in milliseconds, drawn uniformly.
    ///   - spawn: Starts one child.
    /// - Returns: The task running the loop.
    public static func start(
        processes: Int,
        until deadline: Date,
        warmUp: Duration,
        pause: ClosedRange<Int> = 200...800,
        spawn: @escaping @Sendable () throws -> Process
    ) -> Task<Int, any Error> {
        Task {
            var children: [Process] = []
            do {
                for _ in 0..<processes { children.append(try spawn()) }
                var kills = 0
                try await Task.sleep(for: warmUp)
                while Date() < deadline, !children.isEmpty {
                    let victim = Int.random(in: 0..<children.count)
                    kill(children[victim].processIdentifier, SIGKILL)
                    await waitForExit(of: children[victim])
                    kills += 1
                    children[victim] = try spawn()
                    try await Task.sleep(for: .milliseconds(Int.random(in: pause)))
                }
                await stop(children)
                return kills
            } catch {
                await stop(children)
                throw error
            }
        }
    }

    /// Kills every child and waits for each.
    private static func stop(_ children: [Process]) async {
        for child in children {
            kill(child.processIdentifier, SIGKILL)
            await waitForExit(of: child)
        }
    }

    /// Waits until a killed child has exited, for at most `limit`. Foundation's `waitUntilExit()` on Linux was
    /// seen spinning for over 20 minutes on a loaded machine after missing a killed child's exit, which hung the
    /// whole test run; polling `isRunning` with a bound cannot hang (a `SIGKILL`ed child is gone either way).
    private static func waitForExit(of child: Process, within limit: Duration = .seconds(10)) async {
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: limit)
        while child.isRunning, clock.now < end {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}
