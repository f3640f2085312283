import ArgumentParser
import Foundation
import Model
import Prediction
import Training

/// `hmtl embed`: a checkpoint's token representations (g_e and the task encoders' outputs)
/// written to HDF5 for probing; layout in `EmbeddingExport`.
struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a checkpoint's token representations (g_e, task encoder outputs) to HDF5.",
        discussion: """
        Layers: ge (the shared embedding), ner, emd, relation, coref (the output of that task's encoder \
        BiLSTM). Datasets: /<layer>/<i> [tokens, dim] per sentence i, /<layer>_pooled \
        [sentences, dim] with --pool max|mean, /sentences, /documents, /sentence_document.
        """)

    @Option(help: "The checkpoint file.") var checkpoint: String
    @Option(help: "Input file (a LitBank folder for litbank).") var input: String
    @Option(help: "Input format: \(PredictionInput.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var inputFormat = "text"
    @Option(help: ArgumentHelp(PredictionInput.wordColumnHelp, valueName: "N")) var wordColumn = 0
    @Option(help: "The HDF5 file to write.") var output: String
    @Option(help: "Comma-separated layers among ge, ner, emd, relation, coref.") var layers = "ge"
    @Option(help: "Sentence vectors over tokens: none, max or mean.") var pool = "none"
    @Option(help: "Sentences per batch.") var batchSize = 64
    @Option(help: "For a model with contextual embeddings: the HDF5 features of the input's sentences (`allennlp elmo --all` layout).")
    var contextual: String?
    @Option(help: TrainedModel.vectorsHelp) var glove: String?

    func run() throws {
        try runReportingFailures {
            guard batchSize > 0 else { throw ValidationError("--batch-size: expected a positive integer, got \(batchSize)") }
            guard let pooling = EmbeddingExport.Pooling(rawValue: pool) else {
                throw ValidationError("--pool: expected none, max or mean, got \(pool)")
            }
            let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: checkpoint), vectors: glove)
            let available = trained.model.representationLayers
            var chosen: [RepresentationLayer] = []
            for name in layers.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
                try rejectEarlierSpelling("--layers", name)
                let layer = RepresentationLayer(rawValue: name)
                guard available.contains(layer) else {
                    throw ValidationError("--layers: \(checkpoint) has no layer '\(name)'; available: \(available.map(\.rawValue).joined(separator: ", "))")
                }
                if !chosen.contains(layer) { chosen.append(layer) }
            }
            guard !chosen.isEmpty else { throw ValidationError("--layers: expected at least one of \(available.map(\.rawValue).joined(separator: ", "))") }
            let data = try PredictionInput.read(input: input, format: inputFormat, wordColumn: wordColumn)
            let features = try trained.contextualFeatures(contextual, checkpoint: checkpoint, documents: data.documents)
            let frozen = try trained.frozenVectors(for: data.documents)
            let start = Date()
            _ = try EmbeddingExport(model: trained.model, arena: trained.arena, batchSize: batchSize, contextual: features, frozen: frozen)
                .write(data.documents, layers: chosen, pooling: pooling, step: trained.step, checkpoint: checkpoint,
                       to: URL(fileURLWithPath: output))
            Throughput(documents: data.documents, seconds: Date().timeIntervalSince(start)).report("embed")
        }
    }
}
