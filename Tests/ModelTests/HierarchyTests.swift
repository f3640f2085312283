import Corpus
import GradientChecking
import Model
import Tensor
import XCTest

/// The whole hierarchy NER → EMD → {CR, RE} on a small demo document: layout and ranges,
/// gradients confined to each task's ranges, and finite-difference checks through the
/// shortcut stack.
final class HierarchyTests: XCTestCase {
    private struct Fixture {
        var model: HierarchicalModel
        var arena: ParameterArena
        var batches: [Task: TaggingBatch]
    }

    /// `sentences` limits the sentence batches (NER, EMD, RE) to the first few.
    private func fixture(seed: UInt64 = 5, goldMentions: Bool = false, sentences limit: Int = .max) -> Fixture {
        let document = DemoCorpus.generate(documents: 1, seed: 3)[0]
        let all = document.sentences
        let sentences = Array(all.prefix(limit))
        let nerTags = Vocabulary.labels(BILOU.tagSet(types: ["PER", "ORG", "LOC"]))
        let emdTags = Vocabulary.labels(BILOU.tagSet(types: Set(all.flatMap(\.mentions).map(\.label))))
        let relationTypes = Vocabulary.labels(all.flatMap(\.relations).map(\.label))
        let vocabularies = Vocabularies(words: .words(from: [document]), characters: .characters(from: [document]),
                                        tags: [.ner: nerTags, .emd: emdTags], relations: relationTypes)
        var settings = HierarchicalModel.Settings()
        settings.embedder.wordDimension = 4
        settings.embedder.charDimension = 3
        settings.embedder.charFilters = 3
        var tagger = CRFTagger.Settings()
        tagger.hiddenSize = 3
        tagger.layers = 1
        var coref = CoreferenceLevel.Settings()
        coref.encoder = BiLSTMSettings(hiddenSize: 3, layers: 1, dropout: 0)
        coref.head.featureSize = 2
        coref.head.hiddenSize = 4
        coref.head.maxSpanWidth = 3
        coref.head.maxAntecedents = 5
        coref.evaluateOnGoldMentions = goldMentions
        var relation = RelationLevel.Settings()
        relation.encoder = BiLSTMSettings(hiddenSize: 3, layers: 2, dropout: 0.2)
        relation.scorerSize = 4
        settings.levels = [HierarchicalModel.TaggerLevel(task: .ner, settings: tagger), HierarchicalModel.TaggerLevel(task: .emd, settings: tagger),
                           coref, relation]
        let model = HierarchicalModel(settings: settings, vocabularies: vocabularies)
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: seed, pretrained: nil)

        let tokens = sentences.map(\.tokens)
        let ids = Array(sentences.indices)
        func tags(_ spans: KeyPath<Sentence, [LabeledSpan]>, _ vocabulary: Vocabulary) -> [[Int]] {
            sentences.map { s in BILOU.tags(for: s[keyPath: spans], count: s.tokens.count).map { vocabulary.index(of: $0) ?? 0 } }
        }
        var batches: [Task: TaggingBatch] = [:]
        batches[.ner] = TaggingBatch(sentences: tokens, exampleIDs: ids, tags: tags(\.entities, nerTags), vocabulary: vocabularies, frozen: nil)
        batches[.emd] = TaggingBatch(sentences: tokens, exampleIDs: ids, tags: tags(\.mentions, emdTags), vocabulary: vocabularies, frozen: nil)
        var re = TaggingBatch(sentences: tokens, exampleIDs: ids, vocabulary: vocabularies, frozen: nil)
        re.relations = sentences.map { $0.relations.map { RelationPair($0, type: relationTypes.index(of: $0.label)!) } }
        batches[.relation] = re
        var cr = TaggingBatch(sentences: [all.flatMap(\.tokens)], exampleIDs: [0], vocabulary: vocabularies, frozen: nil)
        cr.coreference = CoreferenceDocument(document)
        batches[.coref] = cr
        return Fixture(model: model, arena: arena, batches: batches)
    }

    func testLayoutFollowsTheHierarchy() {
        let f = fixture()
        XCTAssertEqual(f.model.tasks, [.ner, .emd, .coref, .relation])
        let ner = f.model.parameterRanges(for: .ner), emd = f.model.parameterRanges(for: .emd)
        let coref = f.model.parameterRanges(for: .coref), relation = f.model.parameterRanges(for: .relation)
        XCTAssertEqual(ner.count, 1); XCTAssertEqual(emd.count, 1); XCTAssertEqual(coref.count, 1)
        XCTAssertLessThan(ner[0].upperBound, emd[0].upperBound)
        XCTAssertEqual(relation.count, 2, "RE: the stack below it, then its own block after the coref block")
        XCTAssertEqual(relation[0], emd[0])
        XCTAssertEqual(relation[1].upperBound, f.arena.count)
        XCTAssertEqual(relation[1].lowerBound, coref[0].upperBound)
        // Shortcut inputs: EMD reads [g_e, g_ner]; RE and CR read [g_e, g_emd].
        let ge = f.model.embedder.outputSize
        let taggers = f.model.levels(of: CRFTagger.self)
        XCTAssertEqual(taggers[1].encoder.inputSize, ge + taggers[0].encoder.outputSize)
        XCTAssertEqual(f.model.levels(of: RelationLevel.self)[0].encoder.inputSize, ge + taggers[1].encoder.outputSize)
        XCTAssertEqual(f.model.levels(of: CoreferenceLevel.self)[0].encoder.inputSize, ge + taggers[1].encoder.outputSize)
    }

    /// Each task's update reaches its own level and everything below, nothing above or beside.
    func testGradientsStayInsideEachTasksRanges() {
        for task in [Task.ner, .emd, .coref, .relation] {
            let f = fixture()
            var rngs = f.batches[task]!.exampleIDs.map { RNG(seed: 1, stream: [UInt64($0)]) }
            let loss = f.model.trainStep(task, batch: f.batches[task]!, arena: f.arena, rngs: &rngs)
            XCTAssertTrue(loss.isFinite && loss > 0, "\(task): loss \(loss)")
            let ranges = f.model.parameterRanges(for: task)
            let outside = (0..<f.arena.count).filter { i in !ranges.contains { $0.contains(i) } }
            XCTAssertFalse(outside.isEmpty, "\(task): its ranges cover every parameter, so nothing is checked")
            for i in outside {
                XCTAssertEqual(f.arena.grads[i], 0, "\(task): gradient outside its ranges at \(i)")
            }
            let words = f.model.layout.range(ofPrefix: "embedder/words")
            XCTAssertTrue(f.arena.grads[words].contains { $0 != 0 }, "\(task): no gradient reached the embedder")
        }
    }

    /// Every task's backward reports its blocks as it finishes them, one per encoder direction
    /// and tagger projection at least, and keeps the promise of each report.
    func testBackwardReportsOnlyFinishedGradients() {
        let f = fixture()
        for task in [Task.ner, .emd, .coref, .relation] {
            var rngs = f.batches[task]!.exampleIDs.map { RNG(seed: 1, stream: [UInt64($0)]) }
            let offsets = assertBackwardKeepsItsReports(f.model, task, batch: f.batches[task]!, arena: f.arena, rngs: &rngs)
            let directions = [Task.ner: 2, .emd: 4, .coref: 6, .relation: 8][task]!  // 1-layer taggers, CR 1 layer, RE 2
            let projections = task == .ner || task == .emd ? 1 : 0
            XCTAssertEqual(offsets.count, directions + projections + 2, "\(task): \(offsets)")  // + the word table and the char CNN
        }
    }

    /// Finite differences through the shortcut stack, one link at a time: EMD's loss w.r.t. its
    /// own level, the NER encoder below it and the word embeddings; RE's loss w.r.t. the EMD
    /// encoder and the word embeddings. (RE's summed loss is large next to the gradients of
    /// encoders two levels down, so the deeper links are left to the EMD check.) Heads with
    /// ReLU scorers are checked on their own in RelationHeadTests and CoreferenceHeadTests,
    /// where inputs are chosen away from the kinks.
    func testUpperTasksGradientsThroughTheStack() {
        let f = fixture()
        for (task, prefixes) in [(Task.emd, ["embedder/words", "ner/encoder", "emd/"]), (.relation, ["embedder/words", "emd/encoder"])] {
            // Two sentences: a small summed loss keeps Float32 round-off in the difference
            // quotient (≈1e-7·|L|/h) well under the smallest gradients checked.
            let batch = fixture(sentences: 2).batches[task]!
            let rngs = batch.exampleIDs.map { RNG(seed: 1, stream: [UInt64($0)]) }
            func loss() -> Double {
                var r = rngs
                f.arena.zeroGrads()
                return f.model.trainStep(task, batch: batch, arena: f.arena, rngs: &r)
            }
            _ = loss()
            let analytic = Array(f.arena.grads)
            var rng = RNG(seed: 8)
            var checked: [String: Int] = [:]
            for p in f.model.layout.parameters where prefixes.contains(where: p.name.hasPrefix) {
                checked[prefixes.first(where: p.name.hasPrefix)!, default: 0] += 1
                GradientCheck.check("\(task) \(p.name)", at: f.arena.value(p), count: p.count, analytic: Array(analytic[p.range]),
                                    samples: 12, step: 3e-2, rng: &rng, loss: loss)
            }
            for prefix in prefixes { XCTAssertGreaterThan(checked[prefix] ?? 0, 0, "\(task): no parameter named \(prefix)… was checked") }
        }
    }

    /// A-GM / E-GM: with gold mentions, every predicted cluster member is a gold mention.
    func testGoldMentionEvaluationPredictsOnlyGoldMentions() {
        let f = fixture(goldMentions: true)
        let batch = f.batches[.coref]!
        let gold = Set(batch.coreference!.clusters.flatMap { $0 })
        let prediction = f.model.predictCoreference(batch, arena: f.arena)
        XCTAssertFalse(prediction.clusters.isEmpty, "no cluster predicted, so the check below sees nothing")
        XCTAssertTrue(prediction.clusters.allSatisfy { $0.allSatisfy(gold.contains) }, "\(prediction.clusters) vs \(gold)")
        XCTAssertTrue(prediction.kept.allSatisfy(gold.contains))
        XCTAssertFalse(prediction.kept.isEmpty)
    }

    func testPredictionsForEveryTask() {
        let f = fixture()
        XCTAssertEqual(f.model.predict(.emd, batch: f.batches[.emd]!, arena: f.arena).tags.count, f.batches[.emd]!.count)
        XCTAssertEqual(f.model.predictRelations(f.batches[.relation]!, arena: f.arena).count, f.batches[.relation]!.count)
        let clusters = f.model.predictCoreference(f.batches[.coref]!, arena: f.arena).clusters
        let n = f.batches[.coref]!.lengths[0]
        XCTAssertFalse(clusters.isEmpty, "no cluster predicted, so the bounds check below sees nothing")
        XCTAssertTrue(clusters.allSatisfy { $0.allSatisfy { $0.start >= 0 && $0.end < n } })
    }
}
