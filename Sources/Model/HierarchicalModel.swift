import Tensor
import NN
import Corpus

/// The HMTL hierarchy assembled from settings: g_e at the bottom, then the task levels in
/// hierarchy order. Parameters are laid out in that order (`[embedder | NER | …]`), so a
/// task's update touches one contiguous prefix of the arena.
public struct HierarchicalModel: Sendable {
    public struct Settings: Sendable, Equatable {
        public var embedder = Embedder.Settings()
        public var ner: CRFTagger.Settings? = CRFTagger.Settings()
        public init() {}
    }

    public let layout: ParameterLayout
    public let embedder: Embedder
    public let ner: CRFTagger?
    public let vocabularies: Vocabularies

    public var tasks: [Task] { ner == nil ? [] : [.ner] }

    public init(settings: Settings, vocabularies: Vocabularies) {
        var layout = ParameterLayout()
        embedder = Embedder(settings: settings.embedder, vocabularies: vocabularies, layout: &layout)
        if let nerSettings = settings.ner {
            let tags = vocabularies.tags[.ner]?.entries ?? ["O"]
            ner = CRFTagger(task: .ner, inputSize: embedder.outputSize, tags: tags, settings: nerSettings, layout: &layout)
        } else {
            ner = nil
        }
        self.layout = layout
        self.vocabularies = vocabularies
    }

    /// Initial values from `seed` alone (every rank computes the same; rank 0's are broadcast anyway).
    public func initialize(_ arena: ParameterArena, seed: UInt64, pretrained: PretrainedVectors?) {
        var rng = RNG(seed: seed, stream: [0x1417])
        embedder.initialize(arena, rng: &rng, pretrained: pretrained)
        ner?.initialize(arena, rng: &rng)
    }

    /// Arena ranges that task's update reads and writes: its own level and everything below.
    public func parameterRanges(for task: Task) -> [Range<Int>] {
        switch task {
        case .ner: [0..<layout.range(ofPrefix: "ner/").upperBound]
        default: preconditionFailure("task \(task) is not part of this model yet")
        }
    }

    private func tagger(_ task: Task) -> CRFTagger {
        switch task {
        case .ner: guard let ner else { preconditionFailure("model has no NER level") }; return ner
        default: preconditionFailure("task \(task) is not part of this model yet")
        }
    }

    /// What `backward` needs from a training forward pass.
    public struct TrainingPass {
        let task: Task
        let embedder: Embedder.Cache
        let tagger: CRFTagger.TrainingPass
    }

    /// The training forward pass of one batch of `task`: its summed loss (the reference's
    /// scale: sums, not means) and the caches for `backward`; nil for an empty local batch.
    public func trainingForward(_ task: Task, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: Double, pass: TrainingPass?) {
        guard batch.count > 0 else { return (0, nil) }
        let (ge, embedderCache) = embedder.forward(batch, arena: arena, training: true, rngs: &rngs)
        let (loss, taggerPass) = tagger(task).trainingForward(ge, lengths: batch.lengths, gold: batch.tags, arena: arena, rngs: &rngs)
        return (loss, TrainingPass(task: task, embedder: embedderCache, tagger: taggerPass))
    }

    /// Accumulates every gradient of the pass into `arena.grads`.
    public func backward(_ pass: TrainingPass?, arena: ParameterArena) {
        guard let pass else { return }
        let dGe = tagger(pass.task).backward(pass.tagger, arena: arena)
        embedder.backward(pass.embedder, dOut: dGe, arena: arena)
    }

    /// Forward and backward for one batch; returns the summed loss.
    public func trainStep(_ task: Task, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> Double {
        let (loss, pass) = trainingForward(task, batch: batch, arena: arena, rngs: &rngs)
        backward(pass, arena: arena)
        return loss
    }

    /// Decoded tag indices per sentence, with the summed loss when the batch has gold tags.
    public func predict(_ task: Task, batch: TaggingBatch, arena: ParameterArena) -> (tags: [[Int]], loss: Double?) {
        guard batch.count > 0 else { return ([], batch.tags.isEmpty ? nil : 0) }
        var noRNGs = [RNG]()
        let (ge, _) = embedder.forward(batch, arena: arena, training: false, rngs: &noRNGs)
        return tagger(task).predict(ge, lengths: batch.lengths, gold: batch.tags.isEmpty ? nil : batch.tags, arena: arena)
    }
}
