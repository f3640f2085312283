import Corpus
import NN
import Tensor

/// g_s = [h_start; h_end; φ_width(end − start); attention head over x] (docs/design.md, Coreference
/// level): 2·D_h + F + D_in wide (2136 at the reference: 400 + 400 + 20 + 1316).
public struct SpanEmbedding: Sendable {
    /// [maxWidth, F], indexed by end − start (no bucketing).
    public let width: Parameter
    public let attention: SpanAttention
    public let encoderSize: Int
    public var inputSize: Int { attention.inputSize }
    public var featureSize: Int { width.shape[1] }
    public var maxWidth: Int { width.shape[0] }
    public var outputSize: Int { 2 * encoderSize + featureSize + inputSize }

    public init(name: String, inputSize: Int, encoderSize: Int, featureSize: Int, maxWidth: Int, layout: inout ParameterLayout) {
        self.encoderSize = encoderSize
        width = layout.add("\(name)/span_width_embedding", shape: [maxWidth, featureSize])
        attention = SpanAttention(name: "\(name)/global_attention", inputSize: inputSize, layout: &layout)
    }

    /// Width table Xavier-normal (docs/design.md, Initialisation); the attention Linear keeps
    /// PyTorch's default.
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        Initializer.xavierNormal(arena.value(width), fanIn: featureSize, fanOut: maxWidth, count: width.count, rng: &rng)
        attention.initialize(arena, rng: &rng)
    }

    /// x: [N, D_in] (attention input), h: [N, D_h] (endpoints) → [spans.count, outputSize].
    public func forward(x: Tensor, h: Tensor, spans: [TokenSpan], arena: ParameterArena) -> (Tensor, SpanAttention.Cache) {
        precondition(h.rank == 2 && h.columns == encoderSize && h.rows == x.rows,
                     "SpanEmbedding: h \(h.shape) must be [\(x.rows), \(encoderSize)]")
        let (heads, cache) = attention.forward(x, spans: spans.map { $0.start...$0.end }, arena: arena)
        let s = outputSize, dh = encoderSize, f = featureSize, din = inputSize
        var g = Tensor(zeros: [spans.count, s])
        let table = arena.value(width)
        g.withMutablePointer { gp in
            h.withPointer { hp in
                heads.withPointer { headp in
                    for (i, span) in spans.enumerated() {
                        precondition(span.width <= maxWidth, "SpanEmbedding: span \(span) wider than \(maxWidth)")
                        let row = gp + i * s
                        row.update(from: hp + span.start * dh, count: dh)
                        (row + dh).update(from: hp + span.end * dh, count: dh)
                        (row + 2 * dh).update(from: table + (span.width - 1) * f, count: f)
                        (row + 2 * dh + f).update(from: headp + i * din, count: din)
                    }
                }
            }
        }
        return (g, cache)
    }

    /// dOut: [spans.count, outputSize] for any subset of the forward's spans → (dx, dh);
    /// accumulates the width table and attention gradients.
    public func backward(x: Tensor, h: Tensor, spans: [TokenSpan], dOut: Tensor, cache: SpanAttention.Cache,
                         arena: ParameterArena) -> (dx: Tensor, dh: Tensor) {
        precondition(dOut.shape == [spans.count, outputSize], "SpanEmbedding.backward: dOut \(dOut.shape) for \(spans.count) spans")
        let s = outputSize, dhSize = encoderSize, f = featureSize, din = inputSize
        var dh = Tensor(zeros: h.shape)
        var dHeads = Tensor(zeros: [spans.count, din])
        let dTable = arena.grad(width)
        dOut.withPointer { dp in
            dh.withMutablePointer { dhp in
                dHeads.withMutablePointer { dhead in
                    for (i, span) in spans.enumerated() {
                        let row = dp + i * s
                        Kernels.axpy(1, row, dhp + span.start * dhSize, dhSize)
                        Kernels.axpy(1, row + dhSize, dhp + span.end * dhSize, dhSize)
                        Kernels.axpy(1, row + 2 * dhSize, dTable + (span.width - 1) * f, f)
                        (dhead + i * din).update(from: row + 2 * dhSize + f, count: din)
                    }
                }
            }
        }
        let dx = attention.backward(x, spans: spans.map { $0.start...$0.end }, dOut: dHeads, cache: cache, arena: arena)
        return (dx, dh)
    }
}
