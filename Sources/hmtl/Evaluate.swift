import ArgumentParser
import Corpus
import Distributed
import Foundation
import Model
import Training

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a checkpoint on a corpus split: span precision/recall/F1, micro and per type.")

    @Option(help: "The checkpoint file (ckpt-<step>.h5).")
    var checkpoint: String

    @Option(help: "A corpus file in the task's format; default: the split of the checkpoint's config chosen by --split.")
    var data: String?

    @Option(help: "Format of --data: conll2003, conll04 (default: the format in the checkpoint's config).")
    var format: String?

    @Option(help: "With --data, for a model with contextual embeddings: the HDF5 file of --data's features (`allennlp elmo --all` layout); default: the config's data.contextual file of the split.")
    var contextual: String?

    @Option(help: TrainedModel.vectorsHelp) var glove: String?

    @Option(help: "Which split of the config's corpus to score when --data is not given: dev or test.")
    var split = "test"

    @Flag(help: "Print the scores as one JSON object instead of a table.")
    var json = false

    @Flag(help: ArgumentHelp(LenientReport.help))
    var lenient = false

    func run() throws {
        try runReportingFailures {
            let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: checkpoint), vectors: glove)
            for task in trained.model.tasks {
                var source = trained.config.tasks[task]!.data
                if let format {
                    guard let f = DataSource.Format(rawValue: format) else {
                        throw ValidationError("--format: expected one of \(DataSource.Format.allCases.map(\.rawValue).joined(separator: ", ")), got \(format)")
                    }
                    source.format = f
                }
                guard split == "dev" || split == "test" else { throw ValidationError("--split: expected dev or test, got \(split)") }
                let policy = LenientReport.policy(lenient)
                let splits: CorpusSplits
                let documents: [Document]
                if let data, source.format != .litbank {
                    // One file of the task's format: read it as the "train" path, score all of it.
                    (source.train, source.dev, source.test) = (data, "", "")
                    splits = try CorpusSplits.load(source, policy: policy)
                    documents = splits.train
                } else {
                    if let data {
                        source.train = data  // a LitBank folder: its split file chooses
                    } else {
                        source = try configuredSplit(of: source, task: task, in: trained)
                    }
                    splits = try CorpusSplits.load(source, policy: policy)
                    documents = split == "dev" ? splits.dev : splits.test
                }
                LenientReport.print(splits.skipped, toStandardError: json)
                let corpus = CorpusSplits(train: [], dev: [], test: documents)
                var examples = RunData(vocabularies: trained.model.vocabularies, documents: [task: corpus]).test[task]!
                if let frozen = try trained.frozenVectors(for: documents) { examples.attach(frozen) }
                if let settings = trained.config.embedder.contextual, examples.count > 0 {
                    let configured = data == nil ? source.contextual.map { split == "dev" ? $0.dev : $0.test } : nil
                    guard let path = contextual ?? configured, !path.isEmpty else {
                        throw ValidationError("\(checkpoint) uses contextual embeddings: --contextual must name the HDF5 features of --data's sentences")
                    }
                    if contextual == nil { try trained.config.requireExisting(path, remedy: "pass --data FILE and --contextual FILE") }
                    try examples.attachContextual(path: path, settings: settings)
                }
                guard examples.count > 0 else {
                    throw ValidationError("\(place(of: source, in: trained)): no examples to evaluate task \(task.rawValue) on")
                }
                let result = try Evaluator(model: trained.model, arena: trained.arena, batchSize: 64)
                    .evaluate(task, examples: examples, communicator: SingleProcessCommunicator())
                if json {
                    var object = result.record
                    object.merge(["task": task.rawValue, "step": trained.step, "examples": examples.count]) { $1 }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    print("\(task.rawValue): \(examples.count) examples, checkpoint step \(trained.step)")
                    print(result.table)
                }
            }
        }
    }

    /// What was read for scoring, as an error names it: the file, or the split of a folder or
    /// of the demo corpus.
    private func place(of source: DataSource, in trained: TrainedModel) -> String {
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
    private func configuredSplit(of source: DataSource, task: Task, in trained: TrainedModel) throws -> DataSource {
        var chosen = source
        switch source.format {
        case .demo, .litbank:
            break
        case .conll2003, .conll04, .conll2012, .dygie, .columns:
            let path = split == "dev" ? source.dev : source.test
            guard !path.isEmpty else {
                throw ValidationError("\(trained.config.origin.name): tasks.\(task.rawValue).data has no \(split) file; pass --split dev or --data FILE")
            }
            (chosen.train, chosen.dev, chosen.test) = ("", split == "dev" ? path : "", split == "dev" ? "" : path)
        }
        try trained.config.requireExisting(filesOf: chosen, remedy: "pass --data FILE")
        return chosen
    }
}
