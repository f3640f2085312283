import Foundation
import Processes
import XCTest

/// A `TestJob` left running while the test acts on it (signals it, waits for a line), its
/// standard output and error going to one log file the test reads. Every wait is bounded and
/// says whether it got what it waited for; the exit status exists only once it has exited.
public final class BackgroundProcess {
    public let job: TestJob
    public let log: URL
    private let capture: CapturedOutput

    public init(_ program: String, _ arguments: [String], environment: [String: String] = [:], log: URL) throws {
        self.log = log
        capture = try CapturedOutput(at: log)
        job = try TestJob(program, arguments, environment: environment, standardOutput: capture.descriptor, standardError: capture.descriptor)
    }

    /// Everything it printed so far.
    public var output: String { capture.text }
    public var isRunning: Bool { !job.process.hasExited }
    /// Its exit code (or the signal that ended it) once it has exited; nil while it runs.
    public var status: Int32? { job.process.hasExited ? job.process.status : nil }

    /// Polls until `condition` holds on the output, the process exits, or `timeout` passes; true
    /// when the condition held (checked once more after an exit, so that last lines count).
    @discardableResult
    public func wait(upTo timeout: TimeInterval, until condition: (String) -> Bool) -> Bool {
        var met = false
        job.process.wait(upTo: timeout) { met = condition(output); return met }
        return met || condition(output)
    }

    /// Waits for it to exit; false if it is still running after `timeout`.
    public func waitForExit(upTo timeout: TimeInterval) -> Bool { job.process.wait(upTo: timeout) }

    /// Ends it and everything it started (see `TestJob.end`); call it in a `defer`.
    public func end(file: StaticString = #filePath, line: UInt = #line) { job.end(file: file, line: line) }
}
