import Foundation
import TestSupport
import XCTest

/// `--lenient` end to end: a corpus with one bad sentence stops `train` and `evaluate` with
/// exit code 2 by default, and is read without that sentence, reported on one line, with it.
final class LenientCommandTests: XCTestCase {
    func testTrainAndEvaluateSkipABadSentenceOnlyWhenLenient() throws {
        let dir = try makeTemporaryDirectory()
        let words = ["Anna", "Berlin", "runs", "Paris", "sees", "Bob", "and", "the"]
        var lines: [String] = []
        for s in 0..<12 {
            lines += (0..<4).map { t in
                let word = words[(s + 3 * t) % words.count]
                return "\(word) NN O \(word.first!.isUppercase ? "B-PER" : "O")"
            } + [""]
        }
        let good = lines.joined(separator: "\n")
        let train = dir.appendingPathComponent("train.conll"), dev = dir.appendingPathComponent("dev.conll")
        // The first token line of the sentence opening with "Bob" lacks two columns.
        try good.replacingOccurrences(of: "\n\nBob NN O B-PER\n", with: "\n\nBob NN\n").write(to: train, atomically: true, encoding: .utf8)
        try good.write(to: dev, atomically: true, encoding: .utf8)
        let config = dir.appendingPathComponent("lenient.json")
        try """
        {
          "seed": 1,
          "embedder": { "word_dim": 8, "char_dim": 4, "char_filters": 6 },
          "tasks": { "ner": { "data": { "format": "conll2003", "tag_scheme": "iob2", "train": "train.conll", "dev": "dev.conll" },
                              "batch_size": 4, "encoder": { "hidden": 6, "layers": 1 } } },
          "training": { "max_steps": 4, "log_every": 2, "validate_every": 4, "checkpoint_every": 4 }
        }
        """.write(to: config, atomically: true, encoding: .utf8)
        let badLine = try XCTUnwrap(String(contentsOf: train, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex(of: "Bob NN")) + 1
        let reason = "\(train.path):\(badLine): expected 4 whitespace-separated columns (word POS chunk NER), found 2"

        let strict = try CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("strict").path])
        XCTAssertEqual(strict.status, 2, strict.stdout + strict.stderr)
        XCTAssertTrue(strict.stderr.contains(reason), strict.stderr)

        let run = dir.appendingPathComponent("lenient")
        let lenient = try CommandRunner.run(["train", "--config", config.path, "--output", run.path, "--lenient"])
        XCTAssertEqual(lenient.status, 0, lenient.stdout + lenient.stderr)
        XCTAssertTrue(lenient.stdout.contains("hmtl: lenient: skipped 1 bad record in \(train.path); first: \(reason)\n"), lenient.stdout)

        let checkpoint = run.appendingPathComponent("ckpt-4.h5").path
        let evaluate = ["evaluate", "--checkpoint", checkpoint, "--data", train.path, "--json"]
        let strictEvaluate = try CommandRunner.run(evaluate)
        XCTAssertEqual(strictEvaluate.status, 2, strictEvaluate.stdout + strictEvaluate.stderr)
        let lenientEvaluate = try CommandRunner.run(evaluate + ["--lenient"])
        XCTAssertEqual(lenientEvaluate.status, 0, lenientEvaluate.stderr)
        XCTAssertTrue(lenientEvaluate.stderr.contains("hmtl: lenient: skipped 1 bad record"), lenientEvaluate.stderr)
        XCTAssertNotNil(try JSONSerialization.jsonObject(with: Data(lenientEvaluate.stdout.utf8)), "stdout stays pure JSON")
    }
}
