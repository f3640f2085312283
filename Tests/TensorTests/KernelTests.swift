import XCTest
import Foundation
@testable import Tensor

final class KernelTests: XCTestCase {
    private func inputs() -> [Float] {
        var rng = RNG(seed: 1)
        var xs = (0..<4096).map { _ in rng.uniform(-30, 30) }
        xs += [0, -0.0, 1e-6, -1e-6, 0.624, 0.626, -0.626, 87, -87, -100, 100, 200, -200]
        return xs
    }

    func testExpSigmoidTanhMatchLibm() {
        let xs = inputs()
        var y = [Float](repeating: 0, count: xs.count)
        Kernels.exp(xs, &y, xs.count)
        for (x, v) in zip(xs, y) where x > -87 && x < 88 {
            let ref = Foundation.exp(Double(x))
            XCTAssertLessThan(abs(Double(v) - ref) / ref, 1e-6, "exp(\(x))")
        }
        Kernels.sigmoid(xs, &y, xs.count)
        for (x, v) in zip(xs, y) {
            let ref = 1 / (1 + Foundation.exp(-Double(x)))
            XCTAssertLessThan(abs(Double(v) - ref), 2e-7 + 1e-6 * ref, "sigmoid(\(x))")
        }
        Kernels.tanh(xs, &y, xs.count)
        for (x, v) in zip(xs, y) {
            let ref = Foundation.tanh(Double(x))
            XCTAssertLessThan(abs(Double(v) - ref), 1e-6 * max(abs(ref), 1e-3), "tanh(\(x))")
        }
    }

    func testLogMatchesLibm() {
        var rng = RNG(seed: 4)
        var xs = (0..<4096).map { _ in Foundation.exp(rng.uniform(-80, 80)) }
        xs += [1, 0.70710677, 0.70710683, 1.4142135, 2, 0.5, Float.leastNormalMagnitude, Float.greatestFiniteMagnitude]
        var y = [Float](repeating: 0, count: xs.count)
        Kernels.log(xs, &y, xs.count)
        for (x, v) in zip(xs, y) {
            let ref = Foundation.log(Double(x))
            XCTAssertLessThan(abs(Double(v) - ref), 2e-7 * max(1, abs(ref)), "log(\(x))")
        }
    }

    func testLogSumExpIsStable() {
        let xs: [Float] = [1000, 1000, 999]
        let ref = 1000 + Foundation.log(2 + Foundation.exp(-1.0))
        XCTAssertEqual(Double(Kernels.logSumExp(xs, 3)), ref, accuracy: 1e-4)
        XCTAssertEqual(Kernels.logSumExp([-Float.infinity, -Float.infinity], 2), -Float.infinity)
        XCTAssertEqual(Double(Kernels.logSumExp([-3], 1)), -3, accuracy: 1e-6)
    }

    func testReluAndBackwards() {
        let x: [Float] = [-1, 0, 2]
        var y = [Float](repeating: 0, count: 3)
        Kernels.relu(x, &y, 3)
        XCTAssertEqual(y, [0, 0, 2])
        var dx = [Float](repeating: 0, count: 3)
        Kernels.reluBackward(y: y, dy: [5, 5, 5], dx: &dx, 3)
        XCTAssertEqual(dx, [0, 0, 5])
        Kernels.tanhBackward(y: [0.5, 0, -1], dy: [2, 2, 2], dx: &dx, 3)
        XCTAssertEqual(dx, [1.5, 2, 0])
        Kernels.sigmoidBackward(y: [0.5, 1, 0], dy: [4, 4, 4], dx: &dx, 3)
        XCTAssertEqual(dx, [1, 0, 0])
    }

    func testGemmMatchesNaiveProductWithTransposesAndStrides() {
        var rng = RNG(seed: 7)
        let m = 5, n = 4, k = 3
        let a = (0..<(m * k)).map { _ in rng.uniform(-1, 1) }   // [m, k]
        let b = (0..<(k * n)).map { _ in rng.uniform(-1, 1) }   // [k, n]
        var c = [Float](repeating: 1, count: m * n)
        BLAS.gemm(m: m, n: n, k: k, a: a, b: b, beta: 0.5, c: &c)
        for i in 0..<m { for j in 0..<n {
            let ref = (0..<k).reduce(Float(0)) { $0 + a[i * k + $1] * b[$1 * n + j] } + 0.5
            XCTAssertEqual(c[i * n + j], ref, accuracy: 1e-5)
        } }
        // Aᵀ stored as [k, m], Bᵀ stored as [n, k]
        let at = (0..<(k * m)).map { a[($0 % m) * k + $0 / m] }
        let bt = (0..<(n * k)).map { b[($0 % k) * n + $0 / k] }
        var c2 = [Float](repeating: 0, count: m * n)
        BLAS.gemm(transposeA: true, transposeB: true, m: m, n: n, k: k, a: at, b: bt, c: &c2)
        for i in 0..<(m * n) { XCTAssertEqual(c2[i], c[i] - 0.5, accuracy: 1e-5) }
        var y = [Float](repeating: 0, count: m)
        BLAS.gemv(m: m, n: k, a: a, x: [1, 0, 0], y: &y)
        for i in 0..<m { XCTAssertEqual(y[i], a[i * k]) }
    }
}

final class InitializerTests: XCTestCase {
    func testOrthogonalHasOrthonormalColumnsOrRows() {
        for (rows, columns) in [(12, 4), (4, 12), (5, 5)] {
            var rng = RNG(seed: 21)
            var m = [Float](repeating: 0, count: rows * columns)
            Initializer.orthogonal(&m, rows: rows, columns: columns, rng: &rng)
            let (n, dot): (Int, (Int, Int) -> Double) = rows >= columns
                ? (columns, { a, b in (0..<rows).reduce(0) { $0 + Double(m[$1 * columns + a]) * Double(m[$1 * columns + b]) } })
                : (rows, { a, b in (0..<columns).reduce(0) { $0 + Double(m[a * columns + $1]) * Double(m[b * columns + $1]) } })
            for a in 0..<n { for b in 0..<n { XCTAssertEqual(dot(a, b), a == b ? 1 : 0, accuracy: 1e-5, "\(rows)×\(columns) [\(a), \(b)]") } }
        }
    }
}
