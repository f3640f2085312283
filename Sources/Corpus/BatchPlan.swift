import Random
/// Deterministic, length-bucketed batches that every rank computes identically without talking
/// (docs/design.md, "Distributed semantics").
///
/// The plan is a function of (lengths, globalBatch, seed, task, epoch) only — not of the world
/// size — so W ranks with local batch b and one rank with batch W·b see the same global
/// batches, and losses normalised by global counts give the same update.
public enum BatchPlan {
    /// Examples per sorting chunk, in global batches: large enough that batches hold similar
    /// lengths (little padding), small enough that batch contents still vary between epochs.
    public static let chunkBatches = 50

    /// Global batches for one epoch of a task's training set, as example indices: permute with
    /// `RNG(seed: seed, stream: [task, epoch])`; cut into chunks of 50·globalBatch;
    /// sort each chunk by (length, index); cut into batches of `globalBatch` (the last may be
    /// smaller); shuffle the order of the batches with the same generator.
    public static func epoch(lengths: [Int], globalBatch: Int, seed: UInt64, task: UInt64, epoch: Int) -> [[Int]] {
        precondition(globalBatch > 0, "BatchPlan.epoch needs a positive global batch size, got \(globalBatch)")
        precondition(epoch >= 0, "BatchPlan.epoch needs a non-negative epoch, got \(epoch)")
        var random = RNG(seed: seed, stream: [task, UInt64(epoch)])
        var order = Array(lengths.indices)
        random.shuffle(&order)

        var batches: [[Int]] = []
        let chunkSize = chunkBatches * globalBatch
        for chunkStart in stride(from: 0, to: order.count, by: chunkSize) {
            let chunk = order[chunkStart..<min(chunkStart + chunkSize, order.count)]
                .sorted { (lengths[$0], $0) < (lengths[$1], $1) }
            for batchStart in stride(from: 0, to: chunk.count, by: globalBatch) {
                batches.append(Array(chunk[batchStart..<min(batchStart + globalBatch, chunk.count)]))
            }
        }
        random.shuffle(&batches)
        return batches
    }

    /// Rank `rank`'s share of a global batch: positions rank, rank+W, rank+2W, … Empty when a
    /// short last batch has fewer examples than ranks; the rank still takes the step and
    /// contributes zero gradient, so every rank runs the same number of collectives.
    public static func shard(_ globalBatch: [Int], rank: Int, worldSize: Int) -> [Int] {
        precondition(worldSize > 0 && (0..<worldSize).contains(rank), "rank \(rank) outside world of size \(worldSize)")
        return Array(stride(from: rank, to: globalBatch.count, by: worldSize).map { globalBatch[$0] })
    }
}
