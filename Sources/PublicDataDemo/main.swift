// publicdata-demo: runs a whole Beijing finance-zone authorization lifecycle, and the policy, ledger,
// disclosure and diagram tools. `publicdata-demo --help` lists the subcommands.
import Foundation
import PublicDataCommandLine

let status = await PublicDataTool.run(Array(CommandLine.arguments.dropFirst()), output: TextOutput(capture: false))
exit(status.rawValue)
