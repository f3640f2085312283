import XCTest
import GradientChecking
import Tensor
@testable import NN

final class LinearTests: XCTestCase {
    private func make(input: Int = 5, output: Int = 4) -> (Linear, ParameterArena) {
        var layout = ParameterLayout()
        let linear = Linear(name: "proj", inputSize: input, outputSize: output, layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: 11)
        linear.initialize(arena, rng: &rng)
        return (linear, arena)
    }

    private func randomTensor(_ shape: [Int], rng: inout RNG) -> Tensor {
        Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    func testNamesShapesAndInitBounds() {
        let (linear, arena) = make(input: 9, output: 3)
        XCTAssertEqual(linear.weight.name, "proj/weight")
        XCTAssertEqual(linear.weight.shape, [3, 9])
        XCTAssertEqual(linear.bias.name, "proj/bias")
        XCTAssertEqual(linear.bias.shape, [3])
        let values = Array(arena.values)
        XCTAssertTrue(values.allSatisfy { abs($0) <= 1 / 3 }, "U(±1/√9) bound violated")
        XCTAssertGreaterThan(values.map(abs).max()!, 0.2, "values should spread over the bound")
    }

    func testForwardWithLeadingDimensionsMatchesNaiveProduct() {
        let (linear, arena) = make()
        var rng = RNG(seed: 3)
        let x = randomTensor([2, 3, 5], rng: &rng)
        let y = linear.forward(x, arena: arena)
        XCTAssertEqual(y.shape, [2, 3, 4])
        let w = arena.value(linear.weight), b = arena.value(linear.bias)
        for r in 0..<6 {
            for o in 0..<4 {
                var expected = b[o]
                for i in 0..<5 { expected += x.data[r * 5 + i] * w[o * 5 + i] }
                XCTAssertEqual(y.data[r * 4 + o], expected, accuracy: 1e-5)
            }
        }
    }

    func testRankOneInput() {
        let (linear, arena) = make()
        var rng = RNG(seed: 4)
        let x = randomTensor([5], rng: &rng)
        XCTAssertEqual(linear.forward(x, arena: arena).shape, [4])
        XCTAssertEqual(linear.forward(x, arena: arena).data,
                       linear.forward(x.reshaped([1, 5]), arena: arena).data)
    }

    func testGradientsWithLeadingDimensions() {
        let (linear, arena) = make()
        var rng = RNG(seed: 5)
        var x = randomTensor([2, 3, 5], rng: &rng)
        let projection = GradientCheck.projection(2 * 3 * 4, rng: &rng)
        arena.zeroGrads()
        let dx = linear.backward(x: x, dOut: Tensor(shape: [2, 3, 4], data: projection), arena: arena)
        XCTAssertEqual(dx.shape, [2, 3, 5])
        let loss = { GradientCheck.dot(linear.forward(x, arena: arena).data, projection) }
        GradientCheck.check("Linear dW", at: arena.value(linear.weight), count: linear.weight.count,
                            analytic: Array(arena.grads[linear.weight.range]), rng: &rng, loss: loss)
        GradientCheck.check("Linear db", at: arena.value(linear.bias), count: linear.bias.count,
                            analytic: Array(arena.grads[linear.bias.range]), rng: &rng, loss: loss)
        let count = x.count
        x.withMutablePointer { xp in
            GradientCheck.check("Linear dX", at: xp, count: count, analytic: dx.data, rng: &rng) {
                // Rebuild the input from the perturbed buffer, not from a copy of `x`.
                let current = Tensor(shape: [2, 3, 5], data: Array(UnsafeBufferPointer(start: xp, count: count)))
                return GradientCheck.dot(linear.forward(current, arena: arena).data, projection)
            }
        }
    }

    func testBackwardAccumulatesParameterGradients() {
        let (linear, arena) = make()
        var rng = RNG(seed: 6)
        let x = randomTensor([3, 5], rng: &rng)
        let dOut = randomTensor([3, 4], rng: &rng)
        arena.zeroGrads()
        _ = linear.backward(x: x, dOut: dOut, arena: arena)
        let once = Array(arena.grads)
        _ = linear.backward(x: x, dOut: dOut, arena: arena)
        for (twice, single) in zip(arena.grads, once) { XCTAssertEqual(twice, 2 * single, accuracy: 1e-5) }
    }
}
