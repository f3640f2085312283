import XCTest
import GradientChecking
import Tensor
@testable import NN

final class ScalarMixTests: XCTestCase {
    private func mix(layers: Int) -> (ScalarMix, ParameterArena) {
        var layout = ParameterLayout()
        let mix = ScalarMix(name: "mix", layers: layers, layout: &layout)
        let arena = ParameterArena(layout: layout)
        mix.initialize(arena)
        return (mix, arena)
    }

    private func features(_ shape: [Int], rng: inout RNG) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-2, 2) })
    }

    func testInitialisationIsTheMeanOfTheLayers() {
        let (mix, arena) = mix(layers: 3)
        XCTAssertEqual(mix.scalars.name, "mix/scalars")
        XCTAssertEqual(mix.gamma.name, "mix/gamma")
        XCTAssertEqual(Array(arena.values), [0, 0, 0, 1], "w = 0, γ = 1 (docs/design.md, Initialisation)")
        var rng = RNG(seed: 3)
        let x = features([3, 2, 4, 5], rng: &rng)
        let (y, _) = mix.forward(x, arena: arena)
        XCTAssertEqual(y.shape, [2, 4, 5])
        for i in 0..<y.count {
            XCTAssertEqual(y.data[i], (x.data[i] + x.data[40 + i] + x.data[80 + i]) / 3, accuracy: 1e-5)
        }
    }

    func testForwardIsGammaTimesTheSoftmaxWeightedSum() {
        let (mix, arena) = mix(layers: 3)
        let w: [Float] = [0.5, -1, 2], gamma: Float = 1.7
        arena.value(mix.scalars).update(from: w, count: 3)
        arena.value(mix.gamma).pointee = gamma
        var rng = RNG(seed: 4)
        let x = features([3, 7, 6], rng: &rng)
        let (y, cache) = mix.forward(x, arena: arena)
        let e = w.map { Foundation.exp(Double($0)) }
        let s = e.map { $0 / e.reduce(0, +) }
        for (k, sk) in s.enumerated() { XCTAssertEqual(Double(cache.weights[k]), sk, accuracy: 1e-6) }
        for i in 0..<y.count {
            let expected = Double(gamma) * (0..<3).reduce(0.0) { $0 + s[$1] * Double(x.data[$1 * 42 + i]) }
            XCTAssertEqual(Double(y.data[i]), expected, accuracy: 1e-4)
        }
    }

    func testGradientsOfScalarsAndGamma() {
        let (mix, arena) = mix(layers: 3)
        var rng = RNG(seed: 5)
        for k in 0..<3 { arena.value(mix.scalars)[k] = rng.uniform(-1, 1) }
        arena.value(mix.gamma).pointee = 0.8
        let x = features([3, 2, 5, 4], rng: &rng)
        let projection = GradientCheck.projection(40, rng: &rng)
        let (_, cache) = mix.forward(x, arena: arena)
        mix.backward(cache, dOut: Tensor(shape: [2, 5, 4], data: projection), arena: arena)
        let loss = { GradientCheck.dot(mix.forward(x, arena: arena).0.data, projection) }
        GradientCheck.check("ScalarMix dw", at: arena.value(mix.scalars), count: 3,
                            analytic: Array(UnsafeBufferPointer(start: arena.grad(mix.scalars), count: 3)), rng: &rng, loss: loss)
        GradientCheck.check("ScalarMix dγ", at: arena.value(mix.gamma), count: 1,
                            analytic: [arena.grad(mix.gamma).pointee], rng: &rng, loss: loss)
    }

    func testBackwardAccumulates() {
        let (mix, arena) = mix(layers: 2)
        var rng = RNG(seed: 6)
        let x = features([2, 3, 4], rng: &rng)
        let dOut = features([3, 4], rng: &rng)
        let (_, cache) = mix.forward(x, arena: arena)
        mix.backward(cache, dOut: dOut, arena: arena)
        let once = Array(arena.grads)
        mix.backward(cache, dOut: dOut, arena: arena)
        for (twice, single) in zip(arena.grads, once) { XCTAssertEqual(twice, 2 * single, accuracy: 1e-5) }
        XCTAssertNotEqual(once, [0, 0, 0])
    }
}
