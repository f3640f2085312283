/// Learning-rate halving on a plateau of the dev score, per task (PyTorch's ReduceLROnPlateau
/// with the reference's factor 0.5, patience 5 and absolute threshold 1e-4): after more than
/// `patience` validations without beating the reference score by `threshold`, the rate is
/// multiplied by `factor` and the count starts again.
///
/// The reference runs it in "min" mode on an F1 (a bug that halves the rate every 6 epochs
/// whatever the score does); here the mode is "max", as the score is a higher-is-better F1.
public struct PlateauSchedule: Sendable, Equatable {
    public let factor: Double, patience: Int, threshold: Double
    public private(set) var best = -Double.infinity
    public private(set) var badValidations = 0

    public init(factor: Double, patience: Int, threshold: Double, best: Double = -.infinity, badValidations: Int = 0) {
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.best = best
        self.badValidations = badValidations
    }

    /// Records a validation score; returns the learning rate to use from now on.
    public mutating func record(_ score: Double, learningRate: Double) -> Double {
        if score > best + threshold {
            best = score
            badValidations = 0
            return learningRate
        }
        badValidations += 1
        guard badValidations > patience else { return learningRate }
        badValidations = 0
        return learningRate * factor
    }
}
