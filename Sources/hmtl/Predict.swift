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
        object per document with id, tokens, and ner, emd, relations, coref for the tasks the \
        checkpoint was trained on (sentence-relative token offsets, end exclusive). conll output \
        (--output is then a folder): ner.conll, emd.conll, coref.conll (CoNLL-2012) and re.jsonl, \
        in the formats hmtl score reads.
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
            let features = try contextualFeatures(contextual, of: trained, checkpoint: checkpoint, documents: data.documents)
            let frozen = try trained.frozenVectors(for: data.documents)
            let start = Date()
            let predictions = try Predictor(model: trained.model, arena: trained.arena, batchSize: batchSize, contextual: features,
                                            frozen: frozen).predict(data.documents)
            let seconds = Date().timeIntervalSince(start)
            switch format {
            case .jsonl:
                var text = ""
                for (d, prediction) in predictions.enumerated() {
                    let object = prediction.jsonObject(offsets: data.offsets?[d])
                    text += String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self) + "\n"
                }
                if let output { try write(text, to: URL(fileURLWithPath: output)) } else { FileHandle.standardOutput.write(Data(text.utf8)) }
            case .conll:
                let folder = URL(fileURLWithPath: output!)
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                } catch {
                    throw ValidationError("\(folder.path): cannot create the output folder (\(error.localizedDescription))")
                }
                for file in try PredictionFiles.render(predictions) {
                    try write(file.text, to: folder.appendingPathComponent(file.name))
                }
            }
            Throughput(documents: data.documents, seconds: seconds).report("predict")
        }
    }
}

/// Documents, sentences and tokens per second of one command, on stderr.
struct Throughput {
    var documents: Int, sentences: Int, tokens: Int, seconds: Double

    init(documents: [Document], seconds: Double) {
        self.documents = documents.count
        sentences = documents.reduce(0) { $0 + $1.sentences.count(where: { !$0.tokens.isEmpty }) }
        tokens = documents.reduce(0) { $0 + $1.tokenCount }
        self.seconds = seconds
    }

    func report(_ command: String) {
        let rate = seconds > 0 ? Double(tokens) / seconds : 0
        let line = "hmtl \(command): \(documents) documents, \(sentences) sentences, \(tokens) tokens in "
            + String(format: "%.2f s (%.0f tokens/s, %.1f sentences/s)\n", seconds, rate, seconds > 0 ? Double(sentences) / seconds : 0)
        FileHandle.standardError.write(Data(line.utf8))
    }
}

extension PredictionInput {
    static let wordColumnHelp = "With --input-format columns: the column of the words (0-based; negative counts from the end)."

    /// `--input`/`--input-format` (and `--word-column`) as the commands take them; text may come
    /// from standard input.
    static func read(input: String?, format name: String, wordColumn: Int) throws -> PredictionInput {
        guard let format = Format(rawValue: name) else {
            throw ValidationError("--input-format: expected one of \(Format.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
        }
        guard let input else {
            guard format == .text else { throw ValidationError("--input-format \(name) reads a file: give --input PATH") }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let text = String(validating: data, as: UTF8.self) else {
                throw ValidationError("standard input is not valid UTF-8 text")
            }
            return try PredictionInput.checkedText(text, source: "standard input")
        }
        return try read(path: input, format: format, wordColumn: wordColumn)
    }
}

/// Writes `text` to `url`, naming the file when it fails.
func write(_ text: String, to url: URL) throws {
    do {
        try text.write(to: url, atomically: true, encoding: .utf8)
    } catch {
        throw ValidationError("\(url.path): cannot write (\(error.localizedDescription))")
    }
}
