import ArgumentParser
import CKernels
import Foundation
import Tensor

@main
struct HMTL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmtl",
        abstract: "Train and use the hierarchical multi-task model of Sanh, Wolf & Ruder (AAAI 2019).",
        subcommands: [Train.self, Evaluate.self, Predict.self, Embed.self, Score.self, CheckpointCommand.self, Bench.self, Report.self, Experiment.self, MPISelfTest.self])

    static func main() {
        BLASKernelSelection.restartWithBetterKernelIfNeeded()
        hk_keep_large_allocations_in_heap()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            // Bad input exits 2 everywhere, command-line mistakes included (ArgumentParser's
            // own code for them is 64); help requests and explicit exit codes pass through.
            let code = exitCode(for: error)
            guard code == .validationFailure else { exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
    }
}
