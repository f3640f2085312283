import Tensor

/// What `ScalarMix.backward` needs from its forward pass.
public struct ScalarMixCache: Sendable {
    /// The layers that were mixed, [layers, ...] (fixed features: no gradient flows to them).
    public let features: Tensor
    /// softmax(w), one per layer.
    public let weights: [Float]
    public let gamma: Float
}

/// ELMo's learned layer combination (docs/design.md, Shared embedding): h = γ · Σ_k s_k · x_k with
/// s = softmax(w), w initialised to 0 (equal weights 1/L) and γ to 1. The reference runs it without
/// layer normalisation (`do_layer_norm: false`), so none is applied here.
///
/// The layers are layer-major, [L, N] for N values each (N = B·T·D for a batch), so both the
/// mix and the per-layer dot products of the backward pass are one gemv over the whole batch.
public struct ScalarMix: Sendable {
    /// [layers]: the softmax logits w.
    public let scalars: Parameter
    /// [1]: γ.
    public let gamma: Parameter
    public let layers: Int

    public init(name: String, layers: Int, layout: inout ParameterLayout) {
        precondition(layers > 0, "ScalarMix: needs at least one layer")
        self.layers = layers
        scalars = layout.add("\(name)/scalars", shape: [layers])
        gamma = layout.add("\(name)/gamma", shape: [1])
    }

    public func initialize(_ arena: ParameterArena) {
        arena.value(scalars).update(repeating: 0, count: layers)
        arena.value(gamma).pointee = 1
    }

    /// features: [layers, ...] → [...] (the shape without the leading layer axis).
    public func forward(_ features: Tensor, arena: ParameterArena) -> (Tensor, ScalarMixCache) {
        precondition(features.rank >= 2 && features.shape[0] == layers,
                     "ScalarMix: expected [\(layers), ...], got \(features.shape)")
        let s = softmax(arena.value(scalars))
        let g = arena.value(gamma).pointee
        let n = features.count / layers
        var out = Tensor(zeros: Array(features.shape.dropFirst()))
        // out = γ · Xᵀ s with X viewed as [layers, n].
        out.withMutablePointer { o in
            features.withPointer { x in s.withUnsafeBufferPointer { BLAS.gemv(transpose: true, m: layers, n: n, alpha: g, a: x, x: $0.baseAddress!, y: o) } }
        }
        return (out, ScalarMixCache(features: features, weights: s, gamma: g))
    }

    /// Accumulates dL/dw and dL/dγ into `arena.grads`. With d_k = ⟨x_k, dOut⟩:
    /// dγ = Σ_k s_k d_k, dL/ds_k = γ d_k, and through the softmax dw_j = s_j (γ d_j − Σ_k s_k γ d_k).
    public func backward(_ cache: ScalarMixCache, dOut: Tensor, arena: ParameterArena) {
        let n = cache.features.count / layers
        precondition(dOut.count == n, "ScalarMix.backward: dOut \(dOut.shape) does not match features \(cache.features.shape)")
        var d = [Float](repeating: 0, count: layers)
        cache.features.withPointer { x in dOut.withPointer { dy in BLAS.gemv(m: layers, n: n, a: x, x: dy, y: &d) } }
        let s = cache.weights
        var dGamma: Float = 0
        for k in 0..<layers { dGamma += s[k] * d[k] }
        let dw = arena.grad(scalars)
        for j in 0..<layers { dw[j] += s[j] * cache.gamma * (d[j] - dGamma) }
        arena.grad(gamma).pointee += dGamma
    }

    private func softmax(_ w: UnsafePointer<Float>) -> [Float] {
        var largest = w[0]
        for k in 1..<layers { largest = max(largest, w[k]) }
        let shifted = (0..<layers).map { w[$0] - largest }
        var s = [Float](repeating: 0, count: layers)
        Kernels.exp(shifted, &s, layers)
        let total = s.reduce(0, +)
        return s.map { $0 / total }
    }
}
