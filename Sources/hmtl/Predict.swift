import ArgumentParser
import Corpus
import Foundation
import Model
import Prediction
import Training

/// `hmtl predict`: runs a checkpoint over raw text or a corpus file and writes its predictions
/// as JSON lines or as the files `hmtl score` reads.
struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Predict with a trained checkpoint: entities, mentions, relations, coreference.",
        discussion: """
        Text input: one document per line, tokenized on whitespace with punctuation and clitics \
        ('s, n't) split off, sentences ending at . ! ? before an upper-case word. jsonl output: one \
        object per document with id, tokens, and a key per task the checkpoint was trained on (ner, \
        emd, relation, coref; sentence-relative token offsets, end exclusive). conll output \
        (--output is then a folder): a file per task, ner.conll, emd.conll, coref.conll (CoNLL-2012) \
        and relation.jsonl, in the formats hmtl score reads.
        """)

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable { case jsonl, conll }

    @Option(help: "The checkpoint file.") var checkpoint: String
    @Option(help: "Input file (a LitBank folder for litbank); default: standard input (text only).") var input: String?
    @Option(help: "Input format: \(PredictionInput.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var inputFormat = "text"
    @Option(help: ArgumentHelp(PredictionInput.wordColumnHelp, valueName: "N")) var wordColumn = 0
    @Option(help: "Output format: jsonl or conll.") var format: OutputFormat = .jsonl
    @Option(help: "Output file (jsonl; default: standard output) or folder (conll, required).") var output: String?
    @Option(help: "Sentences per batch for the tagging and relation levels, documents per batch for coreference (evaluate: 64 sentences, 1 document).") var batchSize = 64
    @Option(help: "For a model with contextual embeddings: the HDF5 features of the input's sentences (`allennlp elmo --all` layout).")
    var contextual: String?
    @Option(help: TrainedModel.vectorsHelp) var glove: String?

    func run() throws {
        try runReportingFailures {
            guard batchSize > 0 else { throw ValidationError("--batch-size: expected a positive integer, got \(batchSize)") }
            if format == .conll && output == nil { throw ValidationError("--format conll writes one file per task: give --output FOLDER") }
            let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: checkpoint), vectors: glove)
            let data = try PredictionInput.read(input: input, format: inputFormat, wordColumn: wordColumn)
            let features = try trained.contextualFeatures(contextual, checkpoint: checkpoint, documents: data.documents)
            let frozen = try trained.frozenVectors(for: data.documents)
            let start = Date()
            let predictions = try Predictor(model: trained.model, arena: trained.arena, batchSize: batchSize, contextual: features,
                                            frozen: frozen).predict(data.documents)
            let seconds = Date().timeIntervalSince(start)
            switch format {
            case .jsonl:
                let text = try PredictionFiles.jsonLines(predictions, offsets: data.offsets)
                if let output { try PredictionFiles.write(text, to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
            case .conll:
                try PredictionFiles.write(predictions, toFolder: URL(fileURLWithPath: output!))
            }
            Throughput(documents: data.documents, seconds: seconds).report("predict")
        }
    }
}
