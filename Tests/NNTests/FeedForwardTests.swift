import XCTest
import GradientChecking
import Tensor
@testable import NN

final class FeedForwardTests: XCTestCase {
    private func make(layers: Int = 2) -> (FeedForward, ParameterArena) {
        var layout = ParameterLayout()
        let ffnn = FeedForward(name: "ffnn", inputSize: 4, hiddenSize: 5, layers: layers, dropout: 0.3, layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: 7)
        ffnn.initialize(arena, rng: &rng)
        return (ffnn, arena)
    }

    func testNamesContinueFromFirstIndex() {
        var layout = ParameterLayout()
        let ffnn = FeedForward(name: "a", inputSize: 3, hiddenSize: 2, layers: 2, dropout: 0, firstIndex: 1, layout: &layout)
        XCTAssertEqual(layout.parameters.map(\.name), ["a/1/weight", "a/1/bias", "a/2/weight", "a/2/bias"])
        XCTAssertEqual(ffnn.layers.map(\.inputSize), [3, 2])
        XCTAssertEqual(ffnn.outputSize, 2)
    }

    func testEvaluationIsReLUOfLinearLayers() {
        let (ffnn, arena) = make()
        var rng = RNG(seed: 1)
        let x = Tensor(shape: [3, 4], data: (0..<12).map { _ in rng.uniform(-1, 1) })
        let (y, _) = ffnn.forward(x, arena: arena, training: false, rng: &rng)
        var expected = x
        for layer in ffnn.layers {
            expected = layer.forward(expected, arena: arena)
            expected.data = expected.data.map { max(0, $0) }
        }
        XCTAssertEqual(y, expected)
    }

    /// Dropout on with a fixed generator copy: masks repeat, so the loss is a smooth function
    /// away from ReLU kinks (the seed is one whose pre-activations all clear the step; asserted).
    func testGradientsWithDropout() {
        let (ffnn, arena) = make()
        var rng = RNG(seed: 13)
        var x = Tensor(shape: [6, 4], data: (0..<24).map { _ in rng.uniform(-1, 1) })
        let masks = RNG(seed: 4)
        let projection = GradientCheck.projection(6 * 5, rng: &rng)
        func loss(_ x: Tensor) -> Double {
            var r = masks
            return GradientCheck.dot(ffnn.forward(x, arena: arena, training: true, rng: &r).0.data, projection)
        }
        var r = masks
        let (_, cache) = ffnn.forward(x, arena: arena, training: true, rng: &r)
        XCTAssertTrue(cache.activations[1].data.contains(0), "dropout or ReLU zeroes some units")
        for l in ffnn.layers.indices {
            let margin = ffnn.layers[l].forward(cache.activations[l], arena: arena).data.map(abs).min()!
            XCTAssertGreaterThan(margin, 1e-2, "layer \(l) has a pre-activation within a step of its ReLU kink")
        }
        arena.zeroGrads()
        let dx = ffnn.backward(cache, dOut: Tensor(shape: [6, 5], data: projection), arena: arena)
        for p in arena.layout.parameters {
            GradientCheck.check(p.name, at: arena.value(p), count: p.count, analytic: Array(arena.grads[p.range]),
                                rng: &rng) { loss(x) }
        }
        let shape = x.shape
        x.withMutablePointer { xp in
            GradientCheck.check("dx", at: xp, count: 24, analytic: dx.data, rng: &rng) {
                loss(Tensor(shape: shape, data: Array(UnsafeBufferPointer(start: xp, count: 24))))
            }
        }
    }

    func testCacheRowsGiveTheRowsGradients() {
        let (ffnn, arena) = make()
        var rng = RNG(seed: 5)
        let x = Tensor(shape: [5, 4], data: (0..<20).map { _ in rng.uniform(-1, 1) })
        var r = RNG(seed: 6)
        let (_, cache) = ffnn.forward(x, arena: arena, training: true, rng: &r)
        var dOut = Tensor(zeros: [5, 5])
        for j in 0..<5 { dOut[1, j] = Float(j) - 2; dOut[3, j] = 1 }
        arena.zeroGrads()
        let dxAll = ffnn.backward(cache, dOut: dOut, arena: arena)
        let all = Array(arena.grads)
        arena.zeroGrads()
        let dxRows = ffnn.backward(cache.rows(at: [1, 3]), dOut: dOut.rows(at: [1, 3]), arena: arena)
        // dx comes from an sgemm with 2 rows against 5: kernels may block them differently, so
        // both agree to float rounding, not bit for bit (values are O(1)).
        XCTAssertEqual(dxRows.shape, [2, 4])
        for (a, b) in zip(all, arena.grads) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        for (a, b) in zip(dxRows.data, dxAll.rows(at: [1, 3]).data) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}
