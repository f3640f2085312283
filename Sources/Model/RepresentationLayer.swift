import NN
import Tensor

/// A hidden representation a trained model exposes for probing (the paper's §5 analysis):
/// the shared embedding g_e, or the output of one task's encoder BiLSTM — the vectors that
/// task's head reads.
public enum RepresentationLayer: String, CaseIterable, Sendable, Comparable {
    case ge, ner, emd, re, cr

    /// The task whose encoder produces the layer (nil for g_e).
    public var task: Task? {
        switch self {
        case .ge: nil
        case .ner: .ner
        case .emd: .emd
        case .re: .relation
        case .cr: .coref
        }
    }

    public static func < (a: RepresentationLayer, b: RepresentationLayer) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

extension HierarchicalModel {
    /// The layers this model has: g_e and the encoder of every task it was built with.
    public var representationLayers: [RepresentationLayer] {
        RepresentationLayer.allCases.filter { layer in layer.task.map { tasks.contains($0) } ?? true }
    }

    /// The vector size of a layer.
    public func dimension(of layer: RepresentationLayer) -> Int {
        switch layer {
        case .ge: embedder.outputSize
        case .ner, .emd: taggers[taggers.firstIndex { $0.task == layer.task }!].encoder.outputSize
        case .re: relation!.encoder.outputSize
        case .cr: coref!.encoder.outputSize
        }
    }

    /// Inference-time (no dropout) token vectors of `layers` for every sequence of the batch,
    /// each [B, T, dimension] with zero rows past a sequence's length, computed in one pass up
    /// the shortcut stack: x_0 = g_e, x_l = [g_e, h_l] for the tagging levels, and the RE and
    /// CR encoders on the top x. What a sequence is matters for the upper layers: the tagging
    /// and RE levels read sentences, the coreference level whole documents (one sequence).
    public func representations(_ batch: TaggingBatch, layers: Set<RepresentationLayer>,
                                arena: ParameterArena) -> [RepresentationLayer: Tensor] {
        precondition(layers.isSubset(of: representationLayers), "model has no layer among \(layers)")
        guard batch.count > 0 else { return [:] }
        var noRNGs = [RNG]()
        let (ge, _) = embedder.forward(batch, arena: arena, training: false, rngs: &noRNGs)
        var out: [RepresentationLayer: Tensor] = [:]
        if layers.contains(.ge) { out[.ge] = ge }
        let needsTop = layers.contains(.re) || layers.contains(.cr)
        let highest = taggers.lastIndex { tagger in layers.contains { $0.task == tagger.task } }
        let levels = needsTop ? taggers.count : highest.map { $0 + 1 } ?? 0
        var x = ge
        for tagger in taggers.prefix(levels) {
            let (h, _) = tagger.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs)
            if let layer = RepresentationLayer.allCases.first(where: { $0.task == tagger.task }), layers.contains(layer) {
                out[layer] = h
            }
            x = Concatenation.columns(ge, h).reshaped([batch.count, batch.maxLength, ge.columns + h.columns])
        }
        if layers.contains(.re), let relation {
            out[.re] = relation.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs).0
        }
        if layers.contains(.cr), let coref {
            out[.cr] = coref.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs).0
        }
        return out
    }
}
