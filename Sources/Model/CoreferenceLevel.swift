import NN
import Tensor

/// The coreference level (docs/design.md, Coreference level): lexical dropout on `[g_e, g_top]`, a
/// BiLSTM (1 × 200 in the reference) and the Lee et al. (2017) head, which reads both the dropped
/// input (its attention head) and the encoder states (span endpoints).
public struct CoreferenceLevel: Sendable {
    public struct Settings: Sendable, Equatable {
        public var encoder = BiLSTMSettings(hiddenSize: 200, layers: 1, dropout: 0)
        public var lexicalDropout: Float = 0.5
        public var head = CoreferenceHead.Settings()
        /// Validation and test restrict candidate spans to the gold mentions (setups A-GM, E-GM;
        /// training is unchanged, as the reference).
        public var evaluateOnGoldMentions = false
        public init() {}
    }

    public let lexicalDropout: Dropout
    public let evaluateOnGoldMentions: Bool
    public let encoder: BiLSTM
    public let head: CoreferenceHead

    public init(inputSize: Int, settings: Settings, layout: inout ParameterLayout) {
        lexicalDropout = Dropout(rate: settings.lexicalDropout)
        evaluateOnGoldMentions = settings.evaluateOnGoldMentions
        encoder = settings.encoder.make(name: "coref/encoder", inputSize: inputSize, layout: &layout)
        head = CoreferenceHead(name: "coref", inputSize: inputSize, encoderSize: encoder.outputSize,
                               settings: settings.head, layout: &layout)
    }

    /// Spec §9: the coref LSTM's input weights Xavier-normal and its recurrent weights
    /// orthogonal (the whole stacked [4H, H] matrix); its biases keep PyTorch's default.
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        encoder.initialize(arena, rng: &rng)
        for layer in encoder.layers {
            for lstm in [layer.forward, layer.backward] {
                Initializer.xavierNormal(arena.value(lstm.wIH), fanIn: lstm.inputSize, fanOut: 4 * lstm.hiddenSize,
                                         count: lstm.wIH.count, rng: &rng)
                Initializer.orthogonal(arena.value(lstm.wHH), rows: 4 * lstm.hiddenSize, columns: lstm.hiddenSize, rng: &rng)
            }
        }
        head.initialize(arena, rng: &rng)
    }
}
