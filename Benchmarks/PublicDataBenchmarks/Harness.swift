import Foundation

/// One measured figure.
struct Measurement: Codable, Sendable {
    var group: String
    var name: String
    var value: Double
    var unit: String
    var note: String?
}

/// Collects figures and prints them as text or JSON.
final class BenchmarkReport: @unchecked Sendable {
    private(set) var measurements: [Measurement] = []
    let json: Bool
    let quick: Bool

    init(json: Bool, quick: Bool) {
        self.json = json
        self.quick = quick
    }

    func record(_ group: String, _ name: String, _ value: Double, _ unit: String, note: String? = nil) {
        let measurement = Measurement(group: group, name: name, value: value, unit: unit, note: note)
        measurements.append(measurement)
        if !json {
            let formatted = value >= 100 ? String(format: "%.0f", value) : String(format: "%.3f", value)
            let padded = name.padding(toLength: max(name.count, 58), withPad: " ", startingAt: 0)
            print("  \(padded) \(formatted) \(unit)\(note.map { "  (\($0))" } ?? "")")
        }
    }

    func section(_ title: String) {
        if !json { print("\n== \(title) ==") }
    }

    func finish() throws {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(measurements), as: UTF8.self))
        }
    }
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

/// Resident set size in bytes (Linux /proc; 0 elsewhere).
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let parts = text.split(separator: " ")
    guard parts.count > 1, let pages = Int(parts[1]) else { return 0 }
    return pages * 4096
}
