import Checkpoint
import Corpus
import Distributed
import Foundation
import Model
import NN

/// `hmtl train`: a config trained into its run folder — fresh, or resumed from the newest
/// intact checkpoint there — then tested; or, with `checkDeterminism`, its first steps run twice
/// and compared (`DeterminismCheck`).
public struct TrainingRun {
    /// What rank 0 reports as the run goes, for the command line to print.
    public enum Event {
        /// `--resume` passed over a damaged or uncommitted checkpoint.
        case skippedCheckpoint(file: URL, reason: String)
        /// Records a lenient read left out.
        case skippedRecords([(path: String, records: SkippedRecords)])
        /// The inputs are read and the run folder exists.
        case ready(ranks: Int)
        /// `--resume` on a folder without a checkpoint.
        case startingFresh(URL)
        case determinismHashes(steps: Int, hashes: [UInt64])
        case deterministic(steps: Int)
        case done(steps: Int, checkpoint: URL)
    }

    let config: RunConfig
    let folder: URL
    let resume: Bool
    /// `--init-from`: a trained checkpoint whose parameters and vocabularies a fresh run starts from.
    let initFrom: URL?
    let policy: ReadPolicy
    let communicator: Communicator
    /// Called on rank 0 only.
    let report: (Event) -> Void

    public init(config: RunConfig, folder: URL, resume: Bool, initFrom: URL? = nil, policy: ReadPolicy, communicator: Communicator,
                report: @escaping (Event) -> Void) {
        self.config = config
        self.folder = folder
        self.resume = resume
        self.initFrom = initFrom
        self.policy = policy
        self.communicator = communicator
        self.report = report
    }

    public func run(checkDeterminism: Int?) throws {
        try verifyWorldSize(config.expectedWorldSize)
        if !resume, try CheckpointStore.latest(in: folder) != nil {
            throw TrainingError("\(folder.path) already holds a run (it has a checkpoint); pass --resume to continue it or choose another --output")
        }
        // The newest intact checkpoint; damaged or uncommitted newer files are passed over.
        let resumePoint = resume ? try CheckpointStore.latestValid(in: folder) : nil
        if let resumePoint {
            for (file, reason) in resumePoint.skipped { tell(.skippedCheckpoint(file: file, reason: reason)) }
        }
        // Every input is read and checked before the run folder is created, so an input
        // error (a malformed line, a string no checkpoint can store) leaves no trace there.
        // A run started --init-from extends its origin's vocabularies; resumed, it extends its own
        // checkpoint's, which begin with them, and so gets the same ones again.
        let origin = try resumePoint == nil ? initFrom.map { (url: $0, contents: try CheckpointStore.read($0)) } : nil
        let resumed = try resumePoint.map { (url: $0.url, contents: try CheckpointStore.read($0.url)) }
        let base = try (resumed?.contents.origin != nil ? resumed : origin)
            .map { try Vocabularies(namespaces: $0.contents.vocabularies, file: $0.url.lastPathComponent) }
        var data = try RunData.load(config, policy: policy, extending: base)
        tell(.skippedRecords(data.skipped))
        let pretrained = try data.attachPretrained(config)
        if communicator.rank == 0 {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw TrainingError("\(folder.path): cannot create the run folder (\(error.localizedDescription))")
            }
        }
        try communicator.barrier()
        tell(.ready(ranks: communicator.size))
        if let steps = checkDeterminism {
            try self.checkDeterminism(steps: steps, data: data, pretrained: pretrained)
            return
        }
        let trainer = try Trainer(config: config, communicator: communicator, data: data, output: folder, pretrained: pretrained)
        if resume {
            if let resumePoint { try trainer.restore(from: resumePoint.url) } else { tell(.startingFresh(folder)) }
        }
        if let origin { try trainer.initialize(from: origin.contents, url: origin.url) }
        try trainer.agreeAndBroadcast()
        let summary = try trainer.run()
        if !trainer.stopRequested {
            try trainer.testAtEnd()
            trainer.recordEnd(summary)
        }
        if let file = summary.finalCheckpoint { tell(.done(steps: summary.steps, checkpoint: file)) }
    }

    private func tell(_ event: Event) {
        if communicator.rank == 0 { report(event) }
    }

    private func checkDeterminism(steps: Int, data: RunData, pretrained: PretrainedVectors?) throws {
        guard steps > 0 else { throw TrainingError("--check-determinism: expected a positive number of steps, got \(steps)") }
        let scratch = folder.appendingPathComponent("determinism-check")
        if communicator.rank == 0 {
            for attempt in 0..<2 {
                try FileManager.default.createDirectory(at: scratch.appendingPathComponent("attempt-\(attempt)"), withIntermediateDirectories: true)
            }
        }
        try communicator.barrier()
        let outcome = try DeterminismCheck.run(config: config, communicator: communicator, data: data, pretrained: pretrained,
                                               steps: steps, scratch: scratch)
        if communicator.rank == 0 { try? FileManager.default.removeItem(at: scratch) }
        tell(.determinismHashes(steps: steps, hashes: outcome.hashes))
        guard outcome.isDeterministic else {
            throw TrainingError("the two runs differ after \(steps) steps: not deterministic (same seed, \(communicator.size) rank(s), OPENBLAS_NUM_THREADS=\(ProcessInfo.processInfo.environment["OPENBLAS_NUM_THREADS"] ?? "default"))")
        }
        tell(.deterministic(steps: steps))
    }

    /// Checked before anything touches the run folder: a launcher whose PMI the MPI library does
    /// not speak starts N processes that each see a world of 1, and each would train as rank 0
    /// into the same folder. (The trainer's start-up agreement checks it again.)
    private func verifyWorldSize(_ expected: Int?) throws {
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
