/// Feature-wise concatenation of row blocks, used wherever the model builds `[g_e, g_below]`.
public enum Concatenation {
    /// [rows, a] ++ [rows, b] → [rows, a + b]; leading dimensions are flattened into rows.
    public static func columns(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.rows == b.rows, "Concatenation: \(a.shape) and \(b.shape) differ in rows")
        let rows = a.rows, ca = a.columns, cb = b.columns, n = ca + cb
        var out = Tensor(zeros: [rows, n])
        out.withMutablePointer { o in
            a.withPointer { pa in b.withPointer { pb in
                for r in 0..<rows {
                    (o + r * n).update(from: pa + r * ca, count: ca)
                    (o + r * n + ca).update(from: pb + r * cb, count: cb)
                }
            } }
        }
        return out
    }

    /// Inverse of `columns`: splits [rows, n] after column `split` into [rows, split] and [rows, n − split].
    public static func splitColumns(_ x: Tensor, at split: Int) -> (Tensor, Tensor) {
        let rows = x.rows, n = x.columns
        precondition(split >= 0 && split <= n, "Concatenation: split \(split) outside 0...\(n)")
        var a = Tensor(zeros: [rows, split])
        var b = Tensor(zeros: [rows, n - split])
        x.withPointer { px in
            a.withMutablePointer { pa in b.withMutablePointer { pb in
                for r in 0..<rows {
                    (pa + r * split).update(from: px + r * n, count: split)
                    (pb + r * (n - split)).update(from: px + r * n + split, count: n - split)
                }
            } }
        }
        return (a, b)
    }
}
