import Tensor

/// RE's loss is 100 × the mean binary cross-entropy over every scored cell of the GLOBAL batch
/// (the reference's scale, without its padded cells). Ranks sum unnormalised gradients, so the
/// reduced sum is scaled here, before the clamp and the norm see it.
enum RelationLossScale {
    /// Scales the task's gradient ranges in place; returns the factor (the loss takes it too).
    static func apply(to arena: ParameterArena, ranges: [Range<Int>], globalCells: Double) -> Float {
        let factor = Float(100 / max(globalCells, 1))
        for r in ranges {
            let g = arena.grads.baseAddress! + r.lowerBound
            for i in 0..<r.count { g[i] *= factor }
        }
        return factor
    }
}
