import Corpus
import Foundation
import XCTest

/// The stored-string rule (`StoredText`) and where it is enforced: `TextFile` locates bytes that
/// are not UTF-8 by line, and every reader rejects a record holding a NUL, such bytes or another
/// control character at its file and line (strict) or skips it and says why (lenient).
final class StoredTextTests: XCTestCase {
    func testTheRule() throws {
        for kept in ["John", "naïve", "東京", "a b", "C1\u{85}kept", "\u{FFFD}", "emoji 🙂"] {
            XCTAssertNil(StoredText.problem(in: kept), kept)
        }
        XCTAssertEqual(StoredText.problem(in: "Jo\0hn"),
                       #""Jo\0hn" contains a NUL byte (U+0000) at character 3, which checkpoint strings cannot hold"#)
        let control = try XCTUnwrap(StoredText.problem(in: "a\u{1}b"))
        XCTAssertTrue(control.contains("the control character U+0001 at character 2"), control)
        XCTAssertTrue(try XCTUnwrap(StoredText.problem(in: "del\u{7F}")).contains("U+007F"))
        // A tab splits a stored string's column when it is written out; in a line it separates them.
        XCTAssertNotNil(StoredText.problem(in: "a\tb"))
        XCTAssertNil(StoredText.problem(in: "a\tb", tabAllowed: true))
        XCTAssertNotNil(StoredText.problem(in: "a\tb\0", tabAllowed: true))
        // The message quotes the cell that holds the character, not the whole line.
        let line = "first NNP O\t" + String(repeating: "x", count: 50) + " Jo\u{1B}hn NNP O"
        XCTAssertEqual(StoredText.problem(in: line, tabAllowed: true),
                       #""Jo\u{1B}hn" contains the control character U+001B at character 66 (stored strings are text: no control characters)"#)
    }

    /// Lines are counted as `TextFile.lines` splits them (LF, CRLF, CR); each bad line names its
    /// first bad byte and that byte's offset in the line.
    func testTextFileLocatesBytesThatAreNotUTF8() throws {
        let bytes: [UInt8] = Array("ok\r\nalso ok\nbad ".utf8) + [0xE9] + Array(" here\rthen ".utf8) + [0xC3] + Array("\nfine é\n".utf8)
        let data = Data(bytes)
        XCTAssertNil(String(validating: data, as: UTF8.self), "the premise: the data is not UTF-8")
        let file = try TextFile(path: "mixed.txt", data: data, undecodable: .keep)
        XCTAssertEqual(file.lines, ["ok", "also ok", "bad \u{FFFD} here", "then \u{FFFD}", "fine é"])
        XCTAssertEqual(file.invalidUTF8, [2: "not valid UTF-8: byte 0xE9 at byte 5 of the line (the file must be UTF-8 text)",
                                          3: "not valid UTF-8: byte 0xC3 at byte 6 of the line (the file must be UTF-8 text)"])
        XCTAssertNoThrow(try file.checkLine(atIndex: 1))
        XCTAssertCorpusError(try file.checkLine(atIndex: 3), named: "mixed.txt", atLine: 4, contains: "byte 0xC3")
        XCTAssertCorpusError(try TextFile(path: "mixed.txt", data: data), named: "mixed.txt", atLine: 3, contains: "not valid UTF-8: byte 0xE9")
        XCTAssertCorpusError(try TextFile.text(decoding: data, path: "mixed.txt"), named: "mixed.txt", atLine: 3, contains: "byte 0xE9")
        // A valid file has no bad lines, and the same lines either way.
        let valid = try TextFile(path: "v.txt", data: Data("a\r\nb\rc\n".utf8), undecodable: .keep)
        XCTAssertEqual(valid.lines, ["a", "b", "c"])
        XCTAssertEqual(valid.invalidUTF8, [:])
    }

    /// One corpus per format whose middle record holds `@@` in a token; `line` is that token's line.
    private struct Case: Sendable {
        var name: String
        var text: String
        var line: Int
        var ids: [String]
        var idsWhenClean: [String]
        var read: @Sendable (String, ReadPolicy) throws -> CorpusRead
    }

    private static let cases: [Case] = [
        Case(name: "c.conll", text: "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\n\nJo@@hn NNP I-NP I-PER\n\n-DOCSTART- -X- -X- O\n\nParis NNP I-NP I-LOC\n",
             line: 5, ids: ["c.conll#1", "c.conll#2"], idsWhenClean: ["c.conll#1", "c.conll#2"],
             read: { try CoNLL2003Reader().read(path: $0, policy: $1) }),
        Case(name: "c.tsv", text: "EU\tS-ORG\n\nJo@@hn\tS-PER\n\nParis\tS-LOC\n", line: 3, ids: ["c.tsv#1"], idsWhenClean: ["c.tsv#1"],
             read: { try ColumnReader(format: ColumnFormat(word: 0, tags: [.entities: -1], scheme: .bioes)).read(path: $0, policy: $1) }),
        Case(name: "c04.txt", text: "#doc 1\n0\tJohn\tB-Peop\t['N']\t[0]\n#doc 2\n0\tJo@@hn\tB-Peop\t['N']\t[0]\n#doc 3\n0\tBob\tB-Peop\t['N']\t[0]\n",
             line: 4, ids: ["1", "3"], idsWhenClean: ["1", "2", "3"], read: { try CoNLL04Reader().read(path: $0, policy: $1) }),
        Case(name: "c.gold_conll",
             text: "#begin document (a); part 0\na 0 0 John NNP * - - - - (PERSON) (1)\n#end document\n#begin document (b); part 0\nb 0 0 Jo@@hn NNP * - - - - * -\n#end document\n#begin document (c); part 0\nc 0 0 Bob NNP * - - - - * -\n#end document\n",
             line: 5, ids: ["a/0", "c/0"], idsWhenClean: ["a/0", "b/0", "c/0"], read: { try CoNLL2012Reader().read(path: $0, policy: $1) }),
        Case(name: "c.json", text: "{\"doc_key\": \"a\", \"sentences\": [[\"x\"]]}\n{\"doc_key\": \"b\", \"sentences\": [[\"Jo@@hn\"]]}\n{\"doc_key\": \"c\", \"sentences\": [[\"z\"]]}\n",
             line: 2, ids: ["a", "c"], idsWhenClean: ["a", "b", "c"], read: { try DyGIEReader().read(path: $0, policy: $1) }),
    ]

    /// NUL, bytes that are not UTF-8 and another control character, in a token of every line format.
    private static let badTokens: [(bytes: [UInt8], message: String)] = [
        ([0x00], "contains a NUL byte (U+0000)"),
        ([0xE9], "not valid UTF-8: byte 0xE9 at byte"),
        ([0x1B], "the control character U+001B"),
    ]

    func testEveryReaderRejectsTheRecordAtItsLine() throws {
        let fixtures = try Fixtures()
        for c in Self.cases {
            let clean = try fixtures.write(c.name, c.text.replacingOccurrences(of: "@@", with: ""))
            XCTAssertEqual(try c.read(clean, .strict).documents.map(\.id), c.idsWhenClean, "the premise: \(c.name) is valid without the bad bytes")
            let parts = c.text.components(separatedBy: "@@")
            for bad in Self.badTokens {
                let path = try fixtures.write(c.name, Data(parts[0].utf8) + Data(bad.bytes) + Data(parts[1].utf8))
                try assertSkipsOne(named: c.name, atLine: c.line, contains: bad.message, ids: c.ids) { try c.read(path, $0) }
            }
        }
    }

    /// JSON escapes reach the strings only when decoded: the DyGIE reader checks what it keeps.
    func testDyGIEChecksDecodedStrings() throws {
        let good = #"{"doc_key": "a", "sentences": [["x", "y"]], "ner": [[[0, 0, "PER"], [1, 1, "ORG"]]], "relations": [[[0, 0, 1, 1, "Work_For"]]]}"#
        XCTAssertEqual(try DyGIEReader().read(text: good, path: "d.json").map(\.id), ["a"], "the premise: the line is valid")
        for (from, to, fragment) in [(#""doc_key": "a""#, #""doc_key": "a\u0000""#, "'doc_key': \"a\\0\" contains a NUL byte"),
                                     (#"["x", "y"]"#, #"["x", "y\u0000"]"#, "token 1 of sentence 0: \"y\\0\" contains a NUL byte"),
                                     (#""PER""#, #""P\u0001ER""#, "'ner' label of sentence 0: \"P\\u{01}ER\" contains the control character U+0001"),
                                     (#""Work_For""#, #""Work\tFor""#, "'relations' label of sentence 0: \"Work\\tFor\" contains the control character U+0009")] {
            let line = good.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(line, good)
            XCTAssertCorpusError(try DyGIEReader().read(text: line, path: "d.json"), named: "d.json", atLine: 1, contains: fragment)
        }
    }

    /// LitBank: a bad token in either file of a document, or a bad name in `splits.txt`.
    func testLitBankRejectsTheDocumentOrTheSplitsLine() throws {
        let knightEntities = LitBankReaderTests.entities(LitBankReaderTests.knight).replacingOccurrences(of: "came", with: "ca\u{0}me")
        let knightCoref = LitBankReaderTests.coref("knight", LitBankReaderTests.knight).replacingOccurrences(of: "came", with: "ca\u{0}me")
        for (entities, coref, file, line) in [(knightEntities, nil, "knight_brat.tsv", 3), (nil, knightCoref, "knight_brat.conll", 4)] {
            let fixtures = try LitBankReaderTests.corpus(knightEntities: entities, knightCoref: coref)
            XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path, policy: .strict),
                                 named: file, atLine: line, contains: "\"ca\\0me\" contains a NUL byte")
            let read = try LitBankReader().read(directory: fixtures.directory.path, policy: .lenient)
            XCTAssertEqual(read.train.map(\.id), ["emma"])
            XCTAssertEqual(read.test.map(\.id), [])
            XCTAssertEqual(read.skipped.firstReasons.map(\.line), [line])
        }
        let fixtures = try LitBankReaderTests.corpus(splits: "train emma\ntest kni\u{7F}ght\n")
        XCTAssertCorpusError(try LitBankReader().read(directory: fixtures.directory.path, policy: .lenient),
                             named: "splits.txt", atLine: 2, contains: "U+007F")
    }

    /// The file name gives the column formats' document ids.
    func testColumnFileNamesMustBeStorable() throws {
        XCTAssertEqual(try CoNLL2003Reader().read(text: "EU NNP I-NP I-ORG\n", path: "dir/a.conll").map(\.id), ["a.conll#1"])
        XCTAssertCorpusError(try CoNLL2003Reader().read(text: "EU NNP I-NP I-ORG\n", path: "dir/a\u{1}.conll", policy: .lenient),
                             named: "a\u{1}.conll", atLine: nil, contains: "the file name gives the document ids")
    }
}
