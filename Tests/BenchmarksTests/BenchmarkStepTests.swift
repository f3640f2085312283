import Distributed
import Model
import Tensor
import XCTest
@testable import Benchmarks
@testable import Training

/// The benchmark's training steps leave the parameters bit-identical to `UpdateStep`'s, as the
/// trainer's do (`UpdateStepTests`): `bench` cannot measure a step `train` does not take.
final class BenchmarkStepTests: XCTestCase {
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
        for task in BenchmarkWorkload.singleTasks {
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
            XCTAssertNotEqual(Array(benched.values), Array(initial.values), "\(task): the benchmark's steps changed nothing")
            XCTAssertEqual(Array(benched.values).map(\.bitPattern), Array(stepped.values).map(\.bitPattern),
                           "\(task): the benchmark's step differs from UpdateStep's")
        }
    }
}
