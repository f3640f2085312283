import Tensor
import XCTest
@testable import Training

final class OptimizerTests: XCTestCase {
    private func arena(_ values: [Float], grads: [Float]) -> ParameterArena {
        var layout = ParameterLayout()
        _ = layout.add("p", shape: [values.count])
        let a = ParameterArena(layout: layout)
        for i in values.indices { a.values[i] = values[i]; a.grads[i] = grads[i] }
        return a
    }

    /// Two steps against the PyTorch 0.4.1 formula evaluated by hand in Double.
    func testAdamMatchesTheReferenceFormula() {
        let a = arena([1, -2, 0.5], grads: [0.1, -0.3, 0])
        var adam = Adam(ranges: [0..<3], learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        var theta: [Double] = [1, -2, 0.5], m = [0.0, 0, 0], v = [0.0, 0, 0]
        for t in 1...2 {
            let g: [Double] = [0.1, -0.3, 0]
            for i in 0..<3 { a.grads[i] = Float(g[i]) }
            adam.update(a)
            let stepSize = 0.01 * (1 - Foundation.pow(0.999, Double(t))).squareRoot() / (1 - Foundation.pow(0.9, Double(t)))
            for i in 0..<3 {
                m[i] = 0.9 * m[i] + 0.1 * g[i]
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                theta[i] -= stepSize * m[i] / (v[i].squareRoot() + 1e-8)
                XCTAssertEqual(Double(a.values[i]), theta[i], accuracy: 1e-6)
            }
        }
        XCTAssertEqual(a.values[2], 0.5, "a zero gradient must leave the parameter untouched")
        XCTAssertEqual(adam.step, 2)
    }

    func testAdamTouchesOnlyItsRanges() {
        let a = arena([1, 1, 1, 1], grads: [1, 1, 1, 1])
        var adam = Adam(ranges: [1..<3], learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        adam.update(a)
        XCTAssertEqual(a.values[0], 1)
        XCTAssertEqual(a.values[3], 1)
        XCTAssertNotEqual(a.values[1], 1)
        XCTAssertEqual(adam.m.count, 2)
    }

    func testClippingClampsThenRescalesTheNorm() {
        let a = arena([0, 0, 0], grads: [30, -4, 0])
        let clipping = GradientClipping(value: 10, maxNorm: 5)
        let (norm, scale) = clipping.measure(a, ranges: [0..<3])
        XCTAssertEqual(norm, (100.0 + 16).squareRoot(), accuracy: 1e-9)  // after the ±10 clamp
        XCTAssertEqual(Double(scale), 5 / (norm + 1e-6), accuracy: 1e-7)
        XCTAssertEqual(clipping.measure(arena([0], grads: [0.5]), ranges: [0..<1]).scale, 1, "under both limits: no rescaling")
        // Adam sees the clamped, rescaled gradient: its first step moves each θ by −lr·sign(ĝ)
        // (m/√v = ĝ/|ĝ| at t = 1), so compare m instead, which is (1 − β1)·ĝ.
        var adam = Adam(ranges: [0..<3], learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
        adam.update(a, clamp: clipping.value, scale: scale)
        XCTAssertEqual(adam.m[0], 0.1 * 10 * scale, accuracy: 1e-6)
        XCTAssertEqual(adam.m[1], 0.1 * -4 * scale, accuracy: 1e-6)
        XCTAssertEqual(adam.m[2], 0)
        XCTAssertEqual(Array(a.grads), [0, 0, 0], "the step leaves the gradient zeroed for the next one")
    }

    func testSamplerIsDeterministicAndProportional() {
        var a = TaskSampler(tasks: [.ner, .emd], weights: [3, 1], seed: 9)
        var b = TaskSampler(tasks: [.ner, .emd], weights: [3, 1], seed: 9)
        let draws = (0..<10_000).map { _ in a.next() }
        XCTAssertEqual(draws, (0..<10_000).map { _ in b.next() })
        let share = Double(draws.filter { $0 == .ner }.count) / 10_000
        XCTAssertEqual(share, 0.75, accuracy: 0.02)
        let s = a.rng.state
        var restored = TaskSampler(tasks: [.ner, .emd], weights: [3, 1], state: s, draws: a.draws)
        XCTAssertEqual((0..<100).map { _ in a.next() }, (0..<100).map { _ in restored.next() })
    }

    func testEarlyStoppingCountsValidationsWithoutImprovement() {
        var e = EarlyStopping(patience: 2)
        XCTAssertTrue(e.record(0.5, step: 10))
        XCTAssertFalse(e.record(0.5, step: 20))  // a tie is not an improvement
        XCTAssertFalse(e.isExhausted)
        XCTAssertFalse(e.record(0.4, step: 30))
        XCTAssertTrue(e.isExhausted)
        XCTAssertEqual(e.bestStep, 10)
        XCTAssertTrue(e.record(0.9, step: 40))
        XCTAssertTrue(e.isExhausted, "out of patience is sticky, as the reference")
    }

    /// ReduceLROnPlateau, mode max, factor 0.5, patience 2, absolute threshold 0.01.
    func testPlateauHalvesTheRateAfterPatienceValidationsWithoutProgress() {
        var p = PlateauSchedule(factor: 0.5, patience: 2, threshold: 0.01)
        var lr = 1.0
        for score in [0.5, 0.6, 0.605, 0.6, 0.59] { lr = p.record(score, learningRate: lr) }
        XCTAssertEqual(lr, 0.5, "0.605 is not 0.01 better than 0.6: three bad validations > patience 2")
        XCTAssertEqual(p.badValidations, 0, "the count starts again after a reduction")
        lr = p.record(0.7, learningRate: lr)
        XCTAssertEqual(lr, 0.5)
        XCTAssertEqual(p.best, 0.7)
    }
}
