/// A command line that could not be understood; the tool prints it and exits with status 2.
public struct UsageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var message: String
    /// The command whose usage applies (e.g. `"policy test"`), for the help hint.
    public var command: String

    /// Creates a usage error.
    public init(_ message: String, command: String) {
        self.message = message
        self.command = command
    }

    /// The message and a hint to `--help`.
    public var description: String { "\(message)\nRun 'publicdata-demo \(command) --help' for usage." }
}

/// The options a subcommand accepts: which take a value and which are flags.
public struct ArgumentSpec: Sendable {
    /// The command's name, e.g. `"policy diff"`.
    public var command: String
    /// Options that take a value (`--policy FILE`), without the dashes.
    public var valued: Set<String>
    /// Options that are switches (`--json`), without the dashes.
    public var flags: Set<String>
    /// Options that take a value and may be given more than once (`--checkpoint A --checkpoint B`).
    public var repeatable: Set<String>
    /// The fewest positional arguments allowed.
    public var minimumPositionals: Int
    /// The most positional arguments allowed (`nil` = unlimited).
    public var maximumPositionals: Int?

    /// Creates a spec.
    public init(
        command: String,
        valued: Set<String> = [],
        flags: Set<String> = [],
        repeatable: Set<String> = [],
        positionals: ClosedRange<Int> = 0...0
    ) {
        self.command = command
        self.valued = valued.union(repeatable)
        self.flags = flags.union(["help"])
        self.repeatable = repeatable
        self.minimumPositionals = positionals.lowerBound
        self.maximumPositionals = positionals.upperBound == Int.max ? nil : positionals.upperBound
    }
}

/// Parsed arguments of one subcommand.
public struct ParsedArguments: Sendable, Hashable {
    /// Positional arguments in order.
    public var positionals: [String] = []
    /// Valued options by name.
    public var values: [String: String] = [:]
    /// Flags that were given.
    public var flags: Set<String> = []
    /// Every value of each repeatable option, in order (see ``ArgumentSpec/repeatable``).
    public var lists: [String: [String]] = [:]

    /// Whether `--help` (or `-h`) was given.
    public var wantsHelp: Bool { flags.contains("help") }

    /// Parses `arguments` against `spec`.
    ///
    /// Accepts `--name value`, `--name=value`, flags, `-h`, `-v` (for commands with `--verbose`), and `--` to end options. Unknown options, a
    /// missing value, a repeated option and a wrong number of positionals are usage errors. With `--help` the
    /// positional count is not checked.
    /// - Throws: ``UsageError``.
    public static func parse(_ arguments: [String], spec: ArgumentSpec) throws(UsageError) -> ParsedArguments {
        var result = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                result.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }
            if argument == "-h" {
                result.flags.insert("help")
                continue
            }
            if argument == "-v", spec.flags.contains("verbose") {
                result.flags.insert("verbose")
                continue
            }
            guard argument.hasPrefix("--") else {
                throw UsageError("unknown option '\(argument)'", command: spec.command)
            }
            var name = String(argument.dropFirst(2))
            var inlineValue: String?
            if let equals = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if spec.flags.contains(name) {
                guard inlineValue == nil else {
                    throw UsageError("option '--\(name)' takes no value", command: spec.command)
                }
                result.flags.insert(name)
            } else if spec.valued.contains(name) {
                guard result.values[name] == nil || spec.repeatable.contains(name) else {
                    throw UsageError("option '--\(name)' given twice", command: spec.command)
                }
                if let inlineValue {
                    result.values[name] = inlineValue
                    result.lists[name, default: []].append(inlineValue)
                } else {
                    guard index < arguments.count else {
                        throw UsageError("option '--\(name)' needs a value", command: spec.command)
                    }
                    result.values[name] = arguments[index]
                    result.lists[name, default: []].append(arguments[index])
                    index += 1
                }
            } else {
                throw UsageError("unknown option '--\(name)'", command: spec.command)
            }
        }
        if !result.wantsHelp {
            if result.positionals.count < spec.minimumPositionals {
                throw UsageError("missing argument(s)", command: spec.command)
            }
            if let maximum = spec.maximumPositionals, result.positionals.count > maximum {
                throw UsageError(
                    "unexpected argument '\(result.positionals[maximum])'",
                    command: spec.command
                )
            }
        }
        return result
    }
}
