import Foundation

/// One measured figure. A figure measured over rounds carries its median as `value`, the smallest and largest
/// round, and the spread `(maximum - minimum) / median` in percent.
struct Measurement: Codable, Sendable {
    var group: String
    var name: String
    var value: Double
    var unit: String
    var note: String?
    var rounds: Int?
    var minimum: Double?
    var maximum: Double?
    var spreadPercent: Double?
}

/// The JSON document `--json` prints: a format identifier and the figures in the order they were measured.
struct BenchmarkDocument: Codable, Sendable {
    var format: String
    var quick: Bool
    var measurements: [Measurement]
}

/// The samples of one figure over several rounds.
struct Samples: Sendable {
    var values: [Double] = []

    init(_ values: [Double] = []) { self.values = values }

    mutating func append(_ value: Double) { values.append(value) }

    var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    var minimum: Double { values.min() ?? .nan }
    var maximum: Double { values.max() ?? .nan }
    /// `(maximum - minimum) / median`, in percent.
    var spreadPercent: Double { median == 0 ? 0 : (maximum - minimum) / median * 100 }

    /// The per-round quotient `self[i] / other[i]` (rounds of an interleaved comparison).
    func ratio(to other: Samples) -> Samples {
        Samples(zip(values, other.values).map { $0 / $1 })
    }
}

/// Collects figures and prints them as text or JSON (`--json`: nothing but the JSON document on stdout).
final class BenchmarkReport: @unchecked Sendable {
    static let format = "publicdatakit.benchmarks/2"
    private(set) var measurements: [Measurement] = []
    let json: Bool
    let quick: Bool
    /// Rounds for every interleaved comparison (at least 5).
    let rounds: Int

    init(json: Bool, quick: Bool) {
        self.json = json
        self.quick = quick
        self.rounds = quick ? 5 : 7
    }

    func record(_ group: String, _ name: String, _ value: Double, _ unit: String, note: String? = nil) {
        add(Measurement(group: group, name: name, value: value, unit: unit, note: note))
    }

    /// Records the median of `samples`, with its range and spread.
    func record(_ group: String, _ name: String, _ samples: Samples, _ unit: String, note: String? = nil) {
        add(
            Measurement(
                group: group,
                name: name,
                value: samples.median,
                unit: unit,
                note: note,
                rounds: samples.values.count,
                minimum: samples.minimum,
                maximum: samples.maximum,
                spreadPercent: samples.spreadPercent
            )
        )
    }

    /// A line for a human reader; in JSON mode it goes to stderr so that stdout stays one JSON document.
    func info(_ text: String) {
        if json {
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        } else {
            print("  \(text)")
        }
    }

    private func add(_ measurement: Measurement) {
        measurements.append(measurement)
        guard !json else { return }
        let padded = measurement.name.padding(toLength: max(measurement.name.count, 58), withPad: " ", startingAt: 0)
        var line = "  \(padded) \(Self.format(measurement.value)) \(measurement.unit)"
        if let rounds = measurement.rounds, let low = measurement.minimum, let high = measurement.maximum,
            let spread = measurement.spreadPercent
        {
            line += "  [median of \(rounds); \(Self.format(low))–\(Self.format(high)), spread \(Self.format(spread))%]"
        }
        if let note = measurement.note { line += "  (\(note))" }
        print(line)
    }

    private static func format(_ value: Double) -> String {
        value >= 100 ? String(format: "%.0f", value) : String(format: "%.3f", value)
    }

    func section(_ title: String) {
        if !json { print("\n== \(title) ==") }
    }

    func finish() throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let document = BenchmarkDocument(format: Self.format, quick: quick, measurements: measurements)
            print(String(decoding: try encoder.encode(document), as: UTF8.self))
        }
    }
}

/// Runs every contender once per round, rotating which one goes first, so that drift on a shared machine
/// (other jobs, disk latency) hits all of them alike. Each call returns the figure of that round.
func interleaved(rounds: Int, _ contenders: [() throws -> Double]) throws -> [Samples] {
    var samples = [Samples](repeating: Samples(), count: contenders.count)
    for round in 0..<rounds {
        for step in 0..<contenders.count {
            let index = (round + step) % contenders.count
            samples[index].append(try contenders[index]())
        }
    }
    return samples
}

/// ``interleaved(rounds:_:)`` for async contenders.
func interleavedAsync(rounds: Int, _ contenders: [() async throws -> Double]) async throws -> [Samples] {
    var samples = [Samples](repeating: Samples(), count: contenders.count)
    for round in 0..<rounds {
        for step in 0..<contenders.count {
            let index = (round + step) % contenders.count
            samples[index].append(try await contenders[index]())
        }
    }
    return samples
}

/// Monotonic nanoseconds.
@inline(__always)
func nowNanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Seconds taken by `body`.
func measureSeconds(_ body: () throws -> Void) rethrows -> Double {
    let start = nowNanoseconds()
    try body()
    return Double(nowNanoseconds() - start) / 1e9
}

/// Seconds taken by an async `body`.
func measureSecondsAsync(_ body: () async throws -> Void) async rethrows -> Double {
    let start = nowNanoseconds()
    try await body()
    return Double(nowNanoseconds() - start) / 1e9
}

/// The hidden command line of a memory probe: `--memory-probe NAME`.
let memoryProbeFlag = "--memory-probe"

/// Runs a memory probe in a fresh copy of this executable, where no earlier measurement has left freed
/// memory for the allocator to reuse, and returns the number it prints (bytes per item), or `nil`.
func runMemoryProbe(_ name: String) -> Double? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = [memoryProbeFlag, name]
    let output = Pipe()
    process.standardOutput = output
    guard (try? process.run()) != nil else { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return Double(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
}

/// Resident set size in bytes (Linux /proc; 0 elsewhere).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = text.split(separator: " ")
    guard parts.count > 1, let pages = Int(parts[1]) else { return 0 }
    return pages * 4096
}
