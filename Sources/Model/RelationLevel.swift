import NN
import Tensor

/// The relation-extraction level (docs/design.md, Relation level): a BiLSTM over `[g_e, g_top]` (3
/// × 64 in the reference) and the multi-head selection head.
public struct RelationLevel: Sendable {
    public struct Settings: Sendable, Equatable {
        public var encoder = BiLSTMSettings(hiddenSize: 64, layers: 3, dropout: 0.2)
        /// Width d of the pair scorer's hidden layer.
        public var scorerSize = 64
        public init() {}
    }

    public let encoder: BiLSTM
    public let head: RelationHead
    /// Relation type names; `RelationPair.r` indexes them.
    public let types: [String]

    public init(inputSize: Int, types: [String], settings: Settings, layout: inout ParameterLayout) {
        self.types = types
        encoder = settings.encoder.make(name: "relation/encoder", inputSize: inputSize, layout: &layout)
        head = RelationHead(name: "relation/scorer", inputSize: encoder.outputSize, hiddenSize: settings.scorerSize,
                            relationCount: max(types.count, 1), layout: &layout)
    }

    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        encoder.initialize(arena, rng: &rng)
        head.initialize(arena, rng: &rng)
    }
}

/// A BiLSTM's shape, as configs give it.
public struct BiLSTMSettings: Sendable, Equatable {
    public var hiddenSize: Int
    public var layers: Int
    /// PyTorch inter-layer dropout (no effect with one layer).
    public var dropout: Float

    public init(hiddenSize: Int, layers: Int, dropout: Float) {
        self.hiddenSize = hiddenSize
        self.layers = layers
        self.dropout = dropout
    }

    public func make(name: String, inputSize: Int, layout: inout ParameterLayout) -> BiLSTM {
        BiLSTM(name: name, inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, dropout: dropout, layout: &layout)
    }
}
