/// The canonical form of coreference chains that every reader returns: a span that two chains
/// share makes them one entity, so such chains are merged (transitively, as the reference's
/// `canonicalize_clusters` does); each chain lists its distinct spans in document order, and
/// chains are ordered by their first span. Readers can then be compared and tested exactly.
enum CoreferenceClusters {
    static func canonical(_ clusters: [[DocumentSpan]]) -> [[DocumentSpan]] {
        // Union-find over chain indices, joined through the first chain that used each span.
        var parent = Array(clusters.indices)
        func root(_ i: Int) -> Int {
            var i = i
            while parent[i] != i {
                parent[i] = parent[parent[i]]
                i = parent[i]
            }
            return i
        }
        var owner: [DocumentSpan: Int] = [:]
        for (index, cluster) in clusters.enumerated() {
            for span in cluster {
                if let other = owner[span] {
                    let (a, b) = (root(other), root(index))
                    if a != b { parent[max(a, b)] = min(a, b) }
                } else {
                    owner[span] = index
                }
            }
        }
        var merged: [Int: Set<DocumentSpan>] = [:]
        for (index, cluster) in clusters.enumerated() {
            merged[root(index), default: []].formUnion(cluster)
        }
        return merged.values
            .filter { !$0.isEmpty }
            .map { $0.sorted() }
            .sorted { $0[0] < $1[0] }
    }
}
