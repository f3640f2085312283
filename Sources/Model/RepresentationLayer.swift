import NN
import Tensor

/// A hidden representation a trained model exposes for probing (the paper's §5 analysis):
/// the shared embedding g_e, or the output of one level's encoder BiLSTM — the vectors that
/// level's head reads. Spelled `ge` or the task's name.
public struct RepresentationLayer: RawRepresentable, Hashable, Sendable {
    /// The task whose encoder produces the layer (nil for g_e).
    public let task: Task?

    public init(task: Task?) { self.task = task }

    public init(rawValue: String) { task = rawValue == "ge" ? nil : Task(rawValue: rawValue) }

    public var rawValue: String { task?.rawValue ?? "ge" }

    public static let ge = RepresentationLayer(task: nil)
}

extension HierarchicalModel {
    /// The layers this model has: g_e and the encoder of every level, in layout order.
    public var representationLayers: [RepresentationLayer] {
        [.ge] + tasks.map { RepresentationLayer(task: $0) }
    }

    /// Whether the layer's level reads a whole document as one sequence (coreference); g_e and
    /// the other levels read sentences.
    public func readsDocuments(_ layer: RepresentationLayer) -> Bool {
        layer.task.map { levels[levelIndex(of: $0)] is CoreferenceLevel } ?? false
    }

    /// The vector size of a layer.
    public func dimension(of layer: RepresentationLayer) -> Int {
        layer.task.map { levels[levelIndex(of: $0)].encoder.outputSize } ?? embedder.outputSize
    }

    /// Inference-time (no dropout) token vectors of `layers` for every sequence of the batch,
    /// each [B, T, dimension] with zero rows past a sequence's length, computed in one pass up
    /// the shortcut stack. What a sequence is matters for the upper layers: the tagging and RE
    /// levels read sentences, the coreference level whole documents (one sequence).
    public func representations(_ batch: TaggingBatch, layers: Set<RepresentationLayer>,
                                arena: ParameterArena) -> [RepresentationLayer: Tensor] {
        precondition(layers.isSubset(of: representationLayers), "model has no layer among \(layers)")
        guard batch.count > 0 else { return [:] }
        let run = encode(batch, levels: layers.compactMap { $0.task.map(levelIndex) }, arena: arena)
        var out: [RepresentationLayer: Tensor] = [:]
        for layer in layers {
            out[layer] = layer.task.map { run.encoded[levelIndex(of: $0)]! } ?? run.ge
        }
        return out
    }
}
