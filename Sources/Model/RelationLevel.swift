import NN
import Tensor

/// The relation-extraction level (docs/design.md, Relation level): a BiLSTM over `[g_e, g_top]` (3
/// × 64 in the reference) and the multi-head selection head.
public struct RelationLevel: Level {
    public struct Settings: Sendable, Equatable {
        public var encoder = BiLSTMSettings(hiddenSize: 64, layers: 3, dropout: 0.2)
        /// Width d of the pair scorer's hidden layer.
        public var scorerSize = 64
        /// The level's name; the relation level is one per model (its types are the
        /// vocabularies' one relation inventory).
        public var task = Task.relation
        public init() {}
    }

    public let task: Task
    public let encoder: BiLSTM
    public let head: RelationHead
    /// Relation type names; `RelationPair.r` indexes them.
    public let types: [String]

    public init(inputSize: Int, types: [String], settings: Settings, layout: inout ParameterLayout) {
        task = settings.task
        self.types = types
        encoder = settings.encoder.make(name: "\(task.rawValue)/encoder", inputSize: inputSize, layout: &layout)
        head = RelationHead(name: "\(task.rawValue)/scorer", inputSize: encoder.outputSize, hiddenSize: settings.scorerSize,
                            relationCount: max(types.count, 1), layout: &layout)
    }

    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        encoder.initialize(arena, rng: &rng)
        head.initialize(arena, rng: &rng)
    }

    /// The encoder's cache and dLoss/dh (the head's gradients are accumulated in the forward pass).
    public struct TrainingPass {
        var encoder: BiLSTMCache
        var dEncoded: Tensor
    }

    /// The head's summed BCE over the batch's gold cells, and the count of scored cells.
    public func trainingForward(_ x: Tensor, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: StepLoss, pass: TrainingPass) {
        let (h, encoderCache) = encoder.forward(x, lengths: batch.lengths, arena: arena, training: true, rngs: &rngs)
        let (sum, count, dh) = head.lossAndGradient(h, lengths: batch.lengths, gold: batch.relations, arena: arena)
        return (StepLoss(sum: sum, count: Double(count)), TrainingPass(encoder: encoderCache, dEncoded: dh))
    }

    public func backward(_ pass: TrainingPass, arena: ParameterArena, finished: GradientsFinished = { _ in }) -> Tensor {
        encoder.backward(pass.encoder, dOut: pass.dEncoded, arena: arena, finished: finished)
    }

    /// Relation cells (last token of each argument, type index) per sentence.
    public func predict(_ x: Tensor, encoded h: Tensor, batch: TaggingBatch, arena: ParameterArena) -> [[RelationPair]] {
        head.predict(h, lengths: batch.lengths, arena: arena)
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

extension RelationLevel.Settings: LevelSettings {
    public var isStacked: Bool { false }
    public func makeLevel(inputSize: Int, vocabularies: Vocabularies, layout: inout ParameterLayout) -> any Level {
        RelationLevel(inputSize: inputSize, types: vocabularies.relationTypes, settings: self, layout: &layout)
    }
}
