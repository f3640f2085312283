import Checkpoint
import Corpus
import Foundation
import Model
import Tensor
import TestSupport
import XCTest
@testable import Prediction
@testable import Training

/// `hmtl embed --layers emd,relation,coref` against a forward pass written out here, level by level up
/// the shortcut stack (x_0 = g_e, x_l = [g_e, h_l]), for one sentence (emd, re) or one whole
/// document (cr) at a time.
///
/// Tolerance 1e-5: `embed` runs batches of several padded sequences, whose matrix products
/// BLAS blocks and sums in another order than one sequence's, so the last bits differ; the
/// encoder outputs are tanh-bounded (|h| < 1), where float32 rounding is ~1e-7 per operation,
/// so three stacked BiLSTMs stay far inside 1e-5, while a wrong level, order or input is off
/// by far more (the layers themselves differ by ~0.1).
final class EmbedUpperLayersTests: XCTestCase {
    static let documents = DemoCorpus.generate(documents: 5, seed: 61)

    /// Each level's encoder output for one sequence, computed directly.
    private func directForward(_ tokens: [String], model: HierarchicalModel, arena: ParameterArena) -> [RepresentationLayer: Tensor] {
        var noRNGs = [RNG]()
        let batch = TaggingBatch(sentences: [tokens], exampleIDs: [0], vocabulary: model.vocabularies, frozen: nil)
        let ge = model.embedder.forward(batch, arena: arena, training: false, rngs: &noRNGs).0
        var out: [RepresentationLayer: Tensor] = [:]
        var x = ge
        for tagger in model.levels(of: CRFTagger.self) {
            let h = tagger.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs).0
            out[RepresentationLayer(task: tagger.task)] = h
            x = Concatenation.columns(ge, h).reshaped([1, tokens.count, ge.columns + h.columns])
        }
        out[RepresentationLayer(task: .relation)] = model.levels(of: RelationLevel.self)[0].encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs).0
        out[RepresentationLayer(task: .coref)] = model.levels(of: CoreferenceLevel.self)[0].encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs).0
        return out
    }

    private func assertClose(_ stored: (shape: [Int], values: [Float]), _ direct: ArraySlice<Float>, rows: Int, _ what: String) {
        XCTAssertEqual(stored.shape.first, rows, what)
        XCTAssertEqual(stored.values.count, direct.count, what)
        let worst = zip(stored.values, direct).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-5, "\(what): largest difference \(worst)")
    }

    func testEmbedUpperLayersEqualADirectForward() throws {
        let checkpoint = try TrainedCheckpoint.fourTask()
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(TrainedCheckpoint.dygie(Self.documents), "input.json", in: dir)
        let out = dir.appendingPathComponent("emb.h5")
        try succeeded(CommandRunner.run(["embed", "--checkpoint", checkpoint.path, "--input", input.path, "--input-format", "dygie",
                                         "--output", out.path, "--layers", "emd,relation,coref", "--batch-size", "6"]))
        let trained = try TrainedModel(checkpoint: checkpoint)
        let model = trained.model
        XCTAssertEqual(model.levels(of: CRFTagger.self).map(\.task), [.ner, .emd], "the stack this test writes out")
        let file = try HDF5File.openReadOnly(out)
        defer { try? file.close() }
        XCTAssertEqual(try file.children(of: "/").filter { !$0.hasPrefix("sentence") && $0 != "documents" }, ["coref", "emd", "relation"])

        var sentence = 0, compared: [RepresentationLayer: Int] = [:]
        for document in Self.documents {
            // coref reads the whole document as one sequence, then is cut at sentence boundaries.
            let whole = directForward(document.sentences.flatMap(\.tokens), model: model, arena: trained.arena)[RepresentationLayer(task: .coref)]!
            var row = 0
            for s in document.sentences {
                let n = s.tokens.count, alone = directForward(s.tokens, model: model, arena: trained.arena)
                for layer in [Task.emd, .relation].map(RepresentationLayer.init(task:)) {
                    assertClose(try file.read(Float.self, at: "/\(layer.rawValue)/\(sentence)"), alone[layer]!.data[...], rows: n,
                                "\(layer) of sentence \(sentence)")
                    compared[layer, default: 0] += 1
                }
                let dim = whole.columns
                assertClose(try file.read(Float.self, at: "/coref/\(sentence)"), whole.data[(row * dim)..<((row + n) * dim)], rows: n,
                            "coref of sentence \(sentence)")
                compared[RepresentationLayer(task: .coref), default: 0] += 1
                row += n
                sentence += 1
            }
        }
        XCTAssertEqual(compared, [RepresentationLayer(task: .emd): sentence, RepresentationLayer(task: .relation): sentence, RepresentationLayer(task: .coref): sentence])
        XCTAssertGreaterThan(sentence, Self.documents.count, "documents of one sentence would not test the cut at sentence boundaries")
        // Not one layer under three names: the levels' vectors differ.
        let emd = try file.read(Float.self, at: "/emd/0").values, re = try file.read(Float.self, at: "/relation/0").values
        XCTAssertGreaterThan(zip(emd, re).map { abs($0 - $1) }.max() ?? 0, 1e-2)
    }

    /// The file is plain HDF5 that outside tools read (its own test, so that a machine without
    /// h5dump skips this alone, saying so, instead of passing it silently).
    func testTheEmbeddingFileReadsWithH5Dump() throws {
        guard let h5dump = CommandRunner.which("h5dump") else {
            throw XCTSkip("h5dump is not on PATH; install it (Debian: apt-get install hdf5-tools) to run this check")
        }
        let dir = try makeTemporaryDirectory()
        let input = try writeFile(TrainedCheckpoint.dygie(Self.documents), "input.json", in: dir)
        let out = dir.appendingPathComponent("emb.h5")
        try succeeded(CommandRunner.run(["embed", "--checkpoint", try TrainedCheckpoint.fourTask().path, "--input", input.path,
                                         "--input-format", "dygie", "--output", out.path, "--layers", "ge,coref", "--pool", "max"]))
        let o = try succeeded(CommandRunner.execute(h5dump, ["-H", out.path], timeout: 60, environment: [:]))
        for name in ["GROUP \"ge\"", "DATASET \"coref_pooled\"", "DATASET \"sentence_document\"", "ATTRIBUTE \"layers\""] {
            XCTAssertTrue(o.stdout.contains(name), "h5dump -H lacks \(name):\n\(o.stdout.prefix(2000))")
        }
    }
}
