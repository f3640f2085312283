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

    @Option(help: "Which split of the config's corpus to score when --data is not given: dev or test.")
    var split = "test"

    @Flag(help: "Print the scores as one JSON object instead of a table.")
    var json = false

    @Flag(help: ArgumentHelp(LenientReport.help))
    var lenient = false

    func run() throws {
        try runReportingFailures {
            let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: checkpoint))
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
                    if let data { source.train = data }  // a LitBank folder: its split file chooses
                    splits = try CorpusSplits.load(source, policy: policy)
                    documents = split == "dev" ? splits.dev : splits.test
                }
                LenientReport.print(splits.skipped, toStandardError: json)
                let corpus = CorpusSplits(train: [], dev: [], test: documents)
                var examples = RunData(vocabularies: trained.model.vocabularies, documents: [task: corpus]).test[task]!
                if let settings = trained.config.embedder.contextual, examples.count > 0 {
                    let configured = data == nil ? source.contextual.map { split == "dev" ? $0.dev : $0.test } : nil
                    guard let path = contextual ?? configured, !path.isEmpty else {
                        throw ValidationError("the model uses contextual embeddings: --contextual must name the HDF5 features of --data's sentences")
                    }
                    try examples.attachContextual(path: path, settings: settings)
                }
                guard examples.count > 0 else { throw ValidationError("no examples to evaluate for task \(task.rawValue)") }
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
}
