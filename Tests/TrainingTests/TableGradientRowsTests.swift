import Foundation
import Random
import Tensor
import XCTest
@testable import Training

/// The passes after the reduction skip the word table's untouched rows (`TableGradientRows`);
/// they must give the bits of the dense passes whenever those rows are +0.
final class TableGradientRowsTests: XCTestCase {
    /// chars [3], table [10, 4] at 3..<43, then 9 more: the table sits inside one range with
    /// neighbours on both sides, at an offset that is not a multiple of the norm's 8 lanes.
    private func layout() -> ParameterLayout {
        var layout = ParameterLayout()
        for (name, shape) in [("chars", [3]), ("table", [10, 4]), ("b", [2]), ("c", [7])] { _ = layout.add(name, shape: shape) }
        return layout
    }

    /// Random values; a gradient that is random on `rows` of the table and outside it, +0 on
    /// the other rows (as backward and Adam leave them).
    private func arena(rows: [Int], seed: UInt64) -> ParameterArena {
        let arena = ParameterArena(layout: layout())
        var rng = RNG(seed: seed)
        for i in arena.values.indices {
            arena.values[i] = rng.uniform(-1, 1)
            let row = (3..<43).contains(i) ? (i - 3) / 4 : nil
            // Magnitudes from 1e-9 to 30, so the norm's double sum rounds and its order shows.
            arena.grads[i] = row.map { rows.contains($0) } ?? true ? rng.uniform(-1, 1) * Float(pow(10, Double(rng.uniform(-9, 1.5)))) : 0
        }
        return arena
    }

    private func rows(_ rows: [Int]) -> TableGradientRows {
        TableGradientRows(table: 3..<43, dimension: 4, rows: rows)
    }

    func testPiecesCoverTheRangeInOrderAndMergeNeighbours() {
        let r = rows([0, 1, 4, 9])
        let pieces = r.pieces(of: 0..<52)
        XCTAssertEqual(pieces.map(\.span), [0..<11, 11..<19, 19..<23, 23..<39, 39..<52])
        XCTAssertEqual(pieces.map(\.nonZero), [true, false, true, false, true])
        XCTAssertEqual(r.pieces(of: 43..<52).map(\.span), [43..<52], "a range without the table is one piece")
        XCTAssertEqual(rows([]).pieces(of: 3..<43).map(\.nonZero), [false])
        XCTAssertEqual(r.nonZeroSpans(of: [0..<3, 3..<43, 45..<52]), [0..<3, 3..<11, 19..<23, 39..<43, 45..<52])
    }

    func testTheNormSkipsZeroRowsWithTheSameBits() {
        for touched in [[], [0], [2, 3, 7], [9], Array(0..<10)] {
            let arena = arena(rows: touched, seed: UInt64(touched.count + 1))
            let clipping = GradientClipping(value: 10, maxNorm: 5)
            for ranges in [[0..<52], [3..<43], [0..<20, 20..<52]] {
                let dense = clipping.measure(arena, ranges: ranges)
                let sparse = clipping.measure(arena, ranges: ranges, tableRows: rows(touched))
                XCTAssertEqual(sparse.norm.bitPattern, dense.norm.bitPattern, "rows \(touched), ranges \(ranges)")
                XCTAssertEqual(sparse.scale.bitPattern, dense.scale.bitPattern)
            }
        }
        // A non-finite value in a touched row still poisons the norm.
        let arena = arena(rows: [5], seed: 3)
        arena.grads[3 + 5 * 4 + 2] = .infinity
        XCTAssertTrue(GradientClipping(value: 10, maxNorm: 5).measure(arena, ranges: [0..<52], tableRows: rows([5])).norm.isNaN)
    }

    func testAdamSkipsReadingZeroRowsWithTheSameBits() {
        for touched in [[], [1, 2, 8], Array(0..<10)] {
            let dense = arena(rows: touched, seed: 7), sparse = arena(rows: touched, seed: 7)
            var a = Adam(ranges: [0..<30, 30..<52], learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8)
            var b = a
            // Moments of every sign, −0 included, as earlier steps leave them.
            var rng = RNG(seed: 11)
            for i in a.m.indices {
                a.m[i] = i % 9 == 0 ? -0.0 : rng.uniform(-0.1, 0.1)
                a.v[i] = rng.uniform(0, 0.01)
            }
            (b.m, b.v) = (a.m, a.v)
            for step in 0..<3 {
                a.update(dense, clamp: 10, scale: 0.37)
                b.update(sparse, clamp: 10, scale: 0.37, tableRows: rows(touched))
                XCTAssertEqual(Array(sparse.values).map(\.bitPattern), Array(dense.values).map(\.bitPattern), "rows \(touched), step \(step)")
                XCTAssertEqual(b.m.map(\.bitPattern), a.m.map(\.bitPattern))
                XCTAssertEqual(b.v.map(\.bitPattern), a.v.map(\.bitPattern))
                XCTAssertEqual(Array(sparse.grads), Array(dense.grads), "both leave the gradient +0")
            }
            XCTAssertTrue(dense.grads.allSatisfy { $0 == 0 && $0.sign == .plus })
        }
    }
}
