import Corpus
import Foundation
import XCTest

/// The column format: every tag scheme, two- and four-column files, tabs and negative indices,
/// both tag layers, malformed rows at their file and line, lenient skipping, and LitBank's
/// entity files (real column files) when present.
final class ColumnReaderTests: XCTestCase {
    private func read(_ text: String, word: Int = 0, tags: [SpanLayer: Int] = [.entities: -1], scheme: TagScheme? = .iob2,
                      path: String = "t.txt") throws -> [Document] {
        try ColumnReader(format: ColumnFormat(word: word, tags: tags, scheme: scheme)).read(text: text, path: path)
    }

    static let words = ["John", "Smith", "saw", "Paris", "London", "and", "New", "York", "City"]
    static let spans = [LabeledSpan(0, 1, "PER"), LabeledSpan(3, 3, "LOC"), LabeledSpan(4, 4, "LOC"), LabeledSpan(6, 8, "LOC")]
    /// The same four spans, including two adjacent ones of one type, in every scheme's spelling.
    static let spellings: [(scheme: String, tags: [String])] = [
        ("iob1", ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "O", "I-LOC", "I-LOC", "I-LOC"]),
        ("iob2", ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "O", "B-LOC", "I-LOC", "I-LOC"]),
        ("bioes", ["B-PER", "E-PER", "O", "S-LOC", "S-LOC", "O", "B-LOC", "I-LOC", "E-LOC"]),
        ("iobes", ["B-PER", "E-PER", "O", "S-LOC", "S-LOC", "O", "B-LOC", "I-LOC", "E-LOC"]),
        ("bilou", ["B-PER", "L-PER", "O", "U-LOC", "U-LOC", "O", "B-LOC", "I-LOC", "L-LOC"]),
    ]

    func testEverySchemeGivesTheSameSpansAndTheSameBILOUTarget() throws {
        XCTAssertEqual(Set(Self.spellings.map(\.scheme)), Set(TagScheme.names), "the premise: every scheme name is covered")
        for (name, tags) in Self.spellings {
            let scheme = try XCTUnwrap(TagScheme(name: name))
            let text = zip(Self.words, tags).map { "\($0) \($1)" }.joined(separator: "\n") + "\n"
            let documents = try read(text, scheme: scheme)
            XCTAssertEqual(documents.map(\.id), ["t.txt#1"], name)
            XCTAssertEqual(documents[0].sentences.map(\.tokens), [Self.words], name)
            XCTAssertEqual(documents[0].sentences[0].entities, Self.spans, name)
            XCTAssertTrue(documents[0].hasEntities && !documents[0].hasMentions, name)
            XCTAssertEqual(BILOU.tags(for: documents[0].sentences[0].entities, count: Self.words.count), Self.spellings[4].tags, name)
        }
        XCTAssertEqual(TagScheme(name: "iobes"), .bioes)
        XCTAssertNil(TagScheme(name: "bio"))
    }

    /// CoNLL-2003's four columns read as a column file give what the CoNLL-2003 reader gives.
    func testFourColumnFilesReadLikeCoNLL2003() throws {
        let text = """
            -DOCSTART- -X- -X- O

            EU NNP I-NP I-ORG
            rejects VBZ I-VP O
            German JJ I-NP I-MISC

            Peter NNP I-NP I-PER
            Blackburn NNP I-NP I-PER

            -DOCSTART- -X- -X- O

            BRUSSELS NNP I-NP I-LOC

            """
        let expected = try CoNLL2003Reader().read(text: text, path: "eng.train")
        XCTAssertEqual(expected.map(\.id), ["eng.train#1", "eng.train#2"], "the premise: two documents")
        for ner in [3, -1] {
            XCTAssertEqual(try read(text, tags: [.entities: ner], scheme: .iob1, path: "eng.train"), expected)
        }
    }

    /// Tab-separated cells may hold spaces; trailing tabs add no column; both tag layers at once,
    /// from the end; without `-DOCSTART-` the file is one document.
    func testTabsNegativeIndicesAndBothLayers() throws {
        let text = "1\tNew York\tB-LOC\tB-GPE\t\n2\tis\tO\tO\t\n\n1\tAnn\tB-PER\tB-PER\t\t\n"
        let documents = try read(text, word: 1, tags: [.entities: -2, .mentions: -1])
        XCTAssertEqual(documents.map(\.id), ["t.txt#1"])
        XCTAssertEqual(documents[0].sentences.map(\.tokens), [["New York", "is"], ["Ann"]])
        XCTAssertEqual(documents[0].sentences.map(\.entities), [[LabeledSpan(0, 0, "LOC")], [LabeledSpan(0, 0, "PER")]])
        XCTAssertEqual(documents[0].sentences.map(\.mentions), [[LabeledSpan(0, 0, "GPE")], [LabeledSpan(0, 0, "PER")]])
        XCTAssertTrue(documents[0].hasEntities && documents[0].hasMentions)
        let two = try read("-DOCSTART- O\n\nAnn B-PER\n\n-DOCSTART- O\n\nBob B-PER\n")
        XCTAssertEqual(two.map(\.id), ["t.txt#1", "t.txt#2"])
    }

    func testMalformedRowsNameTheFileAndLine() throws {
        let cases: [(text: String, tags: [SpanLayer: Int], scheme: TagScheme, line: Int, message: String)] = [
            ("John B-PER\nSmith NNP I-PER\n", [.entities: -1], .iob2, 2, "found 3 columns, but the file's first token line (line 1) has 2"),
            ("John\n", [.entities: -1], .iob2, 1, "found 1 column, too few for the column map word=0, ner=-1"),
            ("John B-PER\n", [.entities: 3], .iob2, 1, "found 2 columns, too few for the column map word=0, ner=3"),
            ("John\tB-PER\n\tB-PER\n", [.entities: -1], .iob2, 2, "column 0 is empty; the column map is word=0, ner=-1"),
            ("John O\n\nMary X-PER\n", [.entities: -1], .iob2, 3, "invalid tag 'X-PER': expected 'O' or B-/I- followed by a type"),
            ("John O\nSmith I-PER\n", [.entities: -1], .iob2, 2, "'I-PER' cannot follow 'O' in IOB2: a span must start with B-PER"),
            ("John B-PER\nSmith I-LOC\n", [.entities: -1], .iob2, 2, "'I-LOC' cannot follow 'B-PER' in IOB2"),
            ("John L-PER\n", [.entities: -1], .bioes, 1, "invalid tag 'L-PER': expected 'O' or B-/E-/I-/S- followed by a type"),
            ("John B-PER\nSmith O\n", [.entities: -1], .bioes, 2, "'O' cannot follow 'B-PER' in BIOES"),
            ("John O\nSmith B-PER\nJones I-PER\n", [.entities: -1], .bioes, 3, "sentence ends inside the PER span opened at token 1 (missing E-PER)"),
            ("John U-PER\nSmith L-PER\n", [.entities: -1], .bilou, 2, "'L-PER' cannot follow 'U-PER' in BILOU"),
            ("John S-PER\n", [.entities: -1], .bilou, 1, "invalid tag 'S-PER': expected 'O' or B-/I-/L-/U- followed by a type"),
            ("John S-PER O\nSmith O E-X\n", [.entities: 1, .mentions: 2], .bioes, 2, "'E-X' cannot follow 'O' in BIOES"),
        ]
        for c in cases {
            XCTAssertCorpusError(try read(c.text, tags: c.tags, scheme: c.scheme, path: "data/bad.txt"),
                                 named: "bad.txt", atLine: c.line, contains: c.message)
        }
    }

    func testLenientSkipsTheBadSentence() throws {
        let text = "-DOCSTART- O\n\nAnn B-PER\n\nBob O\nLee I-PER\n\n-DOCSTART- O\n\nCyd O\n"
        let reader = ColumnReader(format: ColumnFormat(word: 0, tags: [.entities: 1], scheme: .iob2))
        try assertSkipsOne(named: "l.txt", atLine: 6, contains: "'I-PER' cannot follow 'O'", ids: ["l.txt#1", "l.txt#2"]) {
            try reader.read(text: text, path: "l.txt", policy: $0)
        }
        let read = try reader.read(text: text, path: "l.txt", policy: .lenient)
        XCTAssertEqual(read.documents.flatMap(\.sentences).map(\.tokens), [["Ann"], ["Cyd"]])
        // A document of bad sentences only is left out, and the next is numbered after the kept ones.
        let onlyBad = "Bob O\nLee I-PER\n\n-DOCSTART- O\n\nCyd O\n"
        try assertSkipsOne(named: "l.txt", atLine: 2, contains: "'I-PER' cannot follow 'O'", ids: ["l.txt#1"]) {
            try reader.read(text: onlyBad, path: "l.txt", policy: $0)
        }
    }

    /// The scheme read off the file (`hmtl score`'s default): BILOU when it has L-/U- tags.
    func testDetectedScheme() throws {
        XCTAssertEqual(try read("A U-PER\nB O\n", scheme: nil)[0].sentences[0].entities, [LabeledSpan(0, 0, "PER")])
        XCTAssertEqual(try read("A I-PER\nB I-PER\n", scheme: nil)[0].sentences[0].entities, [LabeledSpan(0, 1, "PER")])
        XCTAssertCorpusError(try read("A U-PER\n\nB B-PER\n", scheme: nil), named: "t.txt", atLine: 3,
                             contains: "missing L-PER) (file read as BILOU: it has L-/U- tags)")
    }

    func testColumnMaps() throws {
        let parsed = try ColumnFormat.columnMap(parsing: "word=1, ner=-1,emd=2")
        XCTAssertEqual(parsed.word, 1)
        XCTAssertEqual(parsed.tags, [.entities: -1, .mentions: 2])
        XCTAssertEqual(try ColumnFormat.columnMap(parsing: "ner=3").word, 0)
        for (text, fragment) in [("ner", "is not NAME=INDEX"), ("pos=1", "is not NAME=INDEX"), ("ner=x", "is not NAME=INDEX"),
                                 ("ner=1,ner=2", "'ner' is given twice"), ("word=1,ner=1", "'word' and 'ner' are both column 1")] {
            XCTAssertThrowsError(try ColumnFormat.columnMap(parsing: text), text) { error in
                XCTAssertTrue("\(error)".contains(fragment), "\(text): \(error)")
            }
        }
        XCTAssertEqual(ColumnFormat(word: 0, tags: [.mentions: 2, .entities: -1], scheme: nil).columnMap, "word=0, emd=2, ner=-1")
    }

    /// LitBank's `entities/*.tsv` are column files (token, four IOB2 layers, a trailing tab):
    /// read as such, their first layer gives the mentions the LitBank reader gives.
    func testLitBankEntityFilesWhenPresent() throws {
        let directory = sharedDataDirectory().appendingPathComponent("litbank")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("splits.txt").path) else {
            throw XCTSkip("LitBank not found at \(directory.path); skipping the real-corpus test")
        }
        let (train, dev, test) = try LitBankReader().read(directory: directory.path)
        let reader = ColumnReader(format: ColumnFormat(word: 0, tags: [.mentions: 1], scheme: .iob2))
        var mentions = 0
        for document in train + dev + test {
            let path = directory.appendingPathComponent("entities/\(document.id)_brat.tsv").path
            let columns = try reader.read(path: path)
            XCTAssertEqual(columns.count, 1, document.id)
            XCTAssertEqual(columns[0].sentences.map(\.tokens), document.sentences.map(\.tokens), document.id)
            XCTAssertEqual(columns[0].sentences.map(\.mentions), document.sentences.map(\.mentions), document.id)
            mentions += document.sentences.reduce(0) { $0 + $1.mentions.count }
        }
        XCTAssertGreaterThan(mentions, 10_000, "the premise: the corpus has many mentions to compare")
    }
}
