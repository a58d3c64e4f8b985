import PublicDataKit

/// `diagram PROCESS`: the Mermaid state diagram of a workflow process.
enum DiagramCommand {
    static var help: String {
        """
        USAGE
          publicdata-demo diagram PROCESS

        Prints the Mermaid stateDiagram-v2 of PROCESS, generated from the workflow's process types.
        PROCESS is one of: \(validNames)
        """
    }

    static var validNames: String { ProcessKind.allCases.map(\.rawValue).joined(separator: ", ") }

    /// The process named `name`: its raw value, or the same with `-` for `_`, or its Swift case name.
    static func process(named name: String) -> ProcessKind? {
        let wanted = name.lowercased().replacingOccurrences(of: "-", with: "_")
        return ProcessKind.allCases.first {
            $0.rawValue == wanted || "\($0)".lowercased() == wanted.replacingOccurrences(of: "_", with: "")
        }
    }

    static func run(_ arguments: [String], output: TextOutput) throws -> ExitStatus {
        let parsed = try ParsedArguments.parse(arguments, spec: ArgumentSpec(command: "diagram", positionals: 1...1))
        if parsed.wantsHelp {
            output.line(help)
            return .success
        }
        let name = parsed.positionals[0]
        guard let kind = process(named: name) else {
            throw UsageError("unknown process '\(name)'; valid processes: \(validNames)", command: "diagram")
        }
        let description = Processes.description(of: kind)
        output.line("%% \(description.title)")
        output.line(String(description.mermaid().dropLast()))
        return .success
    }
}
