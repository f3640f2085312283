import Tensor
import NN

/// A BiLSTM-CRF tagger level of the hierarchy (NER, and EMD from the next issue), docs/design.md,
/// Tagging levels: x → dropout → BiLSTM → dropout → Linear → CRF. Its encoder output is the level's
/// g_task, which the level above consumes as `[g_e, g_task]`.
public struct CRFTagger: Level {
    public struct Settings: Sendable, Equatable {
        public var hiddenSize = 64
        public var layers = 2
        /// PyTorch inter-layer LSTM dropout.
        public var encoderDropout: Float = 0.2
        /// Dropout on the tagger's input and on the encoder output (same rate, separate masks).
        public var dropout: Float = 0.2
        public init() {}
    }

    public let task: Task
    public let encoder: BiLSTM
    public let dropout: Dropout
    public let projection: Linear
    public let crf: CRF
    public let tags: [String]
    public let constraints: TransitionConstraints

    public init(task: Task, inputSize: Int, tags: [String], settings: Settings, layout: inout ParameterLayout) {
        self.task = task
        self.tags = tags
        let name = task.rawValue
        encoder = BiLSTM(name: "\(name)/encoder", inputSize: inputSize, hiddenSize: settings.hiddenSize,
                         layers: settings.layers, dropout: settings.encoderDropout, layout: &layout)
        dropout = Dropout(rate: settings.dropout)
        projection = Linear(name: "\(name)/projection", inputSize: encoder.outputSize, outputSize: tags.count, layout: &layout)
        crf = CRF(name: "\(name)/crf", tagCount: tags.count, layout: &layout)
        constraints = TransitionConstraints.bilou(tags: tags)
    }

    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        encoder.initialize(arena, rng: &rng)
        projection.initialize(arena, rng: &rng)
        crf.initialize(arena, rng: &rng)
    }

    public struct Cache {
        var inputMask: Dropout.Mask
        var encoder: BiLSTMCache
        var outputMask: Dropout.Mask
        var dropped: Tensor
    }

    /// A training forward pass: the loss and what `backward` needs (dLoss/dEmissions comes out
    /// of the CRF's forward–backward, so it is computed here).
    public struct TrainingPass {
        var cache: Cache
        var dEmissions: Tensor
    }

    /// Emission scores [B, T, tags] for input x [B, T, D].
    public func forward(_ x: Tensor, lengths: [Int], arena: ParameterArena, training: Bool, rngs: inout [RNG]) -> (Tensor, Cache) {
        let (xd, inputMask) = dropout.forward(x, lengths: lengths, training: training, rngs: &rngs)
        let (h, encoderCache) = encoder.forward(xd, lengths: lengths, arena: arena, training: training, rngs: &rngs)
        let (hd, outputMask) = dropout.forward(h, lengths: lengths, training: training, rngs: &rngs)
        let emissions = projection.forward(hd, arena: arena)
        return (emissions, Cache(inputMask: inputMask, encoder: encoderCache, outputMask: outputMask, dropped: hd))
    }

    /// Summed CRF negative log-likelihood of the batch's gold tags over its sentences (the
    /// CRF's own parameter gradients are accumulated here, by its forward–backward).
    public func trainingForward(_ x: Tensor, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: StepLoss, pass: TrainingPass) {
        let (emissions, cache) = forward(x, lengths: batch.lengths, arena: arena, training: true, rngs: &rngs)
        let (loss, dEmissions) = crf.negativeLogLikelihood(emissions: emissions, lengths: batch.lengths, gold: batch.tags, arena: arena)
        return (StepLoss(sum: loss, count: Double(batch.count)), TrainingPass(cache: cache, dEmissions: dEmissions))
    }

    /// Accumulates the rest of this level's gradients and returns dLoss/dx for the levels below;
    /// `finished` hears of the projection (the CRF above it is done in the forward pass), then
    /// of the encoder's layers.
    public func backward(_ pass: TrainingPass, arena: ParameterArena, finished: GradientsFinished = { _ in }) -> Tensor {
        let cache = pass.cache
        let dDropped = projection.backward(x: cache.dropped, dOut: pass.dEmissions, arena: arena)
        finished(projection.weight.offset)
        let dH = dropout.backward(dDropped, mask: cache.outputMask)
        let dXd = encoder.backward(cache.encoder, dOut: dH, arena: arena, finished: finished)
        return dropout.backward(dXd, mask: cache.inputMask)
    }

    /// Constrained Viterbi tags per sentence from the encoder output h (dropout off, so the
    /// projection reads h itself).
    public func predict(_ x: Tensor, encoded h: Tensor, batch: TaggingBatch, arena: ParameterArena) -> [[Int]] {
        crf.viterbi(emissions: projection.forward(h, arena: arena), lengths: batch.lengths, constraints: constraints, arena: arena)
    }

    /// Constrained Viterbi tags per sentence (no dropout) and the summed loss when gold is given.
    public func predict(_ x: Tensor, lengths: [Int], gold: [[Int]]?, arena: ParameterArena) -> (tags: [[Int]], loss: Double?) {
        var noRNGs = [RNG]()
        let (emissions, _) = forward(x, lengths: lengths, arena: arena, training: false, rngs: &noRNGs)
        let paths = crf.viterbi(emissions: emissions, lengths: lengths, constraints: constraints, arena: arena)
        let loss = gold.map { crf.loss(emissions: emissions, lengths: lengths, gold: $0, arena: arena) }
        return (paths, loss)
    }
}
