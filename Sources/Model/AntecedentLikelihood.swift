import Tensor

/// The coreference loss (docs/design.md, Coreference level): for each kept span i, the negative log
/// of the marginal probability of its gold antecedents, −[lse_{y∈GOLD(i)} s(i,y) − lse_y s(i,y)],
/// summed.
///
/// Score layout, shared with decoding: scores [k, K+1]; column 0 is the dummy ε (score 0),
/// column c + 1 the candidate j = i − 1 − c. Row i's valid columns are the prefix 0...min(i, K);
/// the rest are ignored. GOLD(i) = valid j with labels[j] = labels[i] ≥ 0, or {ε} when empty.
public enum AntecedentLikelihood {
    public static func isGold(_ i: Int, candidate c: Int, labels: [Int]) -> Bool {
        labels[i] >= 0 && c < i && labels[i - 1 - c] == labels[i]
    }

    /// The summed loss and dLoss/dscores = softmax(s_i) − softmax restricted to GOLD(i)
    /// (zero at invalid columns).
    public static func negativeLogLikelihood(scores: Tensor, labels: [Int]) -> (loss: Double, dScores: Tensor) {
        let k = scores.rows, width = scores.columns
        precondition(scores.rank == 2 && labels.count == k, "AntecedentLikelihood: scores \(scores.shape) for \(labels.count) labels")
        var loss = 0.0
        var d = Tensor(zeros: scores.shape)
        var gold = [Float](repeating: 0, count: width)
        var goldColumns = [Int](repeating: 0, count: width)
        var probabilities = [Float](repeating: 0, count: width)
        scores.withPointer { sp in
            d.withMutablePointer { dp in
                for i in 0..<k {
                    let row = sp + i * width, valid = 1 + min(i, width - 1)
                    var g = 0
                    for c in 0..<(valid - 1) where isGold(i, candidate: c, labels: labels) {
                        goldColumns[g] = c + 1
                        g += 1
                    }
                    if g == 0 { goldColumns[0] = 0; g = 1 }
                    for n in 0..<g { gold[n] = row[goldColumns[n]] }
                    let all = Kernels.logSumExp(row, valid)
                    let marginal = gold.withUnsafeBufferPointer { Kernels.logSumExp($0.baseAddress!, g) }
                    loss += Double(all) - Double(marginal)
                    probabilities.withUnsafeMutableBufferPointer { p in
                        for y in 0..<valid { p[y] = row[y] - all }
                        Kernels.exp(p.baseAddress!, p.baseAddress!, valid)
                        for y in 0..<valid { dp[i * width + y] = p[y] }
                        for n in 0..<g { p[n] = gold[n] - marginal }
                        Kernels.exp(p.baseAddress!, p.baseAddress!, g)
                        for n in 0..<g { dp[i * width + goldColumns[n]] -= p[n] }
                    }
                }
            }
        }
        return (loss, d)
    }
}
