enum DemoCommand {
    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus { .usage }
}
enum DiscloseCommand {
    static func run(_ arguments: [String], output: TextOutput) async throws -> ExitStatus { .usage }
}
enum DiagramCommand {
    static func run(_ arguments: [String], output: TextOutput) throws -> ExitStatus { .usage }
}
