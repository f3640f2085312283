import NN
import Tensor

/// The shortcut stack (docs/design.md, Encoders and the shortcut stack): g_e at the bottom, and
/// every level reading `[g_e ; h_below]`, h_below the encoder output of the level it sits on,
/// or g_e alone when it sits on nothing. Training, prediction and `embed` all run it from here.
struct ShortcutStack: Sendable {
    let embedder: Embedder
    /// Per level, in layout order.
    let encoders: [BiLSTM]
    /// Per level, the level whose output it reads (always a lower index; nil: g_e alone).
    let below: [Int?]
    /// Per level and for g_e: frozen (no gradient wanted), and whether dropout runs in a
    /// training pass (off only for a frozen block configured so).
    let frozen: [Bool]
    let embedderFrozen: Bool
    let dropout: [Bool]
    let embedderDropout: Bool

    /// The levels under `level`, bottom up: the encoders a pass to its input runs.
    func chain(under level: Int) -> [Int] {
        var chain: [Int] = []
        var next = below[level]
        while let b = next {
            chain.insert(b, at: 0)
            next = below[b]
        }
        return chain
    }

    /// `levels` with every level under them, bottom up.
    func closure(_ levels: some Sequence<Int>) -> [Int] {
        Set(levels.flatMap { chain(under: $0) + [$0] }).sorted()
    }

    /// Caches of g_e and of the encoders a forward pass ran.
    struct Pass {
        var embedder: Embedder.Cache
        var encoders: [Int: BiLSTMCache]
        var geColumns: Int
    }

    /// g_e and the encoder outputs h [B, T, H] of the levels it ran.
    struct Run {
        var ge: Tensor
        var encoded: [Int: Tensor]
        var pass: Pass
    }

    /// Runs g_e and the encoders of `levels` (bottom up, each level's `below` among them or
    /// nil). Below a training level the encoders run without their level's own dropout, only
    /// the LSTM's inter-layer dropout, as the reference's shortcut embedder.
    func forward(_ batch: TaggingBatch, levels: [Int], arena: ParameterArena, training: Bool, rngs: inout [RNG]) -> Run {
        let (ge, embedderCache) = embedder.forward(batch, arena: arena, training: training && embedderDropout, rngs: &rngs)
        var run = Run(ge: ge, encoded: [:], pass: Pass(embedder: embedderCache, encoders: [:], geColumns: ge.columns))
        for level in levels {
            let (h, cache) = encoders[level].forward(input(of: level, run, batch: batch), lengths: batch.lengths,
                                                     arena: arena, training: training && dropout[level], rngs: &rngs)
            run.encoded[level] = h
            run.pass.encoders[level] = cache
        }
        return run
    }

    /// x of `level`: g_e, or `[g_e ; h_below]` [B, T, D].
    func input(of level: Int, _ run: Run, batch: TaggingBatch) -> Tensor {
        guard let b = below[level] else { return run.ge }
        guard let h = run.encoded[b] else { preconditionFailure("shortcut stack: level \(b) under \(level) did not run") }
        return Concatenation.columns(run.ge, h).reshaped([batch.count, batch.maxLength, run.ge.columns + h.columns])
    }

    /// Whether a gradient is wanted at or below level `level`'s input: some block under it
    /// is trainable.
    func wantsGradient(under level: Int) -> Bool {
        !embedderFrozen || chain(under: level).contains { !frozen[$0] }
    }

    /// Backward from dLoss/dx of `level` down its chain. The embedder comes last: every level's
    /// share of dLoss/dg_e is summed first, so its gradients are written once. It stops where
    /// everything below is frozen (docs/design.md §Frozen levels).
    func backward(_ pass: Pass, dInput: Tensor, of level: Int, arena: ParameterArena, finished: GradientsFinished) {
        guard wantsGradient(under: level) else { return }
        var dx = dInput
        var dge: Tensor?
        var next = below[level]
        while let b = next, !frozen[b] || wantsGradient(under: b) {
            guard let cache = pass.encoders[b] else { preconditionFailure("shortcut stack: no cache of level \(b)") }
            let (dgePart, dh) = Concatenation.splitColumns(dx, at: pass.geColumns)
            dge = dge.map { Self.sum($0, dgePart) } ?? dgePart
            dx = encoders[b].backward(cache, dOut: dh.reshaped([cache.batch.sequences, cache.batch.paddedLength, dh.columns]),
                                      arena: arena, finished: finished)
            next = below[b]
        }
        guard !embedderFrozen else { return }
        let total = dge.map { Self.sum($0, dx) } ?? dx
        embedder.backward(pass.embedder, dOut: total.reshaped(dx.shape), arena: arena, finished: finished)
    }

    private static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        var out = a.reshaped([a.count])
        out.withMutablePointer { o in b.withPointer { Kernels.axpy(1, $0, o, a.count) } }
        return out
    }
}
