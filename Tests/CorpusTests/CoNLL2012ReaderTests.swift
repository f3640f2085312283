import Corpus
import XCTest

final class CoNLL2012ReaderTests: XCTestCase {
    static let id = "nw/test/00/a"

    /// An OntoNotes-style token line (space-aligned columns) with `arguments` predicate columns.
    static func row(_ index: Int, _ word: String, _ entity: String, _ coref: String,
                    arguments: [String] = [], id: String = id, part: Int = 0) -> String {
        ([id, "\(part)", "\(index)", word, "NN", "*", "-", "-", "-", "Speaker#1", entity] + arguments + [coref])
            .joined(separator: "   ")
    }

    static func begin(_ part: String, id: String = id) -> String { "#begin document (\(id)); part \(part)" }

    /// Part 000: three sentences with a chain across sentences, a nested mention, a singleton
    /// and two chains (1 and 7) sharing a span; part 001: one sentence, nothing annotated.
    static let sample = [
        begin("000"),
        row(0, "John", "(PERSON*", "(0", arguments: ["(ARG0*"]),
        row(1, "Smith", "*)", "0)", arguments: ["*)"]),
        row(2, "visited", "*", "-", arguments: ["(V*)"]),
        row(3, "Paris", "(GPE)", "(1)", arguments: ["(ARG1*)"]),
        row(4, "/.", "*", "-", arguments: ["*"]),
        "",
        row(0, "His", "*", "(0)|(2"),
        row(1, "sister", "*", "2)"),
        row(2, "met", "*", "-"),
        row(3, "him", "*", "(0)"),
        row(4, ".", "*", "-"),
        "",
        row(0, "Paris", "(GPE*)", "(1)|(7)"),
        row(1, "rained", "*", "-"),
        row(2, ".", "*", "(7)"),
        "",
        "#end document",
        begin("001"),
        row(0, "Bye", "*", "-", part: 1),
        row(1, "/?", "*", "-", part: 1),
        "#end document",
    ]

    func testReadsPartsEntitiesAndChains() throws {
        let fixtures = try Fixtures()
        let docs = try CoNLL2012Reader().read(path: fixtures.write("a.gold_conll", Self.sample.joined(separator: "\n") + "\n"))
        XCTAssertEqual(docs.map(\.id), ["nw/test/00/a/000", "nw/test/00/a/001"])
        let doc = docs[0]
        XCTAssertEqual(doc.sentences.map(\.tokens), [["John", "Smith", "visited", "Paris", "."],
                                                    ["His", "sister", "met", "him", "."],
                                                    ["Paris", "rained", "."]])
        XCTAssertEqual(doc.sentences.map(\.entities), [[LabeledSpan(0, 1, "PERSON"), LabeledSpan(3, 3, "GPE")], [],
                                                      [LabeledSpan(0, 0, "GPE")]])
        func at(_ s: Int, _ start: Int, _ end: Int) -> DocumentSpan {
            DocumentSpan(sentence: s, span: TokenSpan(start: start, end: end))
        }
        XCTAssertEqual(doc.clusters, [
            [at(0, 0, 1), at(1, 0, 0), at(1, 3, 3)],
            [at(0, 3, 3), at(2, 0, 0), at(2, 2, 2)],
            [at(1, 0, 1)],
        ])
        XCTAssertTrue(doc.hasEntities && doc.hasCoreference)
        XCTAssertFalse(doc.hasMentions || doc.hasRelations)
        XCTAssertEqual(docs[1].sentences.map(\.tokens), [["Bye", "?"]])
        XCTAssertEqual(docs[1].clusters, [])
        XCTAssertEqual(docs[1].sentences[0].entities, [])
        XCTAssertTrue(docs[1].hasEntities && docs[1].hasCoreference)
    }

    /// LitBank's layout: tab-separated, `_` placeholders, empty last field outside every mention.
    func testTabSeparatedPlaceholdersAndSingletons() throws {
        func row(_ index: Int, _ word: String, _ coref: String) -> String {
            (["lit_brat", "0", "\(index)", word] + Array(repeating: "_", count: 8) + [coref]).joined(separator: "\t")
        }
        let text = ["#begin document (lit_brat); part 0", row(0, "Emma", "(0)"), row(1, "smiled", ""), row(2, ".", ""), "",
                    row(0, "She", "(0)|(1"), row(1, "did", "1)"), "", "#end document", ""].joined(separator: "\n")
        let docs = try CoNLL2012Reader().read(text: text, path: "lit.conll")
        XCTAssertEqual(docs.map(\.id), ["lit_brat/0"])
        XCTAssertEqual(docs[0].sentences.map(\.tokens), [["Emma", "smiled", "."], ["She", "did"]])
        XCTAssertEqual(docs[0].clusters, [
            [DocumentSpan(sentence: 0, span: TokenSpan(start: 0, end: 0)), DocumentSpan(sentence: 1, span: TokenSpan(start: 0, end: 0))],
            [DocumentSpan(sentence: 1, span: TokenSpan(start: 0, end: 1))],
        ])
        XCTAssertFalse(docs[0].hasEntities)
        XCTAssertTrue(docs[0].hasCoreference)
    }

    func testDirectoryReadsGoldConllFilesInSortedOrder() throws {
        let fixtures = try Fixtures()
        try FileManager.default.createDirectory(atPath: fixtures.path("split/sub"), withIntermediateDirectories: true)
        func doc(_ id: String) -> String {
            [Self.begin("000", id: id), Self.row(0, id, "*", "-", id: id), "#end document", ""].joined(separator: "\n")
        }
        _ = try fixtures.write("split/sub/a.v4_gold_conll", doc("a"))
        _ = try fixtures.write("split/b.v4_gold_conll", doc("b"))
        _ = try fixtures.write("split/c.v4_auto_conll", doc("c"))
        _ = try fixtures.write("split/notes.txt", "not conll")
        let docs = try CoNLL2012Reader().read(path: fixtures.path("split"))
        XCTAssertEqual(docs.map(\.id), ["b/000", "a/000"])  // "b.v4…" sorts before "sub/a.v4…"

        _ = try fixtures.write("split/sub/z.gold_conll", doc("b"))
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: fixtures.path("split")), named: "z.gold_conll", atLine: 1,
                             contains: "document 'b/000' was already read at")

        try FileManager.default.createDirectory(atPath: fixtures.path("empty"), withIntermediateDirectories: false)
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: fixtures.path("empty")), named: "empty", atLine: nil,
                             contains: "no file whose name ends in 'gold_conll'")
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: fixtures.path("missing")), named: "missing", atLine: nil,
                             contains: "no such file")
    }

    /// Replaces line `line` (1-based) of the sample by `replacement` (nil: deletes it) and expects
    /// an error at `expected` (default: the replaced line).
    func assertError(replacing line: Int, with replacement: String?, at expected: Int? = nil, contains fragment: String,
                     testLine: UInt = #line) throws {
        var lines = Self.sample
        if let replacement { lines[line - 1] = replacement } else { lines.remove(at: line - 1) }
        let fixtures = try Fixtures()
        let path = try fixtures.write("bad.gold_conll", lines.joined(separator: "\n") + "\n")
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: path), named: "bad.gold_conll", atLine: expected ?? line,
                             contains: fragment, line: testLine)
    }

    func testColumnErrors() throws {
        try assertError(replacing: 3, with: Self.row(1, "Smith", "*)", "0)"),
                        contains: "found 12 columns, but this sentence's first token line has 13")
        try assertError(replacing: 8, with: "nw/test/00/a 0 0 His NN * - - - - (0)",
                        contains: "expected at least 12 columns")
        try assertError(replacing: 8, with: Self.row(0, "His", "*", "(0)|(2", part: 1),
                        contains: "part '1' does not match part 000")
        try assertError(replacing: 9, with: Self.row(2, "sister", "*", "2)"), contains: "word index '2' out of sequence: expected 1")
    }

    /// The `#begin document` line defines the document, as in the official scorer: a row's
    /// document-id column may say otherwise (its part and word index are still checked).
    func testRowsMayCarryAnotherDocumentId() throws {
        var lines = Self.sample
        lines[7] = Self.row(0, "His", "*", "(0)|(2", id: "nw/test/00/b")
        lines[19] = Self.row(0, "Bye", "*", "-", id: "other", part: 1)
        XCTAssertTrue(lines[7].hasPrefix("nw/test/00/b ") && lines[19].hasPrefix("other "), "the premise: the rows carry other ids")
        let original = try CoNLL2012Reader().read(text: Self.sample.joined(separator: "\n") + "\n", path: "a.gold_conll")
        let relabelled = try CoNLL2012Reader().read(text: lines.joined(separator: "\n") + "\n", path: "a.gold_conll")
        XCTAssertEqual(relabelled.map(\.id), ["nw/test/00/a/000", "nw/test/00/a/001"])
        XCTAssertEqual(relabelled, original)
    }

    func testNamedEntityBracketErrors() throws {
        try assertError(replacing: 3, with: Self.row(1, "Smith", "(GPE)", "0)", arguments: ["*)"]),
                        contains: "'(GPE)' opens a span inside the PERSON span opened at token 0 (line 2)")
        try assertError(replacing: 4, with: Self.row(2, "visited", "*)", "-", arguments: ["(V*)"]),
                        contains: "'*)' closes a span but none is open")
        try assertError(replacing: 14, with: Self.row(0, "Paris", "(GPE*", "(1)|(7)"),
                        contains: "the GPE span opened here is not closed by the end of its sentence")
        for cell in ["PERSON", "(PERSON", "(*", "**", "*))", "(A(B*", ")"] {
            try assertError(replacing: 4, with: Self.row(2, "visited", cell, "-", arguments: ["(V*)"]),
                            contains: "unknown bracket syntax '\(cell)'")
        }
        try assertError(replacing: 4, with: Self.row(2, "visited", "_", "-", arguments: ["(V*)"]),
                        contains: "named-entity placeholder '_' in a document whose earlier cells are annotated")
    }

    func testCoreferenceBracketErrors() throws {
        for cell in ["(a)", "12", "((1)", "(1)|", "(-1)", "_"] {
            try assertError(replacing: 10, with: Self.row(2, "met", "*", cell), contains: "unknown coreference syntax")
        }
        try assertError(replacing: 10, with: Self.row(2, "met", "*", "3)"), contains: "'3)' closes a mention of chain 3 but none is open")
        try assertError(replacing: 9, with: Self.row(1, "sister", "*", "-"), at: 8,
                        contains: "the mention of chain 2 opened here is not closed by the end of its sentence")
    }

    func testDocumentStructureErrors() throws {
        try assertError(replacing: 1, with: "#begin document nw/test/00/a; part 000", contains: "malformed '#begin document' line")
        try assertError(replacing: 1, with: "#begin document (nw/test/00/a); part x", contains: "part 'x' is not a number")
        try assertError(replacing: 18, with: "", at: 19, contains: "'#begin document' inside document 'nw/test/00/a' part 000 opened on line 1")
        try assertError(replacing: 22, with: "", at: 19, contains: "part 001 opened here has no '#end document'")
        try assertError(replacing: 19, with: "", at: 20, contains: "token line outside a document")
        try assertError(replacing: 19, with: "#end document", contains: "'#end document' without a matching '#begin document'")

        let fixtures = try Fixtures()
        let orphanEnd = try fixtures.write("end.conll", "#end document\n")
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: orphanEnd), named: "end.conll", atLine: 1,
                             contains: "'#end document' without a matching '#begin document'")
        let empty = try fixtures.write("emptydoc.conll", "\(Self.begin("0"))\n\n#end document\n")
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: empty), named: "emptydoc.conll", atLine: 1,
                             contains: "document 'nw/test/00/a' part 0 has no tokens")
        let noBlocks = try fixtures.write("none.conll", "\n\n# just a comment\n")
        XCTAssertCorpusError(try CoNLL2012Reader().read(path: noBlocks), named: "none.conll", atLine: 3,
                             contains: "token line outside a document")
    }
}
