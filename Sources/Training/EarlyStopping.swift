/// Early-stopping bookkeeping of one task: best dev score so far and validations since.
public struct EarlyStopping: Sendable, Equatable {
    public let patience: Int
    public private(set) var best = -Double.infinity
    public private(set) var bestStep = -1
    public private(set) var badValidations = 0
    public private(set) var history: [Double] = []
    /// Out of patience: `patience` validations in a row without a strict improvement happened
    /// at some point. Sticky, as the reference: the task keeps training (its data still helps
    /// the shared layers) but no longer holds the run open.
    public private(set) var isExhausted = false

    public init(patience: Int) { self.patience = patience }

    public init(patience: Int, best: Double, bestStep: Int, badValidations: Int, exhausted: Bool, history: [Double]) {
        self.patience = patience
        self.best = best
        self.bestStep = bestStep
        self.badValidations = badValidations
        self.isExhausted = exhausted
        self.history = history
    }

    /// Records a validation score; returns true when it is a new best.
    @discardableResult
    public mutating func record(_ score: Double, step: Int) -> Bool {
        history.append(score)
        if score > best {
            best = score
            bestStep = step
            badValidations = 0
            return true
        }
        badValidations += 1
        if badValidations >= patience { isExhausted = true }
        return false
    }
}
