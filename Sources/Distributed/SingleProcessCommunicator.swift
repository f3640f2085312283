import Foundation

/// A world of one rank: reductions and broadcasts leave the data as it is, so the trainer
/// runs the same code with and without MPI.
public final class SingleProcessCommunicator: Communicator {
    public let rank = 0
    public let size = 1

    public init() {}

    public func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws {}
    public func startAllreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction {
        PendingReduction(serial: 0)
    }
    public func progressReductions() throws {}
    public func waitForReductions(through last: PendingReduction) throws {}
    public func allreduceSum(_ values: inout [Double]) throws {}
    public func allreduceMin(_ values: inout [Int64]) throws {}
    public func allreduceMax(_ values: inout [Int64]) throws {}
    public func allgather(_ value: Int64) throws -> [Int64] { [value] }

    public func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int) throws {
        precondition(root == 0, "broadcast root \(root) outside a world of 1 rank")
    }

    public func broadcast(_ bytes: inout [UInt8], root: Int) throws {
        precondition(root == 0, "broadcast root \(root) outside a world of 1 rank")
    }

    public func barrier() throws {}
    public func finalize() throws {}

    public func abort(_ message: String, code: Int32) -> Never {
        FatalMessage.write(rank: rank, message)
        exit(code)
    }
}
