import Corpus
import Foundation
import XCTest

/// Hostile input the format-specific tests do not already cover: files that are not regular
/// files, numbers at and beyond Int's range, tag schemes mixed up, empty records, and very long
/// sentences (which must stay linear). Every failure is a `CorpusError` naming file and line.
final class HostileInputTests: XCTestCase {
    let pathReaders: [(String) throws -> [Document]] = [
        { try CoNLL2003Reader().read(path: $0) },
        { try CoNLL04Reader().read(path: $0) },
        { try CoNLL2012Reader().read(path: $0) },
        { try DyGIEReader().read(path: $0) },
    ]

    // MARK: - Whole files

    func testFIFOIsRefusedInsteadOfBlocking() throws {
        let fixtures = try Fixtures()
        let fifo = fixtures.path("pipe")
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for read in pathReaders {
            XCTAssertCorpusError(try read(fifo), named: "pipe", atLine: nil, contains: "is not a regular file")
        }
    }

    func testCoNLL2012WholeFileErrors() throws {
        let fixtures = try Fixtures()
        let read = { try CoNLL2012Reader().read(path: $0) }
        XCTAssertCorpusError(try read(fixtures.path("missing.conll")), named: "missing.conll", atLine: nil, contains: "no such file")
        let latin1 = try fixtures.write("latin1.conll", Data([0x23, 0xE9, 0xFF, 0x0A]))
        XCTAssertCorpusError(try read(latin1), named: "latin1.conll", atLine: 1, contains: "not valid UTF-8")
        let empty = try fixtures.write("empty.conll", "")
        XCTAssertCorpusError(try read(empty), named: "empty.conll", atLine: nil, contains: "file is empty")
        let directory = fixtures.path("plain")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        XCTAssertCorpusError(try read(directory), named: "plain", atLine: nil, contains: "no file whose name ends in 'gold_conll'")
    }

    func testLitBankFileErrors() throws {
        let nonUTF8 = try LitBankReaderTests.corpus()
        _ = try nonUTF8.write("coref/knight_brat.conll", Data([0x23, 0xE9, 0xFF]))
        XCTAssertCorpusError(try LitBankReader().read(directory: nonUTF8.directory.path), named: "knight_brat.conll",
                             atLine: 1, contains: "not valid UTF-8")
        let directory = try LitBankReaderTests.corpus()
        try FileManager.default.removeItem(atPath: directory.path("entities/knight_brat.tsv"))
        try FileManager.default.createDirectory(atPath: directory.path("entities/knight_brat.tsv"), withIntermediateDirectories: false)
        XCTAssertCorpusError(try LitBankReader().read(directory: directory.directory.path), named: "knight_brat.tsv",
                             atLine: nil, contains: "is a directory")
        let empty = try LitBankReaderTests.corpus(knightEntities: "\n\n")
        XCTAssertCorpusError(try LitBankReader().read(directory: empty.directory.path), named: "knight_brat.tsv",
                             atLine: nil, contains: "file is empty")
        let noSplits = try LitBankReaderTests.corpus(splits: "")
        XCTAssertCorpusError(try LitBankReader().read(directory: noSplits.directory.path), named: "splits.txt",
                             atLine: nil, contains: "file is empty")
    }

    // MARK: - Numbers out of range

    static let hugeNumbers = ["9223372036854775807", "9223372036854775808", "-9223372036854775808",
                              "18446744073709551616", "1e30", "-1"]

    func testCoNLL04HugeIndices() {
        for number in Self.hugeNumbers {
            XCTAssertCorpusError(try CoNLL04Reader().read(text: "#doc 1\n\(number)\tA\tO\t['N']\t[0]\n", path: "a.txt"),
                                 named: "a.txt", atLine: 2, contains: "token index")
            let head = "#doc 1\n0\tA\tO\t['N']\t[\(number)]\n"
            XCTAssertThrowsError(try CoNLL04Reader().read(text: head, path: "a.txt")) { error in
                XCTAssertEqual((error as? CorpusError)?.line, 2, "\(error)")
            }
        }
    }

    func testCoNLL2012HugeNumbers() throws {
        let largest = "#begin document (d); part 9223372036854775807\nd 9223372036854775807 0 A * * - - - - * (9223372036854775807)\n#end document\n"
        XCTAssertEqual(try CoNLL2012Reader().read(text: largest, path: "a.conll")[0].clusters.count, 1, "Int.max is a valid part and chain")
        for number in Self.hugeNumbers where number != "9223372036854775807" {
            let header = "#begin document (d); part \(number)\nd 0 0 A * * - - - - * -\n#end document\n"
            XCTAssertCorpusError(try CoNLL2012Reader().read(text: header, path: "a.conll"), named: "a.conll", atLine: 1,
                                 contains: "is not a number")
            let index = "#begin document (d); part 0\nd 0 \(number) A * * - - - - * -\n#end document\n"
            XCTAssertCorpusError(try CoNLL2012Reader().read(text: index, path: "a.conll"), named: "a.conll", atLine: 2,
                                 contains: "word index")
            let chain = "#begin document (d); part 0\nd 0 0 A * * - - - - * (\(number))\n#end document\n"
            XCTAssertCorpusError(try CoNLL2012Reader().read(text: chain, path: "a.conll"), named: "a.conll", atLine: 2,
                                 contains: "unknown coreference syntax")
        }
    }

    func testDyGIEHugeOffsets() {
        let prefix = #"{"doc_key": "x", "sentences": [["a", "b"], ["c"]]"#
        for number in Self.hugeNumbers {
            for (annotation, fragment) in [
                (#""ner": [[[0, \#(number), "A"]], []]"#, "'ner'"),
                (#""ner": [[[\#(number), 1, "A"]], []]"#, "'ner'"),
                (#""ner": [[[0, 0, "A"]], []], "relations": [[[0, 0, \#(number), 0, "R"]], []]"#, "'relations'"),
                (#""clusters": [[[\#(number), 0]]]"#, "cluster 0"),
                (#""clusters": [[[0, \#(number)]]]"#, "cluster 0"),
            ] {
                XCTAssertCorpusError(try DyGIEReader().read(text: prefix + ", " + annotation + "}", path: "a.json"),
                                     named: "a.json", atLine: 1, contains: fragment)
            }
        }
    }

    func testDyGIEDeeplyNestedJSON() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertCorpusError(try DyGIEReader().read(text: #"{"doc_key": "x", "sentences": \#(deep)}"#, path: "a.json"),
                             named: "a.json", atLine: 1, contains: "invalid JSON")
    }

    // MARK: - Tags

    func testBILOUTagsInIOBFiles() {
        for scheme in [TagScheme.iob1, .iob2] {
            XCTAssertCorpusError(try CoNLL2003Reader(scheme: scheme).read(text: "A NN O B-ORG\nB NN O L-PER\n", path: "a.txt"),
                                 named: "a.txt", atLine: 2, contains: "invalid tag 'L-PER'")
        }
        XCTAssertCorpusError(try CoNLL2003Reader(scheme: .iob2).read(text: "A NN O B-ORG\nB NN O I-PER\n", path: "a.txt"),
                             named: "a.txt", atLine: 2, contains: "'I-PER' cannot follow 'B-ORG' in IOB2")
        XCTAssertCorpusError(try CoNLL04Reader().read(text: "#doc 1\n0\tA\tU-Peop\t['N']\t[0]\n", path: "a.txt"),
                             named: "a.txt", atLine: 2, contains: "invalid tag 'U-Peop'")
    }

    func testLitBankIOB2ContinuationError() throws {
        let fixtures = try LitBankReaderTests.corpus(knightEntities: "Mr.\tB-ORG\t\nKnightley\tI-PER\t\ncame\tO\t\n")
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "knight_brat.tsv", atLine: 2,
                             contains: "'I-PER' cannot follow 'B-ORG' in IOB2")
    }

    // MARK: - Empty records

    func testEmptyDocumentsAndSentences() throws {
        let docs = try CoNLL2003Reader().read(text: "-DOCSTART- -X- -X- O\n\n\n\n-DOCSTART- -X- -X- O\n\n\nA NN O O\n\n\n", path: "a.txt")
        XCTAssertEqual(docs.map { $0.sentences.map(\.tokens) }, [[["A"]]], "blank runs and empty documents are skipped")
        XCTAssertCorpusError(try CoNLL04Reader().read(text: "#doc 1\n\n#doc 2\n0\tA\tO\t['N']\t[0]\n", path: "a.txt"),
                             named: "a.txt", atLine: 1, contains: "document '1' has no tokens")
        XCTAssertCorpusError(try DyGIEReader().read(text: #"{"doc_key": "x", "sentences": [[]]}"#, path: "a.json"),
                             named: "a.json", atLine: 1, contains: "sentence 0 is empty")
        XCTAssertCorpusError(try DyGIEReader().read(text: #"{"doc_key": "x", "sentences": [["a"]], "ner": [[[0, 0, "A"]]], "relations": [[[]]]}"#, path: "a.json"),
                             named: "a.json", atLine: 1, contains: "expected [start1, end1, start2, end2, label]")
    }

    // MARK: - Long sentences

    static let longSentence = 10_000

    func testLongCoNLL2003Sentence() throws {
        let text = (0..<Self.longSentence).map { "w\($0) NN O \($0 % 2 == 0 ? "B" : "I")-PER" }.joined(separator: "\n")
        let docs = try CoNLL2003Reader(scheme: .iob2).read(text: text, path: "long.txt")
        XCTAssertEqual(docs[0].sentences[0].entities.count, Self.longSentence / 2)
    }

    func testLongCoNLL04Sentence() throws {
        let rows = (0..<Self.longSentence).map { "\($0)\tw\tB-Peop\t['Kill']\t[\(($0 + 1) % Self.longSentence)]" }
        let docs = try CoNLL04Reader().read(text: "#doc 1\n" + rows.joined(separator: "\n"), path: "long.txt")
        XCTAssertEqual(docs[0].sentences[0].relations.count, Self.longSentence)
    }

    func testLongCoNLL2012SentenceAndManyChains() throws {
        // One 10,000-token sentence of nested mentions, then 10,000 one-token sentences each
        // with its own chain: the per-sentence checks must not grow with the chains seen so far.
        var lines = ["#begin document (d); part 0"]
        let n = Self.longSentence
        for i in 0..<n {
            let cell = i == 0 ? "(0" : i == n - 1 ? "0)|(\(i))" : "(\(i))"
            lines.append("d 0 \(i) w NN * - - - - * \(cell)")
        }
        for i in 0..<n { lines += ["", "d 0 0 w NN * - - - - * (\(n + i))"] }
        lines.append("#end document")
        let docs = try CoNLL2012Reader().read(text: lines.joined(separator: "\n"), path: "long.conll")
        XCTAssertEqual(docs[0].sentences.count, n + 1)
        XCTAssertEqual(docs[0].clusters.count, 2 * n)
    }

    func testLongDyGIESentenceWithNestedSpans() throws {
        let n = Self.longSentence
        let tokens = "[" + (0..<n).map { _ in "\"w\"" }.joined(separator: ",") + "]"
        // Every token a unit span plus every pair: the outermost are the pairs.
        let spans = (0..<n).map { "[\($0), \($0), \"U\"]" } + stride(from: 0, to: n, by: 2).map { "[\($0), \($0 + 1), \"P\"]" }
        let line = #"{"doc_key": "x", "sentences": [\#(tokens)], "ner": [[\#(spans.joined(separator: ","))]]}"#
        let docs = try DyGIEReader().read(text: line, path: "long.json")
        XCTAssertEqual(docs[0].sentences[0].entities.count, n / 2)
        XCTAssertEqual(docs[0].sentences[0].entities.first, LabeledSpan(0, 1, "P"))
    }
}
