import CKernels
import Foundation

/// A child process in a process group or a session of its own, so that it can be ended whole:
/// mpirun starts each rank in a process group of its own, but the ranks stay in mpirun's
/// session; a launcher script's mpirun stays in the script's session unless the script moves it.
///
/// Its pid is its group's or session's id, and it stays reserved until the process is reaped:
/// `ChildProcess` learns that the process exited without reaping it and reaps it only after
/// the rest of its group or session has been ended, so a signal meant for them can never reach
/// an unrelated process that was given a recycled pid.
public final class ChildProcess {
    public enum Isolation: Sendable {
        /// Its own process group: a terminal's Ctrl-C no longer reaches it, only its starter does.
        case processGroup
        /// Its own session (and group), detached from the terminal; everything it starts
        /// stays in the session unless it calls setsid itself.
        case session
    }

    public let pid: pid_t
    public let isolation: Isolation
    /// Once it has exited: its exit code, or the number of the signal that ended it (as
    /// Foundation's `terminationStatus`).
    public private(set) var status: Int32?
    /// Whether a signal ended it (then `status` is the signal's number).
    public private(set) var signalled = false
    private var reaped = false

    /// Starts `program` (a path) with `arguments`, exactly `environment`, and standard input,
    /// output and error on the given descriptors (which stay the caller's to close).
    /// `deathSignal` (0: none) reaches the child if this thread ends first — what keeps a
    /// crashed parent from leaving it running; use it only from the main thread, which lives
    /// as long as the process (Linux ties the signal to the thread).
    public init(program: String, arguments: [String], environment: [String: String],
                standardInput: Int32, standardOutput: Int32, standardError: Int32,
                isolation: Isolation, deathSignal: Int32) throws {
        let argv = ([program] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        let pid = hk_spawn(program, argv, envp, standardInput, standardOutput, standardError,
                           isolation == .session ? 1 : 0, deathSignal)
        guard pid > 0 else { throw ChildProcessError("cannot start \(program): \(String(cString: strerror(-pid)))") }
        self.pid = pid
        self.isolation = isolation
    }

    deinit { if !reaped { end(grace: 0) } }

    /// Whether the process itself has exited (`status` is then set); it stays unreaped.
    public var hasExited: Bool {
        if status != nil { return true }
        var code: Int32 = -1, signal: Int32 = -1
        guard hk_child_exited(pid, &code, &signal) == 1 else { return false }
        signalled = signal >= 0
        status = signalled ? signal : code
        return true
    }

    /// Polls until the process exits, `condition` holds, or `timeout` seconds pass; true when
    /// it exited. `condition` is checked every 50 ms.
    @discardableResult
    public func wait(upTo timeout: TimeInterval, until condition: () -> Bool = { false }) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while !hasExited {
            if condition() || Date() >= deadline { return false }
            usleep(50_000)
        }
        return true
    }

    /// Sends `signal` to the process alone (nothing once it has exited).
    public func signal(_ signal: Int32) {
        if !hasExited { kill(pid, signal) }
    }

    /// The live processes of its group or session, itself included while it runs.
    public var members: [ProcessTable.Entry] {
        guard !reaped else { return [] }
        return ProcessTable.entries().filter { $0.isAlive && (isolation == .session ? $0.session : $0.group) == pid }
    }

    /// Ends the process and every member of its group or session, plus the live processes
    /// `others` names (ones that left the session, found some other way): SIGTERM — and SIGCONT,
    /// so a stopped process gets it — then up to `grace` seconds for all of them to exit, then
    /// SIGKILL for the rest; finally reaps the process. Returns those that needed SIGKILL.
    @discardableResult
    public func end(grace: TimeInterval, others: () -> [ProcessTable.Entry] = { [] }) -> [ProcessTable.Entry] {
        let killed = ProcessTable.terminate(grace: grace) { members + others().filter { !isMember($0) } }
        reap()
        return killed
    }

    private func isMember(_ entry: ProcessTable.Entry) -> Bool {
        (isolation == .session ? entry.session : entry.group) == pid
    }

    /// Collects the exited process (freeing its pid); a no-op while it runs.
    private func reap() {
        guard !reaped, hasExited else { return }
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        reaped = true
    }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
