import Foundation
import PublicDataCommandLine

/// What one run of the tool printed and returned.
struct ToolRun {
    var status: ExitStatus
    var output: String
    var error: String

    /// The standard error's non-empty lines.
    var errorLines: [Substring] { error.split(separator: "\n") }
}

/// Runs `publicdata-demo` in-process with captured output.
func tool(_ arguments: [String]) async -> ToolRun {
    let output = TextOutput(capture: true)
    let status = await PublicDataTool.run(arguments, output: output)
    return ToolRun(status: status, output: output.standardOutput, error: output.standardError)
}

/// A fresh temporary directory, removed by the caller with `cleanUp()`.
struct TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("publicdata-cli-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        let path = path(name)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: url)
    }
}
