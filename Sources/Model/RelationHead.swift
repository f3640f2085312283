import Corpus
import Tensor

/// One cell of the multi-head selection target: the relation of type `r` from the token `i`
/// (last token of ARG1's head) to the token `j` (last token of ARG2's head). Argument start
/// boundaries are not represented — the reference neither trains nor scores them (docs/design.md,
/// Relation level).
public struct RelationPair: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var i: Int, j: Int, r: Int

    public init(i: Int, j: Int, r: Int) {
        self.i = i
        self.j = j
        self.r = r
    }

    /// The cell of `relation`, whose type has index `type` (spans are inclusive, so `end` is the last token).
    public init(_ relation: Relation, type: Int) {
        self.init(i: relation.head.end, j: relation.tail.end, r: type)
    }

    public static func < (a: RelationPair, b: RelationPair) -> Bool { (a.i, a.j, a.r) < (b.i, b.j, b.r) }
    public var description: String { "(\(i), \(j), \(r))" }
}

/// The relation-extraction head: multi-head selection (Bekoulis et al. 2018) as in docs/design.md,
/// Relation level.
///
/// For encoder outputs g_i ∈ R^H of one sentence (n real tokens), every ordered pair (i, j),
/// i = ARG1 and j = ARG2, and every type r gets a logit
///   z_ij = U·g_i + W·g_j + b ∈ R^d,   s_ijr = V_r · relu(z_ij),
/// and p_ijr = σ(s_ijr) is the probability that the relation (i, j, r) holds. Types are
/// independent sigmoids; there is no "no relation" class. U applies to ARG1 as in the
/// reference code (docs/design.md, Relation level, notes its names are swapped relative to the
/// paper).
///
/// Cost: A = G·Uᵀ + b and C = G·Wᵀ are one gemm each for the whole batch ([N, d], N = Σ
/// lengths); the pair tensor relu(A_i + C_j) ([n², d]) and its scores ([n², R], one gemm)
/// exist for one sentence at a time, so memory is max n²·d floats, never B·T²·d.
/// Padded positions of g are never read (they may hold anything, even NaN).
public struct RelationHead: Sendable {
    /// [d, H]: projects the ARG1 token.
    public let u: Parameter
    /// [d, H]: projects the ARG2 token.
    public let w: Parameter
    /// [d]
    public let bias: Parameter
    /// [R, d]: row r scores type r.
    public let v: Parameter
    public let inputSize: Int, hiddenSize: Int, relationCount: Int

    public init(name: String, inputSize: Int, hiddenSize: Int = 64, relationCount: Int, layout: inout ParameterLayout) {
        precondition(inputSize > 0 && hiddenSize > 0 && relationCount > 0,
                     "RelationHead \(name): sizes must be positive (input \(inputSize), hidden \(hiddenSize), relations \(relationCount))")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.relationCount = relationCount
        u = layout.add("\(name)/U", shape: [hiddenSize, inputSize])
        w = layout.add("\(name)/W", shape: [hiddenSize, inputSize])
        bias = layout.add("\(name)/b", shape: [hiddenSize])
        v = layout.add("\(name)/V", shape: [relationCount, hiddenSize])
    }

    /// The reference's init (docs/design.md, Initialisation): Kaiming-normal with PyTorch's fan-in
    /// taken from the stored matrices' dim 1, which for its H×d U, W and d×R V is the *output* size
    /// — so U, W ~ N(0, 2/d), V ~ N(0, 2/R) — and b ~ N(0, 1).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        let projectionStd = (2 / Float(hiddenSize)).squareRoot()
        Initializer.normal(arena.value(u), count: u.count, std: projectionStd, rng: &rng)
        Initializer.normal(arena.value(w), count: w.count, std: projectionStd, rng: &rng)
        Initializer.normal(arena.value(v), count: v.count, std: (2 / Float(relationCount)).squareRoot(), rng: &rng)
        Initializer.normal(arena.value(bias), count: bias.count, std: 1, rng: &rng)
    }

    /// Σ of the binary cross-entropy with logits over the valid cells (i, j < lengths[b], every r)
    /// and their number, Σ_b lengths[b]²·R; ACCUMULATES (+=) the gradients of that sum into
    /// arena.grads and returns dSum/dg ([B, T, H], zero at padded positions).
    ///
    /// Normalisation is the trainer's job: it divides by the count summed over all ranks (so W
    /// ranks with b sentences each give the update of one rank with W·b) and multiplies by the
    /// reference's factor 100. The reference instead takes 100 × the mean over all B·T²·R cells
    /// of the padded batch, each padded cell adding log 2 to the loss and nothing to the gradient;
    /// we leave padding out on purpose, since that quirk makes the step size depend on the padded
    /// length T of whatever batch a sentence lands in.
    ///
    /// Per cell, with y = 1 iff the cell is gold:
    ///   ℓ = max(s, 0) − s·y + log(1 + e^{−|s|}),   dℓ/ds = σ(s) − y,
    /// then dV = Σ_ij dS_ijᵀ·relu(z_ij), dZ = (dS·V) ⊙ [z > 0], dA_i = Σ_j dZ_ij, dC_j = Σ_i dZ_ij,
    /// db = Σ_i dA_i, dU = dAᵀ·G, dW = dCᵀ·G, dG = dA·U + dC·W.
    /// `gold[b]` lists the true cells of sentence b (repeats count once).
    public func lossAndGradient(_ g: Tensor, lengths: [Int], gold: [[RelationPair]], arena: ParameterArena) -> (sum: Double, count: Int, dInput: Tensor) {
        let result = binaryCrossEntropy(g, lengths: lengths, gold: gold, arena: arena, gradient: true)
        return (result.sum, result.count, result.dInput!)
    }

    /// The same sum and count as `lossAndGradient`, without touching gradients.
    public func loss(_ g: Tensor, lengths: [Int], gold: [[RelationPair]], arena: ParameterArena) -> (sum: Double, count: Int) {
        let result = binaryCrossEntropy(g, lengths: lengths, gold: gold, arena: arena, gradient: false)
        return (result.sum, result.count)
    }

    /// Every cell with σ(s) > 0.5, i.e. s > 0 (the reference rounds p, and 0.5 rounds to 0), per
    /// sentence in (i, j, r) order. Self-pairs i == j are scored and predicted like any other
    /// pair, as in the reference (docs/design.md, Relation level: in practice they are false
    /// positives).
    public func predict(_ g: Tensor, lengths: [Int], arena: ParameterArena) -> [[RelationPair]] {
        let work = project(g, lengths: lengths, arena: arena, gradient: false)
        var predictions: [[RelationPair]] = []
        for (b, n) in lengths.enumerated() {
            let s = score(work, sentence: b, arena: arena)
            var found: [RelationPair] = []
            for i in 0..<n {
                for j in 0..<n {
                    for r in 0..<relationCount where s[(i * n + j) * relationCount + r] > 0 {
                        found.append(RelationPair(i: i, j: j, r: r))
                    }
                }
            }
            predictions.append(found)
        }
        return predictions
    }

    private func binaryCrossEntropy(_ g: Tensor, lengths: [Int], gold: [[RelationPair]], arena: ParameterArena,
                                    gradient: Bool) -> (sum: Double, count: Int, dInput: Tensor?) {
        precondition(gold.count == lengths.count, "RelationHead: \(lengths.count) sentences but \(gold.count) gold lists")
        let work = project(g, lengths: lengths, arena: arena, gradient: gradient)
        var sum = 0.0, count = 0
        for (b, n) in lengths.enumerated() {
            let cells = n * n * relationCount
            let s = score(work, sentence: b, arena: arena)
            let t = work.dScores
            // t = log(1 + e^{−|s|}), through the vector kernels.
            for e in 0..<cells { t[e] = -abs(s[e]) }
            Kernels.exp(t, t, cells)
            for e in 0..<cells { t[e] += 1 }
            Kernels.log(t, t, cells)
            var sentence = 0.0
            for e in 0..<cells { sentence += Double(max(s[e], 0) + t[e]) }
            let targets = Set(gold[b]).map { cell -> Int in
                precondition((0..<n).contains(cell.i) && (0..<n).contains(cell.j) && (0..<relationCount).contains(cell.r),
                             "RelationHead: gold \(cell) outside sentence \(b) of length \(n) with \(relationCount) types")
                return (cell.i * n + cell.j) * relationCount + cell.r
            }
            for e in targets { sentence -= Double(s[e]) }
            sum += sentence
            count += cells
            guard gradient else { continue }
            Kernels.sigmoid(s, t, cells)
            for e in targets { t[e] -= 1 }
            backward(work, sentence: b, arena: arena)
        }
        guard gradient else { return (sum, count, nil) }
        return (sum, count, inputGradient(work, shape: g.shape, arena: arena))
    }

    /// Packs the real rows of g and computes both projections for the whole batch.
    private func project(_ g: Tensor, lengths: [Int], arena: ParameterArena, gradient: Bool) -> Workspace {
        precondition(g.rank == 3 && g.shape[0] == lengths.count && g.shape[2] == inputSize,
                     "RelationHead: expected g [\(lengths.count), T, \(inputSize)], got \(g.shape)")
        let T = g.shape[1], H = inputSize, d = hiddenSize
        precondition(lengths.allSatisfy { (0...T).contains($0) }, "RelationHead: lengths \(lengths) do not fit T = \(T)")
        let work = Workspace(lengths: lengths, inputSize: H, hiddenSize: d, relationCount: relationCount, gradient: gradient)
        g.withPointer { gp in
            for (b, n) in lengths.enumerated() {
                (work.rows + work.offsets[b] * H).update(from: gp + b * T * H, count: n * H)
            }
        }
        let N = work.tokenCount
        for row in 0..<N { (work.first + row * d).update(from: arena.value(bias), count: d) }
        BLAS.gemm(transposeB: true, m: N, n: d, k: H, a: work.rows, b: arena.value(u), beta: 1, c: work.first)
        BLAS.gemm(transposeB: true, m: N, n: d, k: H, a: work.rows, b: arena.value(w), c: work.second)
        return work
    }

    /// Fills work.hidden with relu(A_i + C_j) for all n² pairs of sentence b (b is inside A)
    /// and returns its scores [n², R] = hidden·Vᵀ.
    private func score(_ work: Workspace, sentence b: Int, arena: ParameterArena) -> UnsafeMutablePointer<Float> {
        let n = work.lengths[b], d = hiddenSize
        let a = work.first + work.offsets[b] * d, c = work.second + work.offsets[b] * d
        for i in 0..<n {
            let ai = a + i * d
            for j in 0..<n {
                let (cj, z) = (c + j * d, work.hidden + (i * n + j) * d)
                for k in 0..<d { z[k] = max(ai[k] + cj[k], 0) }
            }
        }
        BLAS.gemm(transposeB: true, m: n * n, n: relationCount, k: d, a: work.hidden, b: arena.value(v), c: work.scores)
        return work.scores
    }

    /// Given dS in work.dScores and sentence b's pairs in work.hidden, accumulates dV and
    /// writes the sentence's rows of dA and dC.
    private func backward(_ work: Workspace, sentence b: Int, arena: ParameterArena) {
        let n = work.lengths[b], d = hiddenSize, R = relationCount, pairs = n * n
        BLAS.gemm(transposeA: true, m: R, n: d, k: pairs, a: work.dScores, b: work.hidden, beta: 1, c: arena.grad(v))
        let dZ = work.dHidden
        BLAS.gemm(m: pairs, n: d, k: R, a: work.dScores, b: arena.value(v), c: dZ)
        Kernels.reluBackward(y: work.hidden, dy: dZ, dx: dZ, pairs * d)
        let dA = work.dFirst + work.offsets[b] * d, dC = work.dSecond + work.offsets[b] * d
        for i in 0..<n {  // dA_i = Σ_j dZ_ij: the column sums of the [n, d] block of row i
            BLAS.gemv(transpose: true, m: n, n: d, a: dZ + i * n * d, x: work.ones, y: dA + i * d)
        }
        // dC_j = Σ_i dZ_ij: viewed as [n, n·d], the column sums of dZ are dC flattened.
        BLAS.gemv(transpose: true, m: n, n: n * d, a: dZ, x: work.ones, y: dC)
    }

    /// Accumulates db, dU, dW from the batch's dA, dC and returns dG scattered back to [B, T, H].
    private func inputGradient(_ work: Workspace, shape: [Int], arena: ParameterArena) -> Tensor {
        let N = work.tokenCount, H = inputSize, d = hiddenSize, T = shape[1]
        BLAS.gemv(transpose: true, m: N, n: d, a: work.dFirst, x: work.ones, beta: 1, y: arena.grad(bias))
        BLAS.gemm(transposeA: true, m: d, n: H, k: N, a: work.dFirst, b: work.rows, beta: 1, c: arena.grad(u))
        BLAS.gemm(transposeA: true, m: d, n: H, k: N, a: work.dSecond, b: work.rows, beta: 1, c: arena.grad(w))
        // The packed rows are no longer needed: dG = dA·U + dC·W overwrites them.
        BLAS.gemm(m: N, n: H, k: d, a: work.dFirst, b: arena.value(u), c: work.rows)
        BLAS.gemm(m: N, n: H, k: d, a: work.dSecond, b: arena.value(w), beta: 1, c: work.rows)
        var dInput = Tensor(zeros: shape)
        dInput.withMutablePointer { dg in
            for (b, n) in work.lengths.enumerated() {
                (dg + b * T * H).update(from: work.rows + work.offsets[b] * H, count: n * H)
            }
        }
        return dInput
    }
}

/// Scratch memory of one call: the batch's packed rows and projections ([N, ·], N = Σ lengths)
/// and the pair buffers of its longest sentence ([n_max², ·]), reused sentence by sentence.
private final class Workspace {
    let lengths: [Int]
    /// First packed row of each sentence.
    let offsets: [Int]
    let tokenCount: Int
    /// [N, H]: the real rows of g; dG after `inputGradient`.
    let rows: UnsafeMutablePointer<Float>
    /// [N, d]: A = G·Uᵀ + b and C = G·Wᵀ; dA and dC (allocated only for a gradient pass).
    let first, second, dFirst, dSecond: UnsafeMutablePointer<Float>
    /// [n_max², d]: relu(z) of the current sentence and, backward, dZ.
    let hidden, dHidden: UnsafeMutablePointer<Float>
    /// [n_max², R]: s and its scratch / dS.
    let scores, dScores: UnsafeMutablePointer<Float>
    /// max(N, 1) ones, the right-hand side of every column-sum gemv.
    let ones: UnsafeMutablePointer<Float>
    private let blocks: [UnsafeMutablePointer<Float>]

    init(lengths: [Int], inputSize H: Int, hiddenSize d: Int, relationCount R: Int, gradient: Bool) {
        self.lengths = lengths
        var offsets: [Int] = [], total = 0
        for n in lengths {
            offsets.append(total)
            total += n
        }
        self.offsets = offsets
        tokenCount = total
        let pairs = (lengths.max() ?? 0) * (lengths.max() ?? 0)
        var blocks: [UnsafeMutablePointer<Float>] = []
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            blocks.append(p)
            return p
        }
        rows = allocate(total * H)
        first = allocate(total * d)
        second = allocate(total * d)
        dFirst = allocate(gradient ? total * d : 0)
        dSecond = allocate(gradient ? total * d : 0)
        hidden = allocate(pairs * d)
        dHidden = allocate(gradient ? pairs * d : 0)
        scores = allocate(pairs * R)
        dScores = allocate(pairs * R)
        ones = allocate(total)
        ones.update(repeating: 1, count: max(total, 1))
        self.blocks = blocks
    }

    deinit {
        for p in blocks { p.deallocate() }
    }
}
