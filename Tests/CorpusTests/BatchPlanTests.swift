import Corpus
import Random
import XCTest

final class BatchPlanTests: XCTestCase {
    let lengths = (0..<537).map { ($0 * 7919) % 43 + 1 }

    func testDeterministicAndEpochDependent() {
        let a = BatchPlan.epoch(lengths: lengths, globalBatch: 8, seed: 1, task: 2, epoch: 0)
        XCTAssertEqual(a, BatchPlan.epoch(lengths: lengths, globalBatch: 8, seed: 1, task: 2, epoch: 0))
        XCTAssertNotEqual(a, BatchPlan.epoch(lengths: lengths, globalBatch: 8, seed: 1, task: 2, epoch: 1))
        XCTAssertNotEqual(a, BatchPlan.epoch(lengths: lengths, globalBatch: 8, seed: 1, task: 3, epoch: 0))
        XCTAssertNotEqual(a, BatchPlan.epoch(lengths: lengths, globalBatch: 8, seed: 2, task: 2, epoch: 0))
    }

    func testEveryExampleExactlyOncePerEpoch() {
        for globalBatch in [1, 3, 8, 64] {
            let batches = BatchPlan.epoch(lengths: lengths, globalBatch: globalBatch, seed: 9, task: 0, epoch: 4)
            XCTAssertEqual(batches.flatMap { $0 }.sorted(), Array(lengths.indices))
            XCTAssertEqual(batches.count, (lengths.count + globalBatch - 1) / globalBatch)
            XCTAssertEqual(batches.filter { $0.count != globalBatch }.count, lengths.count % globalBatch == 0 ? 0 : 1)
        }
        XCTAssertEqual(BatchPlan.epoch(lengths: [], globalBatch: 4, seed: 1, task: 0, epoch: 0), [])
    }

    func testBatchesAreLengthBucketed() {
        let batches = BatchPlan.epoch(lengths: lengths, globalBatch: 4, seed: 5, task: 1, epoch: 0)
        for batch in batches {
            XCTAssertEqual(batch, batch.sorted { (lengths[$0], $0) < (lengths[$1], $1) })
        }
        // 537 examples fit in 3 chunks of 200: spread within a batch is far below the full range.
        let spread = batches.map { lengths[$0.last!] - lengths[$0.first!] }.reduce(0, +)
        XCTAssertLessThan(Double(spread) / Double(batches.count), 2.0)
    }

    func testShardsUnionToTheGlobalBatch() {
        let batches = BatchPlan.epoch(lengths: lengths, globalBatch: 10, seed: 3, task: 0, epoch: 2)
        for worldSize in [1, 2, 3, 4, 16] {
            for batch in batches {
                let shards = (0..<worldSize).map { BatchPlan.shard(batch, rank: $0, worldSize: worldSize) }
                XCTAssertEqual(shards.flatMap { $0 }.sorted(), batch.sorted())
                XCTAssertLessThanOrEqual(shards.map(\.count).max()! - shards.map(\.count).min()!, 1)
            }
        }
        XCTAssertEqual(BatchPlan.shard([7, 8, 9], rank: 1, worldSize: 2), [8])
        XCTAssertEqual(BatchPlan.shard([7], rank: 3, worldSize: 4), [])
    }

    /// The documented recipe, written out independently of `BatchPlan`: permute with
    /// RNG(seed, [task, epoch]), cut into chunks of 50 global batches, sort each chunk by
    /// (length, index), cut into batches, shuffle the batches with the same generator.
    private func documentedPlan(globalBatch: Int, seed: UInt64, task: UInt64, epoch: Int) -> [[Int]] {
        var random = RNG(seed: seed, stream: [task, UInt64(epoch)])
        var order = Array(lengths.indices)
        random.shuffle(&order)
        let chunks = stride(from: 0, to: order.count, by: 50 * globalBatch).map { order[$0..<min($0 + 50 * globalBatch, order.count)] }
        var batches = chunks.flatMap { chunk -> [[Int]] in
            let sorted = chunk.sorted { lengths[$0] != lengths[$1] ? lengths[$0] < lengths[$1] : $0 < $1 }
            return stride(from: 0, to: sorted.count, by: globalBatch).map { Array(sorted[$0..<min($0 + globalBatch, sorted.count)]) }
        }
        random.shuffle(&batches)
        return batches
    }

    /// 2 ranks × b and 1 rank × 2b both train the plan of global batch 2b — which depends on
    /// nothing but (lengths, global batch, seed, task, epoch), as the documented recipe says —
    /// and the two ranks' shards (alternate positions) together are exactly the single rank's batch.
    func testTwoRanksTimesBEqualsOneRankTimesTwoB() {
        let b = 4  // a global batch of 8: the 537 examples make two sorting chunks of up to 400
        let plan = BatchPlan.epoch(lengths: lengths, globalBatch: 2 * b, seed: 11, task: 1, epoch: 3)
        XCTAssertEqual(plan, documentedPlan(globalBatch: 2 * b, seed: 11, task: 1, epoch: 3))
        XCTAssertGreaterThan(plan.count, 1)
        for batch in plan {
            let r0 = BatchPlan.shard(batch, rank: 0, worldSize: 2), r1 = BatchPlan.shard(batch, rank: 1, worldSize: 2)
            XCTAssertEqual(BatchPlan.shard(batch, rank: 0, worldSize: 1), batch)
            XCTAssertEqual(r0, stride(from: 0, to: batch.count, by: 2).map { batch[$0] })
            XCTAssertEqual(r1, stride(from: 1, to: batch.count, by: 2).map { batch[$0] })
            XCTAssertEqual((r0 + r1).sorted(), batch.sorted())
            XCTAssertLessThanOrEqual(r0.count, b)
        }
    }

    /// Pinned: changing the plan silently would break resuming a checkpointed run.
    func testPlanIsPinned() {
        XCTAssertEqual(BatchPlan.epoch(lengths: [5, 1, 4, 2, 3, 9, 7], globalBatch: 2, seed: 42, task: 0, epoch: 0),
                       [[0, 6], [5], [1, 3], [4, 2]])
    }
}
