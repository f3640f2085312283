import Tensor

/// Adam in PyTorch 0.4.1's form, over a fixed set of arena ranges (one optimizer per task, as
/// the reference: shared lower layers see one independent state per task):
///   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
///   θ ← θ − lr·√(1−β2^t)/(1−β1^t) · m / (√v + ε)   (ε added to the uncorrected √v).
public struct Adam: Sendable {
    public let ranges: [Range<Int>]
    public var learningRate: Double
    public let beta1: Float, beta2: Float, epsilon: Float
    /// Updates taken so far (t of the bias corrections).
    public var step = 0
    /// First and second moments, the ranges' elements concatenated in order.
    public var m: [Float], v: [Float]

    public init(ranges: [Range<Int>], learningRate: Double, beta1: Double, beta2: Double, epsilon: Double) {
        self.ranges = ranges
        self.learningRate = learningRate
        self.beta1 = Float(beta1); self.beta2 = Float(beta2); self.epsilon = Float(epsilon)
        let n = ranges.reduce(0) { $0 + $1.count }
        m = [Float](repeating: 0, count: n)
        v = [Float](repeating: 0, count: n)
    }

    /// One step on the gradient clamped to ±`clamp` and multiplied by `scale` (see
    /// `GradientClipping`; the defaults leave it as it is). The gradient of its ranges is
    /// zero afterwards: the arena's gradients are zero between steps, as the next step's
    /// backward accumulates into them. With `tableRows`, the table's zero rows are updated
    /// without reading their gradient (the same bits).
    mutating func update(_ arena: ParameterArena, clamp: Float = .infinity, scale: Float = 1, tableRows: TableGradientRows? = nil) {
        step += 1
        let stepSize = Float(learningRate * (1 - integerPower(Double(beta2), step)).squareRoot() / (1 - integerPower(Double(beta1), step)))
        var offset = 0
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                for range in ranges {
                    for (span, nonZero) in tableRows?.pieces(of: range) ?? [(range, true)] {
                        let theta = arena.values.baseAddress! + span.lowerBound
                        let m = m.baseAddress! + offset, v = v.baseAddress! + offset
                        if nonZero {
                            Kernels.adam(theta: theta, g: arena.grads.baseAddress! + span.lowerBound, m: m, v: v, span.count,
                                         beta1: beta1, beta2: beta2, epsilon: epsilon, stepSize: stepSize, clamp: clamp, scale: scale)
                        } else {
                            Kernels.adamZeroGradient(theta: theta, m: m, v: v, span.count,
                                                     beta1: beta1, beta2: beta2, epsilon: epsilon, stepSize: stepSize)
                        }
                        offset += span.count
                    }
                }
            }
        }
    }
}

/// x^n for the bias corrections, by squaring (no libm).
private func integerPower(_ x: Double, _ n: Int) -> Double {
    var result = 1.0, base = x, e = n
    while e > 0 {
        if e & 1 == 1 { result *= base }
        base *= base
        e >>= 1
    }
    return result
}
