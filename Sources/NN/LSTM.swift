import CKernels
import Tensor

/// The row layout of a batch of variable-length sequences inside the LSTM (PyTorch's
/// `PackedSequence`): sequences are sorted by length, longest first (ties keep batch order),
/// and stored time-major, so the sequences still running at step t are a prefix of those
/// running at step t−1. Rows `offsets[t] ..< offsets[t] + batchSizes[t]` hold step t of the
/// sorted sequences `0 ..< batchSizes[t]`, which lets every recurrent product be one gemm over
/// contiguous rows. Padding never enters the packed rows, so a sequence's result cannot
/// depend on it.
public struct PackedBatch: Sendable {
    /// True lengths in batch order, each in 1...paddedLength.
    public let lengths: [Int]
    /// T of the padded [B, T, ·] tensors this batch is gathered from and scattered to.
    public let paddedLength: Int
    /// Number of sequences running at each step (non-increasing, `batchSizes[0] == B`).
    public let batchSizes: [Int]
    /// First packed row of each step.
    public let offsets: [Int]
    /// Padded row (b·T + t) of each packed row when sequences are read forward in time.
    public let forwardRows: [Int]
    /// Padded row of each packed row when every sequence is read backward from its last real
    /// token: packed step t of sequence b is padded position lengths[b] − 1 − t.
    public let reversedRows: [Int]

    public var sequences: Int { lengths.count }
    /// Σ lengths: the number of real tokens.
    public var rows: Int { forwardRows.count }
    public var steps: Int { batchSizes.count }

    public init(lengths: [Int], paddedLength: Int) {
        precondition(!lengths.isEmpty, "PackedBatch: empty batch")
        precondition(lengths.allSatisfy { (1...paddedLength).contains($0) },
                     "PackedBatch: lengths \(lengths) must lie in 1...\(paddedLength)")
        let order = lengths.indices.sorted { lengths[$0] != lengths[$1] ? lengths[$0] > lengths[$1] : $0 < $1 }
        let steps = lengths.max()!
        var batchSizes = [Int](repeating: 0, count: steps)
        for length in lengths { for t in 0..<length { batchSizes[t] += 1 } }
        var offsets = [Int](repeating: 0, count: steps)
        for t in 1..<steps { offsets[t] = offsets[t - 1] + batchSizes[t - 1] }
        var forwardRows: [Int] = [], reversedRows: [Int] = []
        forwardRows.reserveCapacity(lengths.reduce(0, +))
        reversedRows.reserveCapacity(lengths.reduce(0, +))
        for t in 0..<steps {
            for b in order.prefix(batchSizes[t]) {
                forwardRows.append(b * paddedLength + t)
                reversedRows.append(b * paddedLength + lengths[b] - 1 - t)
            }
        }
        self.lengths = lengths
        self.paddedLength = paddedLength
        self.batchSizes = batchSizes
        self.offsets = offsets
        self.forwardRows = forwardRows
        self.reversedRows = reversedRows
    }
}

/// One direction of one LSTM layer over a `PackedBatch`, zero initial state, PyTorch gates:
///   [i f g o] = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh,
///   c_t = σ(f)∘c_{t−1} + σ(i)∘tanh(g),   h_t = σ(o)∘tanh(c_t).
/// Inputs and outputs are packed rows ([rows, inputSize] → [rows, hiddenSize]) in the order
/// the direction reads them; `BiLSTM` gathers a reversed copy for the backward direction.
///
/// Cost per call: one gemm for the input projection of all rows, one small gemm per step for
/// the recurrence over the running prefix, and the fused C cell kernel; the backward pass
/// mirrors this and forms dW_ih, dW_hh and dX with one gemm each.
public struct LSTM: Sendable {
    public let inputSize: Int
    public let hiddenSize: Int
    /// [4H, inputSize], [4H, H], [4H], [4H]; rows in gate order i, f, g, o.
    public let wIH: Parameter, wHH: Parameter, bIH: Parameter, bHH: Parameter

    public init(name: String, inputSize: Int, hiddenSize: Int, layout: inout ParameterLayout) {
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        wIH = layout.add("\(name)/w_ih", shape: [4 * hiddenSize, inputSize])
        wHH = layout.add("\(name)/w_hh", shape: [4 * hiddenSize, hiddenSize])
        bIH = layout.add("\(name)/b_ih", shape: [4 * hiddenSize])
        bHH = layout.add("\(name)/b_hh", shape: [4 * hiddenSize])
    }

    /// PyTorch's default: every weight and bias ~ U(±1/√H), drawn in parameter order.
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        let bound = 1 / Float(hiddenSize).squareRoot()
        for p in [wIH, wHH, bIH, bHH] {
            Initializer.uniform(arena.value(p), count: p.count, bound: bound, rng: &rng)
        }
    }

    /// Everything the backward pass needs, all in packed row order.
    public struct Cache: Sendable {
        public let batch: PackedBatch
        /// [rows, inputSize]
        public let input: Tensor
        /// Gate activations σ(i), σ(f), tanh(g), σ(o): [rows, 4H].
        public let gates: Tensor
        /// c_t and tanh(c_t): [rows, H].
        public let cells: Tensor
        public let tanhCells: Tensor
        /// h_t: [rows, H] (also the output).
        public let hidden: Tensor
    }

    /// `x`: [batch.rows, inputSize] packed rows. Returns h: [batch.rows, hiddenSize].
    public func forward(_ x: Tensor, batch: PackedBatch, arena: ParameterArena) -> (Tensor, Cache) {
        precondition(x.shape == [batch.rows, inputSize], "LSTM: input \(x.shape), expected \([batch.rows, inputSize])")
        let H = hiddenSize, G = 4 * H, rows = batch.rows
        // Every packed row of all four is written below: the biases and the gemm fill the gates,
        // the cell kernel c, tanh(c) and h, step by step.
        var gates = Tensor(overwrittenBeforeRead: [rows, G])
        var cells = Tensor(overwrittenBeforeRead: [rows, H])
        var tanhCells = Tensor(overwrittenBeforeRead: [rows, H])
        var hidden = Tensor(overwrittenBeforeRead: [rows, H])
        let wi = arena.value(wIH), wh = arena.value(wHH), bi = arena.value(bIH), bh = arena.value(bHH)
        gates.withMutablePointer { g in
            // Both biases as the starting value of every row, then += x·W_ihᵀ for all rows.
            for j in 0..<G { g[j] = bi[j] + bh[j] }
            for r in 1..<rows { (g + r * G).update(from: g, count: G) }
            x.withPointer { x in
                BLAS.gemm(transposeB: true, m: rows, n: G, k: inputSize, a: x, b: wi, beta: 1, c: g)
            }
            cells.withMutablePointer { c in
                tanhCells.withMutablePointer { tc in
                    hidden.withMutablePointer { h in
                        for t in 0..<batch.steps {
                            let n = batch.batchSizes[t], o = batch.offsets[t]
                            var cPrev: UnsafeMutablePointer<Float>? = nil
                            if t > 0 {
                                let p = batch.offsets[t - 1]
                                BLAS.gemm(transposeB: true, m: n, n: G, k: H, a: h + p * H, b: wh,
                                          beta: 1, c: g + o * G)
                                cPrev = c + p * H
                            }
                            hk_lstm_cell_forward(g + o * G, cPrev, c + o * H, tc + o * H, h + o * H, n, H)
                        }
                    }
                }
            }
        }
        let cache = Cache(batch: batch, input: x, gates: gates, cells: cells, tanhCells: tanhCells, hidden: hidden)
        return (hidden, cache)
    }

    /// `dHidden`: [rows, H], the gradient of the loss w.r.t. every h_t. Returns dX [rows,
    /// inputSize]; accumulates (+=) the gradients of all four parameters into `arena.grads`.
    public func backward(_ cache: Cache, dHidden: Tensor, arena: ParameterArena) -> Tensor {
        let batch = cache.batch, H = hiddenSize, G = 4 * H, rows = batch.rows
        precondition(dHidden.shape == [rows, H], "LSTM: dHidden \(dHidden.shape), expected \([rows, H])")
        // dH accumulates the recurrent gradient into earlier steps' rows; dC carries dL/dc_t
        // (rows of sequences that end at step t start at zero).
        var dH = dHidden
        var dC = Tensor(zeros: [rows, H])
        // The cell kernel writes every packed row's gate gradients.
        var dGates = Tensor(overwrittenBeforeRead: [rows, G])
        let wh = arena.value(wHH)
        cache.gates.withPointer { g in
            cache.cells.withPointer { c in
                cache.tanhCells.withPointer { tc in
                    dH.withMutablePointer { dh in
                        dC.withMutablePointer { dc in
                            dGates.withMutablePointer { dg in
                                for t in (0..<batch.steps).reversed() {
                                    let n = batch.batchSizes[t], o = batch.offsets[t]
                                    let p = t > 0 ? batch.offsets[t - 1] : 0
                                    hk_lstm_cell_backward(
                                        g + o * G, t > 0 ? c + p * H : nil, tc + o * H, dh + o * H,
                                        dc + o * H, dg + o * G, t > 0 ? dc + p * H : nil, n, H)
                                    if t > 0 {
                                        BLAS.gemm(m: n, n: H, k: G, a: dg + o * G, b: wh, beta: 1, c: dh + p * H)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // h_{t−1} aligned with the rows of step t (zero at t = 0), so dW_hh is one gemm.
        var previous = Tensor(zeros: [rows, H])
        previous.withMutablePointer { prev in
            cache.hidden.withPointer { h in
                for t in 1..<max(batch.steps, 1) {
                    (prev + batch.offsets[t] * H).update(from: h + batch.offsets[t - 1] * H, count: batch.batchSizes[t] * H)
                }
            }
        }
        var dX = Tensor(overwrittenBeforeRead: [rows, inputSize])  // a β = 0 gemm: written, never read
        var dBias = [Float](repeating: 0, count: G)
        let ones = [Float](repeating: 1, count: rows)
        dGates.withPointer { dg in
            cache.input.withPointer { x in
                BLAS.gemm(transposeA: true, m: G, n: inputSize, k: rows, a: dg, b: x, beta: 1, c: arena.grad(wIH))
            }
            previous.withPointer { prev in
                BLAS.gemm(transposeA: true, m: G, n: H, k: rows, a: dg, b: prev, beta: 1, c: arena.grad(wHH))
            }
            dX.withMutablePointer { dx in
                BLAS.gemm(m: rows, n: inputSize, k: G, a: dg, b: arena.value(wIH), c: dx)
            }
            BLAS.gemv(transpose: true, m: rows, n: G, a: dg, x: ones, y: &dBias)
        }
        Kernels.axpy(1, dBias, arena.grad(bIH), G)
        Kernels.axpy(1, dBias, arena.grad(bHH), G)
        return dX
    }
}
