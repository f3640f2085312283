import ArgumentParser
import Checkpoint
import Distributed
import Foundation
import NN
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

    @Option(name: .customLong("set"), help: ArgumentHelp("Override a config value, e.g. --set training.max_steps=500.", valueName: "key=value"))
    var overrides: [String] = []

    func run() throws {
        let config = try loadConfig()
        let communicator = try Communicators.make()
        defer { try? communicator.finalize() }
        try runReportingFailures(communicator) {
            let folder = URL(fileURLWithPath: output ?? "runs/\(URL(fileURLWithPath: self.config).deletingPathExtension().lastPathComponent)")
            if !resume, try CheckpointStore.latest(in: folder) != nil {
                throw ValidationError("\(folder.path) already holds a run (it has a checkpoint); pass --resume to continue it or choose another --output")
            }
            // The newest intact checkpoint; damaged or uncommitted newer files are passed over.
            let resumePoint = resume ? try CheckpointStore.latestValid(in: folder) : nil
            if communicator.rank == 0, let resumePoint {
                for (file, reason) in resumePoint.skipped { print("hmtl: --resume: skipped \(file.lastPathComponent): \(reason)") }
            }
            if communicator.rank == 0 {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            try communicator.barrier()
            let data = try RunData.load(config)
            let pretrained = try config.glove.map {
                try PretrainedVectors.read(path: $0, dimension: config.embedder.wordDimension, vocabulary: data.vocabularies.words.entries)
            }
            let trainer = try Trainer(config: config, communicator: communicator, data: data, output: folder, pretrained: pretrained)
            if resume {
                if let resumePoint { try trainer.restore(from: resumePoint.url) } else if communicator.rank == 0 {
                    print("hmtl: --resume: no checkpoint in \(folder.path) yet, starting fresh")
                }
            }
            try trainer.agreeAndBroadcast()
            let summary = try trainer.run()
            try trainer.testAtEnd()
            if communicator.rank == 0, let file = summary.finalCheckpoint {
                print("hmtl: done after \(summary.steps) steps; final checkpoint \(file.path)")
            }
        }
    }

    private func loadConfig() throws -> RunConfig {
        var loaded: RunConfig?
        try runReportingFailures { loaded = try RunConfig.load(path: config, overrides: overrides) }
        return loaded!
    }
}
