import Corpus
import XCTest

/// Whole-file problems must be reported as errors naming the file, never trap, in every reader.
final class TextFileErrorTests: XCTestCase {
    let readers: [(String) throws -> [Document]] = [
        { try CoNLL2003Reader().read(path: $0) },
        { try CoNLL04Reader().read(path: $0) },
        { try DyGIEReader().read(path: $0) },
    ]

    func testMissingFile() throws {
        let fixtures = try Fixtures()
        for read in readers {
            XCTAssertCorpusError(try read(fixtures.path("missing.txt")), named: "missing.txt", atLine: nil, contains: "no such file")
        }
    }

    func testDirectory() throws {
        let fixtures = try Fixtures()
        let dir = fixtures.path("adir")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
        for read in readers {
            XCTAssertCorpusError(try read(dir), named: "adir", atLine: nil, contains: "is a directory")
        }
    }

    /// Bytes that are not UTF-8 are an error at their line, naming the byte and its offset.
    func testNonUTF8() throws {
        let fixtures = try Fixtures()
        let path = try fixtures.write("latin1.txt", Data([0x45, 0x55, 0x20, 0xE9, 0xFF, 0x0A]))
        for read in readers {
            XCTAssertCorpusError(try read(path), named: "latin1.txt", atLine: 1, contains: "not valid UTF-8: byte 0xE9 at byte 4 of the line")
        }
    }

    func testEmptyAndBlankFiles() throws {
        let fixtures = try Fixtures()
        let empty = try fixtures.write("empty.txt", "")
        let blank = try fixtures.write("blank.txt", "\n  \n\t\n")
        for read in readers {
            XCTAssertCorpusError(try read(empty), named: "empty.txt", atLine: nil, contains: "file is empty")
            XCTAssertCorpusError(try read(blank), named: "blank.txt", atLine: nil, contains: "file is empty")
        }
    }

    func testDescriptionFormat() {
        XCTAssertEqual(CorpusError(path: "train.txt", line: 17, message: "expected 5 tab-separated columns, found 3").description,
                       "train.txt:17: expected 5 tab-separated columns, found 3")
        XCTAssertEqual(CorpusError(path: "data/dev.txt", message: "no such file").description, "data/dev.txt: no such file")
    }
}
