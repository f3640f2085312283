import Foundation
import XCTest

extension XCTestCase {
    /// Fails unless the command exited 0 in time, showing its output; returns it for chaining.
    @discardableResult
    public func succeeded(_ o: CommandRunner.Output, file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Output {
        XCTAssertFalse(o.timedOut, "timed out", file: file, line: line)
        XCTAssertEqual(o.status, 0, "exit \(o.status)\nstdout:\n\(o.stdout)\nstderr:\n\(o.stderr)", file: file, line: line)
        return o
    }

    /// The one line a failing command prints, after checking it failed with exit code 2.
    public func failure(_ o: CommandRunner.Output, file: StaticString = #filePath, line: UInt = #line) -> String {
        XCTAssertFalse(o.timedOut, "timed out", file: file, line: line)
        XCTAssertEqual(o.status, 2, "exit \(o.status)\nstdout:\n\(o.stdout)\nstderr:\n\(o.stderr)", file: file, line: line)
        let lines = o.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line on stderr, got:\n\(o.stderr)", file: file, line: line)
        return lines.first.map(String.init) ?? ""
    }

    /// `text` parsed as one JSON object (fails the test, naming the text, otherwise).
    public func jsonObject(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> [String: Any] {
        try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], text, file: file, line: line)
    }

    /// Writes `text` to `name` in `dir`, returning the file.
    @discardableResult
    public func writeFile(_ text: String, _ name: String, in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
