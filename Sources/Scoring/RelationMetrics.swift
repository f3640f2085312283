import Corpus

/// Relation-extraction precision/recall/F1, micro-averaged and per relation type, under two
/// matching criteria. Counts are kept (not ratios) so shards on different ranks can be summed.
///
/// - `head` (the paper's and HMTL's metric): a predicted relation is correct when its type and
///   the LAST token of each argument match a gold relation; argument starts are not checked.
/// - `strict`: type and both arguments' full boundaries must match.
///
/// Relations are directed: (head, tail) and (tail, head) are different relations. Each side of
/// a sentence is a set under the criterion's key, so duplicates (including relations that only
/// differ in what the criterion ignores) count once — HMTL compares sets of (i, j, type) too.
public struct RelationMetrics: Sendable, Equatable {
    public typealias Counts = SpanMetrics.Counts

    public enum Match: String, CaseIterable, Sendable {
        case head
        case strict
    }

    private var counts: [Match: [String: Counts]] = [:]

    public init() {}

    public func perType(_ match: Match) -> [String: Counts] { counts[match] ?? [:] }

    public func overall(_ match: Match) -> Counts {
        perType(match).values.reduce(into: Counts()) {
            $0.correct += $1.correct; $0.predicted += $1.predicted; $0.gold += $1.gold
        }
    }

    /// Adds one sentence's predicted and gold relations.
    public mutating func add(predicted: [Relation], gold: [Relation]) {
        for match in Match.allCases {
            let goldKeys = Set(gold.map { Key($0, match) })
            for key in Set(predicted.map { Key($0, match) }) {
                counts[match, default: [:]][key.label, default: Counts()].predicted += 1
                if goldKeys.contains(key) { counts[match, default: [:]][key.label, default: Counts()].correct += 1 }
            }
            for key in goldKeys { counts[match, default: [:]][key.label, default: Counts()].gold += 1 }
        }
    }

    /// What a relation is compared by under `match`: the head criterion collapses each
    /// argument to its last token.
    private struct Key: Hashable {
        var head: TokenSpan, tail: TokenSpan, label: String

        init(_ r: Relation, _ match: Match) {
            switch match {
            case .head:
                head = TokenSpan(start: r.head.end, end: r.head.end)
                tail = TokenSpan(start: r.tail.end, end: r.tail.end)
            case .strict:
                head = r.head
                tail = r.tail
            }
            label = r.label
        }
    }

    /// [correct, predicted, gold] per type (in the given order), head criterion first, then
    /// strict: 6·types values for an allreduce; `init(types:flat:)` reverses it.
    public func flattened(types: [String]) -> [Double] {
        Match.allCases.flatMap { flattened(match: $0, types: types) }
    }

    /// One criterion's counts in the layout `SpanMetrics(types:flat:)` reads.
    private func flattened(match: Match, types: [String]) -> [Double] {
        types.flatMap { t in
            let c = perType(match)[t] ?? Counts()
            return [c.correct, c.predicted, c.gold]
        }
    }

    public init(types: [String], flat: [Double]) {
        precondition(flat.count == 6 * types.count, "RelationMetrics: \(flat.count) values for \(types.count) types")
        for (m, match) in Match.allCases.enumerated() {
            for (i, t) in types.enumerated() {
                let base = 3 * (m * types.count + i)
                guard flat[base + 1] > 0 || flat[base + 2] > 0 else { continue }
                counts[match, default: [:]][t] = Counts(correct: flat[base], predicted: flat[base + 1], gold: flat[base + 2])
            }
        }
    }

    /// Conlleval-style tables (per type, then overall), head match then strict match.
    public func table(_ matches: [Match] = Match.allCases) -> String {
        let types = Set(Match.allCases.flatMap { perType($0).keys }).sorted()
        return matches.map { match -> String in
            let title = match == .head ? "head match (type + last token of each argument)"
                                       : "strict match (type + both argument boundaries)"
            return title + "\n" + SpanMetrics(types: types, flat: flattened(match: match, types: types)).table()
        }.joined(separator: "\n\n")
    }
}
