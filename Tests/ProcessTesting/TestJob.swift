import Foundation
import Processes
import XCTest

/// One process a test starts, in a session of its own, and everything it starts in turn (see
/// `TestProcesses`). Standard input is /dev/null, so nothing waits on the terminal.
public final class TestJob {
    public let process: ChildProcess
    /// The value of `HMTL_TEST_JOB` in its environment and its descendants'.
    public let id: String
    private let name: String
    private var ended = false

    /// Starts `program` with this process's environment plus `environment`; standard output
    /// and error go to the given descriptors (which stay the caller's).
    public init(_ program: String, _ arguments: [String], environment: [String: String] = [:],
                standardOutput: Int32, standardError: Int32) throws {
        id = TestProcesses.nextJob()
        name = URL(fileURLWithPath: program).lastPathComponent
        let input = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw ChildProcessError("cannot open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(input) }
        // The kernel's parent-death signal follows the starting thread; tests run on the main one.
        process = try ChildProcess(program: program, arguments: arguments,
                                   environment: TestProcesses.environment(job: id, extra: environment),
                                   standardInput: input, standardOutput: standardOutput, standardError: standardError,
                                   isolation: .session, deathSignal: Thread.isMainThread ? SIGTERM : 0)
    }

    deinit { end() }

    /// Its processes that left its session (found by their `HMTL_TEST_JOB`).
    private func strays() -> [ProcessTable.Entry] { TestProcesses.carrying(TestProcesses.jobVariable, id) }

    /// Its live processes now: the members of its session and those that left it.
    public var processes: [ProcessTable.Entry] {
        let members = process.members
        let pids = Set(members.map(\.pid))
        return members + strays().filter { !pids.contains($0.pid) }
    }

    /// Ends the job, whatever state it is in; a second call does nothing. A job that is still
    /// running gets SIGTERM, everything of it still there after `TestProcesses.terminationGrace`
    /// SIGKILL. A job whose first process exited but left others running (a launcher whose
    /// mpirun outlived it) fails the current test, naming them, before they are ended.
    public func end(file: StaticString = #filePath, line: UInt = #line) {
        guard !ended else { return }
        ended = true
        if process.hasExited {
            let deadline = Date().addingTimeInterval(TestProcesses.lingerGrace)
            var left = processes
            while !left.isEmpty, Date() < deadline {
                usleep(50_000)
                left = processes
            }
            if !left.isEmpty {
                XCTFail("\(name) exited but left \(left.count) process(es) running: \(TestProcesses.describe(left)); ending them",
                        file: file, line: line)
            }
        }
        let killed = process.end(grace: TestProcesses.terminationGrace, others: strays)
        if !killed.isEmpty {
            TestProcesses.report("\(name): \(killed.count) process(es) outlived SIGTERM by \(TestProcesses.terminationGrace) s and needed SIGKILL: \(TestProcesses.describe(killed))")
        }
    }
}

/// A command run to completion with a bound on its time: what it printed and how it ended.
public enum TestCommand {
    public struct Output {
        /// Its exit code, the number of the signal that ended it, or -1 if it could not be collected.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// It was still running after the timeout, and was ended.
        public var timedOut: Bool
    }

    /// Runs `program` with this process's environment plus `environment` for up to `timeout`
    /// seconds, then ends whatever of it is left.
    public static func run(_ program: String, _ arguments: [String], timeout: TimeInterval,
                           environment: [String: String]) throws -> Output {
        let out = try CapturedOutput(), err = try CapturedOutput()
        let job = try TestJob(program, arguments, environment: environment, standardOutput: out.descriptor, standardError: err.descriptor)
        let exited = job.process.wait(upTo: timeout)
        job.end()
        return Output(status: job.process.status ?? -1, stdout: out.text, stderr: err.text, timedOut: !exited)
    }
}

/// A file a child writes to (a pipe would fill up and block a child that nobody reads): `url`,
/// or a temporary file removed with this object.
public final class CapturedOutput {
    public let url: URL
    public let descriptor: Int32
    private let temporary: Bool

    public init(at url: URL? = nil) throws {
        temporary = url == nil
        self.url = url ?? FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-out-\(UUID().uuidString)")
        descriptor = open(self.url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw ChildProcessError("cannot create \(self.url.path): \(String(cString: strerror(errno)))") }
    }

    deinit {
        close(descriptor)
        if temporary { try? FileManager.default.removeItem(at: url) }
    }

    public var text: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
}
