/// The Corpus target's seeded generator: SplitMix64 (Steele, Lea & Flood 2014) and nothing
/// else, so the demo corpus and every epoch's batch order are the same on every machine and in
/// every version. THE STREAM IS FIXED FOREVER: changing any constant or the derivation of
/// `int(below:)` changes every generated corpus and shuffle, and breaks resuming checkpoints.
/// (Corpus imports nothing, hence its own generator rather than `Tensor.RNG`.)
public struct CorpusRandom: Sendable, Equatable {
    public private(set) var state: UInt64

    /// A generator for `seed` on the sub-stream named by `stream` (e.g. [task, epoch]);
    /// each id is folded in through one SplitMix64 output so nearby ids give unrelated streams.
    public init(seed: UInt64, stream: [UInt64] = []) {
        state = seed
        for id in stream {
            state = next() ^ (id &* 0xD1B5_4A32_D192_ED03)
        }
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<bound without modulo bias (Lemire's multiply-and-reject).
    public mutating func int(below bound: Int) -> Int {
        precondition(bound > 0, "CorpusRandom.int(below:) needs a positive bound, got \(bound)")
        let b = UInt64(bound)
        let threshold = (0 &- b) % b
        while true {
            let (high, low) = next().multipliedFullWidth(by: b)
            if low >= threshold { return Int(high) }
        }
    }

    /// True with probability `numerator / denominator`, in exact integer arithmetic.
    public mutating func chance(_ numerator: Int, in denominator: Int) -> Bool {
        int(below: denominator) < numerator
    }

    public mutating func element<T>(of array: [T]) -> T {
        array[int(below: array.count)]
    }

    /// Fisher–Yates, from the back.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(i, int(below: i + 1))
        }
    }
}
