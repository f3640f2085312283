import XCTest
import GradientChecking
import Tensor
@testable import NN

final class SpanAttentionTests: XCTestCase {
    private let spans: [ClosedRange<Int>] = [0...0, 0...2, 1...3, 4...4, 2...4]

    private func make() -> (SpanAttention, ParameterArena, Tensor) {
        var layout = ParameterLayout()
        let attention = SpanAttention(name: "attention", inputSize: 3, layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: 2)
        attention.initialize(arena, rng: &rng)
        let x = Tensor(shape: [5, 3], data: (0..<15).map { _ in rng.uniform(-2, 2) })
        return (attention, arena, x)
    }

    func testHeadIsSoftmaxWeightedSumWithinTheSpan() {
        let (attention, arena, x) = make()
        let (heads, _) = attention.forward(x, spans: spans, arena: arena)
        let w = arena.value(attention.scorer.weight), b = arena.value(attention.scorer.bias)[0]
        let score = { (t: Int) in Double(b) + (0..<3).reduce(0.0) { $0 + Double(w[$1]) * Double(x[t, $1]) } }
        for (s, span) in spans.enumerated() {
            let e = span.map { Foundation.exp(score($0)) }
            let total = e.reduce(0, +)
            for d in 0..<3 {
                let expected = zip(span, e).reduce(0.0) { $0 + $1.1 / total * Double(x[$1.0, d]) }
                XCTAssertEqual(Double(heads[s, d]), expected, accuracy: 1e-5)
            }
        }
    }

    func testGradients() {
        var (attention, arena, x) = make()
        var rng = RNG(seed: 3)
        let projection = GradientCheck.projection(spans.count * 3, rng: &rng)
        let (_, cache) = attention.forward(x, spans: spans, arena: arena)
        arena.zeroGrads()
        let dx = attention.backward(x, spans: spans, dOut: Tensor(shape: [spans.count, 3], data: projection), cache: cache, arena: arena)
        let loss = { (x: Tensor) in GradientCheck.dot(attention.forward(x, spans: self.spans, arena: arena).0.data, projection) }
        GradientCheck.check("w", at: arena.value(attention.scorer.weight), count: 3,
                            analytic: Array(arena.grads[attention.scorer.weight.range]), rng: &rng) { loss(x) }
        XCTAssertEqual(arena.grads[attention.scorer.bias.offset], 0, accuracy: 1e-6, "softmax ignores a common shift")
        x.withMutablePointer { xp in
            GradientCheck.check("dx", at: xp, count: 15, analytic: dx.data, rng: &rng) {
                loss(Tensor(shape: [5, 3], data: Array(UnsafeBufferPointer(start: xp, count: 15))))
            }
        }
    }

    /// Backward on a subset of spans equals backward on all with zero gradient elsewhere.
    func testBackwardOnASubsetOfSpans() {
        let (attention, arena, x) = make()
        let (_, cache) = attention.forward(x, spans: spans, arena: arena)
        var dOut = Tensor(zeros: [spans.count, 3])
        for d in 0..<3 { dOut[1, d] = Float(d) + 1; dOut[4, d] = -1 }
        arena.zeroGrads()
        let dxAll = attention.backward(x, spans: spans, dOut: dOut, cache: cache, arena: arena)
        let all = Array(arena.grads)
        arena.zeroGrads()
        let dxSubset = attention.backward(x, spans: [spans[1], spans[4]], dOut: dOut.rows(at: [1, 4]), cache: cache, arena: arena)
        for (a, b) in zip(dxAll.data + all, dxSubset.data + Array(arena.grads)) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }
}
