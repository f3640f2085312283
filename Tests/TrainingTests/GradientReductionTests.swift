import Distributed
import Tensor
import XCTest
@testable import Training

/// The reduction's bookkeeping and the order of its messages; its sums are checked on real
/// ranks by the 2 × b = 1 × 2b training tests, which would drift if a touched row were missed,
/// and by the overlapped-against-after-backward tests, bit for bit.
final class GradientReductionTests: XCTestCase {
    /// chars 0..<3, table 3..<43 (10 × 4), b 43..<45, c 45..<47, d 47..<52.
    private func arena() -> ParameterArena {
        var layout = ParameterLayout()
        for (name, shape) in [("chars", [3]), ("table", [10, 4]), ("b", [2]), ("c", [2]), ("d", [5])] { _ = layout.add(name, shape: shape) }
        let arena = ParameterArena(layout: layout)
        for i in arena.grads.indices { arena.grads[i] = Float(i) + 0.5 }
        return arena
    }

    /// A step's reduction of the whole arena begun on rank 0 of a `RecordingCommunicator`'s world.
    private func begun(overlapped: Bool, touching rows: [Int32], bucketFloats: Int?) throws
        -> (ParameterArena, RecordingCommunicator, GradientReduction) {
        let arena = arena(), table = arena.layout.parameters[1]
        let world = RecordingCommunicator(arena: arena.grads)
        let reduction = GradientReduction(table: table, arena: arena, communicator: world, overlapped: overlapped)
        reduction.markTouched(rows)
        try reduction.begin(ReductionPlan(ranges: [0..<arena.count], layout: arena.layout, table: table, bucketFloats: bucketFloats))
        return (arena, world, reduction)
    }

    /// On one rank nothing moves, but the count is what one of several ranks would send: the
    /// dense rest, one mask value per table row and the touched rows; the marks are cleared.
    func testCountsTheTouchedRowsAndClearsThem() throws {
        for overlapped in [false, true] {
            let arena = arena(), table = arena.layout.parameters[1]
            let before = Array(arena.grads)
            let reduction = GradientReduction(table: table, arena: arena, communicator: SingleProcessCommunicator(), overlapped: overlapped)
            func sent(_ ranges: [Range<Int>]) throws -> Int {
                try reduction.begin(ReductionPlan(ranges: ranges, layout: arena.layout, table: table, bucketFloats: overlapped ? 3 : nil))
                for offset in [47, 43, 3, 0] { reduction.finished(at: offset) { _ in } }
                return try reduction.finish()
            }
            reduction.markTouched([0, 7, 7, 2])
            XCTAssertEqual(try sent([0..<52]), 3 + 9 + 10 + 3 * 4, "overlapped: \(overlapped)")
            XCTAssertEqual(try sent([0..<52]), 3 + 9 + 10, "overlapped: \(overlapped)")
            XCTAssertEqual(try sent([47..<52]), 5, "overlapped: \(overlapped)")
            // Ids past the table name frozen pretrained vectors: no row of the table, nothing sent.
            reduction.markTouched([10, 3, 12])
            XCTAssertEqual(try sent([0..<52]), 3 + 9 + 10 + 4, "overlapped: \(overlapped)")
            XCTAssertEqual(Array(arena.grads), before, "one rank changed a gradient")
        }
    }

    /// Overlapped: the mask goes at `begin`, each bucket when backward reports it finished (a
    /// report below a bucket's start is not enough), the table's rows once the mask is summed —
    /// the only wait before `finish`, flagged to the heartbeat — and the rest at `finish`,
    /// which waits for everything. The other rank adds zeros, so every gradient comes back.
    func testOverlappedSendsEachBucketWhenBackwardReportsIt() throws {
        let (arena, world, reduction) = try begun(overlapped: true, touching: [7, 2, 7], bucketFloats: 3)
        let before = Array(arena.grads)
        XCTAssertEqual(world.calls, [.start(offset: nil, count: 10)])
        var waiting: [Bool] = []
        for offset in [47, 45, 43, 3] { reduction.finished(at: offset) { waiting.append($0) } }
        XCTAssertEqual(world.calls, [.start(offset: nil, count: 10),
                                     .start(offset: 47, count: 5), .progress,
                                     .progress,
                                     .start(offset: 43, count: 4), .progress,
                                     .wait(serial: 1), .start(offset: nil, count: 2 * 4), .progress])
        XCTAssertEqual(waiting, [true, false])
        XCTAssertEqual(try reduction.finish(), 5 + 4 + 10 + 2 * 4 + 3)
        XCTAssertEqual(Array(world.calls.suffix(2)), [.start(offset: 0, count: 3), .wait(serial: 5)])
        XCTAssertEqual(Array(arena.grads), before, "the rows did not come back where they were")
    }

    /// Not overlapped: reports are ignored and `finish` reduces the same pieces, top first,
    /// with blocking calls — one piece per range and the table by rows.
    func testAfterBackwardEveryPieceIsReducedAtFinish() throws {
        let (arena, world, reduction) = try begun(overlapped: false, touching: [9], bucketFloats: nil)
        let before = Array(arena.grads)
        for offset in [47, 43, 3, 0] { reduction.finished(at: offset) { _ in XCTFail("no wait before finish") } }
        XCTAssertEqual(world.calls, [])
        XCTAssertEqual(try reduction.finish(), 9 + 10 + 4 + 3)
        XCTAssertEqual(world.calls, [.blocking(offset: 43, count: 9), .blocking(offset: nil, count: 10), .blocking(offset: nil, count: 4),
                                     .blocking(offset: 0, count: 3)])
        XCTAssertEqual(Array(arena.grads), before)
    }
}
