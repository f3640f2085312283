import Corpus
import Distributed
import Model

/// `hmtl evaluate`: each task of a checkpoint scored on its configured dev or test split, or on
/// a file (`data`) of the task's format, with the metrics of validation (`Evaluator`).
public struct CheckpointEvaluation {
    let trained: TrainedModel
    /// The checkpoint's path as the user gave it, for messages.
    let checkpoint: String
    let data: String?
    /// "dev" or "test".
    let split: String
    /// With `data`: the HDF5 features of its sentences, for a model with contextual embeddings.
    let contextual: String?
    let policy: ReadPolicy

    public init(trained: TrainedModel, checkpoint: String, data: String?, split: String, contextual: String?, policy: ReadPolicy) {
        self.trained = trained
        self.checkpoint = checkpoint
        self.data = data
        self.split = split
        self.contextual = contextual
        self.policy = policy
    }

    /// The documents a task is scored on, and the records a lenient read skipped.
    public struct Input {
        let source: DataSource
        let documents: [Document]
        public let skipped: [(path: String, records: SkippedRecords)]
    }

    /// Reads `task`'s documents from `source` (the task's data in the checkpoint's config, its
    /// format possibly overridden).
    public func read(_ task: Task, source: DataSource) throws -> Input {
        var source = source
        let splits: CorpusSplits
        let documents: [Document]
        if let data, source.format != .litbank {
            // One file of the task's format: read it as the "train" path, score all of it.
            (source.train, source.dev, source.test) = (data, "", "")
            splits = try CorpusSplits.load(source, litBankLayers: source.litBankLayers(of: task), policy: policy)
            documents = splits.train
        } else {
            if let data {
                source.train = data  // a LitBank folder: its split file chooses
            } else {
                source = try configuredSplit(of: source, task: task)
            }
            splits = try CorpusSplits.load(source, litBankLayers: source.litBankLayers(of: task), policy: policy)
            documents = split == "dev" ? splits.dev : splits.test
        }
        return Input(source: source, documents: documents, skipped: splits.skipped)
    }

    /// `task` evaluated on `input`: the scores and the number of examples.
    public func score(_ task: Task, _ input: Input) throws -> (result: Evaluator.Result, examples: Int) {
        let source = input.source, documents = input.documents
        let corpus = CorpusSplits(train: [], dev: [], test: documents)
        var examples = RunData(vocabularies: trained.model.vocabularies, documents: [task: corpus]).test[task]!
        if let frozen = try trained.frozenVectors(for: documents) { examples.attach(frozen) }
        if let settings = trained.config.embedder.contextual, examples.count > 0 {
            let configured = data == nil ? source.contextual.map { split == "dev" ? $0.dev : $0.test } : nil
            guard let path = contextual ?? configured, !path.isEmpty else {
                throw TrainingError("\(checkpoint) uses contextual embeddings: --contextual must name the HDF5 features of --data's sentences")
            }
            if contextual == nil { try trained.config.requireExisting(path, remedy: "pass --data FILE and --contextual FILE") }
            try examples.attachContextual(path: path, settings: settings)
        }
        guard examples.count > 0 else {
            throw TrainingError("\(place(of: source)): no examples to evaluate task \(task.rawValue) on")
        }
        let result = try Evaluator(model: trained.model, arena: trained.arena, batchSize: 64)
            .evaluate(task, examples: examples, communicator: SingleProcessCommunicator())
        return (result, examples.count)
    }

    /// What was read for scoring, as an error names it: the file, or the split of a folder or
    /// of the demo corpus.
    private func place(of source: DataSource) -> String {
        switch (data, source.format) {
        case (let data?, .litbank): "\(data), \(split) split"
        case (let data?, _): data
        case (nil, .demo): "\(trained.config.origin.name): the demo corpus's \(split) split"
        case (nil, .litbank): "\(source.train), \(split) split"
        case (nil, _): split == "dev" ? source.dev : source.test
        }
    }

    /// The checkpoint's own data for `task`, to read only the split being scored (a file per
    /// split: the others are left out, so a moved training file does not matter), after
    /// checking it is where the config's paths resolve (`ConfigOrigin`).
    private func configuredSplit(of source: DataSource, task: Task) throws -> DataSource {
        var chosen = source
        switch source.format {
        case .demo, .litbank:
            break
        case .conll2003, .conll04, .conll2012, .dygie, .columns:
            let path = split == "dev" ? source.dev : source.test
            guard !path.isEmpty else {
                throw TrainingError("\(trained.config.origin.name): tasks.\(task.rawValue).data has no \(split) file; pass --split dev or --data FILE")
            }
            (chosen.train, chosen.dev, chosen.test) = ("", split == "dev" ? path : "", split == "dev" ? "" : path)
        }
        try trained.config.requireExisting(filesOf: chosen, remedy: "pass --data FILE")
        return chosen
    }
}
