import Checkpoint
import Foundation
import Processes
import ProcessTesting
import TestSupport
import XCTest

/// Stopping `mpirun` itself — `kill -TERM`, or SIGINT as Ctrl-C in a terminal sends it (the
/// ranks run in process groups of their own, so the terminal's signal reaches mpirun alone).
/// OpenMPI 4.1 then sends the ranks SIGTERM only `odls_base_sigkill_timeout` seconds later and
/// SIGKILL as long after that. Steps here last 3 s (`debug.slow_step_ms`) and the signal comes
/// right after a step is logged, so the ranks' SIGTERM lands at least a second into a step: with
/// mpirun's default of 1 s they are killed before they can checkpoint, with the 10 s every
/// documented launch sets they finish the step, checkpoint, and the run resumes.
final class StoppingMpirunTests: XCTestCase {
    static let stepMilliseconds = 3000
    static let schedule = ["--set", "debug.slow_step_ms=\(stepMilliseconds)", "--set", "training.log_every=1",
                           "--set", "training.validate_every=1000000", "--set", "training.checkpoint_every=1000000"]

    func testSigtermToMpirunCheckpointsAndTheRunResumes() throws {
        try assertStoppingMpirunCheckpoints(with: SIGTERM)
    }

    func testCtrlCToMpirunCheckpointsAndTheRunResumes() throws {
        try assertStoppingMpirunCheckpoints(with: SIGINT)
    }

    /// The premise of the two above: under mpirun's default grace the same stop loses the step.
    func testMpirunsDefaultGraceKillsTheRanksBeforeTheyCheckpoint() throws {
        let (job, run, _) = try startSlowRun(sigkillGrace: 1)
        defer { job.end() }
        try signalAfterTheFirstStep(job, run: run, SIGTERM)
        XCTAssertTrue(job.waitForExit(upTo: 60), "mpirun still running 60 s after SIGTERM:\n\(job.output)")
        XCTAssertFalse(job.output.contains("stop signal received"), job.output)
        XCTAssertNil(try CheckpointStore.latest(in: run), "a checkpoint was written although the ranks were killed:\n\(job.output)")
    }

    /// `hmtl bench --sweep` starts mpirun itself, in a session of its own; SIGTERM to the sweep
    /// must end that mpirun and its ranks before the sweep exits, and say so.
    func testSignalledSweepEndsItsMpirunAndRanksFirst() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let sweep = try BackgroundProcess(CommandRunner.hmtl, ["bench", "--sweep", "--task", "ner", "--ranks", "1,2", "--steps", "1000000",
                                                               "--warmup", "1", "--batch", "2", "--length", "5", "--word-dim", "8",
                                                               "--vocabulary", "50", "--isolated-iterations", "3",
                                                               "--out", dir.appendingPathComponent("sweep.json").path],
                                          environment: ["OPENBLAS_NUM_THREADS": "1"], log: dir.appendingPathComponent("log.txt"))
        defer { sweep.end() }
        // Premise: the sweep's mpirun runs a rank (an hmtl whose parent is that mpirun).
        func rankUnderMpirun() -> Bool {
            let processes = sweep.job.processes
            let mpiruns = Set(processes.filter { $0.command == "mpirun" }.map(\.pid))
            return processes.contains { $0.command == "hmtl" && mpiruns.contains($0.parent) }
        }
        XCTAssertTrue(sweep.wait(upTo: 300) { _ in rankUnderMpirun() }, "no rank under the sweep's mpirun:\n\(sweep.output)")
        XCTAssertTrue(sweep.isRunning, "the sweep ended before the signal:\n\(sweep.output)")
        sweep.job.process.signal(SIGTERM)
        XCTAssertTrue(sweep.waitForExit(upTo: 60), "the sweep still runs 60 s after SIGTERM:\n\(sweep.output)")
        // Looked at the moment it exited, before `end` would clean up after it.
        XCTAssertEqual(sweep.job.processes.map(\.command), [], "the sweep left these running")
        XCTAssertEqual(try XCTUnwrap(sweep.status), 2, sweep.output)
        XCTAssertTrue(sweep.output.contains("--sweep: stopped by signal \(SIGTERM) during the 1-rank bench; its mpirun and ranks were ended"),
                      sweep.output)
    }

    /// Signals mpirun after the first step; both ranks must checkpoint and mpirun exit within
    /// its two graces and slack; then `--resume` continues from that checkpoint.
    private func assertStoppingMpirunCheckpoints(with signal: Int32) throws {
        let (job, run, train) = try startSlowRun(sigkillGrace: MPILaunch.sigkillGrace)
        defer { job.end() }
        let first = try signalAfterTheFirstStep(job, run: run, signal)
        let bound = TimeInterval(2 * MPILaunch.sigkillGrace + 60)
        XCTAssertTrue(job.waitForExit(upTo: bound), "mpirun still running \(Int(bound)) s after signal \(signal):\n\(job.output)")
        let output = job.output
        // Rank 0 says so only after every rank has confirmed the checkpoint through an allreduce.
        let said = try XCTUnwrap(output.firstMatch(of: /hmtl: stop signal received; checkpointed step (\d+)/),
                                 "no checkpoint on signal \(signal) to mpirun:\n\(output)")
        let step = try XCTUnwrap(Int(said.1))
        XCTAssertGreaterThan(step, first, "the ranks stopped before finishing a step after the signal:\n\(output)")
        let checkpoint = try XCTUnwrap(try CheckpointStore.latest(in: run), output)
        XCTAssertEqual(try CheckpointStore.read(checkpoint).step, step)

        let resumed = try CommandRunner.mpirun(ranks: 2, train + ["--resume", "--set", "training.max_steps=\(step + 2)"])
        XCTAssertFalse(resumed.timedOut)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed from \(checkpoint.lastPathComponent) at step \(step)"), resumed.stdout)
        XCTAssertEqual(try CheckpointStore.read(try XCTUnwrap(try CheckpointStore.latest(in: run))).step, step + 2)
    }

    /// A 2-rank NER run of slowed steps with no periodic checkpoint, under mpirun with the given
    /// `odls_base_sigkill_timeout`; returns the job, its run folder and its `train` arguments.
    private func startSlowRun(sigkillGrace: Int) throws -> (BackgroundJob, URL, [String]) {
        try BackgroundJob.skipUnlessAvailable()
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("tiny.json")
        try TrainingRunTests.tinyConfig.write(to: config, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run")
        let train = ["train", "--config", config.path, "--output", run.path] + Self.schedule
        let job = try BackgroundJob(train + ["--set", "training.max_steps=1000000"], log: dir.appendingPathComponent("log.txt"),
                                    sigkillGrace: sigkillGrace)
        return (job, run, train)
    }

    /// Waits for the first step's record in metrics.jsonl, checks the premise — the step lasted
    /// longer than mpirun's default grace and the run is still training — then sends `signal`
    /// to mpirun. Returns that step.
    @discardableResult
    private func signalAfterTheFirstStep(_ job: BackgroundJob, run: URL, _ signal: Int32) throws -> Int {
        let metrics = run.appendingPathComponent("metrics.jsonl")
        var records: [[String: Any]] = []
        XCTAssertTrue(job.wait(upTo: 300) { _ in records = Self.trainingRecords(in: metrics); return !records.isEmpty },
                      "no step recorded in \(metrics.path):\n\(job.output)")
        let first = try XCTUnwrap(records.first)
        XCTAssertGreaterThanOrEqual(try XCTUnwrap(first["seconds"] as? Double), Double(Self.stepMilliseconds) / 1000,
                                    "the step was not slowed: \(first)")
        XCTAssertTrue(job.isRunning, "training ended before the signal:\n\(job.output)")
        job.job.process.signal(signal)
        return try XCTUnwrap(first["step"] as? Int)
    }

    /// The `"kind": "train"` records of a metrics.jsonl written so far (a line being written is skipped).
    static func trainingRecords(in url: URL) -> [[String: Any]] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(separator: "\n")
            .compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
            .filter { $0["kind"] as? String == "train" }
    }
}
