import Corpus
import GradientChecking
import Model
import Tensor
import XCTest

final class HierarchicalModelTests: XCTestCase {
    private let sentences = [
        ["Maria", "Lopez", "joined", "Acme", "Corp", "in", "Paris", "."],
        ["She", "left", "."],
        ["It", "is", "based", "in", "Oslo", "today"],
    ]

    private func vocabularies() -> Vocabularies {
        let docs = [Document(id: "d", sentences: sentences.map { Sentence(tokens: $0) })]
        let tags = Vocabulary.labels(BILOU.tagSet(types: ["PER", "ORG", "LOC"]))
        return Vocabularies(words: .words(from: docs), characters: .characters(from: docs), tags: [.ner: tags])
    }

    private func model() -> (HierarchicalModel, ParameterArena, TaggingBatch) {
        let v = vocabularies()
        var settings = HierarchicalModel.Settings()
        settings.embedder.wordDimension = 5
        settings.embedder.charDimension = 4
        settings.embedder.charFilters = 6
        var tagger = CRFTagger.Settings()
        tagger.hiddenSize = 4
        tagger.layers = 2
        settings.levels = [HierarchicalModel.TaggerLevel(task: .ner, settings: tagger)]
        let m = HierarchicalModel(settings: settings, vocabularies: v)
        let arena = ParameterArena(layout: m.layout)
        m.initialize(arena, seed: 11, pretrained: nil)
        let tagIndex = { (tag: String) in v.tags[.ner]!.index(of: tag)! }
        let gold = [
            ["B-PER", "L-PER", "O", "B-ORG", "L-ORG", "O", "U-LOC", "O"].map(tagIndex),
            ["O", "O", "O"].map(tagIndex),
            ["O", "O", "O", "O", "U-LOC", "O"].map(tagIndex),
        ]
        let batch = TaggingBatch(sentences: sentences, exampleIDs: [4, 9, 17], tags: gold, vocabulary: v, frozen: nil)
        return (m, arena, batch)
    }

    /// The whole NER path — embedder, concatenation, dropout, BiLSTM, projection, CRF — against
    /// central differences of the summed loss, dropout on with fixed masks. The char CNN's own
    /// parameters are left to CharCNNTests, whose inputs are built to keep max-pool ties and
    /// ReLU kinks out of reach of the finite-difference step; everything above it is checked here.
    func testTrainStepGradientMatchesFiniteDifferences() {
        let (m, arena, full) = model()
        // Two short sentences keep the summed loss near 20; with gradients of layer 0's
        // recurrent weights near 2e-3, Float32 round-off in the quotient (≈1e-7·|L|/h) needs
        // h = 3e-2 to stay 10× under the tolerance (truncation at that h is ≈1e-6, measured).
        let batch = TaggingBatch(sentences: Array(sentences[1...]), exampleIDs: [9, 17], tags: Array(full.tags[1...]),
                                 vocabulary: m.vocabularies, frozen: nil)
        let rngs = batch.exampleIDs.map { RNG(seed: 1, stream: [UInt64($0)]) }
        func loss() -> Double {
            var r = rngs
            arena.zeroGrads()
            return m.trainStep(.ner, batch: batch, arena: arena, rngs: &r)
        }
        _ = loss()
        let analytic = Array(arena.grads)
        var rng = RNG(seed: 2)
        for p in m.layout.parameters where !p.name.hasPrefix("embedder/chars") {
            GradientCheck.check(p.name, at: arena.value(p), count: p.count, analytic: Array(analytic[p.range]),
                                samples: 25, step: 3e-2, rng: &rng, loss: loss)
        }
    }

    /// A task's update writes gradients only inside the ranges it declares.
    func testGradientsStayInsideTheTaskRanges() {
        let (m, arena, batch) = model()
        var rngs = batch.exampleIDs.map { RNG(seed: 1, stream: [UInt64($0)]) }
        _ = m.trainStep(.ner, batch: batch, arena: arena, rngs: &rngs)
        let ranges = m.parameterRanges(for: .ner)
        for i in 0..<arena.count where !ranges.contains(where: { $0.contains(i) }) {
            XCTAssertEqual(arena.grads[i], 0, "gradient outside the NER ranges at \(i)")
        }
        XCTAssertEqual(ranges, [0..<arena.count], "NER is the only level: it owns the whole arena")
    }

    /// Predictions do not depend on which other sentences share the batch (padding is inert).
    /// The scores do differ in the last bits, because BLAS blocks a product with other row
    /// counts differently; so a sentence decoded alone may take another path only where the
    /// two paths tie to within rounding (their scores, read off the CRF loss, agree to 1e-4).
    func testPredictionIsIndependentOfBatchComposition() throws {
        let (m, arena, batch) = model()
        let together = m.predict(.ner, batch: batch, arena: arena)
        let togetherLoss = try XCTUnwrap(together.loss)
        func alone(_ i: Int, gold: [Int]) -> (tags: [[Int]], loss: Double?) {
            m.predict(.ner, batch: TaggingBatch(sentences: [sentences[i]], exampleIDs: [i], tags: [gold], vocabulary: m.vocabularies, frozen: nil),
                      arena: arena)
        }
        var summedLoss = 0.0
        for i in sentences.indices {
            let single = alone(i, gold: batch.tags[i])
            summedLoss += try XCTUnwrap(single.loss)
            XCTAssertEqual(single.tags.count, 1)
            if single.tags != [together.tags[i]] {
                XCTAssertEqual(alone(i, gold: together.tags[i]).loss!, alone(i, gold: single.tags[0]).loss!, accuracy: 1e-4,
                               "sentence \(i) decodes differently alone, and not at a near-tie")
            }
        }
        XCTAssertEqual(summedLoss, togetherLoss, accuracy: 1e-5 * abs(togetherLoss), "the batch loss is the sum of its sentences'")
    }

    func testBatchLayoutPadsWordsAndCharacters() {
        let v = vocabularies()
        let batch = TaggingBatch(sentences: [["Oslo", "x"], ["It"]], exampleIDs: [0, 1], vocabulary: v, frozen: nil)
        XCTAssertEqual(batch.lengths, [2, 1])
        XCTAssertEqual(batch.maxLength, 2)
        XCTAssertEqual(batch.charsPerToken, 4)
        XCTAssertEqual(batch.wordIDs[3], 0, "padding position")
        XCTAssertEqual(batch.wordIDs[1], Int32(Vocabulary.unknownIndex), "unseen word")
        XCTAssertEqual(Array(batch.charIDs[12..<16]), [0, 0, 0, 0])
        let short = TaggingBatch(sentences: [["a"]], exampleIDs: [0], vocabulary: v, frozen: nil)
        XCTAssertEqual(short.charsPerToken, 3, "tokens are padded to the char CNN's width")
    }
}
