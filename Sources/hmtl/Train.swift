import ArgumentParser
import CKernels
import Distributed
import Foundation
import Tensor
import Training

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the model described by a JSON config (run under mpirun for several ranks).")

    @Option(help: "The JSON config file.")
    var config: String

    @Option(help: "Run folder for checkpoints and metrics.jsonl (default: runs/<config name>).")
    var output: String?

    @Flag(help: "Continue from the latest checkpoint in the output folder (starts fresh when there is none).")
    var resume = false

    @Option(name: .customLong("init-from"), help: ArgumentHelp("Start a new run from a trained checkpoint's parameters and vocabularies, wherever name and shape match (see docs/building-on.md).", valueName: "checkpoint"))
    var initFrom: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value, e.g. --set training.max_steps=500.", valueName: "key=value"))
    var overrides: [String] = []

    @Flag(help: ArgumentHelp(LenientReport.help))
    var lenient = false

    @Option(help: ArgumentHelp("Fail at start-up unless the job has exactly N ranks (overrides the config's world_size); cluster launchers pass their task count.", valueName: "N"))
    var worldSize: Int?

    @Option(help: ArgumentHelp("Instead of training: run the first N steps twice and compare the parameters bit for bit.", valueName: "N"))
    var checkDeterminism: Int?

    func run() throws {
        let config = try loadConfig()
        let communicator = try Communicators.make()
        defer { try? communicator.finalize() }
        hk_install_stop_handler()
        defer { ConsoleOutput.standard.drain(within: 2) }
        let say = ConsoleOutput.standard.line
        try runReportingFailures(communicator) {
            let folder = URL(fileURLWithPath: output ?? "runs/\(URL(fileURLWithPath: self.config).deletingPathExtension().lastPathComponent)")
            try TrainingRun(config: config, folder: folder, resume: resume, initFrom: initFrom.map { URL(fileURLWithPath: $0) }, policy: LenientReport.policy(lenient), communicator: communicator) { event in
                switch event {
                case .skippedCheckpoint(let file, let reason): say("hmtl: --resume: skipped \(file.lastPathComponent): \(reason)")
                case .skippedRecords(let skipped): LenientReport.print(skipped)
                case .ready(let ranks): say("hmtl: \(ranks) rank(s), BLAS: \(BLASKernelSelection.description)")
                case .startingFresh(let folder): say("hmtl: --resume: no checkpoint in \(folder.path) yet, starting fresh")
                case .determinismHashes(let steps, let hashes):
                    say("hmtl: parameter hashes after \(steps) steps, twice: \(hashes.map { String(format: "%016llx", $0) }.joined(separator: " and "))")
                case .deterministic(let steps): say("hmtl: deterministic — bit-identical parameters after \(steps) steps")
                case .done(let steps, let file): say("hmtl: done after \(steps) steps; final checkpoint \(file.path)")
                }
            }.run(checkDeterminism: checkDeterminism)
        }
    }

    private func loadConfig() throws -> RunConfig {
        var loaded: RunConfig?
        try runReportingFailures {
            loaded = try RunConfig.load(path: config, overrides: overrides)
            if let worldSize {
                guard worldSize > 0 else { throw ValidationError("--world-size: expected a positive number of ranks, got \(worldSize)") }
                loaded!.expectedWorldSize = worldSize
            }
        }
        return loaded!
    }
}
