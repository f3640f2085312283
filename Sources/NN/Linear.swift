import Tensor

/// y = x·Wᵀ + b over the last dimension of `x`; leading dimensions are flattened into rows so
/// a whole batch [B, T, input] is one sgemm.
public struct Linear: Sendable {
    /// [output, input] (PyTorch layout, so row o holds the weights of output o).
    public let weight: Parameter
    /// [output]
    public let bias: Parameter
    public let inputSize: Int, outputSize: Int

    public init(name: String, inputSize: Int, outputSize: Int, layout: inout ParameterLayout) {
        self.inputSize = inputSize
        self.outputSize = outputSize
        weight = layout.add("\(name)/weight", shape: [outputSize, inputSize])
        bias = layout.add("\(name)/bias", shape: [outputSize])
    }

    /// PyTorch's default: weight and bias both U(±1/√input).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        let bound = 1 / Float(inputSize).squareRoot()
        Initializer.uniform(arena.value(weight), count: weight.count, bound: bound, rng: &rng)
        Initializer.uniform(arena.value(bias), count: bias.count, bound: bound, rng: &rng)
    }

    /// x: [..., input] → [..., output].
    public func forward(_ x: Tensor, arena: ParameterArena) -> Tensor {
        precondition(x.rank >= 1 && x.columns == inputSize, "Linear: expected [..., \(inputSize)], got \(x.shape)")
        let rows = x.rows
        var y = Tensor(zeros: Array(x.shape.dropLast()) + [outputSize])
        let b = arena.value(bias)
        y.withMutablePointer { yp in
            for r in 0..<rows { (yp + r * outputSize).update(from: b, count: outputSize) }
            x.withPointer { xp in
                BLAS.gemm(transposeB: true, m: rows, n: outputSize, k: inputSize,
                          a: xp, b: arena.value(weight), beta: 1, c: yp)
            }
        }
        return y
    }

    /// dX = dY·W; accumulates dW += dYᵀ·X and db += Σ_rows dY into `arena.grads`.
    public func backward(x: Tensor, dOut: Tensor, arena: ParameterArena) -> Tensor {
        precondition(x.columns == inputSize && dOut.columns == outputSize && x.rows == dOut.rows,
                     "Linear.backward: x \(x.shape) does not match dOut \(dOut.shape)")
        let rows = x.rows
        var dx = Tensor(zeros: x.shape)
        let db = arena.grad(bias)
        dOut.withPointer { dy in
            x.withPointer { xp in
                BLAS.gemm(transposeA: true, m: outputSize, n: inputSize, k: rows,
                          a: dy, b: xp, beta: 1, c: arena.grad(weight))
            }
            dx.withMutablePointer { dxp in
                BLAS.gemm(m: rows, n: inputSize, k: outputSize, a: dy, b: arena.value(weight), c: dxp)
            }
            for r in 0..<rows { Kernels.axpy(1, dy + r * outputSize, db, outputSize) }
        }
        return dx
    }
}
