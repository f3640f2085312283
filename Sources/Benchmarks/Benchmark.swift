import Corpus
import Dispatch
import Distributed
import Foundation
import Model
import Tensor
import Training

/// Training- and inference-step throughput at the shapes of the PyTorch peer (`shared/peer`),
/// so that the two tools can be run side by side and compared as a ratio: batches of 32
/// sentences × 25 tokens of 2–10 characters for NER, EMD and RE, one 300-token document of 12
/// sentences for CR, on the model `BenchmarkWorkload` describes.
///
/// A training step is `UpdateStep`, the very code `Trainer` runs: forward and backward of the
/// drawn task's batch, the allreduce of its ranges and of the step's counters (no-ops on one
/// rank), clipping and the task's Adam, with the trainer's default schedule (Adam 1e-3,
/// clamp ±10, norm 5) or the reduction settings it is given (overlap, bucket size). An inference step is the forward pass and the decoding `hmtl predict`
/// runs (Viterbi with the BILOU constraints, RE's cells above 0.5, CR's antecedents and
/// clusters), on the same batches without their gold, after the training steps.
public struct Benchmark {
    public struct Shapes: Sendable {
        public var batch = 32, length = 25, vocabulary = 20_000, wordDimension = 300
        /// Entity types of NER (OntoNotes), of EMD (ACE05) and relation types (ACE05).
        public var types = 18, mentionTypes = 7, relationTypes = 6
        /// Tokens of CR's one document, in sentences of `length`.
        public var documentLength = 300
        public var steps = 20, warmup = 3
        public init() {}
    }

    public enum Mode: String, Sendable, CaseIterable {
        case train, infer
    }

    /// Training per-step times in milliseconds. With several tasks a plain median would be the
    /// median task's step; each figure is instead the mix-weighted median Σ_t (n_t / n)·median_t
    /// over the tasks t drawn n_t times in the n timed steps — robust to a busy machine like a
    /// median, and like a mean it weighs every task by how often training runs it.
    public struct Result: Sendable {
        public var workload: String
        public var forward = 0.0, backward = 0.0, allreduce = 0.0, optimizer = 0.0, step = 0.0
        /// Forward, backward and optimizer: the step without its communication.
        public var compute = 0.0
        /// The fastest full step: less sensitive than the median to a busy machine.
        public var fastestStep = 0.0
        /// Tokens of this rank's batch, the mean over the timed steps (the tasks' batches differ:
        /// 800 tokens for the sentence tasks, 300 for CR at the default shapes).
        public var tokensPerStep = 0.0
        /// Gradient bytes each rank reduces per step, the mean over the timed steps: the
        /// embedding table by touched rows (`GradientReduction`).
        public var allreduceBytes = 0.0
        /// What a dense reduction of the same ranges would send: the bound that many ranks
        /// approach, as the union of their touched rows covers the whole table.
        public var denseAllreduceBytes = 0.0
        public var stepsPerTask: [Task: Int] = [:]
        /// The gradient reduction overlapped backward, in buckets of this many KiB (nil: after
        /// backward). Overlapped, `allreduce` is only the part backward did not hide.
        public var bucketKiB: Int?
        /// Mean seconds of an isolated allreduce of `allreduceBytes` and of a 4-byte one.
        public var isolatedAllreduceSeconds = 0.0, isolatedLatencySeconds = 0.0
        /// CPU seconds per wall second of a rank over the timed steps, the mean over ranks:
        /// about 1 when each rank has a core to itself (one BLAS thread, MPI polling while it
        /// waits), lower when other processes or more ranks than cores share the cores.
        public var cpuShare = 0.0
        public var tokensPerSecond: Double { tokensPerStep / (step / 1000) }
        public var allreduceFraction: Double { allreduce / step }
    }

    /// Inference per-step times in milliseconds, mix-weighted medians as `Result`'s. One phase:
    /// the forward pass and the decoding are one call, as in `hmtl predict`.
    public struct Inference: Sendable {
        public var workload: String
        public var step = 0.0, fastestStep = 0.0
        public var tokensPerStep = 0.0
        public var stepsPerTask: [Task: Int] = [:]
        public var tokensPerSecond: Double { tokensPerStep / (step / 1000) }
    }

    /// The model's size and CR's span counts as the model computes them, so that a line states
    /// the shapes it ran rather than the ones it was asked for.
    public struct ModelShape: Sendable {
        public var geDimension = 0
        public var parameters = 0
        /// Floats of each workload task's arena ranges: what its Adam updates.
        public var parametersPerTask: [Task: Int] = [:]
        /// CR's document: candidate spans (width ≤ 8 inside a sentence), kept spans k and
        /// antecedents per kept span K; nil when the workload has no CR.
        public var corefSpans: (candidates: Int, kept: Int, antecedents: Int)?
        /// Forward FLOPs per token of the BiLSTMs one task's step runs (its level's and those
        /// below it); nil for the blended workload.
        public var lstmFlopsPerToken: Int?
    }

    public struct Measurements: Sendable {
        public var shape: ModelShape
        /// The sampler's weight of each task (`BenchmarkWorkload.weights`).
        public var samplerWeights: [Task: Int]
        public var training: Result?
        public var inference: Inference?
    }

    public let shapes: Shapes
    public let workload: BenchmarkWorkload
    public let probe: AllreduceProbe
    /// The training steps' schedule.
    public let schedule: TrainingSchedule
    /// The dropout streams' seed of the training steps (`UpdateStep.seed`).
    static let dropoutSeed: UInt64 = 3

    public init(shapes: Shapes, workload: BenchmarkWorkload, probe: AllreduceProbe = AllreduceProbe(),
                schedule: TrainingSchedule = TrainingSchedule()) {
        self.shapes = shapes
        self.workload = workload
        self.probe = probe
        self.schedule = schedule
    }

    /// Builds the model and three batches per task (steps cycle through them, as the peer's),
    /// then measures `modes`: training first, inference on the trained parameters.
    public func run(communicator: Communicator, modes: Set<Mode> = Set(Mode.allCases)) throws -> Measurements {
        let model = HierarchicalModel(settings: workload.settings, vocabularies: workload.vocabularies)
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)
        var rng = RNG(seed: 2, stream: [UInt64(communicator.rank)])
        var batches: [Task: [TaggingBatch]] = [:]
        for task in workload.tasks { batches[task] = (0..<3).map { _ in workload.batch(task, shapes: shapes, rng: &rng) } }
        var measurements = Measurements(shape: Self.shape(of: model, tasks: workload.tasks, corefDocument: batches.values.lazy.compactMap { $0[0].coreference }.first),
                                        samplerWeights: Dictionary(uniqueKeysWithValues: zip(workload.tasks, workload.weights)))
        if modes.contains(.train) { measurements.training = try train(model, arena: arena, batches: batches, communicator: communicator) }
        if modes.contains(.infer) { measurements.inference = infer(model, arena: arena, batches: batches.mapValues { $0.map(\.withoutGold) }) }
        return measurements
    }

    private static func shape(of model: HierarchicalModel, tasks: [Task], corefDocument: CoreferenceDocument?) -> ModelShape {
        var shape = ModelShape(geDimension: model.embedder.outputSize, parameters: model.layout.count)
        for task in tasks { shape.parametersPerTask[task] = model.trainableRanges(for: task).reduce(0) { $0 + $1.count } }
        if tasks.count == 1, let task = tasks.first {
            shape.lstmFlopsPerToken = model.encoders(upTo: task).reduce(0) { $0 + $1.forwardFlopsPerToken }
        }
        if let document = corefDocument, let head = model.levels(of: CoreferenceLevel.self).first?.head {
            let candidates = SpanEnumeration.candidates(sentenceLengths: document.sentenceLengths, maxWidth: head.settings.maxSpanWidth).count
            let kept = head.keptCount(tokens: document.tokenCount, candidates: candidates)
            shape.corefSpans = (candidates, kept, min(head.settings.maxAntecedents, kept))
        }
        return shape
    }

    /// The timed training steps on `arena`, with `schedule`.
    func train(_ model: HierarchicalModel, arena: ParameterArena, batches: [Task: [TaggingBatch]],
               communicator: Communicator) throws -> Result {
        let update = UpdateStep(model: model, arena: arena, communicator: communicator, schedule: schedule,
                                seed: Self.dropoutSeed, timed: true)
        var optimizers = Dictionary(uniqueKeysWithValues: workload.tasks.map { ($0, update.makeOptimizer(for: $0)) })
        var sampler = TaskSampler(tasks: workload.tasks, weights: workload.weights, seed: workload.seed)
        var rotation = BatchRotation(batches)
        var samples: [UpdateStep.Phases] = [], tasks: [Task] = [], tokens = 0.0, bytes = 0.0, denseBytes = 0.0
        var start = (cpu: 0.0, wall: 0.0)
        for step in 0..<(shapes.warmup + shapes.steps) {
            if step == shapes.warmup { start = (Self.processorSeconds(), Self.wallSeconds()) }
            let task = sampler.next()
            let batch = rotation.next(task)
            let outcome = try update.run(task, step: step, batches: [batch], optimizer: &optimizers[task]!)
            guard step >= shapes.warmup else { continue }
            samples.append(outcome.phases)
            tasks.append(task)
            tokens += Double(batch.tokenCount)
            bytes += Double(outcome.sentFloats * MemoryLayout<Float>.size)
            denseBytes += Double(model.trainableRanges(for: task).reduce(0) { $0 + $1.count } * MemoryLayout<Float>.size)
        }
        let median = { (phase: KeyPath<UpdateStep.Phases, Double>) in Benchmark.mixWeightedMedian(samples.map { $0[keyPath: phase] }, tasks: tasks) }
        var result = Result(workload: workload.name, forward: median(\.forward), backward: median(\.backward), allreduce: median(\.allreduce),
                            optimizer: median(\.optimizer), step: median(\.total), compute: median(\.compute),
                            fastestStep: samples.map(\.total).min()!, tokensPerStep: tokens / Double(samples.count),
                            allreduceBytes: bytes / Double(samples.count), denseAllreduceBytes: denseBytes / Double(samples.count))
        for task in tasks { result.stepsPerTask[task, default: 0] += 1 }
        result.bucketKiB = schedule.overlapReduction ? schedule.bucketKiB : nil
        var share = [(Self.processorSeconds() - start.cpu) / (Self.wallSeconds() - start.wall)]
        try communicator.allreduceSum(&share)
        result.cpuShare = share[0] / Double(communicator.size)
        result.isolatedAllreduceSeconds = try probe.seconds(bytes: Int(result.allreduceBytes), communicator: communicator)
        result.isolatedLatencySeconds = try AllreduceProbe(warmup: 4 * probe.warmup, iterations: 4 * probe.iterations)
            .seconds(bytes: 4, communicator: communicator)
        return result
    }

    /// The same task sequence as training (an identically seeded sampler), each step timed
    /// from the batch to the decoded output.
    private func infer(_ model: HierarchicalModel, arena: ParameterArena, batches: [Task: [TaggingBatch]]) -> Inference {
        var sampler = TaskSampler(tasks: workload.tasks, weights: workload.weights, seed: workload.seed)
        var rotation = BatchRotation(batches)
        var times: [Double] = [], tasks: [Task] = [], tokens = 0.0
        for step in 0..<(shapes.warmup + shapes.steps) {
            let task = sampler.next()
            let batch = rotation.next(task)
            var clock = Stopwatch()
            _ = model.prediction(task, batch: batch, arena: arena)
            let elapsed = clock.lap()
            guard step >= shapes.warmup else { continue }
            times.append(elapsed)
            tasks.append(task)
            tokens += Double(batch.tokenCount)
        }
        var result = Inference(workload: workload.name, step: Self.mixWeightedMedian(times, tasks: tasks), fastestStep: times.min()!,
                               tokensPerStep: tokens / Double(times.count))
        for task in tasks { result.stepsPerTask[task, default: 0] += 1 }
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

/// Each task's batches in turn, every task at its own pace.
private struct BatchRotation {
    let batches: [Task: [TaggingBatch]]
    private var drawn: [Task: Int] = [:]

    init(_ batches: [Task: [TaggingBatch]]) { self.batches = batches }

    mutating func next(_ task: Task) -> TaggingBatch {
        let all = batches[task]!
        defer { drawn[task, default: 0] += 1 }
        return all[drawn[task, default: 0] % all.count]
    }
}

private extension TaggingBatch {
    /// The batch as `hmtl predict` sees it: no gold tags (which would add the CRF loss to the
    /// decoding), relations or clusters.
    var withoutGold: TaggingBatch {
        var batch = self
        batch.tags = []
        batch.relations = []
        batch.coreference?.clusters = []
        return batch
    }
}
