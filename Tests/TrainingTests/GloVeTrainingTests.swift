import Checkpoint
import Foundation
import TestSupport
import XCTest
@testable import Training

/// `embedder.glove` through `train`: a GloVe-format file beside the config (a relative path)
/// initialises the rows of the vocabulary words it lists (its words lower-cased), and every
/// other row is drawn from N(mean, std) of the found vectors.
final class GloVeTrainingTests: XCTestCase {
    static let config = """
    {
      "seed": 9,
      "embedder": { "word_dim": 4, "char_dim": 3, "char_filters": 3, "glove": "vectors.txt" },
      "tasks": { "ner": { "data": { "format": "demo", "documents": 20, "seed": 4 }, "batch_size": 4,
                          "encoder": { "hidden": 3, "layers": 1 } } },
      "training": { "max_steps": 1, "learning_rate": 1e-6, "validate_every": 100, "checkpoint_every": 1 }
    }
    """

    /// Four vectors whose values have mean 2 and population std 0.5 exactly (±0.5 around 2),
    /// far from the N(0, 1) rows an initialisation without GloVe draws.
    static let vectors: [[Float]] = [[1.5, 2.5, 1.5, 2.5], [2.5, 1.5, 2.5, 1.5], [1.5, 1.5, 2.5, 2.5], [2.5, 2.5, 1.5, 1.5]]

    func testGloVeVectorsInitialiseTheirWordsAndSetTheOthersStatistics() throws {
        let dir = try makeTemporaryDirectory()
        let config = try writeFile(Self.config, "glove.json", in: dir)
        // The vocabulary the run will build (index 0 padding, 1 unknown); the file names four of
        // its words (one capitalised) and a word outside it, whose vector must count nowhere.
        let words = try RunData.load(try RunConfig.load(path: config.path)).vocabularies.words.entries
        let chosen = Array(words.dropFirst(2).filter { $0.first?.isLetter == true }.prefix(4))
        XCTAssertEqual(chosen.count, 4)
        var lines = zip(chosen, Self.vectors).map { word, v in "\(word) " + v.map { "\($0)" }.joined(separator: " ") }
        lines[0] = lines[0].prefix(1).uppercased() + lines[0].dropFirst()
        lines.append("zzzunlisted 9 9 9 9")
        try writeFile(lines.joined(separator: "\n") + "\n", "vectors.txt", in: dir)

        let run = dir.appendingPathComponent("run")
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", run.path]))
        let checkpoint = try CheckpointStore.read(run.appendingPathComponent("ckpt-1.h5"))
        XCTAssertEqual(checkpoint.vocabularies["words"], words)
        let table = try XCTUnwrap(checkpoint.parameters.first { $0.name == "embedder/words/weight" })
        XCTAssertEqual(table.shape, [words.count, 4])
        func row(_ i: Int) -> ArraySlice<Float> { table.values[(4 * i)..<(4 * i + 4)] }

        // Listed words: their vectors, moved at most by the one Adam step (≤ lr per value: the
        // first step is lr · m̂ / (√v̂ + ε) with m̂ = g, v̂ = g²) plus float32 rounding.
        for (word, vector) in zip(chosen, Self.vectors) {
            let i = try XCTUnwrap(words.firstIndex(of: word))
            for (a, b) in zip(row(i), vector) { XCTAssertEqual(a, b, accuracy: 1e-6 + 3e-7, "row of \(word)") }
        }
        // Every other row (the unknown word's included, not padding): drawn from N(2, 0.5²) —
        // not N(0, 1), and not shifted by the unlisted word's 9s. Over n values the sample mean
        // is within 4·0.5/√n of 2 and the std within 15 % of 0.5.
        let otherRows = words.indices.filter { $0 != 0 && !chosen.contains(words[$0]) }.map { Array(row($0)) }
        for (k, r) in otherRows.enumerated() {
            XCTAssertFalse(Self.vectors.contains { v in zip(v, r).allSatisfy { abs($0 - $1) < 1e-3 } }, "unfound row \(k) is a file vector")
        }
        let others = otherRows.joined()
        XCTAssertGreaterThan(others.count, 400)
        let n = Double(others.count)
        let mean = others.reduce(0.0) { $0 + Double($1) } / n
        let std = (others.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n).squareRoot()
        XCTAssertEqual(mean, 2, accuracy: 4 * 0.5 / n.squareRoot(), "unfound rows' mean")
        XCTAssertEqual(std, 0.5, accuracy: 0.075, "unfound rows' std")
        XCTAssertEqual(Array(row(0)), [0, 0, 0, 0], "padding row")
    }
}
