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

    /// Xavier/Glorot normal: N(0, 2/(fanIn+fanOut)).
    public static func xavierNormal(_ p: UnsafeMutablePointer<Float>, fanIn: Int, fanOut: Int, count: Int, rng: inout RNG) {
        normal(p, count: count, std: (2.0 / Float(fanIn + fanOut)).squareRoot(), rng: &rng)
    }
}
