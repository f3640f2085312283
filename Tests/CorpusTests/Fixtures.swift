import Foundation
import Corpus
import XCTest

/// A fresh temporary directory for one test's fixture files, removed when the test ends.
final class Fixtures {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("hmtl-corpus-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `text` to `name` and returns the file's path.
    func write(_ name: String, _ text: String) throws -> String {
        try write(name, Data(text.utf8))
    }

    func write(_ name: String, _ data: Data) throws -> String {
        let url = directory.appendingPathComponent(name)
        try data.write(to: url)
        return url.path
    }

    func path(_ name: String) -> String {
        directory.appendingPathComponent(name).path
    }
}

/// Asserts that `body` throws a CorpusError naming file `name` (last path component) and `expectedLine`,
/// with a message containing `fragment`.
func XCTAssertCorpusError(_ body: @autoclosure () throws -> some Any, named name: String, atLine expectedLine: Int?,
                          contains fragment: String, file: StaticString = #filePath, line testLine: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a CorpusError", file: file, line: testLine)
    } catch let error as CorpusError {
        XCTAssertEqual((error.path as NSString).lastPathComponent, name, "\(error)", file: file, line: testLine)
        XCTAssertEqual(error.line, expectedLine, "\(error)", file: file, line: testLine)
        XCTAssertTrue(error.message.contains(fragment), "'\(error)' lacks '\(fragment)'", file: file, line: testLine)
    } catch {
        XCTFail("expected a CorpusError, got \(error)", file: file, line: testLine)
    }
}

/// Strict throws `name:line` (a message containing `fragment`); lenient returns documents `ids`,
/// skipping one record for the same reason.
func assertSkipsOne(named name: String, atLine line: Int, contains fragment: String, ids: [String],
                    file: StaticString = #filePath, testLine: UInt = #line,
                    _ read: (ReadPolicy) throws -> CorpusRead) throws {
    XCTAssertCorpusError(try read(.strict), named: name, atLine: line, contains: fragment, file: file, line: testLine)
    let lenient = try read(.lenient)
    XCTAssertEqual(lenient.documents.map(\.id), ids, file: file, line: testLine)
    XCTAssertEqual(lenient.skipped.count, 1, file: file, line: testLine)
    let reason = try XCTUnwrap(lenient.skipped.firstReasons.first, file: file, line: testLine)
    XCTAssertEqual(lenient.skipped.firstReasons.count, 1, file: file, line: testLine)
    XCTAssertEqual(reason.line, line, "\(reason)", file: file, line: testLine)
    XCTAssertTrue(reason.description.contains(fragment), "\(reason)", file: file, line: testLine)
}

/// Root of the shared data directory (`<repo>/../shared/data`), located from this file.
func sharedDataDirectory(filePath: String = #filePath) -> URL {
    URL(fileURLWithPath: filePath)
        .deletingLastPathComponent()  // CorpusTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repo root
        .deletingLastPathComponent()
        .appendingPathComponent("shared/data", isDirectory: true)
}
