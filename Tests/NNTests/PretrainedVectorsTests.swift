import Foundation
import TestSupport
import XCTest
@testable import NN

final class PretrainedVectorsTests: XCTestCase {
    private func file(_ text: String) throws -> VectorsFile {
        let url = try makeTemporaryDirectory().appendingPathComponent("vectors.txt")
        try Data(text.utf8).write(to: url)
        return try VectorsFile(path: url.path, dimension: 3)
    }

    func testTheVocabularysVectorsByRow() throws {
        let vocabulary = ["@@PADDING@@", "@@UNKNOWN@@", "the", "cat", "bird"]
        let vectors = try PretrainedVectors(file: try file("dog 4 5 6\nCat 1 2 3\nthe 0 0 1\n"), vocabulary: vocabulary)
        XCTAssertEqual(vectors.dimension, 3)
        XCTAssertEqual(vectors.vectors, ["the": [0, 0, 1], "cat": [1, 2, 3]], "dog is no vocabulary word, bird not in the file")
        XCTAssertEqual(vectors.vector(row: 3), [1, 2, 3])
        XCTAssertNil(vectors.vector(row: 4))
    }

    func testNoVocabularyWordFound() throws {
        let vectors = try file("dog 4 5 6\n")
        XCTAssertThrowsError(try PretrainedVectors(file: vectors, vocabulary: ["the", "cat"])) { error in
            XCTAssertTrue("\(error)".contains("none of the 2 vocabulary words has a vector in this file"), "\(error)")
            XCTAssertTrue("\(error)".hasPrefix(vectors.path), "\(error)")
        }
    }
}
