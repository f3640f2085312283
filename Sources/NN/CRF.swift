import Tensor

/// Linear-chain conditional random field with learned start and end scores (AllenNLP 0.7.0
/// `ConditionalRandomField`, `include_start_end_transitions = true`).
///
/// For a sentence of length n with emissions e_t(y) (t = 0..<n) the score of a tag path is
///   s(y) = start[y_0] + Σ_t e_t(y_t) + Σ_{t<n−1} trans[y_t, y_{t+1}] + end[y_{n−1}],
/// and p(y) = exp(s(y)) / Z with Z summed over all Tⁿ paths — the likelihood is unconstrained;
/// `TransitionConstraints` only restrict decoding. Emissions are batch-major [B, Tmax, T];
/// sentence b occupies positions 0..<lengths[b] and everything after is ignored.
public struct CRF: Sendable {
    public let transitions: Parameter, start: Parameter, end: Parameter
    public let tagCount: Int

    public init(name: String, tagCount: Int, layout: inout ParameterLayout) {
        precondition(tagCount > 0, "CRF \(name): needs at least one tag")
        self.tagCount = tagCount
        transitions = layout.add("\(name)/transitions", shape: [tagCount, tagCount])
        start = layout.add("\(name)/start", shape: [tagCount])
        end = layout.add("\(name)/end", shape: [tagCount])
    }

    /// transitions ~ Xavier-normal (fan-in = fan-out = T), start and end ~ N(0, 1).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        Initializer.xavierNormal(arena.value(transitions), fanIn: tagCount, fanOut: tagCount, count: transitions.count, rng: &rng)
        Initializer.normal(arena.value(start), count: tagCount, std: 1, rng: &rng)
        Initializer.normal(arena.value(end), count: tagCount, std: 1, rng: &rng)
    }

    /// Σ over sentences of −log p(gold | emissions). Returns the loss and dLoss/dEmissions
    /// ([B, Tmax, tags], zero at padded positions); ACCUMULATES (+=) parameter gradients into arena.grads.
    ///
    /// Forward–backward: with node marginals p_t(i) and pair marginals ξ_t(i, j),
    ///   dE_t(i) = p_t(i) − [gold_t = i],   dTrans(i, j) = Σ_t ξ_t(i, j) − #gold bigrams (i, j),
    ///   dStart = p_0 − onehot(gold_0) = dE_0,   dEnd = p_{n−1} − onehot(gold_{n−1}) = dE_{n−1}.
    /// `gold[b]` may be longer than `lengths[b]`; the extra entries are ignored.
    public func negativeLogLikelihood(emissions: Tensor, lengths: [Int], gold: [[Int]], arena: ParameterArena) -> (loss: Double, dEmissions: Tensor) {
        let maxLength = checkBatch(emissions, lengths: lengths, gold: gold)
        var dEmissions = Tensor(zeros: emissions.shape)
        guard !lengths.isEmpty else { return (0, dEmissions) }
        let T = tagCount, sentenceStride = maxLength * T
        let dTransitions = arena.grad(transitions), dStart = arena.grad(start), dEnd = arena.grad(end)
        var loss = 0.0
        emissions.withPointer { e in
            dEmissions.withMutablePointer { dE in
                withLattice(arena, maxLength: maxLength) { lattice in
                    for (b, n) in lengths.enumerated() {
                        let (eb, dEb, y) = (e + b * sentenceStride, dE + b * sentenceStride, gold[b])
                        loss += lattice.forward(eb, length: n) - lattice.score(eb, gold: y, length: n)
                        lattice.backward(eb, length: n)
                        lattice.nodeGradient(gold: y, length: n, into: dEb)
                        lattice.accumulatePairGradient(eb, gold: y, length: n, into: dTransitions)
                        Kernels.axpy(1, dEb, dStart, T)
                        Kernels.axpy(1, dEb + (n - 1) * T, dEnd, T)
                    }
                }
            }
        }
        return (loss, dEmissions)
    }

    /// Same loss without gradients (validation).
    public func loss(emissions: Tensor, lengths: [Int], gold: [[Int]], arena: ParameterArena) -> Double {
        let maxLength = checkBatch(emissions, lengths: lengths, gold: gold)
        guard !lengths.isEmpty else { return 0 }
        var loss = 0.0
        emissions.withPointer { e in
            withLattice(arena, maxLength: maxLength) { lattice in
                for (b, n) in lengths.enumerated() {
                    let eb = e + b * maxLength * tagCount
                    loss += lattice.forward(eb, length: n) - lattice.score(eb, gold: gold[b], length: n)
                }
            }
        }
        return loss
    }

    /// Best tag sequence per sentence under the constraints (ties broken deterministically).
    ///
    /// Disallowed transitions score −∞, so the result is the argmax over allowed paths only
    /// (AllenNLP uses −10000, which agrees whenever an allowed path exists). If a tag set admits
    /// no allowed path of some length (e.g. no O and no U-x tags for n = 1), that sentence falls
    /// back to the unconstrained argmax rather than returning garbage. Ties go to the lowest tag
    /// index at every max.
    public func viterbi(emissions: Tensor, lengths: [Int], constraints: TransitionConstraints, arena: ParameterArena) -> [[Int]] {
        let maxLength = checkBatch(emissions, lengths: lengths, gold: nil)
        precondition(constraints.tagCount == tagCount, "CRF.viterbi: constraints are for \(constraints.tagCount) tags, the CRF has \(tagCount)")
        guard !lengths.isEmpty else { return [] }
        let T = tagCount
        let trans = arena.value(transitions), startScores = arena.value(start), endScores = arena.value(end)
        var constrained = ViterbiScores(tagCount: T)
        var free = ViterbiScores(tagCount: T)
        for i in 0..<T {
            for j in 0..<T {
                free.transitions[i * T + j] = trans[i * T + j]
                constrained.transitions[i * T + j] = constraints.allows(from: i, to: j) ? trans[i * T + j] : -.infinity
            }
            free.start[i] = startScores[i]
            free.end[i] = endScores[i]
            constrained.start[i] = constraints.allowsStart(i) ? startScores[i] : -.infinity
            constrained.end[i] = constraints.allowsEnd(i) ? endScores[i] : -.infinity
        }
        return emissions.withPointer { e in
            lengths.enumerated().map { b, n in
                let eb = e + b * maxLength * T
                guard let path = constrained.decode(eb, length: n) ?? free.decode(eb, length: n) else {
                    preconditionFailure("CRF.viterbi: sentence \(b) has no finite-scoring path (non-finite emissions or parameters)")
                }
                return path
            }
        }
    }

    /// Validates shapes (programmer errors) and returns Tmax.
    private func checkBatch(_ emissions: Tensor, lengths: [Int], gold: [[Int]]?) -> Int {
        precondition(emissions.rank == 3 && emissions.shape[2] == tagCount,
            "CRF: emissions must be [B, Tmax, \(tagCount)], got \(emissions.shape)")
        let (batch, maxLength) = (emissions.shape[0], emissions.shape[1])
        precondition(lengths.count == batch, "CRF: \(batch) sentences but \(lengths.count) lengths")
        precondition(lengths.allSatisfy { $0 >= 1 && $0 <= maxLength }, "CRF: lengths \(lengths) must lie in 1...\(maxLength)")
        if let gold {
            precondition(gold.count == batch, "CRF: \(batch) sentences but \(gold.count) gold sequences")
            for (y, n) in zip(gold, lengths) {
                precondition(y.count >= n, "CRF: gold sequence of length \(y.count) for a sentence of length \(n)")
                precondition(y.prefix(n).allSatisfy { $0 >= 0 && $0 < tagCount }, "CRF: gold tags \(y) outside 0..<\(tagCount)")
            }
        }
        return maxLength
    }

    /// Transition scores spread over at most this many nats run the lattice in exp space (see
    /// `Lattice`): every product of E = exp(trans − max) then stays above e^−50 ≫ Float's
    /// smallest normal, so no message can underflow to zero. Wider spreads use log space.
    static let expSpaceRange: Float = 50

    /// Runs `body` with a lattice whose buffers live in one temporary allocation.
    private func withLattice(_ arena: ParameterArena, maxLength: Int, _ body: (Lattice) -> Void) {
        let T = tagCount
        let trans = arena.value(transitions)
        var (low, high) = (trans[0], trans[0])
        for k in 1..<(T * T) { low = min(low, trans[k]); high = max(high, trans[k]) }
        let expSpace = high - low <= CRF.expSpaceRange
        withUnsafeTemporaryAllocation(of: Float.self, capacity: 3 * T * T + 4 * maxLength * T + 2 * T) { buffer in
            var next = buffer.baseAddress!
            func take(_ n: Int) -> UnsafeMutablePointer<Float> { defer { next += n }; return next }
            let lattice = Lattice(
                tagCount: T, transitions: trans, transposed: take(T * T),
                expTransitions: expSpace ? take(T * T) : nil, transitionMax: high,
                start: arena.value(start), end: arena.value(end),
                alpha: take(maxLength * T), beta: take(maxLength * T),
                pair: take(T * T), row: take(T), column: take(T),
                scaledAlpha: take(maxLength * T), scaledEmitted: take(maxLength * T))
            for i in 0..<T { for j in 0..<T { lattice.transposed[j * T + i] = trans[i * T + j] } }
            if let e = lattice.expTransitions {
                for k in 0..<(T * T) { e[k] = trans[k] - high }
                Kernels.exp(e, e, T * T)
            }
            body(lattice)
        }
    }
}

/// Forward–backward over one sentence at a time, in log space with per-position rescaling.
///
/// α̂_t and β̂_t are the log forward/backward messages shifted by their own logsumexp at each
/// position, so they stay O(score range) however long the sentence; the shifts add up (in
/// Double) to log Z. Marginals are renormalised per position (over T nodes, or T² pairs), so
/// the shifts cancel and each marginal sums to 1 up to Float rounding:
///   α̂_0 ∝ start + e_0,   α̂_t(j) ∝ lse_i(α̂_{t−1}(i) + trans[i, j]) + e_t(j),
///   β̂_{n−1} ∝ end,       β̂_t(i) ∝ lse_j(trans[i, j] + e_{t+1}(j) + β̂_{t+1}(j)),
///   p_t(i) ∝ exp(α̂_t(i) + β̂_t(i)),   ξ_t(i, j) ∝ exp(α̂_t(i) + trans[i, j] + e_{t+1}(j) + β̂_{t+1}(j)).
///
/// Exp space (when `expTransitions` is set): with E = exp(trans − M), M = max trans, each
/// lse over the previous tag becomes a matrix–vector product, and the T² pair marginals of a
/// sentence one matrix product —
///   lse_i(α̂(i) + trans[i, j]) = A + M + log Σ_i exp(α̂(i) − A)·E[i, j],   A = max α̂,
///   Σ_t ξ_t = E ⊙ Σ_t ã_t b_tᵀ,  ã_t = exp(α̂_t − A_t) / (aᵀE b)_t,  b_t = exp(r_t − R_t),
/// r_t = e_{t+1} + β̂_{t+1} — T exponentials per position instead of T², the same values to
/// Float rounding. All pointers are borrowed for the duration of `CRF.withLattice`.
private struct Lattice {
    let tagCount: Int
    /// [from, to], in the arena.
    let transitions: UnsafePointer<Float>
    /// [to, from] copy, so the forward recursion reads contiguous columns.
    let transposed: UnsafeMutablePointer<Float>
    /// exp(transitions − transitionMax), [from, to]; nil when the spread is too wide for exp space.
    let expTransitions: UnsafeMutablePointer<Float>?
    let transitionMax: Float
    let start: UnsafePointer<Float>, end: UnsafePointer<Float>
    /// [Tmax, T] each.
    let alpha: UnsafeMutablePointer<Float>, beta: UnsafeMutablePointer<Float>
    /// [T, T] and [T] scratch.
    let pair: UnsafeMutablePointer<Float>, row: UnsafeMutablePointer<Float>, column: UnsafeMutablePointer<Float>
    /// [Tmax, T] scratch for the exp-space pair marginals: ã_t and b_t.
    let scaledAlpha: UnsafeMutablePointer<Float>, scaledEmitted: UnsafeMutablePointer<Float>

    /// out[k] = log Σ exp(v) ⊗ E along the previous tag (forward: Eᵀv; backward: E v), i.e.
    /// lse_i(v(i) + trans[i, k]) or lse_j(trans[k, j] + v(j)), through one matrix–vector product.
    private func expSpaceLogSumExp(_ v: UnsafePointer<Float>, transposeE: Bool, into out: UnsafeMutablePointer<Float>, _ E: UnsafePointer<Float>) {
        let T = tagCount
        let shift = maxElement(v, T)
        for i in 0..<T { row[i] = v[i] - shift }
        Kernels.exp(row, row, T)
        BLAS.gemv(transpose: transposeE, m: T, n: T, a: E, x: row, y: out)
        Kernels.log(out, out, T)
        let offset = shift + transitionMax
        for k in 0..<T { out[k] += offset }
    }

    /// Fills α̂ and returns log Z.
    func forward(_ e: UnsafePointer<Float>, length n: Int) -> Double {
        let T = tagCount
        for j in 0..<T { alpha[j] = start[j] + e[j] }
        var logZ = Double(shiftByLogSumExp(alpha, T))
        for t in 1..<n {
            let previous = alpha + (t - 1) * T, current = alpha + t * T
            if let E = expTransitions {
                expSpaceLogSumExp(previous, transposeE: true, into: current, E)
                for j in 0..<T { current[j] += e[t * T + j] }
            } else {
                for j in 0..<T { current[j] = Kernels.logSumExp(previous, plus: transposed + j * T, T) + e[t * T + j] }
            }
            logZ += Double(shiftByLogSumExp(current, T))
        }
        let last = alpha + (n - 1) * T
        for j in 0..<T { row[j] = last[j] + end[j] }
        return logZ + Double(Kernels.logSumExp(row, T))
    }

    /// Fills β̂.
    func backward(_ e: UnsafePointer<Float>, length n: Int) {
        let T = tagCount
        let last = beta + (n - 1) * T
        for i in 0..<T { last[i] = end[i] }
        shiftByLogSumExp(last, T)
        for t in stride(from: n - 2, through: 0, by: -1) {
            let next = beta + (t + 1) * T, current = beta + t * T
            let emitted = pair  // e_{t+1} + β̂_{t+1}; the pair scratch is free during the backward pass
            for j in 0..<T { emitted[j] = e[(t + 1) * T + j] + next[j] }
            if let E = expTransitions {
                expSpaceLogSumExp(emitted, transposeE: false, into: current, E)
            } else {
                for i in 0..<T { current[i] = Kernels.logSumExp(transitions + i * T, plus: emitted, T) }
            }
            shiftByLogSumExp(current, T)
        }
    }

    /// d[t, i] = p_t(i) − [gold_t = i] for t < n (after `forward` and `backward`).
    func nodeGradient(gold: [Int], length n: Int, into d: UnsafeMutablePointer<Float>) {
        let T = tagCount
        for t in 0..<n {
            let dt = d + t * T
            for i in 0..<T { dt[i] = alpha[t * T + i] + beta[t * T + i] }
            shiftByLogSumExp(dt, T)
            Kernels.exp(dt, dt, T)
            dt[gold[t]] -= 1
        }
    }

    /// dTrans += Σ_t ξ_t − gold bigram counts (after `forward` and `backward`).
    func accumulatePairGradient(_ e: UnsafePointer<Float>, gold: [Int], length n: Int, into dTransitions: UnsafeMutablePointer<Float>) {
        let T = tagCount
        if let E = expTransitions {
            guard n > 1 else { return }
            for t in 0..<(n - 1) {
                let a = scaledAlpha + t * T, b = scaledEmitted + t * T
                let alphaMax = maxElement(alpha + t * T, T)
                for i in 0..<T { a[i] = alpha[t * T + i] - alphaMax }
                Kernels.exp(a, a, T)
                for j in 0..<T { b[j] = e[(t + 1) * T + j] + beta[(t + 1) * T + j] }
                let bMax = maxElement(b, T)
                for j in 0..<T { b[j] -= bMax }
                Kernels.exp(b, b, T)
                BLAS.gemv(m: T, n: T, a: E, x: b, y: column)
                var z: Float = 0
                for i in 0..<T { z += a[i] * column[i] }
                let inverse = 1 / z
                for i in 0..<T { a[i] *= inverse }
                dTransitions[gold[t] * T + gold[t + 1]] -= 1
            }
            // pair = Σ_t ã_t b_tᵀ, then ⊙ E.
            BLAS.gemm(transposeA: true, m: T, n: T, k: n - 1, a: scaledAlpha, b: scaledEmitted, c: pair)
            for k in 0..<(T * T) { dTransitions[k] += pair[k] * E[k] }
            return
        }
        for t in 0..<(n - 1) {
            for j in 0..<T { row[j] = e[(t + 1) * T + j] + beta[(t + 1) * T + j] }
            for i in 0..<T {
                let a = alpha[t * T + i], from = transitions + i * T, out = pair + i * T
                for j in 0..<T { out[j] = a + from[j] + row[j] }
            }
            shiftByLogSumExp(pair, T * T)
            Kernels.exp(pair, pair, T * T)
            Kernels.axpy(1, pair, dTransitions, T * T)
            dTransitions[gold[t] * T + gold[t + 1]] -= 1
        }
    }

    /// s(gold) in Double.
    func score(_ e: UnsafePointer<Float>, gold y: [Int], length n: Int) -> Double {
        let T = tagCount
        var s = Double(start[y[0]]) + Double(end[y[n - 1]])
        for t in 0..<n { s += Double(e[t * T + y[t]]) }
        for t in 0..<(n - 1) { s += Double(transitions[y[t] * T + y[t + 1]]) }
        return s
    }
}

private func maxElement(_ v: UnsafePointer<Float>, _ n: Int) -> Float {
    var m = v[0]
    for i in 1..<n where v[i] > m { m = v[i] }
    return m
}

/// v ← v − logsumexp(v); returns the shift.
@discardableResult
private func shiftByLogSumExp(_ v: UnsafeMutablePointer<Float>, _ n: Int) -> Float {
    let shift = Kernels.logSumExp(v, n)
    for i in 0..<n { v[i] -= shift }
    return shift
}

/// Max-product decoding scores with disallowed entries already set to −∞.
private struct ViterbiScores {
    let tagCount: Int
    /// [from, to].
    var transitions: [Float]
    var start: [Float], end: [Float]

    init(tagCount: Int) {
        self.tagCount = tagCount
        transitions = [Float](repeating: 0, count: tagCount * tagCount)
        start = [Float](repeating: 0, count: tagCount)
        end = [Float](repeating: 0, count: tagCount)
    }

    /// The best path, or nil when every path scores −∞. δ is shifted by its maximum at each
    /// step (argmax-invariant) so comparisons keep full Float precision on long sentences.
    /// Ties go to the lowest tag at every max. The max over the previous tag runs in a C kernel
    /// that vectorises over the next tag (`hmtl_viterbi_kernels.h`): this is T² work per token of
    /// every decoded sentence (73 tags at the reference's OntoNotes NER), and Swift's scalar
    /// loop made it a third of NER inference.
    func decode(_ e: UnsafePointer<Float>, length n: Int) -> [Int]? {
        let T = tagCount
        var scratch = [Float](repeating: 0, count: 2 * T)
        var backpointers = [Int32](repeating: 0, count: n * T)
        let last: Int? = scratch.withUnsafeMutableBufferPointer { scratch in
            backpointers.withUnsafeMutableBufferPointer { back in
                transitions.withUnsafeBufferPointer { trans in
                    let delta = scratch.baseAddress!, next = delta + T
                    for i in 0..<T { delta[i] = start[i] + e[i] }
                    for t in 1..<n {
                        var top = delta[0]
                        for i in 1..<T where delta[i] > top { top = delta[i] }
                        guard top > -.infinity else { return nil }
                        for i in 0..<T { delta[i] -= top }
                        Kernels.maxPlus(delta: delta, transitions: trans.baseAddress!, T, next: next, argmax: back.baseAddress! + t * T)
                        for j in 0..<T { delta[j] = next[j] + e[t * T + j] }
                    }
                    var best = delta[0] + end[0], argmax = 0
                    for i in 1..<T {
                        let v = delta[i] + end[i]
                        if v > best { best = v; argmax = i }
                    }
                    return best > -.infinity ? argmax : nil
                }
            }
        }
        guard let last else { return nil }
        var path = [Int](repeating: 0, count: n)
        path[n - 1] = last
        for t in stride(from: n - 1, to: 0, by: -1) { path[t - 1] = Int(backpointers[t * T + path[t]]) }
        return path
    }
}
