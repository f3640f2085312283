import Checkpoint
import XCTest

/// Two checkpoints' parameters, compared name by name: bit for bit (exact resume, transports),
/// or by the data-parallel tests' measure.
enum ParameterComparison {
    static func assertBitIdentical(_ a: [NamedArray], _ b: [NamedArray], _ context: String,
                                   file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.map(\.name), b.map(\.name), file: file, line: line)
        for (p, q) in zip(a, b) {
            XCTAssertEqual(p.values.map(\.bitPattern), q.values.map(\.bitPattern), "\(p.name) differs \(context)", file: file, line: line)
        }
    }

    /// max |a − b| over max |b|: relative to the largest magnitude, since elementwise ratios
    /// explode at values near zero, which says nothing about the update being the same.
    static func relativeDifference(_ a: [NamedArray], _ b: [NamedArray], file: StaticString = #filePath, line: UInt = #line) -> Float {
        XCTAssertEqual(a.map(\.name), b.map(\.name), file: file, line: line)
        var maxDifference: Float = 0, maxMagnitude: Float = 0
        for (p, q) in zip(a, b) {
            for (x, y) in zip(p.values, q.values) {
                maxDifference = max(maxDifference, abs(x - y))
                maxMagnitude = max(maxMagnitude, abs(y))
            }
        }
        return maxDifference / maxMagnitude
    }
}
