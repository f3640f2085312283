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
    /// With `tableRows`, the table's zero rows are not read (the same sum).
    func measure(_ arena: ParameterArena, ranges: [Range<Int>], tableRows: TableGradientRows? = nil) -> (norm: Double, scale: Float) {
        var sumSquares = 0.0
        for range in ranges {
            let g = arena.grads.baseAddress! + range.lowerBound
            let pieces = tableRows?.pieces(of: range) ?? [(range, true)]
            if pieces.count == 1 {
                sumSquares += Kernels.clampedSquareSum(g, range.count, clamp: value)
            } else {
                let read = pieces.filter(\.nonZero).map { ($0.span.lowerBound - range.lowerBound)..<($0.span.upperBound - range.lowerBound) }
                sumSquares += Kernels.clampedSquareSum(g, range.count, clamp: value, pieces: read)
            }
        }
        let norm = sumSquares.squareRoot()
        return (norm, norm > maxNorm ? Float(maxNorm / (norm + 1e-6)) : 1)
    }
}
