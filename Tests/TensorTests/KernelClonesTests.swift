import Foundation
import XCTest
@testable import Tensor

/// The hot kernels exist as AVX-512 F, AVX2 and baseline clones, chosen when the program loads
/// (`multiversion.h`). All must give bit-identical results, or a run would depend on the CPU.
final class KernelClonesTests: XCTestCase {
    private typealias Map1 = @convention(c) (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int) -> Void
    private typealias Adam = @convention(c) (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>,
                                             UnsafeMutablePointer<Float>, Int, Float, Float, Float, Float, Float, Float) -> Void

    /// The baseline clone and every wider clone this CPU can run (at least one, or the test
    /// skips: a CPU without AVX2 runs only the baseline).
    private func clones<T>(_ name: String, as type: T.Type) throws -> (wide: [(String, T)], baseline: T) {
        // Read, not `try?`: an unreadable cpuinfo must fail, not pass for a CPU without AVX2.
        let cpu = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let program = dlopen(nil, RTLD_NOW)
        guard let baseline = dlsym(program, "\(name).default.2") else {
            throw XCTSkip("\(name) has no visible clones in this build (not x86-64 Linux, or symbols not exported)")
        }
        let wide = [("avx512f", " avx512f", 0), ("avx2", " avx2", 1)].compactMap { target, flag, index -> (String, T)? in
            guard cpu.contains(flag), let clone = dlsym(program, "\(name).\(target).\(index)") else { return nil }
            return (target, unsafeBitCast(clone, to: T.self))
        }
        try XCTSkipIf(wide.isEmpty, "this CPU has neither AVX2 nor AVX-512: only the baseline clone can run")
        return (wide, unsafeBitCast(baseline, to: T.self))
    }

    private func inputs(_ n: Int, _ low: Float, _ high: Float) -> [Float] {
        var rng = RNG(seed: 99)
        return (0..<n).map { _ in rng.uniform(low, high) }
    }

    func testElementWiseClonesAgreeBitForBit() throws {
        for (name, low, high): (String, Float, Float) in [("hk_exp", -90, 90), ("hk_log", 1e-30, 1e30), ("hk_sigmoid", -20, 20), ("hk_tanh", -9, 9)] {
            let (wide, baseline) = try clones(name, as: Map1.self)
            let x = inputs(1001, low, high)
            var b = [Float](repeating: 0, count: x.count)
            baseline(x, &b, x.count)
            for (target, clone) in wide {
                var a = [Float](repeating: 0, count: x.count)
                clone(x, &a, x.count)
                XCTAssertEqual(a.map(\.bitPattern), b.map(\.bitPattern), "\(name) \(target)")
            }
        }
    }

    func testAdamClonesAgreeBitForBit() throws {
        let (wide, baseline) = try clones("hk_adam", as: Adam.self)
        func run(_ f: Adam) -> [Float] {
            var theta = inputs(777, -1, 1), g = inputs(777, -20, 20), m = inputs(777, -0.1, 0.1), v = inputs(777, 0, 0.1)
            f(&theta, &g, &m, &v, 777, 0.9, 0.999, 1e-8, 1e-3, 10, 0.37)
            return theta + m + v
        }
        for (target, clone) in wide {
            XCTAssertEqual(run(clone).map(\.bitPattern), run(baseline).map(\.bitPattern), target)
        }
    }
}
