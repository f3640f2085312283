import Corpus
import XCTest
@testable import Scoring

/// The offline-scoring readers (`hmtl score`) on in-memory fixtures.
final class ScoringFilesTests: XCTestCase {
    private func file(_ path: String, _ text: String) throws -> TextFile { try TextFile(path: path, text: text) }

    private func assertError(_ body: () throws -> Void, path: String, line: Int?, contains part: String,
                             file: StaticString = #filePath, sourceLine: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: sourceLine) { error in
            guard let e = error as? CorpusError else { return XCTFail("\(error)", file: file, line: sourceLine) }
            XCTAssertEqual(e.path, path, file: file, line: sourceLine)
            XCTAssertEqual(e.line, line, "\(e)", file: file, line: sourceLine)
            XCTAssertTrue(e.message.contains(part), "\(e)", file: file, line: sourceLine)
        }
    }

    // MARK: - NER / EMD columns

    private let goldTags = """
        -DOCSTART- -X- O O

        John NNP B-PER
        Smith NNP I-PER
        visited VBD O
        Paris NNP B-LOC

        IBM NNP B-ORG
        """

    func testSpanFilesDetectIOBAndBILOUPerFile() throws {
        let predicted = """
            -DOCSTART- O

            John U-PER
            Smith U-PER
            visited O
            Paris U-LOC

            IBM O
            """
        let pairs = try TaggedSpanFiles.read(gold: file("gold.txt", goldTags), predicted: file("pred.txt", predicted))
        XCTAssertEqual(pairs.count, 2)
        XCTAssertEqual(pairs[0].gold, [LabeledSpan(0, 1, "PER"), LabeledSpan(3, 3, "LOC")])
        XCTAssertEqual(pairs[0].predicted, [LabeledSpan(0, 0, "PER"), LabeledSpan(1, 1, "PER"), LabeledSpan(3, 3, "LOC")])
        XCTAssertEqual(pairs[1], GoldAndPrediction(gold: [LabeledSpan(0, 0, "ORG")], predicted: []))
        var m = SpanMetrics()
        for p in pairs { m.add(predicted: p.predicted, gold: p.gold) }
        XCTAssertEqual(m.overall, .init(correct: 1, predicted: 3, gold: 3))
    }

    func testSpanFilesStrayInsideTagOpensASpanLikeConlleval() throws {
        let predicted = goldTags.replacingOccurrences(of: "visited VBD O", with: "visited VBD I-MISC")
        let pairs = try TaggedSpanFiles.read(gold: file("gold.txt", goldTags), predicted: file("pred.txt", predicted))
        XCTAssertEqual(pairs[0].predicted, [LabeledSpan(0, 1, "PER"), LabeledSpan(2, 2, "MISC"), LabeledSpan(3, 3, "LOC")])
    }

    func testSpanFilesMustListTheSameTokens() throws {
        let predicted = goldTags.replacingOccurrences(of: "Paris NNP", with: "London NNP")
        assertError({ _ = try TaggedSpanFiles.read(gold: self.file("gold.txt", self.goldTags), predicted: self.file("pred.txt", predicted)) },
                    path: "pred.txt", line: 6, contains: "token 'London', but gold.txt:6 has token 'Paris'")
        let short = goldTags.components(separatedBy: "\n").dropLast().joined(separator: "\n")
        assertError({ _ = try TaggedSpanFiles.read(gold: self.file("gold.txt", self.goldTags), predicted: self.file("pred.txt", short)) },
                    path: "pred.txt", line: 8, contains: "end of file, but gold.txt:8 has token 'IBM'")
    }

    func testSpanFilesReportMalformedLines() throws {
        let invalidBILOU = goldTags.replacingOccurrences(of: "B-PER", with: "U-PER")   // U-PER then I-PER
        assertError({ _ = try TaggedSpanFiles.read(gold: self.file("gold.txt", invalidBILOU), predicted: self.file("pred.txt", self.goldTags)) },
                    path: "gold.txt", line: 4, contains: "BILOU")
        let oneColumn = goldTags.replacingOccurrences(of: "visited VBD O", with: "visited")
        assertError({ _ = try TaggedSpanFiles.read(gold: self.file("gold.txt", self.goldTags), predicted: self.file("pred.txt", oneColumn)) },
                    path: "pred.txt", line: 5, contains: "found 1 column")
        let badTag = goldTags.replacingOccurrences(of: "B-ORG", with: "ORG")
        assertError({ _ = try TaggedSpanFiles.read(gold: self.file("gold.txt", badTag), predicted: self.file("pred.txt", self.goldTags)) },
                    path: "gold.txt", line: 8, contains: "invalid tag 'ORG'")
    }

    // MARK: - CoNLL-2012 coreference

    /// Document "(a); part 0": sentence 0 = "He saw his dog", sentence 1 = "It barked".
    /// Entity 1: He [0,0,0], his [0,2,2]; entity 2: his dog [0,2,3], It [1,0,0].
    private let goldCoref = """
        #begin document (a); part 000
        a 0 0 He (1)
        a 0 1 saw -
        a 0 2 his (1)|(2
        a 0 3 dog 2)

        a 0 0 It (2)
        a 0 1 barked -
        #end document
        #begin document (a); part 001
        a 1 0 Yes (7)
        #end document
        """

    func testCorefFilesParseBracketsAndScore() throws {
        let predicted = """
            #begin document (a); part 001
            x - 
            #end document
            #begin document (a); part 000
            a 0 0 He (5)
            a 0 1 saw -
            a 0 2 his (5)
            a 0 3 dog -

            a 0 0 It (5)
            a 0 1 barked -
            #end document
            """
        let documents = try CoreferenceFiles.read(gold: file("gold.conll", goldCoref), predicted: file("pred.conll", predicted))
        XCTAssertEqual(documents.map(\.id), ["a", "a"])
        XCTAssertEqual(documents.map(\.part), [0, 1])
        func span(_ s: Int, _ a: Int, _ b: Int) -> DocumentSpan { DocumentSpan(sentence: s, span: TokenSpan(start: a, end: b)) }
        XCTAssertEqual(documents[0].clusters.gold, [[span(0, 0, 0), span(0, 2, 2)], [span(0, 2, 3), span(1, 0, 0)]])
        XCTAssertEqual(documents[0].clusters.predicted, [[span(0, 0, 0), span(0, 2, 2), span(1, 0, 0)]])
        XCTAssertEqual(documents[1].clusters.gold, [[span(0, 0, 0)]])
        XCTAssertEqual(documents[1].clusters.predicted, [])

        // Key {He, his} {his dog, It} {Yes}; response {He, his, It}.
        // MUC: correct links (2−1) + (1−1) = 1 over key links 2 and response links 2 → 0.5 / 0.5.
        var m = CoreferenceMetrics()
        for d in documents { m.add(key: d.clusters.gold, response: d.clusters.predicted) }
        XCTAssertEqual(m.muc, PrecisionRecall(recallNumerator: 1, recallDenominator: 2, precisionNumerator: 1, precisionDenominator: 2))
        XCTAssertEqual(m.mentions, PrecisionRecall(recallNumerator: 3, recallDenominator: 5, precisionNumerator: 3, precisionDenominator: 3))
    }

    func testCorefFilesReportMismatchesAndMalformedCells() throws {
        let gold = try file("gold.conll", goldCoref)
        let onlyPart0 = goldCoref.components(separatedBy: "\n").prefix(9).joined(separator: "\n")
        assertError({ _ = try CoreferenceFiles.read(gold: gold, predicted: self.file("pred.conll", onlyPart0)) },
                    path: "pred.conll", line: nil, contains: "document 'a' part 1 of the gold file gold.conll is missing")
        let extra = goldCoref + "\n#begin document (b); part 000\nb 0 0 x -\n#end document"
        assertError({ _ = try CoreferenceFiles.read(gold: gold, predicted: self.file("pred.conll", extra)) },
                    path: "pred.conll", line: 13, contains: "'b' part 0 is not in the gold file")
        let shorter = goldCoref.replacingOccurrences(of: "a 0 1 barked -\n", with: "")
        assertError({ _ = try CoreferenceFiles.read(gold: gold, predicted: self.file("pred.conll", shorter)) },
                    path: "pred.conll", line: 1, contains: "sentence 2 has 1 tokens here but 2 tokens")
        for (bad, line, message) in [
            (goldCoref.replacingOccurrences(of: "dog 2)", with: "dog -"), 4, "never closed"),
            (goldCoref.replacingOccurrences(of: "saw -", with: "saw 3)"), 3, "never opened"),
            (goldCoref.replacingOccurrences(of: "saw -", with: "saw (x)"), 3, "invalid coreference cell '(x)'"),
            (goldCoref.replacingOccurrences(of: "dog 2)", with: "dog -").replacingOccurrences(of: "It (2)", with: "It 2)"),
             7, "crosses a sentence boundary"),
            (goldCoref.replacingOccurrences(of: "part 001", with: "part one"), 10, "invalid part number"),
            ("x 0 0 He -\n" + goldCoref, 1, "outside a #begin document"),
        ] {
            assertError({ _ = try CoreferenceFiles.read(gold: gold, predicted: self.file("pred.conll", bad)) },
                        path: "pred.conll", line: line, contains: message)
        }
    }

    // MARK: - Relation JSON lines

    /// Two sentences of 3 and 4 tokens; document-wide offsets, so sentence 2 starts at 3.
    private let goldRelations = """
        {"doc_key": "d1", "sentences": [["Ann", "joined", "IBM"], ["She", "lives", "in", "Rome"]], "relations": [[[0, 0, 2, 2, "Work_For"]], [[3, 3, 6, 6, "Live_In"]]]}
        {"doc_key": "d2", "sentences": [["Nothing"]], "relations": [[]]}
        """

    func testRelationFilesConvertDocumentOffsets() throws {
        let predicted = """
            {"doc_key": "d2", "sentences": [["Nothing"]], "predicted_relations": [[]]}
            {"doc_key": "d1", "sentences": [["Ann", "joined", "IBM"], ["She", "lives", "in", "Rome"]], "predicted_relations": [[], [[5, 6, 3, 3, "Live_In", 1.5, 0.9]]]}
            """
        let pairs = try RelationFiles.read(gold: file("gold.json", goldRelations), predicted: file("pred.json", predicted))
        XCTAssertEqual(pairs.count, 3)
        XCTAssertEqual(pairs[0].gold, [Relation(head: TokenSpan(start: 0, end: 0), tail: TokenSpan(start: 2, end: 2), label: "Work_For")])
        XCTAssertEqual(pairs[0].predicted, [])
        XCTAssertEqual(pairs[1].gold, [Relation(head: TokenSpan(start: 0, end: 0), tail: TokenSpan(start: 3, end: 3), label: "Live_In")])
        XCTAssertEqual(pairs[1].predicted, [Relation(head: TokenSpan(start: 2, end: 3), tail: TokenSpan(start: 0, end: 0), label: "Live_In")])
        XCTAssertEqual(pairs[2], GoldAndPrediction(gold: [], predicted: []))
    }

    func testRelationFilesReportMalformedLines() throws {
        let gold = try file("gold.json", goldRelations)
        let d2 = #"{"doc_key": "d2", "sentences": [["Nothing"]], "relations": [[]]}"#
        for (bad, line, message) in [
            ("{not json\n" + d2, 1, "expected a JSON object"),
            (#"{"doc_key": "d1", "sentences": [["Ann", "joined", "IBM"], ["She", "lives", "in", "Rome"]], "relations": [[[0, 0, 3, 3, "X"]], []]}"#,
             1, "does not lie inside it"),
            (#"{"doc_key": "d1", "sentences": [["Ann", "joined", "IBM"], ["She", "lives", "in", "Rome"]], "relations": [[]]}"#,
             1, "has 1 lists for 2 sentences"),
            (#"{"doc_key": "d1", "sentences": [["Ann", "joined", "IBM"], ["She", "lives", "in", "Rome"]], "relations": [[[0, 0, 2, "X"]], []]}"#,
             1, "expected [s1, e1, s2, e2, label]"),
            (#"{"doc_key": "d1", "sentences": [["Ann", "joined", "IBM", "."], ["She", "lives", "in", "Rome"]], "relations": [[], []]}"# + "\n" + d2,
             1, "sentence lengths [4, 4] differ from [3, 4]"),
            (d2 + "\n" + d2, 2, "appears twice"),
        ] {
            assertError({ _ = try RelationFiles.read(gold: gold, predicted: self.file("pred.json", bad)) },
                        path: "pred.json", line: line, contains: message)
        }
        assertError({ _ = try RelationFiles.read(gold: gold, predicted: self.file("pred.json", d2)) },
                    path: "pred.json", line: nil, contains: "doc_key 'd1' of the gold file gold.json is missing")
    }
}
