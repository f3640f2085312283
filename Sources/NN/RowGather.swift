import Tensor

extension Tensor {
    /// The rows `indices` of this tensor viewed as [rows, columns], as a new [indices.count, columns]
    /// tensor (how the coreference head keeps only the pruned spans' activations).
    public func rows(at indices: [Int]) -> Tensor {
        let n = columns
        var out = Tensor(zeros: [indices.count, n])
        out.withMutablePointer { o in
            withPointer { p in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "Tensor.rows(at:): row \(i) outside 0..<\(rows)")
                    (o + r * n).update(from: p + i * n, count: n)
                }
            }
        }
        return out
    }
}
