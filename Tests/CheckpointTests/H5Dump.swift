import Foundation
import ProcessTesting
import XCTest

extension XCTestCase {
    /// Runs `h5dump` with `arguments` (for up to a minute), returning its status and standard
    /// output, or skips when the tool is on no folder of PATH (it lives in /usr/bin with
    /// Debian's hdf5-tools, elsewhere with other installs: a fixed path would skip where it is).
    func h5dump(_ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> (status: Int32, output: String) {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        guard let tool = path.split(separator: ":").map({ URL(fileURLWithPath: String($0)).appendingPathComponent("h5dump").path })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("h5dump is not on PATH (\(path)); install it (Debian: apt-get install hdf5-tools) to run this check")
        }
        let o = try TestCommand.run(tool, arguments, timeout: 60, environment: [:])
        XCTAssertFalse(o.timedOut, "h5dump \(arguments.joined(separator: " ")) ran for more than a minute", file: file, line: line)
        return (o.status, o.stdout)
    }
}
