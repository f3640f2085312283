import Corpus
import XCTest

final class LitBankReaderTests: XCTestCase {
    typealias Row = (word: String, coref: String, tag: String)

    /// Two sentences: "Emma Woodhouse smiled ." / "She saw Hartfield ."
    static let emma: [[Row]] = [
        [("Emma", "(0", "B-PER"), ("Woodhouse", "0)", "I-PER"), ("smiled", "", "O"), (".", "", "O")],
        [("She", "(0)", "O"), ("saw", "", "O"), ("Hartfield", "(1)", "B-FAC"), (".", "", "O")],
    ]
    static let knight: [[Row]] = [[("Mr.", "(2", "B-PER"), ("Knightley", "2)", "I-PER"), ("came", "", "O")]]

    /// LitBank's own layouts, trailing tabs included.
    static func coref(_ name: String, _ sentences: [[Row]]) -> String {
        let body = sentences.map { rows in
            rows.enumerated().map { i, r in
                (["\(name)_brat", "0", "\(i)", r.word] + Array(repeating: "_", count: 8) + [r.coref]).joined(separator: "\t")
            }.joined(separator: "\n") + "\n"
        }.joined(separator: "\n")
        return "#begin document (\(name)_brat); part 0\n\(body)\n#end document\n"
    }

    static func entities(_ sentences: [[Row]]) -> String {
        sentences.map { rows in rows.map { "\($0.word)\t\($0.tag)\tO\tO\tO\t\n" }.joined() }.joined(separator: "\n")
    }

    /// A LitBank directory with `emma` and `knight`, the latter's entities file optionally replaced.
    static func corpus(splits: String = "# test split\ntrain emma\n\ntest knight\n", knightEntities: String? = nil,
                knightCoref: String? = nil) throws -> Fixtures {
        let fixtures = try Fixtures()
        for sub in ["coref", "entities"] {
            try FileManager.default.createDirectory(atPath: fixtures.path(sub), withIntermediateDirectories: false)
        }
        _ = try fixtures.write("splits.txt", splits)
        _ = try fixtures.write("coref/emma_brat.conll", Self.coref("emma", Self.emma))
        _ = try fixtures.write("entities/emma_brat.tsv", Self.entities(Self.emma))
        _ = try fixtures.write("coref/knight_brat.conll", knightCoref ?? Self.coref("knight", Self.knight))
        _ = try fixtures.write("entities/knight_brat.tsv", knightEntities ?? Self.entities(Self.knight))
        return fixtures
    }

    func testMergesCoreferenceAndMentions() throws {
        let fixtures = try Self.corpus()
        let (train, dev, test) = try LitBankReader().read(directory: fixtures.directory.path)
        XCTAssertEqual(train.map(\.id), ["emma"])
        XCTAssertEqual(dev.map(\.id), [])
        XCTAssertEqual(test.map(\.id), ["knight"])
        let emma = train[0]
        XCTAssertEqual(emma.sentences.map(\.tokens), [["Emma", "Woodhouse", "smiled", "."], ["She", "saw", "Hartfield", "."]])
        XCTAssertEqual(emma.sentences.map(\.mentions), [[LabeledSpan(0, 1, "PER")], [LabeledSpan(2, 2, "FAC")]])
        XCTAssertEqual(emma.clusters, [
            [DocumentSpan(sentence: 0, span: TokenSpan(start: 0, end: 1)), DocumentSpan(sentence: 1, span: TokenSpan(start: 0, end: 0))],
            [DocumentSpan(sentence: 1, span: TokenSpan(start: 2, end: 2))],
        ])
        XCTAssertTrue(emma.hasMentions && emma.hasCoreference)
        XCTAssertFalse(emma.hasEntities || emma.hasRelations)
        XCTAssertEqual(test[0].sentences[0].mentions, [LabeledSpan(0, 1, "PER")])
    }

    func testSplitFileErrors() throws {
        let cases: [(String, Int, String)] = [
            ("train emma\ntrain\n", 2, "expected 'SPLIT NAME' (two fields), found 1 fields"),
            ("train emma extra\n", 1, "found 3 fields"),
            ("val emma\n", 1, "unknown split 'val': expected train, dev or test"),
            ("train emma\ndev emma\n", 2, "document 'emma' is already listed on line 1"),
            ("train emma\n\ntest woodhouse\n", 3, "document 'woodhouse' is listed but"),
        ]
        for (splits, line, fragment) in cases {
            let fixtures = try Self.corpus(splits: splits)
            XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "splits.txt",
                                 atLine: line, contains: fragment)
        }
        let comments = try Self.corpus(splits: "# nothing here\n  \n")
        XCTAssertCorpusError(try LitBankReader().read(directory: comments.directory.path), named: "splits.txt",
                             atLine: nil, contains: "lists no documents")
    }

    func testMissingDirectoryAndFiles() throws {
        let fixtures = try Self.corpus()
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.path("nowhere")), named: "nowhere", atLine: nil,
                             contains: "no such directory")
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.path("splits.txt")), named: "splits.txt",
                             atLine: nil, contains: "is a file, expected the LitBank directory")
        try FileManager.default.removeItem(atPath: fixtures.path("entities/knight_brat.tsv"))
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "splits.txt", atLine: 4,
                             contains: "entities/knight_brat.tsv does not exist")
        try FileManager.default.removeItem(atPath: fixtures.path("splits.txt"))
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "splits.txt", atLine: nil,
                             contains: "no such file")
    }

    /// Entities-file variants of `knight` and the error each must give (line in the .tsv).
    func testTokenDisagreementNamesBothFiles() throws {
        let cases: [(String, Int?, String)] = [
            ("Mr.\tB-PER\t\nKnightly\tI-PER\t\ncame\tO\t\n", 2, "token 'Knightly' differs from 'Knightley' on "),
            ("Mr.\tB-PER\t\nKnightley\tI-PER\t\n\ncame\tO\t\n", 3, "sentence ends after 2 tokens, but "),
            ("Mr.\tB-PER\t\nKnightley\tI-PER\t\ncame\tO\t\nin\tO\t\n", 4, "token 'in' lies beyond the end of its sentence, which ends on "),
            ("Mr.\tB-PER\t\nKnightley\tI-PER\t\ncame\tO\t\n\nHe\tO\t\n", 5, "sentence 2 has no counterpart: "),
        ]
        for (tsv, line, fragment) in cases {
            let fixtures = try Self.corpus(knightEntities: tsv)
            XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "knight_brat.tsv",
                                 atLine: line, contains: fragment)
            XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "knight_brat.tsv",
                                 atLine: line, contains: "knight_brat.conll")
        }
        let twoSentences: [[Row]] = Self.knight + [[("He", "", "O")]]
        let fixtures = try Self.corpus(knightCoref: Self.coref("knight", twoSentences))
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path), named: "knight_brat.tsv", atLine: nil,
                             contains: "ends after 1 sentences, but sentence 2 of ")
    }

    func testEntityFileErrors() throws {
        let stray = try Self.corpus(knightEntities: "Mr.\tO\t\nKnightley\tI-PER\t\ncame\tO\t\n")
        XCTAssertCorpusError(try LitBankReader().read(directory: stray.directory.path), named: "knight_brat.tsv", atLine: 2,
                             contains: "'I-PER' cannot follow 'O' in IOB2")
        let bare = try Self.corpus(knightEntities: "Mr.\tB-PER\t\nKnightley\t\ncame\tO\t\n")
        XCTAssertCorpusError(try LitBankReader().read(directory: bare.directory.path), named: "knight_brat.tsv", atLine: 2,
                             contains: "expected a token and at least one tab-separated BIO column")
        let badCoref = try Self.corpus(knightCoref: Self.coref("knight", [[("Mr.", "(2", "O"), ("Knightley", "", "O"), ("came", "", "O")]]))
        XCTAssertCorpusError(try LitBankReader().read(directory: badCoref.directory.path), named: "knight_brat.conll", atLine: 2,
                             contains: "the mention of chain 2 opened here is not closed")
    }

    /// Layer 2 of the real corpus as a named layer beside layer 1: the outer mentions a level
    /// above EMD learns (configs/conll04-litbank/outer.json).
    func testRealSecondLayerWhenPresent() throws {
        let directory = sharedDataDirectory().appendingPathComponent("litbank")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("splits.txt").path) else {
            throw XCTSkip("LitBank not found at \(directory.path); skipping the real-corpus test")
        }
        let outer = SpanLayer(rawValue: "outer")
        let both = try LitBankReader(layers: [.mentions: 1, outer: 2]).read(directory: directory.path).train
        let innermost = try LitBankReader().read(directory: directory.path).train
        XCTAssertEqual(both.map { $0.sentences.map(\.mentions) }, innermost.map { $0.sentences.map(\.mentions) }, "layer 1 read as before")
        let sentences = both.flatMap(\.sentences)
        let outerSpans = sentences.flatMap { $0[layer: outer] }
        XCTAssertGreaterThan(outerSpans.count, 1000, "layer 2 holds many mentions")
        XCTAssertLessThan(outerSpans.count, sentences.flatMap(\.mentions).count, "fewer than the innermost layer")
        XCTAssertEqual(Set(outerSpans.map(\.label)).subtracting(["PER", "FAC", "GPE", "LOC", "VEH", "ORG"]), [])
    }

    func testRealCorpusWhenPresent() throws {
        let directory = sharedDataDirectory().appendingPathComponent("litbank")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("splits.txt").path) else {
            throw XCTSkip("LitBank not found at \(directory.path); skipping the real-corpus test")
        }
        let (train, dev, test) = try LitBankReader().read(directory: directory.path)
        XCTAssertEqual([train.count, dev.count, test.count], [80, 10, 10])
        let all = train + dev + test
        XCTAssertEqual(Set(all.map(\.id)).count, 100)
        XCTAssertEqual(all.reduce(0) { $0 + $1.tokenCount }, 210_532)  // the README's count: both files agree on it
        var types = Set<String>()
        for doc in all {
            XCTAssertFalse(doc.clusters.isEmpty, doc.id)
            XCTAssertTrue(doc.hasMentions && doc.hasCoreference && !doc.hasEntities, doc.id)
            XCTAssertTrue(doc.sentences.contains { !$0.mentions.isEmpty }, doc.id)
            for sentence in doc.sentences {
                types.formUnion(sentence.mentions.map(\.label))
                XCTAssertTrue(sentence.mentions.allSatisfy { $0.span.end < sentence.tokens.count }, doc.id)
            }
            for span in doc.clusters.joined() {
                XCTAssertLessThan(span.span.end, doc.sentences[span.sentence].tokens.count, doc.id)
            }
        }
        XCTAssertEqual(types, ["PER", "FAC", "GPE", "LOC", "VEH", "ORG"])
    }
}
