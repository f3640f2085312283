import Corpus
import GradientChecking
@testable import Model
import NN
import Tensor
import XCTest

final class CoreferenceHeadTests: XCTestCase {
    private let lengths = [5, 4, 3]

    private func settings() -> CoreferenceHead.Settings {
        var s = CoreferenceHead.Settings()
        s.featureSize = 3
        s.maxSpanWidth = 3
        s.hiddenSize = 5
        s.spansPerWord = 0.5
        s.maxAntecedents = 4
        s.chunkSpans = 2
        return s
    }

    private func make(seed: UInt64, settings: CoreferenceHead.Settings? = nil) -> (CoreferenceHead, ParameterArena) {
        var layout = ParameterLayout()
        let head = CoreferenceHead(name: "coref", inputSize: 6, encoderSize: 4, settings: settings ?? self.settings(), layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: seed)
        head.initialize(arena, rng: &rng)
        return (head, arena)
    }

    private func random(_ shape: [Int], rng: inout RNG) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    func testCandidatesRunSentenceBySentenceStartThenEnd() {
        let spans = SpanEnumeration.candidates(sentenceLengths: [3, 0, 2], maxWidth: 2)
        XCTAssertEqual(spans.map { [$0.start, $0.end] }, [[0, 0], [0, 1], [1, 1], [1, 2], [2, 2], [3, 3], [3, 4], [4, 4]])
        let long = SpanEnumeration.candidates(sentenceLengths: [20, 7, 1], maxWidth: 8)
        // Per sentence of length L: Σ_{w=1}^{min(8,L)} (L − w + 1).
        func count(_ l: Int) -> Int { (1...min(8, l)).reduce(0) { $0 + l - $1 + 1 } }
        XCTAssertEqual(long.count, count(20) + count(7) + count(1))
        XCTAssertEqual(long, long.sorted(), "document order by start, then end")
        XCTAssertTrue(long.allSatisfy { $0.width <= 8 })
        let starts = [0, 20, 27, 28]
        for span in long {
            let sentence = starts.lastIndex { $0 <= span.start }!
            XCTAssertLessThan(span.end, starts[sentence + 1], "span \(span) crosses a sentence boundary")
        }
    }

    func testDistanceBuckets() {
        let expected = [1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 7: 5, 8: 6, 15: 6, 16: 7, 31: 7, 32: 8, 63: 8, 64: 9, 70: 9, 1000: 9]
        for (offset, bucket) in expected { XCTAssertEqual(AntecedentScorer.bucket(offset), bucket, "offset \(offset)") }
    }

    func testGoldLabelsMergeClustersSharingASpan() {
        let doc = CoreferenceDocument(sentenceLengths: [10], clusters: [
            [TokenSpan(start: 0, end: 1), TokenSpan(start: 4, end: 4)],
            [TokenSpan(start: 6, end: 6)],
            [TokenSpan(start: 8, end: 9), TokenSpan(start: 4, end: 4)],
        ])
        let spans = [TokenSpan(start: 8, end: 9), TokenSpan(start: 0, end: 1), TokenSpan(start: 6, end: 6), TokenSpan(start: 2, end: 2)]
        XCTAssertEqual(doc.clusterLabels(for: spans), [0, 0, 1, -1])
    }

    func testDocumentSpansBecomeDocumentOffsets() {
        let document = Document(id: "d", sentences: [Sentence(tokens: ["a", "b"]), Sentence(tokens: ["c", "d", "e"])],
                                clusters: [[DocumentSpan(sentence: 0, span: TokenSpan(start: 1, end: 1)),
                                            DocumentSpan(sentence: 1, span: TokenSpan(start: 1, end: 2))]])
        let doc = CoreferenceDocument(document)
        XCTAssertEqual(doc.sentenceLengths, [2, 3])
        XCTAssertEqual(doc.clusters, [[TokenSpan(start: 1, end: 1), TokenSpan(start: 3, end: 4)]])
    }

    /// The loss and its gradient against a direct Double transcription of docs/design.md,
    /// Coreference level.
    func testLikelihoodMatchesNaiveDouble() {
        var rng = RNG(seed: 5)
        let k = 6, K = 3
        var scores = random([k, K + 1], rng: &rng)
        for i in 0..<k { scores[i, 0] = 0; for c in 0..<K where i - 1 - c < 0 { scores[i, c + 1] = -.infinity } }
        let labels = [0, -1, 0, 1, 0, 1]
        let (loss, d) = AntecedentLikelihood.negativeLogLikelihood(scores: scores, labels: labels)
        var naive = 0.0
        for i in 0..<k {
            let candidates = [-1] + (0..<K).compactMap { i - 1 - $0 >= 0 ? i - 1 - $0 : nil }  // −1 = dummy
            let score = { (j: Int) -> Double in j < 0 ? 0 : Double(scores[i, i - j]) }
            var gold = candidates.filter { $0 >= 0 && labels[i] >= 0 && labels[$0] == labels[i] }
            if gold.isEmpty { gold = [-1] }
            let all = candidates.reduce(0.0) { $0 + Foundation.exp(score($1)) }
            let marginal = gold.reduce(0.0) { $0 + Foundation.exp(score($1)) }
            naive -= Foundation.log(marginal) - Foundation.log(all)
            for j in candidates {
                let expected = Foundation.exp(score(j)) / all - (gold.contains(j) ? Foundation.exp(score(j)) / marginal : 0)
                XCTAssertEqual(Double(d[i, j < 0 ? 0 : i - j]), expected, accuracy: 1e-5, "row \(i), antecedent \(j)")
            }
            for c in 0..<K where i - 1 - c < 0 { XCTAssertEqual(d[i, c + 1], 0) }
        }
        XCTAssertEqual(loss, naive, accuracy: 1e-5)
    }

    func testClustersFromAntecedents() {
        let spans = (0..<6).map { TokenSpan(start: $0, end: $0) }
        let clusters = CoreferenceClusters.decode(spans: spans, antecedents: [nil, 0, nil, 1, 2, nil])
        XCTAssertEqual(clusters, [[spans[0], spans[1], spans[3]], [spans[2], spans[4]]])
        var scores = Tensor(shape: [4, 3], data: [0, -.infinity, -.infinity,
                                                  -1, -.infinity, -.infinity,
                                                  0, 2, 3,
                                                  0, 0, -1])
        XCTAssertEqual(CoreferenceClusters.antecedents(scores: scores), [nil, nil, 0, nil], "ties go to the dummy")
        scores[1, 1] = 0.5
        XCTAssertEqual(CoreferenceClusters.antecedents(scores: scores), [nil, 0, 0, nil])
    }

    /// The split projections give the same pair scores as the concatenated 3S+F pair embedding.
    func testSplitProjectionMatchesConcatenatedPairEmbedding() {
        let (head, arena) = make(seed: 3)
        let scorer = head.antecedentScorer
        var rng = RNG(seed: 4)
        let k = 7, K = 4, s = scorer.spanSize, f = scorer.featureSize, hidden = scorer.hiddenSize
        let g = random([k, s], rng: &rng)
        var unused = RNG(seed: 0)
        let (scores, _) = scorer.forward(g, earlier: Array(0..<k), antecedents: K, chunkSpans: 3, arena: arena, training: false, rng: &unused)
        let w1 = arena.value(scorer.first.weight), b1 = arena.value(scorer.first.bias), phi = arena.value(scorer.distance)
        for i in 0..<k {
            for c in 0..<K {
                let j = i - 1 - c
                guard j >= 0 else { XCTAssertEqual(scores[i, c], 0); continue }
                var pair = (0..<s).map { Double(g[i, $0]) } + (0..<s).map { Double(g[j, $0]) }
                pair += (0..<s).map { Double(g[i, $0]) * Double(g[j, $0]) }
                pair += (0..<f).map { Double(phi[AntecedentScorer.bucket(c + 1) * f + $0]) }
                var a = (0..<hidden).map { o in
                    max(0, Double(b1[o]) + (0..<pair.count).reduce(0.0) { $0 + Double(w1[o * pair.count + $1]) * pair[$1] })
                }
                for layer in scorer.rest.layers + [scorer.scorer] {
                    let w = arena.value(layer.weight), b = arena.value(layer.bias)
                    let relu = layer.outputSize > 1
                    a = (0..<layer.outputSize).map { o in
                        let z = Double(b[o]) + (0..<layer.inputSize).reduce(0.0) { $0 + Double(w[o * layer.inputSize + $1]) * a[$1] }
                        return relu ? max(0, z) : z
                    }
                }
                XCTAssertEqual(Double(scores[i, c]), a[0], accuracy: 1e-5, "pair (\(i), \(j))")
            }
        }
    }

    /// Seeds whose mention scores leave a clear gap between the k-th and (k+1)-th candidate, so
    /// a finite-difference step cannot change the kept set, and whose ReLU pre-activations (of
    /// the kept spans and their valid pairs) all stay farther from 0 than a step can move them.
    private func separatedSetup() throws -> (CoreferenceHead, ParameterArena, Tensor, Tensor, RNG) {
        for seed: UInt64 in 1...2000 {
            let (head, arena) = make(seed: seed)
            var rng = RNG(seed: seed &+ 1000)
            let x = random([12, 6], rng: &rng), h = random([12, 4], rng: &rng)
            let dropoutRNG = RNG(seed: seed &+ 2000)
            var r = dropoutRNG
            let pass = head.forward(x: x, h: h, documents: [.init(offset: 0, sentenceLengths: lengths)], arena: arena,
                                    training: true, rng: &r)
            // Replay the forward pass layer by layer with the same dropout draws.
            r = dropoutRNG
            let (g, _) = head.spanEmbedding.forward(x: x, h: h, spans: pass.candidates, arena: arena)
            let (hidden, mention) = head.mentionFeedForward.forward(g, arena: arena, training: true, rng: &r)
            let sorted = head.mentionScorer.forward(hidden, arena: arena).data.sorted(by: >)
            let k = pass.kept.count, K = pass.antecedent.antecedents
            guard sorted[k - 1] - sorted[k] > 0.05 else { continue }
            let kept = mention.rows(at: pass.kept)
            var margin = head.mentionFeedForward.layers.indices.map { l in
                head.mentionFeedForward.layers[l].forward(kept.activations[l], arena: arena).data.map(abs).min()!
            }.min()!
            let scorer = head.antecedentScorer
            var z = scorer.firstLayer(kept.activations[0], valid: (0..<k).map { min($0, K) }, antecedents: K, chunkSpans: 100,
                                      arena: arena)
            let validRows = (0..<(k * K)).filter { $0 % K < $0 / K }
            var preActivations = [z.rows(at: validRows)]
            scorer.rest.activate(&z, training: true, rng: &r)
            let (_, restCache) = scorer.rest.forward(z, arena: arena, training: true, rng: &r)
            for l in scorer.rest.layers.indices {
                preActivations.append(scorer.rest.layers[l].forward(restCache.activations[l], arena: arena).rows(at: validRows))
            }
            margin = min(margin, preActivations.flatMap(\.data).map(abs).min()!)
            if margin > 0.012 { return (head, arena, x, h, dropoutRNG) }
        }
        throw FixtureNotFound("no seed with separated mention scores and ReLU pre-activations")
    }

    /// The whole head — attention, span embeddings, mention FFNN, pruning, split-projection pair
    /// FFNN, likelihood — against central differences w.r.t. x, h and every parameter, with
    /// dropout on (fixed generator copies) and k = 6 of 27 candidates kept.
    func testGradientsMatchFiniteDifferencesThroughPruning() throws {
        let (head, arena, x, h, dropoutRNG) = try separatedSetup()
        var r = dropoutRNG
        let first = head.lossAndGradients(x: x, h: h, document: CoreferenceDocument(sentenceLengths: lengths),
                                          arena: arena, training: true, rng: &r)
        let kept = first.kept
        XCTAssertEqual(kept.count, 6)
        // Gold clusters over kept spans (so some spans have gold antecedents) and one pruned span.
        let pruned = SpanEnumeration.candidates(sentenceLengths: lengths, maxWidth: 3).first { !kept.contains($0) }!
        let document = CoreferenceDocument(sentenceLengths: lengths, clusters: [[kept[0], kept[2], kept[5]], [kept[1], kept[4], pruned]])
        func run(_ x: Tensor, _ h: Tensor) -> CoreferenceHead.TrainingResult {
            var r = dropoutRNG
            let result = head.lossAndGradients(x: x, h: h, document: document, arena: arena, training: true, rng: &r)
            XCTAssertEqual(result.kept, kept, "the finite-difference step changed the kept spans")
            return result
        }
        arena.zeroGrads()
        let analytic = run(x, h)
        let grads = Array(arena.grads)
        XCTAssertGreaterThan(analytic.loss, 0)
        var rng = RNG(seed: 9)
        let attentionBias = head.spanEmbedding.attention.scorer.bias
        // A shift of every token score leaves each span's softmax unchanged: β has no gradient.
        XCTAssertEqual(grads[attentionBias.offset], 0, accuracy: 1e-6)
        for p in arena.layout.parameters where p != attentionBias {
            // The attention weights' gradients are ~100× smaller than the loss: a larger step keeps
            // Float round-off in the quotient under the tolerance (the attention is smooth).
            let step: Float = p == head.spanEmbedding.attention.scorer.weight ? 5e-2 : GradientCheck.step
            GradientCheck.check(p.name, at: arena.value(p), count: p.count, analytic: Array(grads[p.range]),
                                samples: 30, step: step, rng: &rng) { run(x, h).loss }
        }
        var xs = x.data, hs = h.data
        xs.withUnsafeMutableBufferPointer { xp in
            GradientCheck.check("dx", at: xp.baseAddress!, count: xp.count, analytic: analytic.dx.data, samples: 72, rng: &rng) {
                run(Tensor(shape: x.shape, data: Array(xp)), h).loss
            }
        }
        hs.withUnsafeMutableBufferPointer { hp in
            GradientCheck.check("dh", at: hp.baseAddress!, count: hp.count, analytic: analytic.dh.data, samples: 48, rng: &rng) {
                run(x, Tensor(shape: h.shape, data: Array(hp))).loss
            }
        }
    }

    /// Chunking is a memory device only: the loss and every gradient are the same for any chunk size.
    func testChunkSizeDoesNotChangeResults() {
        var results: [(Double, [Float], [Float], [Float])] = []
        for chunk in [1, 4, 100] {
            var s = settings()
            s.chunkSpans = chunk
            let (head, arena) = make(seed: 2, settings: s)
            var rng = RNG(seed: 8)
            let x = random([12, 6], rng: &rng), h = random([12, 4], rng: &rng)
            let document = CoreferenceDocument(sentenceLengths: lengths, clusters: [[TokenSpan(start: 0, end: 0), TokenSpan(start: 5, end: 5)]])
            var r = RNG(seed: 1)
            let result = head.lossAndGradients(x: x, h: h, document: document, arena: arena, training: true, rng: &r)
            results.append((result.loss, result.dx.data, result.dh.data, Array(arena.grads)))
        }
        for other in results.dropFirst() {
            XCTAssertEqual(other.0, results[0].0, accuracy: 1e-5)
            for (a, b) in zip(other.1 + other.2 + other.3, results[0].1 + results[0].2 + results[0].3) {
                XCTAssertEqual(a, b, accuracy: 1e-5)
            }
        }
    }

    func testPredictionKeepsFloorOfSpansPerWordAndDecodesClusters() {
        let (head, arena) = make(seed: 4)
        var rng = RNG(seed: 5)
        let x = random([12, 6], rng: &rng), h = random([12, 4], rng: &rng)
        let prediction = head.predict(x: x, h: h, sentenceLengths: lengths, arena: arena)
        XCTAssertEqual(prediction.kept.count, 6)
        XCTAssertEqual(prediction.kept, prediction.kept.sorted())
        let keptSet = Set(prediction.kept)
        XCTAssertFalse(prediction.clusters.isEmpty, "no cluster decoded, so the checks below see nothing")
        for cluster in prediction.clusters {
            XCTAssertGreaterThanOrEqual(cluster.count, 2)
            XCTAssertTrue(cluster.allSatisfy(keptSet.contains))
        }
        // Pass-through of the same weights: a second call gives the same answer (no dropout).
        XCTAssertEqual(head.predict(x: x, h: h, sentenceLengths: lengths, arena: arena), prediction)
    }

    /// Whether every pruning and linking decision of one document (rows all of x, h) is at least
    /// 1e-3 from a tie, so rounding differences cannot flip it.
    private func decisionsAreClear(_ head: CoreferenceHead, _ arena: ParameterArena, x: Tensor, h: Tensor, lengths: [Int]) -> Bool {
        var unused = RNG(seed: 0)
        let pass = head.forward(x: x, h: h, documents: [.init(offset: 0, sentenceLengths: lengths)], arena: arena,
                                training: false, rng: &unused)
        let (g, _) = head.spanEmbedding.forward(x: x, h: h, spans: pass.candidates, arena: arena)
        let (hidden, _) = head.mentionFeedForward.forward(g, arena: arena, training: false, rng: &unused)
        let ranked = head.mentionScorer.forward(hidden, arena: arena).data.sorted(by: >)
        let k = pass.kept.count
        if k < ranked.count, ranked[k - 1] - ranked[k] <= 1e-3 { return false }
        return (0..<k).allSatisfy { i in
            let row = (0...min(i, pass.scores.columns - 1)).map { pass.scores[i, $0] }.sorted(by: >)
            return row.count < 2 || row[0] - row[1] > 1e-3
        }
    }

    /// Documents of one batch share the span and pair products (rows of a padded [B·T, C] view)
    /// but are pruned and linked each on its own: the same scores, to rounding, and the same
    /// clusters as one document at a time.
    func testDocumentsOfABatchArePredictedAsEachAlone() throws {
        let documents = [[5, 4, 3], [3, 3], [3, 6], [4, 4, 4, 2]]
        let padded = 15  // T: rows b·T ..< b·T + n hold document b, the rest is padding
        func rows(_ t: Tensor, _ b: Int, _ n: Int) -> Tensor {
            Tensor(shape: [n, t.columns], data: Array(t.data[(b * padded * t.columns)..<((b * padded + n) * t.columns)]))
        }
        // A fixture whose decisions are all clear of ties, so the cluster comparison is exact.
        let fixture = (1...200 as ClosedRange<UInt64>).lazy.map { seed -> (CoreferenceHead, ParameterArena, Tensor, Tensor) in
            let (head, arena) = self.make(seed: seed)
            var rng = RNG(seed: seed &+ 500)
            return (head, arena, self.random([documents.count * padded, 6], rng: &rng), self.random([documents.count * padded, 4], rng: &rng))
        }.first { head, arena, x, h in
            documents.enumerated().allSatisfy { b, lengths in
                let n = lengths.reduce(0, +)
                return self.decisionsAreClear(head, arena, x: rows(x, b, n), h: rows(h, b, n), lengths: lengths)
            }
        }
        guard let (head, arena, x, h) = fixture else { throw FixtureNotFound("no seed whose decisions are clear of ties") }
        let batch = documents.indices.map { CoreferenceHead.DocumentRows(offset: $0 * padded, sentenceLengths: documents[$0]) }
        var unused = RNG(seed: 0)
        let together = head.forward(x: x, h: h, documents: batch, arena: arena, training: false, rng: &unused)
        let predictions = head.predict(x: x, h: h, documents: batch, arena: arena)
        XCTAssertEqual(together.documentKept.map(\.count), [6, 3, 4, 7], "k = ⌊0.5·N⌋ per document")
        XCTAssertEqual(together.scores.columns, 5, "K = min(4, the largest k) columns after the dummy")
        var linked = 0
        for (b, lengths) in documents.enumerated() {
            let n = lengths.reduce(0, +)
            let alone = head.forward(x: rows(x, b, n), h: rows(h, b, n), documents: [.init(offset: 0, sentenceLengths: lengths)],
                                     arena: arena, training: false, rng: &unused)
            let range = together.documentKept[b]
            XCTAssertEqual(range.map { together.candidates[together.kept[$0]].start - b * padded },
                           alone.kept.map { alone.candidates[$0].start }, "document \(b): kept spans")
            let mine = together.scores.rows(at: Array(range))
            for i in 0..<alone.scores.rows {
                for c in 0..<together.scores.columns {
                    let expected = c < alone.scores.columns ? alone.scores[i, c] : -Float.infinity
                    if expected == -.infinity { XCTAssertEqual(mine[i, c], -.infinity, "document \(b) (\(i), \(c))"); continue }
                    XCTAssertEqual(mine[i, c], expected, accuracy: 1e-5, "document \(b) (\(i), \(c))")
                }
            }
            let single = head.predict(x: rows(x, b, n), h: rows(h, b, n), sentenceLengths: lengths, arena: arena)
            XCTAssertEqual(predictions[b], single, "document \(b)")
            linked += single.clusters.count
        }
        XCTAssertGreaterThan(linked, 0, "no document decoded a cluster, so the cluster comparison saw nothing")
    }

    func testTinyDocumentsKeepNothingAndHaveZeroLoss() {
        let (head, arena) = make(seed: 1)
        var rng = RNG(seed: 2)
        let x = random([1, 6], rng: &rng), h = random([1, 4], rng: &rng)
        var r = RNG(seed: 3)
        let result = head.lossAndGradients(x: x, h: h, document: CoreferenceDocument(sentenceLengths: [1]),
                                           arena: arena, training: true, rng: &r)
        XCTAssertEqual(result.loss, 0)
        XCTAssertEqual(result.kept, [])
        XCTAssertTrue(result.dx.data.allSatisfy { $0 == 0 })
    }
}
