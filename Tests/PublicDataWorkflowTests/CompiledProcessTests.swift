import Testing

@testable import PublicDataWorkflow

/// The engine reads each process's specs from tables built once; they must be exactly what the process declares.
@Suite struct CompiledProcessTests {
    static func check<P: WorkflowProcess>(_ process: P.Type) -> Int {
        let compiled = CompiledProcess<P>.shared
        #expect(compiled === CompiledProcess<P>.shared)
        for name in P.Command.Name.allCases {
            #expect(compiled.spec(name) == name.spec, "\(P.kind) \(name.rawValue)")
        }
        for kind in P.Event.Kind.allCases {
            let (table, declared) = (compiled.spec(kind), P.spec(kind))
            #expect(table.trigger == declared.trigger && table.from == declared.from && table.to == declared.to)
            #expect(table.opens == declared.opens && table.closes == declared.closes, "\(kind.rawValue)")
        }
        return P.Command.Name.allCases.count
    }

    @Test func tablesMatchTheDeclarations() {
        var commands = 0
        for process in Processes.types { commands += Self.check(process) }
        #expect(commands == CommandName.allCases.count)
    }
}
