import NN
import Tensor

/// The coreference level (docs/design.md, Coreference level): lexical dropout on `[g_e, g_top]`, a
/// BiLSTM (1 × 200 in the reference) and the Lee et al. (2017) head, which reads both the dropped
/// input (its attention head) and the encoder states (span endpoints).
public struct CoreferenceLevel: Level {
    public struct Settings: Sendable, Equatable {
        public var encoder = BiLSTMSettings(hiddenSize: 200, layers: 1, dropout: 0)
        public var lexicalDropout: Float = 0.5
        public var head = CoreferenceHead.Settings()
        /// Validation and test restrict candidate spans to the gold mentions (setups A-GM, E-GM;
        /// training is unchanged, as the reference).
        public var evaluateOnGoldMentions = false
        /// The level's name; one coreference level per model.
        public var task = Task.coref
        public init() {}
    }

    public let task: Task
    public let lexicalDropout: Dropout
    public let evaluateOnGoldMentions: Bool
    public let encoder: BiLSTM
    public let head: CoreferenceHead

    public init(inputSize: Int, settings: Settings, layout: inout ParameterLayout) {
        task = settings.task
        lexicalDropout = Dropout(rate: settings.lexicalDropout)
        evaluateOnGoldMentions = settings.evaluateOnGoldMentions
        encoder = settings.encoder.make(name: "\(task.rawValue)/encoder", inputSize: inputSize, layout: &layout)
        head = CoreferenceHead(name: task.rawValue, inputSize: inputSize, encoderSize: encoder.outputSize,
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

    /// The lexical dropout mask, the encoder's cache, and the head's dLoss/dx (its attention
    /// reads the dropped input) and dLoss/dh (the head's own gradients are accumulated in the
    /// forward pass).
    public struct TrainingPass {
        var lexicalMask: Dropout.Mask
        var encoder: BiLSTMCache
        var dDropped: Tensor
        var dEncoded: Tensor
    }

    /// The marginal likelihood loss of the batch's one document (one sequence).
    public func trainingForward(_ x: Tensor, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: StepLoss, pass: TrainingPass) {
        guard let document = batch.coreference else { preconditionFailure("\(task): training needs a document batch") }
        precondition(batch.count == 1, "\(task): training batches hold one document")
        let (dropped, mask) = lexicalDropout.forward(x, lengths: batch.lengths, training: true, rngs: &rngs)
        let (h, encoderCache) = encoder.forward(dropped, lengths: batch.lengths, arena: arena, training: true, rngs: &rngs)
        let n = batch.lengths[0]
        let result = head.lossAndGradients(x: dropped.reshaped([n, dropped.columns]), h: h.reshaped([n, h.columns]),
                                           document: document, arena: arena, training: true, rng: &rngs[0])
        return (StepLoss(sum: result.loss, count: 1),
                TrainingPass(lexicalMask: mask, encoder: encoderCache, dDropped: result.dx, dEncoded: result.dh))
    }

    public func backward(_ pass: TrainingPass, arena: ParameterArena, finished: GradientsFinished = { _ in }) -> Tensor {
        let dh = pass.dEncoded, dx = pass.dDropped
        let shape = [1, pass.encoder.batch.paddedLength]
        var dDropped = encoder.backward(pass.encoder, dOut: dh.reshaped(shape + [dh.columns]), arena: arena, finished: finished)
        dDropped.withMutablePointer { d in dx.withPointer { Kernels.axpy(1, $0, d, dx.count) } }
        return lexicalDropout.backward(dDropped, mask: pass.lexicalMask)
    }

    /// Clusters of the batch's one document.
    public func predict(_ x: Tensor, encoded h: Tensor, batch: TaggingBatch, arena: ParameterArena) -> CoreferenceHead.Prediction {
        guard let document = batch.coreference else { preconditionFailure("\(task): prediction needs a document batch") }
        return predict(x, encoded: h, batch: batch, documents: [document], arena: arena)[0]
    }

    /// Clusters of several documents at once, sequence b of `batch` being `documents[b]`: the
    /// head's span and pair products run over the whole batch (matrix products instead of one
    /// document's vector products); pruning and antecedents stay within each document.
    public func predict(_ x: Tensor, encoded h: Tensor, batch: TaggingBatch, documents: [CoreferenceDocument],
                        arena: ParameterArena) -> [CoreferenceHead.Prediction] {
        precondition(documents.count == batch.count, "\(task): \(documents.count) documents for \(batch.count) sequences")
        // Sequence b's tokens are rows b·T ..< b·T + n of the [B·T, C] views (T the padded length).
        let rows = documents.enumerated().map { b, document in
            precondition(document.tokenCount == batch.lengths[b],
                         "\(task): document \(b) has \(document.tokenCount) tokens, its sequence \(batch.lengths[b])")
            return CoreferenceHead.DocumentRows(offset: b * batch.maxLength, sentenceLengths: document.sentenceLengths,
                                                goldMentions: evaluateOnGoldMentions ? Set(document.clusters.flatMap { $0 }) : nil)
        }
        return head.predict(x: x.reshaped([x.rows, x.columns]), h: h.reshaped([h.rows, h.columns]), documents: rows, arena: arena)
    }
}

extension CoreferenceLevel.Settings: LevelSettings {
    public var isStacked: Bool { false }
    public func makeLevel(inputSize: Int, vocabularies: Vocabularies, layout: inout ParameterLayout) -> any Level {
        CoreferenceLevel(inputSize: inputSize, settings: self, layout: &layout)
    }
}
