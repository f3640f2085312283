import XCTest
import Tensor

/// Central-difference gradient checking shared by every layer test.
///
/// Tolerance: layers compute in Float32, so a loss evaluation carries a relative round-off
/// of about 1e-6 (sums of a few hundred terms). With h = 1e-2 the difference quotient then
/// has an absolute error near 1e-6·|L|/h ≈ 1e-4·|L| plus an O(h²) truncation term; the test
/// losses are O(1–10) and gradients O(0.1–1), so a correct backward lands around 1e-4 while a
/// wrong one (a missing term, a transposed weight, an off-by-one in time) is off by ≥ 1e-1.
/// The bound 2e-3 on the relative error of the whole checked vector sits between the two
/// with a 10× margin each way; each coordinate must also agree within 1e-2·max(1, |g|).
/// A check whose loss is large next to its gradients may pass a larger `step`: the round-off
/// term shrinks as 1/h while truncation grows only as h² on a smooth loss. The tolerances
/// are the same for every caller.
public enum GradientCheck {
    public static let step: Float = 1e-2
    public static let vectorTolerance = 2e-3
    public static let elementTolerance = 1e-2

    /// Checks `analytic` (the gradient of `loss` w.r.t. the `count` values at `x`) by central
    /// differences on up to `samples` coordinates chosen by `rng`. `loss` must recompute the
    /// forward pass from the current values at `x`, deterministically (fixed dropout masks).
    public static func check(
        _ name: String, at x: UnsafeMutablePointer<Float>, count: Int, analytic: [Float],
        samples: Int = 60, step: Float = GradientCheck.step, rng: inout RNG, loss: () -> Double,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(analytic.count, count, "\(name): analytic gradient has the wrong size", file: file, line: line)
        let indices = count <= samples ? Array(0..<count) : Array(rng.permutation(count).prefix(samples))
        var diff2 = 0.0, a2 = 0.0, n2 = 0.0
        var worst = (index: -1, analytic: 0.0, numeric: 0.0, error: 0.0)
        for i in indices {
            let saved = x[i]
            x[i] = saved + step
            let plus = loss()
            x[i] = saved - step
            let minus = loss()
            x[i] = saved
            let numeric = (plus - minus) / (2 * Double(step))
            let a = Double(analytic[i])
            diff2 += (a - numeric) * (a - numeric)
            a2 += a * a
            n2 += numeric * numeric
            let err = abs(a - numeric) / max(1, abs(numeric))
            if err > worst.error { worst = (i, a, numeric, err) }
        }
        let relative = diff2.squareRoot() / max(a2.squareRoot(), n2.squareRoot(), 1e-12)
        XCTAssertLessThan(relative, vectorTolerance,
            "\(name): gradient relative error \(relative) (worst index \(worst.index): analytic \(worst.analytic) vs numeric \(worst.numeric))",
            file: file, line: line)
        XCTAssertLessThan(worst.error, elementTolerance,
            "\(name): element \(worst.index) analytic \(worst.analytic) vs numeric \(worst.numeric)", file: file, line: line)
        XCTAssertGreaterThan(a2, 0, "\(name): gradient is identically zero, the check would prove nothing", file: file, line: line)
    }

    /// A fixed random projection so that loss = Σ out·w exercises every output element.
    public static func projection(_ count: Int, rng: inout RNG) -> [Float] {
        (0..<count).map { _ in rng.uniform(-1, 1) }
    }

    public static func dot(_ a: [Float], _ b: [Float]) -> Double {
        zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
}
