import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Scoring

/// Hostile input to the offline-scoring readers: whole-file failures, numbers at and beyond
/// Int's range, BILOU transitions, and long sentences. Each must be a `CorpusError` naming the
/// file and line, never a trap.
final class ScoringFilesHostileInputTests: XCTestCase {
    private func file(_ path: String, _ text: String) throws -> TextFile { try TextFile(path: path, text: text) }

    private func assertError(_ body: @autoclosure () throws -> some Any, path: String, line: Int?, contains part: String,
                             file: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: sourceLine) { error in
            guard let e = error as? CorpusError else { return XCTFail("\(error)", file: file, line: sourceLine) }
            XCTAssertEqual((e.path as NSString).lastPathComponent, path, "\(e)", file: file, line: sourceLine)
            XCTAssertEqual(e.line, line, "\(e)", file: file, line: sourceLine)
            XCTAssertTrue(e.message.contains(part), "\(e)", file: file, line: sourceLine)
        }
    }

    func testWholeFileErrorsNameThePredictedFile() throws {
        let directory = try makeTemporaryDirectory()
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        try Data("x O\n".utf8).write(to: URL(fileURLWithPath: path("gold")))
        try Data([0x78, 0x20, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: path("latin1")))
        try Data().write(to: URL(fileURLWithPath: path("empty")))
        try FileManager.default.createDirectory(atPath: path("dir"), withIntermediateDirectories: false)
        let readers: [(String, String) throws -> Void] = [
            { _ = try TaggedSpanFiles.read(gold: $0, predicted: $1) },
            { _ = try CoreferenceFiles.read(gold: $0, predicted: $1) },
            { _ = try RelationFiles.read(gold: $0, predicted: $1) },
        ]
        for read in readers {
            assertError(try read(path("gold"), path("missing")), path: "missing", line: nil, contains: "no such file")
            assertError(try read(path("gold"), path("latin1")), path: "latin1", line: 1, contains: "not valid UTF-8")
            assertError(try read(path("gold"), path("empty")), path: "empty", line: nil, contains: "file is empty")
            assertError(try read(path("gold"), path("dir")), path: "dir", line: nil, contains: "is a directory")
        }
    }

    func testBILOUTransitionErrors() throws {
        let gold = try file("gold.txt", "A O\nB O\n")
        assertError(try TaggedSpanFiles.read(gold: gold, predicted: file("pred.txt", "A B-ORG\nB L-PER\n")),
                    path: "pred.txt", line: 2, contains: "'L-PER' cannot follow 'B-ORG' in BILOU")
        assertError(try TaggedSpanFiles.read(gold: gold, predicted: file("pred.txt", "A B-ORG\nB U-PER\n")),
                    path: "pred.txt", line: 2, contains: "'U-PER' cannot follow 'B-ORG'")
        assertError(try TaggedSpanFiles.read(gold: gold, predicted: file("pred.txt", "A U-ORG\nB B-PER\n")),
                    path: "pred.txt", line: 2, contains: "missing L-PER")
    }

    func testCoreferenceHugeNumbers() throws {
        let gold = try file("gold.conll", "#begin document (a); part 0\na 0 0 He (1)\n#end document\n")
        for number in ["9223372036854775808", "18446744073709551616", "-1", "1e30"] {
            assertError(try CoreferenceFiles.read(gold: gold, predicted: file("pred.conll", "#begin document (a); part 0\na 0 0 He (\(number))\n#end document\n")),
                        path: "pred.conll", line: 2, contains: "invalid coreference cell")
            assertError(try CoreferenceFiles.read(gold: gold, predicted: file("pred.conll", "#begin document (a); part \(number)0\na 0 0 He -\n#end document\n")),
                        path: "pred.conll", line: 1, contains: number == "-1" ? "part -10 is not in the gold file" : "invalid part number")
        }
    }

    /// Offsets near Int.min once overflowed `offset - start` in the sentence-relative conversion.
    func testRelationHugeOffsets() throws {
        let sentences = #""sentences": [["a", "b"], ["c"]]"#
        let gold = try file("gold.json", #"{"doc_key": "d", \#(sentences), "relations": [[], []]}"#)
        for number in ["9223372036854775807", "-9223372036854775807", "-9223372036854775808", "9223372036854775808",
                       "18446744073709551616", "1e30", "-1"] {
            for relation in ["[\(number), 2, 2, 2, \"R\"]", "[2, 2, 2, \(number), \"R\"]"] {
                let predicted = #"{"doc_key": "d", \#(sentences), "relations": [[], [\#(relation)]]}"#
                assertError(try RelationFiles.read(gold: gold, predicted: file("pred.json", predicted)),
                            path: "pred.json", line: 1, contains: "relation")
            }
        }
    }

    func testLongSentences() throws {
        let n = 10_000
        let tags = (0..<n).map { "w\($0) \($0 % 2 == 0 ? "B" : "L")-PER" }.joined(separator: "\n")
        let spans = try TaggedSpanFiles.read(gold: file("gold.txt", tags), predicted: file("pred.txt", tags))
        XCTAssertEqual(spans[0].predicted.count, n / 2)

        let tokens = (0..<n).map { "a 0 \($0) w (\($0))" }.joined(separator: "\n")
        let coref = try file("gold.conll", "#begin document (a); part 0\n\(tokens)\n#end document\n")
        XCTAssertEqual(try CoreferenceFiles.read(gold: coref, predicted: coref)[0].clusters.gold.count, n)

        let words = (0..<n).map { _ in "\"w\"" }.joined(separator: ",")
        let relations = (0..<(n - 1)).map { "[\($0), \($0), \($0 + 1), \($0 + 1), \"R\"]" }.joined(separator: ",")
        let json = try file("gold.json", #"{"doc_key": "d", "sentences": [[\#(words)]], "relations": [[\#(relations)]]}"#)
        XCTAssertEqual(try RelationFiles.read(gold: json, predicted: json)[0].gold.count, n - 1)
    }
}
