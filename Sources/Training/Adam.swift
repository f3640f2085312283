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

    public mutating func update(_ arena: ParameterArena) {
        step += 1
        let t = Double(step)
        let stepSize = Float(learningRate * (1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
        let b1 = beta1, b2 = beta2, eps = epsilon
        var offset = 0
        m.withUnsafeMutableBufferPointer { m in
            v.withUnsafeMutableBufferPointer { v in
                for range in ranges {
                    let theta = arena.values.baseAddress! + range.lowerBound
                    let g = arena.grads.baseAddress! + range.lowerBound
                    let mm = m.baseAddress! + offset, vv = v.baseAddress! + offset
                    for i in 0..<range.count {
                        mm[i] = b1 * mm[i] + (1 - b1) * g[i]
                        vv[i] = b2 * vv[i] + (1 - b2) * g[i] * g[i]
                        theta[i] -= stepSize * mm[i] / (vv[i].squareRoot() + eps)
                    }
                    offset += range.count
                }
            }
        }
    }
}

/// x^y for the bias corrections (Double, exact integer powers by squaring: no libm).
func pow(_ x: Double, _ y: Double) -> Double {
    var result = 1.0, base = x, e = Int(y)
    while e > 0 {
        if e & 1 == 1 { result *= base }
        base *= base
        e >>= 1
    }
    return result
}
