import Distributed
import Model
import Tensor

/// One update of one task, the only implementation of it: `Trainer` runs it on the task the
/// sampler drew and this rank's shard of the task's batch, `Benchmark` on synthetic batches,
/// so what `hmtl bench` measures is the step `hmtl train` takes.
///
/// The step: forward and backward of every batch (the gradients accumulate in the arena), the
/// sum over ranks of the task's gradient ranges (`GradientReduction`: the word table by touched
/// rows; by default started bucket by bucket during the last backward pass) and of the step's
/// counters, RE's loss scale, the clipping norm, then — when the summed loss and gradient are
/// finite — the task's Adam, else the gradient is dropped. The reduced values are the same on
/// every rank, so every rank takes the same branch.
public struct UpdateStep {
    let model: HierarchicalModel
    let arena: ParameterArena
    let communicator: Communicator
    let schedule: TrainingSchedule
    let clipping: GradientClipping
    /// Dropout masks come from (seed, step, task, example id), so they follow the example,
    /// not the rank that happens to hold it.
    let seed: UInt64
    /// Whether to time the phases. Off for training: reading the clock costs little, but
    /// nothing the trainer does should be there only for a measurement.
    let timed: Bool
    private let reduction: GradientReduction
    /// Each task's reduction order and buckets.
    private let plans: [Task: ReductionPlan]

    /// `schedule` gives the clipping, the reduction's overlap and buckets, and the optimizers'
    /// hyperparameters.
    public init(model: HierarchicalModel, arena: ParameterArena, communicator: Communicator, schedule: TrainingSchedule,
         seed: UInt64, timed: Bool = false) {
        self.model = model
        self.arena = arena
        self.communicator = communicator
        self.schedule = schedule
        clipping = GradientClipping(value: schedule.gradientClip, maxNorm: schedule.gradientNorm)
        self.seed = seed
        self.timed = timed
        let table = model.embedder.words.table
        reduction = GradientReduction(table: table, arena: arena, communicator: communicator, overlapped: schedule.overlapReduction)
        let bucketFloats = schedule.overlapReduction ? schedule.bucketKiB * 1024 / MemoryLayout<Float>.size : nil
        plans = Dictionary(uniqueKeysWithValues: model.tasks.map { task in
            (task, ReductionPlan(ranges: model.trainableRanges(for: task), layout: model.layout, table: table, bucketFloats: bucketFloats))
        })
    }

    /// A fresh Adam over `task`'s trainable ranges (one per task, as the reference: shared lower
    /// layers see one independent state per task; frozen blocks have none).
    public func makeOptimizer(for task: Task) -> Adam {
        Adam(ranges: model.trainableRanges(for: task), learningRate: schedule.learningRate,
             beta1: schedule.beta1, beta2: schedule.beta2, epsilon: schedule.epsilon)
    }

    /// Milliseconds of each phase of a step (all zero unless `timed`). `allreduce` is the
    /// in-step reduction of gradient and counters, including the wait for the slowest rank;
    /// `optimizer` is RE's loss scale, the clipping norm and Adam.
    public struct Phases: Sendable {
        public var forward = 0.0, backward = 0.0, allreduce = 0.0, optimizer = 0.0
        public var total: Double { forward + backward + allreduce + optimizer }
        /// The step without its communication.
        public var compute: Double { forward + backward + optimizer }
    }

    /// What the callers read back; the counts are sums over all ranks.
    public struct Outcome: Sendable {
        /// Summed loss, or the level's normalised loss when `lossIsNormalised` (RE: 100 × the
        /// mean BCE over the global batch's cells, as its gradient).
        var loss: Double
        /// The level kind scaled the loss (`LevelKind.scaleReduced`): one value per step, not a
        /// sum over `examples`.
        var lossIsNormalised: Bool
        var tokens: Double
        /// Sentences (coreference: documents) of the global batch.
        var examples: Double
        /// False when the loss or the gradient was not finite: the gradient was dropped and
        /// no parameter moved.
        var applied: Bool
        /// Some rank asked to stop (`stopRequested` on any rank).
        var stopRequested: Bool
        /// Floats each rank sent in the gradient reduction (what would be sent on one rank).
        public var sentFloats: Int
        public var phases: Phases
    }

    /// One update of `task` on this rank's `batches` (their forward and backward passes sum
    /// into one gradient: coreference takes one document per pass). `step` is the update's
    /// index for the dropout streams. `stopRequested` is this rank's vote to stop, agreed in
    /// the counters' reduction at no extra message; it is read after the last backward pass, so
    /// a signal that arrives during this step's compute stops the run after this step, not the
    /// next (a launcher's grace between SIGTERM and SIGKILL must cover one step and a
    /// checkpoint). `injectNonFinite` is the fault injection of the non-finite-step tests: this
    /// rank's loss and first gradient become NaN, as a diverging batch would make them.
    /// `beforeReduction` runs before anything is sent (the trainer's collective check);
    /// `waitingForRanks(true)` comes just before the step may block on the other ranks,
    /// `(false)` when it computes again (the trainer's heartbeat).
    public func run(_ task: Task, step: Int, batches: [TaggingBatch], optimizer: inout Adam,
                      stopRequested: () -> Bool = { false }, injectNonFinite: Bool = false,
                      beforeReduction: () throws -> Void = {}, waitingForRanks: (Bool) -> Void = { _ in }) throws -> Outcome {
        var phases = Phases()
        var clock = timed ? Stopwatch() : nil
        let ranges = model.trainableRanges(for: task), frozen = model.frozenRanges(for: task)
        // [loss, tokens, examples, loss count, stop votes]
        var stats = [0.0, 0, Double(batches.reduce(0) { $0 + $1.count }), 0, 0]
        for batch in batches { reduction.markTouched(batch.wordIDs) }
        // Backward passes only add to a gradient, so the NaN survives them.
        if injectNonFinite {
            arena.grads[ranges[0].lowerBound] = .nan
            reduction.markTouched(element: ranges[0].lowerBound)
        }
        try beforeReduction()
        try reduction.begin(plans[task]!)
        for (i, batch) in batches.enumerated() {
            var rngs = batch.exampleIDs.map { RNG(seed: seed, stream: [0xD409, UInt64(step), task.seedID, UInt64($0)]) }
            let (loss, pass) = model.trainingForward(task, batch: batch, arena: arena, rngs: &rngs)
            phases.forward += clock?.lap() ?? 0
            // The last pass finishes the gradient: what it is done with is sent while it goes on.
            if i == batches.count - 1 {
                model.backward(pass, arena: arena) { reduction.finished(at: $0, waitingForRanks: waitingForRanks) }
            } else {
                model.backward(pass, arena: arena)
            }
            phases.backward += clock?.lap() ?? 0
            // A frozen level between trainable blocks passed dL/dx down and kept its own gradient.
            for r in frozen { arena.zeroGrads(r) }
            stats[0] += loss.sum
            stats[1] += Double(batch.tokenCount)
            stats[3] += loss.count
        }
        if injectNonFinite { stats[0] = .nan }
        stats[4] = stopRequested() ? 1 : 0
        waitingForRanks(true)
        let sent = try reduction.finish()
        try communicator.allreduceSum(&stats)
        phases.allreduce += clock?.lap() ?? 0
        // The table's untouched rows are +0: the passes below skip them.
        let tableRows = reduction.tableRows
        let lossScale = LevelKinds.kind(of: task).scaleReduced(arena, ranges: tableRows?.nonZeroSpans(of: ranges) ?? ranges,
                                                               globalCount: stats[3])
        if let lossScale { stats[0] *= Double(lossScale) }
        let (norm, scale) = clipping.measure(arena, ranges: ranges, tableRows: tableRows)
        let applied = norm.isFinite && stats[0].isFinite
        if applied {
            optimizer.update(arena, clamp: clipping.value, scale: scale, tableRows: tableRows)
        } else {
            // Adam zeroes the gradient it reads; a dropped step must leave it zero too.
            for r in ranges { arena.zeroGrads(r) }
        }
        phases.optimizer += clock?.lap() ?? 0
        return Outcome(loss: stats[0], lossIsNormalised: lossScale != nil, tokens: stats[1], examples: stats[2], applied: applied, stopRequested: stats[4] > 0,
                       sentFloats: sent, phases: phases)
    }
}
