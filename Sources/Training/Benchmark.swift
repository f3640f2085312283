import Corpus
import Dispatch
import Distributed
import Foundation
import Model
import Tensor

/// Training- and inference-step throughput at the yardstick shapes of the PyTorch peer
/// (`shared/peer`): batches of 32 sentences × 25 tokens of 2–10 characters, a 20,000-word
/// vocabulary of 300-d embeddings, char CNN 64 (g_e = 364), BiLSTM 2×64, 73 BILOU tags
/// (OntoNotes' 18 types) — so the two tools can be run side by side and compared as a ratio.
/// A training step is what the trainer does: sample a task, forward, backward, allreduce of
/// the task's ranges and of the step's loss counters (no-ops on one rank), clipping and the
/// task's Adam. The workload says which tasks (`BenchmarkWorkload`).
public struct Benchmark {
    public struct Shapes: Sendable {
        public var batch = 32, length = 25, vocabulary = 20_000, wordDimension = 300, types = 18
        public var steps = 20, warmup = 3
        public init() {}
    }

    /// Per-step times in milliseconds. With several tasks a plain median would be the median
    /// task's step; each figure is instead the mix-weighted median Σ_t (n_t / n)·median_t over
    /// the tasks t drawn n_t times in the n timed steps — robust to a busy machine like a
    /// median, and like a mean it weighs every task by how often training runs it.
    public struct Result: Sendable {
        public var workload: String
        public var forward = 0.0, backward = 0.0, allreduce = 0.0, optimizer = 0.0, step = 0.0
        /// Forward, backward and optimizer: the step without its communication.
        public var compute = 0.0
        /// The fastest full step: less sensitive than the median to a busy machine.
        public var fastestStep = 0.0
        /// Inference of the same batch (the NER workload only).
        public var inference: Double?
        /// Tokens of this rank's batch (the same for every task).
        public var tokensPerStep = 0
        /// Gradient bytes each rank reduces per step, the mean over the timed steps: the
        /// embedding table by touched rows (`GradientReduction`).
        public var allreduceBytes = 0.0
        /// What a dense reduction of the same ranges would send: the bound that many ranks
        /// approach, as the union of their touched rows covers the whole table.
        public var denseAllreduceBytes = 0.0
        public var stepsPerTask: [Task: Int] = [:]
        /// The sampler's weight of each task (`BenchmarkWorkload.weights`).
        public var samplerWeights: [Task: Int] = [:]
        /// Mean seconds of an isolated allreduce of `allreduceBytes` and of a 4-byte one.
        public var isolatedAllreduceSeconds = 0.0, isolatedLatencySeconds = 0.0
        /// CPU seconds per wall second of a rank over the timed steps, the mean over ranks:
        /// about 1 when each rank has a core to itself (one BLAS thread, MPI polling while it
        /// waits), lower when other processes or more ranks than cores share the cores.
        public var cpuShare = 0.0
        public var tokensPerSecond: Double { Double(tokensPerStep) / (step / 1000) }
        public var allreduceFraction: Double { allreduce / step }
    }

    public let shapes: Shapes
    public let workload: BenchmarkWorkload
    public let probe: AllreduceProbe

    public init(shapes: Shapes, workload: BenchmarkWorkload? = nil, probe: AllreduceProbe = AllreduceProbe()) {
        self.shapes = shapes
        self.workload = workload ?? .ner(shapes: shapes)
        self.probe = probe
    }

    public func run(communicator: Communicator) throws -> Result {
        let model = HierarchicalModel(settings: workload.settings, vocabularies: workload.vocabularies)
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)
        var rng = RNG(seed: 2, stream: [UInt64(communicator.rank)])
        var batches: [Task: TaggingBatch] = [:]
        for task in workload.tasks { batches[task] = workload.batch(task, shapes: shapes, rng: &rng) }

        let clipping = GradientClipping(value: 10, maxNorm: 5)
        var optimizers: [Task: Adam] = [:]
        for task in workload.tasks {
            optimizers[task] = Adam(ranges: model.parameterRanges(for: task), learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        }
        var sampler = TaskSampler(tasks: workload.tasks, weights: workload.weights, seed: workload.seed)
        var reduction = GradientReduction(table: model.embedder.words.table)
        var samples: [[Double]] = [], tasks: [Task] = [], bytes = 0.0, denseBytes = 0.0
        var start = (cpu: 0.0, wall: 0.0)
        for step in 0..<(shapes.warmup + shapes.steps) {
            if step == shapes.warmup { start = (Self.processorSeconds(), Self.wallSeconds()) }
            let task = sampler.next()
            let ranges = model.parameterRanges(for: task)
            let batch = batches[task]!
            var clock = Stopwatch()
            var rngs = (0..<batch.count).map { RNG(seed: 3, stream: [UInt64(step), UInt64($0)]) }
            let (loss, pass) = model.trainingForward(task, batch: batch, arena: arena, rngs: &rngs)
            let forward = clock.lap()
            model.backward(pass, arena: arena)
            let backward = clock.lap()
            reduction.markTouched(batch.wordIDs)
            let sent = try reduction.reduce(ranges, arena: arena, communicator: communicator)
            var stats = [loss.sum, Double(batch.tokenCount), Double(batch.count), loss.count, 0]
            try communicator.allreduceSum(&stats)
            let allreduce = clock.lap()
            if task == .relation { _ = RelationLossScale.apply(to: arena, ranges: ranges, globalCells: stats[3]) }
            let (_, scale) = clipping.measure(arena, ranges: ranges)
            optimizers[task]!.update(arena, clamp: clipping.value, scale: scale)
            let optimizer = clock.lap()
            guard step >= shapes.warmup else { continue }
            samples.append([forward, backward, allreduce, optimizer, forward + backward + allreduce + optimizer, forward + backward + optimizer])
            tasks.append(task)
            bytes += Double(sent * MemoryLayout<Float>.size)
            denseBytes += Double(ranges.reduce(0) { $0 + $1.count } * MemoryLayout<Float>.size)
        }
        let median = { (column: Int) in Benchmark.mixWeightedMedian(samples.map { $0[column] }, tasks: tasks) }
        var result = Result(workload: workload.name, forward: median(0), backward: median(1), allreduce: median(2), optimizer: median(3),
                            step: median(4), compute: median(5), fastestStep: samples.map { $0[4] }.min()!,
                            tokensPerStep: batches[workload.tasks[0]]!.tokenCount, allreduceBytes: bytes / Double(samples.count))
        result.denseAllreduceBytes = denseBytes / Double(samples.count)
        for task in tasks { result.stepsPerTask[task, default: 0] += 1 }
        result.samplerWeights = Dictionary(uniqueKeysWithValues: zip(workload.tasks, workload.weights))
        var share = [(Self.processorSeconds() - start.cpu) / (Self.wallSeconds() - start.wall)]
        try communicator.allreduceSum(&share)
        result.cpuShare = share[0] / Double(communicator.size)
        result.isolatedAllreduceSeconds = try probe.seconds(bytes: Int(result.allreduceBytes), communicator: communicator)
        result.isolatedLatencySeconds = try AllreduceProbe(warmup: 4 * probe.warmup, iterations: 4 * probe.iterations)
            .seconds(bytes: 4, communicator: communicator)
        if workload.tasks == [.ner] {
            var inference: [Double] = []
            for step in 0..<(shapes.warmup + shapes.steps) {
                var clock = Stopwatch()
                _ = model.predict(.ner, batch: batches[.ner]!, arena: arena)
                if step >= shapes.warmup { inference.append(clock.lap()) }
            }
            result.inference = Benchmark.median(inference)
        }
        return result
    }

    static func processorSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }

    static func wallSeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// Σ_t (n_t / n)·median_t: see `Result`. One task gives the plain median.
    static func mixWeightedMedian(_ values: [Double], tasks: [Task]) -> Double {
        precondition(values.count == tasks.count && !values.isEmpty, "one task per value, at least one value")
        var byTask: [Task: [Double]] = [:]
        for (value, task) in zip(values, tasks) { byTask[task, default: []].append(value) }
        return byTask.keys.sorted().reduce(0) { $0 + Double(byTask[$1]!.count) * median(byTask[$1]!) } / Double(values.count)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
