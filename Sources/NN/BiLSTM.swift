import Tensor

/// A multi-layer bidirectional LSTM with PyTorch packed-sequence semantics (AllenNLP's
/// encoder): x [B, T, inputSize] with true `lengths` → [B, T, 2H], forward direction in
/// columns [0, H), backward in [H, 2H).
///
/// Invariants: zero initial states on every call; the backward direction starts at each
/// sequence's last real token; positions t ≥ lengths[b] are never read (their inputs may be
/// anything) and their outputs and input gradients are exactly zero. Layer k > 0 reads both
/// directions of layer k−1, after inter-layer dropout on every layer but the last (training
/// only). Between layers activations stay padded [B, T, 2H]; each direction gathers its
/// packed rows (see `PackedBatch`) so all its products are gemms over real tokens only.
public struct BiLSTM: Sendable {
    public struct Layer: Sendable {
        public let forward: LSTM
        public let backward: LSTM
        var directions: [LSTM] { [forward, backward] }
    }

    public let inputSize: Int
    public let hiddenSize: Int
    /// Parameters "\(name)/l\(k)/fwd|bwd/w_ih|w_hh|b_ih|b_hh", added layer by layer, fwd first.
    public let layers: [Layer]
    public let dropout: Dropout

    public init(name: String, inputSize: Int, hiddenSize: Int, layers: Int, dropout: Float, layout: inout ParameterLayout) {
        precondition(layers > 0, "BiLSTM \(name): needs at least one layer")
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.dropout = Dropout(rate: dropout)
        self.layers = (0..<layers).map { k in
            let layerInput = k == 0 ? inputSize : 2 * hiddenSize
            return Layer(
                forward: LSTM(name: "\(name)/l\(k)/fwd", inputSize: layerInput, hiddenSize: hiddenSize, layout: &layout),
                backward: LSTM(name: "\(name)/l\(k)/bwd", inputSize: layerInput, hiddenSize: hiddenSize, layout: &layout))
        }
    }

    public var outputSize: Int { 2 * hiddenSize }

    /// Floating-point operations of the forward pass per token: per layer and direction the
    /// four gates' products with the input and the previous state, 2 · 4H · (input + H).
    /// (The element-wise gate math is left out, as in the usual roofline accounting.)
    public var forwardFlopsPerToken: Int {
        layers.indices.reduce(0) { sum, k in
            let input = k == 0 ? inputSize : 2 * hiddenSize
            return sum + 2 * (2 * 4 * hiddenSize * (input + hiddenSize))
        }
    }

    /// PyTorch's default U(±1/√H) for every parameter, in layout order.
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        for layer in layers { for lstm in layer.directions { lstm.initialize(arena, rng: &rng) } }
    }

    /// `rngs[b]` drives sequence b's dropout masks and is advanced by exactly what that
    /// sequence drew (lengths[b]·2H values per dropped layer), independent of padding.
    public func forward(
        _ x: Tensor, lengths: [Int], arena: ParameterArena, training: Bool, rngs: inout [RNG]
    ) -> (Tensor, BiLSTMCache) {
        precondition(x.rank == 3 && x.shape[2] == inputSize, "BiLSTM: input \(x.shape), expected [B, T, \(inputSize)]")
        precondition(lengths.count == x.shape[0], "BiLSTM: \(x.shape[0]) sequences but \(lengths.count) lengths")
        let batch = PackedBatch(lengths: lengths, paddedLength: x.shape[1])
        let rowMaps = [batch.forwardRows, batch.reversedRows]
        var input = x
        var caches: [[LSTM.Cache]] = []
        var masks: [Dropout.Mask] = []
        for (k, layer) in layers.enumerated() {
            var output = Tensor(zeros: [batch.sequences, batch.paddedLength, outputSize])
            var layerCaches: [LSTM.Cache] = []
            for (d, lstm) in layer.directions.enumerated() {
                let packed = gather(input, rows: rowMaps[d], columns: 0..<input.columns)
                let (hidden, cache) = lstm.forward(packed, batch: batch, arena: arena)
                scatterAdd(hidden, into: &output, rows: rowMaps[d], column: d * hiddenSize)
                layerCaches.append(cache)
            }
            caches.append(layerCaches)
            // Between layers only; `lengths` keeps the draws to real rows (independent of T).
            let (dropped, mask) = k < layers.count - 1
                ? dropout.forward(output, lengths: lengths, training: training, rngs: &rngs)
                : (output, .identity)
            masks.append(mask)
            input = dropped
        }
        return (input, BiLSTMCache(batch: batch, layers: caches, dropoutMasks: masks))
    }

    /// Returns dX [B, T, inputSize] (zero at padded positions); ACCUMULATES (+=) all
    /// parameter gradients into `arena.grads`. dOut at padded positions is ignored. Layers run
    /// top-down and, within a layer, the backward direction first (its parameters follow the
    /// forward direction's), so after each direction `finished` gets its first parameter. The
    /// order changes no value: each direction adds one term to every element of dX, from zero.
    public func backward(_ cache: BiLSTMCache, dOut: Tensor, arena: ParameterArena,
                         finished: GradientsFinished = { _ in }) -> Tensor {
        let batch = cache.batch
        precondition(dOut.shape == [batch.sequences, batch.paddedLength, outputSize],
                     "BiLSTM: dOut \(dOut.shape), expected \([batch.sequences, batch.paddedLength, outputSize])")
        let rowMaps = [batch.forwardRows, batch.reversedRows]
        var grad = dOut
        for (k, layer) in layers.enumerated().reversed() {
            grad = dropout.backward(grad, mask: cache.dropoutMasks[k])
            var dInput = Tensor(zeros: [batch.sequences, batch.paddedLength, layer.forward.inputSize])
            for (d, lstm) in layer.directions.enumerated().reversed() {
                let dHidden = gather(grad, rows: rowMaps[d], columns: (d * hiddenSize)..<((d + 1) * hiddenSize))
                let dPacked = lstm.backward(cache.layers[k][d], dHidden: dHidden, arena: arena)
                scatterAdd(dPacked, into: &dInput, rows: rowMaps[d], column: 0)
                finished(lstm.wIH.offset)
            }
            grad = dInput
        }
        return grad
    }
}

/// Everything `BiLSTM.backward` needs from its forward call.
public struct BiLSTMCache: Sendable {
    public let batch: PackedBatch
    /// Per layer, [forward, backward] direction caches.
    let layers: [[LSTM.Cache]]
    /// Per layer; the identity after the last layer and when not training.
    let dropoutMasks: [Dropout.Mask]
}

/// Packed row r ← row `rows[r]` of `padded` (viewed as [rows, columns]), restricted to `columns`.
private func gather(_ padded: Tensor, rows: [Int], columns: Range<Int>) -> Tensor {
    let width = padded.columns, n = columns.count
    var packed = Tensor(overwrittenBeforeRead: [rows.count, n])
    packed.withMutablePointer { dst in
        padded.withPointer { src in
            for (r, row) in rows.enumerated() {
                (dst + r * n).update(from: src + row * width + columns.lowerBound, count: n)
            }
        }
    }
    return packed
}

/// Row `rows[r]` of `padded`, from column `column` on, += packed row r.
private func scatterAdd(_ packed: Tensor, into padded: inout Tensor, rows: [Int], column: Int) {
    let width = padded.columns, n = packed.columns
    packed.withPointer { src in
        padded.withMutablePointer { dst in
            for (r, row) in rows.enumerated() {
                Kernels.axpy(1, src + r * n, dst + row * width + column, n)
            }
        }
    }
}
