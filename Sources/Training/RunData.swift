import Corpus
import Model

/// Everything read from the corpora for a run: per-task examples of each split and the
/// vocabularies built from the training splits.
public struct RunData: Sendable {
    public var train: [Task: TaggingExamples]
    public var dev: [Task: TaggingExamples]
    public var test: [Task: TaggingExamples]
    public var vocabularies: Vocabularies

    /// Reads every task's corpus and builds vocabularies from the training splits of all tasks
    /// together (the reference's `datasets_for_vocab_creation: ["train"]`).
    public static func load(_ config: RunConfig) throws -> RunData {
        var documents: [Task: CorpusSplits] = [:]
        for (task, taskConfig) in config.tasks.sorted(by: { $0.key < $1.key }) {
            documents[task] = try CorpusSplits.load(taskConfig.data)
        }
        let allTrain = documents.keys.sorted().flatMap { documents[$0]!.train }
        var tagVocabularies: [Task: Vocabulary] = [:]
        for task in documents.keys {
            let tags = documents[task]!.train.flatMap(\.sentences).flatMap { BILOU.tags(for: $0.entities, count: $0.tokens.count) }
            tagVocabularies[task] = Vocabulary.labels(tags + ["O"])
        }
        let vocabularies = Vocabularies(words: Vocabulary.words(from: allTrain),
                                        characters: Vocabulary.characters(from: allTrain),
                                        tags: tagVocabularies)
        return RunData(vocabularies: vocabularies, documents: documents)
    }

    /// Examples for a model whose vocabularies are already fixed (a checkpoint's).
    public init(vocabularies: Vocabularies, documents: [Task: CorpusSplits]) {
        self.vocabularies = vocabularies
        var train: [Task: TaggingExamples] = [:], dev = train, test = train
        for (task, splits) in documents {
            let tags = vocabularies.tags[task]!
            train[task] = TaggingExamples(nerFrom: splits.train, tagVocabulary: tags)
            dev[task] = TaggingExamples(nerFrom: splits.dev, tagVocabulary: tags)
            test[task] = TaggingExamples(nerFrom: splits.test, tagVocabulary: tags)
        }
        self.train = train
        self.dev = dev
        self.test = test
    }
}

/// The documents of one data source, by split.
public struct CorpusSplits: Sendable {
    public var train: [Document]
    public var dev: [Document]
    public var test: [Document]

    public static func load(_ source: DataSource) throws -> CorpusSplits {
        switch source.format {
        case .demo:
            let s = DemoCorpus.splits(documents: source.documents, seed: source.demoSeed)
            return CorpusSplits(train: s.train, dev: s.dev, test: s.test)
        case .conll2003:
            let reader = CoNLL2003Reader(scheme: source.tagScheme == "iob2" ? .iob2 : .iob1)
            func read(_ path: String) throws -> [Document] { path.isEmpty ? [] : try reader.read(path: path) }
            return CorpusSplits(train: try read(source.train), dev: try read(source.dev), test: try read(source.test))
        case .conll04:
            func read(_ path: String) throws -> [Document] { path.isEmpty ? [] : try CoNLL04Reader().read(path: path) }
            return CorpusSplits(train: try read(source.train), dev: try read(source.dev), test: try read(source.test))
        }
    }
}
