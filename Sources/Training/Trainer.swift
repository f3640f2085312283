import CKernels
import Checkpoint
import Corpus
import Dispatch
import Distributed
import Foundation
import Model
import NN
import Tensor

/// The data-parallel training loop (docs/design.md, "One training step"): sample a task, run this
/// rank's shard of the task's next global batch forward and backward, sum the gradients of
/// the task's arena ranges over ranks, clip, take the task's Adam step (that update is
/// `UpdateStep`, which `hmtl bench` runs too); validate, log and checkpoint on schedule. The
/// trainer knows tasks and ranges, never a layer.
public final class Trainer {
    public let config: RunConfig
    public let communicator: Communicator
    public let model: HierarchicalModel
    public let arena: ParameterArena
    public let data: RunData
    let output: URL
    let log: RunLog

    public internal(set) var step = 0
    /// The checkpoint this run was started from (`--init-from`), recorded in its checkpoints.
    public internal(set) var origin: CheckpointOrigin?
    var sampler: TaskSampler
    var optimizers: [Task: Adam] = [:]
    var streams: [Task: TaskStream] = [:]
    var stopping: [Task: EarlyStopping] = [:]
    var plateaus: [Task: PlateauSchedule] = [:]
    var skippedSteps = 0, consecutiveSkips = 0
    /// Some rank got SIGTERM or SIGINT: finish this step, checkpoint, stop.
    public internal(set) var stopRequested = false
    let watchdog: Watchdog
    /// The update itself, shared with `Benchmark`.
    let update: UpdateStep

    /// `quiet`: no progress lines on the console (metrics.jsonl is written all the same).
    public init(config: RunConfig, communicator: Communicator, data: RunData, output: URL, pretrained: PretrainedVectors?,
                quiet: Bool = false) throws {
        self.config = config
        self.communicator = communicator
        self.data = data
        self.output = output
        model = HierarchicalModel(settings: config.modelSettings, vocabularies: data.vocabularies)
        arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: config.seed, pretrained: pretrained)
        log = try RunLog(directory: output, quiet: communicator.rank != 0, console: !quiet)
        watchdog = Watchdog(timeout: config.schedule.stallTimeout, rank: communicator.rank)
        update = UpdateStep(model: model, arena: arena, communicator: communicator, schedule: config.schedule, seed: config.seed)

        let tasks = model.tasks
        var streams: [Task: TaskStream] = [:]
        for task in tasks {
            guard let examples = data.train[task], examples.count > 0 else {
                throw TrainingError("\(config.trainingPlace(of: task)): task \(task.rawValue) has no training examples (\(LevelKinds.kind(of: task).exampleDescription))")
            }
            let global = config.tasks[task]!.batchSize * communicator.size
            streams[task] = TaskStream(task: task, lengths: examples.lengths, globalBatch: global, seed: config.seed)
            optimizers[task] = update.makeOptimizer(for: task)
            stopping[task] = EarlyStopping(patience: config.schedule.patience)
            plateaus[task] = PlateauSchedule(factor: config.schedule.learningRateFactor, patience: config.schedule.learningRatePatience,
                                             threshold: config.schedule.learningRateThreshold)
        }
        // A task whose every block is frozen is validated and tested, never drawn.
        let trained = tasks.filter { [model] in !model.trainableRanges(for: $0).isEmpty }
        guard !trained.isEmpty else {
            throw TrainingError("\(config.origin.name): the embedder and every level are frozen (\"trainable\": false): nothing to train")
        }
        sampler = TaskSampler(tasks: trained, weights: Trainer.samplingWeights(trained, streams, config.schedule.sampling), seed: config.seed)
        self.streams = streams
    }

    /// The sampler's weight per task (see `TaskSampling.weight`).
    static func samplingWeights(_ tasks: [Task], _ streams: [Task: TaskStream], _ sampling: TaskSampling) -> [Int] {
        tasks.map { sampling.weight(examples: streams[$0]!.lengths.count, globalBatch: streams[$0]!.globalBatch) }
    }

    /// An "epoch" is the sum of the trained tasks' batches per epoch (the reference's validation
    /// period); it depends on the global batches, never on the world size.
    var stepsPerEpoch: Int { sampler.tasks.reduce(0) { $0 + streams[$1]!.batchesPerEpoch } }

    var validateEvery: Int { config.schedule.validateEvery ?? stepsPerEpoch }

    /// The step training ends at unless a stopping rule ends it sooner: `max_steps`, or
    /// `max_epochs` epochs when that comes first.
    var lastStep: Int {
        guard let epochs = config.schedule.maxEpochs else { return config.schedule.maxSteps }
        return min(config.schedule.maxSteps, epochs * stepsPerEpoch)
    }

    /// Start-up agreement, then rank 0's initial parameters go to every rank.
    public func agreeAndBroadcast() throws {
        let check = AgreementCheck(
            fields: [
                AgreementField("config hash", Int64(bitPattern: config.fingerprint)),
                AgreementField("vocabulary hash", Int64(bitPattern: data.vocabularies.fingerprint)),
                AgreementField("vectors file checksum", Int64(bitPattern: data.vectorsFile?.checksum ?? 0)),
                AgreementField("parameter count", Int64(arena.count)),
                AgreementField("resume step", Int64(step)),
            ],
            expectedWorldSize: config.expectedWorldSize)
        try check.verify(on: communicator)
        try communicator.broadcast(arena.values.baseAddress!, count: arena.count, root: 0)
        // Rank 0's clock and pid name this job in the progress stamps (older jobs' are ignored).
        let job = try communicator.allgather(Int64(DispatchTime.now().uptimeNanoseconds & 0x7fff_ffff_ffff_ffff) ^ Int64(getpid()))[0]
        watchdog.publish(to: Heartbeats(output: output, job: job, rank: communicator.rank, worldSize: communicator.size))
    }

    public struct Summary: Sendable {
        public var steps: Int
        public var finalCheckpoint: URL?
        public var best: [Task: Double]
        public var reason: StopReason
    }

    /// What ended the training loop.
    public enum StopReason: String, Sendable {
        /// Every task ran out of patience.
        case patience
        /// Every task's learning rate fell below `min_lr`.
        case minimumLearningRate = "min_lr"
        /// The caps: `max_epochs` epochs, or `max_steps` steps.
        case maxEpochs = "max_epochs"
        case maxSteps = "max_steps"
        /// SIGTERM or SIGINT: checkpointed, to be resumed.
        case signal
    }

    /// Trains until `lastStep` or until a stopping rule ends the run.
    public func run() throws -> Summary {
        let schedule = config.schedule
        let lastStep = lastStep
        log.say("hmtl: training \(model.tasks.map(\.rawValue).joined(separator: ", ")) on \(communicator.size) rank(s), "
            + "\(arena.count) parameters, steps \(step)..<\(lastStep) (\(stepsPerEpoch) per epoch), output \(output.path)")
        var start: [String: Any] = ["kind": "start", "step": step, "world_size": communicator.size, "steps_per_epoch": stepsPerEpoch,
                                    "hmtl_version": hmtlVersion]
        start.merge(BenchmarkMachine.fields(environment: ProcessInfo.processInfo.environment)) { $1 }
        log.record(start)
        var window = LogWindow()
        var lastCheckpoint: URL?  // rank 0 only
        var checkpointedStep = -1
        while step < lastStep, !shouldStop {
            let started = DispatchTime.now().uptimeNanoseconds
            let (task, tokens, loss, examples) = try trainStep()
            window.add(task, tokens: tokens, loss: loss, examples: examples,
                       seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9)
            if step % schedule.logEvery == 0 || step == lastStep {
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - window.start) / 1e9
                let rate = window.tokens / max(seconds, 1e-9)
                let eta = seconds / Double(window.steps) * Double(lastStep - step)
                let losses = window.lossPerExample
                let shown = model.tasks.compactMap { t in losses[t].map { String(format: "%@ %.4f", t.rawValue, $0) } }
                log.say(String(format: "step %6d | loss %@ | %8.0f tok/s | ETA %@",
                               step, shown.joined(separator: "  "), rate, formatDuration(eta)))
                log.record(["kind": "train", "step": step, "loss": Dictionary(uniqueKeysWithValues: losses.map { ($0.key.rawValue, $0.value) }),
                            "steps_per_task": Dictionary(uniqueKeysWithValues: window.stepsPerTask.map { ($0.key.rawValue, $0.value) }),
                            "ms_per_step": Dictionary(uniqueKeysWithValues: window.millisecondsPerStep.map { ($0.key.rawValue, $0.value) }),
                            "tokens_per_task": Dictionary(uniqueKeysWithValues: window.tokensPerTask.map { ($0.key.rawValue, $0.value) }),
                            "tokens_per_second": rate, "seconds": seconds,
                            "lr": Dictionary(uniqueKeysWithValues: optimizers.map { ($0.key.rawValue, $0.value.learningRate) })])
                window = LogWindow()
            }
            if step % validateEvery == 0 || step == lastStep { try validate() }
            if step % schedule.checkpointEvery == 0 || step == lastStep || shouldStop {
                lastCheckpoint = try saveCheckpoint()
                checkpointedStep = step
            }
        }
        if checkpointedStep != step { lastCheckpoint = try saveCheckpoint() }
        if allTasksStopped { log.say("hmtl: every trained task is out of patience; stopped at step \(step)") }
        if stopRequested {
            log.say("hmtl: stop signal received; checkpointed step \(step), resume with --resume")
            // In the run's own log too: mpirun may drop a stopping rank's console lines.
            log.record(["kind": "stop", "reason": StopReason.signal.rawValue, "step": step, "file": lastCheckpoint?.lastPathComponent ?? ""])
        }
        if allRatesSpent { log.say("hmtl: every task's learning rate fell below \(schedule.minimumLearningRate); stopped at step \(step)") }
        let reason: StopReason = stopRequested ? .signal : allTasksStopped ? .patience : allRatesSpent ? .minimumLearningRate
            : step < schedule.maxSteps ? .maxEpochs : .maxSteps
        return Summary(steps: step, finalCheckpoint: lastCheckpoint, best: stopping.mapValues(\.best), reason: reason)
    }

    /// Training statistics since the last log line, per task.
    struct LogWindow {
        let start = DispatchTime.now().uptimeNanoseconds
        var steps = 0, tokens = 0.0
        var stepsPerTask: [Task: Int] = [:], tokensPerTask: [Task: Double] = [:]
        private var loss: [Task: Double] = [:], examples: [Task: Double] = [:], seconds: [Task: Double] = [:]

        mutating func add(_ task: Task, tokens: Double, loss: Double, examples: Double, seconds: Double) {
            steps += 1
            self.tokens += tokens
            stepsPerTask[task, default: 0] += 1
            tokensPerTask[task, default: 0] += tokens
            self.seconds[task, default: 0] += seconds
            self.loss[task, default: 0] += loss
            self.examples[task, default: 0] += examples
        }

        /// Wall time of a step of each task (its update, reduction included): where a run's time goes.
        var millisecondsPerStep: [Task: Double] {
            Dictionary(uniqueKeysWithValues: seconds.map { ($0.key, 1000 * $0.value / Double(stepsPerTask[$0.key]!)) })
        }

        /// Loss per example (sentence, document; RE: per batch, its loss being a mean already).
        var lossPerExample: [Task: Double] {
            Dictionary(uniqueKeysWithValues: loss.map { ($0.key, $0.value / max(examples[$0.key] ?? 1, 1)) })
        }
    }

    /// The reference's stopping rules: every task out of patience, or every rate below the minimum.
    var shouldStop: Bool { allTasksStopped || allRatesSpent || stopRequested }

    var allRatesSpent: Bool {
        !optimizers.isEmpty && sampler.tasks.allSatisfy { optimizers[$0]!.learningRate < config.schedule.minimumLearningRate }
    }

    /// A wholly frozen task (never drawn) keeps its dev score, so only the drawn tasks count.
    var allTasksStopped: Bool { !sampler.tasks.isEmpty && sampler.tasks.allSatisfy { stopping[$0]!.isExhausted } }

    /// One update: draws the task, takes this rank's shard of the task's next global batch and
    /// runs the shared `UpdateStep` on it. Returns the task and the global token count, summed
    /// loss and example count (zeros for a dropped non-finite step).
    func trainStep() throws -> (Task, Double, Double, Double) {
        var task = sampler.next()
        if config.faultInjection.desyncStep == step, config.faultInjection.desyncRank == communicator.rank { task = sampler.next() }
        // What the heartbeat says: training, or waiting for the other ranks (see `Heartbeats`).
        let beat = { [watchdog, step, task] (waiting: Bool) in
            watchdog.beat(waiting ? "\(Heartbeats.waiting) in the gradient allreduce of step \(step + 1) (\(task.rawValue))"
                                  : "training step \(step + 1) (\(task.rawValue))")
        }
        beat(false)
        let global = streams[task]!.next()
        let local = BatchPlan.shard(global, rank: communicator.rank, worldSize: communicator.size)
        let examples = data.train[task]!
        // A document takes one pass (the reference's batch of 1); a larger batch is the sum of its
        // documents' passes. Sentences take the whole local batch at once.
        let groups = LevelKinds.kind(of: task).examplesAreDocuments ? local.map { [$0] } : [local]
        let started = DispatchTime.now().uptimeNanoseconds
        let batches = groups.map { examples.batch($0, vocabularies: data.vocabularies) }
        let poisoned = config.faultInjection.nanSteps.contains(step) && config.faultInjection.nanRank == communicator.rank
        let outcome = try update.run(task, step: step, batches: batches, optimizer: &optimizers[task]!,
                                     stopRequested: { hk_stop_requested() != 0 }, injectNonFinite: poisoned, beforeReduction: {
            let slow = config.faultInjection.slowStepMilliseconds
            if slow > 0 { Self.sleep(until: started + UInt64(slow) * 1_000_000) }
            if config.verifyCollectives {
                beat(true)
                try verifyCollective(task: task, ranges: model.trainableRanges(for: task))
                beat(false)
            }
        }, waitingForRanks: beat)
        if outcome.stopRequested { stopRequested = true }
        guard outcome.applied else {
            try countSkippedStep(task)
            return (task, 0, 0, 0)
        }
        consecutiveSkips = 0
        step += 1
        return (task, outcome.tokens, outcome.loss, outcome.lossIsNormalised ? 1 : outcome.examples)
    }

    /// Sleeps until the uptime clock reaches `deadline` (ns); a signal handler interrupting the
    /// sleep does not cut it short, so a slowed step really is as long as asked.
    static func sleep(until deadline: UInt64) {
        var now = DispatchTime.now().uptimeNanoseconds
        while now < deadline {
            usleep(useconds_t(min((deadline - now) / 1000, 100_000)))
            now = DispatchTime.now().uptimeNanoseconds
        }
    }

    /// Debug check before the gradient allreduce: every rank must be at the same step, on the
    /// same task, reducing the same ranges — a disagreement would otherwise sum unrelated
    /// buffers or hang. One small min/max reduction; on in the tests.
    func verifyCollective(task: Task, ranges: [Range<Int>]) throws {
        // Fixed length, so that even disagreeing ranks reduce buffers of the same size.
        let first = ranges.first ?? 0..<0, last = ranges.last ?? 0..<0
        let mine: [Int64] = [Int64(step), Int64(task.seedID), Int64(ranges.count), Int64(ranges.reduce(0) { $0 + $1.count }),
                             Int64(first.lowerBound), Int64(first.upperBound), Int64(last.lowerBound), Int64(last.upperBound)]
        var low = mine, high = mine
        try communicator.allreduceMin(&low)
        try communicator.allreduceMax(&high)
        guard low == high else {
            throw TrainingError("rank \(communicator.rank) disagrees with another rank before the gradient allreduce: "
                + "this rank is at step \(step + 1), task \(task.rawValue), ranges \(ranges); ranks span \(low) ... \(high)")
        }
    }

    /// Counts a step `UpdateStep` dropped for a non-finite loss or gradient; too many in a row
    /// stop the run — something is wrong with the data or the learning rate.
    func countSkippedStep(_ task: Task) throws {
        skippedSteps += 1
        consecutiveSkips += 1
        log.say("step \(step + 1) | \(task.rawValue) | non-finite loss or gradient: step skipped (\(consecutiveSkips) in a row, \(skippedSteps) in all)")
        log.record(["kind": "skipped", "step": step + 1, "task": task.rawValue, "consecutive": consecutiveSkips, "total": skippedSteps])
        step += 1
        if consecutiveSkips >= config.schedule.maxConsecutiveSkips {
            throw TrainingError("\(consecutiveSkips) consecutive steps had a non-finite loss or gradient (last: step \(step), task \(task.rawValue)); stopping — check the data and the learning rate")
        }
    }

    func validate() throws {
        for task in model.tasks {
            let started = DispatchTime.now().uptimeNanoseconds
            watchdog.beat("validating \(task.rawValue) after step \(step)")
            guard let dev = data.dev[task], dev.count > 0 else { continue }
            let evaluator = Evaluator(model: model, arena: arena, batchSize: config.tasks[task]!.batchSize)
            let result = try evaluator.evaluate(task, examples: dev, communicator: communicator) {
                watchdog.beat("validating \(task.rawValue) after step \(step)")
            }
            let improved = stopping[task]!.record(result.score, step: step)
            if improved { try saveBest(task) }
            // A wholly frozen task's score cannot move: no plateau, no patience to spend.
            let drawn = sampler.tasks.contains(task)
            let rate = optimizers[task]!.learningRate
            if drawn { optimizers[task]!.learningRate = plateaus[task]!.record(result.score, learningRate: rate) }
            if optimizers[task]!.learningRate != rate {
                log.say("hmtl: \(task.rawValue): dev score on a plateau, learning rate \(rate) → \(optimizers[task]!.learningRate)")
            }
            let loss = result.loss.map { String(format: " | loss %.4f", $0 / Double(max(result.examples, 1))) } ?? ""
            var strict = ""
            if case .relations(let m) = result.metrics { strict = String(format: " | strict F1 %.2f", 100 * m.overall(.strict).f1) }
            log.say(String(format: "validation step %d | %@ | F1 %.2f", step, task.rawValue, 100 * result.score) + strict + loss
                    + (improved ? " | best" : drawn ? " | patience \(stopping[task]!.badValidations)/\(config.schedule.patience)" : " | frozen"))
            var record = result.record
            record.merge(["kind": "validation", "step": step, "task": task.rawValue, "best": stopping[task]!.best,
                          "learning_rate": optimizers[task]!.learningRate,
                          "seconds": Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9]) { $1 }
            log.record(record)
        }
    }
}

extension Trainer {
    /// Final scores on each task's test split (when the config names one), with the parameters
    /// of the task's best validation (`best-<task>.h5`; the final ones when there is none).
    public func testAtEnd() throws {
        for task in model.tasks {
            guard let test = data.test[task], test.count > 0 else { continue }
            let best = output.appendingPathComponent(Trainer.bestFileName(task))
            let scored: ParameterArena
            if FileManager.default.fileExists(atPath: best.path) {
                scored = ParameterArena(layout: model.layout)
                try scored.load(CheckpointStore.read(best).parameters, file: best.lastPathComponent)
            } else {
                scored = arena
            }
            let result = try Evaluator(model: model, arena: scored, batchSize: config.tasks[task]!.batchSize)
                .evaluate(task, examples: test, communicator: communicator) { watchdog.beat("testing \(task.rawValue)") }
            let source = scored === arena ? "final parameters" : "\(best.lastPathComponent) (step \(stopping[task]!.bestStep))"
            log.say("test | \(task.rawValue) | \(test.count) examples | \(source)\n" + result.table)
            var record = result.record
            record.merge(["kind": "test", "step": step, "task": task.rawValue, "best_step": stopping[task]!.bestStep]) { $1 }
            log.record(record)
        }
    }

    /// The run's completion record, written after the test scores (`testAtEnd`) of a run that
    /// a stopping rule or a cap ended: `hmtl experiment` takes a run as finished only when the
    /// last record of its metrics.jsonl is this one.
    public func recordEnd(_ summary: Summary) {
        let best = Dictionary(uniqueKeysWithValues: stopping.map { task, e -> (String, [String: Any]) in
            var entry: [String: Any] = ["step": e.bestStep, "out_of_patience": e.isExhausted]
            if e.best.isFinite { entry["score"] = e.best }  // no validation: no score
            return (task.rawValue, entry)
        })
        let epochs = Double(step) / Double(stepsPerEpoch)
        log.say(String(format: "hmtl: run ended by %@ after %d steps (%.2f epochs of %d steps)", summary.reason.rawValue, step, epochs, stepsPerEpoch))
        log.record(["kind": "end", "step": step, "reason": summary.reason.rawValue, "epochs": epochs, "steps_per_epoch": stepsPerEpoch,
                    "best": best])
    }
}
