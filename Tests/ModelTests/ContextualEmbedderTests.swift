import Corpus
import GradientChecking
import Model
import Tensor
import XCTest

/// Contextual features in g_e: the batch layout of `ContextualFeatures`, their place in g_e
/// and the scalar mix's gradients through a whole NER loss.
final class ContextualEmbedderTests: XCTestCase {
    /// Two stored sentences (2 and 3 tokens) of 2 layers × 2 dims; value = 1000·sentence +
    /// 100·layer + 10·token + component, so every copy is traceable.
    private func features() -> ContextualFeatures {
        var values: [Float] = []
        for (s, n) in [2, 3].enumerated() {
            for k in 0..<2 { for t in 0..<n { for j in 0..<2 { values.append(Float(1000 * s + 100 * k + 10 * t + j)) } } }
        }
        let a = ContextualFeatures.Segment(offset: 0, tokens: 2), b = ContextualFeatures.Segment(offset: 8, tokens: 3)
        // Example 0: sentence a; example 1: sentence b; example 2: a document of b then a.
        return ContextualFeatures(layers: 2, dimension: 2, values: values, examples: [[a], [b], [b, a]])
    }

    func testBatchIsLayerMajorConcatenatesSentencesAndZeroPads() {
        let f = features()
        XCTAssertEqual(f.tokenCount(ofExample: 2), 5)
        let batch = f.batch([0, 2], maxLength: 5)
        XCTAssertEqual(batch.shape, [2, 2, 5, 2])
        func at(_ k: Int, _ b: Int, _ t: Int, _ j: Int) -> Float { batch.data[((k * 2 + b) * 5 + t) * 2 + j] }
        XCTAssertEqual(at(1, 0, 1, 1), 111)
        XCTAssertEqual(at(0, 0, 2, 0), 0, "padding is zero")
        XCTAssertEqual(at(1, 1, 2, 0), 1120, "document: sentence b first")
        XCTAssertEqual(at(1, 1, 3, 1), 101, "then sentence a")
        XCTAssertEqual(at(0, 1, 4, 0), 10)
    }

    private func model(contextual: Embedder.ContextualSettings?) -> (HierarchicalModel, Vocabularies, [Sentence]) {
        let document = DemoCorpus.generate(documents: 1, seed: 3)[0]
        let sentences = Array(document.sentences.prefix(3))
        let tags = Vocabulary.labels(BILOU.tagSet(types: ["PER", "ORG", "LOC"]))
        let vocabularies = Vocabularies(words: .words(from: [document]), characters: .characters(from: [document]), tags: [.ner: tags])
        var settings = HierarchicalModel.Settings()
        settings.embedder.wordDimension = 4
        settings.embedder.charDimension = 3
        settings.embedder.charFilters = 3
        settings.embedder.charDropout = 0
        settings.embedder.contextual = contextual
        var tagger = CRFTagger.Settings()
        tagger.hiddenSize = 3
        tagger.layers = 1
        tagger.dropout = 0
        tagger.encoderDropout = 0
        settings.levels = [HierarchicalModel.TaggerLevel(task: .ner, settings: tagger)]
        return (HierarchicalModel(settings: settings, vocabularies: vocabularies), vocabularies, sentences)
    }

    func testMixedFeaturesComeFirstInGe() {
        let (model, vocabularies, sentences) = model(contextual: .init(layers: 2, dimension: 5))
        XCTAssertEqual(model.embedder.outputSize, 5 + 3 + 4)
        XCTAssertEqual(model.layout.parameters.filter { $0.name.hasPrefix("embedder/") }.suffix(2).map(\.name), ["embedder/contextual/scalars", "embedder/contextual/gamma"])
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)
        var batch = TaggingBatch(sentences: sentences.map(\.tokens), exampleIDs: [0, 1, 2], vocabulary: vocabularies, frozen: nil)
        var rng = RNG(seed: 2)
        let count = 2 * batch.count * batch.maxLength * 5
        batch.contextual = Tensor(shape: [2, batch.count, batch.maxLength, 5], data: (0..<count).map { _ in rng.uniform(-1, 1) })
        var none = [RNG]()
        let (ge, _) = model.embedder.forward(batch, arena: arena, training: false, rngs: &none)
        XCTAssertEqual(ge.shape, [3, batch.maxLength, 12])
        let half = count / 2
        for row in 0..<(batch.count * batch.maxLength) {
            for j in 0..<5 {
                let expected = (batch.contextual!.data[row * 5 + j] + batch.contextual!.data[half + row * 5 + j]) / 2
                XCTAssertEqual(ge.data[row * 12 + j], expected, accuracy: 1e-6)
            }
        }
    }

    /// The embedder reports the mix, the word table and the char CNN, top of the layout first.
    func testBackwardReportsTheMixFirst() {
        let (model, vocabularies, sentences) = model(contextual: .init(layers: 2, dimension: 5))
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)
        let tags = Vocabulary.labels(BILOU.tagSet(types: ["PER", "ORG", "LOC"]))
        let gold = sentences.map { s in BILOU.tags(for: s.entities, count: s.tokens.count).map { tags.index(of: $0) ?? 0 } }
        var batch = TaggingBatch(sentences: sentences.map(\.tokens), exampleIDs: [0, 1, 2], tags: gold, vocabulary: vocabularies,
                                 frozen: nil)
        var rng = RNG(seed: 2)
        batch.contextual = Tensor(shape: [2, batch.count, batch.maxLength, 5], data: (0..<(2 * batch.count * batch.maxLength * 5)).map { _ in rng.uniform(-1, 1) })
        var rngs = (0..<3).map { RNG(seed: 4, stream: [UInt64($0)]) }
        let offsets = assertBackwardKeepsItsReports(model, .ner, batch: batch, arena: arena, rngs: &rngs)
        let embedder = model.embedder
        XCTAssertEqual(Array(offsets.suffix(3)), [embedder.contextual!.scalars.offset, embedder.words.table.offset, embedder.chars.embedding.offset])
    }

    /// The mix's gradients through g_e, the NER encoder, the tagger and the CRF loss.
    func testScalarMixGradientsThroughTheNERLoss() {
        let (model, vocabularies, sentences) = model(contextual: .init(layers: 3, dimension: 4))
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)
        let mix = model.embedder.contextual!
        var rng = RNG(seed: 9)
        for k in 0..<3 { arena.value(mix.scalars)[k] = rng.uniform(-1, 1) }
        let tags = Vocabulary.labels(BILOU.tagSet(types: ["PER", "ORG", "LOC"]))
        let gold = sentences.map { s in BILOU.tags(for: s.entities, count: s.tokens.count).map { tags.index(of: $0) ?? 0 } }
        var batch = TaggingBatch(sentences: sentences.map(\.tokens), exampleIDs: [0, 1, 2], tags: gold, vocabulary: vocabularies, frozen: nil)
        let count = 3 * batch.count * batch.maxLength * 4
        var features = Tensor(shape: [3, batch.count, batch.maxLength, 4], data: (0..<count).map { _ in rng.uniform(-1, 1) })
        for (b, n) in batch.lengths.enumerated() {  // zero padding, as ContextualFeatures.batch gives it
            for k in 0..<3 { for t in n..<batch.maxLength { for j in 0..<4 { features.data[((k * 3 + b) * batch.maxLength + t) * 4 + j] = 0 } } }
        }
        batch.contextual = features
        // No dropout anywhere: the loss must be a deterministic function of the parameters.
        func loss() -> Double { model.predict(.ner, batch: batch, arena: arena).loss! }
        var rngs = (0..<3).map { RNG(seed: 4, stream: [UInt64($0)]) }
        arena.zeroGrads()
        _ = model.trainStep(.ner, batch: batch, arena: arena, rngs: &rngs)
        let dw = Array(UnsafeBufferPointer(start: arena.grad(mix.scalars), count: 3))
        let dGamma = arena.grad(mix.gamma).pointee
        GradientCheck.check("mix dw via NER", at: arena.value(mix.scalars), count: 3, analytic: dw, rng: &rng, loss: loss)
        GradientCheck.check("mix dγ via NER", at: arena.value(mix.gamma), count: 1, analytic: [dGamma], rng: &rng, loss: loss)
    }
}
