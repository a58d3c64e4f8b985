import PublicDataCommandLine
import Testing

@Suite struct ArgumentsTests {
    let spec = ArgumentSpec(command: "policy test", valued: ["policy", "format"], flags: ["json"], positionals: 1...3)

    @Test func parsesPositionalsOptionsAndFlags() throws {
        let parsed = try ParsedArguments.parse(["suite.json", "--policy", "p.json", "--json", "more"], spec: spec)
        #expect(parsed.positionals == ["suite.json", "more"])
        #expect(parsed.values == ["policy": "p.json"])
        #expect(parsed.flags == ["json"])
    }

    @Test func acceptsInlineValuesAndDoubleDash() throws {
        let parsed = try ParsedArguments.parse(["--format=json", "--", "--weird-name"], spec: spec)
        #expect(parsed.values["format"] == "json")
        #expect(parsed.positionals == ["--weird-name"])
    }

    @Test(
        arguments: [
            (["--nope", "a"], "unknown option '--nope'"),
            (["a", "--policy"], "option '--policy' needs a value"),
            (["a", "--policy", "x", "--policy", "y"], "option '--policy' given twice"),
            (["a", "--json=1"], "option '--json' takes no value"),
            ([], "missing argument(s)"),
            (["a", "b", "c", "d"], "unexpected argument 'd'"),
            (["-x"], "unknown option '-x'"),
        ] as [([String], String)]
    )
    func rejectsBadCommandLines(arguments: [String], message: String) {
        let error = #expect(throws: UsageError.self) { try ParsedArguments.parse(arguments, spec: spec) }
        #expect(error?.message == message)
        #expect(error?.description.contains("publicdata-demo policy test --help") == true)
    }

    @Test func helpSkipsThePositionalCount() throws {
        #expect(try ParsedArguments.parse(["-h"], spec: spec).wantsHelp)
        #expect(try ParsedArguments.parse(["--help"], spec: spec).wantsHelp)
    }
}
