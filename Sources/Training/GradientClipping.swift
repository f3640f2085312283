import Tensor

/// The reference's two clipping stages, applied to the summed (all-reduced) gradient so every
/// rank clips identically: an element-wise clamp to ±`value`, then rescaling so the global L2
/// norm over the task's ranges is at most `maxNorm` (factor maxNorm / (norm + 1e-6), as PyTorch).
public struct GradientClipping: Sendable {
    public let value: Float
    public let maxNorm: Double

    public init(value: Double, maxNorm: Double) {
        self.value = Float(value)
        self.maxNorm = maxNorm
    }

    /// Clips in place and returns the global norm before the norm clipping.
    @discardableResult
    public func apply(_ arena: ParameterArena, ranges: [Range<Int>]) -> Double {
        var sumSquares = 0.0
        for range in ranges {
            let g = arena.grads.baseAddress! + range.lowerBound
            for i in 0..<range.count {
                let c = min(max(g[i], -value), value)
                g[i] = c
                sumSquares += Double(c) * Double(c)
            }
        }
        let norm = sumSquares.squareRoot()
        if norm > maxNorm {
            let scale = Float(maxNorm / (norm + 1e-6))
            for range in ranges {
                let g = arena.grads.baseAddress! + range.lowerBound
                for i in 0..<range.count { g[i] *= scale }
            }
        }
        return norm
    }
}
