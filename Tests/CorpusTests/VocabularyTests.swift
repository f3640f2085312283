import Corpus
import XCTest

final class VocabularyTests: XCTestCase {
    let docs = [
        Document(id: "a", sentences: [Sentence(tokens: ["The", "cat", "saw", "the", "Dog"])]),
        Document(id: "b", sentences: [Sentence(tokens: ["a", "dog", "THE", "b"])]),
    ]

    func testWordsOrderedByFrequencyThenAlphabetically() {
        let words = Vocabulary.words(from: docs)
        XCTAssertEqual(words.entries, ["@@PADDING@@", "@@UNKNOWN@@", "the", "dog", "a", "b", "cat", "saw"])
        XCTAssertEqual(words.count, 8)
        XCTAssertEqual(words.index(of: "THE"), 2)
        XCTAssertEqual(words.index(of: "zebra"), Vocabulary.unknownIndex)
        XCTAssertEqual(words.entries[Vocabulary.paddingIndex], Vocabulary.padding)
    }

    func testCharactersKeepCase() {
        let chars = Vocabulary.characters(from: [Document(id: "x", sentences: [Sentence(tokens: ["Aa", "ab", "é"])])])
        XCTAssertEqual(chars.entries, ["@@PADDING@@", "@@UNKNOWN@@", "a", "A", "b", "é"])
        XCTAssertEqual(chars.index(of: "A"), 3)
        XCTAssertEqual(chars.index(of: "Z"), 1)
    }

    func testLabels() {
        let labels = Vocabulary.labels(["U-PER", "O", "B-LOC", "U-PER", "L-LOC"])
        XCTAssertEqual(labels.entries, ["O", "B-LOC", "L-LOC", "U-PER"])
        XCTAssertEqual(labels.index(of: "O"), 0)
        XCTAssertNil(labels.index(of: "U-ORG"))
        XCTAssertEqual(Vocabulary.labels(["b", "a"]).entries, ["a", "b"])
    }

    func testIndependentOfDocumentOrderAndRestorable() throws {
        let words = Vocabulary.words(from: docs)
        XCTAssertEqual(Vocabulary.words(from: docs.reversed()), words)
        let restored = try XCTUnwrap(Vocabulary(kind: .words, entries: words.entries))
        XCTAssertEqual(restored, words)
        XCTAssertEqual(restored.fingerprint, words.fingerprint)
        XCTAssertEqual(restored.index(of: "Cat"), words.index(of: "cat"))
        let json = try JSONEncoder().encode(words)
        XCTAssertEqual(try JSONDecoder().decode(Vocabulary.self, from: json), words)
        XCTAssertNil(Vocabulary(kind: .words, entries: ["the", "a"]))
        XCTAssertNil(Vocabulary(kind: .labels, entries: ["O", "O"]))
    }

    /// Pinned: the fingerprint is the cross-rank and checkpoint agreement check, so it must
    /// never change for the same entries, on any machine.
    func testFingerprintIsPinned() {
        XCTAssertEqual(Vocabulary.labels([]).fingerprint, 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(Vocabulary.words(from: docs).fingerprint, 0x914F_1255_C29A_35EF)
        XCTAssertEqual(Vocabulary.labels(["O", "U-PER"]).fingerprint, 0xAB3F_D744_13EA_8F75)
        XCTAssertNotEqual(Vocabulary.labels(["ab", "c"]).fingerprint, Vocabulary.labels(["a", "bc"]).fingerprint)
    }
}
