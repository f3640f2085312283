import Foundation
import Model
import TestSupport
import XCTest
@testable import Training

/// `training.sampling` through `train`: which task each step trained, read back from
/// `metrics.jsonl`, follows the configured rule. NER gets many small-batch examples and EMD
/// few large-batch ones, so the three rules give clearly different shares of NER steps.
final class SamplingRuleTests: XCTestCase {
    static let steps = 300
    static let config: String = {
        var two = TwoTaggerConfig(seed: 4, training: ["max_steps": steps, "log_every": 1, "validate_every": 100_000, "checkpoint_every": 100_000,
                                                      "patience": 1000])
        (two.ner, two.emd) = (.init(documents: 60, dataSeed: 5, batchSize: 12), .init(documents: 10, dataSeed: 6, batchSize: 1))
        return two.json
    }()

    /// Trains with `sampling`, returning the task of every step and the training examples per task.
    private func run(sampling: String) throws -> (draws: [String], examples: [Task: Int]) {
        let dir = try makeTemporaryDirectory()
        let config = try writeFile(Self.config, "sampling.json", in: dir)
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("run").path,
                                         "--set", "training.sampling=\(sampling)"]))
        let data = try RunData.load(try RunConfig.load(path: config.path))
        let examples = try [Task.ner, .emd].reduce(into: [Task: Int]()) { $0[$1] = try XCTUnwrap(data.train[$1]).count }
        return (try RunRecords(run: dir.appendingPathComponent("run")).drawnTasks(), examples)
    }

    /// The draws equal the sampler's with `weights` (same seed: the run is deterministic), and
    /// the share of NER steps lies within 4 binomial standard deviations of the rule's
    /// probability — a band the other two rules' probabilities fall outside.
    private func assertFollows(_ draws: [String], weights: [Int], otherRules: [Double], _ rule: String) {
        XCTAssertEqual(draws.count, Self.steps, "\(rule): one train record per step")
        var sampler = TaskSampler(tasks: [.ner, .emd], weights: weights, seed: 4)
        XCTAssertEqual(draws, (0..<Self.steps).map { _ in sampler.next().rawValue }, "\(rule): another sequence than weights \(weights) give")
        let p = Double(weights[0]) / Double(weights.reduce(0, +))
        let band = 4 * (p * (1 - p) / Double(Self.steps)).squareRoot()
        let share = Double(draws.filter { $0 == "ner" }.count) / Double(Self.steps)
        XCTAssertEqual(share, p, accuracy: band, "\(rule): NER share")
        for other in otherRules { XCTAssertGreaterThan(abs(other - p), band, "\(rule): the test cannot tell it from a rule giving \(other)") }
    }

    private func batchesPerEpoch(_ examples: Int, _ batch: Int) -> Int { (examples + batch - 1) / batch }

    func testExamplesSamplingIsProportionalToTrainingExamples() throws {
        let (draws, n) = try run(sampling: "examples")
        let ner = try XCTUnwrap(n[.ner]), emd = try XCTUnwrap(n[.emd])
        XCTAssertGreaterThan(ner, 3 * emd, "the fixture should give NER many more examples")
        let batches = Double(batchesPerEpoch(ner, 12)) / Double(batchesPerEpoch(ner, 12) + emd)
        assertFollows(draws, weights: [ner, emd], otherRules: [0.5, batches], "examples")
    }

    func testUniformSamplingGivesEveryTaskTheSameChance() throws {
        let (draws, n) = try run(sampling: "uniform")
        let ner = try XCTUnwrap(n[.ner]), emd = try XCTUnwrap(n[.emd])
        let batches = Double(batchesPerEpoch(ner, 12)) / Double(batchesPerEpoch(ner, 12) + emd)
        assertFollows(draws, weights: [1, 1], otherRules: [Double(ner) / Double(ner + emd), batches], "uniform")
    }
}
