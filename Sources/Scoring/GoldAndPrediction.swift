/// The gold annotation of one unit (sentence or document) next to a system's prediction for
/// it, as the offline scorers (`hmtl score`) read them from a pair of files.
struct GoldAndPrediction<Value> {
    var gold: Value
    var predicted: Value

    init(gold: Value, predicted: Value) {
        self.gold = gold
        self.predicted = predicted
    }
}

extension GoldAndPrediction: Sendable where Value: Sendable {}
extension GoldAndPrediction: Equatable where Value: Equatable {}
