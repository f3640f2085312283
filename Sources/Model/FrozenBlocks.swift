/// Which blocks of the hierarchy training leaves as they are (`"trainable": false`), and which
/// of those run without dropout when a level above reads them (`"dropout_when_frozen": false`);
/// docs/design.md §Frozen levels. A frozen block is outside every task's update: no optimizer
/// state, no reduction, no gradient kept.
public struct FrozenBlocks: Sendable, Equatable {
    public var embedder = false
    public var levels: Set<Task> = []
    /// Frozen blocks that keep dropout on in training (the default).
    public var embedderDropout = true
    public var levelsWithoutDropout: Set<Task> = []

    public init() {}

    /// Whether a frozen block's forward pass runs with dropout during a training step.
    func dropout(level task: Task) -> Bool { !levels.contains(task) || !levelsWithoutDropout.contains(task) }
    var dropoutInEmbedder: Bool { !embedder || embedderDropout }
}

extension Array where Element == Range<Int> {
    /// These ranges with `cut` taken out, in order, empty pieces dropped.
    func subtracting(_ cut: [Range<Int>]) -> [Range<Int>] {
        var pieces = self
        for c in cut where !c.isEmpty {
            pieces = pieces.flatMap { r -> [Range<Int>] in
                guard r.overlaps(c) else { return [r] }
                return [r.lowerBound..<c.lowerBound, c.upperBound..<r.upperBound].filter { !$0.isEmpty }
            }
        }
        return pieces
    }

    /// The parts of these ranges inside `other`.
    func intersecting(_ other: [Range<Int>]) -> [Range<Int>] {
        flatMap { r in other.compactMap { o in r.overlaps(o) ? r.clamped(to: o) : nil } }
    }
}
