import Corpus
import NN
import Tensor

/// The coreference head (docs/design.md, Coreference level; AllenNLP 0.7.0 `CoreferenceResolver`,
/// Lee et al. 2017) on one document: candidate spans → g_s → mention scores → top-k pruning →
/// antecedent scores → marginal-likelihood loss or greedy clusters.
///
/// Inputs: x [N, D_in], the lexically-dropped encoder *input* (attention head), and h [N, D_h],
/// the encoder output (span endpoints). Dropout masks of both FFNNs are drawn from one `rng`:
/// the mention FFNN's layers over all candidates, then the antecedent FFNN's over all pairs.
///
/// Back-propagation runs through the kept spans only (top-k is not differentiable): the
/// mention FFNN, span embeddings and attention backward passes see k rows, not all candidates.
public struct CoreferenceHead: Sendable {
    public struct Settings: Sendable, Equatable {
        public var featureSize = 20
        public var maxSpanWidth = 8
        public var spansPerWord = 0.4
        public var maxAntecedents = 70
        public var hiddenSize = 150
        public var hiddenLayers = 2
        public var dropout: Float = 0.3
        /// Kept spans per chunk of the pair computation; bounds the g_i∘g_j buffer to
        /// chunkSpans·K·S floats (32·70·2136·4 B ≈ 19 MB at the reference).
        public var chunkSpans = 32
        public init() {}
    }

    public let settings: Settings
    public let spanEmbedding: SpanEmbedding
    public let mentionFeedForward: FeedForward
    public let mentionScorer: Linear
    public let antecedentScorer: AntecedentScorer

    public init(name: String, inputSize: Int, encoderSize: Int, settings: Settings, layout: inout ParameterLayout) {
        precondition(settings.chunkSpans > 0 && settings.maxAntecedents > 0 && settings.spansPerWord >= 0,
                     "CoreferenceHead: invalid settings \(settings)")
        self.settings = settings
        spanEmbedding = SpanEmbedding(name: name, inputSize: inputSize, encoderSize: encoderSize,
                                      featureSize: settings.featureSize, maxWidth: settings.maxSpanWidth, layout: &layout)
        let spanSize = spanEmbedding.outputSize
        mentionFeedForward = FeedForward(name: "\(name)/mention_feedforward", inputSize: spanSize, hiddenSize: settings.hiddenSize,
                                         layers: settings.hiddenLayers, dropout: settings.dropout, layout: &layout)
        mentionScorer = Linear(name: "\(name)/mention_scorer", inputSize: mentionFeedForward.outputSize, outputSize: 1, layout: &layout)
        antecedentScorer = AntecedentScorer(name: name, spanSize: spanSize, featureSize: settings.featureSize,
                                            hiddenSize: settings.hiddenSize, layers: settings.hiddenLayers,
                                            dropout: settings.dropout, layout: &layout)
    }

    /// Spec §9; the mention scorer's output Linear keeps PyTorch's default (the reference's regex misses it).
    public func initialize(_ arena: ParameterArena, rng: inout RNG) {
        spanEmbedding.initialize(arena, rng: &rng)
        mentionFeedForward.initialize(arena, rng: &rng)
        mentionScorer.initialize(arena, rng: &rng)
        antecedentScorer.initialize(arena, rng: &rng)
    }

    /// One document's place in the rows of x and h: its tokens are rows offset ..< offset + n
    /// (n the sentence lengths' sum). Several documents share one forward pass at inference: the
    /// span and pair matrix products then cover all of them, while top-k pruning and antecedents
    /// stay within each document.
    public struct DocumentRows: Sendable {
        public var offset: Int
        public var sentenceLengths: [Int]
        /// Gold mentions in document offsets (the gold-mention setups A-GM and E-GM), or nil.
        public var goldMentions: Set<TokenSpan>?

        public init(offset: Int, sentenceLengths: [Int], goldMentions: Set<TokenSpan>? = nil) {
            self.offset = offset
            self.sentenceLengths = sentenceLengths
            self.goldMentions = goldMentions
        }
    }

    /// Everything the forward pass computed that backward and decoding need.
    struct Pass {
        /// Candidate spans in row coordinates, document after document.
        var candidates: [TokenSpan]
        var attention: SpanAttention.Cache
        /// Candidate indices of the kept spans: each document's ascending (original candidate
        /// order), documents in order.
        var kept: [Int]
        /// Each document's range in `kept` (and in the rows of `scores`).
        var documentKept: [Range<Int>]
        /// The mention FFNN's cache restricted to the kept rows.
        var mention: FeedForward.Cache
        var antecedent: AntecedentScorer.Cache
        /// [k, K+1] in `AntecedentLikelihood`'s layout; invalid columns −∞. A document's rows,
        /// taken alone, are in that layout too (its row i has i earlier spans).
        var scores: Tensor
    }

    /// k = ⌊spansPerWord · N⌋ (at most the candidate count).
    public func keptCount(tokens: Int, candidates: Int) -> Int {
        min(Int((settings.spansPerWord * Double(tokens)).rounded(.down)), candidates)
    }

    /// A document's `goldMentions`, when given, restrict its candidates to them: every other
    /// candidate's mention score becomes −1e20, so with k still ⌊0.4·N⌋ it can be kept only as
    /// padding and never outranks a gold mention as antecedent.
    func forward(x: Tensor, h: Tensor, documents: [DocumentRows], arena: ParameterArena, training: Bool,
                 rng: inout RNG) -> Pass {
        precondition(x.rank == 2 && h.rank == 2 && x.rows == h.rows, "CoreferenceHead: x \(x.shape) and h \(h.shape) must be [rows, ·]")
        var candidates: [TokenSpan] = []
        var documentCandidates: [Range<Int>] = []
        for document in documents {
            let n = document.sentenceLengths.reduce(0, +)
            precondition(document.offset >= 0 && document.offset + n <= x.rows,
                         "CoreferenceHead: a document's rows \(document.offset)..<\(document.offset + n) exceed \(x.rows)")
            let first = candidates.count
            candidates += SpanEnumeration.candidates(sentenceLengths: document.sentenceLengths, maxWidth: settings.maxSpanWidth)
                .map { TokenSpan(start: $0.start + document.offset, end: $0.end + document.offset) }
            documentCandidates.append(first..<candidates.count)
        }
        let (g, attention) = spanEmbedding.forward(x: x, h: h, spans: candidates, arena: arena)
        let (hidden, mentionCache) = mentionFeedForward.forward(g, arena: arena, training: training, rng: &rng)
        var mentionScores = mentionScorer.forward(hidden, arena: arena).data
        var kept: [Int] = []
        var documentKept: [Range<Int>] = []
        var earlier: [Int] = []
        for (document, range) in zip(documents, documentCandidates) {
            if let gold = document.goldMentions {
                for c in range where !gold.contains(TokenSpan(start: candidates[c].start - document.offset,
                                                              end: candidates[c].end - document.offset)) {
                    mentionScores[c] = -1e20
                }
            }
            // Top k by score (ties to the earlier candidate), then back to candidate order.
            let k = keptCount(tokens: document.sentenceLengths.reduce(0, +), candidates: range.count)
            let first = kept.count
            kept += range.sorted { (mentionScores[$0], -$0) > (mentionScores[$1], -$1) }.prefix(k).sorted()
            documentKept.append(first..<kept.count)
            earlier += 0..<k
        }
        let K = min(settings.maxAntecedents, documentKept.map(\.count).max() ?? 0)
        let keptMention = mentionCache.rows(at: kept)
        let (pairScores, antecedentCache) = antecedentScorer.forward(keptMention.activations[0], earlier: earlier, antecedents: K,
                                                                     chunkSpans: settings.chunkSpans, arena: arena,
                                                                     training: training, rng: &rng)
        var scores = Tensor(zeros: [kept.count, K + 1])
        for i in kept.indices {
            for c in 0..<K {
                let j = i - 1 - c
                scores[i, c + 1] = c < earlier[i] ? mentionScores[kept[i]] + mentionScores[kept[j]] + pairScores[i, c] : -.infinity
            }
        }
        return Pass(candidates: candidates, attention: attention, kept: kept, documentKept: documentKept, mention: keptMention,
                    antecedent: antecedentCache, scores: scores)
    }

    public struct TrainingResult: Sendable {
        /// Σ over kept spans of the negative marginal log-likelihood.
        public var loss: Double
        public var dx: Tensor
        public var dh: Tensor
        /// The kept spans (document offsets, candidate order).
        public var kept: [TokenSpan]
    }

    /// Loss and dLoss/dx, dLoss/dh for one document; parameter gradients are accumulated into
    /// `arena`. Gold clusters come from `document.clusters` (document offsets).
    public func lossAndGradients(x: Tensor, h: Tensor, document: CoreferenceDocument, arena: ParameterArena,
                                 training: Bool, rng: inout RNG) -> TrainingResult {
        let rows = DocumentRows(offset: 0, sentenceLengths: document.sentenceLengths)
        let pass = forward(x: x, h: h, documents: [rows], arena: arena, training: training, rng: &rng)
        let k = pass.kept.count, K = pass.scores.columns - 1
        let keptSpans = pass.kept.map { pass.candidates[$0] }
        let labels = document.clusterLabels(for: keptSpans)
        let (loss, dScores) = AntecedentLikelihood.negativeLogLikelihood(scores: pass.scores, labels: labels)
        // s(i, j) = s_m(i) + s_m(j) + pair(i, j): route each pair's gradient to all three.
        var dPair = Tensor(zeros: [k, K])
        var dMention = Tensor(zeros: [k, 1])
        for i in 0..<k {
            for c in 0..<min(i, K) {
                let d = dScores[i, c + 1]
                dPair[i, c] = d
                dMention.data[i] += d
                dMention.data[i - 1 - c] += d
            }
        }
        let g = pass.mention.activations[0]
        var dg = antecedentScorer.backward(pass.antecedent, g: g, dScores: dPair, chunkSpans: settings.chunkSpans, arena: arena)
        let dHidden = mentionScorer.backward(x: pass.mention.output, dOut: dMention, arena: arena)
        let dgMention = mentionFeedForward.backward(pass.mention, dOut: dHidden, arena: arena)
        let count = dg.count
        dg.withMutablePointer { d in dgMention.withPointer { Kernels.axpy(1, $0, d, count) } }
        let (dx, dh) = spanEmbedding.backward(x: x, h: h, spans: keptSpans, dOut: dg, cache: pass.attention, arena: arena)
        return TrainingResult(loss: loss, dx: dx, dh: dh, kept: keptSpans)
    }

    public struct Prediction: Sendable, Equatable {
        /// Predicted clusters in document offsets (no singletons).
        public var clusters: [[TokenSpan]]
        /// The kept spans, for mention recall.
        public var kept: [TokenSpan]
    }

    /// Greedy decoding without dropout, one prediction per document (document offsets).
    public func predict(x: Tensor, h: Tensor, documents: [DocumentRows], arena: ParameterArena) -> [Prediction] {
        var unused = RNG(seed: 0)
        let pass = forward(x: x, h: h, documents: documents, arena: arena, training: false, rng: &unused)
        return zip(documents, pass.documentKept).map { document, range in
            let kept = range.map { i in
                let span = pass.candidates[pass.kept[i]]
                return TokenSpan(start: span.start - document.offset, end: span.end - document.offset)
            }
            let scores = pass.scores.rows(at: Array(range))
            // Masked spans score ≈ −1e20 with every antecedent, below the dummy's 0: they never link.
            let clusters = CoreferenceClusters.decode(spans: kept, antecedents: CoreferenceClusters.antecedents(scores: scores))
            return Prediction(clusters: clusters, kept: document.goldMentions.map { gold in kept.filter(gold.contains) } ?? kept)
        }
    }

    /// One document whose rows are all of x and h.
    public func predict(x: Tensor, h: Tensor, sentenceLengths: [Int], goldMentions: Set<TokenSpan>? = nil,
                        arena: ParameterArena) -> Prediction {
        predict(x: x, h: h, documents: [DocumentRows(offset: 0, sentenceLengths: sentenceLengths, goldMentions: goldMentions)],
                arena: arena)[0]
    }
}
