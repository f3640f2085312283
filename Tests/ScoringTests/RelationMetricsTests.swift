import Corpus
import XCTest
@testable import Scoring

final class RelationMetricsTests: XCTestCase {
    private func relation(_ h: (Int, Int), _ t: (Int, Int), _ label: String) -> Relation {
        Relation(head: TokenSpan(start: h.0, end: h.1), tail: TokenSpan(start: t.0, end: t.1), label: label)
    }

    /// Gold: Work_For([0,1] → [4,5]), Live_In([0,1] → [7,7]).
    /// Predicted: Work_For([1,1] → [5,5]) — same last tokens, shorter arguments: head-correct,
    /// strict-wrong; Live_In([7,7] → [0,1]) — reversed direction: wrong under both;
    /// Kill([2,2] → [3,3]) — spurious.
    /// Head: correct 1, predicted 3, gold 2 → P 1/3, R 1/2. Strict: correct 0.
    func testHeadVersusStrictAndDirection() {
        var m = RelationMetrics()
        m.add(predicted: [relation((1, 1), (5, 5), "Work_For"), relation((7, 7), (0, 1), "Live_In"), relation((2, 2), (3, 3), "Kill")],
              gold: [relation((0, 1), (4, 5), "Work_For"), relation((0, 1), (7, 7), "Live_In")])
        XCTAssertEqual(m.overall(.head), .init(correct: 1, predicted: 3, gold: 2))
        XCTAssertEqual(m.overall(.head).precision, 1.0 / 3, accuracy: 1e-12)
        XCTAssertEqual(m.overall(.head).recall, 0.5, accuracy: 1e-12)
        XCTAssertEqual(m.overall(.head).f1, 0.4, accuracy: 1e-12)
        XCTAssertEqual(m.overall(.strict), .init(correct: 0, predicted: 3, gold: 2))
        XCTAssertEqual(m.perType(.head)["Work_For"], .init(correct: 1, predicted: 1, gold: 1))
        XCTAssertEqual(m.perType(.head)["Live_In"], .init(correct: 0, predicted: 1, gold: 1))
        XCTAssertEqual(m.perType(.head)["Kill"], .init(correct: 0, predicted: 1, gold: 0))
        XCTAssertEqual(m.perType(.strict)["Work_For"], .init(correct: 0, predicted: 1, gold: 1))
    }

    func testTypeMustMatchAndDuplicatesCountOnce() {
        var m = RelationMetrics()
        let gold = relation((0, 0), (2, 3), "OrgBased_In")
        m.add(predicted: [gold, gold, relation((0, 0), (2, 3), "Located_In")], gold: [gold])
        XCTAssertEqual(m.overall(.strict), .init(correct: 1, predicted: 2, gold: 1))
        // Under the head criterion [1,3] and [2,3] are one argument, so these two are one relation.
        var h = RelationMetrics()
        h.add(predicted: [relation((0, 0), (1, 3), "X"), relation((0, 0), (2, 3), "X")], gold: [relation((0, 0), (3, 3), "X")])
        XCTAssertEqual(h.overall(.head), .init(correct: 1, predicted: 1, gold: 1))
        XCTAssertEqual(h.overall(.strict), .init(correct: 0, predicted: 2, gold: 1))
    }

    func testFlattenRoundTripSumsShardsAndPrintsBothTables() {
        var a = RelationMetrics(), b = RelationMetrics(), all = RelationMetrics()
        let s1 = (p: [relation((0, 0), (1, 1), "A")], g: [relation((0, 0), (1, 1), "A")])
        let s2 = (p: [relation((0, 1), (2, 2), "B")], g: [relation((1, 1), (2, 2), "B"), relation((3, 3), (4, 4), "A")])
        a.add(predicted: s1.p, gold: s1.g); all.add(predicted: s1.p, gold: s1.g)
        b.add(predicted: s2.p, gold: s2.g); all.add(predicted: s2.p, gold: s2.g)
        let types = ["A", "B", "C"]
        let summed = zip(a.flattened(types: types), b.flattened(types: types)).map { $0 + $1 }
        XCTAssertEqual(summed.count, 18)
        let m = RelationMetrics(types: types, flat: summed)
        XCTAssertEqual(m, all)
        XCTAssertEqual(m.overall(.head), .init(correct: 2, predicted: 2, gold: 3))
        XCTAssertEqual(m.overall(.strict), .init(correct: 1, predicted: 2, gold: 3))
        let table = m.table()
        XCTAssertTrue(table.contains("head match") && table.contains("strict match"), table)
        XCTAssertEqual(table.components(separatedBy: "overall").count, 3, table)
        XCTAssertEqual(RelationMetrics().overall(.head).f1, 0)
    }
}
