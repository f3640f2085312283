import CKernels
import Foundation
import Processes
import XCTest

/// Who started what in this test run, and the check that nothing outlives it.
///
/// Every process a test starts (`TestJob`) runs in a session of its own, with two variables
/// in its environment that its descendants inherit: `HMTL_TEST_RUN`, this xctest process's pid
/// and start time, and `HMTL_TEST_JOB`, the job. The session finds what it started even when the
/// environment is dropped (`env -i`); the variables find what left the session (a launcher's
/// `setsid mpirun`). Three things make sure nothing is left behind:
///
/// - each job ends its whole session and everything carrying its `HMTL_TEST_JOB` when it ends,
///   on every path through the test (`TestJob.end`);
/// - if this process dies without ending them (a crash, a kill -9), its direct children get
///   SIGTERM from the kernel (PR_SET_PDEATHSIG) — mpirun then ends its ranks, a lone training
///   run checkpoints and exits — and the next run ends whatever still carries the `HMTL_TEST_RUN` of a
///   process that no longer exists (only such: another engineer's run that is still going is
///   left alone);
/// - at the end of the bundle, a check lists every process still carrying this run's
///   `HMTL_TEST_RUN` and every live descendant (orphans are re-parented to this process, so
///   that includes ones whose environment was dropped), ends them, and fails the run loudly.
public enum TestProcesses {
    public static let runVariable = "HMTL_TEST_RUN"
    public static let jobVariable = "HMTL_TEST_JOB"

    /// Grace between SIGTERM and SIGKILL when a test ends a job that is still running: long
    /// enough for a training rank to finish its step and checkpoint, and for an mpirun, which
    /// passes SIGTERM on to its ranks only after `MPILaunch.sigkillGrace` seconds and kills
    /// them as long after that, to end them itself.
    public static let terminationGrace: TimeInterval = 2 * Double(MPILaunch.sigkillGrace) + 15

    /// How long the rest of a job may take to end on its own after its first process exited
    /// (an mpirun reaps its ranks before it exits, so this is only slack for a loaded machine).
    static let lingerGrace: TimeInterval = 5

    /// `pid.starttime` of this process: unique on this machine for as long as it runs.
    static let run: String = {
        let me = getpid()
        return "\(me).\(ProcessTable.entry(me)?.startTime ?? 0)"
    }()

    private static let state = State()

    /// The environment of a new job: this process's, the run and job variables, then `extra`.
    static func environment(job: String, extra: [String: String]) -> [String: String] {
        prepare()
        var environment = ProcessInfo.processInfo.environment
        environment[runVariable] = run
        environment[jobVariable] = job
        return environment.merging(extra) { $1 }
    }

    /// A new job id of this run.
    static func nextJob() -> String { "\(run)/\(state.next())" }

    /// The live processes carrying `variable=value` in their environment, this one excluded.
    static func carrying(_ variable: String, _ value: String) -> [ProcessTable.Entry] {
        let me = getpid()
        return ProcessTable.entries().filter { $0.isAlive && $0.pid != me && ProcessTable.environment(of: $0.pid)?[variable] == value }
    }

    /// Once per run, before its first job: adopt orphans, watch for the end of the bundle,
    /// put the run variable into this process's own environment (so processes that tests start
    /// some other way carry it too), and end what a crashed earlier run left behind.
    static func prepare() {
        guard state.claimPreparation() else { return }
        if hk_adopt_orphans() != 0 { report("cannot adopt orphaned processes: they will not be found among this run's") }
        setenv(runVariable, run, 1)
        XCTestObservationCenter.shared.addTestObserver(EndOfRunCheck())
        endLeftoversOfEarlierRuns()
    }

    private static func endLeftoversOfEarlierRuns() {
        let me = getpid()
        let stale = ProcessTable.entries().filter { entry in
            guard entry.isAlive, entry.pid != me, let owner = ProcessTable.environment(of: entry.pid)?[runVariable], owner != run else { return false }
            let parts = owner.split(separator: ".")
            guard parts.count == 2, let pid = pid_t(parts[0]), let start = UInt64(parts[1]) else { return false }
            return ProcessTable.entry(pid).map { !$0.isAlive || $0.startTime != start } ?? true
        }
        guard !stale.isEmpty else { return }
        report("ending \(stale.count) process(es) left running by an earlier test run that did not finish: \(describe(stale))")
        end(stale)
    }

    /// Ends these processes (those of them still running): SIGTERM, `terminationGrace`, SIGKILL.
    /// Returns the ones that needed SIGKILL.
    @discardableResult
    private static func end(_ entries: [ProcessTable.Entry]) -> [ProcessTable.Entry] {
        let wanted = Set(entries.map { "\($0.pid).\($0.startTime)" })
        return ProcessTable.terminate(grace: terminationGrace) { ProcessTable.entries().filter { wanted.contains("\($0.pid).\($0.startTime)") } }
    }

    static func describe(_ entries: [ProcessTable.Entry]) -> String {
        entries.map { "\($0.pid) \($0.command)" }.joined(separator: ", ")
    }

    static func report(_ line: String) {
        FileHandle.standardOutput.write(Data("process check: \(line)\n".utf8))
    }

    /// The end-of-bundle check.
    private final class EndOfRunCheck: NSObject, XCTestObservation {
        func testBundleDidFinish(_ testBundle: Bundle) {
            let me = getpid()
            let entries = ProcessTable.entries()
            var left = ProcessTable.descendants(of: me, in: entries)
            let seen = Set(left.map(\.pid))
            left += carrying(runVariable, run).filter { !seen.contains($0.pid) }
            let jobs = state.count
            guard !left.isEmpty else {
                report("no process started by this run's \(jobs) job(s) is left running")
                return
            }
            report("FAILED — \(left.count) process(es) started by this run are still running after the last test: \(describe(left)); ending them, and the run fails")
            let killed = end(left)
            if !killed.isEmpty { report("\(killed.count) of them needed SIGKILL: \(describe(killed))") }
            exit(1)
        }
    }

    private final class State: @unchecked Sendable {
        private let lock = NSLock()
        private var jobs = 0
        private var prepared = false

        func next() -> Int { lock.withLock { jobs += 1; return jobs } }
        var count: Int { lock.withLock { jobs } }
        /// True the first time only.
        func claimPreparation() -> Bool { lock.withLock { defer { prepared = true }; return !prepared } }
    }
}

/// How the tests launch mpirun: as docs/distributed.md does, with the grace OpenMPI gives ranks
/// between SIGTERM and SIGKILL when mpirun itself is signalled or a rank fails.
public enum MPILaunch {
    /// `odls_base_sigkill_timeout`, seconds: the value every documented launch sets.
    public static let sigkillGrace = 10

    /// Options for every mpirun a test starts: root-safe, oversubscribed, and `sigkillGrace`
    /// (only a test of what that setting changes passes another).
    public static func options(sigkillGrace: Int = sigkillGrace) -> [String] {
        (getuid() == 0 ? ["--allow-run-as-root"] : []) + ["--oversubscribe", "--mca", "odls_base_sigkill_timeout", "\(sigkillGrace)"]
    }
}
