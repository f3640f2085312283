import Corpus
import Model
import Tensor
import Training

/// What a benchmark runs: the model at the PyTorch peer's shapes (`shared/peer`), the tasks its
/// steps draw with their sampler weights, and synthetic batches, so that every step's cost is
/// the model's and not the data's.
///
/// The model is the peer's whole hierarchy whatever the task: g_e of a `vocabulary` ×
/// `wordDimension` word table and a char CNN 16 → 64 of width 3 over a 100-entry character
/// table (g_e = 364 at the default 300-d words); NER (BiLSTM 2 × 64, 73 BILOU tags: 18 types)
/// → EMD (BiLSTM 2 × 64 on [g_e, g_ner], 29 tags: 7 types, no tagger dropout — the reference's
/// quirk the peer keeps) → RE (BiLSTM 3 × 64 on [g_e, g_emd], scorer 64, 6 relation types) and
/// CR (lexical dropout 0.5, BiLSTM 1 × 200, features 20, spans of width ≤ 8, 0.4 spans per
/// word, 70 antecedents, FFNNs 2 × 150). A task's step runs the levels below it as training
/// does, and touches only the task's ranges, so the levels it does not reach cost nothing.
///
/// - `ner`, `emd`, `relation`, `coref`: that task alone, every step.
/// - `all`: the blended step — every step's task drawn by the trainer's `TaskSampler`, weighted
///   as training weighs a config's data on one rank (`TaskSampling.weight` of each task's
///   training examples and batch size); the config gives only the tasks and the weights.
public struct BenchmarkWorkload: Sendable {
    /// The single-task workloads of `hmtl bench --task`: the peer's levels, bottom up.
    public static let singleTasks: [Task] = peerLevels(Benchmark.Shapes()).map(\.settings.task)

    /// A task's name ("ner", "emd", "relation", "coref") or "all".
    public let name: String
    public let settings: HierarchicalModel.Settings
    public let vocabularies: Vocabularies
    public let tasks: [Task]
    public let weights: [Int]
    /// The sampler's seed (the config's for `all`).
    public let seed: UInt64

    /// One task, every step.
    public static func single(_ task: Task, shapes: Benchmark.Shapes) -> BenchmarkWorkload {
        BenchmarkWorkload(name: task.rawValue, settings: settings(shapes), vocabularies: vocabularies(shapes),
                          tasks: [task], weights: [1], seed: 1)
    }

    /// The config's tasks, weighted as training weighs the config's data on one rank — one
    /// rank's weights at every world size, so that every point of a sweep runs the same mix.
    public static func all(config: RunConfig, shapes: Benchmark.Shapes) throws -> BenchmarkWorkload {
        let data = try RunData.load(config)
        let tasks = config.tasks.keys.sorted()
        let weights = try tasks.map { task in
            guard let examples = data.train[task], examples.count > 0 else {
                throw TrainingError("\(config.trainingPlace(of: task)): task \(task.rawValue) has no training examples to weigh the sampler with")
            }
            return config.schedule.sampling.weight(examples: examples.count, globalBatch: config.tasks[task]!.batchSize)
        }
        return BenchmarkWorkload(name: "all", settings: settings(shapes), vocabularies: vocabularies(shapes),
                                 tasks: tasks, weights: weights, seed: config.seed)
    }

    /// The peer's hierarchy, the one place the benchmark names its levels (the peer's model is
    /// fixed): each level's settings, and for a tagger its entity-type count.
    private static func peerLevels(_ shapes: Benchmark.Shapes) -> [(settings: any LevelSettings, types: Int?)] {
        var emd = CRFTagger.Settings()
        emd.dropout = 0
        return [(HierarchicalModel.TaggerLevel(task: .ner), shapes.types), (HierarchicalModel.TaggerLevel(task: .emd, settings: emd), shapes.mentionTypes),
                (CoreferenceLevel.Settings(), nil), (RelationLevel.Settings(), nil)]
    }

    private static func settings(_ shapes: Benchmark.Shapes) -> HierarchicalModel.Settings {
        var settings = HierarchicalModel.Settings()
        settings.embedder.wordDimension = shapes.wordDimension
        settings.levels = peerLevels(shapes).map(\.settings)
        return settings
    }

    private static func vocabularies(_ shapes: Benchmark.Shapes) -> Vocabularies {
        let reserved = [Vocabulary.padding, Vocabulary.unknown]
        let words = Vocabulary(kind: .words, entries: reserved + (2..<shapes.vocabulary).map { "w\($0)" })!
        let chars = Vocabulary(kind: .characters, entries: reserved + alphabet)!
        // Type names T0, T1, … for the first tagger, M0, … for the second, as the peer's.
        var tags: [Task: Vocabulary] = [:]
        for (prefix, level) in zip(["T", "M"], peerLevels(shapes)) {
            guard let types = level.types else { continue }
            tags[level.settings.task] = Vocabulary.labels(BILOU.tagSet(types: (0..<types).map { "\(prefix)\($0)" }))
        }
        return Vocabularies(words: words, characters: chars, tags: tags,
                            relations: Vocabulary.labels((0..<shapes.relationTypes).map { "R\($0)" }))
    }

    /// 98 distinct one-scalar characters (Latin Extended-A): with padding and unknown, the
    /// peer's 100-entry character table.
    private static let alphabet = (0x100..<0x162).map { String(UnicodeScalar($0)!) }

    /// A batch of `task` with random gold, as the peer draws it. Sentence tasks: `batch`
    /// sentences of `length` words; coreference: one document of `documentLength` words in
    /// sentences of `length` (the last one shorter when it does not divide), 10 clusters of 3
    /// mentions drawn from the candidate spans. Words have 2–10 characters; word ids are drawn
    /// from the whole vocabulary, so (as with real text over many steps) the embedding's Adam
    /// moments are non-zero everywhere after a few steps.
    public func batch(_ task: Task, shapes: Benchmark.Shapes, rng: inout RNG) -> TaggingBatch {
        func words(_ count: Int) -> [String] {
            (0..<count).map { _ in String((0..<(2 + rng.int(below: 9))).map { _ in Character(Self.alphabet[rng.int(below: Self.alphabet.count)]) }) }
        }
        var batch: TaggingBatch
        switch settings.levels.first(where: { $0.task == task }) {
        case is HierarchicalModel.TaggerLevel:
            let sentences = (0..<shapes.batch).map { _ in words(shapes.length) }
            let count = vocabularies.tags[task]!.count
            let gold = sentences.map { $0.map { _ in rng.int(below: count) } }
            batch = TaggingBatch(sentences: sentences, exampleIDs: Array(sentences.indices), tags: gold, vocabulary: vocabularies, frozen: nil)
        case is RelationLevel.Settings:
            let sentences = (0..<shapes.batch).map { _ in words(shapes.length) }
            batch = TaggingBatch(sentences: sentences, exampleIDs: Array(sentences.indices), vocabulary: vocabularies, frozen: nil)
            let types = vocabularies.relationTypes.count
            batch.relations = sentences.map { s in
                (0..<2).map { _ in RelationPair(i: rng.int(below: s.count), j: rng.int(below: s.count), r: rng.int(below: types)) }
            }
        case is CoreferenceLevel.Settings:
            let full = shapes.documentLength / shapes.length, rest = shapes.documentLength % shapes.length
            let sentenceLengths = Array(repeating: shapes.length, count: full) + (rest > 0 ? [rest] : [])
            batch = TaggingBatch(sentences: [words(shapes.documentLength)], exampleIDs: [0], vocabulary: vocabularies, frozen: nil)
            let candidates = SpanEnumeration.candidates(sentenceLengths: sentenceLengths, maxWidth: CoreferenceLevel.Settings().head.maxSpanWidth)  // the workload's: the defaults
            let mentions = rng.permutation(candidates.count).prefix(30).map { candidates[$0] }
            let clusters = (0..<10).map { c in stride(from: c, to: mentions.count, by: 10).map { mentions[$0] } }.filter { !$0.isEmpty }
            batch.coreference = CoreferenceDocument(sentenceLengths: sentenceLengths, clusters: clusters)
        default:
            preconditionFailure("hmtl bench: the peer's model has no level \(task)")
        }
        batch.wordIDs = batch.wordIDs.map { _ in Int32(2 + rng.int(below: shapes.vocabulary - 2)) }
        return batch
    }
}
