import Foundation
import PublicDataKit
import Testing

struct DocumentationTests {
    static let path = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Documentation/Workflows.md")

    @Test func workflowsDocumentMatchesTheProcessTypes() throws {
        let generated = Processes.documentation()
        if ProcessInfo.processInfo.environment["REGENERATE_DOCS"] == "1" {
            try generated.write(to: Self.path, atomically: true, encoding: .utf8)
        }
        let text = try String(contentsOf: Self.path, encoding: .utf8)
        for description in Processes.all {
            #expect(text.contains("```mermaid\n\(description.mermaid())```"), "\(description.kind) diagram is stale")
            #expect(text.contains(description.roleTable()), "\(description.kind) role table is stale")
        }
        #expect(text == generated, "Documentation/Workflows.md is stale; run with REGENERATE_DOCS=1")
    }
}

/// Every ```swift block in the DocC catalogs is compiled: it must appear, line for line, in `DocCSnippets.swift`
/// (which the compiler type-checks against the library), so a snippet with an undefined name or a stale API
/// fails the build or this test.
struct DocCSnippetTests {
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The code without imports, comments, white space and trailing commas, so that formatting (line breaks,
    /// indentation, comment placement) does not matter, but every name and argument does.
    static func normalized(_ text: some StringProtocol) -> String {
        var code = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = Substring(line)
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("import ") { continue }
            // A comment starts at `//` after white space or at the start of a line (not inside `postgresql://`).
            if let range = line.range(of: #"(^|\s)//.*$"#, options: .regularExpression) {
                line = line[..<range.lowerBound]
            }
            code += line.filter { !$0.isWhitespace }
        }
        return code.replacingOccurrences(of: ",)", with: ")").replacingOccurrences(of: ",]", with: "]")
    }

    static func snippets() throws -> [(file: String, code: String)] {
        var found: [(String, String)] = []
        let sources = root.appendingPathComponent("Sources")
        let enumerator = FileManager.default.enumerator(atPath: sources.path)
        while let path = enumerator?.nextObject() as? String {
            guard path.hasSuffix(".md"), path.contains(".docc/") else { continue }
            let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
            var current: [String]?
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                if current == nil, line.hasPrefix("```swift") {
                    current = []
                } else if current != nil, line.hasPrefix("```") {
                    found.append((path, normalized(current!.joined(separator: "\n"))))
                    current = nil
                } else if current != nil {
                    current!.append(String(line))
                }
            }
        }
        return found
    }

    @Test func everyDocCSnippetIsCompiled() throws {
        let compiled = Self.normalized(
            try String(
                contentsOf: Self.root.appendingPathComponent("Tests/PublicDataWorkflowTests/DocCSnippets.swift"),
                encoding: .utf8
            )
        )
        let snippets = try Self.snippets()
        #expect(snippets.count >= 11)
        for (file, code) in snippets {
            let present = compiled.contains(code)
            #expect(present, "a snippet of \(file) is not in DocCSnippets.swift: \(code.prefix(80))")
        }
    }
}
