import Corpus
import XCTest

final class DyGIEReaderTests: XCTestCase {
    /// Two sentences (tokens 0…4 and 5…8) with document-wide offsets, as DyGIE writes them.
    static let ace = #"""
        {"doc_key": "CNN_1", "dataset": "ace05", "sentences": [["John", "Smith", "works", "for", "Acme"], ["He", "lives", "in", "Paris"]], "ner": [[[0, 1, "PER"], [4, 4, "ORG"]], [[5, 5, "PER"], [8, 8, "GPE"]]], "relations": [[[0, 1, 4, 4, "ORG-AFF"]], [[5, 5, 8, 8, "PHYS"]]], "clusters": [[[0, 1], [5, 5]], [[4, 4]]]}
        """#
    static let bare = #"{"doc_key": "bare", "sentences": [["Hello", "."]]}"#

    func testReadsAllLayersWithDocumentWideOffsets() throws {
        let docs = try DyGIEReader().read(text: Self.ace + "\n\n" + Self.bare + "\n", path: "train.json")
        XCTAssertEqual(docs.map(\.id), ["CNN_1", "bare"])
        let doc = docs[0]
        XCTAssertEqual(doc.sentences.map(\.tokens), [["John", "Smith", "works", "for", "Acme"], ["He", "lives", "in", "Paris"]])
        let entities = [[LabeledSpan(0, 1, "PER"), LabeledSpan(4, 4, "ORG")], [LabeledSpan(0, 0, "PER"), LabeledSpan(3, 3, "GPE")]]
        XCTAssertEqual(doc.sentences.map(\.entities), entities)
        XCTAssertEqual(doc.sentences.map(\.mentions), entities)
        XCTAssertEqual(doc.sentences.map(\.relations), [
            [Relation(head: TokenSpan(start: 0, end: 1), tail: TokenSpan(start: 4, end: 4), label: "ORG-AFF")],
            [Relation(head: TokenSpan(start: 0, end: 0), tail: TokenSpan(start: 3, end: 3), label: "PHYS")],
        ])
        XCTAssertEqual(doc.clusters, [
            [DocumentSpan(sentence: 0, span: TokenSpan(start: 0, end: 1)), DocumentSpan(sentence: 1, span: TokenSpan(start: 0, end: 0))],
            [DocumentSpan(sentence: 0, span: TokenSpan(start: 4, end: 4))],
        ])
        XCTAssertTrue(doc.hasEntities && doc.hasMentions && doc.hasRelations && doc.hasCoreference)
        XCTAssertFalse(docs[1].hasEntities || docs[1].hasMentions || docs[1].hasRelations || docs[1].hasCoreference)
    }

    func testEntitySpanOption() throws {
        let entitiesOnly = try DyGIEReader(entitySpansAs: .entities).read(text: Self.ace, path: "a.json")[0]
        XCTAssertEqual(entitiesOnly.sentences[0].entities.count, 2)
        XCTAssertEqual(entitiesOnly.sentences[0].mentions, [])
        XCTAssertTrue(entitiesOnly.hasEntities)
        XCTAssertFalse(entitiesOnly.hasMentions)
        let mentionsOnly = try DyGIEReader(entitySpansAs: .mentions).read(text: Self.ace, path: "a.json")[0]
        XCTAssertEqual(mentionsOnly.sentences[0].mentions.count, 2)
        XCTAssertEqual(mentionsOnly.sentences[0].entities, [])
        XCTAssertTrue(mentionsOnly.hasMentions && mentionsOnly.hasRelations)
        XCTAssertFalse(mentionsOnly.hasEntities)
    }

    func testClustersSharingASpanMerge() throws {
        let line = #"{"doc_key": "d", "sentences": [["a", "b", "c"]], "clusters": [[[2, 2], [0, 0]], [[1, 1]], [[0, 0], [1, 1], [0, 0]]]}"#
        let doc = try DyGIEReader().read(text: line, path: "d.json")[0]
        XCTAssertEqual(doc.clusters, [[0, 1, 2].map { DocumentSpan(sentence: 0, span: TokenSpan(start: $0, end: $0)) }])
    }

    /// Puts `line` as the second line after a valid one and expects an error on line 2.
    func assertError(_ line: String, contains fragment: String, testLine: UInt = #line) throws {
        let fixtures = try Fixtures()
        let path = try fixtures.write("bad.json", Self.bare + "\n" + line + "\n")
        XCTAssertCorpusError(try DyGIEReader().read(path: path), named: "bad.json", atLine: 2, contains: fragment, line: testLine)
    }

    func testStructureErrors() throws {
        try assertError(#"{"doc_key": "x", "sentences": [["a"]]"#, contains: "invalid JSON")
        try assertError(#"[1, 2]"#, contains: "expected a JSON object")
        try assertError(#"{"sentences": [["a"]]}"#, contains: "missing 'doc_key'")
        try assertError(#"{"doc_key": 7, "sentences": [["a"]]}"#, contains: "'doc_key' must be a non-empty string")
        try assertError(#"{"doc_key": "x"}"#, contains: "missing 'sentences'")
        try assertError(#"{"doc_key": "x", "sentences": []}"#, contains: "'sentences' must be a non-empty list")
        try assertError(#"{"doc_key": "x", "sentences": "a b"}"#, contains: "'sentences' must be a non-empty list")
        try assertError(#"{"doc_key": "x", "sentences": [["a"], []]}"#, contains: "sentence 1 is empty")
        try assertError(#"{"doc_key": "x", "sentences": [["a"], "b"]}"#, contains: "sentence 1 is not a list of tokens")
        try assertError(#"{"doc_key": "x", "sentences": [["a", 3]]}"#, contains: "token 1 of sentence 0 is not a non-empty string")
        try assertError(#"{"doc_key": "bare", "sentences": [["a"]]}"#, contains: "doc_key 'bare' already used on line 1")
    }

    func testAnnotationTypeAndLengthErrors() throws {
        let two = #""doc_key": "x", "sentences": [["a", "b"], ["c"]]"#
        try assertError("{\(two), \"ner\": [[]]}", contains: "'ner' has 1 entries but there are 2 sentences")
        try assertError("{\(two), \"relations\": [[], [], []]}", contains: "'relations' has 3 entries but there are 2 sentences")
        try assertError("{\(two), \"ner\": {}}", contains: "'ner' must be a list with one list per sentence")
        try assertError("{\(two), \"ner\": [[], 5]}", contains: "'ner' entry 1 is not a list")
        try assertError("{\(two), \"ner\": [[7], []]}", contains: "'ner' entry 0 holds a non-list item")
        for item in [#"[0, 1]"#, #"[0, 1, 2]"#, #"[0, 1.5, "PER"]"#, #"[true, 1, "PER"]"#, #"[0, 1, ""]"#, #"["0", 1, "PER"]"#] {
            try assertError("{\(two), \"ner\": [[\(item)], []]}", contains: "expected [start, end, label]")
        }
        try assertError("{\(two), \"ner\": [[[0, 0, \"A\"]], []], \"relations\": [[[0, 0, 0, \"R\"]], []]}",
                        contains: "expected [start1, end1, start2, end2, label]")
        try assertError("{\(two), \"clusters\": [[]]}", contains: "cluster 0 must be a non-empty list")
        try assertError("{\(two), \"clusters\": [[[0, 0]], [[1]]]}", contains: "cluster 1 holds")
        try assertError("{\(two), \"clusters\": 3}", contains: "'clusters' must be a list of clusters")
    }

    func testOffsetErrors() throws {
        let two = #""doc_key": "x", "sentences": [["a", "b"], ["c", "d"]]"#
        try assertError("{\(two), \"ner\": [[[1, 0, \"A\"]], []]}", contains: "'ner' span [1, 0] ends before it starts")
        try assertError("{\(two), \"ner\": [[[0, 4, \"A\"]], []]}", contains: "'ner' span [0, 4] out of range: the document has 4 tokens")
        try assertError("{\(two), \"ner\": [[[-1, 0, \"A\"]], []]}", contains: "out of range")
        try assertError("{\(two), \"ner\": [[], [[0, 0, \"A\"]]]}", contains: "'ner' span [0, 0] is not inside sentence 1 (tokens 2...3)")
        try assertError("{\(two), \"ner\": [[[1, 2, \"A\"]], []]}", contains: "is not inside sentence 0 (tokens 0...1)")
        let ner = #""ner": [[[0, 0, "A"], [1, 1, "B"]], [[2, 2, "C"]]]"#
        try assertError("{\(two), \(ner), \"relations\": [[[0, 0, 2, 2, \"R\"]], []]}",
                        contains: "'relations' argument [2, 2] is not inside sentence 0")
        try assertError("{\(two), \(ner), \"relations\": [[[0, 1, 1, 1, \"R\"]], []]}",
                        contains: "'relations' argument [0, 1] of sentence 0 is not a 'ner' span")
        try assertError("{\(two), \"relations\": [[[0, 0, 1, 1, \"R\"]], []]}", contains: "is not a 'ner' span")
        try assertError("{\(two), \"clusters\": [[[0, 0], [1, 2]]]}", contains: "cluster 0 mention [1, 2] is not inside sentence 0")
        try assertError("{\(two), \"clusters\": [[[3, 4]]]}", contains: "cluster 0 mention [3, 4] out of range")
        try assertError("{\(two), \"clusters\": [[[3, 2]]]}", contains: "cluster 0 mention [3, 2] ends before it starts")
    }
}

extension DyGIEReaderTests {
    /// ACE nests mentions: the flat NER/EMD layers keep the outermost, relations may use any.
    func testNestedEntitySpansFlattenToTheOutermost() throws {
        let line = #"{"doc_key": "n", "sentences": [["the", "US", "government", "said"]], "#
            + #""ner": [[[0, 2, "ORG"], [1, 1, "GPE"], [3, 3, "X"], [2, 3, "Y"]]], "#
            + #""relations": [[[1, 1, 0, 2, "PART-WHOLE"]]]}"#
        let document = try DyGIEReader().read(text: line + "\n", path: "nested.json")[0]
        let sentence = document.sentences[0]
        XCTAssertEqual(sentence.entities, [LabeledSpan(0, 2, "ORG"), LabeledSpan(3, 3, "X")])
        XCTAssertEqual(sentence.mentions, sentence.entities)
        XCTAssertEqual(sentence.relations, [Relation(head: TokenSpan(start: 1, end: 1), tail: TokenSpan(start: 0, end: 2), label: "PART-WHOLE")])
    }
}
