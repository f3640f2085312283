import Distributed
import Foundation
import Reports
import Training

/// `hmtl bench --config FILE --epochs N`: the real workload. The trainer itself runs N epochs
/// of the config (an epoch being the sum of its tasks' batches, as validation counts it) on
/// the job's ranks, into a scratch folder, and the line reports where the time went, per task
/// (updates, ms per update, tokens/s, share) and for validation, from its `metrics.jsonl`.
public struct EpochBenchmark {
    public let config: RunConfig
    public let epochs: Int

    public init(config: RunConfig, epochs: Int) {
        self.config = config
        self.epochs = epochs
    }

    /// Trains in a scratch folder named by rank 0's pid (every rank must write to the same one),
    /// removed afterwards; returns the JSON line on rank 0, nil on the others.
    public func runInScratch(communicator: Communicator, environment: [String: String]) throws -> [String: Any]? {
        let pid = try communicator.allgather(Int64(getpid()))[0]
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-bench-epochs-\(pid)")
        defer {
            if communicator.rank == 0 { try? FileManager.default.removeItem(at: scratch) }
        }
        let line = try run(communicator: communicator, scratch: scratch, environment: environment)
        try communicator.barrier()
        return communicator.rank == 0 ? line : nil
    }

    /// Trains in `scratch` (left for the caller to remove) and returns rank 0's JSON line.
    func run(communicator: Communicator, scratch: URL, environment: [String: String]) throws -> [String: Any] {
        var data = try RunData.load(config)
        let pretrained = try data.attachPretrained(config)
        if communicator.rank == 0 { try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true) }
        try communicator.barrier()
        // An epoch: every task's batches once (the trainer's validation period).
        let epochSteps = data.train.reduce(0) { sum, entry in
            sum + TaskStream.batchesPerEpoch(examples: entry.value.count, globalBatch: config.tasks[entry.key]!.batchSize * communicator.size)
        }
        var timed = config
        timed.schedule.maxSteps = epochs * epochSteps
        timed.schedule.validateEvery = epochSteps
        timed.schedule.checkpointEvery = timed.schedule.maxSteps
        timed.schedule.logEvery = max(1, min(100, epochSteps))
        // Early stopping would end a benchmark early; the learning rate does not change its cost.
        timed.schedule.patience = Int.max / 2
        let trainer = try Trainer(config: timed, communicator: communicator, data: data, output: scratch, pretrained: pretrained, quiet: true)
        try trainer.agreeAndBroadcast()
        let started = Date()
        _ = try trainer.run()
        let wall = Date().timeIntervalSince(started)
        guard communicator.rank == 0 else { return [:] }
        let metrics = try RunMetrics.read(scratch.appendingPathComponent("metrics.jsonl"))
        let times = metrics.timeByTask
        let training = times.values.reduce(0) { $0 + $1.seconds }
        var tasks: [String: Any] = [:]
        for (task, t) in times {
            tasks[task] = ["updates": t.updates, "ms_per_step": t.millisecondsPerUpdate, "tokens_per_s": t.tokensPerSecond,
                           "share": t.seconds / max(training + metrics.validationSeconds, 1e-9)]
        }
        var line: [String: Any] = [
            "kind": "epochs", "config": config.origin.name, "epochs": epochs, "steps": timed.schedule.maxSteps,
            "steps_per_epoch": epochSteps, "ranks": communicator.size, "tasks": tasks,
            "examples": Dictionary(uniqueKeysWithValues: data.train.map { ($0.key.rawValue, $0.value.count) }),
            "training_s": training, "validation_s": metrics.validationSeconds, "wall_s": wall,
            "seconds_per_epoch": (training + metrics.validationSeconds) / Double(epochs),
        ]
        line.merge(BenchmarkMachine.fields(environment: environment)) { $1 }
        return line
    }
}
