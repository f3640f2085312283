import Corpus

/// What the coreference head needs of a document besides its token vectors: sentence lengths
/// (spans never cross a sentence boundary) and, for training, the gold clusters as inclusive
/// spans in **document** token offsets.
public struct CoreferenceDocument: Sendable, Equatable {
    public var sentenceLengths: [Int]
    public var clusters: [[TokenSpan]]

    public init(sentenceLengths: [Int], clusters: [[TokenSpan]] = []) {
        self.sentenceLengths = sentenceLengths
        self.clusters = clusters
    }

    /// Shifts each `DocumentSpan` (sentence-relative) by its sentence's offset.
    public init(_ document: Document) {
        let offsets = document.sentenceOffsets
        self.init(sentenceLengths: document.sentences.map(\.tokens.count),
                  clusters: document.clusters.map { cluster in
                      cluster.map { TokenSpan(start: offsets[$0.sentence] + $0.span.start, end: offsets[$0.sentence] + $0.span.end) }
                  })
    }

    public var tokenCount: Int { sentenceLengths.reduce(0, +) }

    /// The gold cluster of each span, or −1. Clusters that share an identical span are merged
    /// (as the reference reader does), and numbered by their first cluster's position.
    public func clusterLabels(for spans: [TokenSpan]) -> [Int] {
        var parent = Array(clusters.indices)
        func root(_ c: Int) -> Int {
            var c = c
            while parent[c] != c { c = parent[c] }
            return c
        }
        var owner: [TokenSpan: Int] = [:]
        for (c, cluster) in clusters.enumerated() {
            for span in cluster {
                if let other = owner[span] {
                    let (a, b) = (root(other), root(c))
                    parent[max(a, b)] = min(a, b)
                } else {
                    owner[span] = c
                }
            }
        }
        return spans.map { span in owner[span].map(root) ?? -1 }
    }
}
