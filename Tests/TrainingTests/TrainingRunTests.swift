import Checkpoint
import Foundation
import ProcessTesting
import TestSupport
import XCTest

/// End-to-end runs of the `hmtl` binary: data-parallel equivalence under mpirun, exact
/// resume, and the start-up agreement check.
final class TrainingRunTests: XCTestCase {
    /// A small model on a small demo corpus: seconds per run in a debug build, but every
    /// layer, dropout and the length-bucketed sharding are exercised.
    static let tinyConfig = """
    {
      "seed": 3,
      "embedder": { "word_dim": 12, "char_dim": 6, "char_filters": 10, "char_dropout": 0.1 },
      "tasks": { "ner": {
        "data": { "format": "demo", "documents": 40, "seed": 5 },
        "batch_size": 4,
        "encoder": { "hidden": 8, "layers": 2, "dropout": 0.2 },
        "dropout": 0.2 } },
      "training": { "max_steps": 20, "log_every": 5, "validate_every": 10, "checkpoint_every": 10, "patience": 100 },
      "debug": { "verify_collectives": true }
    }
    """

    private func writeConfig(in dir: URL, _ text: String = tinyConfig, name: String = "tiny.json") throws -> String {
        let url = dir.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    private func parameters(ofLatestIn dir: URL) throws -> [NamedArray] {
        let latest = try XCTUnwrap(try CheckpointStore.latest(in: dir), "no checkpoint in \(dir.path)")
        return try CheckpointStore.read(latest).parameters
    }

    private func assertSucceeded(_ o: CommandRunner.Output, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertFalse(o.timedOut, "timed out", file: file, line: line)
        XCTAssertEqual(o.status, 0, "exit \(o.status)\nstdout:\n\(o.stdout)\nstderr:\n\(o.stderr)", file: file, line: line)
    }

    /// docs/design.md, Distributed semantics: losses are sums and batches are global, so W ranks
    /// with local batch b take exactly the update of one rank with batch W·b, up to float rounding
    /// in the sums.
    func testTwoRanksWithBatchBEqualOneRankWithBatch2B() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = try writeConfig(in: dir)
        let two = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config, "--output", dir.appendingPathComponent("two").path,
                                                      "--set", "tasks.ner.batch_size=4"])
        assertSucceeded(two)
        let one = try CommandRunner.run(["train", "--config", config, "--output", dir.appendingPathComponent("one").path,
                                         "--set", "tasks.ner.batch_size=8"])
        assertSucceeded(one)
        let a = try parameters(ofLatestIn: dir.appendingPathComponent("two"))
        let b = try parameters(ofLatestIn: dir.appendingPathComponent("one"))
        XCTAssertLessThan(ParameterComparison.relativeDifference(a, b), 1e-4, "2 ranks × 4 and 1 rank × 8 diverged")
        let maxDifference = zip(a, b).map { zip($0.values, $1.values).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        // Guard against a vacuous pass: training must actually have moved the parameters.
        let initial = try CommandRunner.run(["train", "--config", config, "--output", dir.appendingPathComponent("zero").path,
                                             "--set", "tasks.ner.batch_size=8", "--set", "training.learning_rate=1e-12"])
        assertSucceeded(initial)
        let untrained = try parameters(ofLatestIn: dir.appendingPathComponent("zero"))
        let moved = zip(b, untrained).map { zip($0.values, $1.values).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        XCTAssertGreaterThan(moved, 100 * maxDifference, "training barely moved the parameters; the comparison proves nothing")
    }

    /// A run stopped after its step-10 checkpoint and resumed ends bit-identical to one that
    /// ran 20 steps straight.
    func testResumeIsBitExact() throws {
        let dir = try makeTemporaryDirectory()
        let config = try writeConfig(in: dir)
        let straight = dir.appendingPathComponent("straight").path
        let resumed = dir.appendingPathComponent("resumed").path
        assertSucceeded(try CommandRunner.run(["train", "--config", config, "--output", straight]))
        assertSucceeded(try CommandRunner.run(["train", "--config", config, "--output", resumed, "--set", "training.max_steps=10"]))
        let again = try CommandRunner.run(["train", "--config", config, "--output", resumed, "--resume"])
        assertSucceeded(again)
        XCTAssertTrue(again.stdout.contains("resumed from ckpt-10.h5"), again.stdout)
        let a = try parameters(ofLatestIn: URL(fileURLWithPath: straight))
        let b = try parameters(ofLatestIn: URL(fileURLWithPath: resumed))
        ParameterComparison.assertBitIdentical(a, b, "after resume")
    }

    func testResumeIsBitExactOnTwoRanks() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = try writeConfig(in: dir)
        let straight = dir.appendingPathComponent("straight").path
        let resumed = dir.appendingPathComponent("resumed").path
        assertSucceeded(try CommandRunner.mpirun(ranks: 2, ["train", "--config", config, "--output", straight]))
        assertSucceeded(try CommandRunner.mpirun(ranks: 2, ["train", "--config", config, "--output", resumed, "--set", "training.max_steps=10"]))
        assertSucceeded(try CommandRunner.mpirun(ranks: 2, ["train", "--config", config, "--output", resumed, "--resume"]))
        let a = try parameters(ofLatestIn: URL(fileURLWithPath: straight))
        let b = try parameters(ofLatestIn: URL(fileURLWithPath: resumed))
        ParameterComparison.assertBitIdentical(a, b, "after resume on 2 ranks")
    }

    /// Two ranks launched with different configs must both stop with a message that names
    /// the mismatch — not train apart, and not hang.
    func testAgreementCheckCatchesMismatchedConfig() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        _ = try writeConfig(in: dir, name: "rank0.json")
        _ = try writeConfig(in: dir, TrainingRunTests.tinyConfig.replacingOccurrences(of: "\"seed\": 3", with: "\"seed\": 4"), name: "rank1.json")
        let script = "exec \"\(CommandRunner.hmtl)\" train --config \"\(dir.path)/rank$OMPI_COMM_WORLD_RANK.json\" --output \"\(dir.path)/out\""
        let o = try CommandRunner.mpirun(ranks: 2, ["-c", script], program: "/bin/sh", timeout: 120)
        XCTAssertFalse(o.timedOut, "the mismatch hung the job")
        XCTAssertNotEqual(o.status, 0)
        XCTAssertTrue((o.stdout + o.stderr).contains("config hash differs"), "stdout:\n\(o.stdout)\nstderr:\n\(o.stderr)")
        XCTAssertNil(try CheckpointStore.latest(in: dir.appendingPathComponent("out")), "a checkpoint was written despite the mismatch")
    }

    func testMPISelfTestOnTwoRanks() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let o = try CommandRunner.mpirun(ranks: 2, ["mpi-selftest"], timeout: 120)
        assertSucceeded(o)
        XCTAssertTrue(o.stdout.contains("ok  started allreduce sums, three in flight, 7 elements per MPI call"), o.stdout)
    }

    func testEvaluateAndInspectAFinishedRun() throws {
        let dir = try makeTemporaryDirectory()
        let config = try writeConfig(in: dir)
        let run = dir.appendingPathComponent("run")
        assertSucceeded(try CommandRunner.run(["train", "--config", config, "--output", run.path, "--set", "training.max_steps=10"]))
        let metrics = try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8)
        let kinds = metrics.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.compactMap { $0["kind"] as? String }
        for kind in ["train", "validation", "checkpoint", "best", "test"] { XCTAssertTrue(kinds.contains(kind), "no \(kind) record in \(kinds)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("best-ner.h5").path))
        let file = run.appendingPathComponent("ckpt-10.h5").path
        let inspect = try CommandRunner.run(["checkpoint", "inspect", file])
        assertSucceeded(inspect)
        XCTAssertTrue(inspect.stdout.contains("ner/encoder/l0/fwd/w_ih"), inspect.stdout)
        let evaluate = try CommandRunner.run(["evaluate", "--checkpoint", file, "--split", "dev", "--json"])
        assertSucceeded(evaluate)
        let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(evaluate.stdout.utf8)) as? [String: Any])
        XCTAssertNotNil(result["f1"] as? Double, evaluate.stdout)
        if let h5dump = CommandRunner.which("h5dump") {
            let o = try CommandRunner.execute(h5dump, ["-H", file], timeout: 60, environment: [:])
            XCTAssertEqual(o.status, 0, o.stderr)
            XCTAssertTrue(o.stdout.contains("params"), o.stdout)
        }
    }

    func testBadConfigFailsWithTheKeyAndExitCode2() throws {
        let dir = try makeTemporaryDirectory()
        let config = try writeConfig(in: dir, TrainingRunTests.tinyConfig.replacingOccurrences(of: "\"log_every\"", with: "\"log_evry\""))
        let o = try CommandRunner.run(["train", "--config", config, "--output", dir.appendingPathComponent("x").path])
        XCTAssertEqual(o.status, 2)
        XCTAssertTrue(o.stderr.contains("training.log_evry: unknown key"), o.stderr)
        let bad = try CommandRunner.run(["train", "--config", try writeConfig(in: dir), "--set", "tasks.ner.batch_size=0"])
        XCTAssertEqual(bad.status, 2)
        XCTAssertTrue(bad.stderr.contains("tasks.ner.batch_size"), bad.stderr)
    }

    func testRefusesToOverwriteAnExistingRun() throws {
        let dir = try makeTemporaryDirectory()
        let config = try writeConfig(in: dir)
        let run = dir.appendingPathComponent("run").path
        assertSucceeded(try CommandRunner.run(["train", "--config", config, "--output", run, "--set", "training.max_steps=10"]))
        let again = try CommandRunner.run(["train", "--config", config, "--output", run])
        XCTAssertEqual(again.status, 2)
        XCTAssertTrue(again.stderr.contains("--resume"), again.stderr)
    }
}

extension TrainingRunTests {
    /// A NaN on one rank makes every rank skip that step (the reduced gradient is NaN
    /// everywhere), so 2 ranks × b still equal 1 rank × 2b with the same step skipped; too many
    /// skips in a row stop the run with a clear message and a non-zero exit.
    func testNonFiniteStepsAreSkippedOnEveryRank() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("tiny.json")
        try TrainingRunTests.tinyConfig.write(to: config, atomically: true, encoding: .utf8)
        let two = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config.path, "--output", dir.appendingPathComponent("two").path,
                                                      "--set", "debug.nan_steps=[3]", "--set", "debug.nan_rank=1"])
        XCTAssertEqual(two.status, 0, two.stdout + two.stderr)
        XCTAssertTrue(two.stdout.contains("step 4 | ner | non-finite loss or gradient: step skipped"), two.stdout)
        let one = try CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("one").path,
                                         "--set", "tasks.ner.batch_size=8", "--set", "debug.nan_steps=[3]"])
        XCTAssertEqual(one.status, 0, one.stderr)
        let a = try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: dir.appendingPathComponent("two")))).parameters
        let b = try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: dir.appendingPathComponent("one")))).parameters
        for p in a { XCTAssertTrue(p.values.allSatisfy(\.isFinite), "\(p.name) holds a non-finite value after a skipped step") }
        XCTAssertLessThan(ParameterComparison.relativeDifference(a, b), 1e-4)

        let stop = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config.path, "--output", dir.appendingPathComponent("stop").path,
                                                       "--set", "debug.nan_steps=[2,3,4]", "--set", "debug.nan_rank=0",
                                                       "--set", "training.max_skipped_steps=3"], timeout: 120)
        XCTAssertFalse(stop.timedOut)
        XCTAssertNotEqual(stop.status, 0)
        XCTAssertTrue((stop.stdout + stop.stderr).contains("3 consecutive steps had a non-finite loss or gradient"), stop.stdout + stop.stderr)
    }
}

extension TrainingRunTests {
    /// Preemption: SIGTERM to ONE rank (Slurm signals every task; one is the harder case) makes
    /// both ranks finish the step, agree, write one checkpoint and exit 0; the run then
    /// resumes from it.
    func testSigtermCheckpointsAndExitsCleanly() throws {
        try BackgroundJob.skipUnlessAvailable()
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("tiny.json")
        try TrainingRunTests.tinyConfig.write(to: config, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run")
        let schedule = ["--set", "training.validate_every=1000000", "--set", "training.checkpoint_every=1000000"]
        let job = try BackgroundJob(["train", "--config", config.path, "--output", run.path, "--set", "training.max_steps=1000000"] + schedule,
                                    log: dir.appendingPathComponent("log.txt"))
        defer { job.end() }
        // Premise: it trained a little and is still training when the signal comes.
        XCTAssertTrue(job.wait(upTo: 300) { $0.components(separatedBy: "\nstep").count >= 3 }, "no two steps logged:\n\(job.output)")
        XCTAssertTrue(job.isRunning, "training ended before the signal:\n\(job.output)")
        kill(try XCTUnwrap(try job.findRanks().last), SIGTERM)
        XCTAssertTrue(job.waitForExit(upTo: 120), "still running 120 s after SIGTERM:\n\(job.output)")
        let output = job.output
        XCTAssertEqual(try XCTUnwrap(job.status, "no exit status: still running"), 0, output)
        XCTAssertTrue(output.contains("stop signal received"), output)
        let checkpoint = try XCTUnwrap(try CheckpointStore.latest(in: run), "no checkpoint written on SIGTERM\n\(output)")
        let step = try CheckpointStore.read(checkpoint).step
        XCTAssertGreaterThan(step, 0)
        let resumed = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config.path, "--output", run.path, "--resume",
                                                          "--set", "training.max_steps=\(step + 5)"] + schedule)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed from \(checkpoint.lastPathComponent) at step \(step)"), resumed.stdout)
    }
}

extension TrainingRunTests {
    /// No hangs: a stalled rank (SIGSTOP) leaves the other waiting in a collective; its
    /// watchdog stops the job after `stall_timeout`, naming where it waited and the stalled
    /// rank (whose progress stamp went quiet), not itself. The timeout is far above any pause a
    /// loaded machine makes in this run (a checkpoint's fsync), so the job is still training
    /// when the test stops a rank.
    func testStalledRankStopsTheJobInsteadOfHanging() throws {
        try assertRankFailureEndsTheJobAndTheRunResumes(signal: SIGSTOP) { output in
            XCTAssertTrue(output.contains("no progress for"), output)
            let named = try XCTUnwrap(output.firstMatch(of: /rank (\d): no progress for .* rank (\d) went silent .* it is stalled or dead/),
                                      "the message does not name the stalled rank:\n\(output)")
            XCTAssertNotEqual(named.1, named.2, output)
        }
    }

    /// No hangs: a rank killed outright (kill -9) ends the job, which names it.
    func testKilledRankEndsTheJobAndTheRunResumes() throws {
        try assertRankFailureEndsTheJobAndTheRunResumes(signal: SIGKILL) { output in
            // mpirun reports the dead rank; if a launcher did not, the survivor's watchdog would.
            XCTAssertTrue(output.contains("signal 9") || output.contains("went silent"), "the dead rank is not named:\n\(output)")
        }
    }

    /// Watchdog limit of those two tests, seconds.
    static let stallTimeout = 30

    /// Sends `signal` to one of two training ranks after checkpoint 10; the job must end
    /// non-zero (`check` reads its output) — within the watchdog's limit plus mpirun's two
    /// SIGKILL graces (it waits one before passing SIGTERM on, one more before SIGKILL) and
    /// slack — leaving an intact checkpoint that a resumed job continues from.
    private func assertRankFailureEndsTheJobAndTheRunResumes(signal: Int32, check: (String) throws -> Void) throws {
        try BackgroundJob.skipUnlessAvailable()
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("tiny.json")
        try TrainingRunTests.tinyConfig.write(to: config, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("run")
        let settings = ["--set", "training.stall_timeout=\(Self.stallTimeout)", "--set", "training.checkpoint_every=10",
                        "--set", "training.validate_every=1000000"]
        let job = try BackgroundJob(["train", "--config", config.path, "--output", run.path, "--set", "training.max_steps=1000000"] + settings,
                                    log: dir.appendingPathComponent("log.txt"))
        defer { job.end() }
        XCTAssertTrue(job.wait(upTo: 300) { $0.contains("checkpoint step 10") }, "no checkpoint at step 10:\n\(job.output)")
        XCTAssertTrue(job.isRunning, "training ended before the signal:\n\(job.output)")
        kill(try XCTUnwrap(try job.findRanks().last), signal)
        let bound = TimeInterval(Self.stallTimeout + 2 * MPILaunch.sigkillGrace + 60)
        XCTAssertTrue(job.waitForExit(upTo: bound), "the job hung for \(Int(bound)) s after signal \(signal) to a rank:\n\(job.output)")
        let output = job.output
        XCTAssertNotEqual(try XCTUnwrap(job.status, "no exit status: still running"), 0, output)
        try check(output)
        let checkpoint = try XCTUnwrap(try CheckpointStore.latest(in: run))
        let step = try CheckpointStore.read(checkpoint).step
        let resumed = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config.path, "--output", run.path, "--resume",
                                                          "--set", "training.max_steps=\(step + 5)"] + settings)
        XCTAssertEqual(resumed.status, 0, resumed.stdout + resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("resumed from \(checkpoint.lastPathComponent) at step \(step)"), resumed.stdout)
    }
}

extension TrainingRunTests {
    func testCheckDeterminismReportsBitIdenticalRuns() throws {
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("tiny.json")
        try TrainingRunTests.tinyConfig.write(to: config, atomically: true, encoding: .utf8)
        let o = try CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("d").path, "--check-determinism", "6"])
        XCTAssertEqual(o.status, 0, o.stdout + o.stderr)
        XCTAssertTrue(o.stdout.contains("deterministic — bit-identical parameters after 6 steps"), o.stdout)
        XCTAssertNil(try CheckpointStore.latest(in: dir.appendingPathComponent("d")), "a determinism check writes no checkpoint")
    }
}
