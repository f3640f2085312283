import XCTest
@testable import Distributed

final class ChunkingTests: XCTestCase {
    private func pieces(_ total: Int, limit: Int) -> [[Int]] {
        var result: [[Int]] = []
        Chunking.forEach(total: total, limit: limit) { result.append([$0, Int($1)]) }
        return result
    }

    func testPiecesCoverTheRangeInOrderWithinTheLimit() {
        XCTAssertEqual(pieces(0, limit: 4), [])
        XCTAssertEqual(pieces(3, limit: 4), [[0, 3]])
        XCTAssertEqual(pieces(8, limit: 4), [[0, 4], [4, 4]])
        XCTAssertEqual(pieces(10, limit: 4), [[0, 4], [4, 4], [8, 2]])
    }

    func testCountsAboveInt32MaxStayWithinMPICounts() {
        let total = Int(Int32.max) + 5
        let result = pieces(total, limit: Chunking.maxElementsPerCall)
        XCTAssertEqual(result.map { $0[1] }, [1 << 30, 1 << 30, 5 + Int(Int32.max) - 2 * (1 << 30)])
        XCTAssertEqual(result.last.map { $0[0] + $0[1] }, total)
    }
}
