import Foundation

/// Where the tool writes: standard output and standard error, or buffers in tests.
public final class TextOutput: @unchecked Sendable {
    // @unchecked: the tool runs one command at a time; the buffers are only touched by that command.
    private let capture: Bool
    /// What was written to standard output (when capturing).
    public private(set) var standardOutput = ""
    /// What was written to standard error (when capturing).
    public private(set) var standardError = ""

    /// Creates an output; `capture: true` keeps the text instead of printing it.
    public init(capture: Bool) {
        self.capture = capture
    }

    /// Writes a line to standard output.
    public func line(_ text: String = "") {
        if capture {
            standardOutput += text + "\n"
        } else {
            FileHandle.standardOutput.write(Data((text + "\n").utf8))
        }
    }

    /// Writes a line to standard error.
    public func error(_ text: String) {
        if capture {
            standardError += text + "\n"
        } else {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }
}

/// Exit statuses of `publicdata-demo`.
public enum ExitStatus: Int32, Sendable {
    /// Success.
    case success = 0
    /// A check failed (a policy test, a ledger verification, a proof).
    case checkFailed = 1
    /// The command line or an input file was wrong.
    case usage = 2
}

/// An input file could not be used; printed as one line naming the file (and JSON path) and exit status 2.
public struct InputError: Error, Sendable, CustomStringConvertible {
    /// The file concerned.
    public var file: String
    /// What is wrong, including the JSON path where there is one.
    public var message: String

    /// Creates an input error.
    public init(file: String, message: String) {
        self.file = file
        self.message = message
    }

    /// `FILE: MESSAGE`.
    public var description: String { "\(file): \(message)" }
}

/// The `publicdata-demo` command line: the lifecycle demo and the policy, ledger, disclosure and diagram tools.
public enum PublicDataTool {
    static let overview = """
        publicdata-demo — PublicDataKit's example executable.

        USAGE
          publicdata-demo [run] [--store sqlite|memory|postgres://…] [--data-dir DIR] [--resume]
          publicdata-demo policy eval REQUEST.json [--policy FILE] [--at INSTANT] [--format text|json]
          publicdata-demo policy test SUITE_DIR_OR_FILE… [--policy FILE] [-v] [--format text|json]
          publicdata-demo policy diff OLD_POLICY NEW_POLICY --corpus FILE
          publicdata-demo policy coverage SUITE_DIR_OR_FILE… [--policy FILE]
          publicdata-demo ledger verify DB [--checkpoint FILE]… [--public-key PEM]… [--witness KEY… --quorum K]
          publicdata-demo ledger consistency OLD NEW (--db DB | --proof FILE)
          publicdata-demo ledger prove DB (--position N | --index I) [--checkpoint FILE] [--out FILE]
          publicdata-demo ledger check-proof BUNDLE [--witness KEY… --quorum K]
          publicdata-demo ledger witness-request DB [--old-size N] [--checkpoint FILE] [--out FILE]
          publicdata-demo witness add-checkpoint REQUEST --key PEM --name NAME --origin ORIGIN --log-key KEY
              --state DIR [--out FILE]
          publicdata-demo witness vkey --key PEM --name NAME
          publicdata-demo disclose DB --year YYYY [--format markdown|json]
          publicdata-demo diagram PROCESS

        Every subcommand takes --help. Exit status: 0 success, 1 a check failed, 2 usage or input error.
        """

    /// Runs the tool with `arguments` (without the program name) and returns the exit status.
    public static func run(_ arguments: [String], output: TextOutput) async -> ExitStatus {
        do {
            return try await dispatch(arguments, output: output)
        } catch {
            // A failed demo step is a failed check; anything else (usage, input files, stores) is exit 2.
            output.error("error: \(error)")
            return error is DemoFailure ? .checkFailed : .usage
        }
    }

    static func dispatch(_ arguments: [String], output: TextOutput) async throws -> ExitStatus {
        guard let first = arguments.first else {
            return try await DemoCommand.run([], output: output)
        }
        let rest = Array(arguments.dropFirst())
        switch first {
        case "--help", "-h", "help":
            output.line(overview)
            return .success
        case "run":
            return try await DemoCommand.run(rest, output: output)
        case "policy":
            return try await PolicyCommands.run(rest, output: output)
        case "ledger":
            return try await LedgerCommands.run(rest, output: output)
        case "disclose":
            return try await DiscloseCommand.run(rest, output: output)
        case "witness":
            return try await WitnessCommand.run(rest, output: output)
        case "diagram":
            return try DiagramCommand.run(rest, output: output)
        default:
            if first.hasPrefix("--") { return try await DemoCommand.run(arguments, output: output) }
            throw UsageError("unknown command '\(first)'", command: "--help")
        }
    }

    /// Reads a file, turning a failure into an ``InputError`` naming it.
    ///
    /// A file is read at most `maximumBytes + 1` bytes far: a larger one is refused without being read whole, so
    /// no input costs more memory than the largest documented limit (64 MiB: a proof bundle, an audit export, an
    /// impact corpus; the decoders then apply their own, smaller limits).
    static func read(_ path: String, maximumBytes: Int = readLimit) throws(InputError) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw InputError(file: path, message: "cannot read the file (missing or unreadable)")
        }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw InputError(file: path, message: "cannot read the file (\(error.localizedDescription))")
        }
        guard data.count <= maximumBytes else {
            throw InputError(file: path, message: "the file is larger than the limit of \(maximumBytes) bytes")
        }
        return data
    }

    /// The most bytes the tool reads from one input file: 64 MiB, the largest input limit.
    static let readLimit = 64 << 20
}
