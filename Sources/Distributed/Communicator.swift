/// The collective operations data-parallel training needs, over a fixed world of `size` ranks.
///
/// Every method is collective: all ranks must call it in the same order with the same counts
/// and root, otherwise the world hangs or fails. Buffers are reduced in place so the trainer
/// can hand over a contiguous range of its gradient arena without copying.
public protocol Communicator: AnyObject {
    var rank: Int { get }
    var size: Int { get }

    /// In-place element-wise sum over all ranks of `buffer[0..<count]`.
    func allreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws
    /// Starts the in-place element-wise sum over all ranks of `buffer[0..<count]` and returns at
    /// once; the buffer belongs to the reduction until a wait covers it. It is ordered with the
    /// other collectives as if it ran where it was started, so every rank starts the same
    /// reductions in the same order.
    func startAllreduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction
    /// Lets started reductions advance, without blocking. MPI (without a progress thread) moves
    /// a non-blocking collective only inside its own calls, so a caller that computes between
    /// starting a reduction and waiting for it calls this now and then.
    func progressReductions() throws
    /// Blocks until `last` and every reduction started before it have completed.
    func waitForReductions(through last: PendingReduction) throws
    /// In-place element-wise sum over all ranks (loss and count accumulators).
    func allreduceSum(_ values: inout [Double]) throws
    func allreduceMin(_ values: inout [Int64]) throws
    func allreduceMax(_ values: inout [Int64]) throws
    /// Each rank's `value`, indexed by rank.
    func allgather(_ value: Int64) throws -> [Int64]
    /// Copies `root`'s `buffer[0..<count]` to every rank.
    func broadcast(_ buffer: UnsafeMutablePointer<Float>, count: Int, root: Int) throws
    /// Copies `root`'s bytes to every rank; the other ranks' arrays may have any length,
    /// they are replaced.
    func broadcast(_ bytes: inout [UInt8], root: Int) throws
    func barrier() throws
    /// Ends the world cleanly (collective; idempotent). Call once at exit, never from deinit.
    func finalize() throws
    /// Stops every rank after writing "hmtl: rank R: message" to standard error.
    func abort(_ message: String, code: Int32) -> Never
}

/// A reduction `Communicator.startAllreduceSum` started: what `waitForReductions(through:)`
/// waits for. `serial` counts the MPI requests started through it, in that communicator.
public struct PendingReduction: Sendable {
    let serial: Int
}
