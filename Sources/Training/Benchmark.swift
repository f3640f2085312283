import Corpus
import Dispatch
import Foundation
import Model
import Tensor

/// Training- and inference-step throughput at the yardstick shapes of the PyTorch peer
/// (`shared/peer`): NER batches of 32 sentences × 25 tokens of 2–10 characters, a 20,000-word
/// vocabulary of 300-d embeddings, 73 BILOU tags (OntoNotes' 18 types), so the two tools can
/// be run side by side and compared as a ratio.
public struct Benchmark {
    public struct Shapes: Sendable {
        public var batch = 32, length = 25, vocabulary = 20_000, wordDimension = 300, types = 18
        public var steps = 20, warmup = 3
        public init() {}
    }

    public struct Result: Sendable {
        public var task: String, mode: String
        public var medianMilliseconds: Double
        public var tokensPerSecond: Double
    }

    public let shapes: Shapes
    public init(shapes: Shapes) { self.shapes = shapes }

    public func run() -> [Result] {
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

        var rng = RNG(seed: 2)
        let sentences = (0..<shapes.batch).map { _ in
            (0..<shapes.length).map { _ in String((0..<(2 + rng.int(below: 9))).map { _ in Character(letters[rng.int(below: 26)]) }) }
        }
        let gold = (0..<shapes.batch).map { _ in (0..<shapes.length).map { _ in 0 } }
        let batch = TaggingBatch(sentences: sentences, exampleIDs: Array(0..<shapes.batch), tags: gold, vocabulary: vocabularies)
        let ranges = model.parameterRanges(for: .ner)
        let clipping = GradientClipping(value: 10, maxNorm: 5)
        var adam = Adam(ranges: ranges, learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var step = 0
        let train = time {
            for r in ranges { arena.zeroGrads(r) }
            var rngs = (0..<shapes.batch).map { RNG(seed: 3, stream: [UInt64(step), UInt64($0)]) }
            _ = model.trainStep(.ner, batch: batch, arena: arena, rngs: &rngs)
            let (_, scale) = clipping.measure(arena, ranges: ranges)
            adam.update(arena, clamp: clipping.value, scale: scale)
            step += 1
        }
        let infer = time { _ = model.predict(.ner, batch: batch, arena: arena) }
        let tokens = Double(shapes.batch * shapes.length)
        return [("train", train), ("infer", infer)].map { mode, ms in
            Result(task: "ner", mode: mode, medianMilliseconds: ms, tokensPerSecond: tokens / (ms / 1000))
        }
    }

    /// Median wall time in milliseconds of `steps` runs after `warmup` untimed ones.
    private func time(_ body: () -> Void) -> Double {
        for _ in 0..<shapes.warmup { body() }
        var samples: [Double] = []
        for _ in 0..<shapes.steps {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        samples.sort()
        return samples[samples.count / 2]
    }
}
