import Tensor
import Model

/// Picks the task of each step with probability proportional to its weight (the reference:
/// its number of training batches). Every rank holds an identically seeded sampler, so all
/// ranks pick the same task without exchanging a message.
public struct TaskSampler: Sendable {
    public let tasks: [Task]
    public let weights: [Int]
    public private(set) var rng: RNG
    public private(set) var draws = 0

    public init(tasks: [Task], weights: [Int], seed: UInt64) {
        precondition(tasks.count == weights.count && weights.allSatisfy { $0 > 0 }, "TaskSampler: one positive weight per task")
        self.tasks = tasks
        self.weights = weights
        rng = RNG(seed: seed, stream: [0x5A4D])
    }

    /// Restores a checkpointed position.
    public init(tasks: [Task], weights: [Int], state: (UInt64, UInt64, UInt64, UInt64), draws: Int) {
        self.tasks = tasks
        self.weights = weights
        rng = RNG(state: state)
        self.draws = draws
    }

    public mutating func next() -> Task {
        draws += 1
        var r = rng.int(below: weights.reduce(0, +))
        for (task, w) in zip(tasks, weights) {
            if r < w { return task }
            r -= w
        }
        preconditionFailure("unreachable: r is below the total weight")
    }
}
