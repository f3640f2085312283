import Corpus
import Model

/// An endless stream of one task's training batches for this rank: epoch after epoch of the
/// deterministic global order (`BatchPlan`), taking this rank's shard of each global batch.
/// Its position is kept in global units (epoch, examples consumed) so it can be checkpointed.
public struct TaskStream: Sendable {
    public let task: Task
    public let lengths: [Int]
    public let globalBatch: Int
    public let seed: UInt64
    public private(set) var epoch = 0
    /// Examples of the current epoch's global order already consumed.
    public private(set) var position = 0
    private var plan: [[Int]] = []
    private var nextBatch = 0

    public init(task: Task, lengths: [Int], globalBatch: Int, seed: UInt64) {
        precondition(!lengths.isEmpty, "TaskStream: task \(task) has no training examples")
        self.task = task
        self.lengths = lengths
        self.globalBatch = globalBatch
        self.seed = seed
        startEpoch(0)
    }

    /// Number of global batches per epoch (the sampler's weight for proportional sampling).
    public var batchesPerEpoch: Int { Self.batchesPerEpoch(examples: lengths.count, globalBatch: globalBatch) }

    /// The last batch of an epoch may be short.
    public static func batchesPerEpoch(examples: Int, globalBatch: Int) -> Int { (examples + globalBatch - 1) / globalBatch }

    /// Moves to a checkpointed position: `position` must fall on a global-batch boundary.
    public mutating func seek(epoch: Int, position: Int) throws {
        startEpoch(epoch)
        var consumed = 0
        while consumed < position, nextBatch < plan.count {
            consumed += plan[nextBatch].count
            nextBatch += 1
        }
        guard consumed == position else {
            throw TrainingError("task \(task.rawValue): checkpointed position \(position) of epoch \(epoch) is not a batch boundary for a global batch of \(globalBatch)")
        }
        self.position = position
    }

    /// The next global batch (example indices); this rank takes `BatchPlan.shard` of it.
    public mutating func next() -> [Int] {
        if nextBatch == plan.count { startEpoch(epoch + 1) }
        let batch = plan[nextBatch]
        nextBatch += 1
        position += batch.count
        return batch
    }

    private mutating func startEpoch(_ e: Int) {
        epoch = e
        position = 0
        nextBatch = 0
        plan = BatchPlan.epoch(lengths: lengths, globalBatch: globalBatch, seed: seed, task: task.seedID, epoch: e)
    }
}
