/// Parameter initialisations of the reference (PyTorch 0.4.1 / AllenNLP 0.7.0 defaults).
public enum Initializer {
    /// U(−bound, bound).
    public static func uniform(_ p: UnsafeMutablePointer<Float>, count: Int, bound: Float, rng: inout RNG) {
        for i in 0..<count { p[i] = rng.uniform(-bound, bound) }
    }

    /// N(mean, std).
    public static func normal(_ p: UnsafeMutablePointer<Float>, count: Int, mean: Float = 0, std: Float, rng: inout RNG) {
        for i in 0..<count { p[i] = rng.normal(mean: mean, std: std) }
    }

    /// Xavier/Glorot uniform: U(±√(6/(fanIn+fanOut))).
    public static func xavierUniform(_ p: UnsafeMutablePointer<Float>, fanIn: Int, fanOut: Int, count: Int, rng: inout RNG) {
        uniform(p, count: count, bound: (6.0 / Float(fanIn + fanOut)).squareRoot(), rng: &rng)
    }

    /// A [rows, columns] matrix with orthonormal columns (rows ≥ columns) or rows: a Gaussian
    /// matrix orthonormalised by modified Gram–Schmidt in Double — the Q of its QR
    /// decomposition with R's diagonal positive, as PyTorch's `orthogonal_`.
    public static func orthogonal(_ p: UnsafeMutablePointer<Float>, rows: Int, columns: Int, rng: inout RNG) {
        // Work on the taller orientation: vectors of length `long`, `short` of them.
        let (long, short) = rows >= columns ? (rows, columns) : (columns, rows)
        var vectors = (0..<short).map { _ in (0..<long).map { _ in Double(rng.normal()) } }
        for k in 0..<short {
            for j in 0..<k {
                let projection = zip(vectors[k], vectors[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for i in 0..<long { vectors[k][i] -= projection * vectors[j][i] }
            }
            let norm = vectors[k].reduce(0) { $0 + $1 * $1 }.squareRoot()
            for i in 0..<long { vectors[k][i] /= norm }
        }
        for r in 0..<rows {
            for c in 0..<columns {
                p[r * columns + c] = Float(rows >= columns ? vectors[c][r] : vectors[r][c])
            }
        }
    }

    /// Xavier/Glorot normal: N(0, 2/(fanIn+fanOut)).
    public static func xavierNormal(_ p: UnsafeMutablePointer<Float>, fanIn: Int, fanOut: Int, count: Int, rng: inout RNG) {
        normal(p, count: count, std: (2.0 / Float(fanIn + fanOut)).squareRoot(), rng: &rng)
    }
}
