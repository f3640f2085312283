import CKernels
import Tensor

/// Inverted dropout: kept values are scaled by 1/(1−rate) during training, identity otherwise.
///
/// Masks are drawn per sequence: the first dimension of `x` indexes sequences and slice `b`
/// draws from `rngs[b]`. The trainer seeds each sequence's generator from (seed, step, example
/// id), so a sequence gets the same mask whichever rank or batch it lands in — that is what
/// makes W ranks with batch b equal one rank with batch W·b even with dropout on. For padded
/// batches `x` is [B, T, ...] and `lengths` says how many positions of each sequence are
/// real: only those draw (so the mask does not depend on the batch's padded length T), and
/// padded positions are zeroed.
public struct Dropout: Sendable {
    public let rate: Float

    public init(rate: Float) {
        precondition(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got \(rate)")
        self.rate = rate
    }

    /// The scale per element (0 or 1/(1−rate)); empty when dropout was not applied.
    public struct Mask: Sendable {
        public var scale: [Float]
        public var isIdentity: Bool { scale.isEmpty }
        public static let identity = Mask(scale: [])
    }

    public func forward(_ x: Tensor, lengths: [Int]? = nil, training: Bool, rngs: inout [RNG]) -> (Tensor, Mask) {
        guard training, rate > 0, x.count > 0 else { return (x, .identity) }
        let sequences = x.shape[0]
        precondition(rngs.count == sequences, "Dropout: \(sequences) sequences but \(rngs.count) generators")
        let perSequence = x.count / sequences
        let perPosition = lengths == nil ? perSequence : perSequence / x.shape[1]
        var scale = [Float](repeating: 0, count: x.count)  // padded positions stay 0
        scale.withUnsafeMutableBufferPointer { s in
            for b in 0..<sequences {
                let real = lengths.map { $0[b] * perPosition } ?? perSequence
                let start = s.baseAddress! + b * perSequence
                start.update(repeating: 1, count: real)
                apply(start, count: real, rng: &rngs[b])  // 1·keep or 1·0: the mask
            }
        }
        return (multiply(x, scale), Mask(scale: scale))
    }

    /// In place on `count` values drawn from one generator, in order: the same draws and products
    /// as `forward` on one sequence, without materialising the mask (callers whose backward
    /// recovers it from the output, as `FeedForward` does).
    public func apply(_ values: UnsafeMutablePointer<Float>, count: Int, rng: inout RNG) {
        withDraws(from: &rng) { hk_dropout_apply(values, count, $0, threshold, keep) }
    }

    /// 1/(1−rate), the scale of a kept value.
    private var keep: Float { 1 / (1 - rate) }

    /// A value is kept when RNG.uniform() = d·2⁻²⁴ ≥ rate, d the draw's top 24 bits: when d ≥
    /// ⌈rate·2²⁴⌉ (exact: rate·2²⁴ is a Float times a power of two).
    private var threshold: UInt64 { UInt64((Double(rate) * 16_777_216).rounded(.up)) }

    /// Lends `rng`'s xoshiro256** state to a C kernel that draws from it and advances it.
    private func withDraws(from rng: inout RNG, _ body: (UnsafeMutablePointer<UInt64>) -> Void) {
        var state = [rng.state.0, rng.state.1, rng.state.2, rng.state.3]
        state.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
        rng.state = (state[0], state[1], state[2], state[3])
    }

    public func backward(_ dOut: Tensor, mask: Mask) -> Tensor {
        guard !mask.isIdentity else { return dOut }
        return multiply(dOut, mask.scale)
    }

    private func multiply(_ x: Tensor, _ scale: [Float]) -> Tensor {
        var y = x
        y.withMutablePointer { p in scale.withUnsafeBufferPointer { s in for i in 0..<s.count { p[i] *= s[i] } } }
        return y
    }
}
