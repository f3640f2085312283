import CKernels

/// Vectorised element-wise math (see `hmtl_kernels.h`). All functions accept `y == x`.
public enum Kernels {
    @inlinable public static func exp(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_exp(x, y, n) }
    @inlinable public static func log(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_log(x, y, n) }
    @inlinable public static func sigmoid(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_sigmoid(x, y, n) }
    @inlinable public static func tanh(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_tanh(x, y, n) }
    @inlinable public static func relu(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_relu(x, y, n) }
    @inlinable public static func logSumExp(_ x: UnsafePointer<Float>, _ n: Int) -> Float { hk_logsumexp(x, n) }
    /// log Σ exp(x[i] + y[i]).
    @inlinable public static func logSumExp(_ x: UnsafePointer<Float>, plus y: UnsafePointer<Float>, _ n: Int) -> Float { hk_logsumexp_sum(x, y, n) }
    /// y += a · x
    @inlinable public static func axpy(_ a: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_axpy(a, x, y, n) }
    /// y = a ∘ b and y += a ∘ b (a product, then a sum: no fused multiply-add, as everywhere).
    @inlinable public static func multiply(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_multiply(a, b, y, n) }
    @inlinable public static func multiplyAdd(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) { hk_multiply_add(a, b, y, n) }
    /// One Viterbi step: next[j] = max_i (delta[i] + transitions[i·T + j]) and its first argmax
    /// (see `hmtl_viterbi_kernels.h`).
    @inlinable public static func maxPlus(delta: UnsafePointer<Float>, transitions: UnsafePointer<Float>, _ T: Int,
                                          next: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>) {
        hk_max_plus(delta, transitions, T, next, argmax)
    }
    /// Σ clamp(g, ±clamp)², in Double.
    @inlinable public static func clampedSquareSum(_ g: UnsafePointer<Float>, _ n: Int, clamp: Float) -> Double { hk_clamped_square_sum(g, n, clamp) }
    /// The same bits when g[0, n) is +0 outside `pieces` (sorted, disjoint, relative to g):
    /// only they are read.
    public static func clampedSquareSum(_ g: UnsafePointer<Float>, _ n: Int, clamp: Float, pieces: [Range<Int>]) -> Double {
        hk_clamped_square_sum_pieces(g, n, clamp, pieces.map { $0.lowerBound }, pieces.map { $0.count }, pieces.count)
    }
    /// Adam on clamp(g, ±clamp)·scale, in place on θ, m and v; leaves g zeroed (see `hmtl_optimizer_kernels.h`).
    @inlinable public static func adam(theta: UnsafeMutablePointer<Float>, g: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                                       v: UnsafeMutablePointer<Float>, _ n: Int, beta1: Float, beta2: Float, epsilon: Float,
                                       stepSize: Float, clamp: Float, scale: Float) {
        hk_adam(theta, g, m, v, n, beta1, beta2, epsilon, stepSize, clamp, scale)
    }
    /// `adam` on a gradient that is +0 throughout, without reading it: the same θ, m and v.
    @inlinable public static func adamZeroGradient(theta: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>,
                                                   v: UnsafeMutablePointer<Float>, _ n: Int, beta1: Float, beta2: Float,
                                                   epsilon: Float, stepSize: Float) {
        hk_adam_zero_gradient(theta, m, v, n, beta1, beta2, epsilon, stepSize)
    }
    /// Backward passes take the forward *output* y: σ' = y(1−y), tanh' = 1−y², relu' = [y>0].
    @inlinable public static func sigmoidBackward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, _ n: Int) { hk_sigmoid_backward(y, dy, dx, n) }
    @inlinable public static func tanhBackward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, _ n: Int) { hk_tanh_backward(y, dy, dx, n) }
    @inlinable public static func reluBackward(y: UnsafePointer<Float>, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, _ n: Int) { hk_relu_backward(y, dy, dx, n) }
}
