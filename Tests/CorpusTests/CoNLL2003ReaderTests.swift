import Corpus
import XCTest

final class CoNLL2003ReaderTests: XCTestCase {
    let sample = """
        -DOCSTART- -X- -X- O

        EU NNP I-NP I-ORG
        rejects VBZ I-VP O
        German JJ I-NP I-MISC
        call NN I-NP O
        . . O O

        Peter NNP I-NP I-PER
        Blackburn NNP I-NP I-PER
        Anna NNP I-NP B-PER

        -DOCSTART- -X- -X- O

        BRUSSELS NNP I-NP I-LOC
        1996-08-22 CD I-NP O

        """

    func testReadsDocumentsSentencesAndIOB1Entities() throws {
        let fixtures = try Fixtures()
        let docs = try CoNLL2003Reader().read(path: try fixtures.write("train.txt", sample))
        XCTAssertEqual(docs.count, 2)
        XCTAssertEqual(docs.map(\.id), ["train.txt#1", "train.txt#2"])
        XCTAssertEqual(docs[0].sentences.count, 2)
        XCTAssertEqual(docs[0].sentences[0].tokens, ["EU", "rejects", "German", "call", "."])
        XCTAssertEqual(docs[0].sentences[0].entities, [LabeledSpan(0, 0, "ORG"), LabeledSpan(2, 2, "MISC")])
        XCTAssertEqual(docs[0].sentences[1].entities, [LabeledSpan(0, 1, "PER"), LabeledSpan(2, 2, "PER")])
        XCTAssertEqual(docs[1].sentences[0].entities, [LabeledSpan(0, 0, "LOC")])
        XCTAssertTrue(docs[0].hasEntities)
        XCTAssertFalse(docs[0].hasRelations || docs[0].hasMentions || docs[0].hasCoreference)
    }

    func testIOB2SchemeAndCRLF() throws {
        let text = "A DT O B-PER\r\nB NN O I-PER\r\n\r\nC NN O B-LOC\r\n"
        let docs = try CoNLL2003Reader(scheme: .iob2).read(text: text, path: "bio.txt")
        XCTAssertEqual(docs.count, 1)
        XCTAssertEqual(docs[0].sentences.map(\.entities), [[LabeledSpan(0, 1, "PER")], [LabeledSpan(0, 0, "LOC")]])
    }

    func testWrongColumnCount() throws {
        let fixtures = try Fixtures()
        let path = try fixtures.write("cols.txt", "EU NNP I-NP I-ORG\nrejects VBZ I-VP\n")
        XCTAssertCorpusError(try CoNLL2003Reader().read(path: path), named: "cols.txt", atLine: 2,
                             contains: "expected 4 whitespace-separated columns (word POS chunk NER), found 3")
    }

    func testInvalidTagsNameTheirLine() throws {
        let fixtures = try Fixtures()
        let bad = try fixtures.write("bad.txt", "-DOCSTART- -X- -X- O\n\nEU NNP I-NP O\nx NN O X-PER\n")
        XCTAssertCorpusError(try CoNLL2003Reader().read(path: bad), named: "bad.txt", atLine: 4, contains: "invalid tag 'X-PER'")
        let empty = try fixtures.write("empty-type.txt", "EU NNP I-NP O\n\nx NN O O\ny NN O B-\n")
        XCTAssertCorpusError(try CoNLL2003Reader().read(path: empty), named: "empty-type.txt", atLine: 4, contains: "invalid tag 'B-'")
        let strict = try fixtures.write("strict.txt", "EU NNP I-NP O\nx NN O I-PER\n")
        XCTAssertCorpusError(try CoNLL2003Reader(scheme: .iob2).read(path: strict), named: "strict.txt", atLine: 2,
                             contains: "must start with B-PER")
    }

    func testNoSentences() throws {
        let fixtures = try Fixtures()
        let path = try fixtures.write("docstart.txt", "-DOCSTART- -X- -X- O\n\n")
        XCTAssertCorpusError(try CoNLL2003Reader().read(path: path), named: "docstart.txt", atLine: nil, contains: "no sentences")
    }
}
