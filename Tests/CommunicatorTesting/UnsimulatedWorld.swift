import Distributed

/// A stand-in world for tests: every collective throws "not simulated" until a subclass
/// simulates it (`FakeRank` its allgathers, `RecordingCommunicator` its float sums).
open class UnsimulatedWorld: Communicator {
    public let rank: Int
    public let size: Int

    public init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    open func startAllreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction { throw notSimulated }
    open func progressReductions() throws { throw notSimulated }
    open func waitForReductions(through last: PendingReduction) throws { throw notSimulated }
    open func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws { throw notSimulated }
    open func allreduceSum(_ values: inout [Double]) throws { throw notSimulated }
    open func allreduceMin(_ values: inout [Int64]) throws { throw notSimulated }
    open func allreduceMax(_ values: inout [Int64]) throws { throw notSimulated }
    open func allgather(_ value: Int64) throws -> [Int64] { throw notSimulated }
    open func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int) throws { throw notSimulated }
    open func broadcast(_ bytes: inout [UInt8], root: Int) throws { throw notSimulated }
    open func barrier() throws { throw notSimulated }
    open func finalize() throws {}
    open func abort(_ message: String, code: Int32) -> Never { fatalError("\(type(of: self)).abort: \(message)") }

    private var notSimulated: DistributedError { DistributedError("not simulated by \(type(of: self))") }
}
