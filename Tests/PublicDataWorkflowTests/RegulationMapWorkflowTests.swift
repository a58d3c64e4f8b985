import Foundation
import PublicDataKit
import Testing

/// Keeps `Documentation/RegulationMap.md` in step with the process types and the test suite: every command of
/// every process is mapped, and every test the map names (`File.swift` › `function`) exists.
struct RegulationMapWorkflowTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func map() throws -> String {
        try String(contentsOf: root.appendingPathComponent("Documentation/RegulationMap.md"), encoding: .utf8)
    }

    @Test func everyCommandOfEveryProcessIsMapped() throws {
        let text = try Self.map()
        let unmapped = CommandName.allCases.map(\.rawValue).filter { !text.contains($0) }
        #expect(unmapped.isEmpty, "RegulationMap.md does not name these commands: \(unmapped)")
    }

    /// The `File.swift` › `function` references of the map.
    static func testReferences(in text: String) -> [(file: String, function: String)] {
        let pattern = try! NSRegularExpression(pattern: "`([A-Za-z0-9]+\\.swift)` › `([A-Za-z0-9_]+)`")
        let range = NSRange(text.startIndex..., in: text)
        return pattern.matches(in: text, range: range).compactMap { match in
            guard let file = Range(match.range(at: 1), in: text), let name = Range(match.range(at: 2), in: text)
            else { return nil }
            return (String(text[file]), String(text[name]))
        }
    }

    /// Every table row whose coverage is "full" names at least one test (`File.swift` › `function`) in its Tests
    /// column, so that the behaviour it claims has a test that fails when it goes.
    @Test func everyFullRowNamesATest() throws {
        var bare: [String] = []
        for line in try Self.map().split(separator: "\n") where line.hasPrefix("| ") {
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            // "| a | … | tests | coverage |" splits into an empty first and last cell.
            guard cells.count >= 5 else { continue }
            let coverage = cells[cells.count - 2]
            let tests = cells[cells.count - 3]
            guard coverage.hasPrefix("full") || coverage.hasPrefix("**full") else { continue }
            if Self.testReferences(in: tests).isEmpty { bare.append(cells[1]) }
        }
        #expect(bare.isEmpty, "rows marked full without a named test: \(bare)")
    }

    @Test func everyTestTheMapNamesExists() throws {
        let references = Self.testReferences(in: try Self.map()).filter { $0.file != "File.swift" }
        #expect(references.count > 20)
        let tests = Self.root.appendingPathComponent("Tests")
        var sources: [String: String] = [:]
        let files = FileManager.default.enumerator(at: tests, includingPropertiesForKeys: nil)
        while let url = files?.nextObject() as? URL {
            guard url.pathExtension == "swift" else { continue }
            sources[url.lastPathComponent, default: ""] += (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        }
        var missing: [String] = []
        for (file, function) in references {
            guard let source = sources[file] else {
                missing.append("\(file) (no such file)")
                continue
            }
            let declared = [
                "func \(function)(", "static let \(function)", "static func \(function)", "let \(function) =",
            ]
            if !declared.contains(where: source.contains) { missing.append("\(file) › \(function)") }
        }
        #expect(missing.isEmpty, "RegulationMap.md names tests that do not exist: \(missing)")
    }
}
