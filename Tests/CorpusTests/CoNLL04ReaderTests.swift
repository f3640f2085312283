import Corpus
import XCTest

final class CoNLL04ReaderTests: XCTestCase {
    /// Builds a file from rows of (token, tag, labels, heads); `#doc` lines from ids.
    func file(_ docs: [(String, [(String, String, String, String)])]) -> String {
        docs.map { id, rows in
            (["#doc \(id)"] + rows.enumerated().map { i, r in "\(i)\t\(r.0)\t\(r.1)\t\(r.2)\t\(r.3)" })
                .joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    let goodRows: [(String, String, String, String)] = [
        ("John", "B-Peop", "['N']", "[0]"),
        ("Smith", "I-Peop", "['Work_For', 'Live_In']", "[3, 5]"),
        ("of", "O", "['N']", "[2]"),
        ("Acme", "B-Org", "['OrgBased_In']", "[5]"),
        ("in", "O", "['N']", "[4]"),
        ("Paris", "B-Loc", "['N']", "[5]"),
    ]

    func testReadsEntitiesAndRelations() throws {
        let fixtures = try Fixtures()
        let path = try fixtures.write("train.txt", file([("17", goodRows), ("18", [("Hi", "O", "['N']", "[0]")])]))
        let docs = try CoNLL04Reader().read(path: path)
        XCTAssertEqual(docs.map(\.id), ["17", "18"])
        let s = docs[0].sentences[0]
        XCTAssertEqual(docs[0].sentences.count, 1)
        XCTAssertEqual(s.tokens, ["John", "Smith", "of", "Acme", "in", "Paris"])
        XCTAssertEqual(s.entities, [LabeledSpan(0, 1, "Peop"), LabeledSpan(3, 3, "Org"), LabeledSpan(5, 5, "Loc")])
        let john = TokenSpan(start: 0, end: 1), acme = TokenSpan(start: 3, end: 3), paris = TokenSpan(start: 5, end: 5)
        XCTAssertEqual(s.relations, [
            Relation(head: john, tail: acme, label: "Work_For"),
            Relation(head: john, tail: paris, label: "Live_In"),
            Relation(head: acme, tail: paris, label: "OrgBased_In"),
        ])
        XCTAssertTrue(docs[0].hasEntities && docs[0].hasRelations)
        XCTAssertFalse(docs[0].hasMentions || docs[0].hasCoreference)
        XCTAssertEqual(docs[1].sentences[0].entities, [])
    }

    /// Replaces row `row` of the good document and expects an error on its line (`#doc` is line 1).
    func assertError(row: Int, _ replacement: (String, String, String, String), contains fragment: String,
                     line: UInt = #line) throws {
        var rows = goodRows
        rows[row] = replacement
        let fixtures = try Fixtures()
        let path = try fixtures.write("bad.txt", file([("1", goodRows), ("2", rows)]))
        XCTAssertCorpusError(try CoNLL04Reader().read(path: path), named: "bad.txt", atLine: goodRows.count + 2 + row + 1,
                             contains: fragment, line: line)
    }

    func testMalformedLists() throws {
        try assertError(row: 2, ("of", "O", "'N'", "[2]"), contains: "malformed relation label list")
        try assertError(row: 2, ("of", "O", "[N]", "[2]"), contains: "malformed relation label list")
        try assertError(row: 2, ("of", "O", "['N']", "[two]"), contains: "malformed head list")
        try assertError(row: 2, ("of", "O", "['N']", "2"), contains: "malformed head list")
        try assertError(row: 2, ("of", "O", "[]", "[]"), contains: "empty relation label list")
    }

    func testMismatchedListLengths() throws {
        try assertError(row: 1, ("Smith", "I-Peop", "['Work_For', 'Live_In']", "[3]"),
                        contains: "2 relation labels but 1 head indices")
    }

    func testHeadOutOfRange() throws {
        try assertError(row: 1, ("Smith", "I-Peop", "['Work_For']", "[6]"), contains: "head index 6 out of range 0..<6")
    }

    func testRelationNotOnLastTokenOfEntity() throws {
        try assertError(row: 0, ("John", "B-Peop", "['Work_For']", "[3]"),
                        contains: "relation 'Work_For' on token 0 'John', which is not the last token of an entity")
        try assertError(row: 1, ("Smith", "I-Peop", "['Work_For']", "[2]"),
                        contains: "points to token 2 'of', which is not the last token of an entity")
    }

    func testInvalidTagAndColumns() throws {
        try assertError(row: 4, ("in", "X-Loc", "['N']", "[4]"), contains: "invalid tag 'X-Loc'")
        try assertError(row: 4, ("in", "U-Loc", "['N']", "[4]"), contains: "invalid tag 'U-Loc'")
        let fixtures = try Fixtures()
        let path = try fixtures.write("cols.txt", "#doc 1\n0\tHi\tO\t['N']\n")
        XCTAssertCorpusError(try CoNLL04Reader().read(path: path), named: "cols.txt", atLine: 2,
                             contains: "expected 5 tab-separated columns (index token tag relations heads), found 4")
    }

    func testIndexOutOfSequenceAndStructure() throws {
        let fixtures = try Fixtures()
        let skip = try fixtures.write("skip.txt", "#doc 1\n0\tA\tO\t['N']\t[0]\n2\tB\tO\t['N']\t[2]\n")
        XCTAssertCorpusError(try CoNLL04Reader().read(path: skip), named: "skip.txt", atLine: 3,
                             contains: "token index 2 out of sequence: expected 1")
        let orphan = try fixtures.write("orphan.txt", "0\tA\tO\t['N']\t[0]\n")
        XCTAssertCorpusError(try CoNLL04Reader().read(path: orphan), named: "orphan.txt", atLine: 1,
                             contains: "before the first '#doc'")
        let emptyDoc = try fixtures.write("emptydoc.txt", "#doc 1\n#doc 2\n0\tA\tO\t['N']\t[0]\n")
        XCTAssertCorpusError(try CoNLL04Reader().read(path: emptyDoc), named: "emptydoc.txt", atLine: 1,
                             contains: "document '1' has no tokens")
        let noID = try fixtures.write("noid.txt", "#doc\n0\tA\tO\t['N']\t[0]\n")
        XCTAssertCorpusError(try CoNLL04Reader().read(path: noID), named: "noid.txt", atLine: 1, contains: "missing document id")
    }

    func testRealCorpusWhenPresent() throws {
        let directory = sharedDataDirectory().appendingPathComponent("conll04")
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("train.txt").path) else {
            throw XCTSkip("CoNLL04 not found at \(directory.path); skipping the real-corpus test")
        }
        let expected = ["train": 910, "dev": 243, "test": 288]
        var relationLabels = Set<String>(), entityLabels = Set<String>()
        for split in ["train", "dev", "test"] {
            let docs = try CoNLL04Reader().read(path: directory.appendingPathComponent("\(split).txt").path)
            XCTAssertEqual(docs.count, expected[split], split)
            XCTAssertEqual(docs.reduce(0) { $0 + $1.sentences.count }, expected[split], split)
            XCTAssertEqual(Set(docs.map(\.id)).count, docs.count, "\(split): document ids are unique")
            for doc in docs {
                let sentence = doc.sentences[0]
                let entitySpans = Set(sentence.entities.map(\.span))
                for e in sentence.entities { XCTAssertLessThan(e.span.end, sentence.tokens.count) }
                for r in sentence.relations {
                    XCTAssertTrue(entitySpans.contains(r.head) && entitySpans.contains(r.tail), "\(split) \(doc.id): \(r)")
                }
                relationLabels.formUnion(sentence.relations.map(\.label))
                entityLabels.formUnion(sentence.entities.map(\.label))
            }
        }
        XCTAssertEqual(entityLabels, ["Peop", "Org", "Loc", "Other"])
        XCTAssertEqual(relationLabels, ["Work_For", "Kill", "OrgBased_In", "Live_In", "Located_In"])
    }
}
