import ArgumentParser
import CKernels

@main
struct HMTL: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hmtl",
        abstract: "Train and use the hierarchical multi-task model of Sanh, Wolf & Ruder (AAAI 2019).",
        subcommands: [Train.self, Evaluate.self, Score.self, CheckpointCommand.self, Bench.self, MPISelfTest.self])

    static func main() {
        hk_keep_large_allocations_in_heap()
        main(nil)
    }
}
