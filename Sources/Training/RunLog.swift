import Foundation

/// Rank 0's view of a run: human log lines on stdout and one JSON object per event appended to
/// `metrics.jsonl` in the run folder. Other ranks get a silent log.
public final class RunLog {
    private let metrics: FileHandle?
    private let quiet: Bool
    private let console: Bool

    /// `quiet`: a rank other than 0, which logs nothing; `console: false` keeps rank 0's lines
    /// off stdout but still writes metrics.jsonl (`hmtl bench --epochs` prints one line of its own).
    public init(directory: URL?, quiet: Bool, console: Bool = true) throws {
        self.quiet = quiet
        self.console = console
        guard let directory, !quiet else { metrics = nil; return }
        let url = directory.appendingPathComponent("metrics.jsonl")
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw TrainingError("cannot create \(url.path)")
            }
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        metrics = handle
    }

    deinit { try? metrics?.close() }

    public func say(_ line: String) {
        guard !quiet, console else { return }
        ConsoleOutput.standard.line(line)  // unbuffered, never blocking: logs survive a kill
    }

    /// Appends one JSON line; keys sorted so the file diffs cleanly between runs.
    public func record(_ event: [String: Any]) {
        guard let metrics,
              let data = try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys]) else { return }
        metrics.write(data + Data("\n".utf8))
    }
}

/// "1h02m", "3m07s", "12s".
public func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
}
