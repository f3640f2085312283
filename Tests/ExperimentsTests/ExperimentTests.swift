import Foundation
import ProcessTesting
import Tensor
import TestSupport
import XCTest
@testable import Experiments

/// `hmtl experiment`: every (setup, seed) of an experiment file trained under mpirun, each in its
/// own folder; finished runs skipped on a rerun; a run stopped by a signal to the runner resumed
/// to the scores of an uninterrupted run; results, summary, table and page; bad files refused.
final class ExperimentTests: XCTestCase {
    /// A folder holding the multi-task test config (all four tasks on a small demo corpus) as
    /// `configs/multi.json` and `experiment` as `exp.json`, which names the config relative to itself.
    private func experimentFolder(_ experiment: String) throws -> (dir: URL, file: URL) {
        let dir = try makeTemporaryDirectory()
        try writeFile(MultiTaskConfig.json, "configs/multi.json", in: dir)
        return (dir, try writeFile(experiment, "exp.json", in: dir))
    }

    private func object(_ url: URL) throws -> [String: Any] { try jsonObject(try String(contentsOf: url, encoding: .utf8)) }

    private func launches(_ run: URL) throws -> [String] {
        try String(contentsOf: run.appendingPathComponent("launches.jsonl"), encoding: .utf8).split(separator: "\n")
            .map { try XCTUnwrap(try jsonObject(String($0))["outcome"] as? String) }
    }

    func testRunsEverySetupAndSeedThenSkipsThemAndSummarises() throws {
        try BackgroundJob.skipUnlessAvailable()
        let (dir, file) = try experimentFolder("""
        { "output": "runs", "world_size": 1, "threads": 1,
          "set": { "training.max_steps": 20, "training.validate_every": 10, "training.checkpoint_every": 10 },
          "setups": [
            { "name": "A", "config": "configs/multi.json", "seeds": [1, 2] },
            { "name": "F", "config": "configs/multi.json", "seeds": [1, 2], "set": { "tasks.relation": null, "tasks.coref": null } }
          ] }
        """)
        let runs = dir.appendingPathComponent("runs")
        let names = ["A-seed1", "F-seed1", "A-seed2", "F-seed2"]
        let first = try succeeded(CommandRunner.run(["experiment", file.path], timeout: 300))
        // Premise: every run was launched, in seed rounds, each with its printed mpirun command.
        XCTAssertEqual(first.stdout.matches(of: /\] (\S+): starting/).map { String($0.1) }, names, first.stdout)
        XCTAssertEqual(first.stdout.matches(of: /\n  OPENBLAS_NUM_THREADS=1 mpirun .* train --config \S+multi.json --output \S+ --world-size 1 --set seed=\d/).count,
                       4, first.stdout)

        var testF1: [String: [String: Double]] = [:]
        for name in names {
            let run = runs.appendingPathComponent(name)
            let result = try object(run.appendingPathComponent("result.json"))
            XCTAssertEqual(try launches(run), ["finished"])
            XCTAssertTrue(try String(contentsOf: run.appendingPathComponent("train.log"), encoding: .utf8).hasPrefix("hmtl experiment: "))
            XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent("report.html").path), name)
            XCTAssertEqual(result["steps"] as? Int, 20)
            let stop = try XCTUnwrap(result["stop"] as? [String: Any])
            XCTAssertEqual(stop["reason"] as? String, "max_steps")
            XCTAssertEqual(stop["capped"] as? Bool, true)
            XCTAssertEqual(stop["levelled_off"] as? Bool, false, "two validations cannot show a levelled-off curve")
            XCTAssertEqual(result["world_size"] as? Int, 1)
            XCTAssertEqual(result["threads"] as? String, "1")
            XCTAssertEqual((result["hardware"] as? [String: Any])?["blas_kernel"] as? String, BLASLibrary.coreName, "the kernel the runner was given")

            // Each task's scores: the test record and the dev validation of its best checkpoint, in percent.
            let records = try RunRecords(run: run)
            let tasks = try XCTUnwrap(result["tasks"] as? [String: [String: Any]])
            XCTAssertEqual(Set(tasks.keys), name.hasPrefix("A") ? ["ner", "emd", "relation", "coref"] : ["ner", "emd"])
            for (task, scores) in tasks {
                let test = try XCTUnwrap(scores["test"] as? [String: Double]), dev = try XCTUnwrap(scores["dev"] as? [String: Double])
                let testRecord = try XCTUnwrap(records.of(kind: "test").last { $0["task"] as? String == task })
                let best = try XCTUnwrap(scores["best_step"] as? Int)
                XCTAssertEqual(testRecord["best_step"] as? Int, best)
                let devRecord = try XCTUnwrap(records.validations(of: task).last { $0["step"] as? Int == best })
                XCTAssertEqual(try XCTUnwrap(test["f1"]), 100 * (try XCTUnwrap(testRecord["f1"] as? Double)), accuracy: 1e-9, "\(name) \(task)")
                XCTAssertEqual(try XCTUnwrap(dev["f1"]), 100 * (try XCTUnwrap(devRecord["f1"] as? Double)), accuracy: 1e-9, "\(name) \(task)")
                testF1[name, default: [:]][task] = test["f1"]
            }
            if name.hasPrefix("A") {
                for split in ["dev", "test"] {
                    let relation = try XCTUnwrap(tasks["relation"]?[split] as? [String: Double])
                    XCTAssertNotNil(relation["strict_f1"], "\(name) \(split): the strict-boundary relation F1")
                    let coref = try XCTUnwrap(tasks["coref"]?[split] as? [String: Double])
                    let average = (try XCTUnwrap(coref["muc_f1"]) + (try XCTUnwrap(coref["b3_f1"])) + (try XCTUnwrap(coref["ceafe_f1"]))) / 3
                    XCTAssertEqual(try XCTUnwrap(coref["f1"]), average, accuracy: 1e-9, "\(name) \(split): CR avg is the mean of MUC, B³, CEAF-e")
                }
            }
        }

        // The summary: mean and sample standard deviation over the two seeds.
        let summary = try object(runs.appendingPathComponent("summary.json"))
        let setups = try XCTUnwrap(summary["setups"] as? [[String: Any]])
        XCTAssertEqual(setups.map { $0["setup"] as? String }, ["A", "F"])
        for setup in setups {
            let name = try XCTUnwrap(setup["setup"] as? String)
            XCTAssertEqual(setup["finished_seeds"] as? [Int], [1, 2])
            let stat = try XCTUnwrap(((setup["scores"] as? [String: Any])?["ner"] as? [String: Any])?["test"] as? [String: Any])
            let f1 = try XCTUnwrap(stat["f1"] as? [String: Any])
            let (a, b) = (try XCTUnwrap(testF1["\(name)-seed1"]?["ner"]), try XCTUnwrap(testF1["\(name)-seed2"]?["ner"]))
            XCTAssertEqual(try XCTUnwrap(f1["mean"] as? Double), (a + b) / 2, accuracy: 1e-9)
            XCTAssertEqual(try XCTUnwrap(f1["std"] as? Double), abs(a - b) / 2.0.squareRoot(), accuracy: 1e-9)
            XCTAssertEqual(f1["n"] as? Int, 2)
        }
        XCTAssertEqual((summary["runs"] as? [Any])?.count, 4)
        let table = try String(contentsOf: runs.appendingPathComponent("table.md"), encoding: .utf8)
        XCTAssertTrue(table.contains("| A | NER → EMD → {RE, CR} | "), table)
        XCTAssertTrue(table.contains("| F | NER → EMD | "), table)
        XCTAssertEqual(table.components(separatedBy: " | 2/2 | ").count - 1, 4, "both setups, two of two seeds, in the test and the dev table")
        let page = try String(contentsOf: runs.appendingPathComponent("index.html"), encoding: .utf8)
        XCTAssertEqual(page.components(separatedBy: "<svg").count - 1, 8, "dev score and loss of each of the four runs")
        for name in names { XCTAssertTrue(page.contains("href=\"\(name)/report.html\""), name) }

        // A rerun launches nothing: every run is finished; the results stay as they were.
        let before = try names.map { try Data(contentsOf: runs.appendingPathComponent("\($0)/result.json")) }
        let second = try succeeded(CommandRunner.run(["experiment", file.path], timeout: 120))
        XCTAssertEqual(second.stdout.matches(of: /\] (\S+): skipped \(finished/).map { String($0.1) }, names, second.stdout)
        XCTAssertFalse(second.stdout.contains("mpirun"), second.stdout)
        XCTAssertEqual(try names.map { try Data(contentsOf: runs.appendingPathComponent("\($0)/result.json")) }, before)
        XCTAssertEqual(try launches(runs.appendingPathComponent("A-seed1")), ["finished"])

        // --summarize rebuilds the summary files alone.
        for output in ["summary.json", "table.md", "index.html"] { try FileManager.default.removeItem(at: runs.appendingPathComponent(output)) }
        let rebuilt = try succeeded(CommandRunner.run(["experiment", file.path, "--summarize"], timeout: 120))
        XCTAssertTrue(rebuilt.stdout.contains("4 of 4 runs finished"), rebuilt.stdout)
        XCTAssertEqual(try String(contentsOf: runs.appendingPathComponent("table.md"), encoding: .utf8), table)
    }

    /// SIGTERM to the runner while a run trains: the run's ranks checkpoint, the runner ends with
    /// nothing left running and launches nothing more; the rerun resumes that run and it ends
    /// with the scores of an uninterrupted run of the same config and seed (setup Y).
    func testAStoppedRunResumesToTheScoresOfAnUninterruptedOne() throws {
        try BackgroundJob.skipUnlessAvailable()
        let (dir, file) = try experimentFolder("""
        { "output": "runs",
          "set": { "training.max_steps": 20, "training.validate_every": 10, "training.checkpoint_every": 4, "training.log_every": 1,
                   "debug.slow_step_ms": 250 },
          "setups": [ { "name": "X", "config": "configs/multi.json", "seeds": [4] },
                      { "name": "Y", "config": "configs/multi.json", "seeds": [4] } ] }
        """)
        let x = dir.appendingPathComponent("runs/X-seed4"), y = dir.appendingPathComponent("runs/Y-seed4")
        let runner = try BackgroundProcess(CommandRunner.hmtl, ["experiment", file.path], environment: CommandRunner.childEnvironment,
                                           log: dir.appendingPathComponent("runner.log"))
        defer { runner.end() }
        // Premise: X has written a checkpoint and is still training when the runner is signalled.
        let checkpointed = runner.wait(upTo: 120) { _ in
            ((try? RunRecords(run: x))?.of(kind: "checkpoint").isEmpty == false)
        }
        XCTAssertTrue(checkpointed, "X never checkpointed:\n\(runner.output)")
        XCTAssertTrue(runner.isRunning, "the runner ended before the signal:\n\(runner.output)")
        runner.job.process.signal(SIGTERM)
        XCTAssertTrue(runner.waitForExit(upTo: 90), "the runner still runs 90 s after SIGTERM:\n\(runner.output)")
        XCTAssertEqual(runner.job.processes.map(\.command), [], "the runner left these running")
        XCTAssertEqual(runner.status, 2, runner.output)
        XCTAssertTrue(runner.output.contains("signal 15: stopping X-seed4"), runner.output)
        XCTAssertTrue(runner.output.contains("X-seed4: stopped with a checkpoint"), runner.output)
        let log = try String(contentsOf: x.appendingPathComponent("train.log"), encoding: .utf8)
        let stopped = try XCTUnwrap(log.firstMatch(of: /hmtl: stop signal received; checkpointed step (\d+)/), log)
        let step = try XCTUnwrap(Int(stopped.1))
        XCTAssertLessThan(step, 20, "the run was not stopped mid-way")
        XCTAssertFalse(FileManager.default.fileExists(atPath: x.appendingPathComponent("result.json").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: y.path), "a run was launched after the signal")

        let again = try succeeded(CommandRunner.run(["experiment", file.path], timeout: 300))
        XCTAssertTrue(again.stdout.contains("X-seed4: resuming"), again.stdout)
        XCTAssertTrue(again.stdout.contains("--output \(x.path) --world-size 1 --set seed=4"), again.stdout)
        XCTAssertTrue(again.stdout.contains("Y-seed4: starting"), again.stdout)
        XCTAssertTrue(try String(contentsOf: x.appendingPathComponent("train.log"), encoding: .utf8).contains("resumed from ckpt-\(step).h5 at step \(step)"))
        XCTAssertEqual(try launches(x), ["interrupted", "finished"])
        XCTAssertEqual(try launches(y), ["finished"])
        let (resumed, straight) = (try object(x.appendingPathComponent("result.json")), try object(y.appendingPathComponent("result.json")))
        XCTAssertEqual(resumed["steps"] as? Int, 20)
        XCTAssertEqual(straight["steps"] as? Int, 20)
        XCTAssertEqual(NSDictionary(dictionary: try XCTUnwrap(resumed["tasks"] as? [String: Any])),
                       NSDictionary(dictionary: try XCTUnwrap(straight["tasks"] as? [String: Any])),
                       "the resumed run's dev and test scores differ from the uninterrupted run's")
    }

    /// A run whose training fails (non-finite steps until the trainer gives up) is reported with
    /// its log, the next run goes on, the runner exits 2 naming it, and a rerun tries it again
    /// while skipping the finished one. (mpirun waits twice its grace after a rank fails: 1 s here.)
    func testAFailedRunIsReportedTheNextGoesOnAndARerunRetriesIt() throws {
        try BackgroundJob.skipUnlessAvailable()
        let (dir, file) = try experimentFolder("""
        { "output": "runs", "sigkill_grace": 1, "set": { "training.max_steps": 10, "training.validate_every": 10, "training.checkpoint_every": 10 },
          "setups": [ { "name": "bad", "config": "configs/multi.json", "seeds": [1], "set": { "debug.nan_steps": [0, 1, 2, 3, 4] } },
                      { "name": "good", "config": "configs/multi.json", "seeds": [1] } ] }
        """)
        let bad = dir.appendingPathComponent("runs/bad-seed1"), good = dir.appendingPathComponent("runs/good-seed1")
        for attempt in 1...2 {
            let o = try CommandRunner.run(["experiment", file.path], timeout: 300)
            XCTAssertFalse(o.timedOut)
            XCTAssertEqual(o.status, 2, o.stdout + o.stderr)
            // Premise: the failing run was launched (again, on the rerun) and its trainer gave up.
            XCTAssertTrue(o.stdout.contains("[1/2] bad-seed1: starting\n  OPENBLAS_NUM_THREADS=1 mpirun "), o.stdout)
            XCTAssertTrue(o.stdout.contains(" --mca odls_base_sigkill_timeout 1 -np 1 "), o.stdout)
            XCTAssertTrue(try String(contentsOf: bad.appendingPathComponent("train.log"), encoding: .utf8)
                .contains("5 consecutive steps had a non-finite loss or gradient"))
            XCTAssertTrue(o.stdout.contains("bad-seed1: failed (exit status "), o.stdout)
            XCTAssertTrue(o.stdout.contains("its log: \(bad.path)/train.log"), o.stdout)
            XCTAssertTrue(o.stderr.contains("1 run(s) failed: bad-seed1 (see \(bad.path)/train.log); run the same command to retry them"), o.stderr)
            XCTAssertEqual(try launches(bad), Array(repeating: "failed", count: attempt))
            XCTAssertFalse(FileManager.default.fileExists(atPath: bad.appendingPathComponent("result.json").path))
            XCTAssertTrue(o.stdout.contains(attempt == 1 ? "good-seed1: finished" : "[2/2] good-seed1: skipped (finished"), o.stdout)
            XCTAssertEqual(try launches(good), ["finished"])
        }
        let summary = try object(dir.appendingPathComponent("runs/summary.json"))
        XCTAssertEqual((summary["runs"] as? [[String: Any]])?.map { $0["setup"] as? String }, ["good"])
    }

    /// Every mistake in the file is one error line naming the file and the key, exit 2, and
    /// nothing is created or launched.
    func testABadExperimentFileIsAnErrorNamingTheFileAndTheKey() throws {
        let (dir, _) = try experimentFolder("{}")
        let setup = #"{ "name": "A", "config": "configs/multi.json", "seeds": [1] }"#
        let cases: [(String, String)] = [
            (#"{ "output": "out", "sett": {}, "setups": [\#(setup)] }"#, "sett: unknown key"),
            (#"{ "output": "out", "setups": [] }"#, #"setups: expected a non-empty array of setups, each with "name", "config" and "seeds""#),
            (#"{ "output": "out", "world_size": 0, "setups": [\#(setup)] }"#, "world_size: expected an integer in 1...1000000, got 0"),
            (#"{ "output": "out", "setups": [{ "name": "A", "config": "configs/multi.json", "seeds": [1, 1] }] }"#,
             "setups[0].seeds: expected a non-empty array of distinct seeds"),
            (#"{ "output": "out", "setups": [\#(setup), \#(setup)] }"#, #"setups[1].name: setup "A" is listed twice"#),
            (#"{ "output": "out", "set": { "seed": 3 }, "setups": [\#(setup)] }"#, #"set.seed: the seed of each run comes from "seeds""#),
            (#"{ "output": "out", "setups": [{ "name": "A", "config": "configs/multi.json", "seeds": [1], "set": { "training.max_epoch": 3 } }] }"#,
             "setups[0] (A): --set training.max_epoch=3: unknown key"),
            (#"{ "output": "out", "setups": [{ "name": "A", "config": "configs/none.json", "seeds": [1] }] }"#,
             "setups[0] (A): \(dir.path)/configs/none.json: no such file"),
        ]
        for (text, message) in cases {
            let file = try writeFile(text, "bad.json", in: dir)
            let o = try CommandRunner.run(["experiment", file.path], timeout: 60)
            XCTAssertFalse(o.timedOut)
            XCTAssertEqual(o.status, 2, "\(text)\n\(o.stdout)\(o.stderr)")
            XCTAssertEqual(o.stderr, "hmtl: error: \(file.path): \(message)\n", text)
            XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("out").path), "\(text): created the output folder")
        }
        let parallel = try CommandRunner.run(["experiment", try writeFile(#"{ "output": "out", "setups": [\#(setup)] }"#, "good.json", in: dir).path,
                                              "--parallel", "0"], timeout: 60)
        XCTAssertEqual(parallel.status, 2)
        XCTAssertEqual(parallel.stderr, "hmtl: error: --parallel: expected a positive number of runs, got 0\n")
    }

    // MARK: Rules

    /// The gain of the last `DevPlateau.window` validations over the best before them.
    func testLevelledOffMeansTheLastValidationsGainedLessThanHalfAPoint() {
        XCTAssertEqual(DevPlateau.window, 5)
        XCTAssertNil(DevPlateau.gain([50, 60, 61, 61, 61]), "five validations cannot show it")
        XCTAssertEqual(try XCTUnwrap(DevPlateau.gain([50, 70, 70.2, 69, 70.4, 70.1, 68])), 0.4, accuracy: 1e-9)
        XCTAssertEqual(DevPlateau.gain([50, 70, 60, 60, 60, 60, 60]), 0, "no new best at all")
        XCTAssertTrue(DevPlateau.isLevelledOff(gain: 0.4))
        XCTAssertFalse(DevPlateau.isLevelledOff(gain: 0.5))
        XCTAssertFalse(DevPlateau.isLevelledOff(gain: nil))
    }

    func testStatisticIsTheMeanAndTheSampleStandardDeviation() throws {
        let three = try XCTUnwrap(ExperimentSummary.Statistic([1, 2, 6]))
        XCTAssertEqual(three.mean, 3)
        XCTAssertEqual(try XCTUnwrap(three.std), 7.0.squareRoot(), accuracy: 1e-12, "Σ(x − 3)² / (3 − 1) = 14 / 2")
        XCTAssertNil(try XCTUnwrap(ExperimentSummary.Statistic([4])).std, "one seed has no spread")
        XCTAssertNil(ExperimentSummary.Statistic([]))
        XCTAssertEqual(ResultsTable.cell(three), "3.00 ± 2.65")
        XCTAssertEqual(ResultsTable.cell(ExperimentSummary.Statistic([4])), "4.00")
        XCTAssertEqual(ResultsTable.cell(nil), "–")
    }
}
