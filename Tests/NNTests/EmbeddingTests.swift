import XCTest
import GradientChecking
import Tensor
@testable import NN

final class EmbeddingTests: XCTestCase {
    private func make(vocabularySize: Int = 6, dimension: Int = 3) -> (Embedding, ParameterArena) {
        var layout = ParameterLayout()
        let embedding = Embedding(name: "glove", vocabularySize: vocabularySize, dimension: dimension, layout: &layout)
        return (embedding, ParameterArena(layout: layout))
    }

    private func row(_ arena: ParameterArena, _ embedding: Embedding, _ i: Int) -> [Float] {
        Array(arena.values[(embedding.table.offset + i * embedding.dimension)..<(embedding.table.offset + (i + 1) * embedding.dimension)])
    }

    func testNameAndShape() {
        let (embedding, _) = make()
        XCTAssertEqual(embedding.table.name, "glove/weight")
        XCTAssertEqual(embedding.table.shape, [6, 3])
    }

    func testForwardGathersRowsAndPaddingIsZero() {
        let (embedding, arena) = make()
        for i in 0..<embedding.table.count { arena.values[i] = Float(i + 1) }  // row 0 deliberately non-zero
        let y = embedding.forward(ids: [2, 0, 5, 2], arena: arena)
        XCTAssertEqual(y.shape, [4, 3])
        XCTAssertEqual(Array(y.data[0..<3]), row(arena, embedding, 2))
        XCTAssertEqual(Array(y.data[3..<6]), [0, 0, 0])
        XCTAssertEqual(Array(y.data[6..<9]), row(arena, embedding, 5))
        XCTAssertEqual(Array(y.data[9..<12]), row(arena, embedding, 2))
    }

    func testBackwardScatterAddsAndSkipsPadding() {
        let (embedding, arena) = make()
        let ids: [Int32] = [2, 0, 5, 2]
        let dOut = Tensor(shape: [4, 3], data: (0..<12).map { Float($0 + 1) })
        arena.zeroGrads()
        embedding.backward(ids: ids, dOut: dOut, arena: arena)
        let g = Array(arena.grads)
        XCTAssertEqual(Array(g[0..<3]), [0, 0, 0], "padding row must get no gradient")
        XCTAssertEqual(Array(g[6..<9]), [11, 13, 15], "repeated id accumulates: rows 1 and 4 of dOut")
        XCTAssertEqual(Array(g[15..<18]), [7, 8, 9])
        XCTAssertEqual(g.reduce(0, +), 78 - 15, "everything but the padding row of dOut")
    }

    /// Ids past the table (6 rows here) are rows of the frozen vectors passed with them.
    func testForwardGathersFrozenRowsPastTheTable() {
        let (embedding, arena) = make()
        for i in 0..<embedding.table.count { arena.values[i] = Float(i + 1) }
        let frozen: [Float] = [-1, -2, -3, -4, -5, -6]
        let y = embedding.forward(ids: [7, 2, 6, 0, 7], frozen: frozen, arena: arena)
        XCTAssertEqual(Array(y.data[0..<3]), [-4, -5, -6])
        XCTAssertEqual(Array(y.data[3..<6]), row(arena, embedding, 2))
        XCTAssertEqual(Array(y.data[6..<9]), [-1, -2, -3])
        XCTAssertEqual(Array(y.data[9..<12]), [0, 0, 0])
        XCTAssertEqual(Array(y.data[12..<15]), [-4, -5, -6])
    }

    func testBackwardGivesFrozenIdsNoGradient() {
        let (embedding, arena) = make()
        let ids: [Int32] = [7, 2, 6, 2]
        let dOut = Tensor(shape: [4, 3], data: (0..<12).map { Float($0 + 1) })
        arena.zeroGrads()
        embedding.backward(ids: ids, dOut: dOut, arena: arena)
        let g = Array(arena.grads)
        XCTAssertEqual(g.count, 18, "the table alone: frozen rows have no gradient storage")
        XCTAssertEqual(Array(g[6..<9]), [14, 16, 18], "row 2 from dOut rows 1 and 3")
        XCTAssertEqual(g.reduce(0, +), 48, "nothing else: dOut rows 0 and 2 are frozen ids")
    }

    func testGradientCheck() {
        let (embedding, arena) = make(vocabularySize: 7, dimension: 4)
        var rng = RNG(seed: 21)
        embedding.initialize(arena, rng: &rng)
        // Ids 7 and 8 are frozen rows: they move the output, never the table.
        let ids: [Int32] = [3, 1, 0, 6, 3, 7, 2, 0, 5, 8]
        let frozen = (0..<8).map { Float($0) / 3 }
        let projection = GradientCheck.projection(ids.count * 4, rng: &rng)
        arena.zeroGrads()
        embedding.backward(ids: ids, dOut: Tensor(shape: [ids.count, 4], data: projection), arena: arena)
        GradientCheck.check("Embedding table", at: arena.value(embedding.table), count: embedding.table.count,
                            analytic: Array(arena.grads[embedding.table.range]), rng: &rng) {
            GradientCheck.dot(embedding.forward(ids: ids, frozen: frozen, arena: arena).data, projection)
        }
    }

    func testDefaultInitIsStandardNormalWithZeroPadding() {
        let (embedding, arena) = make(vocabularySize: 2001, dimension: 50)
        var rng = RNG(seed: 8)
        embedding.initialize(arena, rng: &rng)
        XCTAssertEqual(row(arena, embedding, 0), [Float](repeating: 0, count: 50))
        let rest = arena.values[50...].map(Double.init)
        let (mean, std) = meanAndStd(rest)
        // 100k draws: the standard error of the mean is 0.003, of the std 0.0022.
        XCTAssertEqual(mean, 0, accuracy: 0.015)
        XCTAssertEqual(std, 1, accuracy: 0.012)
    }

    func testPretrainedRowsCopiedOthersDrawnFromTheirStatistics() {
        let found: [String: [Float]] = ["cat": [1, 2, 3, 4], "dog": [0, 4, 4, 8]]
        // The 8 found values: mean 26/8 = 3.25, population variance 126/8 − 3.25² = 5.1875.
        let expectedMean = 3.25, expectedStd = 5.1875.squareRoot()
        var vocabulary = ["@@PADDING@@", "@@UNKNOWN@@", "cat"]
        vocabulary += (0..<25_000).map { "unseen\($0)" }
        vocabulary.append("dog")
        let pretrained = PretrainedVectors(dimension: 4, vectors: found, vocabulary: vocabulary)
        let (embedding, arena) = make(vocabularySize: vocabulary.count, dimension: 4)
        var rng = RNG(seed: 9)
        embedding.initialize(arena, rng: &rng, pretrained: pretrained)

        XCTAssertEqual(row(arena, embedding, 0), [0, 0, 0, 0])
        XCTAssertEqual(row(arena, embedding, 2), [1, 2, 3, 4])
        XCTAssertEqual(row(arena, embedding, vocabulary.count - 1), [0, 4, 4, 8])
        let oov = row(arena, embedding, 1)
        XCTAssertNotEqual(oov, [0, 0, 0, 0], "OOV row is drawn, not zero")

        let stats = Embedding.statistics(pretrained)
        XCTAssertEqual(Double(stats.mean), expectedMean, accuracy: 1e-6)
        XCTAssertEqual(Double(stats.std), expectedStd, accuracy: 1e-6)

        let drawn = (1..<(vocabulary.count - 1)).filter { $0 != 2 }.flatMap { row(arena, embedding, $0) }.map(Double.init)
        let (mean, std) = meanAndStd(drawn)
        // 100k draws: standard errors are std/316 for the mean and std/447 for the std.
        XCTAssertEqual(mean, expectedMean, accuracy: 5 * expectedStd / 316)
        XCTAssertEqual(std, expectedStd, accuracy: 5 * expectedStd / 447)
    }

    private func meanAndStd(_ x: [Double]) -> (Double, Double) {
        let mean = x.reduce(0, +) / Double(x.count)
        let variance = x.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(x.count)
        return (mean, variance.squareRoot())
    }
}
