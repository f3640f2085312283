/// The gold annotation of one unit (sentence or document) next to a system's prediction for
/// it, as the offline scorers (`hmtl score`) read them from a pair of files.
public struct GoldAndPrediction<Value> {
    public var gold: Value
    public var predicted: Value

    public init(gold: Value, predicted: Value) {
        self.gold = gold
        self.predicted = predicted
    }
}

extension GoldAndPrediction: Sendable where Value: Sendable {}
extension GoldAndPrediction: Equatable where Value: Equatable {}
