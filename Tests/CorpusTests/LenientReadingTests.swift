import Corpus
import XCTest

/// `ReadPolicy`: per reader, one bad record among good ones — strict throws at its line,
/// lenient returns the good records and reports exactly that one.
final class LenientReadingTests: XCTestCase {
    func testCoNLL2003SkipsTheBadSentence() throws {
        let text = """
            -DOCSTART- -X- -X- O

            EU NNP I-NP I-ORG
            rejects VBZ I-VP O

            Peter NNP I-NP I-PER
            Blackburn NNP I-NP
            x NN O O

            BRUSSELS NNP I-NP I-LOC

            """
        let fixtures = try Fixtures()
        let path = try fixtures.write("train.conll", text)
        try assertSkipsOne(named: "train.conll", atLine: 7, contains: "expected 4 whitespace-separated columns",
                           ids: ["train.conll#1"]) { try CoNLL2003Reader().read(path: path, policy: $0) }
        let read = try CoNLL2003Reader().read(text: text, path: "train.conll", policy: .lenient)
        XCTAssertEqual(read.documents[0].sentences.map(\.tokens), [["EU", "rejects"], ["BRUSSELS"]])
        // A bad tag sequence is found at the sentence's end but named at its tag's line.
        let tags = "A NN O O\n\nB NN O B-PER\nC NN O I-LOC\n\nD NN O B-PER\n"
        try assertSkipsOne(named: "t.conll", atLine: 4, contains: "I-LOC", ids: ["t.conll#1"]) {
            try CoNLL2003Reader(scheme: .iob2).read(text: tags, path: "t.conll", policy: $0)
        }
        XCTAssertEqual(try CoNLL2003Reader(scheme: .iob2).read(text: tags, path: "t.conll", policy: .lenient)
            .documents[0].sentences.map(\.tokens), [["A"], ["D"]])
    }

    func testCoNLL04SkipsTheBadDocBlock() throws {
        let text = """
            #doc 1
            0\tJohn\tB-Peop\t['N']\t[0]
            1\tslept\tO\t['N']\t[1]
            #doc 2
            0\tMary\tB-Peop\t['N']\t[7]
            #doc 3
            0\tBob\tB-Peop\t['N']\t[0]

            """
        try assertSkipsOne(named: "c.txt", atLine: 5, contains: "head index 7 out of range", ids: ["1", "3"]) {
            try CoNLL04Reader().read(text: text, path: "c.txt", policy: $0)
        }
        // Token lines before the first '#doc' are one bad record.
        try assertSkipsOne(named: "c.txt", atLine: 1, contains: "before the first '#doc'", ids: ["1", "2", "3"]) {
            try CoNLL04Reader().read(text: "0\tX\tO\t['N']\t[0]\n1\tY\tO\t['N']\t[0]\n" + text.replacingOccurrences(of: "[7]", with: "[0]"),
                                     path: "c.txt", policy: $0)
        }
    }

    func testCoNLL2012SkipsTheBadDocument() throws {
        let text = """
            #begin document (a); part 0
            a 0 0 John NNP * - - - - (PERSON) (1)
            a 0 1 ran VBD * - - - - * -

            #end document
            #begin document (b); part 0
            b 1 0 Mary NNP * - - - - (PERSON) (2)
            b 0 1 sat VBD * - - - - * -
            #end document
            #begin document (c); part 0
            c 0 0 Bob NNP * - - - - (PERSON) (3)
            #end document

            """
        try assertSkipsOne(named: "x.gold_conll", atLine: 7, contains: "part '1' does not match", ids: ["a/0", "c/0"]) {
            try CoNLL2012Reader().read(text: text, path: "x.gold_conll", policy: $0)
        }
        // A document left open by the next '#begin document' is the bad record; the next one is read.
        let unterminated = text.replacingOccurrences(of: "b 1 0", with: "b 0 0")
            .replacingOccurrences(of: "b 0 1 sat VBD * - - - - * -\n#end document\n", with: "b 0 1 sat VBD * - - - - * -\n")
        try assertSkipsOne(named: "x.gold_conll", atLine: 9, contains: "missing '#end document'", ids: ["a/0", "c/0"]) {
            try CoNLL2012Reader().read(text: unterminated, path: "x.gold_conll", policy: $0)
        }
    }

    func testCoNLL2012DirectorySkipsARepeatedDocument() throws {
        let fixtures = try Fixtures()
        let document = "#begin document (a); part 0\na 0 0 John NNP * - - - - * -\n#end document\n"
        _ = try fixtures.write("1.gold_conll", document)
        _ = try fixtures.write("2.gold_conll", document + document.replacingOccurrences(of: "(a)", with: "(b)").replacingOccurrences(of: "a 0 0", with: "b 0 0"))
        try assertSkipsOne(named: "2.gold_conll", atLine: 1, contains: "already read at", ids: ["a/0", "b/0"]) {
            try CoNLL2012Reader().read(path: fixtures.directory.path, policy: $0)
        }
    }

    func testDyGIESkipsTheBadLine() throws {
        let text = """
            {"doc_key": "a", "sentences": [["x"]]}
            {"doc_key": "b", "sentences": [["y"]], "ner": [[[0, 3, "PER"]]]}
            {"doc_key": "c", "sentences": [["z"]]}
            {"doc_key": "a", "sentences": [["w"]]}
            """
        let read = try DyGIEReader().read(text: text, path: "d.json", policy: .lenient)
        XCTAssertEqual(read.documents.map(\.id), ["a", "c"])
        XCTAssertEqual(read.skipped.firstReasons.map(\.line), [2, 4])
        try assertSkipsOne(named: "d.json", atLine: 2, contains: "out of range", ids: ["a", "c"]) {
            try DyGIEReader().read(text: text.split(separator: "\n").dropLast().joined(separator: "\n"), path: "d.json", policy: $0)
        }
    }

    func testLitBankSkipsTheBadDocument() throws {
        let fixtures = try LitBankReaderTests.corpus(knightEntities: "Mr.\tB-PER\nKnightly\tI-PER\ncame\tO\n")
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path, policy: .strict),
                             named: "knight_brat.tsv", atLine: 2, contains: "differs from 'Knightley'")
        let read = try LitBankReader().read(directory: fixtures.directory.path, policy: .lenient)
        XCTAssertEqual(read.train.map(\.id), ["emma"])
        XCTAssertEqual(read.test.map(\.id), [])
        XCTAssertEqual(read.skipped.count, 1)
        XCTAssertEqual(read.skipped.firstReasons.map(\.line), [2])
    }

    /// Whole-file problems stay errors, and so does a file in which nothing is usable.
    func testWholeFileProblemsStayErrors() throws {
        let fixtures = try Fixtures()
        XCTAssertCorpusError(try CoNLL2003Reader().read(path: fixtures.path("missing"), policy: .lenient),
                             named: "missing", atLine: nil, contains: "no such file")
        XCTAssertCorpusError(try DyGIEReader().read(path: try fixtures.write("bin.json", Data([0x7b, 0xff, 0x0a])), policy: .lenient),
                             named: "bin.json", atLine: nil, contains: "not valid UTF-8")
        XCTAssertCorpusError(try CoNLL04Reader().read(text: " \n\n", path: "e.txt", policy: .lenient),
                             named: "e.txt", atLine: nil, contains: "file is empty")
        XCTAssertCorpusError(try DyGIEReader().read(text: "{\nnot json\n", path: "all.json", policy: .lenient),
                             named: "all.json", atLine: nil, contains: "no usable records: all 2 are bad; first: all.json:1: invalid JSON")
    }

    func testKeepsTheFirstFiveReasonsAndCountsAll() throws {
        let text = (1...7).map { "bad \($0)\n\n" }.joined() + "good NN O O\n"
        let read = try CoNLL2003Reader().read(text: text, path: "m.conll", policy: .lenient)
        XCTAssertEqual(read.skipped.count, 7)
        XCTAssertEqual(read.skipped.firstReasons.map(\.line), [1, 3, 5, 7, 9])
        XCTAssertEqual(read.documents.flatMap(\.sentences).map(\.tokens), [["good"]])
        var merged = SkippedRecords()
        merged.merge(read.skipped)
        merged.merge(read.skipped)
        XCTAssertEqual(merged.count, 14)
        XCTAssertEqual(merged.firstReasons, read.skipped.firstReasons)
        XCTAssertEqual(read.skipped.summary(source: "m.conll").prefix(48), "skipped 7 bad records in m.conll; first: m.conll")
    }
}
