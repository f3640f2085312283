import Corpus
import Model
import Tensor

/// What a benchmark trains: a model, the tasks it samples with their sampler weights, and one
/// synthetic batch per task at the yardstick shape, so that every step's cost is the model's
/// and not the data's.
///
/// - `ner`: the yardstick's NER-only model (73 BILOU tags), one task.
/// - `blend`: a config's whole hierarchy (the demo config: NER, EMD, coreference, RE with its
///   encoders and heads) on the yardstick's embedder, tasks drawn by the trainer's
///   `TaskSampler` with the weights training would use for that config's data on one rank —
///   one rank's weights at every world size, so every point of a sweep runs the same mix.
///
/// Every task's batch holds `batch × length` tokens: B sentences of T tokens for the sentence
/// tasks (RE too, although the demo config gives RE 4 sentences), and for coreference one
/// document of those same B sentences (the trainer's one document per pass).
public struct BenchmarkWorkload: Sendable {
    /// "ner" or "blend", as `hmtl bench --task` names it.
    public let name: String
    public let settings: HierarchicalModel.Settings
    public let vocabularies: Vocabularies
    public let tasks: [Task]
    public let weights: [Int]
    /// The sampler's seed (the config's for a blend).
    public let seed: UInt64

    public static func ner(shapes: Benchmark.Shapes) -> BenchmarkWorkload {
        var settings = HierarchicalModel.Settings()
        settings.embedder.wordDimension = shapes.wordDimension
        let tags = Vocabulary.labels(BILOU.tagSet(types: (0..<shapes.types).map { "T\($0)" }))
        return BenchmarkWorkload(name: "ner", settings: settings, vocabularies: vocabularies(shapes, tags: [.ner: tags], relations: nil),
                                 tasks: [.ner], weights: [1], seed: 1)
    }

    /// The config's model with the yardstick's word embedding (`shapes.vocabulary` ×
    /// `shapes.wordDimension`); NER has the yardstick's tag set, EMD and RE the config data's.
    public static func blend(config: RunConfig, shapes: Benchmark.Shapes) throws -> BenchmarkWorkload {
        let data = try RunData.load(config)
        var settings = config.modelSettings
        settings.embedder.wordDimension = shapes.wordDimension
        var tags = data.vocabularies.tags
        if tags[.ner] != nil { tags[.ner] = ner(shapes: shapes).vocabularies.tags[.ner] }
        let model = HierarchicalModel(settings: settings, vocabularies: data.vocabularies)
        let weights = try model.tasks.map { task in
            guard let examples = data.train[task], examples.count > 0 else {
                throw TrainingError("\(config.trainingPlace(of: task)): task \(task.rawValue) has no training examples to weigh the sampler with")
            }
            return config.schedule.sampling.weight(examples: examples.count, globalBatch: config.tasks[task]!.batchSize)
        }
        return BenchmarkWorkload(name: "blend", settings: settings,
                                 vocabularies: vocabularies(shapes, tags: tags, relations: data.vocabularies.relations),
                                 tasks: model.tasks, weights: weights, seed: config.seed)
    }

    private static func vocabularies(_ shapes: Benchmark.Shapes, tags: [Task: Vocabulary], relations: Vocabulary?) -> Vocabularies {
        let reserved = [Vocabulary.padding, Vocabulary.unknown]
        let words = Vocabulary(kind: .words, entries: reserved + (2..<shapes.vocabulary).map { "w\($0)" })!
        let chars = Vocabulary(kind: .characters, entries: reserved + letters)!
        return Vocabularies(words: words, characters: chars, tags: tags, relations: relations)
    }

    private static let letters = "abcdefghijklmnopqrstuvwxyz".map(String.init)

    /// A batch of `task` with random gold. Words are drawn from the whole vocabulary, so (as
    /// with real text over many steps) the embedding's Adam moments are non-zero everywhere
    /// after a few steps.
    public func batch(_ task: Task, shapes: Benchmark.Shapes, rng: inout RNG) -> TaggingBatch {
        let sentences = (0..<shapes.batch).map { _ in
            (0..<shapes.length).map { _ in String((0..<(2 + rng.int(below: 9))).map { _ in Character(Self.letters[rng.int(below: 26)]) }) }
        }
        var batch: TaggingBatch
        switch task {
        case .ner, .emd:
            let count = vocabularies.tags[task]!.count
            let gold = sentences.map { $0.map { _ in rng.int(below: count) } }
            batch = TaggingBatch(sentences: sentences, exampleIDs: Array(sentences.indices), tags: gold, vocabulary: vocabularies)
        case .relation:
            batch = TaggingBatch(sentences: sentences, exampleIDs: Array(sentences.indices), vocabulary: vocabularies)
            let types = max(vocabularies.relationTypes.count, 1)
            batch.relations = sentences.map { s in
                (0..<2).map { _ in RelationPair(i: rng.int(below: s.count), j: rng.int(below: s.count), r: rng.int(below: types)) }
            }
        case .coref:
            batch = TaggingBatch(sentences: [sentences.flatMap { $0 }], exampleIDs: [0], vocabulary: vocabularies)
            // A cluster per two sentences, each of 2–3 mentions of 1–3 tokens inside a sentence.
            let clusters = (0..<max(1, shapes.batch / 2)).map { _ in
                (0..<(2 + rng.int(below: 2))).map { _ -> TokenSpan in
                    let width = min(1 + rng.int(below: 3), shapes.length)
                    let start = rng.int(below: shapes.batch) * shapes.length + rng.int(below: shapes.length - width + 1)
                    return TokenSpan(start: start, end: start + width - 1)
                }
            }
            batch.coreference = CoreferenceDocument(sentenceLengths: Array(repeating: shapes.length, count: shapes.batch), clusters: clusters)
        }
        batch.wordIDs = batch.wordIDs.map { _ in Int32(2 + rng.int(below: shapes.vocabulary - 2)) }
        return batch
    }
}
