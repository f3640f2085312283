import Corpus
import NN
import Tensor

/// The HMTL hierarchy assembled from settings (docs/design.md, Encoders and the shortcut stack):
/// g_e at the bottom, the tagging levels (NER, EMD — in the setup's order) stacked on it, and the
/// coreference and relation levels side by side on the top tagging level. Every level above the
/// bottom reads `[g_e, g_below]`, where g_below is the encoder output of the level right under it
/// (the shortcut rule).
///
/// Parameters are laid out in hierarchy order `[embedder | taggers… | CR | RE]`, so a task's
/// update touches one or two contiguous ranges: its own block and everything below it.
public struct HierarchicalModel: Sendable {
    public struct TaggerLevel: Sendable, Equatable {
        public var task: Task
        public var settings: CRFTagger.Settings
        public init(task: Task, settings: CRFTagger.Settings = CRFTagger.Settings()) {
            self.task = task
            self.settings = settings
        }
    }

    public struct Settings: Sendable, Equatable {
        public var embedder = Embedder.Settings()
        /// Tagging levels, bottom up (NER then EMD in setup A; K and L swap them).
        public var taggers: [TaggerLevel] = [TaggerLevel(task: .ner)]
        public var coref: CoreferenceLevel.Settings?
        public var relation: RelationLevel.Settings?
        public init() {}
    }

    public let layout: ParameterLayout
    public let embedder: Embedder
    public let taggers: [CRFTagger]
    public let coref: CoreferenceLevel?
    public let relation: RelationLevel?
    public let vocabularies: Vocabularies

    /// Tasks in layout order.
    public var tasks: [Task] {
        taggers.map(\.task) + (coref == nil ? [] : [.coref]) + (relation == nil ? [] : [.relation])
    }

    public init(settings: Settings, vocabularies: Vocabularies) {
        var layout = ParameterLayout()
        let embedder = Embedder(settings: settings.embedder, vocabularies: vocabularies, layout: &layout)
        var inputSize = embedder.outputSize
        var taggers: [CRFTagger] = []
        for level in settings.taggers {
            let tags = vocabularies.tags[level.task]?.entries ?? ["O"]
            let tagger = CRFTagger(task: level.task, inputSize: inputSize, tags: tags, settings: level.settings, layout: &layout)
            taggers.append(tagger)
            inputSize = embedder.outputSize + tagger.encoder.outputSize
        }
        coref = settings.coref.map { CoreferenceLevel(inputSize: inputSize, settings: $0, layout: &layout) }
        relation = settings.relation.map {
            RelationLevel(inputSize: inputSize, types: vocabularies.relationTypes, settings: $0, layout: &layout)
        }
        self.embedder = embedder
        self.taggers = taggers
        self.layout = layout
        self.vocabularies = vocabularies
    }

    /// Initial values from `seed` alone (every rank computes the same; rank 0's are broadcast anyway).
    public func initialize(_ arena: ParameterArena, seed: UInt64, pretrained: PretrainedVectors?) {
        var rng = RNG(seed: seed, stream: [0x1417])
        embedder.initialize(arena, rng: &rng, pretrained: pretrained)
        for tagger in taggers { tagger.initialize(arena, rng: &rng) }
        coref?.initialize(arena, rng: &rng)
        relation?.initialize(arena, rng: &rng)
    }

    /// The arena ranges a task's update reads and writes: its own level and everything below.
    /// (Lower taggers' heads are inside the prefix but get no gradient from upper tasks, so
    /// their Adam moments for that task stay zero and they do not move.)
    public func parameterRanges(for task: Task) -> [Range<Int>] {
        let stackEnd = taggers.last.map { layout.range(ofPrefix: "\($0.task.rawValue)/").upperBound } ?? layout.range(ofPrefix: "embedder/").upperBound
        switch task {
        case .ner, .emd:
            guard taggers.contains(where: { $0.task == task }) else { preconditionFailure("model has no \(task) level") }
            return [0..<layout.range(ofPrefix: "\(task.rawValue)/").upperBound]
        case .coref:
            precondition(coref != nil, "model has no coreference level")
            return [0..<layout.range(ofPrefix: "coref/").upperBound]
        case .relation:
            precondition(relation != nil, "model has no relation level")
            let own = layout.range(ofPrefix: "relation/")
            return own.lowerBound == stackEnd ? [0..<own.upperBound] : [0..<stackEnd, own]
        }
    }

    private func taggerIndex(_ task: Task) -> Int {
        guard let i = taggers.firstIndex(where: { $0.task == task }) else { preconditionFailure("model has no \(task) level") }
        return i
    }

    // MARK: The shortcut stack

    /// Caches of g_e and the tagging encoders run below a level.
    struct StackPass {
        var embedder: Embedder.Cache
        var encoders: [BiLSTMCache]
        var geColumns: Int
    }

    /// x for the level above the first `levels` taggers: g_e, then `[g_e, h_l]` for each
    /// tagging encoder l below (lower encoders run without their tagger's dropout, only the
    /// LSTM's inter-layer dropout, as the reference's shortcut embedder).
    func stack(_ batch: TaggingBatch, levels: Int, arena: ParameterArena, training: Bool, rngs: inout [RNG]) -> (Tensor, StackPass) {
        let (ge, embedderCache) = embedder.forward(batch, arena: arena, training: training, rngs: &rngs)
        var x = ge
        var caches: [BiLSTMCache] = []
        for tagger in taggers.prefix(levels) {
            let (h, cache) = tagger.encoder.forward(x, lengths: batch.lengths, arena: arena, training: training, rngs: &rngs)
            caches.append(cache)
            x = Concatenation.columns(ge, h).reshaped([batch.count, batch.maxLength, ge.columns + h.columns])
        }
        return (x, StackPass(embedder: embedderCache, encoders: caches, geColumns: ge.columns))
    }

    /// Backward through the stack from dLoss/dx of the level above it. The embedder comes last:
    /// every level's share of dLoss/dg_e is summed first, so its gradients are written once.
    func stackBackward(_ pass: StackPass, dInput: Tensor, arena: ParameterArena, finished: GradientsFinished) {
        var dx = dInput
        var dge: Tensor?
        for (tagger, cache) in zip(taggers.prefix(pass.encoders.count), pass.encoders).reversed() {
            let (dgePart, dh) = Concatenation.splitColumns(dx, at: pass.geColumns)
            dge = dge.map { Self.sum($0, dgePart) } ?? dgePart
            dx = tagger.encoder.backward(cache, dOut: dh.reshaped([cache.batch.sequences, cache.batch.paddedLength, dh.columns]),
                                             arena: arena, finished: finished)
        }
        let total = dge.map { Self.sum($0, dx) } ?? dx
        embedder.backward(pass.embedder, dOut: total.reshaped(dx.shape), arena: arena, finished: finished)
    }

    private static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        var out = a.reshaped([a.count])
        out.withMutablePointer { o in b.withPointer { Kernels.axpy(1, $0, o, a.count) } }
        return out
    }

    // MARK: Training

    /// What `backward` needs from a training forward pass.
    public struct TrainingPass {
        let task: Task
        let stack: StackPass
        let level: LevelPass
    }

    enum LevelPass {
        case tagger(CRFTagger.TrainingPass)
        case relation(BiLSTMCache, dScores: Tensor)
        case coref(Dropout.Mask, BiLSTMCache, dx: Tensor, dh: Tensor)
    }

    /// A batch's loss as the trainer needs it: `sum` over its examples and the `count` it is a
    /// sum of (sentences; RE: scored cells, which the trainer averages over all ranks).
    public struct StepLoss: Sendable {
        public var sum: Double
        public var count: Double
    }

    /// The training forward pass of one batch of `task` (its loss, and the caches for
    /// `backward`); nil pass for an empty local batch.
    public func trainingForward(_ task: Task, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: StepLoss, pass: TrainingPass?) {
        guard batch.count > 0 else { return (StepLoss(sum: 0, count: 0), nil) }
        switch task {
        case .ner, .emd:
            let level = taggerIndex(task)
            let (x, stackPass) = stack(batch, levels: level, arena: arena, training: true, rngs: &rngs)
            let (loss, pass) = taggers[level].trainingForward(x, lengths: batch.lengths, gold: batch.tags, arena: arena, rngs: &rngs)
            return (StepLoss(sum: loss, count: Double(batch.count)), TrainingPass(task: task, stack: stackPass, level: .tagger(pass)))
        case .relation:
            guard let relation else { preconditionFailure("model has no relation level") }
            let (x, stackPass) = stack(batch, levels: taggers.count, arena: arena, training: true, rngs: &rngs)
            let (h, encoderCache) = relation.encoder.forward(x, lengths: batch.lengths, arena: arena, training: true, rngs: &rngs)
            let (sum, count, dh) = relation.head.lossAndGradient(h, lengths: batch.lengths, gold: batch.relations, arena: arena)
            return (StepLoss(sum: sum, count: Double(count)),
                    TrainingPass(task: task, stack: stackPass, level: .relation(encoderCache, dScores: dh)))
        case .coref:
            guard let coref, let document = batch.coreference else { preconditionFailure("coreference needs a coref level and a document batch") }
            precondition(batch.count == 1, "coreference batches hold one document")
            let (x, stackPass) = stack(batch, levels: taggers.count, arena: arena, training: true, rngs: &rngs)
            let (dropped, mask) = coref.lexicalDropout.forward(x, lengths: batch.lengths, training: true, rngs: &rngs)
            let (h, encoderCache) = coref.encoder.forward(dropped, lengths: batch.lengths, arena: arena, training: true, rngs: &rngs)
            let n = batch.lengths[0]
            let result = coref.head.lossAndGradients(x: dropped.reshaped([n, dropped.columns]), h: h.reshaped([n, h.columns]),
                                                     document: document, arena: arena, training: true, rng: &rngs[0])
            return (StepLoss(sum: result.loss, count: 1),
                    TrainingPass(task: task, stack: stackPass, level: .coref(mask, encoderCache, dx: result.dx, dh: result.dh)))
        }
    }

    /// Accumulates every gradient of the pass into `arena.grads`, top of the hierarchy first;
    /// `finished` hears of each block as it is done (see `GradientsFinished`; the heads of the
    /// relation and coreference levels, like the CRFs, got theirs in the forward pass). A nil
    /// pass (an empty local batch) writes nothing and reports nothing.
    public func backward(_ pass: TrainingPass?, arena: ParameterArena, finished: GradientsFinished = { _ in }) {
        guard let pass else { return }
        let dInput: Tensor
        switch pass.level {
        case .tagger(let taggerPass):
            dInput = taggers[taggerIndex(pass.task)].backward(taggerPass, arena: arena, finished: finished)
        case .relation(let cache, let dh):
            dInput = relation!.encoder.backward(cache, dOut: dh, arena: arena, finished: finished)
        case .coref(let mask, let cache, let dx, let dh):
            let coref = coref!
            let shape = [1, cache.batch.paddedLength]
            var dDropped = coref.encoder.backward(cache, dOut: dh.reshaped(shape + [dh.columns]), arena: arena, finished: finished)
            dDropped.withMutablePointer { d in dx.withPointer { Kernels.axpy(1, $0, d, dx.count) } }
            dInput = coref.lexicalDropout.backward(dDropped, mask: mask)
        }
        stackBackward(pass.stack, dInput: dInput, arena: arena, finished: finished)
    }

    /// Forward and backward for one batch; returns the summed loss.
    public func trainStep(_ task: Task, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> Double {
        let (loss, pass) = trainingForward(task, batch: batch, arena: arena, rngs: &rngs)
        backward(pass, arena: arena)
        return loss.sum
    }

    // MARK: Prediction (no dropout)

    /// Decoded tag indices per sentence, with the summed loss when the batch has gold tags.
    public func predict(_ task: Task, batch: TaggingBatch, arena: ParameterArena) -> (tags: [[Int]], loss: Double?) {
        guard batch.count > 0 else { return ([], batch.tags.isEmpty ? nil : 0) }
        var noRNGs = [RNG]()
        let level = taggerIndex(task)
        let (x, _) = stack(batch, levels: level, arena: arena, training: false, rngs: &noRNGs)
        return taggers[level].predict(x, lengths: batch.lengths, gold: batch.tags.isEmpty ? nil : batch.tags, arena: arena)
    }

    /// Relation cells (last token of each argument, type index) per sentence.
    public func predictRelations(_ batch: TaggingBatch, arena: ParameterArena) -> [[RelationPair]] {
        guard let relation, batch.count > 0 else { return [] }
        var noRNGs = [RNG]()
        let (x, _) = stack(batch, levels: taggers.count, arena: arena, training: false, rngs: &noRNGs)
        let (h, _) = relation.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs)
        return relation.head.predict(h, lengths: batch.lengths, arena: arena)
    }

    /// Clusters (document token offsets) of the batch's one document.
    public func predictCoreference(_ batch: TaggingBatch, arena: ParameterArena) -> CoreferenceHead.Prediction {
        guard let document = batch.coreference else { preconditionFailure("coreference needs a document batch") }
        return predictCoreference(batch, documents: [document], arena: arena)[0]
    }

    /// Clusters of several documents at once, sequence b of `batch` being `documents[b]`: the
    /// stack, the encoder and the head's span and pair products run over the whole batch
    /// (matrix products instead of one document's vector products); pruning and antecedents
    /// stay within each document.
    public func predictCoreference(_ batch: TaggingBatch, documents: [CoreferenceDocument], arena: ParameterArena) -> [CoreferenceHead.Prediction] {
        guard let coref else { preconditionFailure("model has no coreference level") }
        precondition(documents.count == batch.count, "predictCoreference: \(documents.count) documents for \(batch.count) sequences")
        var noRNGs = [RNG]()
        let (x, _) = stack(batch, levels: taggers.count, arena: arena, training: false, rngs: &noRNGs)
        let (h, _) = coref.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs)
        // Sequence b's tokens are rows b·T ..< b·T + n of the [B·T, C] views (T the padded length).
        let rows = documents.enumerated().map { b, document in
            precondition(document.tokenCount == batch.lengths[b],
                         "predictCoreference: document \(b) has \(document.tokenCount) tokens, its sequence \(batch.lengths[b])")
            return CoreferenceHead.DocumentRows(offset: b * batch.maxLength, sentenceLengths: document.sentenceLengths,
                                         goldMentions: coref.evaluateOnGoldMentions ? Set(document.clusters.flatMap { $0 }) : nil)
        }
        return coref.head.predict(x: x.reshaped([x.rows, x.columns]), h: h.reshaped([h.rows, h.columns]), documents: rows,
                                  arena: arena)
    }
}
