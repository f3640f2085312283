import ArgumentParser
import Checkpoint
import Foundation

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint", abstract: "Look into checkpoint files.", subcommands: [Inspect.self])

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a checkpoint's metadata and parameter table.")

        @Argument(help: "The checkpoint file.")
        var file: String

        func run() throws {
            try runReportingFailures { print(try CheckpointStore.describe(URL(fileURLWithPath: file))) }
        }
    }
}
