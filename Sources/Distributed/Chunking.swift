/// MPI counts are C `int`s, so a buffer longer than `Int32.max` elements (an arena of
/// several billion parameters) is reduced in consecutive pieces. Pieces are ≤ 2^30 elements,
/// well inside `Int32` and large enough that the per-call latency is negligible.
enum Chunking {
    static let maxElementsPerCall = 1 << 30

    /// Calls `body(offset, count)` for consecutive pieces that cover `0..<total` in order,
    /// each at most `limit` elements; no call when `total` is 0.
    static func forEach(total: Int, limit: Int, _ body: (Int, Int32) throws -> Void) rethrows {
        precondition(total >= 0, "negative element count \(total)")
        precondition(limit > 0 && limit <= Int(Int32.max), "chunk limit \(limit) outside 1...Int32.max")
        var offset = 0
        while offset < total {
            let count = min(limit, total - offset)
            try body(offset, Int32(count))
            offset += count
        }
    }
}
