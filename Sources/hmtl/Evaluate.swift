import ArgumentParser
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

    @Option(help: "Which split of the config's corpus to score when --data is not given: dev or test.")
    var split = "test"

    @Flag(help: "Print the scores as one JSON object instead of a table.")
    var json = false

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
                if let data { source.train = ""; source.dev = ""; source.test = data }
                else if split == "dev" { source.test = source.dev }
                else if split != "test" { throw ValidationError("--split: expected dev or test, got \(split)") }
                let splits = try CorpusSplits.load(source)
                let examples = RunData(vocabularies: trained.model.vocabularies, documents: [task: splits]).test[task]!
                guard examples.count > 0 else { throw ValidationError("no sentences to evaluate for task \(task.rawValue)") }
                let result = try Evaluator(model: trained.model, arena: trained.arena, batchSize: 64)
                    .evaluate(task, examples: examples, communicator: SingleProcessCommunicator())
                if json {
                    let overall = result.metrics.overall
                    var perType: [String: Any] = [:]
                    for (t, c) in result.metrics.perType { perType[t] = ["precision": c.precision, "recall": c.recall, "f1": c.f1] }
                    let object: [String: Any] = ["task": task.rawValue, "step": trained.step, "sentences": examples.count,
                                                 "precision": overall.precision, "recall": overall.recall, "f1": overall.f1,
                                                 "loss": result.lossPerSentence, "per_type": perType]
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    print("\(task.rawValue): \(examples.count) sentences, checkpoint step \(trained.step)")
                    print(result.metrics.table())
                }
            }
        }
    }
}
