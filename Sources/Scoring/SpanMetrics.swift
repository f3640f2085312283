import Foundation
import Corpus

/// Exact-match span precision/recall/F1 (type and both boundaries), micro-averaged and per
/// type, as `conlleval` computes them. Counts are kept (not ratios) so shards on different
/// ranks can be summed before the ratios are taken.
public struct SpanMetrics: Sendable, Equatable {
    public struct Counts: Sendable, Equatable {
        public var correct = 0.0, predicted = 0.0, gold = 0.0
        public init(correct: Double = 0, predicted: Double = 0, gold: Double = 0) {
            self.correct = correct; self.predicted = predicted; self.gold = gold
        }
        public var precision: Double { predicted > 0 ? correct / predicted : 0 }
        public var recall: Double { gold > 0 ? correct / gold : 0 }
        public var f1: Double { precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0 }
    }

    public private(set) var perType: [String: Counts] = [:]
    public init() {}

    public var overall: Counts {
        perType.values.reduce(into: Counts()) {
            $0.correct += $1.correct; $0.predicted += $1.predicted; $0.gold += $1.gold
        }
    }

    /// Adds one sentence's predicted and gold spans.
    public mutating func add(predicted: [LabeledSpan], gold: [LabeledSpan]) {
        let goldSet = Set(gold)
        for span in Set(predicted) {
            perType[span.label, default: Counts()].predicted += 1
            if goldSet.contains(span) { perType[span.label, default: Counts()].correct += 1 }
        }
        for span in goldSet { perType[span.label, default: Counts()].gold += 1 }
    }

    /// Flattens the counts for the given types (in order) to [correct, predicted, gold]·types,
    /// for an allreduce; `init(types:flat:)` reverses it.
    public func flattened(types: [String]) -> [Double] {
        types.flatMap { t in
            let c = perType[t] ?? Counts()
            return [c.correct, c.predicted, c.gold]
        }
    }

    public init(types: [String], flat: [Double]) {
        precondition(flat.count == 3 * types.count, "SpanMetrics: \(flat.count) values for \(types.count) types")
        for (i, t) in types.enumerated() where flat[3 * i + 1] > 0 || flat[3 * i + 2] > 0 {
            perType[t] = Counts(correct: flat[3 * i], predicted: flat[3 * i + 1], gold: flat[3 * i + 2])
        }
    }

    /// A conlleval-style table: one row per type, then the overall row; percentages.
    public func table() -> String {
        func row(_ name: String, _ c: Counts) -> String {
            let cells = [c.precision, c.recall, c.f1].map { String(format: "%7.2f", 100 * $0) }.joined(separator: " ")
            return name.padding(toLength: 12, withPad: " ", startingAt: 0) + cells + String(format: " %7.0f %7.0f", c.predicted, c.gold)
        }
        var lines = ["type           prec.  recall      F1    pred    gold"]
        for t in perType.keys.sorted() { lines.append(row(t, perType[t]!)) }
        lines.append(row("overall", overall))
        return lines.joined(separator: "\n")
    }
}
