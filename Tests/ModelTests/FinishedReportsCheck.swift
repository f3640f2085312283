import Model
import Tensor
import XCTest

/// Runs `task`'s forward and backward pass on zeroed gradients and checks the backward's
/// reports against their promise (`GradientsFinished`): they only decrease and end at the
/// bottom of the arena, and no gradient at or above a reported offset changes afterwards —
/// what lets the update step send it while backward goes on. Returns the reported offsets.
@discardableResult
func assertBackwardKeepsItsReports(_ model: HierarchicalModel, _ task: Task, batch: TaggingBatch, arena: ParameterArena,
                                   rngs: inout [RNG], file: StaticString = #filePath, line: UInt = #line) -> [Int] {
    arena.zeroGrads()
    let (_, pass) = model.trainingForward(task, batch: batch, arena: arena, rngs: &rngs)
    var reports: [(offset: Int, above: [Float])] = []
    model.backward(pass, arena: arena) { reports.append(($0, Array(arena.grads[$0...]))) }
    let offsets = reports.map(\.offset)
    XCTAssertEqual(offsets, offsets.sorted(by: >), "\(task): the reports must only decrease", file: file, line: line)
    XCTAssertEqual(offsets.last, 0, "\(task): backward never reported the bottom of the arena", file: file, line: line)
    // Premise: the pass went on writing below its first report, so the check saw work after one.
    XCTAssertTrue(arena.grads[..<(offsets.first ?? 0)].contains { $0 != 0 }, "\(task): nothing was written below the first report",
                  file: file, line: line)
    for (offset, above) in reports {
        XCTAssertEqual(arena.grads[offset...].map(\.bitPattern), above.map(\.bitPattern),
                       "\(task): a gradient at or above \(offset) changed after backward reported it finished", file: file, line: line)
    }
    return offsets
}
