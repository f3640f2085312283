import Foundation
import ProcessTesting
import XCTest

extension XCTestCase {
    /// A fresh directory removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs `h5dump` with `arguments` (for up to a minute), returning its status and standard
    /// output, or skips when the tool is not installed.
    func h5dump(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        let tool = "/usr/bin/h5dump"
        guard FileManager.default.isExecutableFile(atPath: tool) else {
            throw XCTSkip("\(tool) is not installed (apt-get install hdf5-tools)")
        }
        let o = try TestCommand.run(tool, arguments, timeout: 60, environment: [:])
        XCTAssertFalse(o.timedOut, "h5dump \(arguments.joined(separator: " ")) ran for more than a minute", file: file, line: line)
        return (o.status, o.stdout)
    }
}
