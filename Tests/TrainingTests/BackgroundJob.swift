import Foundation
import XCTest

/// A 2-rank `mpirun … hmtl` left running so a test can signal its ranks while it trains.
/// Output goes to a log file the test polls; `end()` kills whatever is left.
final class BackgroundJob {
    private let process = Process()
    private let log: URL
    private(set) var ranks: [Int32] = []

    init(_ arguments: [String], log: URL) throws {
        self.log = log
        XCTAssertTrue(FileManager.default.createFile(atPath: log.path, contents: nil))
        process.executableURL = URL(fileURLWithPath: try XCTUnwrap(CommandRunner.which("mpirun")))
        process.arguments = ["--allow-run-as-root", "--oversubscribe", "-np", "2", "-x", "OPENBLAS_NUM_THREADS=1", CommandRunner.hmtl] + arguments
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
    }

    var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }
    var status: Int32 { process.terminationStatus }

    /// Polls until `condition` holds on the output, the job ends, or `timeout` passes.
    func wait(upTo timeout: TimeInterval, until condition: (String) -> Bool) {
        let start = Date()
        while process.isRunning, Date().timeIntervalSince(start) < timeout, !condition(output) { usleep(100_000) }
    }

    /// Waits for the job to end; false if it is still running after `timeout`.
    func waitForExit(upTo timeout: TimeInterval) -> Bool {
        let start = Date()
        while process.isRunning, Date().timeIntervalSince(start) < timeout { usleep(50_000) }
        guard !process.isRunning else { return false }
        process.waitUntilExit()
        return true
    }

    /// The rank processes under mpirun (needs pgrep).
    func findRanks() throws -> [Int32] {
        let children = try CommandRunner.execute("/usr/bin/pgrep", ["-P", "\(process.processIdentifier)"], timeout: 10, environment: [:])
        ranks = children.stdout.split(separator: "\n").compactMap { Int32($0) }
        XCTAssertEqual(ranks.count, 2, "expected two rank processes under mpirun: \(children.stdout)")
        return ranks
    }

    func end() {
        for pid in ranks { kill(pid, SIGCONT); kill(pid, SIGKILL) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    static func skipUnlessAvailable() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/pgrep"), "pgrep (procps) is needed to find the rank processes")
    }
}
