import ArgumentParser
import CKernels
import Checkpoint
import Distributed
import Foundation
import NN
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
        try runReportingFailures(communicator) {
            try verifyWorldSize(config.expectedWorldSize, on: communicator)
            let folder = URL(fileURLWithPath: output ?? "runs/\(URL(fileURLWithPath: self.config).deletingPathExtension().lastPathComponent)")
            if !resume, try CheckpointStore.latest(in: folder) != nil {
                throw ValidationError("\(folder.path) already holds a run (it has a checkpoint); pass --resume to continue it or choose another --output")
            }
            // The newest intact checkpoint; damaged or uncommitted newer files are passed over.
            let resumePoint = resume ? try CheckpointStore.latestValid(in: folder) : nil
            if communicator.rank == 0, let resumePoint {
                for (file, reason) in resumePoint.skipped { print("hmtl: --resume: skipped \(file.lastPathComponent): \(reason)") }
            }
            // Every input is read and checked before the run folder is created, so an input
            // error (a malformed line, a string no checkpoint can store) leaves no trace there.
            var data = try RunData.load(config, policy: LenientReport.policy(lenient))
            if communicator.rank == 0 { LenientReport.print(data.skipped) }
            let pretrained = try data.attachPretrained(config)
            if communicator.rank == 0 {
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw ValidationError("\(folder.path): cannot create the run folder (\(error.localizedDescription))")
                }
            }
            try communicator.barrier()
            if communicator.rank == 0 { print("hmtl: \(communicator.size) rank(s), BLAS: \(BLASKernelSelection.description)") }
            if let steps = checkDeterminism {
                try checkDeterminism(steps: steps, config: config, communicator: communicator, data: data, pretrained: pretrained, folder: folder)
                return
            }
            let trainer = try Trainer(config: config, communicator: communicator, data: data, output: folder, pretrained: pretrained)
            if resume {
                if let resumePoint { try trainer.restore(from: resumePoint.url) } else if communicator.rank == 0 {
                    print("hmtl: --resume: no checkpoint in \(folder.path) yet, starting fresh")
                }
            }
            try trainer.agreeAndBroadcast()
            let summary = try trainer.run()
            if !trainer.stopRequested {
                try trainer.testAtEnd()
                trainer.recordEnd(summary)
            }
            if communicator.rank == 0, let file = summary.finalCheckpoint {
                print("hmtl: done after \(summary.steps) steps; final checkpoint \(file.path)")
            }
        }
    }

    private func checkDeterminism(steps: Int, config: RunConfig, communicator: Communicator, data: RunData,
                                  pretrained: PretrainedVectors?, folder: URL) throws {
        guard steps > 0 else { throw ValidationError("--check-determinism: expected a positive number of steps, got \(steps)") }
        let scratch = folder.appendingPathComponent("determinism-check")
        if communicator.rank == 0 {
            for attempt in 0..<2 {
                try FileManager.default.createDirectory(at: scratch.appendingPathComponent("attempt-\(attempt)"), withIntermediateDirectories: true)
            }
        }
        try communicator.barrier()
        let outcome = try DeterminismCheck.run(config: config, communicator: communicator, data: data, pretrained: pretrained,
                                               steps: steps, scratch: scratch)
        if communicator.rank == 0 {
            try? FileManager.default.removeItem(at: scratch)
            let hashes = outcome.hashes.map { String(format: "%016llx", $0) }.joined(separator: " and ")
            print("hmtl: parameter hashes after \(steps) steps, twice: \(hashes)")
        }
        guard outcome.isDeterministic else {
            throw TrainingError("the two runs differ after \(steps) steps: not deterministic (same seed, \(communicator.size) rank(s), OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"))")
        }
        if communicator.rank == 0 { print("hmtl: deterministic — bit-identical parameters after \(steps) steps") }
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

    /// Checked before anything touches the run folder: a launcher whose PMI the MPI library does
    /// not speak starts N processes that each see a world of 1, and each would train as rank 0
    /// into the same folder. (The trainer's start-up agreement checks it again.)
    private func verifyWorldSize(_ expected: Int?, on communicator: Communicator) throws {
        do {
            try AgreementCheck(fields: [], expectedWorldSize: expected).verify(on: communicator)
        } catch let error as DistributedError where communicator.size == 1 {
            throw DistributedError(error.message + Self.launcherHint(expected: expected ?? 1, ProcessInfo.processInfo.environment))
        }
    }

    /// What to change, judged from the variables the launcher left (or did not leave).
    static func launcherHint(expected: Int, _ environment: [String: String]) -> String {
        if Communicators.isLaunchedByMPI(environment: environment) {
            return "; check that mpirun is the one of the OpenMPI hmtl links (ompi_info), or use srun --mpi=pmix"
        }
        if environment["SLURM_JOB_ID"] != nil {
            return "; under Slurm launch with srun --mpi=pmix (or --mpi=pmi2; srun --mpi=list shows what is available)"
        }
        return "; no MPI launcher started this process: run it under mpirun -np \(expected) or srun --mpi=pmix"
    }
}
