import XCTest
@testable import Distributed

final class SingleProcessCommunicatorTests: XCTestCase {
    func testIsRankZeroOfOneAndLeavesDataUnchanged() throws {
        let c = SingleProcessCommunicator()
        XCTAssertEqual(c.rank, 0)
        XCTAssertEqual(c.size, 1)

        var floats: [Float] = [1.5, -2, 3]
        try floats.withUnsafeMutableBufferPointer { try c.allreduceSum($0.baseAddress!, count: 3) }
        XCTAssertEqual(floats, [1.5, -2, 3])
        try floats.withUnsafeMutableBufferPointer { try c.broadcast($0.baseAddress!, count: 3, root: 0) }
        XCTAssertEqual(floats, [1.5, -2, 3])

        let started = try floats.withUnsafeMutableBufferPointer { try c.startAllreduceSum($0.baseAddress!, count: 3) }
        try c.progressReductions()
        try c.waitForReductions(through: started)
        XCTAssertEqual(floats, [1.5, -2, 3])

        var doubles = [0.25, 1e300]
        try c.allreduceSum(&doubles)
        XCTAssertEqual(doubles, [0.25, 1e300])

        var ints: [Int64] = [.min, 0, .max]
        try c.allreduceMin(&ints)
        try c.allreduceMax(&ints)
        XCTAssertEqual(ints, [.min, 0, .max])

        XCTAssertEqual(try c.allgather(42), [42])

        var bytes: [UInt8] = [1, 2, 3]
        try c.broadcast(&bytes, root: 0)
        XCTAssertEqual(bytes, [1, 2, 3])

        try c.barrier()
    }

    func testSelfTestPassesOnOneRank() throws {
        let report = try DistributedSelfTest.run(communicator: SingleProcessCommunicator())
        XCTAssertTrue(report.hasPrefix("distributed self-test: 1 rank(s), SingleProcessCommunicator"), report)
        XCTAssertTrue(report.contains("ok  allreduce sum of a float range"), report)
        XCTAssertTrue(report.contains("ok  started allreduce sums, three in flight"), report)
        XCTAssertTrue(report.contains("ok  agreement check: world size mismatch"), report)
        XCTAssertTrue(report.contains("skipped agreement check: field mismatch"), report)
    }
}
