import ArgumentParser
import Foundation
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
            let evaluation = CheckpointEvaluation(trained: trained, checkpoint: checkpoint, data: data, split: split,
                                                  contextual: contextual, policy: LenientReport.policy(lenient))
            for task in trained.model.tasks {
                var source = trained.config.tasks[task]!.data
                if let format {
                    guard let f = DataSource.Format(rawValue: format) else {
                        throw ValidationError("--format: expected one of \(DataSource.Format.allCases.map(\.rawValue).joined(separator: ", ")), got \(format)")
                    }
                    source.format = f
                }
                guard split == "dev" || split == "test" else { throw ValidationError("--split: expected dev or test, got \(split)") }
                let input = try evaluation.read(task, source: source)
                LenientReport.print(input.skipped, toStandardError: json)
                let (result, examples) = try evaluation.score(task, input)
                if json {
                    var object = result.record
                    object.merge(["task": task.rawValue, "step": trained.step, "examples": examples]) { $1 }
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    print("\(task.rawValue): \(examples) examples, checkpoint step \(trained.step)")
                    print(result.table)
                }
            }
        }
    }
}
