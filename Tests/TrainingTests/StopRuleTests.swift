import Foundation
import TestSupport
import XCTest

/// The trainer's stopping rules through `train`, each run short and set up to hit one rule:
/// every task out of patience, every task's learning rate below `min_lr`, or the epoch cap. The
/// expected stop step is replayed from the validation records the run wrote, by the rule as
/// documented, and the run must have stopped exactly there — well before `max_steps` — and
/// ended with the completion record naming that rule.
final class StopRuleTests: XCTestCase {
    static let maxSteps = 60

    /// Two tasks validated after every step.
    static let config = TwoTaggerConfig(seed: 6, training: ["max_steps": maxSteps, "log_every": 1, "validate_every": 1,
                                                            "checkpoint_every": 1000]).json

    private func train(_ overrides: [String]) throws -> (stdout: String, records: RunRecords) {
        let dir = try makeTemporaryDirectory()
        let config = try writeFile(Self.config, "stop.json", in: dir)
        let run = dir.appendingPathComponent("run")
        let o = try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", run.path] + overrides.flatMap { ["--set", $0] }))
        return (o.stdout, try RunRecords(run: run))
    }

    /// The last step the run trained, from its train records.
    private func lastStep(_ records: RunRecords) throws -> Int {
        try XCTUnwrap(records.of(kind: "train").compactMap { $0["step"] as? Int }.max())
    }

    /// The completion record must be the last record, after the test scores, and name `reason`.
    private func assertEnded(_ records: RunRecords, by reason: String, at step: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        let end = try XCTUnwrap(records.records.last, file: file, line: line)
        XCTAssertEqual(end["kind"] as? String, "end", "the last record is not the completion record: \(end)", file: file, line: line)
        XCTAssertEqual(end["reason"] as? String, reason, file: file, line: line)
        XCTAssertEqual(end["step"] as? Int, step, file: file, line: line)
        XCTAssertEqual(records.of(kind: "test").count, 2, "both tasks' test scores come before it", file: file, line: line)
    }

    /// Patience 2: a task is out of patience after 2 validations in a row without a strict
    /// improvement, and stays out (sticky); the run stops after the validation that puts the
    /// last task out. On this corpus NER's dev F1 stays flat and runs out first, while EMD's
    /// improves for a while (resetting its count) and runs out later.
    func testStopsWhenEveryTaskIsOutOfPatience() throws {
        let (stdout, records) = try train(["training.patience=2", "training.learning_rate=1e-2"])
        var outAt: [String: Int] = [:], improvedLater: Set<String> = []
        for task in ["ner", "emd"] {
            var best = -Double.infinity, bad = 0
            let validations = records.validations(of: task)
            XCTAssertGreaterThanOrEqual(validations.count, 3, task)
            for (k, v) in validations.enumerated() {
                let score = try XCTUnwrap(v["f1"] as? Double), step = try XCTUnwrap(v["step"] as? Int)
                if score > best {
                    if k > 0 { improvedLater.insert(task) }
                    best = score
                    bad = 0
                } else {
                    bad += 1
                }
                if bad >= 2, outAt[task] == nil { outAt[task] = step }
            }
        }
        let stop = try XCTUnwrap(outAt.values.max(), "by the records, some task never ran out of patience: \(outAt)")
        XCTAssertEqual(Set(outAt.keys), ["ner", "emd"])
        // The premise of "every task" and "sticky": one task ran out while the other went on
        // improving, and the run kept training until the second was out too.
        XCTAssertNotEqual(outAt["ner"], outAt["emd"], "both tasks ran out together: the test cannot tell 'every' from 'any'")
        XCTAssertFalse(improvedLater.isEmpty, "no dev score improved after the first validation: the count never reset")
        XCTAssertLessThan(stop, Self.maxSteps, "the run reached max_steps: the rule was not what stopped it")
        XCTAssertEqual(try lastStep(records), stop, "trained past (or short of) the step where every task was out of patience")
        XCTAssertTrue(stdout.contains("hmtl: every trained task is out of patience; stopped at step \(stop)"), stdout)
        XCTAssertFalse(stdout.contains("learning rate fell below"), stdout)
        try assertEnded(records, by: "patience", at: stop)
    }

    /// lr_patience 0 halves a task's rate at every validation that does not beat its best by
    /// lr_threshold; threshold 1 (an F1 never gains 1) makes that every validation after the
    /// first. From 1e-3 the rates go 1e-3, 5e-4, 2.5e-4, below min_lr 3e-4 after the third.
    func testStopsWhenEveryLearningRateIsBelowTheMinimum() throws {
        let (stdout, records) = try train(["training.learning_rate=1e-3", "training.lr_patience=0", "training.lr_threshold=1",
                                           "training.lr_factor=0.5", "training.min_lr=3e-4", "training.patience=1000"])
        var belowAt: [String: Int] = [:]
        for task in ["ner", "emd"] {
            let validations = records.validations(of: task)
            XCTAssertGreaterThanOrEqual(validations.count, 3, task)
            for (k, v) in validations.enumerated() {
                let rate = try XCTUnwrap(v["learning_rate"] as? Double), step = try XCTUnwrap(v["step"] as? Int)
                XCTAssertEqual(rate, 1e-3 * pow(0.5, Double(k)), accuracy: 1e-15, "\(task) after validation \(k + 1)")
                if rate < 3e-4, belowAt[task] == nil { belowAt[task] = step }
            }
        }
        XCTAssertEqual(belowAt, ["ner": 3, "emd": 3])
        XCTAssertEqual(try lastStep(records), 3, "trained past (or short of) the step where every rate fell below min_lr")
        XCTAssertTrue(stdout.contains("hmtl: every task's learning rate fell below 0.0003; stopped at step 3"), stdout)
        XCTAssertFalse(stdout.contains("out of patience"), stdout)
        try assertEnded(records, by: "min_lr", at: 3)
    }

    /// `max_epochs` 3 ends the run after three epochs (an epoch: every task's batches once, as
    /// the start record states it), before `max_steps`, with a last validation there.
    func testStopsAtTheEpochCap() throws {
        let maxSteps = 100_000
        let (stdout, records) = try train(["training.max_steps=\(maxSteps)", "training.max_epochs=3", "training.validate_every=\(maxSteps)",
                                           "training.patience=1000"])
        let start = try XCTUnwrap(records.of(kind: "start").first)
        let epoch = try XCTUnwrap(start["steps_per_epoch"] as? Int)
        // Premise: three epochs end before max_steps, so the epoch cap is what stops the run.
        XCTAssertLessThan(3 * epoch, maxSteps)
        XCTAssertEqual(try lastStep(records), 3 * epoch)
        XCTAssertEqual(records.validations(of: "ner").map { $0["step"] as? Int }, [3 * epoch], "the cap's step is validated")
        try assertEnded(records, by: "max_epochs", at: 3 * epoch)
        XCTAssertEqual(records.records.last?["epochs"] as? Double, 3)
        XCTAssertTrue(stdout.contains("hmtl: run ended by max_epochs after \(3 * epoch) steps (3.00 epochs of \(epoch) steps)"), stdout)
    }
}
