import Foundation

/// MUC, B³ and entity-based CEAF (φ4), as the CoNLL-2012 reference scorer v8.01 (`scorer.pl`)
/// computes them, plus its mention-identification line and the CoNLL average F1 (the mean of
/// the three F1s). Singletons are kept on both sides, as the official scorer keeps them.
///
/// Key and response may hold different mention sets. A response mention absent from the key
/// (or a key mention absent from the response) is "twinless":
/// - MUC (Vilain et al.): each cluster is partitioned by the other side's clusters, a twinless
///   mention being a part of its own, and scores |C| − |parts|; summed over clusters this is
///   Σ_{K,R} (|K∩R| − 1) over overlapping pairs, the same for recall and precision, divided by
///   Σ_K (|K| − 1) and Σ_R (|R| − 1) respectively.
/// - B³: recall averages |K∩R|/|K| over key mentions, precision |K∩R|/|R| over response mentions,
///   a twinless mention contributing 0 (so Σ_{K,R} |K∩R|²/|K| over Σ|K|, and likewise for R).
/// - CEAF-e: φ4(K, R) = 2|K∩R| / (|K| + |R|); the optimal one-to-one alignment's total
///   similarity over the number of key (recall) or response (precision) entities.
///
/// Sums are kept per metric and added over documents (as scorer.pl adds them), so shards from
/// several ranks can be summed before the ratios are taken.
///
/// A mention repeated on one side is kept only at its first occurrence and clusters left empty
/// are dropped, as scorer.pl does for the response (it warns, and refuses a run with more than
/// ten repeats; a repeated key mention it merely warns about — here it is de-duplicated too).
public struct CoreferenceMetrics: Sendable, Equatable {
    /// Exact-boundary mention detection ("Identification of Mentions" in scorer.pl).
    public private(set) var mentions = PrecisionRecall()
    public private(set) var muc = PrecisionRecall()
    public private(set) var bCubed = PrecisionRecall()
    public private(set) var ceafE = PrecisionRecall()

    public init() {}

    /// The CoNLL-2012 shared-task score: mean of the MUC, B³ and CEAF-e F1.
    public var averageF1: Double { (muc.f1 + bCubed.f1 + ceafE.f1) / 3 }

    /// Adds one document: gold (`key`) and predicted (`response`) clusters of mention ids.
    public mutating func add<Mention: Hashable>(key: [[Mention]], response: [[Mention]]) {
        let key = Self.deduplicated(key)
        let response = Self.deduplicated(response)
        var keyCluster: [Mention: Int] = [:]
        for (k, cluster) in key.enumerated() {
            for mention in cluster { keyCluster[mention] = k }
        }
        // The non-empty intersections |K∩R|; every metric is a function of these and the sizes.
        // Sorted so that floating-point sums do not depend on hash order.
        var overlaps: [Overlap] = []
        for (r, cluster) in response.enumerated() {
            var counts: [Int: Int] = [:]
            for mention in cluster {
                if let k = keyCluster[mention] { counts[k, default: 0] += 1 }
            }
            overlaps += counts.map { Overlap(key: $0.key, response: r, count: $0.value) }
        }
        overlaps.sort { ($0.key, $0.response) < ($1.key, $1.response) }

        let keySizes = key.map { Double($0.count) }, responseSizes = response.map { Double($0.count) }
        let keyMentions = keySizes.reduce(0, +), responseMentions = responseSizes.reduce(0, +)
        let twins = Double(overlaps.reduce(0) { $0 + $1.count })
        mentions += PrecisionRecall(recallNumerator: twins, recallDenominator: keyMentions,
                                    precisionNumerator: twins, precisionDenominator: responseMentions)

        let correctLinks = Double(overlaps.reduce(0) { $0 + $1.count - 1 })
        muc += PrecisionRecall(recallNumerator: correctLinks, recallDenominator: keyMentions - Double(key.count),
                               precisionNumerator: correctLinks,
                               precisionDenominator: responseMentions - Double(response.count))

        var bRecall = 0.0, bPrecision = 0.0
        for o in overlaps {
            let squared = Double(o.count * o.count)
            bRecall += squared / keySizes[o.key]
            bPrecision += squared / responseSizes[o.response]
        }
        bCubed += PrecisionRecall(recallNumerator: bRecall, recallDenominator: keyMentions,
                                  precisionNumerator: bPrecision, precisionDenominator: responseMentions)

        let similarity = Self.alignedSimilarity(overlaps, keySizes: keySizes, responseSizes: responseSizes)
        ceafE += PrecisionRecall(recallNumerator: similarity, recallDenominator: Double(key.count),
                                 precisionNumerator: similarity, precisionDenominator: Double(response.count))
    }

    private struct Overlap {
        var key: Int, response: Int, count: Int
    }

    private static func deduplicated<Mention: Hashable>(_ clusters: [[Mention]]) -> [[Mention]] {
        var seen = Set<Mention>()
        return clusters.map { $0.filter { seen.insert($0).inserted } }.filter { !$0.isEmpty }
    }

    /// Total φ4 of the optimal key↔response alignment. Entities that share no mention have
    /// φ4 = 0, so the bipartite "overlaps" graph splits into connected components that can be
    /// aligned independently — small matrices instead of one keys×responses matrix.
    private static func alignedSimilarity(_ overlaps: [Overlap], keySizes: [Double], responseSizes: [Double]) -> Double {
        // Union-find over key entities 0..<K and response entities K..<K+R.
        var parent = Array(0..<(keySizes.count + responseSizes.count))
        func root(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        for o in overlaps { parent[root(o.key)] = root(keySizes.count + o.response) }
        var components: [Int: [Overlap]] = [:]
        for o in overlaps { components[root(o.key), default: []].append(o) }

        var total = 0.0
        for componentRoot in components.keys.sorted() {
            let pairs = components[componentRoot]!
            let keys = Array(Set(pairs.map(\.key))).sorted()
            let responses = Array(Set(pairs.map(\.response))).sorted()
            let row = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0) })
            let column = Dictionary(uniqueKeysWithValues: responses.enumerated().map { ($1, $0) })
            var phi = [Double](repeating: 0, count: keys.count * responses.count)
            for o in pairs {
                phi[row[o.key]! * responses.count + column[o.response]!] =
                    2 * Double(o.count) / (keySizes[o.key] + responseSizes[o.response])
            }
            let assignment = OptimalAssignment.maximumWeight(phi, rows: keys.count, columns: responses.count)
            for (i, j) in assignment.enumerated() {
                if let j { total += phi[i * responses.count + j] }
            }
        }
        return total
    }

    /// 16 sums: mentions, MUC, B³, CEAF-e, each [recall num, recall den, precision num,
    /// precision den] — for an allreduce; `init(flat:)` reverses it.
    public func flattened() -> [Double] {
        mentions.flattened + muc.flattened + bCubed.flattened + ceafE.flattened
    }

    public init(flat: [Double]) {
        precondition(flat.count == 16, "CoreferenceMetrics: \(flat.count) values, expected 16")
        mentions = PrecisionRecall(flat: flat[0..<4])
        muc = PrecisionRecall(flat: flat[4..<8])
        bCubed = PrecisionRecall(flat: flat[8..<12])
        ceafE = PrecisionRecall(flat: flat[12..<16])
    }

    /// Recall, precision and F1 in percent, truncated (not rounded) to two decimals exactly as
    /// scorer.pl prints them (`int(x*10000)/100`), so the numbers can be compared digit for digit.
    public func table() -> String {
        func percent(_ x: Double) -> String { String(format: "%7.2f", (x * 10000).rounded(.towardZero) / 100) }
        func row(_ name: String, _ m: PrecisionRecall) -> String {
            name.padding(toLength: 10, withPad: " ", startingAt: 0)
                + [m.recall, m.precision, m.f1].map(percent).joined(separator: " ")
        }
        return [
            "metric     recall   prec.      F1",
            row("mentions", mentions),
            row("MUC", muc),
            row("B3", bCubed),
            row("CEAFe", ceafE),
            "CoNLL avg " + String(repeating: " ", count: 16) + percent(averageF1),
        ].joined(separator: "\n")
    }
}
