import Foundation
import TestSupport
import XCTest

/// `hmtl bench --config FILE --epochs N`: the trainer runs N epochs of the config and the line
/// accounts for them — every update of every task, and validation apart.
final class EpochBenchmarkTests: XCTestCase {
    func testOneEpochIsEveryTasksBatchesOnceAndTheTimeAddsUp() throws {
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("two.json")
        var two = TwoTaggerConfig(seed: 5, training: ["max_steps": 3, "log_every": 1, "checkpoint_every": 1000])
        two.ner.documents = 12
        two.emd.batchSize = 6
        try two.json.write(to: config, atomically: true, encoding: .utf8)
        let o = try succeeded(CommandRunner.run(["bench", "--config", config.path, "--epochs", "2"]))
        let lines = o.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "one line, no training log on stdout: \(o.stdout)")
        let line = try jsonObject(String(try XCTUnwrap(lines.last)))
        XCTAssertEqual(line["kind"] as? String, "epochs")
        XCTAssertEqual(line["epochs"] as? Int, 2)
        // The premise: how many sentences each task has, from the run's own data.
        let sentences = try XCTUnwrap(line["examples"] as? [String: Int])
        let epoch = (sentences["ner"]! + 3) / 4 + (sentences["emd"]! + 5) / 6
        XCTAssertGreaterThan(sentences["ner"]!, 4, "NER has more than one batch")
        XCTAssertEqual(line["steps_per_epoch"] as? Int, epoch, "an epoch is every task's batches once")
        XCTAssertEqual(line["steps"] as? Int, 2 * epoch, "max_steps 3 in the config does not cut the benchmark short")
        let tasks = try XCTUnwrap(line["tasks"] as? [String: [String: Any]])
        XCTAssertEqual(Set(tasks.keys), ["ner", "emd"])
        XCTAssertEqual(tasks.values.reduce(0) { $0 + ($1["updates"] as? Int ?? 0) }, 2 * epoch, "every update is accounted for")
        for (task, t) in tasks {
            XCTAssertGreaterThan(t["ms_per_step"] as? Double ?? 0, 0, task)
            XCTAssertGreaterThan(t["tokens_per_s"] as? Double ?? 0, 0, task)
        }
        let training = try XCTUnwrap(line["training_s"] as? Double), validation = try XCTUnwrap(line["validation_s"] as? Double)
        XCTAssertGreaterThan(validation, 0, "two validations ran")
        let shares = tasks.values.reduce(0) { $0 + ($1["share"] as? Double ?? 0) }
        XCTAssertEqual(shares + validation / (training + validation), 1, accuracy: 1e-9)
        XCTAssertNotNil(line["blas_kernel"] as? String)
        XCTAssertNotNil(line["cpu_model"] as? String)
    }
}
