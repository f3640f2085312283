import Corpus
import XCTest

/// The documented rules of the raw-text tokenizer `hmtl predict` uses.
final class SimpleTokenizerTests: XCTestCase {
    private func texts(_ text: String) -> [[String]] {
        SimpleTokenizer().sentences(text).map { $0.map(\.text) }
    }

    func testPunctuationAndCliticsAreSplitOff() {
        XCTAssertEqual(texts("(Mary's dog) doesn't bark, \"really\"; they're fine"),
                       [["(", "Mary", "'s", "dog", ")", "does", "n't", "bark", ",", "\"", "really", "\"", ";", "they", "'re", "fine"]])
        XCTAssertEqual(texts("It’s John’s"), [["It", "’s", "John", "’s"]])
    }

    func testAbbreviationsWithInnerPeriodsStayWhole() {
        XCTAssertEqual(texts("The U.S. economy, e.g. exports."), [["The", "U.S.", "economy", ",", "e.g.", "exports", "."]])
    }

    func testSentencesEndBeforeAnUpperCaseWordOrTheEnd() {
        XCTAssertEqual(texts("He left. She stayed! Why? no split. \"Quoted.\" (Then) end"),
                       [["He", "left", "."], ["She", "stayed", "!"], ["Why", "?", "no", "split", "."],
                        ["\"", "Quoted", ".", "\""], ["(", "Then", ")", "end"]])
        XCTAssertEqual(texts("3.5 percent. ok"), [["3.5", "percent", ".", "ok"]])
    }

    func testOffsetsAreCharacterPositionsEndExclusive() {
        let text = "Zoë’s  café, fine."
        let tokens = SimpleTokenizer().tokenize(text)
        let characters = Array(text)
        for token in tokens {
            XCTAssertEqual(String(characters[token.start..<token.end]), token.text)
        }
        XCTAssertEqual(tokens.map { [$0.start, $0.end] }, [[0, 3], [3, 5], [7, 11], [11, 12], [13, 17], [17, 18]])
    }

    func testDocumentKeepsSentencesAndOffsets() {
        let (document, offsets) = SimpleTokenizer().document(id: "d", text: "A b. C")
        XCTAssertEqual(document.id, "d")
        XCTAssertEqual(document.sentences.map(\.tokens), [["A", "b", "."], ["C"]])
        XCTAssertEqual(offsets, [[0..<1, 2..<3, 3..<4], [5..<6]])
        XCTAssertTrue(SimpleTokenizer().sentences("  \t ").isEmpty)
    }
}
