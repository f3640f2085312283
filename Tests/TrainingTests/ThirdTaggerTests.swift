import Foundation
import TestSupport
import XCTest

/// The generic tagging level: a task the registry does not name (`outer`, `"kind": "tagging"`)
/// stacked third above NER and EMD, its gold read from a named tag column, trained, predicted
/// into its own `outer.conll` and scored by name — with no code of its own.
final class ThirdTaggerTests: XCTestCase {
    /// `index word ner emd outer` in BIOES: the outer layer spans "the firm in <city>", a
    /// mention around the EMD mentions inside it.
    static func file(count: Int, offset: Int) -> String {
        let base = ColumnsCommandTests.sentences(count: count, offset: offset)
        let sentences = base.map { rows in
            let first = rows.firstIndex { $0.word == "the" }!, last = rows.count - 2
            return rows.enumerated().map { i, row -> String in
                let outer = i == first ? "B-ORG" : i == last ? "E-ORG" : (first...last).contains(i) ? "I-ORG" : "O"
                return "\(i) \(row.word) \(row.ner) \(row.emd) \(outer)\n"
            }.joined() + "\n"
        }
        return stride(from: 0, to: sentences.count, by: 4).map { start in
            "-DOCSTART- -X- O O O\n\n" + sentences[start..<min(start + 4, sentences.count)].joined()
        }.joined()
    }

    func testThirdTaggerFromANamedColumn() throws {
        let dir = try makeTemporaryDirectory()
        for (name, count, offset) in [("train.txt", 48, 0), ("dev.txt", 8, 1), ("test.txt", 8, 3)] {
            try Self.file(count: count, offset: offset).write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        func data(_ task: String, _ column: Int) -> String {
            #"{"format": "columns", "columns": {"word": 1, "\#(task)": \#(column)}, "tag_scheme": "iobes", "train": "train.txt", "dev": "dev.txt", "test": "test.txt"}"#
        }
        let tagger = #""batch_size": 8, "encoder": {"hidden": 8, "layers": 1}, "dropout": 0"#
        let config = dir.appendingPathComponent("outer.json")
        try """
        {"seed": 3, "embedder": {"word_dim": 8, "char_dim": 4, "char_filters": 6, "char_dropout": 0},
         "order": ["ner", "emd", "outer"],
         "tasks": {"ner": {"data": \(data("ner", 2)), \(tagger)}, "emd": {"data": \(data("emd", 3)), \(tagger)},
                   "outer": {"kind": "tagging", "data": \(data("outer", 4)), \(tagger)}},
         "training": {"max_steps": 150, "learning_rate": 0.02, "log_every": 30, "validate_every": 150, "checkpoint_every": 150, "patience": 100}}
        """.write(to: config, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run")
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", run.path]))

        let records = try RunRecords(run: run)
        XCTAssertGreaterThan(try records.sampledSteps()["outer", default: 0], 0, "the premise: the outer level was sampled")
        let losses = records.of(kind: "train").compactMap { ($0["loss"] as? [String: Double])?["outer"] }
        XCTAssertGreaterThanOrEqual(losses.count, 2, "outer losses in \(records.of(kind: "train").count) train records")
        XCTAssertLessThan(losses.last!, losses.first!, "the outer level's loss falls: \(losses)")

        let checkpoint = run.appendingPathComponent("ckpt-150.h5").path
        let test = dir.appendingPathComponent("test.txt").path
        var expected: [String: Double] = [:]
        for line in try succeeded(CommandRunner.run(["evaluate", "--checkpoint", checkpoint, "--data", test, "--json"])).stdout.split(separator: "\n") {
            let object = try jsonObject(String(line))
            expected[try XCTUnwrap(object["task"] as? String)] = try XCTUnwrap(object["f1"] as? Double)
        }
        XCTAssertEqual(Set(expected.keys), ["ner", "emd", "outer"])

        let pred = dir.appendingPathComponent("pred")
        try succeeded(CommandRunner.run(["predict", "--checkpoint", checkpoint, "--input", test, "--input-format", "columns",
                                         "--word-column", "1", "--format", "conll", "--output", pred.path]))
        let written = try FileManager.default.contentsOfDirectory(atPath: pred.path).sorted()
        XCTAssertEqual(written, ["emd.conll", "ner.conll", "outer.conll"])
        let score = try succeeded(CommandRunner.run(["score", "--task", "outer", "--gold", test, "--columns", "word=1,outer=4", "--tag-scheme", "iobes",
                                                     "--pred", pred.appendingPathComponent("outer.conll").path, "--json"]))
        let overall = try XCTUnwrap(try jsonObject(score.stdout)["overall"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(overall["f1"] as? Double), expected["outer"]!, accuracy: 1e-9, "score = evaluate for the new level")
    }

    /// Without `"kind"` and outside `order`, an unknown task name stays an unknown key.
    func testUnknownTaskNameIsRejected() throws {
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("typo.json")
        try #"{"tasks": {"ner": {"data": {"format": "demo"}}, "nerr": {"data": {"format": "demo"}}}}"#.write(to: config, atomically: true, encoding: .utf8)
        let result = try CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("run").path])
        XCTAssertEqual(result.status, 2, result.stderr)
        XCTAssertTrue(result.stderr.contains("tasks.nerr: unknown key"), result.stderr)
    }
}
