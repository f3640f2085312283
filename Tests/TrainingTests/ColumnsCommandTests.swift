import Foundation
import TestSupport
import XCTest

/// The column format end to end: NER and EMD trained from one four-column BIOES file
/// (`index word ner emd`), `predict --input-format columns --word-column 1` on the test file, and
/// `hmtl score --columns … --tag-scheme …` on the gold file as it is, giving exactly the F1 of
/// `hmtl evaluate`.
final class ColumnsCommandTests: XCTestCase {
    /// Sentences "<person> works for <org> in <city> ." with their BIOES NER and EMD tags (EMD
    /// also marks "the firm" as an ORG mention, a nominal NER does not tag).
    static func sentences(count: Int, offset: Int) -> [[(word: String, ner: String, emd: String)]] {
        let people = [["Anna"], ["Bob", "Lee"], ["Cyd", "Moor"], ["Dan"]]
        let cities = [["Paris"], ["New", "York"], ["Rome"], ["San", "Jose"]]
        func bioes(_ words: [String], _ type: String) -> [String] {
            words.count == 1 ? ["S-\(type)"] : ["B-\(type)"] + Array(repeating: "I-\(type)", count: words.count - 2) + ["E-\(type)"]
        }
        return (0..<count).map { i in
            let k = i + offset
            let person = people[k % people.count], city = cities[(k / 2) % cities.count]
            var rows: [(String, String, String)] = []
            rows += zip(person, bioes(person, "PER")).map { ($0, $1, $1) }
            rows += [("works", "O", "O"), ("for", "O", "O"), ("the", "O", "B-ORG"), ("firm", "O", "E-ORG"), ("in", "O", "O")]
            rows += zip(city, bioes(city, "LOC")).map { ($0, $1, $1.replacingOccurrences(of: "LOC", with: "GPE")) }
            rows += [(".", "O", "O")]
            return rows
        }
    }

    /// Documents of four sentences, each opened by a `-DOCSTART-` line as CoNLL-2003 files are.
    static func file(_ sentences: [[(word: String, ner: String, emd: String)]]) -> String {
        stride(from: 0, to: sentences.count, by: 4).map { start in
            "-DOCSTART- -X- O O\n\n" + sentences[start..<min(start + 4, sentences.count)].map { rows in
                rows.enumerated().map { "\($0) \($1.word) \($1.ner) \($1.emd)\n" }.joined() + "\n"
            }.joined()
        }.joined()
    }

    func testTrainPredictAndScoreColumnFiles() throws {
        let dir = try makeTemporaryDirectory()
        for (name, count, offset) in [("train.txt", 48, 0), ("dev.txt", 8, 1), ("test.txt", 8, 3)] {
            try Self.file(Self.sentences(count: count, offset: offset)).write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let data = #"{"format": "columns", "columns": {"word": 1, "ner": 2, "emd": -1}, "tag_scheme": "iobes", "train": "train.txt", "dev": "dev.txt", "test": "test.txt"}"#
        let tagger = #""batch_size": 8, "encoder": {"hidden": 8, "layers": 1}, "dropout": 0"#
        let config = dir.appendingPathComponent("columns.json")
        try """
        {"seed": 3, "embedder": {"word_dim": 8, "char_dim": 4, "char_filters": 6, "char_dropout": 0},
         "tasks": {"ner": {"data": \(data), \(tagger)}, "emd": {"data": \(data), \(tagger)}},
         "training": {"max_steps": 120, "learning_rate": 0.02, "log_every": 60, "validate_every": 60, "checkpoint_every": 120, "patience": 100}}
        """.write(to: config, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run")
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", run.path]))
        let checkpoint = run.appendingPathComponent("ckpt-120.h5").path
        let test = dir.appendingPathComponent("test.txt").path

        var expected: [String: Double] = [:]
        for line in try succeeded(CommandRunner.run(["evaluate", "--checkpoint", checkpoint, "--data", test, "--json"])).stdout.split(separator: "\n") {
            let object = try jsonObject(String(line))
            expected[try XCTUnwrap(object["task"] as? String)] = try XCTUnwrap(object["f1"] as? Double)
        }
        XCTAssertEqual(Set(expected.keys), ["ner", "emd"])
        XCTAssertGreaterThan(expected["ner"]!, 0, "the premise: the model predicts entities")
        XCTAssertGreaterThan(expected["emd"]!, 0, "the premise: the model predicts mentions")

        let pred = dir.appendingPathComponent("pred")
        try succeeded(CommandRunner.run(["predict", "--checkpoint", checkpoint, "--input", test, "--input-format", "columns",
                                             "--word-column", "1", "--format", "conll", "--output", pred.path]))
        for (task, columns, scheme) in [("ner", "word=1,ner=2", "bioes"), ("emd", "word=1,emd=-1", "iobes")] {
            let score = try succeeded(CommandRunner.run(["score", "--task", task, "--gold", test, "--columns", columns, "--tag-scheme", scheme,
                                                         "--pred", pred.appendingPathComponent("\(task).conll").path, "--json"]))
            let overall = try XCTUnwrap(try jsonObject(score.stdout)["overall"] as? [String: Any])
            XCTAssertEqual(try XCTUnwrap(overall["f1"] as? Double), expected[task]!, accuracy: 1e-9, task)
        }
        // Without the column map the gold file's last column (EMD) would be scored as NER tags,
        // and without the scheme its S-/E- tags are not IOB.
        let wrong = try CommandRunner.run(["score", "--task", "ner", "--gold", test, "--columns", "word=1,ner=2",
                                           "--pred", pred.appendingPathComponent("ner.conll").path])
        XCTAssertEqual(wrong.status, 2, wrong.stdout + wrong.stderr)
        XCTAssertTrue(wrong.stderr.contains("\(test):3: invalid tag 'S-PER': expected 'O' or B-/I- followed by a type"), wrong.stderr)
    }

    func testScoreOptionErrorsExitTwo() throws {
        let dir = try makeTemporaryDirectory()
        let gold = dir.appendingPathComponent("gold.txt").path, pred = dir.appendingPathComponent("pred.txt").path
        try "Ann S-PER\n\nBob B-PER\nLee E-PER\n".write(toFile: gold, atomically: true, encoding: .utf8)
        try "Ann B-PER\n\nBob O\nLee O\n".write(toFile: pred, atomically: true, encoding: .utf8)
        let base = ["score", "--task", "ner", "--gold", gold, "--pred", pred, "--tag-scheme", "bioes", "--json"]
        let premise = try CommandRunner.run(base + ["--pred-tag-scheme", "iob2"])
        let overall = try XCTUnwrap(try jsonObject(succeeded(premise).stdout)["overall"] as? [String: Double], "the premise: the files score")
        XCTAssertEqual(overall["precision"], 1)
        XCTAssertEqual(overall["recall"], 0.5)
        for (arguments, message) in [
            (["--columns", "word=0,pos=1"], "--columns word=0,pos=1: 'pos=1' is not NAME=INDEX"),
            (["--columns", "word=0,emd=1"], "--task ner scores the ner column, not emd"),
            (["--pred-columns", "word=1,ner=1"], "--pred-columns word=1,ner=1: 'word' and 'ner' are both column 1"),
            (["--pred-tag-scheme", "bio"], "--pred-tag-scheme: expected one of iob1, iob2, bioes, iobes, bilou, got bio"),
            (["--pred-columns", "ner=5"], "\(pred):1: found 2 columns, too few for the column map word=0, ner=5"),
            (["--pred-tag-scheme", "bilou"], "\(pred):1: sentence ends inside the PER span opened at token 0 (missing L-PER)"),
        ] {
            let output = try CommandRunner.run(base + arguments)
            XCTAssertEqual(output.status, 2, "\(arguments): \(output.stdout)")
            XCTAssertTrue(output.stderr.contains(message), "\(arguments): \(output.stderr)")
        }
        let coref = try CommandRunner.run(["score", "--task", "coref", "--gold", gold, "--pred", pred, "--tag-scheme", "bioes"])
        XCTAssertEqual(coref.status, 2)
        XCTAssertTrue(coref.stderr.contains("--tag-scheme describes the column files of --task ner and emd, not coref"), coref.stderr)
    }
}
