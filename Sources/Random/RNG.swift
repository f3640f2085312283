/// Seeded pseudo-random numbers whose stream is identical on every machine: xoshiro256**
/// for bits, seeded through SplitMix64, and only exact IEEE arithmetic (no libm) to turn bits
/// into floats. The one generator of the project — initialisation, dropout, shuffles, the task
/// sampler and the demo corpus; never a global. THE STREAM IS FIXED: changing it changes every
/// generated corpus and batch order and breaks resuming checkpoints (tests pin it).
public struct RNG: Sendable, Equatable {
    /// The complete generator state; saving and restoring it resumes the stream exactly.
    public var state: (UInt64, UInt64, UInt64, UInt64) {
        get { (s0, s1, s2, s3) }
        set { (s0, s1, s2, s3) = newValue }
    }
    // Inlinable so the per-element loops of other modules (dropout masks) inline `next()`.
    @usableFromInline var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// A generator for `seed`, optionally on an independent sub-stream named by `stream`
    /// (e.g. [task, epoch] for a shuffle): different streams give unrelated sequences.
    public init(seed: UInt64, stream: [UInt64] = []) {
        var mix = SplitMix64(seed)
        for id in stream { mix = SplitMix64(mix.next() ^ (id &* 0x9E37_79B9_7F4A_7C15)) }
        s0 = mix.next(); s1 = mix.next(); s2 = mix.next(); s3 = mix.next()
    }

    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        (s0, s1, s2, s3) = state
    }

    public static func == (a: RNG, b: RNG) -> Bool { a.state == b.state }

    @inlinable public mutating func nextUInt64() -> UInt64 { next() }

    @inlinable mutating func next() -> UInt64 {
        let result = rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 24 random bits (every value exactly representable).
    @inlinable public mutating func uniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// Uniform in [low, high).
    @inlinable public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * uniform()
    }

    /// Uniform integer in 0..<bound, unbiased (rejection on the 64-bit product).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "RNG.int(below:) needs a positive bound")
        let b = UInt64(bound)
        let threshold = (0 &- b) % b
        while true {
            let r = next()
            let (high, low) = r.multipliedFullWidth(by: b)
            if low >= threshold { return Int(high) }
        }
    }

    /// Normal(mean, std) by Marsaglia's polar method in Double; the spare value is dropped
    /// so the state stays four words.
    public mutating func normal(mean: Float = 0, std: Float = 1) -> Float {
        while true {
            let u = Double(next() >> 11) * 0x1p-53 * 2 - 1
            let v = Double(next() >> 11) * 0x1p-53 * 2 - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * RNG.log(s) / s).squareRoot()
                return mean + std * Float(u * factor)
            }
        }
    }

    /// True with probability numerator/denominator, in exact integer arithmetic.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        int(below: denominator) < numerator
    }

    public mutating func element<T>(of array: [T]) -> T {
        array[int(below: array.count)]
    }

    /// Fisher–Yates shuffle.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(below: i + 1))
        }
    }

    /// A random permutation of 0..<n.
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        shuffle(&p)
        return p
    }

    /// Natural log of x in (0, 1] by pure arithmetic, accurate to ~1e-16: x = m·2^e with
    /// m in [√½, √2), log m = 2·atanh((m−1)/(m+1)) as a series. libm could differ per machine.
    static func log(_ x: Double) -> Double {
        var m = x.significand  // [1, 2)
        var e = Double(x.exponent)
        if m > 1.4142135623730951 { m /= 2; e += 1 }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var term = s, sum = 0.0
        var k = 1.0
        while k < 40 {
            sum += term / k
            term *= s2
            k += 2
        }
        return 2 * sum + e * 0.6931471805599453
    }
}

@inlinable @inline(__always) func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
    (x << k) | (x >> (64 - k))
}

/// SplitMix64: expands a seed into well-mixed words.
struct SplitMix64 {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
