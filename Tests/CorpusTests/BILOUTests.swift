import Corpus
import XCTest

final class BILOUTests: XCTestCase {
    func testSpansToTagsAndBack() throws {
        let spans = [LabeledSpan(0, 0, "PER"), LabeledSpan(2, 4, "ORG"), LabeledSpan(5, 6, "LOC"), LabeledSpan(7, 7, "LOC")]
        let tags = BILOU.tags(for: spans, count: 9)
        XCTAssertEqual(tags, ["U-PER", "O", "B-ORG", "I-ORG", "L-ORG", "B-LOC", "L-LOC", "U-LOC", "O"])
        XCTAssertEqual(try BILOU.spans(from: tags), spans)
    }

    func testRoundTripOnDemoCorpus() throws {
        for document in DemoCorpus.generate(documents: 20, seed: 3) {
            for sentence in document.sentences {
                for spans in [sentence.entities, sentence.mentions] {
                    let tags = BILOU.tags(for: spans, count: sentence.tokens.count)
                    XCTAssertEqual(try BILOU.spans(from: tags), spans.sorted { $0.span < $1.span })
                }
            }
        }
    }

    func testEmptyAndAllOutside() throws {
        XCTAssertEqual(try BILOU.spans(from: []), [])
        XCTAssertEqual(try BILOU.spans(from: ["O", "O"]), [])
        XCTAssertEqual(BILOU.tags(for: [], count: 2), ["O", "O"])
    }

    func testInvalidSequencesThrowWithPosition() {
        let cases: [([String], Int, String)] = [
            (["I-PER"], 0, "'I-PER' cannot follow the start of the sentence"),
            (["O", "L-PER"], 1, "'L-PER' cannot follow 'O'"),
            (["B-PER", "L-ORG"], 1, "'L-ORG' cannot follow 'B-PER'"),
            (["B-PER", "O"], 1, "'O' cannot follow 'B-PER'"),
            (["B-PER", "U-PER"], 1, "cannot follow"),
            (["B-PER", "B-PER"], 1, "cannot follow"),
            (["O", "B-PER", "I-PER"], 2, "sentence ends inside the PER span opened at token 1"),
            (["O", "X-PER"], 1, "invalid tag 'X-PER'"),
            (["B-"], 0, "invalid tag 'B-'"),
            (["BPER"], 0, "invalid tag"),
            (["o"], 0, "invalid tag 'o'"),
        ]
        for (tags, position, fragment) in cases {
            do {
                try BILOU.validate(tags)
                XCTFail("\(tags) should be invalid")
            } catch {
                XCTAssertEqual(error.position, position, "\(tags): \(error)")
                XCTAssertTrue(error.message.contains(fragment), "\(tags): '\(error.message)' lacks '\(fragment)'")
            }
        }
    }

    func testIOB1LetsInsideStartASpanAndBeginSeparates() throws {
        // CoNLL-2003 style: I- opens a span; B- only splits two adjacent spans of one type.
        let tags = ["I-PER", "I-PER", "B-PER", "O", "I-LOC", "I-ORG", "I-ORG"]
        XCTAssertEqual(try TagScheme.iob1.spans(from: tags),
                       [LabeledSpan(0, 1, "PER"), LabeledSpan(2, 2, "PER"), LabeledSpan(4, 4, "LOC"), LabeledSpan(5, 6, "ORG")])
    }

    func testIOB2() throws {
        let tags = ["B-PER", "I-PER", "B-PER", "O", "B-LOC", "B-ORG", "I-ORG"]
        let spans = [LabeledSpan(0, 1, "PER"), LabeledSpan(2, 2, "PER"), LabeledSpan(4, 4, "LOC"), LabeledSpan(5, 6, "ORG")]
        XCTAssertEqual(try TagScheme.iob2.spans(from: tags), spans)
        XCTAssertEqual(try TagScheme.iob1.spans(from: tags), spans)
        XCTAssertEqual(BILOU.tags(for: spans, count: 7), ["B-PER", "L-PER", "U-PER", "O", "U-LOC", "B-ORG", "L-ORG"])
    }

    func testIOB2RejectsInsideWithoutBegin() {
        for (tags, position) in [(["O", "I-PER"], 1), (["B-LOC", "I-PER"], 1), (["I-PER"], 0)] {
            XCTAssertThrowsError(try TagScheme.iob2.spans(from: tags)) { error in
                let e = error as! TagSequenceError
                XCTAssertEqual(e.position, position)
                XCTAssertTrue(e.message.contains("must start with B-PER"), e.message)
            }
        }
    }

    func testIOBRejectsBILOUPrefixes() {
        for scheme in [TagScheme.iob1, .iob2] {
            XCTAssertThrowsError(try scheme.spans(from: ["O", "U-PER"])) { error in
                XCTAssertEqual((error as! TagSequenceError).position, 1)
            }
        }
    }

    func testTagSet() {
        XCTAssertEqual(BILOU.tagSet(types: ["PER", "LOC", "PER"]),
                       ["O", "B-LOC", "B-PER", "I-LOC", "I-PER", "L-LOC", "L-PER", "U-LOC", "U-PER"])
    }
}
