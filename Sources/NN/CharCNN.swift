import Tensor

/// What `CharCNN.backward` needs from its forward pass.
public struct CharCNNCache: Sendable {
    public let chars: [Int32]
    public let tokens: Int, charsPerToken: Int
    /// im2col matrix [tokens·positions, embeddingSize·width]; column e·width + k holds
    /// embedding component e of char p + k, matching the Conv1d weight layout [filters, embeddingSize, width].
    public let columns: Tensor
    /// Per (token, filter): the window position holding the maximum pre-activation.
    public let argmax: [Int32]
    /// [tokens, filters] after ReLU, before dropout (its sign is the ReLU mask).
    public let pooled: Tensor
    public let dropoutMask: Dropout.Mask
}

/// Token vectors from characters (docs/design.md, Shared embedding): char embedding, Conv1d with
/// valid padding, ReLU, max over all window positions, dropout.
///
/// The max runs over the windows of the token padded to at least `width` characters — not over
/// every window of the batch's longest token, as the reference does. There, windows in the
/// padding (ReLU(bias)) join the max, so a token's vector depends on which tokens share its
/// batch; here it does not, which keeps predictions independent of batching and W ranks × b
/// equal to 1 rank × W·b. The convolution is im2col plus one sgemm.
public struct CharCNN: Sendable {
    /// [alphabetSize, embeddingSize]; row 0 (padding) is never read.
    public let embedding: Parameter
    /// [filters, embeddingSize, width] (PyTorch Conv1d layout)
    public let weight: Parameter
    /// [filters]
    public let bias: Parameter
    public let embeddingSize: Int, filters: Int, width: Int
    public let dropout: Dropout

    public var outputSize: Int { filters }

    public init(name: String, alphabetSize: Int, embeddingSize: Int = 16, filters: Int = 64, width: Int = 3,
                dropout: Float = 0.1, layout: inout ParameterLayout) {
        self.embeddingSize = embeddingSize
        self.filters = filters
        self.width = width
        self.dropout = Dropout(rate: dropout)
        embedding = layout.add("\(name)/embedding/weight", shape: [alphabetSize, embeddingSize])
        weight = layout.add("\(name)/conv/weight", shape: [filters, embeddingSize, width])
        bias = layout.add("\(name)/conv/bias", shape: [filters])
    }

    /// Char embedding Xavier-uniform (fan-in = embeddingSize, fan-out = alphabetSize as PyTorch
    /// computes them for a 2-D tensor); conv weight and bias U(±1/√(embeddingSize·width)).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        Initializer.xavierUniform(arena.value(embedding), fanIn: embeddingSize, fanOut: embedding.shape[0],
                                  count: embedding.count, rng: &rng)
        let bound = 1 / Float(embeddingSize * width).squareRoot()
        Initializer.uniform(arena.value(weight), count: weight.count, bound: bound, rng: &rng)
        Initializer.uniform(arena.value(bias), count: bias.count, bound: bound, rng: &rng)
    }

    /// chars: [sequences, tokensPerSequence, charsPerToken] flattened, Int32 ids, 0 = padding. charsPerToken >= width (callers pad to >= 3).
    /// Output [sequences, tokensPerSequence, filters]. Dropout masks: sequence b uses rngs[b],
    /// drawing only for its first lengths[b] tokens when `lengths` is given (see `Dropout`).
    public func forward(chars: [Int32], sequences: Int, tokensPerSequence: Int, charsPerToken: Int, lengths: [Int]? = nil,
                        arena: ParameterArena, training: Bool, rngs: inout [RNG]) -> (Tensor, CharCNNCache) {
        let tokens = sequences * tokensPerSequence
        precondition(chars.count == tokens * charsPerToken,
                     "CharCNN: \(chars.count) chars for [\(sequences), \(tokensPerSequence), \(charsPerToken)]")
        precondition(charsPerToken >= width, "CharCNN: tokens padded to \(charsPerToken) chars, need >= \(width)")
        let positions = charsPerToken - width + 1
        let window = embeddingSize * width
        let alphabetSize = embedding.shape[0]

        var columns = Tensor(zeros: [tokens * positions, window])
        let table = arena.value(embedding)
        columns.withMutablePointer { cols in
            for t in 0..<tokens {
                for c in 0..<charsPerToken {
                    let id = Int(chars[t * charsPerToken + c])
                    guard id != 0 else { continue }
                    precondition(id > 0 && id < alphabetSize, "CharCNN: char id \(id) outside 0..<\(alphabetSize)")
                    // char c is tap k of window p = c − k
                    for k in 0..<width where c - k >= 0 && c - k < positions {
                        let row = cols + (t * positions + c - k) * window + k
                        for e in 0..<embeddingSize { row[e * width] = table[id * embeddingSize + e] }
                    }
                }
            }
        }

        var conv = Tensor(zeros: [tokens * positions, filters])
        conv.withMutablePointer { out in
            let b = arena.value(bias)
            for r in 0..<(tokens * positions) { (out + r * filters).update(from: b, count: filters) }
            columns.withPointer { cols in
                BLAS.gemm(transposeB: true, m: tokens * positions, n: filters, k: window,
                          a: cols, b: arena.value(weight), beta: 1, c: out)
            }
        }

        // ReLU is monotone, so max-then-ReLU equals ReLU-then-max; the first maximum wins ties.
        var pooled = Tensor(zeros: [sequences, tokensPerSequence, filters])
        var argmax = [Int32](repeating: 0, count: tokens * filters)
        for t in 0..<tokens {
            var length = 0
            while length < charsPerToken && chars[t * charsPerToken + length] != 0 { length += 1 }
            let windows = max(length, width) - width + 1
            for f in 0..<filters {
                var best = conv.data[t * positions * filters + f], at = 0
                for p in 1..<windows where conv.data[(t * positions + p) * filters + f] > best {
                    best = conv.data[(t * positions + p) * filters + f]
                    at = p
                }
                pooled.data[t * filters + f] = max(best, 0)
                argmax[t * filters + f] = Int32(at)
            }
        }

        let (output, mask) = dropout.forward(pooled, lengths: lengths, training: training, rngs: &rngs)
        let cache = CharCNNCache(chars: chars, tokens: tokens, charsPerToken: charsPerToken, columns: columns,
                                 argmax: argmax, pooled: pooled, dropoutMask: mask)
        return (output, cache)
    }

    /// Accumulates the gradients of the char embedding, conv weight and bias; ids have no gradient.
    public func backward(_ cache: CharCNNCache, dOut: Tensor, arena: ParameterArena) {
        let tokens = cache.tokens
        precondition(dOut.count == tokens * filters, "CharCNN.backward: dOut \(dOut.shape) for \(tokens) tokens")
        let positions = cache.charsPerToken - width + 1
        let window = embeddingSize * width
        let dPooled = dropout.backward(dOut, mask: cache.dropoutMask)

        // Only the arg-max window of an active (token, filter) receives gradient.
        var dConv = Tensor(zeros: [tokens * positions, filters])
        let db = arena.grad(bias)
        for t in 0..<tokens {
            for f in 0..<filters where cache.pooled.data[t * filters + f] > 0 {
                let g = dPooled.data[t * filters + f]
                dConv.data[(t * positions + Int(cache.argmax[t * filters + f])) * filters + f] = g
                db[f] += g
            }
        }

        var dColumns = Tensor(zeros: [tokens * positions, window])
        dConv.withPointer { dc in
            cache.columns.withPointer { cols in
                BLAS.gemm(transposeA: true, m: filters, n: window, k: tokens * positions,
                          a: dc, b: cols, beta: 1, c: arena.grad(weight))
            }
            dColumns.withMutablePointer { dcols in
                BLAS.gemm(m: tokens * positions, n: window, k: filters, a: dc, b: arena.value(weight), c: dcols)
            }
        }

        // col2im: every tap of every window scatters back to the char it read.
        let dTable = arena.grad(embedding)
        dColumns.withPointer { dcols in
            for t in 0..<tokens {
                for c in 0..<cache.charsPerToken {
                    let id = Int(cache.chars[t * cache.charsPerToken + c])
                    guard id != 0 else { continue }
                    for k in 0..<width where c - k >= 0 && c - k < positions {
                        let row = dcols + (t * positions + c - k) * window + k
                        for e in 0..<embeddingSize { dTable[id * embeddingSize + e] += row[e * width] }
                    }
                }
            }
        }
    }
}
