import ArgumentParser

@main
struct HMTL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmtl",
        abstract: "Train and use the hierarchical multi-task model of Sanh, Wolf & Ruder (AAAI 2019).",
        subcommands: [Train.self, Evaluate.self, CheckpointCommand.self, Bench.self, MPISelfTest.self])
}
