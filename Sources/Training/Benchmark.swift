import Corpus
import Dispatch
import Distributed
import Foundation
import Model
import Tensor

/// Training- and inference-step throughput at the yardstick shapes of the PyTorch peer
/// (`shared/peer`): NER batches of 32 sentences × 25 tokens of 2–10 characters, a 20,000-word
/// vocabulary of 300-d embeddings, char CNN 64 (g_e = 364), BiLSTM 2×64, 73 BILOU tags
/// (OntoNotes' 18 types) — so the two tools can be run side by side and compared as a ratio.
/// A training step is what the trainer does: forward, backward, allreduce of the task's
/// ranges (a no-op on one rank), clipping and Adam.
public struct Benchmark {
    public struct Shapes: Sendable {
        public var batch = 32, length = 25, vocabulary = 20_000, wordDimension = 300, types = 18
        public var steps = 20, warmup = 3
        public init() {}
    }

    /// Medians over the timed steps, in milliseconds; tokens/s of the median full step.
    public struct Result: Sendable {
        public var task: Task
        public var forward = 0.0, backward = 0.0, allreduce = 0.0, optimizer = 0.0, step = 0.0
        /// The fastest full step: less sensitive than the median to a busy machine.
        public var fastestStep = 0.0
        public var inference = 0.0
        public var tokensPerStep = 0
        public var tokensPerSecond: Double { Double(tokensPerStep) / (step / 1000) }
        public var inferenceTokensPerSecond: Double { Double(tokensPerStep) / (inference / 1000) }
    }

    public let shapes: Shapes
    public init(shapes: Shapes) { self.shapes = shapes }

    public func run(communicator: Communicator) throws -> Result {
        let reserved = [Vocabulary.padding, Vocabulary.unknown]
        let words = Vocabulary(kind: .words, entries: reserved + (2..<shapes.vocabulary).map { "w\($0)" })!
        let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)
        let chars = Vocabulary(kind: .characters, entries: reserved + letters)!
        let tags = Vocabulary.labels(BILOU.tagSet(types: (0..<shapes.types).map { "T\($0)" }))
        let vocabularies = Vocabularies(words: words, characters: chars, tags: [.ner: tags])
        var settings = HierarchicalModel.Settings()
        settings.embedder.wordDimension = shapes.wordDimension
        let model = HierarchicalModel(settings: settings, vocabularies: vocabularies)
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)

        // Words are drawn from the whole vocabulary, so (as with real text over many steps)
        // the embedding's Adam moments are non-zero everywhere after a few steps.
        var rng = RNG(seed: 2, stream: [UInt64(communicator.rank)])
        let sentences = (0..<shapes.batch).map { _ in
            (0..<shapes.length).map { _ in String((0..<(2 + rng.int(below: 9))).map { _ in Character(letters[rng.int(below: 26)]) }) }
        }
        let gold = (0..<shapes.batch).map { _ in (0..<shapes.length).map { _ in rng.int(below: tags.count) } }
        var batch = TaggingBatch(sentences: sentences, exampleIDs: Array(0..<shapes.batch), tags: gold, vocabulary: vocabularies)
        batch.wordIDs = batch.wordIDs.map { _ in Int32(2 + rng.int(below: shapes.vocabulary - 2)) }

        let ranges = model.parameterRanges(for: .ner)
        let clipping = GradientClipping(value: 10, maxNorm: 5)
        var adam = Adam(ranges: ranges, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var samples: [[Double]] = []
        for step in 0..<(shapes.warmup + shapes.steps) {
            var clock = Stopwatch()
            var rngs = (0..<shapes.batch).map { RNG(seed: 3, stream: [UInt64(step), UInt64($0)]) }
            let (_, pass) = model.trainingForward(.ner, batch: batch, arena: arena, rngs: &rngs)
            let forward = clock.lap()
            model.backward(pass, arena: arena)
            let backward = clock.lap()
            for r in ranges { try communicator.allreduceSum(arena.grads.baseAddress! + r.lowerBound, count: r.count) }
            let allreduce = clock.lap()
            let (_, scale) = clipping.measure(arena, ranges: ranges)
            adam.update(arena, clamp: clipping.value, scale: scale)
            let optimizer = clock.lap()
            if step >= shapes.warmup { samples.append([forward, backward, allreduce, optimizer, forward + backward + allreduce + optimizer]) }
        }
        var inference: [Double] = []
        for step in 0..<(shapes.warmup + shapes.steps) {
            var clock = Stopwatch()
            _ = model.predict(.ner, batch: batch, arena: arena)
            if step >= shapes.warmup { inference.append(clock.lap()) }
        }
        let median = { (column: Int) in Benchmark.median(samples.map { $0[column] }) }
        return Result(task: .ner, forward: median(0), backward: median(1), allreduce: median(2), optimizer: median(3),
                      step: median(4), fastestStep: samples.map { $0[4] }.min()!, inference: Benchmark.median(inference),
                      tokensPerStep: batch.tokenCount)
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}

/// Milliseconds since the previous lap.
struct Stopwatch {
    private var last = DispatchTime.now().uptimeNanoseconds
    mutating func lap() -> Double {
        let now = DispatchTime.now().uptimeNanoseconds
        defer { last = now }
        return Double(now - last) / 1e6
    }
}
