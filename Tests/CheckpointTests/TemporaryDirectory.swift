import Foundation
import XCTest

extension XCTestCase {
    /// A fresh directory removed when the test ends.
    func makeTemporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-checkpoint-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Runs `h5dump` with `arguments`, returning its standard output, or skips when the tool
    /// is not installed.
    func h5dump(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let tool = URL(fileURLWithPath: "/usr/bin/h5dump")
        guard FileManager.default.isExecutableFile(atPath: tool.path) else {
            throw XCTSkip("/usr/bin/h5dump is not installed (apt-get install hdf5-tools)")
        }
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
