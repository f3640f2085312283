import Tensor

/// The attention head of a span representation (Lee et al. 2017; docs/design.md, Coreference
/// level): token scores α_t = wᵀx_t + β once per token, then for span [a, b] head = Σ_t
/// softmax_{a..b}(α)_t · x_t.
///
/// Only the token scores are cached; `backward` recomputes each span's softmax (≤ max width
/// exponentials), so it can run on any subset of the forward's spans — the coreference head
/// back-propagates through the kept spans only.
public struct SpanAttention: Sendable {
    public let scorer: Linear
    public var inputSize: Int { scorer.inputSize }

    public init(name: String, inputSize: Int, layout: inout ParameterLayout) {
        scorer = Linear(name: name, inputSize: inputSize, outputSize: 1, layout: &layout)
    }

    /// PyTorch's default Linear init (the coref initializer regex does not match it,
    /// docs/design.md, Initialisation).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        scorer.initialize(arena, rng: &rng)
    }

    public struct Cache: Sendable {
        /// α_t for every token, [N].
        public var tokenScores: [Float]
    }

    /// x: [N, D], spans: inclusive token ranges inside 0..<N → heads [spans.count, D].
    public func forward(_ x: Tensor, spans: [ClosedRange<Int>], arena: ParameterArena) -> (Tensor, Cache) {
        precondition(x.rank == 2 && x.columns == inputSize, "SpanAttention: expected [N, \(inputSize)], got \(x.shape)")
        let scores = scorer.forward(x, arena: arena).data
        let d = inputSize
        var heads = Tensor(zeros: [spans.count, d])
        let weights = softmax(scores, spans: spans)
        heads.withMutablePointer { hp in
            x.withPointer { xp in
                weights.withUnsafeBufferPointer { w in
                    var offset = 0
                    for (s, span) in spans.enumerated() {
                        BLAS.gemv(transpose: true, m: span.count, n: d, a: xp + span.lowerBound * d,
                                  x: w.baseAddress! + offset, y: hp + s * d)
                        offset += span.count
                    }
                }
            }
        }
        return (heads, Cache(tokenScores: scores))
    }

    /// dOut: [spans.count, D] for the given spans (any subset of the forward's) → dx [N, D];
    /// accumulates dw, dβ.
    public func backward(_ x: Tensor, spans: [ClosedRange<Int>], dOut: Tensor, cache: Cache, arena: ParameterArena) -> Tensor {
        precondition(dOut.shape == [spans.count, inputSize], "SpanAttention.backward: dOut \(dOut.shape) for \(spans.count) spans")
        let d = inputSize, n = x.rows
        let weights = softmax(cache.tokenScores, spans: spans)
        var dx = Tensor(zeros: x.shape)
        var dScores = Tensor(zeros: [n, 1])
        var dp = [Float](repeating: 0, count: spans.map(\.count).max() ?? 0)
        dx.withMutablePointer { dxp in
            x.withPointer { xp in
                dOut.withPointer { dy in
                    dScores.withMutablePointer { ds in
                        weights.withUnsafeBufferPointer { w in
                            dp.withUnsafeMutableBufferPointer { dpb in
                                var offset = 0
                                for (s, span) in spans.enumerated() {
                                    let a = span.lowerBound, width = span.count
                                    let g = dy + s * d, p = w.baseAddress! + offset
                                    // dp_t = dhead·x_t; dx_t += p_t·dhead; dα_t = p_t(dp_t − Σ p·dp)
                                    BLAS.gemv(m: width, n: d, a: xp + a * d, x: g, y: dpb.baseAddress!)
                                    var mean: Float = 0
                                    for t in 0..<width { mean += p[t] * dpb[t] }
                                    for t in 0..<width {
                                        Kernels.axpy(p[t], g, dxp + (a + t) * d, d)
                                        ds[a + t] += p[t] * (dpb[t] - mean)
                                    }
                                    offset += width
                                }
                            }
                        }
                    }
                }
            }
        }
        let dxScores = scorer.backward(x: x, dOut: dScores, arena: arena)
        dx.withMutablePointer { dxp in dxScores.withPointer { Kernels.axpy(1, $0, dxp, n * d) } }
        return dx
    }

    /// The softmax of the token scores within each span, concatenated span after span.
    private func softmax(_ scores: [Float], spans: [ClosedRange<Int>]) -> [Float] {
        var w = [Float]()
        w.reserveCapacity(spans.reduce(0) { $0 + $1.count })
        for span in spans {
            precondition(span.lowerBound >= 0 && span.upperBound < scores.count, "SpanAttention: span \(span) outside 0..<\(scores.count)")
            let m = scores[span].max()!
            for t in span { w.append(scores[t] - m) }
        }
        let total = w.count
        w.withUnsafeMutableBufferPointer { Kernels.exp($0.baseAddress!, $0.baseAddress!, total) }
        var offset = 0
        for span in spans {
            var sum: Float = 0
            for t in 0..<span.count { sum += w[offset + t] }
            for t in 0..<span.count { w[offset + t] /= sum }
            offset += span.count
        }
        return w
    }
}
