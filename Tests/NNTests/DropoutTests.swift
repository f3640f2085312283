import XCTest
import GradientChecking
import Tensor
@testable import NN

final class DropoutTests: XCTestCase {
    private func rngs(_ streams: [UInt64]) -> [RNG] { streams.map { RNG(seed: 77, stream: [$0]) } }

    private func ones(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, data: [Float](repeating: 1, count: shape.reduce(1, *)))
    }

    func testIdentityWhenNotTrainingOrRateZero() {
        var rng = RNG(seed: 1)
        let x = Tensor(shape: [2, 5], data: (0..<10).map { _ in rng.uniform(-1, 1) })
        var generators = rngs([0, 1])
        let (y, mask) = Dropout(rate: 0.5).forward(x, training: false, rngs: &generators)
        XCTAssertEqual(y, x)
        XCTAssertTrue(mask.isIdentity)
        XCTAssertEqual(generators, rngs([0, 1]), "no randomness consumed when not training")
        let (z, zeroMask) = Dropout(rate: 0).forward(x, training: true, rngs: &generators)
        XCTAssertEqual(z, x)
        XCTAssertTrue(zeroMask.isIdentity)
        XCTAssertEqual(Dropout(rate: 0.5).backward(x, mask: mask), x)
    }

    func testKeepFractionAndScaling() {
        let rate: Float = 0.3
        let x = ones([4, 25_000])
        var generators = rngs([0, 1, 2, 3])
        let (y, mask) = Dropout(rate: rate).forward(x, training: true, rngs: &generators)
        let kept = y.data.filter { $0 != 0 }
        XCTAssertTrue(kept.allSatisfy { abs($0 - 1 / (1 - rate)) < 1e-6 }, "kept values scale by 1/(1−rate)")
        // 100k Bernoulli(0.7) draws: standard error of the fraction is 0.0014.
        XCTAssertEqual(Double(kept.count) / Double(x.count), 0.7, accuracy: 0.007)
        XCTAssertEqual(y.data.reduce(0, +) / Float(x.count), 1, accuracy: 0.01, "expectation preserved")
        let dx = Dropout(rate: rate).backward(ones([4, 25_000]), mask: mask)
        XCTAssertEqual(dx, y, "backward applies the same mask and scale")
    }

    func testSequenceMaskDependsOnlyOnItsOwnGenerator() {
        let dropout = Dropout(rate: 0.5)
        var alone = rngs([42])
        let (single, _) = dropout.forward(ones([1, 3, 8]), training: true, rngs: &alone)
        var batch = rngs([7, 42, 9])
        let (batched, _) = dropout.forward(ones([3, 3, 8]), training: true, rngs: &batch)
        XCTAssertEqual(Array(batched.data[24..<48]), single.data)
        XCTAssertEqual(batch[1], alone[0], "the generator advances identically")
        var reversed = rngs([42, 7])
        let (first, _) = dropout.forward(ones([2, 3, 8]), training: true, rngs: &reversed)
        XCTAssertEqual(Array(first.data[0..<24]), single.data)
    }

    /// The C kernels draw from the generator's own stream and keep where `RNG.uniform() >= rate`,
    /// at rates whose rate·2²⁴ is an integer (0.5, 0.25) and at rates where its ceiling decides.
    func testMasksEqualTheGeneratorsUniformDraws() {
        for rate: Float in [0.5, 0.25, 0.2, 0.3, 0.7, 0.05] {
            let keep = 1 / (1 - rate)
            var reference = RNG(seed: 9, stream: [UInt64(rate.bitPattern)])
            let expected = (0..<50_000).map { _ in reference.uniform() >= rate ? keep : 0 }
            var masked = [RNG(seed: 9, stream: [UInt64(rate.bitPattern)])]
            let (y, mask) = Dropout(rate: rate).forward(ones([1, 50_000]), training: true, rngs: &masked)
            XCTAssertGreaterThan(expected.filter { $0 == 0 }.count, 0, "rate \(rate): the premise, some values dropped")
            XCTAssertEqual(mask.scale, expected, "rate \(rate)")
            XCTAssertEqual(y.data, expected)
            XCTAssertEqual(masked[0], reference, "rate \(rate): the generator advances by one draw per value")
            var applied = RNG(seed: 9, stream: [UInt64(rate.bitPattern)])
            var values = [Float](repeating: 1, count: 50_000)
            values.withUnsafeMutableBufferPointer { Dropout(rate: rate).apply($0.baseAddress!, count: $0.count, rng: &applied) }
            XCTAssertEqual(values, expected, "rate \(rate): apply")
            XCTAssertEqual(applied, reference)
        }
    }
}
