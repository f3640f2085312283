import CBLAS

/// Every matrix product goes through OpenBLAS. Matrices are row-major; `lda`/`ldb`/`ldc`
/// are row strides, so strided views (every T-th row of a [B, T, D] block) need no copy.
public enum BLAS {
    /// C[m, n] = alpha · op(A) · op(B) + beta · C, where op(A) is [m, k] and op(B) is [k, n].
    @inlinable
    public static func gemm(
        transposeA: Bool = false, transposeB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        guard m > 0, n > 0 else { return }
        let lda = lda ?? (transposeA ? m : k)
        let ldb = ldb ?? (transposeB ? k : n)
        let ldc = ldc ?? n
        if k == 0 {  // BLAS would still scale C; make the empty product explicit
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] *= beta } }
            return
        }
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// y[m or n] = alpha · op(A) · x + beta · y, with A stored as [m, n].
    @inlinable
    public static func gemv(
        transpose: Bool = false, m: Int, n: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        x: UnsafePointer<Float>, beta: Float = 0, y: UnsafeMutablePointer<Float>
    ) {
        guard m > 0, n > 0 else { return }
        cblas_sgemv(
            CblasRowMajor, transpose ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), alpha, a, Int32(lda ?? n), x, 1, beta, y, 1)
    }
}
