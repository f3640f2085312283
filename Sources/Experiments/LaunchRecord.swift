import Foundation
import Training

/// One launch of a run's `hmtl train` by `hmtl experiment`, appended to the run folder's
/// `launches.jsonl` when the launch ends: a run's wall time is the sum of its launches' over
/// every sitting (start-up and the final test included; a launch whose runner was killed
/// outright is not counted).
struct LaunchRecord: Codable, Sendable {
    static let fileName = "launches.jsonl"

    /// The command as printed (paths relative to the runner's folder where they can be).
    var command: String
    /// ISO 8601, UTC.
    var started: String
    var seconds: Double
    /// mpirun's exit code, or the signal that ended it.
    var status: Int32
    /// `finished`, `interrupted` or `failed`.
    var outcome: String

    init(command: String, started: Date, seconds: Double, status: Int32, outcome: String) {
        self.command = command
        self.started = ISO8601DateFormatter().string(from: started)
        self.seconds = seconds
        self.status = status
        self.outcome = outcome
    }

    static func append(_ record: LaunchRecord, to folder: URL) throws {
        let url = folder.appendingPathComponent(fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]  // one line per record
        let line = try encoder.encode(record) + Data("\n".utf8)
        guard FileManager.default.fileExists(atPath: url.path) || FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw TrainingError("\(url.path): cannot create")
        }
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// The folder's launches; none when it has no file yet. A malformed line names the file and line.
    static func read(_ folder: URL) throws -> [LaunchRecord] {
        let url = folder.appendingPathComponent(fileName)
        guard FileManager.default.fileExists(atPath: url.path) else { return [] }
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap { index, line in
            guard !line.isEmpty else { return nil }
            do {
                return try JSONDecoder().decode(LaunchRecord.self, from: Data(line.utf8))
            } catch {
                throw TrainingError("\(url.path):\(index + 1): not a launch record (\(error))")
            }
        }
    }
}
