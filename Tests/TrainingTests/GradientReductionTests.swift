import Distributed
import Tensor
import XCTest
@testable import Training

/// The row-sparse reduction's bookkeeping; its sums are checked on real ranks by the
/// 2 × b = 1 × 2b training tests, which would drift if a touched row were missed.
final class GradientReductionTests: XCTestCase {
    func testTheTableIsCutOutOfTheDenseRanges() {
        XCTAssertEqual(GradientReduction.pieces(of: 0..<100, without: 10..<40), [0..<10, 40..<100])
        XCTAssertEqual(GradientReduction.pieces(of: 0..<40, without: 0..<40), [])
        XCTAssertEqual(GradientReduction.pieces(of: 50..<60, without: 10..<40), [50..<60])
    }

    /// On one rank nothing moves, but the count is what one of several ranks would send: the
    /// dense rest, one mask value per table row and the touched rows; the marks are cleared.
    func testCountsTheTouchedRowsAndClearsThem() throws {
        var layout = ParameterLayout()
        let head = layout.add("head", shape: [3])
        let table = layout.add("table", shape: [10, 4])
        let tail = layout.add("tail", shape: [5])
        let arena = ParameterArena(layout: layout)
        var reduction = GradientReduction(table: table)
        reduction.markTouched([0, 7, 7, 2])
        let all = [head.offset..<tail.range.upperBound]
        XCTAssertEqual(try reduction.reduce(all, arena: arena, communicator: SingleProcessCommunicator()), 3 + 5 + 10 + 3 * 4)
        XCTAssertEqual(try reduction.reduce(all, arena: arena, communicator: SingleProcessCommunicator()), 3 + 5 + 10)
        XCTAssertEqual(try reduction.reduce([tail.range], arena: arena, communicator: SingleProcessCommunicator()), 5)
        // Ids past the table name frozen pretrained vectors: no row of the table, nothing sent.
        reduction.markTouched([10, 3, 12])
        XCTAssertEqual(try reduction.reduce(all, arena: arena, communicator: SingleProcessCommunicator()), 3 + 5 + 10 + 4)
    }
}
