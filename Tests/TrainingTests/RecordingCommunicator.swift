import CommunicatorTesting
@testable import Distributed

/// Rank 0 of a world of two whose other rank contributes zeros: every float sum leaves the
/// data as it is. It records those sums in order, so a test can see what was sent when.
final class RecordingCommunicator: UnsimulatedWorld {
    enum Call: Equatable {
        /// A started or a blocking sum of `count` floats at `offset` in `arena` (nil: elsewhere).
        case start(offset: Int?, count: Int), blocking(offset: Int?, count: Int)
        case progress
        /// A wait through the `serial`-th started sum.
        case wait(serial: Int)
    }

    /// The buffer that offsets count from.
    let arena: UnsafeMutableBufferPointer<Float>
    private(set) var calls: [Call] = []
    private var started = 0

    init(arena: UnsafeMutableBufferPointer<Float>) {
        self.arena = arena
        super.init(rank: 0, size: 2)
    }

    private func offset(_ buffer: UnsafeMutablePointer<Float>) -> Int? {
        let offset = buffer - arena.baseAddress!
        return arena.indices.contains(offset) ? offset : nil
    }

    override func startAllreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction {
        calls.append(.start(offset: offset(buffer), count: count))
        started += 1
        return PendingReduction(serial: started)
    }

    override func progressReductions() throws { calls.append(.progress) }
    override func waitForReductions(through last: PendingReduction) throws { calls.append(.wait(serial: last.serial)) }

    override func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {
        calls.append(.blocking(offset: offset(buffer), count: count))
    }
}
