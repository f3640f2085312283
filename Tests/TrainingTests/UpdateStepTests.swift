import Corpus
import Distributed
import Foundation
import Model
import Tensor
import XCTest
@testable import Training

/// `hmtl train` and `hmtl bench` take the same update step: from the same parameters and on
/// the same batches, the trainer's step and the benchmark's training steps each leave the
/// parameters bit-identical to `UpdateStep`'s — so neither can add to the step (or drop from
/// it) without the other, which would make `bench` measure a step `train` does not take.
final class UpdateStepTests: XCTestCase {
    /// Trainer A takes its steps; trainer B, built alike, draws the same tasks and batches and
    /// hands them to a fresh `UpdateStep`. Every task is drawn in 16 steps of this config.
    func testTrainerStepMovesParametersAsTheUpdateStep() throws {
        let config = try RunConfig(json: try JSONSerialization.jsonObject(with: Data(MultiTaskTests.config.utf8)) as! [String: Any],
                                   baseDirectory: nil)
        let data = try RunData.load(config)
        let output = try CommandRunner.temporaryDirectory(self)
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
        XCTAssertEqual(drawn, Set(Task.allCases), "16 steps should draw every task")
    }

    /// The benchmark's training steps on each task (three steps, one per synthetic batch, no
    /// warm-up) leave the parameters as `UpdateStep` with the trainer's default schedule does.
    func testBenchmarkStepsMoveParametersAsTheUpdateStep() throws {
        var shapes = Benchmark.Shapes()
        (shapes.batch, shapes.length, shapes.documentLength, shapes.vocabulary, shapes.wordDimension) = (3, 6, 14, 40, 8)
        (shapes.steps, shapes.warmup) = (3, 0)
        let communicator = SingleProcessCommunicator()
        // One model and one initialisation for all tasks (the workloads share the peer's model):
        // initialising it is most of this test's time in a debug build.
        let peer = BenchmarkWorkload.single(.ner, shapes: shapes)
        let model = HierarchicalModel(settings: peer.settings, vocabularies: peer.vocabularies)
        let initial = ParameterArena(layout: model.layout)
        model.initialize(initial, seed: 1, pretrained: nil)
        for (name, task) in BenchmarkWorkload.taskNames {
            let workload = BenchmarkWorkload.single(task, shapes: shapes)
            let benched = ParameterArena(layout: model.layout), stepped = ParameterArena(layout: model.layout)
            _ = benched.values.update(fromContentsOf: initial.values)
            _ = stepped.values.update(fromContentsOf: initial.values)
            var rng = RNG(seed: 5)
            let batches = (0..<3).map { _ in workload.batch(task, shapes: shapes, rng: &rng) }

            let result = try Benchmark(shapes: shapes, workload: workload).train(model, arena: benched, batches: [task: batches], communicator: communicator)
            XCTAssertEqual(result.stepsPerTask, [task: 3])

            let update = UpdateStep(model: model, arena: stepped, communicator: communicator, schedule: TrainingSchedule(), seed: Benchmark.dropoutSeed)
            var adam = update.makeOptimizer(for: task)
            for (step, batch) in batches.enumerated() {
                XCTAssertTrue(try update.run(task, step: step, batches: [batch], optimizer: &adam).applied)
            }
            XCTAssertNotEqual(Array(benched.values), Array(initial.values), "\(name): the benchmark's steps changed nothing")
            XCTAssertEqual(Array(benched.values).map(\.bitPattern), Array(stepped.values).map(\.bitPattern),
                           "\(name): the benchmark's step differs from UpdateStep's")
        }
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
