import Foundation
import TestSupport
import XCTest

/// `hmtl score` end to end: the files are parsed, the right metric is applied, the JSON is
/// complete, and bad input exits with code 2 and names the file and line.
final class ScoreCommandTests: XCTestCase {
    private func write(_ text: String, _ name: String, in dir: URL) throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func json(_ output: CommandRunner.Output) throws -> [String: Any] {
        XCTAssertEqual(output.status, 0, output.stderr)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], output.stdout)
    }

    func testSpanScores() throws {
        let dir = try makeTemporaryDirectory()
        let gold = try write("John B-PER\nSmith I-PER\nin O\nParis B-LOC\n\nIt O\n", "gold.txt", in: dir)
        let pred = try write("John B-PER\nSmith I-PER\nin B-LOC\nParis I-LOC\n\nIt B-MISC\n", "pred.txt", in: dir)
        let overall = try XCTUnwrap(try json(CommandRunner.run(["score", "--task", "ner", "--gold", gold, "--pred", pred, "--json"]))["overall"] as? [String: Double])
        XCTAssertEqual(overall["precision"]!, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(overall["recall"]!, 0.5, accuracy: 1e-12)
    }

    func testRelationScoresHeadAndStrict() throws {
        let dir = try makeTemporaryDirectory()
        let gold = try write(#"{"doc_key": "d", "sentences": [["Ann", "Lee", "works", "for", "Acme", "Inc"]], "relations": [[[0, 1, 4, 5, "Work_For"]]]}"# + "\n", "gold.jsonl", in: dir)
        let pred = try write(#"{"doc_key": "d", "sentences": [["Ann", "Lee", "works", "for", "Acme", "Inc"]], "relations": [[[1, 1, 4, 5, "Work_For"]]]}"# + "\n", "pred.jsonl", in: dir)
        let result = try json(CommandRunner.run(["score", "--task", "relation", "--gold", gold, "--pred", pred, "--json"]))
        let head = try XCTUnwrap((result["head"] as? [String: Any])?["overall"] as? [String: Double])
        let strict = try XCTUnwrap((result["strict"] as? [String: Any])?["overall"] as? [String: Double])
        XCTAssertEqual(head["f1"], 1, "same last tokens and type: correct under head matching")
        XCTAssertEqual(strict["f1"], 0, "the head argument's start differs: wrong under strict matching")
    }

    func testCoreferenceScores() throws {
        let dir = try makeTemporaryDirectory()
        func document(_ column: [String]) -> String {
            let words = ["Ann", "said", "she", "left", "."]
            return "#begin document (d); part 000\n"
                + zip(words, column).enumerated().map { "d\t0\t\($0)\t\($1.0)\t\($1.1)" }.joined(separator: "\n")
                + "\n\n#end document\n"
        }
        let gold = try write(document(["(0)", "-", "(0)", "-", "-"]), "gold.conll", in: dir)
        let perfect = try json(CommandRunner.run(["score", "--task", "coref", "--gold", gold, "--pred", gold, "--json"]))
        XCTAssertEqual(perfect["average_f1"] as? Double, 1)
        let pred = try write(document(["(0)", "-", "(1)", "-", "-"]), "pred.conll", in: dir)
        let split = try json(CommandRunner.run(["score", "--task", "coref", "--gold", gold, "--pred", pred, "--json"]))
        XCTAssertEqual((split["muc"] as? [String: Double])?["recall"], 0, "the one gold link is missed")
        XCTAssertEqual((split["mentions"] as? [String: Double])?["f1"], 1, "both mentions are found")
    }

    func testMalformedInputExitsWith2AndNamesTheLine() throws {
        let dir = try makeTemporaryDirectory()
        let gold = try write("John B-PER\n", "gold.txt", in: dir)
        let pred = try write("Jane B-PER\n", "pred.txt", in: dir)
        let o = try CommandRunner.run(["score", "--task", "ner", "--gold", gold, "--pred", pred])
        XCTAssertEqual(o.status, 2)
        XCTAssertTrue(o.stderr.contains(":1:"), o.stderr)
    }

    /// One spelling per task: the earlier `re` names `relation`; any other name is a tagging
    /// task's column file, so scoring goes on to read the files.
    func testTaskIsSpelledAsInTheConfig() throws {
        let renamed = try CommandRunner.run(["score", "--task", "re", "--gold", "g", "--pred", "p"])
        XCTAssertEqual(renamed.status, 2)
        XCTAssertEqual(renamed.stderr, "hmtl: error: --task: 're' is now spelled 'relation' (the task's name)\n")
        let unknown = try CommandRunner.run(["score", "--task", "srl", "--gold", "g", "--pred", "p"])
        XCTAssertEqual(unknown.status, 2)
        XCTAssertEqual(unknown.stderr, "hmtl: error: g: no such file\n")
    }
}
