import Corpus
import Tensor

/// Decoding (docs/design.md, Coreference level).
public enum CoreferenceClusters {
    /// The argmax of each row's valid prefix of `scores` (layout as in `AntecedentLikelihood`):
    /// nil for the dummy, else the kept index j = i − 1 − c. Ties go to the first column.
    public static func antecedents(scores: Tensor) -> [Int?] {
        let width = scores.columns
        return (0..<scores.rows).map { i in
            var best = 0
            for y in 1..<(1 + min(i, width - 1)) where scores[i, y] > scores[i, best] { best = y }
            return best == 0 ? nil : i - best
        }
    }

    /// Scans the kept spans in order: span i with antecedent j joins j's cluster, or opens the
    /// cluster [j, i] when j has none. Singletons never appear.
    public static func decode(spans: [TokenSpan], antecedents: [Int?]) -> [[TokenSpan]] {
        precondition(spans.count == antecedents.count, "CoreferenceClusters: \(spans.count) spans but \(antecedents.count) antecedents")
        var clusters: [[TokenSpan]] = []
        var clusterOf = [Int?](repeating: nil, count: spans.count)
        for (i, antecedent) in antecedents.enumerated() {
            guard let j = antecedent else { continue }
            precondition(j >= 0 && j < i, "CoreferenceClusters: span \(i) cannot link to \(j)")
            if let c = clusterOf[j] {
                clusters[c].append(spans[i])
                clusterOf[i] = c
            } else {
                clusterOf[j] = clusters.count
                clusterOf[i] = clusters.count
                clusters.append([spans[j], spans[i]])
            }
        }
        return clusters
    }
}
