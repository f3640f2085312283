import Foundation
import Training

/// Where `hmtl bench` puts its lines: appended to a file (`--out`), or one file of its own
/// (`--json-to`, the sweep's ranks; the sweep's JSON).
public enum BenchmarkOutput {
    public static func append(_ lines: [String], to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        if !FileManager.default.fileExists(atPath: path), !FileManager.default.createFile(atPath: path, contents: nil) {
            throw TrainingError("--out: cannot create \(path)")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        handle.write(Data(lines.map { $0 + "\n" }.joined().utf8))
    }

    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url, options: .atomic)
    }
}
