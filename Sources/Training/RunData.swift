import Checkpoint
import Corpus
import Model
import NN

/// Everything read from the corpora for a run: per-task examples of each split and the
/// vocabularies built from the training splits.
public struct RunData: Sendable {
    public var train: [Task: TaskExamples]
    public var dev: [Task: TaskExamples]
    public var test: [Task: TaskExamples]
    public var vocabularies: Vocabularies
    /// What a lenient `load` left out, per corpus path (empty when strict, or nothing was bad).
    public var skipped: [(path: String, records: SkippedRecords)] = []
    /// What the run's checkpoints record of `embedder.glove` (nil without it).
    public private(set) var vectorsFile: VectorsFileRecord?

    /// With `embedder.glove`: indexes the file, gives every split's words outside the training
    /// vocabulary the file's vectors, frozen, and returns the vocabulary's vectors, the initial
    /// values of the trainable rows. Nil without `embedder.glove`.
    public mutating func attachPretrained(_ config: RunConfig) throws -> PretrainedVectors? {
        guard let vectors = try WordVectors.open(config) else { return nil }
        let initial = try PretrainedVectors(file: vectors.file, vocabulary: vocabularies.words.entries)
        let splits: [WritableKeyPath<RunData, [Task: TaskExamples]>] = [\.train, \.dev, \.test]
        let sequences = splits.flatMap { split in self[keyPath: split].sorted { $0.key < $1.key }.flatMap(\.value.sequences) }
        let frozen = try vectors.frozen(for: sequences, outside: vocabularies.words)
        for split in splits {
            for task in self[keyPath: split].keys { self[keyPath: split][task]!.attach(frozen) }
        }
        vectorsFile = vectors.record
        return initial
    }

    /// Reads every task's corpus (a source shared by several tasks once) and builds the
    /// vocabularies from the training splits of all tasks together (the reference's
    /// `datasets_for_vocab_creation: ["train"]`). With `base` (a trained checkpoint's, under
    /// `--init-from`), its word and character vocabularies come first, in their order, and the
    /// corpora's new entries after them; tags and relation types are the corpora's.
    public static func load(_ config: RunConfig, policy: ReadPolicy = .strict, extending base: Vocabularies? = nil) throws -> RunData {
        // Tasks reading the same files share one read; a LitBank folder is read with the
        // entity columns of all its tagging tasks.
        var groups: [(files: DataSource, tasks: [Task])] = []
        for (task, taskConfig) in config.tasks.sorted(by: { $0.key < $1.key }) {
            var files = taskConfig.data
            files.entityColumn = nil
            if let g = groups.firstIndex(where: { $0.files == files }) { groups[g].tasks.append(task) } else { groups.append((files, [task])) }
        }
        var sources: [(DataSource, CorpusSplits)] = []
        var documents: [Task: CorpusSplits] = [:]
        for group in groups {
            var layers = LitBankReader.innermostMentions
            for task in group.tasks { layers.merge(config.tasks[task]!.data.litBankLayers(of: task)) { $1 } }
            try config.requireExisting(filesOf: group.files)
            let splits = try CorpusSplits.load(group.files, litBankLayers: layers, policy: policy)
            sources.append((group.files, splits))
            for task in group.tasks { documents[task] = splits }
        }
        let allTrain = sources.flatMap(\.1.train)
        var tags: [Task: Vocabulary] = [:], relations: Vocabulary?
        for (task, splits) in documents {
            LevelKinds.kind(of: task).addLabels(of: task, training: splits.train, tags: &tags, relations: &relations)
        }
        let words = Vocabulary.words(from: allTrain), characters = Vocabulary.characters(from: allTrain)
        let vocabularies = Vocabularies(words: base.map { $0.words.extended(with: words) } ?? words,
                                        characters: base.map { $0.characters.extended(with: characters) } ?? characters,
                                        tags: tags, relations: relations)
        var data = RunData(vocabularies: vocabularies, documents: documents)
        data.skipped = sources.flatMap(\.1.skipped)
        try data.attachContextual(config)
        return data
    }

    /// Attaches the contextual features `config` names to every task's splits (nothing when the
    /// embedder has none). A file named by several tasks is read once, for all their sentences,
    /// and its values are shared.
    public mutating func attachContextual(_ config: RunConfig) throws {
        guard let settings = config.embedder.contextual else { return }
        let splits: [(name: String, examples: WritableKeyPath<RunData, [Task: TaskExamples]>, path: KeyPath<ContextualPaths, String>)] =
            [("train", \.train, \.train), ("dev", \.dev, \.dev), ("test", \.test, \.test)]
        var jobs: [(task: Task, examples: WritableKeyPath<RunData, [Task: TaskExamples]>, path: String)] = []
        for task in config.tasks.keys.sorted() {
            guard let paths = config.tasks[task]!.data.contextual else { continue }
            for split in splits {
                guard let examples = self[keyPath: split.examples][task], examples.count > 0 else { continue }
                let path = paths[keyPath: split.path]
                guard !path.isEmpty else {
                    throw TrainingError("\(config.origin.name): tasks.\(task.rawValue).data.contextual: names no \(split.name) file, but the \(split.name) split has examples")
                }
                jobs.append((task, split.examples, path))
            }
        }
        var files: [String] = []
        for job in jobs where !files.contains(job.path) { files.append(job.path) }
        for path in files {
            try config.requireExisting(path)
            let mine = jobs.filter { $0.path == path }
            let sentences = mine.flatMap { self[keyPath: $0.examples][$0.task]!.sentences.joined() }
            let file = try ContextualFile(path: path, settings: settings, sentences: sentences)
            for job in mine {
                self[keyPath: job.examples][job.task]!.attach(file.features(for: self[keyPath: job.examples][job.task]!.sentences))
            }
        }
    }

    /// Examples for a model whose vocabularies are already fixed (a checkpoint's).
    public init(vocabularies: Vocabularies, documents: [Task: CorpusSplits]) {
        self.vocabularies = vocabularies
        var train: [Task: TaskExamples] = [:], dev = train, test = train
        for (task, splits) in documents {
            train[task] = TaskExamples(task: task, documents: splits.train, vocabularies: vocabularies)
            dev[task] = TaskExamples(task: task, documents: splits.dev, vocabularies: vocabularies)
            test[task] = TaskExamples(task: task, documents: splits.test, vocabularies: vocabularies)
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
    /// What a lenient read left out, per path that had bad records.
    public var skipped: [(path: String, records: SkippedRecords)]

    public init(train: [Document], dev: [Document], test: [Document], skipped: [(path: String, records: SkippedRecords)] = []) {
        self.train = train
        self.dev = dev
        self.test = test
        self.skipped = skipped
    }

    /// `litBankLayers`: the span layers a LitBank source fills, by entities column.
    public static func load(_ source: DataSource, litBankLayers: [SpanLayer: Int] = LitBankReader.innermostMentions,
                            policy: ReadPolicy = .strict) throws -> CorpusSplits {
        func files(_ read: (String, ReadPolicy) throws -> CorpusRead) throws -> CorpusSplits {
            var skipped: [(path: String, records: SkippedRecords)] = []
            func split(_ path: String) throws -> [Document] {
                guard !path.isEmpty else { return [] }
                let result = try read(path, policy)
                if !result.skipped.isEmpty { skipped.append((path, result.skipped)) }
                return result.documents
            }
            return CorpusSplits(train: try split(source.train), dev: try split(source.dev), test: try split(source.test), skipped: skipped)
        }
        switch source.format {
        case .demo:
            let s = DemoCorpus.splits(documents: source.documents, seed: source.demoSeed)
            return CorpusSplits(train: s.train, dev: s.dev, test: s.test)
        case .conll2003:
            let reader = CoNLL2003Reader(scheme: source.tagScheme == "iob2" ? .iob2 : .iob1)
            return try files(reader.read(path:policy:))
        case .conll04:
            return try files(CoNLL04Reader().read(path:policy:))
        case .conll2012:
            return try files(CoNLL2012Reader().read(path:policy:))
        case .dygie:
            return try files(DyGIEReader().read(path:policy:))
        case .columns:
            guard let format = source.columns else {
                throw TrainingError("format columns needs a column map (data.columns, e.g. {\"word\": 0, \"ner\": -1})")
            }
            return try files(ColumnReader(format: format).read(path:policy:))
        case .litbank:
            let s = try LitBankReader(layers: litBankLayers).read(directory: source.train, policy: policy)
            return CorpusSplits(train: s.train, dev: s.dev, test: s.test, skipped: s.skipped.isEmpty ? [] : [(source.train, s.skipped)])
        }
    }
}

extension DataSource {
    /// The span layers a LitBank read fills for `task`: the innermost mentions, and the task's
    /// own layer from its `entityColumn`.
    func litBankLayers(of task: Task) -> [SpanLayer: Int] {
        LitBankReader.innermostMentions.merging(entityColumn.map { [task.spanLayer: $0] } ?? [:]) { $1 }
    }
}
