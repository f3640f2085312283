import Corpus
import NN
import Tensor

/// The HMTL hierarchy assembled from settings (docs/design.md, Levels): g_e at the bottom, the
/// tagging levels (in the setup's order) stacked on it, and the coreference and relation levels
/// side by side on the top tagging level. Every level above the bottom reads `[g_e, h_below]`
/// (`ShortcutStack`). Past `init`, everything iterates over `levels`.
///
/// Parameters are laid out in hierarchy order `[embedder | taggers… | CR | RE]`, so a task's
/// update touches one or two contiguous ranges: its own block and everything below it.
public struct HierarchicalModel: Sendable {
    public struct TaggerLevel: LevelSettings, Equatable {
        public var task: Task
        public var settings: CRFTagger.Settings
        public init(task: Task, settings: CRFTagger.Settings = CRFTagger.Settings()) {
            self.task = task
            self.settings = settings
        }

        public var isStacked: Bool { true }

        public func makeLevel(inputSize: Int, vocabularies: Vocabularies, layout: inout ParameterLayout) -> any Level {
            CRFTagger(task: task, inputSize: inputSize, tags: vocabularies.tags[task]?.entries ?? ["O"], settings: settings, layout: &layout)
        }
    }

    public struct Settings: Sendable {
        public var embedder = Embedder.Settings()
        /// The levels in layout order: the taggers bottom up (NER then EMD in setup A; K and L
        /// swap them), then the levels on the top tagger (coreference, relation).
        public var levels: [any LevelSettings] = [TaggerLevel(task: .ner)]
        public var frozen = FrozenBlocks()
        public init() {}
    }

    public let layout: ParameterLayout
    public let embedder: Embedder
    /// The levels in layout order (see `Settings`); `levels[i]` reads `stack.below[i]`.
    public let levels: [any Level]
    public let vocabularies: Vocabularies
    public let frozen: FrozenBlocks
    let stack: ShortcutStack
    /// The embedder's arena block is `0..<embedderEnd`, level i's `blocks[i]`.
    let embedderEnd: Int
    let blocks: [Range<Int>]

    /// Tasks in layout order.
    public var tasks: [Task] { levels.map(\.task) }

    public init(settings: Settings, vocabularies: Vocabularies) {
        var layout = ParameterLayout()
        let embedder = Embedder(settings: settings.embedder, vocabularies: vocabularies, layout: &layout)
        embedderEnd = layout.count
        var levels: [any Level] = [], below: [Int?] = [], blocks: [Range<Int>] = []
        /// Appends the level `make` builds for its input width on the output of level `b` (nil: g_e).
        func add(on b: Int?, _ make: (_ inputSize: Int, _ layout: inout ParameterLayout) -> any Level) {
            let start = layout.count
            levels.append(make(embedder.outputSize + (b.map { levels[$0].encoder.outputSize } ?? 0), &layout))
            below.append(b)
            blocks.append(start..<layout.count)
        }
        var top: Int?
        for level in settings.levels {
            add(on: top) { level.makeLevel(inputSize: $0, vocabularies: vocabularies, layout: &$1) }
            if level.isStacked { top = levels.indices.last }
        }
        self.embedder = embedder
        self.levels = levels
        self.blocks = blocks
        self.layout = layout
        self.vocabularies = vocabularies
        frozen = settings.frozen
        stack = ShortcutStack(embedder: embedder, encoders: levels.map(\.encoder), below: below,
                              frozen: levels.map { settings.frozen.levels.contains($0.task) }, embedderFrozen: settings.frozen.embedder,
                              dropout: levels.map { settings.frozen.dropout(level: $0.task) }, embedderDropout: settings.frozen.dropoutInEmbedder)
    }

    /// Initial values from `seed` alone (every rank computes the same; rank 0's are broadcast anyway).
    public func initialize(_ arena: ParameterArena, seed: UInt64, pretrained: PretrainedVectors?) {
        var rng = RNG(seed: seed, stream: [0x1417])
        embedder.initialize(arena, rng: &rng, pretrained: pretrained)
        for level in levels { level.initialize(arena, rng: &rng) }
    }

    /// The index in `levels` of the level of `task`.
    public func levelIndex(of task: Task) -> Int {
        guard let i = levels.firstIndex(where: { $0.task == task }) else { preconditionFailure("model has no \(task) level") }
        return i
    }

    /// The level of `task` as its type (nil when it is of another type).
    public func level<L: Level>(_ task: Task, as type: L.Type) -> L? {
        levels[levelIndex(of: task)] as? L
    }

    /// The levels of one type, in layout order.
    public func levels<L: Level>(of type: L.Type) -> [L] {
        indexedLevels(of: type).map(\.level)
    }

    /// The levels of one type with their indices in `levels`, in layout order.
    func indexedLevels<L: Level>(of type: L.Type) -> [(index: Int, level: L)] {
        levels.indices.compactMap { i in (levels[i] as? L).map { (i, $0) } }
    }

    /// The encoders a step of `task` runs, bottom up: the shortcut stack under its level, then its own.
    public func encoders(upTo task: Task) -> [BiLSTM] {
        let i = levelIndex(of: task)
        return (stack.chain(under: i) + [i]).map { levels[$0].encoder }
    }

    /// The arena ranges a task's update reads and writes: its own level and everything below.
    /// (Levels inside the prefix that it does not read get no gradient from it, so their Adam
    /// moments for that task stay zero and they do not move.)
    public func parameterRanges(for task: Task) -> [Range<Int>] {
        let i = levelIndex(of: task)
        let stackEnd = stack.below[i].map { blocks[$0].upperBound } ?? embedderEnd
        let own = blocks[i]
        return own.lowerBound == stackEnd ? [0..<own.upperBound] : [0..<stackEnd, own]
    }

    /// The arena blocks training leaves as they are (`frozen`), bottom up.
    public var frozenBlocks: [Range<Int>] {
        (frozen.embedder ? [0..<embedderEnd] : []) + levels.indices.filter { frozen.levels.contains(levels[$0].task) }.map { blocks[$0] }
    }

    /// `parameterRanges(for:)` without the frozen blocks: what a step of `task` updates, reduces
    /// and clips. Without frozen blocks, exactly `parameterRanges(for:)`.
    public func trainableRanges(for task: Task) -> [Range<Int>] {
        parameterRanges(for: task).subtracting(frozenBlocks)
    }

    /// The frozen parts of `parameterRanges(for:)`: gradients a step may compute there (a frozen
    /// level between trainable ones) are dropped.
    public func frozenRanges(for task: Task) -> [Range<Int>] {
        parameterRanges(for: task).intersecting(frozenBlocks)
    }

    /// The arena block of the embedder and of each level, by name (`"embedder"`, task names).
    public var namedBlocks: [(name: String, range: Range<Int>)] {
        [("embedder", 0..<embedderEnd)] + levels.indices.map { (levels[$0].task.rawValue, blocks[$0]) }
    }

    // MARK: Training

    /// What `backward` needs from a training forward pass: the stack's caches and the level's
    /// own pass.
    public struct TrainingPass {
        let level: Int
        let stack: ShortcutStack.Pass
        let pass: Any
    }

    /// The training forward pass of one batch of `task` (its loss, and the caches for
    /// `backward`); nil pass for an empty local batch.
    public func trainingForward(_ task: Task, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: StepLoss, pass: TrainingPass?) {
        guard batch.count > 0 else { return (StepLoss(sum: 0, count: 0), nil) }
        let i = levelIndex(of: task)
        let run = stack.forward(batch, levels: stack.chain(under: i), arena: arena, training: true, rngs: &rngs)
        let (loss, pass) = levels[i].trainingForward(stack.input(of: i, run, batch: batch), batch: batch, arena: arena, rngs: &rngs)
        return (loss, TrainingPass(level: i, stack: run.pass, pass: pass))
    }

    /// Accumulates every gradient of the pass into `arena.grads`, top of the hierarchy first;
    /// `finished` hears of each block as it is done (see `GradientsFinished`; the levels' heads
    /// that get theirs in the forward pass report nothing). A nil pass (an empty local batch)
    /// writes nothing and reports nothing.
    public func backward(_ pass: TrainingPass?, arena: ParameterArena, finished: GradientsFinished = { _ in }) {
        guard let pass else { return }
        let dInput = levels[pass.level].backward(erased: pass.pass, arena: arena, finished: finished)
        stack.backward(pass.stack, dInput: dInput, of: pass.level, arena: arena, finished: finished)
    }

    /// Forward and backward for one batch; returns the summed loss.
    public func trainStep(_ task: Task, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> Double {
        let (loss, pass) = trainingForward(task, batch: batch, arena: arena, rngs: &rngs)
        backward(pass, arena: arena)
        return loss.sum
    }

    // MARK: Inference (no dropout)

    /// One pass up the stack through the encoders of `levels` and of every level under them.
    func encode(_ batch: TaggingBatch, levels: some Sequence<Int>, arena: ParameterArena) -> ShortcutStack.Run {
        var noRNGs = [RNG]()
        return stack.forward(batch, levels: stack.closure(levels), arena: arena, training: false, rngs: &noRNGs)
    }

    /// The prediction of level `i` of a non-empty batch.
    func prediction<L: Level>(of level: L, at i: Int, _ run: ShortcutStack.Run, batch: TaggingBatch, arena: ParameterArena) -> L.Prediction {
        guard let h = run.encoded[i] else { preconditionFailure("level \(level.task) was not encoded") }
        return level.predict(stack.input(of: i, run, batch: batch), encoded: h, batch: batch, arena: arena)
    }
}
