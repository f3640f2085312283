/// Example indices in batches of at most `size`, shortest first (ties by index): little
/// padding, and the same batches wherever the same examples are batched. `evaluate` and
/// `predict` both batch this way, so at the same batch size BLAS sees the same shapes and the
/// two give the same predictions bit for bit (other shapes round differently in the last bits).
public func lengthSortedBatches(_ indices: [Int], size: Int, length: (Int) -> Int) -> [[Int]] {
    precondition(size > 0, "lengthSortedBatches: batch size must be positive")
    let sorted = indices.sorted { (length($0), $0) < (length($1), $1) }
    return stride(from: 0, to: sorted.count, by: size).map { Array(sorted[$0..<min($0 + size, sorted.count)]) }
}
