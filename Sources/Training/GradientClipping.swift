import Tensor

/// The reference's two clipping stages, applied to the summed (all-reduced) gradient so every
/// rank clips identically: an element-wise clamp to ±`value`, then rescaling so the global L2
/// norm over the task's ranges is at most `maxNorm` (factor maxNorm / (norm + 1e-6), as PyTorch).
/// The gradient is not rewritten here: `Adam.update` applies clamp and factor as it reads it.
public struct GradientClipping: Sendable {
    public let value: Float
    public let maxNorm: Double

    public init(value: Double, maxNorm: Double) {
        self.value = Float(value)
        self.maxNorm = maxNorm
    }

    /// The global norm of the clamped gradient and the factor that brings it under `maxNorm`.
    public func measure(_ arena: ParameterArena, ranges: [Range<Int>]) -> (norm: Double, scale: Float) {
        var sumSquares = 0.0
        for range in ranges {
            sumSquares += Kernels.clampedSquareSum(arena.grads.baseAddress! + range.lowerBound, range.count, clamp: value)
        }
        let norm = sumSquares.squareRoot()
        return (norm, norm > maxNorm ? Float(maxNorm / (norm + 1e-6)) : 1)
    }
}
