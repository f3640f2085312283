import Random
import XCTest
@testable import Scoring

final class CoreferenceMetricsTests: XCTestCase {
    private func scored(_ key: [[String]], _ response: [[String]]) -> CoreferenceMetrics {
        var m = CoreferenceMetrics()
        m.add(key: key, response: response)
        return m
    }

    private func assertPRF(_ m: PrecisionRecall, r: Double, p: Double, f: Double? = nil,
                           accuracy: Double = 1e-4, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(m.recall, r, accuracy: accuracy, "recall", file: file, line: line)
        XCTAssertEqual(m.precision, p, accuracy: accuracy, "precision", file: file, line: line)
        let f1 = f ?? (r + p > 0 ? 2 * r * p / (r + p) : 0)
        XCTAssertEqual(m.f1, f1, accuracy: accuracy, "F1", file: file, line: line)
    }

    /// Pradhan et al. (2014), "Scoring coreference partitions of predicted mentions", worked
    /// example. Key K1={a,b,c}, K2={d,e,f,g}; response R1={a,b}, R2={c,d}, R3={f,g,h,i}.
    /// MUC: partitions of K1 by R: {a,b}{c} → 3−2=1; K2: {d}{e}{f,g} (e missing) → 4−3=1;
    ///      R = 2/(2+3) = 0.4. R1: {a,b} → 1; R2: {c}{d} → 0; R3: {f,g}{h}{i} → 1;
    ///      P = 2/(1+1+3) = 0.4.
    /// B³ recall over key mentions: a,b 2/3; c 1/3; d 1/4; e 0; f,g 2/4 → 35/12 / 7 = 0.416667;
    ///    precision over response mentions: a,b 1; c,d 1/2; f,g 2/4; h,i 0 → 4/8 = 0.5;
    ///    F = 2·(5/12)(1/2)/(11/12) = 5/11 = 0.454545.
    /// CEAF-e: φ(K1,R1)=4/5, φ(K1,R2)=2/5, φ(K2,R2)=2/6, φ(K2,R3)=4/8; best K1–R1 + K2–R3 = 1.3;
    ///    R = 1.3/2 = 0.65, P = 1.3/3 = 0.433333, F = 0.52.
    /// CoNLL = (0.4 + 0.454545 + 0.52)/3 = 0.458182. Mentions: 6 twins of 7 key, 8 response.
    func testPradhanWorkedExample() {
        let m = scored([["a", "b", "c"], ["d", "e", "f", "g"]], [["a", "b"], ["c", "d"], ["f", "g", "h", "i"]])
        assertPRF(m.muc, r: 0.4, p: 0.4)
        assertPRF(m.bCubed, r: 35.0 / 84, p: 0.5, f: 5.0 / 11)
        assertPRF(m.ceafE, r: 0.65, p: 1.3 / 3, f: 0.52)
        assertPRF(m.mentions, r: 6.0 / 7, p: 6.0 / 8)
        XCTAssertEqual(m.averageF1, (0.4 + 5.0 / 11 + 0.52) / 3, accuracy: 1e-9)
        XCTAssertEqual(m.muc, PrecisionRecall(recallNumerator: 2, recallDenominator: 5, precisionNumerator: 2, precisionDenominator: 5))
        // scorer.pl truncates (int(x*10000)/100): B³ recall 41.666… prints 41.66, and the
        // CEAF-e F1 0.52 evaluates to 0.51999999999999991 in IEEE doubles — in Perl as here —
        // so it prints 51.99.
        let table = m.table()
        XCTAssertTrue(table.contains("B3          41.66   50.00   45.45"), table)
        XCTAssertTrue(table.contains("CEAFe       65.00   43.33   51.99"), table)
        XCTAssertTrue(table.contains("CoNLL avg                   45.81"), table)
    }

    /// The CEAF-e expectations of the reference scorer's own test suite
    /// (test/CorefMetricTestConfig.pm, cases 2–8); key {a}{bc}{def}. "B" is a mention distinct
    /// from "b" (an overlapping span) in cases 5–6 and a repeat of "b" in cases 7–8.
    func testReferenceScorerCEAFeCases() {
        let key = [["a"], ["b", "c"], ["d", "e", "f"]]
        let cases: [(String, [[String]], Double, Double, Double)] = [
            ("TC2", [["a"], ["d", "e"]], 0.6, 0.9, 0.72),
            ("TC3", [["a"], ["b", "c", "x"], ["d", "e", "f", "y"], ["z"]], 0.88571, 0.66429, 0.75918),
            ("TC4", [["a"], ["b", "c", "x"], ["d", "y"], ["z"]], 0.73333, 0.55, 0.62857),
            ("TC5", [["a"], ["b", "c", "x", "B"], ["d", "y"], ["z"]], 0.68889, 0.51667, 0.59048),
            ("TC6", [["a"], ["b", "c", "x"], ["d", "y"], ["B", "z"]], 0.73333, 0.55, 0.62857),
            ("TC7", [["a"], ["b", "c", "x", "b"], ["d", "y"], ["z"]], 0.73333, 0.55, 0.62857),
            ("TC8", [["a"], ["b", "c", "x"], ["d", "y"], ["b", "z"]], 0.73333, 0.55, 0.62857),
        ]
        for (name, response, r, p, f) in cases {
            let m = scored(key, response).ceafE
            XCTAssertEqual(m.recall, r, accuracy: 1e-5, name)
            XCTAssertEqual(m.precision, p, accuracy: 1e-5, name)
            XCTAssertEqual(m.f1, f, accuracy: 1e-5, name)
        }
    }

    /// Key {a,b}{c}; response {a,b,x}{y}: x and y are not in the key, c is not in the response.
    /// MUC: correct links (|K1∩R1|−1) = 1; R = 1/((2−1)+(1−1)) = 1; P = 1/((3−1)+(1−1)) = 0.5.
    /// B³: R = (1 + 1 + 0)/3 = 2/3; P = (2/3 + 2/3 + 0 + 0)/4 = 1/3.
    /// CEAF-e: only φ(K1,R1) = 4/5 is non-zero; R = 0.8/2, P = 0.8/2.
    func testTwinlessMentionsOnBothSides() {
        let m = scored([["a", "b"], ["c"]], [["a", "b", "x"], ["y"]])
        assertPRF(m.muc, r: 1, p: 0.5)
        assertPRF(m.bCubed, r: 2.0 / 3, p: 1.0 / 3)
        assertPRF(m.ceafE, r: 0.4, p: 0.4)
        assertPRF(m.mentions, r: 2.0 / 3, p: 0.5)
    }

    /// Singletons are kept: key {a}{b}{c,d}, response {a,b}{c}{d}.
    /// MUC: links K: 0+0+1 = 1, R: 1+0+0 = 1, correct 0 → R = P = 0.
    /// B³: R = (1 + 1 + 1/2 + 1/2)/4 = 0.75; P = (1/2 + 1/2 + 1 + 1)/4 = 0.75.
    /// CEAF-e: φ(a,ab) = 2/3, φ(b,ab) = 2/3, φ(cd,c) = φ(cd,d) = 2/3; 3 key, 3 response
    /// entities; best matching pairs 2 of them (a–ab, cd–c): 4/3; R = P = 4/9.
    func testSingletonsCountInBCubedAndCEAF() {
        let m = scored([["a"], ["b"], ["c", "d"]], [["a", "b"], ["c"], ["d"]])
        assertPRF(m.muc, r: 0, p: 0)
        assertPRF(m.bCubed, r: 0.75, p: 0.75)
        assertPRF(m.ceafE, r: 4.0 / 9, p: 4.0 / 9)
    }

    func testEmptyResponseScoresZeroWithKeyDenominators() {
        let m = scored([["a", "b"], ["c"]], [])
        XCTAssertEqual(m.muc, PrecisionRecall(recallNumerator: 0, recallDenominator: 1))
        XCTAssertEqual(m.bCubed, PrecisionRecall(recallNumerator: 0, recallDenominator: 3))
        XCTAssertEqual(m.ceafE, PrecisionRecall(recallNumerator: 0, recallDenominator: 2))
        XCTAssertEqual(m.averageF1, 0)
        XCTAssertFalse(m.table().contains("nan"))
    }

    func testPerfectResponseIsOneHundred() {
        let key = [["a", "b", "c"], ["d"], ["e", "f"]]
        let m = scored(key, [["f", "e"], ["d"], ["c", "a", "b"]])
        for metric in [m.muc, m.bCubed, m.ceafE, m.mentions] { assertPRF(metric, r: 1, p: 1) }
        XCTAssertEqual(m.averageF1, 1, accuracy: 1e-12)
        XCTAssertTrue(m.table().contains("CoNLL avg                  100.00"), m.table())
        // All singletons: no links on either side, so MUC is 0/0 → 0, as scorer.pl reports it.
        let singletons = scored([["a"], ["b"]], [["a"], ["b"]])
        XCTAssertEqual(singletons.muc.f1, 0)
        XCTAssertEqual(singletons.bCubed.f1, 1)
        XCTAssertEqual(singletons.ceafE.f1, 1)
    }

    /// Key K1={a,b,c}, K2={d}; response R1={a,b,d}, R2={c}. φ(K1,R1) = 4/6 is the largest
    /// entry, but taking it leaves K2–R2 with φ = 0 (total 2/3); the optimum pairs K1–R2
    /// (2/4) and K2–R1 (2/4) for a total of 1 → R = P = 1/2.
    func testCEAFNeedsTheOptimalAlignmentNotTheGreedyOne() {
        let m = scored([["a", "b", "c"], ["d"]], [["a", "b", "d"], ["c"]])
        XCTAssertEqual(m.ceafE.recallNumerator, 1, accuracy: 1e-12)
        assertPRF(m.ceafE, r: 0.5, p: 0.5)
    }

    func testRepeatedMentionsKeepTheFirstOccurrence() {
        // "b" repeated in another cluster is dropped; the cluster left empty disappears.
        XCTAssertEqual(scored([["a", "b"]], [["a", "b"], ["b"]]), scored([["a", "b"]], [["a", "b"]]))
    }

    func testFlattenedSumsOfShardsEqualOneAccumulator() {
        var all = CoreferenceMetrics(), a = CoreferenceMetrics(), b = CoreferenceMetrics()
        all.add(key: [["a", "b", "c"]], response: [["a", "b"], ["c"]])
        all.add(key: [["x"], ["y", "z"]], response: [["x", "y"]])
        a.add(key: [["a", "b", "c"]], response: [["a", "b"], ["c"]])
        b.add(key: [["x"], ["y", "z"]], response: [["x", "y"]])
        let summed = zip(a.flattened(), b.flattened()).map { $0 + $1 }
        XCTAssertEqual(summed.count, 16)
        XCTAssertEqual(CoreferenceMetrics(flat: summed), all)
        XCTAssertEqual(CoreferenceMetrics(flat: all.flattened()), all)
    }

    /// Random documents against a direct, per-mention reading of each definition and a
    /// brute-force CEAF alignment over all injections of the smaller side.
    func testRandomDocumentsAgainstBruteForce() {
        var rng = RNG(seed: 2024)
        var metrics = CoreferenceMetrics()
        var expected = [Double](repeating: 0, count: 16)
        for _ in 0..<300 {
            let key = randomClusters(&rng, mentions: 0..<9)
            let response = randomClusters(&rng, mentions: 4..<13)
            metrics.add(key: key, response: response)
            let oracle = Oracle(key: key, response: response).flattened
            for i in 0..<16 { expected[i] += oracle[i] }
        }
        for (i, (got, want)) in zip(metrics.flattened(), expected).enumerated() {
            XCTAssertEqual(got, want, accuracy: 1e-9, "sum \(i)")
        }
    }

    func testOptimalAssignmentMatchesBruteForceOnRectangularMatrices() {
        var rng = RNG(seed: 7)
        for _ in 0..<200 {
            let rows = Int(rng.nextUInt64() % 6) + 1, columns = Int(rng.nextUInt64() % 6) + 1
            let w = (0..<(rows * columns)).map { _ in Double(rng.nextUInt64() % 1000) / 1000 }
            let assignment = OptimalAssignment.maximumWeight(w, rows: rows, columns: columns)
            XCTAssertEqual(assignment.compactMap { $0 }.count, min(rows, columns))
            XCTAssertEqual(Set(assignment.compactMap { $0 }).count, min(rows, columns), "one-to-one")
            var total = 0.0
            for (row, column) in assignment.enumerated() {
                if let column { total += w[row * columns + column] }
            }
            let best = bruteForceMaximum(rows: rows, columns: columns) { w[$0 * columns + $1] }
            XCTAssertEqual(total, best, accuracy: 1e-9)
        }
        XCTAssertEqual(OptimalAssignment.maximumWeight([], rows: 2, columns: 0), [nil, nil])
    }

    // MARK: - Independent reference computations

    private func randomClusters(_ rng: inout RNG, mentions: Range<Int>) -> [[Int]] {
        var clusters: [[Int]] = []
        for m in mentions where rng.nextUInt64() % 4 != 0 {
            let c = Int(rng.nextUInt64() % UInt64(clusters.count + 2))
            if c < clusters.count { clusters[c].append(m) } else { clusters.append([m]) }
        }
        return clusters
    }

    /// The textbook definitions, mention by mention; CEAF by exhaustive search.
    private struct Oracle {
        var flattened: [Double]

        init(key: [[Int]], response: [[Int]]) {
            func clusterOf(_ clusters: [[Int]]) -> [Int: Int] {
                var map: [Int: Int] = [:]
                for (i, c) in clusters.enumerated() { for m in c { map[m] = i } }
                return map
            }
            let inKey = clusterOf(key), inResponse = clusterOf(response)
            // MUC: |C| − |partition of C by the other side| (a missing mention is its own part).
            func mucNumerator(_ side: [[Int]], _ other: [Int: Int]) -> Double {
                side.reduce(0.0) { sum, c in
                    let parts = Set(c.compactMap { other[$0] }).count + c.filter { other[$0] == nil }.count
                    return sum + Double(c.count - parts)
                }
            }
            func links(_ side: [[Int]]) -> Double { side.reduce(0.0) { $0 + Double($1.count - 1) } }
            // B³: per mention, |own ∩ other's cluster| / |own|.
            func bCubedNumerator(_ side: [[Int]], _ otherSide: [[Int]], _ other: [Int: Int]) -> Double {
                side.reduce(0.0) { sum, c in
                    sum + c.reduce(0.0) { s, m in
                        guard let o = other[m] else { return s }
                        return s + Double(Set(c).intersection(otherSide[o]).count) / Double(c.count)
                    }
                }
            }
            let keyMentions = Double(key.joined().count), responseMentions = Double(response.joined().count)
            let twins = Double(key.joined().filter { inResponse[$0] != nil }.count)
            let phi: (Int, Int) -> Double = { k, r in
                2 * Double(Set(key[k]).intersection(response[r]).count) / Double(key[k].count + response[r].count)
            }
            let sim = bruteForceMaximum(rows: key.count, columns: response.count, phi)
            let mention: [Double] = [twins, keyMentions, twins, responseMentions]
            let muc: [Double] = [mucNumerator(key, inResponse), links(key), mucNumerator(response, inKey), links(response)]
            let bCubed: [Double] = [bCubedNumerator(key, response, inResponse), keyMentions,
                                    bCubedNumerator(response, key, inKey), responseMentions]
            let ceaf: [Double] = [sim, Double(key.count), sim, Double(response.count)]
            flattened = mention + muc + bCubed + ceaf
        }
    }
}

/// Best total weight over all one-to-one matchings of min(rows, columns) pairs.
private func bruteForceMaximum(rows: Int, columns: Int, _ w: (Int, Int) -> Double) -> Double {
    guard rows > 0, columns > 0 else { return 0 }
    if rows > columns { return bruteForceMaximum(rows: columns, columns: rows) { w($1, $0) } }
    var best = -Double.infinity
    var used = [Bool](repeating: false, count: columns)
    func search(_ row: Int, _ total: Double) {
        if row == rows { best = max(best, total); return }
        for c in 0..<columns where !used[c] {
            used[c] = true
            search(row + 1, total + w(row, c))
            used[c] = false
        }
    }
    search(0, 0)
    return best
}
