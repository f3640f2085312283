import Checkpoint
import Corpus
import Foundation
import Model
import Tensor
import TestSupport
import XCTest
@testable import Prediction
@testable import Training

/// `hmtl predict` and `hmtl embed` on a short-trained four-task checkpoint: predictions on a gold
/// file score with `hmtl score` exactly as `hmtl evaluate` scores the checkpoint, the one-pass
/// inference equals the per-task predictions, and the exported vectors equal a direct forward.
final class PredictCommandTests: XCTestCase {
    /// Unseen documents: their words are partly out of the training vocabulary.
    static let documents = DemoCorpus.generate(documents: 8, seed: 99)

    /// The shared short four-task run (`TrainedCheckpoint`).
    private func checkpoint() throws -> String { try TrainedCheckpoint.fourTask().path }

    private func json(_ text: String) throws -> [String: Any] { try jsonObject(text) }

    private func dygie(_ documents: [Document]) throws -> String { try TrainedCheckpoint.dygie(documents) }

    /// The gold side of `PredictionFiles`: the same layout with the gold annotations.
    private func gold(_ documents: [Document]) -> [DocumentPrediction] {
        documents.map { d in
            DocumentPrediction(id: d.id, tokens: d.sentences.map(\.tokens),
                               spans: [.ner: d.sentences.map(\.entities), .emd: d.sentences.map(\.entities)], relations: [.relation: d.sentences.map(\.relations)], clusters: [.coref: d.clusters])
        }
    }

    func testScoringPredictionsOnAGoldFileMatchesEvaluate() throws {
        let ckpt = try checkpoint()
        let dir = try makeTemporaryDirectory()
        let goldFile = dir.appendingPathComponent("gold.json")
        try dygie(Self.documents).write(to: goldFile, atomically: true, encoding: .utf8)
        // RE is evaluated on the sentences with relations only: score it on a file of just those.
        let relationDocuments = Self.documents.map { d in
            Document(id: d.id, sentences: d.sentences.filter { !$0.relations.isEmpty }, hasEntities: true, hasRelations: true)
        }.filter { !$0.sentences.isEmpty }
        let relationGold = dir.appendingPathComponent("re-gold.json")
        try dygie(relationDocuments).write(to: relationGold, atomically: true, encoding: .utf8)

        let evaluate = try succeeded(CommandRunner.run(["evaluate", "--checkpoint", ckpt, "--data", goldFile.path, "--format", "dygie", "--json"]))
        var expected: [String: Double] = [:], expectedStrict: Double?
        for line in evaluate.stdout.split(separator: "\n") {
            let o = try json(String(line))
            expected[try XCTUnwrap(o["task"] as? String)] = try XCTUnwrap(o["f1"] as? Double)
            if o["task"] as? String == "relation" { expectedStrict = try XCTUnwrap(o["strict_f1"] as? Double, "\(o)") }
        }
        XCTAssertEqual(Set(expected.keys), ["ner", "emd", "relation", "coref"])
        XCTAssertGreaterThan(expected["ner"]!, 0, "the checkpoint should predict some entities: \(expected)")

        // Exact equality needs the shapes `evaluate` used (other batch shapes round differently in
        // the last bits, which can flip a near-tie): 64 sentences, one document per coreference batch.
        let pred = dir.appendingPathComponent("pred"), predRE = dir.appendingPathComponent("pred-re")
        let predCoref = dir.appendingPathComponent("pred-coref")
        let run = try succeeded(CommandRunner.run(["predict", "--checkpoint", ckpt, "--input", goldFile.path, "--input-format", "dygie",
                                                   "--format", "conll", "--output", pred.path, "--batch-size", "64"]))
        XCTAssertTrue(run.stderr.contains("8 documents"), run.stderr)
        XCTAssertTrue(run.stderr.contains("tokens/s"), run.stderr)
        try succeeded(CommandRunner.run(["predict", "--checkpoint", ckpt, "--input", relationGold.path, "--input-format", "dygie",
                                         "--format", "conll", "--output", predRE.path, "--batch-size", "64"]))
        try succeeded(CommandRunner.run(["predict", "--checkpoint", ckpt, "--input", goldFile.path, "--input-format", "dygie",
                                         "--format", "conll", "--output", predCoref.path, "--batch-size", "1"]))
        let goldFiles = Dictionary(uniqueKeysWithValues: try PredictionFiles.render(gold(Self.documents)).map { ($0.name, $0.text) })
        for (name, text) in goldFiles { try text.write(to: dir.appendingPathComponent("gold-" + name), atomically: true, encoding: .utf8) }

        func score(_ task: String, gold: String, pred: URL) throws -> [String: Any] {
            try json(try succeeded(CommandRunner.run(["score", "--task", task, "--gold", dir.appendingPathComponent(gold).path,
                                                      "--pred", pred.path, "--json"])).stdout)
        }
        let ner = try score("ner", gold: "gold-ner.conll", pred: pred.appendingPathComponent("ner.conll"))
        let emd = try score("emd", gold: "gold-emd.conll", pred: pred.appendingPathComponent("emd.conll"))
        let coref = try score("coref", gold: "gold-coref.conll", pred: predCoref.appendingPathComponent("coref.conll"))
        let re = try score("relation", gold: "re-gold.json", pred: predRE.appendingPathComponent("relation.jsonl"))
        func f1(_ object: [String: Any]?) -> Double? { (object?["overall"] as? [String: Any])?["f1"] as? Double }
        XCTAssertEqual(try XCTUnwrap(f1(ner)), expected["ner"]!, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(f1(emd)), expected["emd"]!, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(coref["average_f1"] as? Double), expected["coref"]!, accuracy: 1e-9)
        XCTAssertEqual(try XCTUnwrap(f1(re["head"] as? [String: Any])), expected["relation"]!, accuracy: 1e-9)
        // The strict-boundary F1 evaluation (and validation) computes is that of predict's argument spans.
        let strict = try XCTUnwrap(re["strict"] as? [String: Any])
        XCTAssertGreaterThan(try XCTUnwrap((strict["overall"] as? [String: Any])?["predicted"] as? Double), 0, "no relation predicted: nothing compared")
        XCTAssertEqual(try XCTUnwrap(f1(strict)), try XCTUnwrap(expectedStrict), accuracy: 1e-9)
    }

    func testJSONLinesFromTextCarryTheTrainedTasksWithExclusiveEnds() throws {
        let ckpt = try checkpoint()
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("in.txt")
        let text = Self.documents.prefix(3).map { $0.sentences.map { $0.tokens.joined(separator: " ") }.joined(separator: " ") }
        try (text.joined(separator: "\n\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out.jsonl")
        try succeeded(CommandRunner.run(["predict", "--checkpoint", ckpt, "--input", input.path, "--output", out.path]))
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: ckpt))
        let input3 = PredictionInput.text(try String(contentsOf: input, encoding: .utf8))
        let expected = try Predictor(model: trained.model, arena: trained.arena, batchSize: 64).predict(input3.documents)
        XCTAssertEqual(expected.count, lines.count, "one line per input document")
        for (line, prediction) in zip(lines, expected) {
            let object = try json(String(line))
            XCTAssertEqual(Set(object.keys), ["id", "tokens", "ner", "emd", "relation", "coref", "offsets"])
            XCTAssertEqual(object["tokens"] as? [[String]], prediction.tokens)
            let ner = try XCTUnwrap(object["ner"] as? [[String: Any]])
            XCTAssertEqual(ner.map { [$0["sentence"] as! Int, $0["start"] as! Int, $0["end"] as! Int] },
                           prediction.spans[.ner]!.enumerated().flatMap { s, spans in spans.map { [s, $0.span.start, $0.span.end + 1] } })
        }
        XCTAssertEqual(expected.map(\.id), ["line-1", "line-3", "line-5"])
    }

    /// The one-pass inference (all levels from one stack) and the batching across documents put
    /// every prediction back where it belongs: equal to the model's per-task predictions on the
    /// same batches. (On other batches the scores differ in the last bits — see
    /// HierarchicalModelTests.testPredictionIsIndependentOfBatchComposition.)
    func testPredictorEqualsPerTaskPredictions() throws {
        let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: try checkpoint()))
        let model = trained.model
        let batchSize = 7
        let predictions = try Predictor(model: model, arena: trained.arena, batchSize: batchSize).predict(Self.documents)
        XCTAssertEqual(predictions.count, Self.documents.count)

        let located = Self.documents.enumerated().flatMap { d, document in
            document.sentences.indices.filter { !document.sentences[$0].tokens.isEmpty }.map { (d, $0) }
        }
        func tokens(_ k: Int) -> [String] { Self.documents[located[k].0].sentences[located[k].1].tokens }
        let batches = lengthSortedBatches(Array(located.indices), size: batchSize) { tokens($0).count }
        XCTAssertGreaterThan(batches.count, 1, "sentences of several documents share batches")
        var compared = 0
        for chunk in batches {
            let batch = TaggingBatch(sentences: chunk.map(tokens), exampleIDs: chunk, vocabulary: model.vocabularies, frozen: nil)
            let cells = model.predictRelations(batch, arena: trained.arena)
            for task in [Task.ner, .emd] {
                let names = model.vocabularies.tags[task]!.entries
                let tags = model.predict(task, batch: batch, arena: trained.arena).tags
                for (b, k) in chunk.enumerated() {
                    let (d, s) = located[k]
                    XCTAssertEqual(predictions[d].spans[task]?[s], try BILOU.spans(from: tags[b].map { names[$0] }), "\(task) of \(d):\(s)")
                }
            }
            for (b, k) in chunk.enumerated() {
                let (d, s) = located[k]
                XCTAssertEqual(predictions[d].relations[.relation]![s].map { [$0.head.end, $0.tail.end] }, cells[b].map { [$0.i, $0.j] }, "relations of \(d):\(s)")
                compared += 1
            }
        }
        XCTAssertEqual(compared, located.count, "every sentence compared")

        let groups = Predictor.documentBatches(Self.documents, size: batchSize)
        XCTAssertEqual(groups.flatMap { $0 }.sorted(), Array(Self.documents.indices), "every document in one coreference batch")
        for group in groups {
            let batch = TaggingBatch(sentences: group.map { Self.documents[$0].sentences.flatMap(\.tokens) }, exampleIDs: group,
                                     vocabulary: model.vocabularies, frozen: nil)
            let direct = model.predictCoreference(batch, documents: group.map { CoreferenceDocument(Self.documents[$0]) }, arena: trained.arena)
            XCTAssertEqual(direct.count, group.count)
            for (d, result) in zip(group, direct) {
                let offsets = Self.documents[d].sentenceOffsets
                XCTAssertEqual(predictions[d].clusters[.coref]!.map { $0.map { TokenSpan(start: offsets[$0.sentence] + $0.span.start, end: offsets[$0.sentence] + $0.span.end) } },
                               result.clusters, "coreference of document \(d)")
            }
        }
    }

    func testEmbedWritesLayersThatEqualADirectForward() throws {
        let ckpt = try checkpoint()
        let dir = try makeTemporaryDirectory()
        let input = dir.appendingPathComponent("gold.json")
        try dygie(Self.documents).write(to: input, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("emb.h5")
        try succeeded(CommandRunner.run(["embed", "--checkpoint", ckpt, "--input", input.path, "--input-format", "dygie",
                                         "--output", out.path, "--layers", "ge,ner,emd,relation,coref", "--pool", "max", "--batch-size", "6"]))
        let sentences = Self.documents.flatMap(\.sentences)
        let file = try HDF5File.openReadOnly(out)
        XCTAssertEqual(try file.readStrings(at: "/sentences"), sentences.map { $0.tokens.joined(separator: " ") })
        XCTAssertEqual(try file.readStrings(at: "/documents"), Self.documents.map(\.id))
        XCTAssertEqual(try file.read(Int64.self, at: "/sentence_document").values,
                       Self.documents.enumerated().flatMap { d, doc in doc.sentences.map { _ in Int64(d) } })
        XCTAssertEqual(try file.stringAttribute("layers"), "ge,ner,emd,relation,coref")
        XCTAssertEqual(try file.stringAttribute("pool"), "max")
        XCTAssertEqual(try file.attribute("step", as: Int64.self), 150)

        // A direct forward of one sentence alone: g_e, then the NER encoder on it.
        let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: ckpt))
        let model = trained.model
        var noRNGs = [RNG]()
        for i in [0, 5, sentences.count - 1] {
            let batch = TaggingBatch(sentences: [sentences[i].tokens], exampleIDs: [0], vocabulary: model.vocabularies, frozen: nil)
            let ge = model.embedder.forward(batch, arena: trained.arena, training: false, rngs: &noRNGs).0
            let h = model.levels[0].encoder.forward(ge, lengths: batch.lengths, arena: trained.arena, training: false, rngs: &noRNGs).0
            for (layer, direct) in [("ge", ge), ("ner", h)] {
                let stored = try file.read(Float.self, at: "/\(layer)/\(i)")
                XCTAssertEqual(stored.shape, [sentences[i].tokens.count, direct.columns])
                XCTAssertEqual(stored.values.count, direct.count)
                for (a, b) in zip(stored.values, direct.data) { XCTAssertEqual(a, b, accuracy: 1e-5, "\(layer) of sentence \(i)") }
            }
        }
        // Pooled rows are the max over each sentence's token vectors.
        for layer in ["ge", "ner", "emd", "relation", "coref"] {
            let pooled = try file.read(Float.self, at: "/\(layer)_pooled")
            let dim = pooled.shape[1]
            XCTAssertEqual(pooled.shape[0], sentences.count)
            for i in [0, sentences.count / 2] {
                let tokens = try file.read(Float.self, at: "/\(layer)/\(i)").values
                let maxima = (0..<dim).map { k in stride(from: k, to: tokens.count, by: dim).map { tokens[$0] }.max()! }
                XCTAssertEqual(Array(pooled.values[(i * dim)..<((i + 1) * dim)]), maxima, "\(layer) sentence \(i)")
            }
        }
        try file.close()

        let mean = dir.appendingPathComponent("mean.h5")
        try succeeded(CommandRunner.run(["embed", "--checkpoint", ckpt, "--input", input.path, "--input-format", "dygie",
                                         "--output", mean.path, "--layers", "ner", "--pool", "mean"]))
        let meanFile = try HDF5File.openReadOnly(mean)
        let tokens = try meanFile.read(Float.self, at: "/ner/1")
        let pooled = try meanFile.read(Float.self, at: "/ner_pooled")
        let dim = tokens.shape[1], n = tokens.shape[0]
        for k in 0..<dim {
            let average = stride(from: k, to: tokens.values.count, by: dim).map { tokens.values[$0] }.reduce(0, +) / Float(n)
            XCTAssertEqual(pooled.values[dim + k], average, accuracy: 1e-6)
        }
        XCTAssertEqual(try meanFile.children(of: "/"), ["documents", "ner", "ner_pooled", "sentence_document", "sentences"])
        try meanFile.close()
    }

    func testBadInputExitsTwoNamingTheProblem() throws {
        let ckpt = try checkpoint()
        let dir = try makeTemporaryDirectory()
        let missing = try CommandRunner.run(["predict", "--checkpoint", dir.appendingPathComponent("none.h5").path, "--input", ckpt])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("none.h5"), missing.stderr)
        let bad = dir.appendingPathComponent("bad.json")
        try "{\"doc_key\": \"a\", \"sentences\": [[\"x\"]]}\nnot json\n".write(to: bad, atomically: true, encoding: .utf8)
        let malformed = try CommandRunner.run(["predict", "--checkpoint", ckpt, "--input", bad.path, "--input-format", "dygie"])
        XCTAssertEqual(malformed.status, 2)
        XCTAssertTrue(malformed.stderr.contains("bad.json:2"), malformed.stderr)
        let format = try CommandRunner.run(["predict", "--checkpoint", ckpt, "--input", bad.path, "--input-format", "xml"])
        XCTAssertEqual(format.status, 2)
        XCTAssertTrue(format.stderr.contains("text, conll2003"), format.stderr)
        let layer = try CommandRunner.run(["embed", "--checkpoint", ckpt, "--input", bad.path, "--output", dir.appendingPathComponent("e.h5").path,
                                           "--layers", "ge,srl"])
        XCTAssertEqual(layer.status, 2)
        XCTAssertTrue(layer.stderr.contains("no layer 'srl'; available: ge, ner, emd, coref, relation"), layer.stderr)
        for (old, new) in [("re", "relation"), ("cr", "coref")] {
            let renamed = try CommandRunner.run(["embed", "--checkpoint", ckpt, "--input", bad.path,
                                                 "--output", dir.appendingPathComponent("e.h5").path, "--layers", "ge,\(old)"])
            XCTAssertEqual(renamed.status, 2)
            XCTAssertEqual(renamed.stderr, "hmtl: error: --layers: '\(old)' is now spelled '\(new)' (the task's name)\n")
        }
    }
}
