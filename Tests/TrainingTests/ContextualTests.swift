import Checkpoint
import Corpus
import Distributed
import Foundation
import Model
import Prediction
import Tensor
import TestSupport
import XCTest
@testable import Training

/// Precomputed contextual (ELMo) features: the config keys, the AllenNLP file layout and its
/// validation against the corpus, training with the scalar mix, exact resume and evaluation.
final class ContextualTests: XCTestCase {
    static let layers = 3, dim = 6

    /// The `data` object of a demo task with contextual features from `dir`/{train,dev,test}.h5.
    static func data(_ dir: String) -> [String: Any] {
        ["format": "demo", "documents": 20, "seed": 5,
         "contextual": ["train": "\(dir)/train.h5", "dev": "\(dir)/dev.h5", "test": "\(dir)/test.h5"]]
    }

    /// NER (or `tasks`) on a small demo corpus with contextual features.
    static func config(_ dir: String, tasks: [String: Any]? = nil) -> [String: Any] {
        [
            "seed": 3,
            "embedder": ["word_dim": 8, "char_dim": 4, "char_filters": 6, "char_dropout": 0.1,
                         "contextual": ["layers": layers, "dim": dim]],
            "tasks": tasks ?? ["ner": ["data": data(dir), "batch_size": 4, "encoder": ["hidden": 6, "layers": 1]]],
            "training": ["max_steps": 20, "log_every": 5, "validate_every": 10, "checkpoint_every": 10, "patience": 100],
        ]
    }

    private func parse(_ json: [String: Any], overrides: [String] = [], base: URL? = nil) throws -> RunConfig {
        var root = json
        for o in overrides { try RunConfig.apply(override: o, to: &root) }
        return try RunConfig(json: root, baseDirectory: base)
    }

    private func demoFiles() throws -> URL {
        let dir = try makeTemporaryDirectory()
        try ContextualFixture.writeDemo(in: dir, documents: 20, seed: 5, layers: Self.layers, dim: Self.dim)
        return dir
    }

    // MARK: Config

    func testConfigKeysAndRelativePaths() throws {
        let config = try parse(Self.config("features"), base: URL(fileURLWithPath: "/data/run"))
        XCTAssertEqual(config.embedder.contextual, Embedder.ContextualSettings(layers: 3, dimension: 6, dropout: 0))
        XCTAssertEqual(config.tasks[.ner]!.data.contextual,
                       ContextualPaths(train: "/data/run/features/train.h5", dev: "/data/run/features/dev.h5", test: "/data/run/features/test.h5"))
        XCTAssertEqual(config.modelSettings.embedder.contextual?.layers, 3)
        let reference = try parse(Self.config("f"), overrides: ["embedder.contextual={}"])
        XCTAssertEqual(reference.embedder.contextual, Embedder.ContextualSettings(layers: 3, dimension: 1024, dropout: 0),
                       "defaults: the original ELMo, no dropout (docs/design.md, Shared embedding)")
        XCTAssertNil(try parse(Self.config("f"), overrides: ["embedder.contextual=null", "tasks.ner.data.contextual=null"]).embedder.contextual)
    }

    func testConfigErrorsNameTheKey() {
        func error(_ overrides: String...) -> String {
            do { _ = try parse(Self.config("f"), overrides: overrides); return "no error" } catch { return "\(error)" }
        }
        let cases: [(String, String)] = [
            (error("tasks.ner.data.contextual=null"), "tasks.ner.data.contextual: missing; embedder.contextual is set"),
            (error("embedder.contextual=null"), "tasks.ner.data.contextual: embedder.contextual is not set"),
            (error("tasks.ner.data.contextual={\"train\": \"a\", \"dev\": \"b\"}"), "tasks.ner.data.contextual.test: missing"),
            (error("embedder.contextual.layers=0"), "embedder.contextual.layers: expected an integer in 1...64"),
            (error("embedder.contextual.dims=6"), "embedder.contextual.dims: unknown key"),
            (error("embedder.contextual.dropout=1"), "embedder.contextual.dropout"),
        ]
        for (message, expected) in cases { XCTAssertTrue(message.contains(expected), "expected \(expected.debugDescription) in: \(message)") }
    }

    // MARK: Loading and validation

    /// Every task's examples get features equal to the file's: one sentence each for NER and
    /// RE, a document's sentences concatenated for coreference; a file shared by tasks is shared.
    func testFeaturesAttachToEveryTask() throws {
        let dir = try demoFiles()
        let data = Self.data(dir.path)
        let tasks: [String: Any] = ["ner": ["data": data], "relation": ["data": data], "coref": ["data": data, "encoder": ["hidden": 4]]]
        let loaded = try RunData.load(try parse(Self.config(dir.path, tasks: tasks)))
        for task in [Task.ner, .relation, .coref] {
            for examples in [loaded.train[task]!, loaded.dev[task]!, loaded.test[task]!] where examples.count > 0 {
                let features = try XCTUnwrap(examples.contextual, "\(task) has no features")
                let i = examples.count - 1
                let batch = examples.batch([i], vocabularies: loaded.vocabularies)
                let expected = ContextualFixture.values(examples.sequences[i], layers: Self.layers, dim: Self.dim)
                XCTAssertEqual(batch.contextual?.data, expected, "\(task) example \(i)")
                XCTAssertEqual(features.tokenCount(ofExample: i), examples.sequences[i].count)
            }
        }
        XCTAssertGreaterThan(loaded.train[.coref]!.documents[0].sentenceLengths.count, 1, "coref documents span several sentences")
        loaded.train[.ner]!.contextual!.values.withUnsafeBufferPointer { a in
            loaded.train[.coref]!.contextual!.values.withUnsafeBufferPointer { b in
                XCTAssertEqual(a.baseAddress, b.baseAddress, "tasks reading one file share its values")
            }
        }
    }

    /// Each way a file can disagree with the corpus or the config is an error naming the file
    /// and the sentence.
    func testValidationErrorsNameTheFileAndSentence() throws {
        let dir = try demoFiles()
        let train = dir.appendingPathComponent("train.h5")
        let config = try parse(Self.config(dir.path))
        let documents = DemoCorpus.splits(documents: 20, seed: 5).train
        let good = ContextualFixture.entries(documents, layers: Self.layers, dim: Self.dim)
        let first = good[0]
        let n = first.shape[1]

        func failure(_ entries: [ContextualFixture.Entry], index: Bool = true) throws -> String {
            try ContextualFixture.write(train, entries: entries, index: index)
            do {
                _ = try RunData.load(config)
                return "no error"
            } catch {
                return "\(error)"
            }
        }
        func check(_ message: String, _ expected: [String], line: UInt = #line) {
            for part in [train.path] + expected {
                XCTAssertTrue(message.contains(part), "expected \(part.debugDescription) in: \(message)", line: line)
            }
        }
        func replacingFirst(shape: [Int], values: [Float]) -> [ContextualFixture.Entry] {
            // The first sentence may repeat later; drop the repeats so the bad entry is the one used.
            [ContextualFixture.Entry(text: first.text, shape: shape, values: values)] + good.dropFirst().filter { $0.text != first.text }
        }
        XCTAssertEqual(try failure(good), "no error")

        check(try failure(good.filter { $0.text != first.text }), ["no entry in sentence_to_index", first.text.prefix(40).description])
        check(try failure(replacingFirst(shape: [3, n + 1, 6], values: [Float](repeating: 0, count: 3 * (n + 1) * 6))),
              ["\(n + 1) tokens; the corpus sentence has \(n)", first.text.prefix(40).description])
        check(try failure(replacingFirst(shape: [2, n, 6], values: [Float](repeating: 0, count: 2 * n * 6))),
              ["2 layers of dimension 6; embedder.contextual says 3 layers of dimension 6"])
        check(try failure(replacingFirst(shape: [3, n, 5], values: [Float](repeating: 0, count: 3 * n * 5))),
              ["3 layers of dimension 5; embedder.contextual says 3 layers of dimension 6"])
        check(try failure(replacingFirst(shape: [n, 6], values: [Float](repeating: 0, count: n * 6))),
              ["has shape [\(n), 6]; expected [layers, tokens, dim] = [3, \(n), 6]", "allennlp elmo --all"])
        var poisoned = first.values
        poisoned[2 * n * 6 + 6 + 4] = .nan
        check(try failure(replacingFirst(shape: first.shape, values: poisoned)),
              ["non-finite value (nan) at layer 2, token 1, component 4", first.text.prefix(40).description])
        check(try failure(good, index: false), ["sentence_to_index", "--forget-sentences"])
        try FileManager.default.removeItem(at: train)
        do {
            _ = try RunData.load(config)
            XCTFail("a missing file loaded")
        } catch {
            check("\(error)", ["no such file"])
        }
    }

    // MARK: Training

    /// A few steps with the mix on: the dev loss falls, and the mix's scalars and γ move.
    func testTrainingWithContextualFeaturesLowersTheLoss() throws {
        let dir = try demoFiles()
        let config = try parse(Self.config(dir.path), overrides: ["training.learning_rate=0.01"])
        let data = try RunData.load(config)
        let output = try makeTemporaryDirectory()
        let trainer = try Trainer(config: config, communicator: SingleProcessCommunicator(), data: data, output: output, pretrained: nil)
        let mix = try XCTUnwrap(trainer.model.embedder.contextual)
        func devLoss() throws -> Double {
            try XCTUnwrap(try Evaluator(model: trainer.model, arena: trainer.arena, batchSize: 16)
                .evaluate(.ner, examples: data.dev[.ner]!, communicator: SingleProcessCommunicator()).loss)
        }
        let before = try devLoss()
        for _ in 0..<40 { _ = try trainer.trainStep() }
        let after = try devLoss()
        XCTAssertLessThan(after, 0.7 * before, "dev loss \(before) → \(after)")
        XCTAssertNotEqual(trainer.arena.value(mix.gamma).pointee, 1, "γ never moved")
        XCTAssertNotEqual(Array(UnsafeBufferPointer(start: trainer.arena.value(mix.scalars), count: 3)), [0, 0, 0], "w never moved")
    }

    /// Stopped at step 10 and resumed, a run with contextual features ends bit-identical to a
    /// straight one; its checkpoint holds the mix and `hmtl evaluate` finds the split's features
    /// through the stored config.
    func testResumeIsBitExactAndEvaluateReadsTheFeatures() throws {
        let dir = try demoFiles()
        let config = dir.appendingPathComponent("elmo.json")
        try JSONSerialization.data(withJSONObject: Self.config(dir.path)).write(to: config)
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        let common = ["train", "--config", config.path]
        let a = try CommandRunner.run(common + ["--output", straight.path])
        XCTAssertEqual(a.status, 0, a.stdout + a.stderr)
        XCTAssertEqual(try CommandRunner.run(common + ["--output", resumed.path, "--set", "training.max_steps=10"]).status, 0)
        let again = try CommandRunner.run(common + ["--output", resumed.path, "--resume"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("resumed from ckpt-10.h5"), again.stdout)
        let p = try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: straight))).parameters
        let q = try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: resumed))).parameters
        ParameterComparison.assertBitIdentical(p, q, "after resume")
        let gamma = try XCTUnwrap(p.first { $0.name == "embedder/contextual/gamma" })
        XCTAssertNotEqual(gamma.values, [1], "the checkpoint holds the trained γ")
        XCTAssertEqual(p.first { $0.name == "embedder/contextual/scalars" }?.values.count, 3)

        let checkpoint = straight.appendingPathComponent("ckpt-20.h5").path
        let evaluate = try CommandRunner.run(["evaluate", "--checkpoint", checkpoint, "--split", "dev", "--json"])
        XCTAssertEqual(evaluate.status, 0, evaluate.stdout + evaluate.stderr)
        XCTAssertNotNil((try? JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8))) as? [String: Any], evaluate.stdout)
        try assertPredictUsesTheFeatures(checkpoint: checkpoint, features: dir.appendingPathComponent("dev.h5"))

        // The test split's file is gone: evaluate must say so, not score without features.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("test.h5"))
        let missing = try CommandRunner.run(["evaluate", "--checkpoint", checkpoint])
        XCTAssertEqual(missing.status, 2, missing.stdout + missing.stderr)
        XCTAssertTrue(missing.stderr.contains("test.h5: no such file"), missing.stderr)
    }

    /// `predict` refuses input without features; with them, the predictor tags exactly as the
    /// model does on training-path batches (features attached by `RunData`).
    private func assertPredictUsesTheFeatures(checkpoint: String, features: URL) throws {
        let text = features.deletingLastPathComponent().appendingPathComponent("input.txt")
        try "Some words here .\n".write(to: text, atomically: true, encoding: .utf8)
        let refused = try CommandRunner.run(["predict", "--checkpoint", checkpoint, "--input", text.path])
        XCTAssertEqual(refused.status, 2, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("mixes contextual embeddings into g_e: give --contextual FILE"), refused.stderr)

        let trained = try TrainedModel(checkpoint: URL(fileURLWithPath: checkpoint))
        let data = try RunData.load(trained.config)
        let dev = try XCTUnwrap(data.dev[.ner])
        let sentences = dev.sentences.map { $0[0] }  // a NER example is one sentence
        let documents = sentences.enumerated().map { Document(id: "s\($0.offset)", sentences: [Sentence(tokens: $0.element)]) }
        let file = try ContextualFile(path: features.path, settings: try XCTUnwrap(trained.config.embedder.contextual), sentences: sentences)
        let predicted = try Predictor(model: trained.model, arena: trained.arena, batchSize: 5, contextual: file).predict(documents)
        XCTAssertEqual(predicted.count, sentences.count)
        // The same batches as the predictor's, so the same shapes: equal bit for bit.
        let names = trained.model.vocabularies.tags[.ner]!.entries
        var compared = 0
        for chunk in lengthSortedBatches(Array(sentences.indices), size: 5, length: { sentences[$0].count }) {
            let direct = trained.model.predict(.ner, batch: dev.batch(chunk, vocabularies: data.vocabularies), arena: trained.arena).tags
            for (k, tags) in zip(chunk, direct) {
                XCTAssertEqual(predicted[k].spans[.ner]?.first, try BILOU.spans(from: tags.map { names[$0] }), "sentence \(k)")
                compared += 1
            }
        }
        XCTAssertEqual(compared, sentences.count, "every sentence compared")
    }
}
