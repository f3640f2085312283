import Foundation
import XCTest
import Tensor
@testable import NN

final class VectorsFileTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hmtl-vectors-\(UUID().uuidString)", isDirectory: true)
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

    private func expectError(_ body: @autoclosure () throws -> some Any, contains fragments: [String],
                             file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
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

    func testReadsAskedWordsLowerCasingTheFile() throws {
        let file = try VectorsFile(path: try fixture(glove), dimension: 3)
        XCTAssertEqual(file.wordCount, 5, "the blank line is no word")
        let vectors = try file.vectors(for: ["@@PADDING@@", "The", "cat", ",", "bird", "the"])
        XCTAssertEqual(Set(vectors.keys), ["the", "cat", ","], "dog was not asked for, bird is not in the file")
        XCTAssertEqual(vectors["the"], [0.1, -0.2, 0.3], "asked as 'The': looked up lower-cased")
        XCTAssertEqual(vectors["cat"], [1, 2, 3], "first line of a word wins ('Cat' before 'cat')")
        XCTAssertEqual(vectors[","], [0.5, 0.25, -0.01])
        XCTAssertEqual(try file.vectors(for: ["dog"]), ["dog": [4, 5, 6]], "rows are read again on demand")
        XCTAssertEqual(try file.vectors(for: []), [:])
    }

    /// The size and checksum are the file's bytes, however they were read.
    func testLinesStraddlingChunkBoundariesAndCRLFAndMissingFinalNewline() throws {
        let text = "the 0.1 -0.2 0.3\r\ncat 1 2 3 \r\n\r\ndog 4 5 6"
        let path = try fixture(text)
        let bytes = Array(text.utf8)
        let fnv1a = bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        for chunkSize in [1, 2, 5, 7, 64, 1 << 20] {
            let file = try VectorsFile(path: path, dimension: 3, chunkSize: chunkSize)
            XCTAssertEqual(try file.vectors(for: ["the", "cat", "dog"]), ["the": [0.1, -0.2, 0.3], "cat": [1, 2, 3], "dog": [4, 5, 6]],
                           "chunk size \(chunkSize)")
            XCTAssertEqual(file.byteCount, bytes.count, "chunk size \(chunkSize)")
            XCTAssertEqual(file.checksum, fnv1a, "chunk size \(chunkSize)")
        }
    }

    func testOneChangedByteChangesTheChecksumNotTheSize() throws {
        let a = try VectorsFile(path: try fixture("the 1 2 3\n", name: "a.txt"), dimension: 3)
        let b = try VectorsFile(path: try fixture("the 1 2 4\n", name: "b.txt"), dimension: 3)
        XCTAssertEqual(a.byteCount, b.byteCount)
        XCTAssertNotEqual(a.checksum, b.checksum)
    }

    func testMissingFile() {
        expectError(try VectorsFile(path: directory.appendingPathComponent("absent.txt").path, dimension: 3),
                    contains: ["absent.txt", "cannot open"])
    }

    func testTooFewNumbersNamesFileAndLine() throws {
        let path = try fixture("the 1 2 3\ndog 4 5 6\ncat 1 2\n")
        expectError(try VectorsFile(path: path, dimension: 3), contains: ["glove.txt:3:", "expected 3 numbers after the word, found 2"])
    }

    func testTooManyNumbersOnAnyWordIsAnErrorOfTheIndex() throws {
        let path = try fixture("the 1 2 3\n\nbird 4 5 6 7\n")
        expectError(try VectorsFile(path: path, dimension: 3), contains: ["glove.txt:3:", "expected 3 numbers after the word, found 4"])
    }

    func testWordWithoutNumbers() throws {
        let path = try fixture("the 1 2 3\nlonely\n")
        expectError(try VectorsFile(path: path, dimension: 3), contains: ["glove.txt:2:", "found 0"])
    }

    /// Numbers are parsed when their word is read: the index takes a bad number, the read of
    /// its word names the file and line.
    func testNonNumericValueIsReportedWhenItsWordIsRead() throws {
        let file = try VectorsFile(path: try fixture("the 1 2 3\nCat 1 x2 3\n"), dimension: 3)
        XCTAssertEqual(try file.vectors(for: ["the"]), ["the": [1, 2, 3]], "premise: the index and other words are fine")
        expectError(try file.vectors(for: ["cat"]), contains: ["glove.txt:2:", "value 2 of 'cat'", "'x2'"])
    }

    func testDoubleSpaceIsMalformed() throws {
        let file = try VectorsFile(path: try fixture("cat 1  2\n"), dimension: 3)
        expectError(try file.vectors(for: ["cat"]), contains: ["glove.txt:1:", "value 2 of 'cat'", "''"])
    }

    func testNonFiniteValue() throws {
        let file = try VectorsFile(path: try fixture("cat 1 nan 3\n"), dimension: 3)
        expectError(try file.vectors(for: ["cat"]), contains: ["glove.txt:1:", "finite number", "'nan'"])
    }

    /// A file replaced by a shorter one after indexing: the read says so instead of returning
    /// what is there now.
    func testAFileShortenedAfterIndexing() throws {
        let path = try fixture("the 1 2 3\ncat 4 5 6\n")
        let file = try VectorsFile(path: path, dimension: 3)
        try Data("the 1 2 3\n".utf8).write(to: URL(fileURLWithPath: path))
        expectError(try file.vectors(for: ["cat"]), contains: ["glove.txt:2:", "shorter than when it was indexed"])
    }

    /// The shared GloVe 6B 50-d file (`../shared/data/glove`): every line indexed, and a word's
    /// vector the numbers of its line as the file spells them.
    func testSharedGloVeFileWhenPresent() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/data/glove/glove.6B.50d.shared-vocab.txt")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("GloVe not found at \(url.path); skipping the real-file test")
        }
        let file = try VectorsFile(path: url.path, dimension: 50)
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(file.wordCount, lines.count)
        XCTAssertEqual(file.wordCount, 18_852, "the README's line count")
        XCTAssertEqual(file.byteCount, text.utf8.count)
        let picked = [lines.first!, lines[lines.count / 2], lines.last!].map { $0.split(separator: " ") }
        let vectors = try file.vectors(for: picked.map { String($0[0]).uppercased() } + ["zzzz-not-a-glove-word"])
        XCTAssertEqual(vectors.count, 3)
        for fields in picked {
            XCTAssertEqual(vectors[String(fields[0])], fields.dropFirst().map { Float(String($0))! }, String(fields[0]))
        }
    }
}
