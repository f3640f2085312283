import Foundation
import XCTest
import GradientChecking
import NN
import Tensor

final class LSTMTests: XCTestCase {
    /// A BiLSTM with its own arena, initialised from a fixed seed.
    struct Fixture {
        let lstm: BiLSTM
        let arena: ParameterArena

        init(inputSize: Int = 4, hiddenSize: Int = 3, layers: Int = 2, dropout: Float = 0, seed: UInt64 = 7) {
            var layout = ParameterLayout()
            lstm = BiLSTM(name: "enc", inputSize: inputSize, hiddenSize: hiddenSize, layers: layers, dropout: dropout, layout: &layout)
            arena = ParameterArena(layout: layout)
            var rng = RNG(seed: seed)
            lstm.initialize(arena, rng: &rng)
        }

        func run(_ x: Tensor, _ lengths: [Int], training: Bool = false, rngs: [RNG]? = nil) -> Tensor {
            var r = rngs ?? lengths.indices.map { RNG(seed: 1, stream: [UInt64($0)]) }
            return lstm.forward(x, lengths: lengths, arena: arena, training: training, rngs: &r).0
        }

        func parameter(_ name: String) -> [Float] {
            let p = arena.layout.parameters.first { $0.name == name }!
            return Array(UnsafeBufferPointer(start: arena.value(p), count: p.count))
        }
    }

    static func randomInput(_ shape: [Int], seed: UInt64) -> Tensor {
        var rng = RNG(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in rng.uniform(-1, 1) })
    }

    /// The input with every padded position set to NaN: the LSTM must never read them.
    static func poisonPadding(_ x: Tensor, lengths: [Int]) -> Tensor {
        var x = x
        let (T, D) = (x.shape[1], x.shape[2])
        for (b, length) in lengths.enumerated() {
            for i in ((b * T + length) * D)..<((b + 1) * T * D) { x.data[i] = .nan }
        }
        return x
    }

    // MARK: - Reference in Double with libm, written per sequence straight from the equations.

    static func sigmoid(_ v: Double) -> Double { 1 / (1 + Foundation.exp(-v)) }

    /// One direction of one layer over one sequence `xs` (rows of width `in`).
    static func referenceDirection(_ xs: [[Double]], fixture: Fixture, prefix: String, hidden H: Int) -> [[Double]] {
        let wih = fixture.parameter("\(prefix)/w_ih").map(Double.init), whh = fixture.parameter("\(prefix)/w_hh").map(Double.init)
        let bih = fixture.parameter("\(prefix)/b_ih").map(Double.init), bhh = fixture.parameter("\(prefix)/b_hh").map(Double.init)
        var h = [Double](repeating: 0, count: H), c = [Double](repeating: 0, count: H)
        var out: [[Double]] = []
        for x in xs {
            var pre = [Double](repeating: 0, count: 4 * H)
            for r in 0..<(4 * H) {
                pre[r] = bih[r] + bhh[r]
                for j in x.indices { pre[r] += wih[r * x.count + j] * x[j] }
                for j in 0..<H { pre[r] += whh[r * H + j] * h[j] }
            }
            for j in 0..<H {
                let i = sigmoid(pre[j]), f = sigmoid(pre[H + j]), g = Foundation.tanh(pre[2 * H + j]), o = sigmoid(pre[3 * H + j])
                c[j] = f * c[j] + i * g
                h[j] = o * Foundation.tanh(c[j])
            }
            out.append(h)
        }
        return out
    }

    /// The whole stack without dropout; returns [B][T][2H] with zero rows at padding.
    static func reference(_ x: Tensor, lengths: [Int], fixture: Fixture) -> [[[Double]]] {
        let (T, D) = (x.shape[1], x.shape[2]), H = fixture.lstm.hiddenSize
        return lengths.enumerated().map { b, length in
            var rows = (0..<length).map { t in (0..<D).map { Double(x.data[(b * T + t) * D + $0]) } }
            for k in fixture.lstm.layers.indices {
                let fwd = referenceDirection(rows, fixture: fixture, prefix: "enc/l\(k)/fwd", hidden: H)
                let bwd = Array(referenceDirection(rows.reversed(), fixture: fixture, prefix: "enc/l\(k)/bwd", hidden: H).reversed())
                rows = (0..<length).map { fwd[$0] + bwd[$0] }
            }
            return rows + Array(repeating: [Double](repeating: 0, count: 2 * H), count: T - length)
        }
    }

    // MARK: - Tests

    func testPackedBatchSortsByLengthAndReversesWithinEachSequence() {
        let batch = PackedBatch(lengths: [2, 3, 1, 3], paddedLength: 4)
        XCTAssertEqual(batch.batchSizes, [4, 3, 2])
        XCTAssertEqual(batch.offsets, [0, 4, 7])
        XCTAssertEqual(batch.rows, 9)
        // Sorted order: 1, 3 (length 3, batch order kept), 0, 2.
        XCTAssertEqual(batch.forwardRows, [4, 12, 0, 8, 5, 13, 1, 6, 14])
        XCTAssertEqual(batch.reversedRows, [6, 14, 1, 8, 5, 13, 0, 4, 12])
    }

    /// H = 1, one step: every gate is a scalar, so the output is the textbook formula.
    func testSingleStepMatchesScalarFormula() {
        let f = Fixture(inputSize: 2, hiddenSize: 1, layers: 1)
        let x: [Float] = [0.7, -1.3]
        let out = f.run(Tensor(shape: [1, 1, 2], data: x), [1])
        for (d, direction) in ["fwd", "bwd"].enumerated() {
            let w = f.parameter("enc/l0/\(direction)/w_ih"), bi = f.parameter("enc/l0/\(direction)/b_ih"), bh = f.parameter("enc/l0/\(direction)/b_hh")
            func pre(_ gate: Int) -> Double { Double(w[2 * gate] * x[0] + w[2 * gate + 1] * x[1] + bi[gate] + bh[gate]) }
            let c = Self.sigmoid(pre(0)) * Foundation.tanh(pre(2))  // f·c₀ vanishes with c₀ = 0
            let h = Self.sigmoid(pre(3)) * Foundation.tanh(c)
            XCTAssertEqual(Double(out.data[d]), h, accuracy: 1e-6, direction)
        }
    }

    func testMatchesReferenceWithVariableLengths() {
        let f = Fixture()
        let lengths = [5, 3, 1]
        let x = Self.randomInput([3, 5, 4], seed: 11)
        let out = f.run(Self.poisonPadding(x, lengths: lengths), lengths)
        let expected = Self.reference(x, lengths: lengths, fixture: f)
        XCTAssertEqual(out.shape, [3, 5, 6])
        for b in 0..<3 { for t in 0..<5 { for j in 0..<6 {
            XCTAssertEqual(Double(out.data[(b * 5 + t) * 6 + j]), expected[b][t][j], accuracy: 2e-6, "b \(b) t \(t) j \(j)")
        } } }
    }

    /// The backward direction starts at the last real token from zero state, so its output
    /// there is one LSTM step on that token alone.
    func testBackwardDirectionStartsAtLastRealToken() {
        let f = Fixture(layers: 1)
        let lengths = [4, 2, 3]
        let x = Self.randomInput([3, 4, 4], seed: 5)
        let out = f.run(x, lengths)
        for (b, length) in lengths.enumerated() {
            let last = (0..<4).map { Double(x.data[(b * 4 + length - 1) * 4 + $0]) }
            let step = Self.referenceDirection([last], fixture: f, prefix: "enc/l0/bwd", hidden: 3)[0]
            for j in 0..<3 {
                XCTAssertEqual(Double(out.data[(b * 4 + length - 1) * 6 + 3 + j]), step[j], accuracy: 1e-6)
            }
        }
    }

    /// A sequence's result (dropout masks included) is the same alone as inside a padded batch.
    func testSequenceResultDoesNotDependOnPaddingOrBatch() {
        let f = Fixture(dropout: 0.4)
        let lengths = [3, 5, 1]
        let x = Self.randomInput([3, 5, 4], seed: 3)
        let rngs = lengths.indices.map { RNG(seed: 9, stream: [UInt64($0)]) }
        for training in [false, true] {
            var batchRNGs = rngs
            let (out, _) = f.lstm.forward(Self.poisonPadding(x, lengths: lengths), lengths: lengths, arena: f.arena,
                                          training: training, rngs: &batchRNGs)
            for (b, length) in lengths.enumerated() {
                let alone = Tensor(shape: [1, length, 4], data: Array(x.data[(b * 20)..<(b * 20 + length * 4)]))
                var aloneRNGs = [rngs[b]]
                let (single, _) = f.lstm.forward(alone, lengths: [length], arena: f.arena, training: training, rngs: &aloneRNGs)
                XCTAssertEqual(aloneRNGs[0], batchRNGs[b], "sequence \(b) consumed a different number of draws")
                for i in 0..<(length * 6) {
                    XCTAssertEqual(single.data[i], out.data[b * 30 + i], accuracy: 1e-6, "training \(training) b \(b) i \(i)")
                }
            }
        }
    }

    func testPaddedOutputsAndInputGradientsAreExactlyZero() {
        let f = Fixture(dropout: 0.3)
        let lengths = [5, 3, 1]
        let x = Self.randomInput([3, 5, 4], seed: 4)
        var rngs = lengths.indices.map { RNG(seed: 2, stream: [UInt64($0)]) }
        let (out, cache) = f.lstm.forward(x, lengths: lengths, arena: f.arena, training: true, rngs: &rngs)
        let dOut = Self.randomInput(out.shape, seed: 8)  // nonzero at padded positions too
        let dX = f.lstm.backward(cache, dOut: dOut, arena: f.arena)
        XCTAssertEqual(dX.shape, x.shape)
        for (b, length) in lengths.enumerated() {
            for t in length..<5 {
                XCTAssertTrue(out.data[((b * 5 + t) * 6)..<((b * 5 + t + 1) * 6)].allSatisfy { $0 == 0 }, "output b \(b) t \(t)")
                XCTAssertTrue(dX.data[((b * 5 + t) * 4)..<((b * 5 + t + 1) * 4)].allSatisfy { $0 == 0 }, "dX b \(b) t \(t)")
            }
            XCTAssertTrue(dX.data[(b * 20)..<(b * 20 + length * 4)].contains { $0 != 0 })
        }
    }

    /// Finite differences w.r.t. the input and every parameter of a 2-layer BiLSTM with
    /// variable lengths, training with dropout (each evaluation replays the same generators).
    func testGradientsMatchFiniteDifferences() {
        let f = Fixture(dropout: 0.3)
        let lengths = [5, 3, 1], shape = [3, 5, 4]
        let rngs = lengths.indices.map { RNG(seed: 21, stream: [UInt64($0)]) }
        var checkRNG = RNG(seed: 99)
        let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: 60)
        defer { input.deallocate() }
        _ = input.initialize(from: Self.randomInput(shape, seed: 6).data)
        let projection = GradientCheck.projection(3 * 5 * 6, rng: &checkRNG)
        let loss = { GradientCheck.dot(f.run(Tensor(shape: shape, data: Array(input)), lengths, training: true, rngs: rngs).data, projection) }

        f.arena.zeroGrads()
        var r = rngs
        let (out, cache) = f.lstm.forward(Tensor(shape: shape, data: Array(input)), lengths: lengths, arena: f.arena, training: true, rngs: &r)
        let dX = f.lstm.backward(cache, dOut: Tensor(shape: out.shape, data: projection), arena: f.arena)

        GradientCheck.check("x", at: input.baseAddress!, count: 60, analytic: dX.data, rng: &checkRNG, loss: loss)
        XCTAssertEqual(f.arena.layout.parameters.count, 16)
        for p in f.arena.layout.parameters {
            let analytic = Array(UnsafeBufferPointer(start: f.arena.grad(p), count: p.count))
            GradientCheck.check(p.name, at: f.arena.value(p), count: p.count, analytic: analytic, rng: &checkRNG, loss: loss)
        }
    }

    func testBackwardAccumulatesParameterGradients() {
        let f = Fixture()
        let lengths = [2, 4]
        let x = Self.randomInput([2, 4, 4], seed: 12)
        var rngs: [RNG] = []
        let (out, cache) = f.lstm.forward(x, lengths: lengths, arena: f.arena, training: false, rngs: &rngs)
        let dOut = Self.randomInput(out.shape, seed: 13)
        f.arena.zeroGrads()
        _ = f.lstm.backward(cache, dOut: dOut, arena: f.arena)
        let once = Array(f.arena.grads)
        _ = f.lstm.backward(cache, dOut: dOut, arena: f.arena)
        for (a, b) in zip(once, f.arena.grads) { XCTAssertEqual(2 * a, b, accuracy: 1e-6 * max(1, abs(b))) }
    }

    func testParameterNamesShapesAndOrder() {
        let f = Fixture(inputSize: 5, hiddenSize: 2, layers: 2)
        let expected: [(String, [Int])] = ["l0/fwd", "l0/bwd", "l1/fwd", "l1/bwd"].flatMap { prefix in
            let input = prefix.hasPrefix("l0") ? 5 : 4
            return [("enc/\(prefix)/w_ih", [8, input]), ("enc/\(prefix)/w_hh", [8, 2]),
                    ("enc/\(prefix)/b_ih", [8]), ("enc/\(prefix)/b_hh", [8])]
        }
        XCTAssertEqual(f.arena.layout.parameters.map(\.name), expected.map(\.0))
        XCTAssertEqual(f.arena.layout.parameters.map(\.shape), expected.map(\.1))
        let bound = 1 / Float(2).squareRoot()
        XCTAssertTrue(f.arena.values.allSatisfy { abs($0) <= bound })
        XCTAssertEqual(f.lstm.outputSize, 4)
    }
}
