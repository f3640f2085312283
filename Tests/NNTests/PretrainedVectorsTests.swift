import Foundation
import XCTest
import GradientChecking
@testable import NN

final class PretrainedVectorsTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hmtl-pretrained-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    private func fixture(_ text: String, name: String = "glove.txt") throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    private func expectError(_ path: String, dimension: Int = 3, vocabulary: [String] = ["the", "cat"],
                             contains fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try PretrainedVectors.read(path: path, dimension: dimension, vocabulary: vocabulary),
                             file: file, line: line) { error in
            let text = String(describing: error)
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "'\(text)' should contain '\(fragment)'", file: file, line: line)
            }
        }
    }

    private let glove = """
        the 0.1 -0.2 0.3
        Cat 1 2 3
        dog 4 5 6
        , 0.5 0.25 -1e-2
        cat 9 9 9

        """

    func testReadsRequestedWordsLowerCasingTheFile() throws {
        let path = try fixture(glove)
        let vectors = try PretrainedVectors.read(path: path, dimension: 3, vocabulary: ["@@PADDING@@", "@@UNKNOWN@@", "the", "cat", ",", "bird"])
        XCTAssertEqual(vectors.dimension, 3)
        XCTAssertEqual(Set(vectors.vectors.keys), ["the", "cat", ","], "dog was not requested, bird not in the file")
        XCTAssertEqual(vectors.vectors["the"], [0.1, -0.2, 0.3])
        XCTAssertEqual(vectors.vectors["cat"], [1, 2, 3], "first line of a word wins ('Cat' before 'cat')")
        XCTAssertEqual(vectors.vectors[","], [0.5, 0.25, -0.01])
        XCTAssertEqual(vectors.vector(row: 3), [1, 2, 3])
        XCTAssertNil(vectors.vector(row: 5))
    }

    func testLinesStraddlingChunkBoundariesAndCRLFAndMissingFinalNewline() throws {
        let path = try fixture("the 0.1 -0.2 0.3\r\ncat 1 2 3 \r\n\r\ndog 4 5 6")
        for chunkSize in [1, 2, 5, 7, 64, 1 << 20] {
            let vectors = try PretrainedVectors.read(path: path, dimension: 3, vocabulary: ["the", "cat", "dog"], chunkSize: chunkSize)
            XCTAssertEqual(vectors.vectors, ["the": [0.1, -0.2, 0.3], "cat": [1, 2, 3], "dog": [4, 5, 6]], "chunk size \(chunkSize)")
        }
    }

    func testMissingFile() {
        expectError(directory.appendingPathComponent("absent.txt").path, contains: ["absent.txt", "cannot open"])
    }

    func testTooFewNumbersNamesFileAndLine() throws {
        let path = try fixture("the 1 2 3\ndog 4 5 6\ncat 1 2\n")
        expectError(path, contains: ["glove.txt:3:", "expected 3 numbers after the word, found 2"])
    }

    func testTooManyNumbersOnAnUnrequestedWordIsStillAnError() throws {
        let path = try fixture("the 1 2 3\n\nbird 4 5 6 7\n")
        expectError(path, contains: ["glove.txt:3:", "expected 3 numbers after the word, found 4"])
    }

    func testWordWithoutNumbers() throws {
        let path = try fixture("the 1 2 3\nlonely\n")
        expectError(path, contains: ["glove.txt:2:", "found 0"])
    }

    func testNonNumericValue() throws {
        let path = try fixture("the 1 2 3\ncat 1 x2 3\n")
        expectError(path, contains: ["glove.txt:2:", "value 2 of 'cat'", "'x2'"])
    }

    func testDoubleSpaceIsMalformed() throws {
        let path = try fixture("cat 1  2\n")
        expectError(path, contains: ["glove.txt:1:", "value 2 of 'cat'", "''"])
    }

    func testNonFiniteValue() throws {
        let path = try fixture("cat 1 nan 3\n")
        expectError(path, contains: ["glove.txt:1:", "finite number", "'nan'"])
    }

    func testNoVocabularyWordFound() throws {
        let path = try fixture("dog 4 5 6\n")
        expectError(path, contains: ["glove.txt", "none of the 2 vocabulary words"])
    }
}
