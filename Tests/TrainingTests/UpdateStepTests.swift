import Benchmarks
import Corpus
import Distributed
import Foundation
import Model
import Tensor
import TestSupport
import XCTest
@testable import Training

/// `hmtl train` takes the update step `hmtl bench` measures: from the same parameters and on
/// the same batches, the trainer's step leaves the parameters bit-identical to `UpdateStep`'s
/// (the benchmark's side: `BenchmarkStepTests`).
final class UpdateStepTests: XCTestCase {
    /// Trainer A takes its steps; trainer B, built alike, draws the same tasks and batches and
    /// hands them to a fresh `UpdateStep`. Every task is drawn in 16 steps of this config.
    func testTrainerStepMovesParametersAsTheUpdateStep() throws {
        let config = try RunConfig(json: try JSONSerialization.jsonObject(with: Data(MultiTaskConfig.json.utf8)) as! [String: Any],
                                   baseDirectory: nil)
        let data = try RunData.load(config)
        let output = try makeTemporaryDirectory()
        let communicator = SingleProcessCommunicator()
        func trainer(_ name: String) throws -> Trainer {
            let directory = output.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            return try Trainer(config: config, communicator: communicator, data: data, output: directory, pretrained: nil)
        }
        let a = try trainer("a"), b = try trainer("b")
        XCTAssertEqual(Array(a.arena.values), Array(b.arena.values))
        var drawn = Set<Task>()
        for step in 0..<16 {
            let before = Array(a.arena.values)
            let (task, tokens, loss, _) = try a.trainStep()
            drawn.insert(task)

            XCTAssertEqual(b.sampler.next(), task)
            let local = BatchPlan.shard(b.streams[task]!.next(), rank: 0, worldSize: 1)
            let batches = (task == .coref ? local.map { [$0] } : [local]).map { data.train[task]!.batch($0, vocabularies: data.vocabularies) }
            let update = UpdateStep(model: b.model, arena: b.arena, communicator: communicator, schedule: config.schedule, seed: config.seed)
            let outcome = try update.run(task, step: step, batches: batches, optimizer: &b.optimizers[task]!)

            XCTAssertTrue(outcome.applied)
            XCTAssertEqual(outcome.tokens, tokens)
            XCTAssertEqual(outcome.loss.bitPattern, loss.bitPattern, "step \(step) (\(task)): the losses differ")
            XCTAssertNotEqual(Array(a.arena.values), before, "step \(step) (\(task)) changed nothing")
            XCTAssertEqual(Array(a.arena.values).map(\.bitPattern), Array(b.arena.values).map(\.bitPattern),
                           "step \(step) (\(task)): the trainer's step differs from UpdateStep's")
        }
        XCTAssertEqual(drawn, Set(Task.paperTasks), "16 steps should draw every task")
    }

    /// The phases are timed only when asked: training reads no clock.
    func testPhasesAreTimedOnlyWhenAsked() throws {
        var shapes = Benchmark.Shapes()
        (shapes.batch, shapes.length, shapes.vocabulary, shapes.wordDimension) = (2, 5, 30, 8)
        let workload = BenchmarkWorkload.single(.ner, shapes: shapes)
        let model = HierarchicalModel(settings: HierarchicalModel.Settings(), vocabularies: workload.vocabularies)  // NER alone
        let arena = ParameterArena(layout: model.layout)
        model.initialize(arena, seed: 1, pretrained: nil)
        var rng = RNG(seed: 5)
        let batch = workload.batch(.ner, shapes: shapes, rng: &rng)
        for timed in [false, true] {
            let update = UpdateStep(model: model, arena: arena, communicator: SingleProcessCommunicator(), schedule: TrainingSchedule(),
                                    seed: 1, timed: timed)
            var adam = update.makeOptimizer(for: .ner)
            let phases = try update.run(.ner, step: 0, batches: [batch], optimizer: &adam).phases
            if timed {
                XCTAssertGreaterThan(phases.forward, 0)
                XCTAssertGreaterThan(phases.backward, 0)
                XCTAssertGreaterThan(phases.optimizer, 0)
            } else {
                XCTAssertEqual(phases.total, 0)
            }
        }
    }
}
