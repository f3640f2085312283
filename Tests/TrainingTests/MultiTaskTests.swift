import Checkpoint
import Distributed
import Corpus
import Foundation
import Model
import Tensor
import TestSupport
import XCTest
@testable import Training

/// The hierarchy trained multi-task: data-parallel equivalence for every task, untouched
/// parameters through another task's step, and the task sampler.
final class MultiTaskTests: XCTestCase {
    private func parameters(ofLatestIn dir: URL) throws -> [NamedArray] {
        try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: dir))).parameters
    }

    /// docs/design.md, Distributed semantics: 2 ranks × batch b make the update of 1 rank × 2b —
    /// here for every task at once, since each step samples one of the four (the tasks' draws are
    /// the same sequence in both runs: the sampler's weights depend on the global batch only).
    func testTwoRanksEqualOneRankWithDoubleBatchForEveryTask() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let two = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config.path, "--output", dir.appendingPathComponent("two").path])
        XCTAssertEqual(two.status, 0, two.stdout + two.stderr)
        let doubled = ["--set", "tasks.ner.batch_size=8", "--set", "tasks.emd.batch_size=8",
                       "--set", "tasks.relation.batch_size=4", "--set", "tasks.coref.batch_size=2"]
        let one = try CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("one").path] + doubled)
        XCTAssertEqual(one.status, 0, one.stdout + one.stderr)
        // The comparison covers a task only if some step trained it: count the updates the
        // train records say each task got (every task prints a validation line regardless).
        let sampled = try RunRecords(run: dir.appendingPathComponent("one")).sampledSteps()
        XCTAssertEqual(sampled.values.reduce(0, +), 10, "\(sampled)")
        for task in ["ner", "emd", "coref", "relation"] {
            XCTAssertGreaterThan(sampled[task] ?? 0, 0, "task \(task) was never sampled in 10 steps: \(sampled)")
        }
        XCTAssertEqual(try RunRecords(run: dir.appendingPathComponent("two")).sampledSteps(), sampled,
                       "the two runs drew different tasks, so their parameters are not comparable")
        let a = try parameters(ofLatestIn: dir.appendingPathComponent("two"))
        let b = try parameters(ofLatestIn: dir.appendingPathComponent("one"))
        XCTAssertLessThan(ParameterComparison.relativeDifference(a, b), 1e-4, "2 ranks × b and 1 rank × 2b diverged")
    }

    /// On two ranks every summed element is a + b whatever the messages, so a reduction
    /// overlapped with backward in buckets moves the parameters bit for bit as one after
    /// backward — for every task (coreference with two documents per rank: only the last pass
    /// sends while it runs), with 1 KiB buckets that cut every task's ranges into several.
    func testOverlappedReductionIsBitIdenticalToReductionAfterBackward() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let parsed = try RunConfig(json: try JSONSerialization.jsonObject(with: Data(MultiTaskConfig.json.utf8)) as! [String: Any],
                                   baseDirectory: nil)
        let model = HierarchicalModel(settings: parsed.modelSettings, vocabularies: try RunData.load(parsed).vocabularies)
        for task in model.tasks {
            let plan = ReductionPlan(ranges: model.parameterRanges(for: task), layout: model.layout, table: model.embedder.words.table,
                                     bucketFloats: 256)
            XCTAssertGreaterThan(plan.items.count, 4, "\(task): 1 KiB buckets should cut its ranges into several: \(plan.items)")
        }
        let common = ["train", "--config", config.path, "--set", "tasks.coref.batch_size=2"]
        for (name, settings) in [("after", ["training.overlap_reduction=false"]), ("overlapped", ["training.bucket_kb=1"])] {
            let run = try CommandRunner.mpirun(ranks: 2, common + ["--output", dir.appendingPathComponent(name).path]
                                                   + settings.flatMap { ["--set", $0] })
            XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        }
        let sampled = try RunRecords(run: dir.appendingPathComponent("overlapped")).sampledSteps()
        XCTAssertEqual(Set(sampled.keys), ["ner", "emd", "coref", "relation"], "some task was never sampled: \(sampled)")
        XCTAssertEqual(sampled.values.reduce(0, +), 10, "\(sampled)")
        let a = try parameters(ofLatestIn: dir.appendingPathComponent("after"))
        let b = try parameters(ofLatestIn: dir.appendingPathComponent("overlapped"))
        ParameterComparison.assertBitIdentical(a, b, "overlapped against after backward, 2 ranks")
    }

    /// Stopped after step 10 and resumed, a multi-task run ends bit-identical to one that ran
    /// 20 steps straight: every task's Adam state, stream position, sampler and schedules are
    /// in the checkpoint.
    func testMultiTaskResumeIsBitExact() throws {
        try assertResumeIsBitExact(ranks: 1)
    }

    func testMultiTaskResumeIsBitExactOnTwoRanks() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        try assertResumeIsBitExact(ranks: 2)
    }

    private func assertResumeIsBitExact(ranks: Int) throws {
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let common = ["train", "--config", config.path, "--set", "training.validate_every=5", "--set", "training.lr_patience=0"]
        func train(_ arguments: [String]) throws -> CommandRunner.Output {
            ranks == 1 ? try CommandRunner.run(common + arguments) : try CommandRunner.mpirun(ranks: ranks, common + arguments)
        }
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        XCTAssertEqual(try train(["--output", straight.path, "--set", "training.max_steps=20"]).status, 0)
        XCTAssertEqual(try train(["--output", resumed.path, "--set", "training.max_steps=10"]).status, 0)
        let again = try train(["--output", resumed.path, "--set", "training.max_steps=20", "--resume"])
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stdout.contains("learning rate"), "lr_patience 0 should have halved some rate:\n\(again.stdout)")
        let a = try parameters(ofLatestIn: straight), b = try parameters(ofLatestIn: resumed)
        ParameterComparison.assertBitIdentical(a, b, "after resume on \(ranks) rank(s)")
    }

    /// Resumed on 1 rank, a run saved by 2 keeps its global batches: it draws the same tasks
    /// as the 2-rank run that went on, and ends with its parameters up to float rounding.
    func testResumeOnAnotherWorldSizeKeepsBatchesAndTaskDraws() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let common = ["train", "--config", config.path, "--set", "training.log_every=1"]
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        XCTAssertEqual(try CommandRunner.mpirun(ranks: 2, common + ["--output", straight.path, "--set", "training.max_steps=20"]).status, 0)
        XCTAssertEqual(try CommandRunner.mpirun(ranks: 2, common + ["--output", resumed.path, "--set", "training.max_steps=10"]).status, 0)
        let again = try CommandRunner.run(common + ["--output", resumed.path, "--set", "training.max_steps=20", "--resume"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        XCTAssertTrue(again.stdout.contains("was written by 2 rank(s), this job has 1: the global batches stay as saved — ner 8 (8 per rank)"),
                      again.stdout)

        // The task each step after 10 drew (log_every 1: one task per train record).
        let expected = try RunRecords(run: straight).drawnTasks(after: 10)
        XCTAssertEqual(expected.count, 10)
        XCTAssertEqual(try RunRecords(run: resumed).drawnTasks(after: 10), expected)

        let a = try parameters(ofLatestIn: straight), b = try parameters(ofLatestIn: resumed)
        XCTAssertLessThan(ParameterComparison.relativeDifference(a, b), 1e-4, "resumed on 1 rank, the run diverged from the 2-rank one")
    }

    /// debug.verify_collectives: a rank that drew another task is caught before the gradient
    /// allreduce (where it would sum unrelated buffers or hang); every rank stops with the reason.
    func testVerifyCollectivesCatchesARankOnAnotherTask() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let o = try CommandRunner.mpirun(ranks: 2, ["train", "--config", config.path, "--output", dir.appendingPathComponent("run").path,
                                                    "--set", "debug.desync_step=3", "--set", "debug.desync_rank=1",
                                                    "--set", "training.stall_timeout=30"], timeout: 120)
        XCTAssertFalse(o.timedOut, "the desynchronised job hung")
        XCTAssertNotEqual(o.status, 0, o.stdout + o.stderr)
        XCTAssertTrue((o.stdout + o.stderr).contains("disagrees with another rank before the gradient allreduce"), o.stdout + o.stderr)
    }

    /// A task's step leaves every parameter outside its ranges bit-identical, and inside its
    /// ranges the lower levels' heads too (they get no gradient, so its Adam moments stay 0).
    func testUntouchedParametersStayBitIdenticalThroughAnotherTasksStep() throws {
        var root = try JSONSerialization.jsonObject(with: Data(MultiTaskConfig.json.utf8)) as! [String: Any]
        try RunConfig.apply(override: "training.validate_every=1000", to: &root)
        let config = try RunConfig(json: root, baseDirectory: nil)
        let data = try RunData.load(config)
        let output = try makeTemporaryDirectory()
        let trainer = try Trainer(config: config, communicator: SingleProcessCommunicator(), data: data, output: output, pretrained: nil)
        let layout = trainer.model.layout
        var stepped: Set<Task> = []
        for _ in 0..<12 {
            let before = Array(trainer.arena.values)
            let (task, _, _, _) = try trainer.trainStep()
            stepped.insert(task)
            let after = Array(trainer.arena.values)
            let ranges = trainer.model.parameterRanges(for: task)
            for p in layout.parameters {
                let inRanges = ranges.contains { $0.contains(p.offset) }
                let usedByTask = !(p.name.hasSuffix("/projection/weight") || p.name.hasSuffix("/projection/bias") || p.name.contains("/crf/"))
                    || p.name.hasPrefix("\(task.rawValue)/")
                if !inRanges || !usedByTask {
                    XCTAssertEqual(before[p.range].map(\.bitPattern), after[p.range].map(\.bitPattern), "\(task) step moved \(p.name)")
                }
            }
            XCTAssertNotEqual(before, after, "\(task) step changed nothing")
        }
        XCTAssertEqual(stepped, Set(trainer.model.tasks), "12 steps did not sample every task, so some task's step went unchecked")
    }

    /// Proportional to batches per epoch, identical on every rank (same seed, same draws).
    func testSamplerFollowsTheProportionsAndIsTheSameEverywhere() {
        let weights = [40, 7, 19, 11]
        var a = TaskSampler(tasks: [.ner, .emd, .coref, .relation], weights: weights, seed: 5)
        var b = TaskSampler(tasks: [.ner, .emd, .coref, .relation], weights: weights, seed: 5)
        let draws = (0..<10_000).map { _ in a.next() }
        XCTAssertEqual(draws, (0..<10_000).map { _ in b.next() })
        for (task, w) in zip([Task.ner, .emd, .coref, .relation], weights) {
            let share = Double(draws.filter { $0 == task }.count) / 10_000
            XCTAssertEqual(share, Double(w) / 77, accuracy: 0.02, "\(task)")
        }
    }
}
