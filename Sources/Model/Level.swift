import NN
import Tensor

/// A level of the hierarchy (docs/design.md, Levels): a task's encoder and head over its input
/// x, which is g_e or `[g_e ; h_below]`. `HierarchicalModel` only iterates over levels; a new
/// task is a new conforming type. Passes and predictions are plain values (no hidden graph).
public protocol Level: Sendable {
    /// What `backward` needs from `trainingForward`.
    associatedtype TrainingPass
    /// What the level predicts for a batch.
    associatedtype Prediction

    /// The task's one spelling: its config key and the prefix of its parameter paths.
    var task: Task { get }
    /// The BiLSTM whose output h is what a level above reads. With dropout off (inference)
    /// every level's h is `encoder(x)`, so the stack computes it once for the level and for the
    /// levels above.
    var encoder: BiLSTM { get }

    /// Initial values, in the level's layout order.
    func initialize(_ arena: ParameterArena, rng: inout RNG)
    /// The loss of a non-empty batch from x [B, T, D] and what `backward` needs; gradients a
    /// head gets in its forward pass (CRF, relation and coreference heads) are accumulated here.
    func trainingForward(_ x: Tensor, batch: TaggingBatch, arena: ParameterArena, rngs: inout [RNG]) -> (loss: StepLoss, pass: TrainingPass)
    /// Accumulates the rest of the level's gradients and returns dLoss/dx; `finished` hears
    /// of each block as it is done (`GradientsFinished`).
    func backward(_ pass: TrainingPass, arena: ParameterArena, finished: GradientsFinished) -> Tensor
    /// Inference without dropout from x and h = `encoder(x)`.
    func predict(_ x: Tensor, encoded h: Tensor, batch: TaggingBatch, arena: ParameterArena) -> Prediction
}

/// A batch's loss as the trainer needs it: `sum` over its examples and the `count` it is a
/// sum of (sentences; RE: scored cells, which the trainer averages over all ranks).
public struct StepLoss: Sendable {
    public var sum: Double
    public var count: Double
}

extension Level {
    /// `backward` for a pass held without its type (`HierarchicalModel.TrainingPass`).
    func backward(erased pass: Any, arena: ParameterArena, finished: GradientsFinished) -> Tensor {
        guard let pass = pass as? TrainingPass else { preconditionFailure("level \(task): a training pass of another level") }
        return backward(pass, arena: arena, finished: finished)
    }

    /// `predict` with its result's type left out, for callers that do not read it.
    func predict(erased x: Tensor, encoded h: Tensor, batch: TaggingBatch, arena: ParameterArena) -> Any {
        predict(x, encoded: h, batch: batch, arena: arena)
    }
}
