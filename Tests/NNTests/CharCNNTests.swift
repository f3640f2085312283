import XCTest
import GradientChecking
import Tensor
@testable import NN

final class CharCNNTests: XCTestCase {
    private let alphabetSize = 10
    /// 2 sequences × 3 tokens × 6 chars: full, short, shorter than the filter width (one window
    /// reaching into the padding), all padding, and repeated characters so the col2im
    /// scatter-add is exercised.
    private let chars: [Int32] = [
        2, 3, 4, 5, 6, 7,   4, 9, 1, 0, 0, 0,   8, 2, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 0,   5, 5, 5, 3, 0, 0,   9, 8, 7, 6, 5, 4,
    ]

    private func make(embeddingSize: Int = 16, filters: Int = 64, seed: UInt64 = 31) -> (CharCNN, ParameterArena) {
        var layout = ParameterLayout()
        let cnn = CharCNN(name: "chars", alphabetSize: alphabetSize, embeddingSize: embeddingSize, filters: filters, layout: &layout)
        let arena = ParameterArena(layout: layout)
        var rng = RNG(seed: seed)
        cnn.initialize(arena, rng: &rng)
        return (cnn, arena)
    }

    private func dropoutRNGs(_ streams: [UInt64] = [0, 1]) -> [RNG] { streams.map { RNG(seed: 5, stream: [$0]) } }

    private func run(_ cnn: CharCNN, _ arena: ParameterArena, chars: [Int32]? = nil, sequences: Int = 2, charsPerToken: Int = 6,
                     training: Bool, rngs: [RNG]? = nil) -> (Tensor, CharCNNCache) {
        var generators = rngs ?? dropoutRNGs()
        return cnn.forward(chars: chars ?? self.chars, sequences: sequences, tokensPerSequence: 3, charsPerToken: charsPerToken,
                           arena: arena, training: training, rngs: &generators)
    }

    /// Characters of each fixture token before its padding.
    private func tokenLength(_ token: Int) -> Int {
        (0..<6).prefix { chars[token * 6 + $0] != 0 }.count
    }

    func testNamesShapesAndInitBounds() {
        let (cnn, arena) = make()
        XCTAssertEqual(cnn.outputSize, 64)
        XCTAssertEqual(cnn.embedding.name, "chars/embedding/weight")
        XCTAssertEqual(cnn.embedding.shape, [alphabetSize, 16])
        XCTAssertEqual(cnn.weight.shape, [64, 16, 3])
        XCTAssertEqual(cnn.bias.shape, [64])
        let xavier = (6 / Float(alphabetSize + 16)).squareRoot(), conv = 1 / Float(48).squareRoot()
        let table = arena.values[cnn.embedding.range], weights = arena.values[cnn.weight.range]
        let biases = arena.values[cnn.bias.range]
        XCTAssertTrue(table.allSatisfy { abs($0) <= xavier } && table.map(abs).max()! > 0.8 * xavier)
        XCTAssertTrue(weights.allSatisfy { abs($0) <= conv } && weights.map(abs).max()! > 0.8 * conv)
        XCTAssertTrue(biases.allSatisfy { abs($0) <= conv })
        let (y, _) = run(cnn, arena, training: false)
        XCTAssertEqual(y.shape, [2, 3, 64])
    }

    /// Pre-activations [token][filter][position] by direct convolution over explicit embeddings,
    /// independent of im2col and BLAS; padded chars read as zero.
    private func directConvolution(_ cnn: CharCNN, _ arena: ParameterArena) -> [[[Float]]] {
        let (e, w) = (cnn.embeddingSize, cnn.width)
        let table = arena.value(cnn.embedding), weight = arena.value(cnn.weight), bias = arena.value(cnn.bias)
        return (0..<6).map { token in
            (0..<cnn.filters).map { f in
                (0..<(6 - w + 1)).map { p in
                    var sum = bias[f]
                    for k in 0..<w {
                        let id = Int(chars[token * 6 + p + k])
                        for i in 0..<e where id != 0 { sum += weight[(f * e + i) * w + k] * table[id * e + i] }
                    }
                    return sum
                }
            }
        }
    }

    /// The max runs over the windows of the token padded to the filter width: max(len, 3) − 2 of them.
    func testForwardMatchesDirectConvolution() {
        let (cnn, arena) = make()
        let (y, _) = run(cnn, arena, training: false)
        let conv = directConvolution(cnn, arena)
        for token in 0..<6 {
            let windows = max(tokenLength(token), 3) - 2
            for f in 0..<64 {
                XCTAssertEqual(y.data[token * 64 + f], max(conv[token][f].prefix(windows).max()!, 0), accuracy: 1e-5, "token \(token) filter \(f)")
            }
        }
    }

    func testAllPaddingTokenYieldsReluOfBias() {
        let (cnn, arena) = make()
        let b = arena.value(cnn.bias)
        let (y, _) = run(cnn, arena, training: false)
        for f in 0..<64 { XCTAssertEqual(y.data[3 * 64 + f], max(b[f], 0), "all-padding token") }
        // Padded chars read as zero whatever row 0 holds.
        for i in 0..<16 { arena.value(cnn.embedding)[i] = 100 }
        XCTAssertEqual(run(cnn, arena, training: false).0, y)
    }

    /// A token's vector must not depend on how far its batch pads characters (the longest
    /// token of the batch), or predictions and data-parallel updates would depend on batching.
    func testOutputDoesNotDependOnThePaddedWidth() {
        let (cnn, arena) = make()
        let (narrow, _) = run(cnn, arena, training: false)
        var wide = [Int32]()
        for token in 0..<6 { wide += chars[(token * 6)..<(token * 6 + 6)] + [0, 0, 0, 0] }
        let (padded, _) = run(cnn, arena, chars: wide, charsPerToken: 10, training: false)
        // Equal up to rounding: BLAS may block a product with more rows differently.
        for (a, b) in zip(narrow.data, padded.data) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    /// The mask is drawn from the sequence's own generator, so it is the same bit for bit; the
    /// values go through an sgemm with 6 rows against 3, which some BLAS kernels (OpenBLAS
    /// SkylakeX) round differently, so they agree to float rounding (1e-6 on outputs < 1).
    func testDropoutMaskOfASequenceUsesOnlyItsGenerator() {
        let (cnn, arena) = make()
        let (batch, batchCache) = run(cnn, arena, training: true, rngs: dropoutRNGs([0, 1]))
        let (second, secondCache) = run(cnn, arena, chars: Array(chars[18...]), sequences: 1, training: true, rngs: dropoutRNGs([1]))
        XCTAssertEqual(second.count, 3 * 64, "the second sequence alone")
        XCTAssertEqual(Array(batchCache.dropoutMask.scale[(3 * 64)...]), secondCache.dropoutMask.scale)
        for (a, b) in zip(batch.data[(3 * 64)...], second.data) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        let (plain, _) = run(cnn, arena, training: false)
        XCTAssertNotEqual(batch, plain, "training applies dropout")
        let dropped = batch.data.indices.filter { batch.data[$0] == 0 && plain.data[$0] != 0 }.count
        XCTAssertGreaterThan(dropped, 0)
    }

    func testGradientCheckWithDropout() {
        // A finite difference across a ReLU kink or an arg-max switch is meaningless, and with
        // default-init pre-activations of O(0.1) a step of 1e-2 would often cause one. So: wide
        // random values, drawn until every max-pool has a safe margin. A step moves a window by
        // at most h·3·max|w| (embedding: a char can fill all 3 taps) or h·max|x| (weight), and
        // all windows alike (bias); the top window must beat the runner-up by twice that, and the
        // maximum must be that far from 0. Exact ties between all-padding windows are harmless:
        // they stay tied. Fewer filters and components than the default (same code paths) keep
        // the number of pools, hence of draws needed, small.
        let (e, f) = (8, 16)
        let (cnn, arena) = make(embeddingSize: e, filters: f)
        let (xBound, wBound) = (Float(3), Float(2))
        let shift = GradientCheck.step * max(3 * wBound, xBound)
        var rng = RNG(seed: 5)
        var draws = 0
        repeat {
            draws += 1
            Initializer.uniform(arena.value(cnn.embedding), count: cnn.embedding.count, bound: xBound, rng: &rng)
            Initializer.uniform(arena.value(cnn.weight), count: cnn.weight.count, bound: wBound, rng: &rng)
            Initializer.uniform(arena.value(cnn.bias), count: cnn.bias.count, bound: 3, rng: &rng)
        } while draws < 1000 && !hasSafeMargins(directConvolution(cnn, arena), margin: shift)
        XCTAssertLessThan(draws, 1000, "no draw with safe margins")

        let projection = GradientCheck.projection(6 * f, rng: &rng)
        let (_, baseline) = run(cnn, arena, training: true)
        XCTAssertTrue(baseline.dropoutMask.scale.contains(0), "the check should cover dropped outputs")
        arena.zeroGrads()
        cnn.backward(baseline, dOut: Tensor(shape: [2, 3, f], data: projection), arena: arena)

        // Belt and braces: no perturbation may change the ReLU pattern or an active arg-max.
        var switches = 0
        func loss() -> Double {
            let (y, cache) = run(cnn, arena, training: true)
            for i in cache.argmax.indices where (cache.pooled.data[i] > 0) != (baseline.pooled.data[i] > 0)
                || (cache.pooled.data[i] > 0 && cache.argmax[i] != baseline.argmax[i]) {
                switches += 1
            }
            return GradientCheck.dot(y.data, projection)
        }
        let grads = Array(arena.grads)
        for p in [cnn.embedding, cnn.weight, cnn.bias] {
            GradientCheck.check(p.name, at: arena.value(p), count: p.count, analytic: Array(grads[p.range]),
                                samples: 100, rng: &rng, loss: loss)
        }
        XCTAssertEqual(switches, 0, "a perturbation crossed a ReLU kink or switched an arg-max")
    }

    private func hasSafeMargins(_ conv: [[[Float]]], margin: Float) -> Bool {
        conv.joined().allSatisfy { windows in
            let top = windows.max()!
            let runnerUp = windows.filter { $0 != top }.max() ?? -.infinity
            return abs(top) > margin && top - runnerUp > 2 * margin
        }
    }

    func testPaddingCharGetsNoGradient() {
        let (cnn, arena) = make()
        let (_, cache) = run(cnn, arena, training: true)
        arena.zeroGrads()
        cnn.backward(cache, dOut: Tensor(shape: [2, 3, 64], data: [Float](repeating: 1, count: 6 * 64)), arena: arena)
        let g = arena.grads[cnn.embedding.range].map { $0 }
        XCTAssertEqual(Array(g[0..<16]), [Float](repeating: 0, count: 16), "padding row")
        XCTAssertTrue(g[(16 * 2)...].contains { $0 != 0 }, "used chars get gradient")
    }
}
