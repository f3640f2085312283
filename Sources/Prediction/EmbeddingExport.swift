import Checkpoint
import Corpus
import Foundation
import Model
import NN
import Tensor
import Training

/// Writes a trained model's token representations to HDF5 for probing (`hmtl embed`):
///
/// ```
/// /<layer>/<i>          float32 [tokens, dim]: sentence i's token vectors (i over the non-empty
///                       sentences of all documents, in order); attr dimension on /<layer>
/// /<layer>_pooled       float32 [sentences, dim] (pool max or mean): over each sentence's tokens
/// /sentences            strings: each sentence's tokens joined by spaces
/// /documents            strings: document ids
/// /sentence_document    int64 [sentences]: index into /documents
/// /                     attrs layers ("ge,ner"), pool, step, checkpoint
/// ```
///
/// g_e and the tagging and relation levels are computed per sentence (what those levels read),
/// the coreference level on whole documents — its encoder reads a document as one sequence;
/// batches of them as `Predictor` makes — then cut at the sentence boundaries.
public struct EmbeddingExport {
    public enum Pooling: String, Sendable, CaseIterable { case none, max, mean }

    public let model: HierarchicalModel
    public let arena: ParameterArena
    public let batchSize: Int
    /// The input's precomputed features, when the model mixes them into g_e.
    public let contextual: ContextualFile?
    /// The pretrained vectors of the input's words outside the vocabulary (`TrainedModel.frozenVectors`).
    public let frozen: FrozenVectors?

    public init(model: HierarchicalModel, arena: ParameterArena, batchSize: Int, contextual: ContextualFile? = nil,
                frozen: FrozenVectors? = nil) {
        precondition(batchSize > 0, "EmbeddingExport: batch size must be positive")
        self.model = model
        self.arena = arena
        self.batchSize = batchSize
        self.contextual = contextual
        self.frozen = frozen
    }

    public struct Summary: Sendable {
        public var sentences: Int
        public var tokens: Int
    }

    public func write(_ documents: [Document], layers: [RepresentationLayer], pooling: Pooling,
                      step: Int, checkpoint: String, to url: URL) throws -> Summary {
        var sentences: [(document: Int, tokens: [String])] = []
        var firstSentence: [Int] = []
        for (d, document) in documents.enumerated() {
            firstSentence.append(sentences.count)
            for sentence in document.sentences where !sentence.tokens.isEmpty { sentences.append((d, sentence.tokens)) }
        }
        // Written beside the target and renamed into place: a failure leaves no half-written file.
        let partial = url.appendingPathExtension("tmp")
        let file = try HDF5File.create(partial)
        var committed = false
        defer {
            if !committed {
                try? file.close()
                try? FileManager.default.removeItem(at: partial)
            }
        }
        var pooled: [RepresentationLayer: [Float]] = [:]
        func store(_ layer: RepresentationLayer, sentence i: Int, _ vectors: ArraySlice<Float>) throws {
            let dim = model.dimension(of: layer), n = vectors.count / dim
            try file.write(Array(vectors), shape: [n, dim], at: "/\(layer.rawValue)/\(i)")
            if pooling != .none { pooled[layer, default: []] += Self.pool(vectors, tokens: n, dimension: dim, pooling) }
        }
        // The sentence-level layers run in length-sorted batches: collect every sentence's
        // vectors first, then write (and pool) in sentence order.
        var bySentence: [RepresentationLayer: [ArraySlice<Float>]] = [:]
        let documentLayers = Set(layers.filter(model.readsDocuments)), sentenceLayers = Set(layers).subtracting(documentLayers)
        for layer in layers { bySentence[layer] = Array(repeating: [], count: sentences.count) }
        if !sentenceLayers.isEmpty {
            for chunk in lengthSortedBatches(Array(sentences.indices), size: batchSize, length: { sentences[$0].tokens.count }) {
                var batch = TaggingBatch(sentences: chunk.map { sentences[$0].tokens }, exampleIDs: chunk, vocabulary: model.vocabularies, frozen: frozen)
                batch.contextual = contextual?.batch(chunk.map { [sentences[$0].tokens] }, maxLength: batch.maxLength)
                for (layer, h) in model.representations(batch, layers: sentenceLayers, arena: arena) {
                    let t = batch.maxLength, dim = h.columns
                    for (b, i) in chunk.enumerated() {
                        bySentence[layer]![i] = h.data[(b * t * dim)..<((b * t + batch.lengths[b]) * dim)]
                    }
                }
            }
        }
        // The document-level layers (coreference) run on batches of whole documents, as
        // `Predictor` makes them, and are cut at the sentence boundaries.
        if !documentLayers.isEmpty {
            for group in Predictor.documentBatches(documents, size: batchSize) {
                var batch = TaggingBatch(sentences: group.map { documents[$0].sentences.flatMap(\.tokens) }, exampleIDs: group,
                                         vocabulary: model.vocabularies, frozen: frozen)
                batch.contextual = contextual?.batch(group.map { documents[$0].sentences.map(\.tokens).filter { !$0.isEmpty } },
                                                     maxLength: batch.maxLength)
                for (layer, h) in model.representations(batch, layers: documentLayers, arena: arena) {
                    let dim = h.columns
                    for (b, d) in group.enumerated() {
                        var row = b * batch.maxLength, i = firstSentence[d]
                        for sentence in documents[d].sentences where !sentence.tokens.isEmpty {
                            bySentence[layer]![i] = h.data[(row * dim)..<((row + sentence.tokens.count) * dim)]
                            row += sentence.tokens.count
                            i += 1
                        }
                    }
                }
            }
        }
        for layer in layers {
            try file.createGroup("/\(layer.rawValue)")
            try file.setAttribute("dimension", Int64(model.dimension(of: layer)), on: "/\(layer.rawValue)")
            for (i, vectors) in bySentence[layer]!.enumerated() { try store(layer, sentence: i, vectors) }
            if pooling != .none {
                try file.write(pooled[layer] ?? [], shape: [sentences.count, model.dimension(of: layer)], at: "/\(layer.rawValue)_pooled")
            }
        }
        try file.write(sentences.map { $0.tokens.joined(separator: " ") }, at: "/sentences")
        try file.write(documents.map(\.id), at: "/documents")
        try file.write(sentences.map { Int64($0.document) }, shape: [sentences.count], at: "/sentence_document")
        try file.setAttribute("layers", layers.map(\.rawValue).joined(separator: ","))
        try file.setAttribute("pool", pooling.rawValue)
        try file.setAttribute("step", Int64(step))
        try file.setAttribute("checkpoint", checkpoint)
        try file.close()
        guard rename(partial.path, url.path) == 0 else {
            throw TrainingError("\(url.path): cannot move the finished file into place (\(String(cString: strerror(errno))))")
        }
        committed = true
        return Summary(sentences: sentences.count, tokens: sentences.reduce(0) { $0 + $1.tokens.count })
    }

    /// Max or mean over the rows of a [tokens, dimension] block.
    static func pool(_ vectors: ArraySlice<Float>, tokens n: Int, dimension dim: Int, _ pooling: Pooling) -> [Float] {
        let base = vectors.startIndex
        var out = Array(vectors[base..<(base + dim)])
        for t in 1..<max(n, 1) {
            for k in 0..<dim {
                let v = vectors[base + t * dim + k]
                out[k] = pooling == .max ? Swift.max(out[k], v) : out[k] + v
            }
        }
        if pooling == .mean { for k in 0..<dim { out[k] /= Float(n) } }
        return out
    }
}
