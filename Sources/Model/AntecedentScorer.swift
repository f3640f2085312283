import NN
import Tensor

/// The pairwise part of s(i, j) (docs/design.md, Coreference level): Linear_1(FFNN_a([g_i; g_j;
/// g_i∘g_j; φ_d])), for each kept span i and its candidates j = i−1 … i−K in the kept list.
///
/// The first FFNN layer W1 = [P_a | P_b | P_c | P_d] (one [H, 3S+F] parameter, PyTorch layout) is
/// applied as separate projections: W1·pair = P_a·g_i + P_b·g_j + P_c·(g_i∘g_j) + P_d·φ_d. P_a·g and
/// P_b·g are one gemm each over the k kept spans, P_d·φ one over the 10 buckets, and only the
/// P_c term is per pair. Pairs are processed `chunkSpans` spans at a time, so the largest buffer
/// is chunkSpans·K·S floats (g_i∘g_j) instead of the k·K·(3S+F) pair embeddings; the hidden
/// activations k·K·H are kept whole, so dropout masks do not depend on the chunk size.
///
/// Pair (i, c) (row i·K + c) pairs span i with j = i − 1 − c; it is valid iff c < earlier[i], the
/// number of kept spans before i in its own document (i for a lone document), so several documents'
/// spans share the matrix products without pairing across documents. Invalid rows carry zeros
/// through the first layer and their scores are reported as 0 (the caller masks them).
public struct AntecedentScorer: Sendable {
    public static let bucketCount = 10

    public let first: Linear
    /// [bucketCount, F]; row 0 is never used (offsets start at 1).
    public let distance: Parameter
    /// The FFNN's layers after the first (and its ReLU/dropout settings).
    public let rest: FeedForward
    public let scorer: Linear
    public let spanSize: Int
    public var featureSize: Int { distance.shape[1] }
    public var hiddenSize: Int { first.outputSize }

    public init(name: String, spanSize: Int, featureSize: Int, hiddenSize: Int, layers: Int, dropout: Float,
                layout: inout ParameterLayout) {
        precondition(layers >= 1, "AntecedentScorer: the feed-forward needs at least one layer")
        self.spanSize = spanSize
        first = Linear(name: "\(name)/antecedent_feedforward/0", inputSize: 3 * spanSize + featureSize,
                       outputSize: hiddenSize, layout: &layout)
        rest = FeedForward(name: "\(name)/antecedent_feedforward", inputSize: hiddenSize, hiddenSize: hiddenSize,
                           layers: layers - 1, dropout: dropout, firstIndex: 1, layout: &layout)
        scorer = Linear(name: "\(name)/antecedent_scorer", inputSize: hiddenSize, outputSize: 1, layout: &layout)
        distance = layout.add("\(name)/distance_embedding", shape: [AntecedentScorer.bucketCount, featureSize])
    }

    /// Spec §9: Xavier-normal FFNN weights, scorer weight and distance table; default biases.
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        for layer in [first, scorer] {
            Initializer.xavierNormal(arena.value(layer.weight), fanIn: layer.inputSize, fanOut: layer.outputSize,
                                     count: layer.weight.count, rng: &rng)
            Initializer.uniform(arena.value(layer.bias), count: layer.bias.count,
                                bound: 1 / Float(layer.inputSize).squareRoot(), rng: &rng)
        }
        rest.initialize(arena, rng: &rng)
        Initializer.xavierNormal(arena.value(distance), fanIn: featureSize, fanOut: AntecedentScorer.bucketCount,
                                 count: distance.count, rng: &rng)
    }

    /// Offsets 1–4 are their own bucket, then ⌊log2(offset)⌋ + 3 (5–7 → 5, 8–15 → 6, …), clamped to 9.
    public static func bucket(_ offset: Int) -> Int {
        precondition(offset >= 1, "AntecedentScorer.bucket: offset \(offset) must be positive")
        if offset <= 4 { return offset }
        return min(Int.bitWidth - 1 - offset.leadingZeroBitCount + 3, bucketCount - 1)
    }

    public struct Cache: Sendable {
        public var antecedents: Int
        /// Per kept span, its valid antecedent columns: min(earlier[i], K).
        var valid: [Int]
        var firstOutput: Tensor
        var rest: FeedForward.Cache
    }

    /// The first FFNN layer's pre-activations [k·K, H] through the split projections (zero rows
    /// at invalid pairs).
    func firstLayer(_ g: Tensor, valid: [Int], antecedents K: Int, chunkSpans: Int, arena: ParameterArena) -> Tensor {
        precondition(g.rank == 2 && g.columns == spanSize, "AntecedentScorer: expected [k, \(spanSize)], got \(g.shape)")
        let k = g.rows, s = spanSize, hidden = hiddenSize, ld = first.inputSize
        let w1 = arena.value(first.weight), b1 = arena.value(first.bias)
        var spanTerms = Tensor(zeros: [2, k, hidden])  // P_a·g_i and P_b·g_j
        var bucketTerms = Tensor(zeros: [AntecedentScorer.bucketCount, hidden])
        g.withPointer { gp in
            spanTerms.withMutablePointer { t in
                BLAS.gemm(transposeB: true, m: k, n: hidden, k: s, a: gp, b: w1, ldb: ld, c: t)
                BLAS.gemm(transposeB: true, m: k, n: hidden, k: s, a: gp, b: w1 + s, ldb: ld, c: t + k * hidden)
            }
        }
        bucketTerms.withMutablePointer { t in
            BLAS.gemm(transposeB: true, m: AntecedentScorer.bucketCount, n: hidden, k: featureSize,
                      a: arena.value(distance), b: w1 + 3 * s, ldb: ld, c: t)
        }
        var z = Tensor(zeros: [k * K, hidden])
        var products = Tensor(zeros: [min(chunkSpans, k) * K, s])
        var compactTerms = Tensor(zeros: [min(chunkSpans, k) * K, hidden])
        z.withMutablePointer { zp in
            spanTerms.withPointer { t in
                bucketTerms.withPointer { bt in
                    for c0 in stride(from: 0, to: k, by: chunkSpans) {
                        let c1 = min(k, c0 + chunkSpans)
                        let chunk = ChunkRows(spans: c0..<c1, valid: valid, antecedents: K)
                        guard chunk.rows > 0 else { continue }
                        fillProducts(&products, g: g, chunk: chunk)
                        products.withPointer { q in
                            if chunk.compact {
                                compactTerms.withMutablePointer { ct in
                                    BLAS.gemm(transposeB: true, m: chunk.rows, n: hidden, k: s, a: q, b: w1 + 2 * s, ldb: ld, c: ct)
                                    for (r, (i, c)) in chunk.pairs.enumerated() {
                                        (zp + (i * K + c) * hidden).update(from: ct + r * hidden, count: hidden)
                                    }
                                }
                            } else {
                                BLAS.gemm(transposeB: true, m: chunk.rows, n: hidden, k: s, a: q, b: w1 + 2 * s, ldb: ld,
                                          c: zp + c0 * K * hidden)
                            }
                        }
                        for i in c0..<c1 {
                            for c in 0..<valid[i] {
                                let row = zp + (i * K + c) * hidden
                                Kernels.axpy(1, t + i * hidden, row, hidden)
                                Kernels.axpy(1, t + (k + i - 1 - c) * hidden, row, hidden)
                                Kernels.axpy(1, bt + AntecedentScorer.bucket(c + 1) * hidden, row, hidden)
                                Kernels.axpy(1, b1, row, hidden)
                            }
                        }
                    }
                }
            }
        }
        return z
    }

    /// g: [k, S] kept-span embeddings, earlier: [k] (see the type's comment) → pairwise scores
    /// [k, K] (0 at invalid pairs).
    public func forward(_ g: Tensor, earlier: [Int], antecedents K: Int, chunkSpans: Int, arena: ParameterArena,
                        training: Bool, rng: inout RNG) -> (Tensor, Cache) {
        let k = g.rows
        precondition(earlier.count == k && earlier.indices.allSatisfy { earlier[$0] >= 0 && earlier[$0] <= $0 },
                     "AntecedentScorer: earlier-span counts \(earlier.count) for \(k) spans must lie in 0...i")
        let valid = earlier.map { min($0, K) }
        var z = firstLayer(g, valid: valid, antecedents: K, chunkSpans: chunkSpans, arena: arena)
        rest.activate(&z, training: training, rng: &rng)
        let (top, restCache) = rest.forward(z, arena: arena, training: training, rng: &rng)
        var scores = scorer.forward(top, arena: arena).reshaped([k, K])
        for i in 0..<k { for c in valid[i]..<K { scores[i, c] = 0 } }
        return (scores, Cache(antecedents: K, valid: valid, firstOutput: z, rest: restCache))
    }

    /// dScores: [k, K] (zero at invalid pairs) → dLoss/dg [k, S]; accumulates every parameter.
    public func backward(_ cache: Cache, g: Tensor, dScores: Tensor, chunkSpans: Int, arena: ParameterArena) -> Tensor {
        let k = g.rows, K = cache.antecedents, valid = cache.valid, s = spanSize, hidden = hiddenSize, ld = first.inputSize
        precondition(dScores.shape == [k, K], "AntecedentScorer.backward: dScores \(dScores.shape), expected [\(k), \(K)]")
        let dTop = scorer.backward(x: cache.rest.output, dOut: dScores.reshaped([k * K, 1]), arena: arena)
        var dFirst = rest.backward(cache.rest, dOut: dTop, arena: arena)
        rest.deactivate(&dFirst, output: cache.firstOutput, training: cache.rest.training)
        let w1 = arena.value(first.weight), gw1 = arena.grad(first.weight), gb1 = arena.grad(first.bias)
        var dSpanTerms = Tensor(zeros: [2, k, hidden])
        var dBucketTerms = Tensor(zeros: [AntecedentScorer.bucketCount, hidden])
        var dg = Tensor(zeros: g.shape)
        var products = Tensor(zeros: [min(chunkSpans, k) * K, s])
        var dProducts = products
        var compactDz = Tensor(zeros: [min(chunkSpans, k) * K, hidden])
        dFirst.withPointer { dz in
            dSpanTerms.withMutablePointer { dt in
                dBucketTerms.withMutablePointer { dbt in
                    for i in 0..<k {
                        for c in 0..<valid[i] {
                            let row = dz + (i * K + c) * hidden
                            Kernels.axpy(1, row, dt + i * hidden, hidden)
                            Kernels.axpy(1, row, dt + (k + i - 1 - c) * hidden, hidden)
                            Kernels.axpy(1, row, dbt + AntecedentScorer.bucket(c + 1) * hidden, hidden)
                            Kernels.axpy(1, row, gb1, hidden)
                        }
                    }
                }
            }
            for c0 in stride(from: 0, to: k, by: chunkSpans) {
                let chunk = ChunkRows(spans: c0..<min(k, c0 + chunkSpans), valid: valid, antecedents: K)
                guard chunk.rows > 0 else { continue }
                fillProducts(&products, g: g, chunk: chunk)
                compactDz.withMutablePointer { cdz in
                    // The chunk's dz rows in the products' order: a view when nothing is packed.
                    let rows: UnsafePointer<Float>
                    if chunk.compact {
                        for (r, (i, c)) in chunk.pairs.enumerated() {
                            (cdz + r * hidden).update(from: dz + (i * K + c) * hidden, count: hidden)
                        }
                        rows = UnsafePointer(cdz)
                    } else {
                        rows = dz + c0 * K * hidden
                    }
                    products.withPointer { q in
                        BLAS.gemm(transposeA: true, m: hidden, n: s, k: chunk.rows, a: rows, b: q, beta: 1, c: gw1 + 2 * s, ldc: ld)
                    }
                    dProducts.withMutablePointer { dq in
                        BLAS.gemm(m: chunk.rows, n: s, k: hidden, a: rows, b: w1 + 2 * s, ldb: ld, c: dq)
                    }
                }
                scatterProducts(dProducts, into: &dg, g: g, chunk: chunk)
            }
        }
        g.withPointer { gp in
            dSpanTerms.withPointer { dt in
                dg.withMutablePointer { dgp in
                    for (part, offset) in [(0, 0), (1, s)] {
                        let d = dt + part * k * hidden
                        BLAS.gemm(transposeA: true, m: hidden, n: s, k: k, a: d, b: gp, beta: 1, c: gw1 + offset, ldc: ld)
                        BLAS.gemm(m: k, n: s, k: hidden, a: d, b: w1 + offset, ldb: ld, beta: 1, c: dgp)
                    }
                }
            }
        }
        dBucketTerms.withPointer { dbt in
            BLAS.gemm(transposeA: true, m: hidden, n: featureSize, k: AntecedentScorer.bucketCount, a: dbt,
                      b: arena.value(distance), beta: 1, c: gw1 + 3 * s, ldc: ld)
            BLAS.gemm(m: AntecedentScorer.bucketCount, n: featureSize, k: hidden, a: dbt, b: w1 + 3 * s, ldb: ld,
                      beta: 1, c: arena.grad(distance))
        }
        return dg
    }

    /// Rows 0, 1, … of `products` ← g_i ∘ g_{i−1−c} for the chunk's valid pairs, in order.
    private func fillProducts(_ products: inout Tensor, g: Tensor, chunk: ChunkRows) {
        let s = spanSize
        products.withMutablePointer { q in
            g.withPointer { gp in
                for (r, (i, c)) in chunk.pairs.enumerated() {
                    Kernels.multiply(gp + i * s, gp + (i - 1 - c) * s, q + r * s, s)
                }
            }
        }
    }

    /// dg_i += dq ∘ g_j and dg_j += dq ∘ g_i for the valid pairs of a chunk.
    private func scatterProducts(_ dProducts: Tensor, into dg: inout Tensor, g: Tensor, chunk: ChunkRows) {
        let s = spanSize
        dg.withMutablePointer { dgp in
            g.withPointer { gp in
                dProducts.withPointer { dq in
                    for (r, (i, c)) in chunk.pairs.enumerated() {
                        let row = dq + r * s, j = i - 1 - c
                        Kernels.multiplyAdd(row, gp + j * s, dgp + i * s, s)
                        Kernels.multiplyAdd(row, gp + i * s, dgp + j * s, s)
                    }
                }
            }
        }
    }
}

/// A chunk's valid pairs, the rows of its per-pair products. Spans near a document's start have
/// fewer than K antecedents (the first K kept spans form a triangle: 30 % of the pairs of a
/// 300-token document, more when several documents share the matrices), so the products run
/// over the valid pairs only, packed in order, and their rows are copied to and from the
/// padded [k·K, H] layout. (Rounding depends on a product's shape, so packing moved the last
/// bits of coreference results; docs/distributed.md, Determinism.)
struct ChunkRows {
    /// (i, c) for every valid pair, i then c ascending.
    let pairs: [(Int, Int)]
    /// Some pair of the chunk is invalid, so the products' rows are not the padded ones.
    let compact: Bool
    var rows: Int { pairs.count }

    init(spans: Range<Int>, valid: [Int], antecedents K: Int) {
        pairs = spans.flatMap { i in (0..<valid[i]).map { (i, $0) } }
        compact = pairs.count < spans.count * K
    }
}
