import Corpus
import XCTest
@testable import Scoring

final class SpanMetricsTests: XCTestCase {
    /// Gold: PER[0,1], LOC[3,3], ORG[5,6]. Predicted: PER[0,1] (correct), LOC[3,4] (wrong
    /// boundary), ORG[5,6] typed PER (wrong type), LOC[8,8] (spurious).
    func testExactMatchCountsByHand() {
        var m = SpanMetrics()
        m.add(predicted: [LabeledSpan(0, 1, "PER"), LabeledSpan(3, 4, "LOC"), LabeledSpan(5, 6, "PER"), LabeledSpan(8, 8, "LOC")],
              gold: [LabeledSpan(0, 1, "PER"), LabeledSpan(3, 3, "LOC"), LabeledSpan(5, 6, "ORG")])
        let o = m.overall
        XCTAssertEqual(o.correct, 1); XCTAssertEqual(o.predicted, 4); XCTAssertEqual(o.gold, 3)
        XCTAssertEqual(o.precision, 0.25); XCTAssertEqual(o.recall, 1.0 / 3)
        XCTAssertEqual(o.f1, 2 * 0.25 * (1.0 / 3) / (0.25 + 1.0 / 3), accuracy: 1e-12)
        XCTAssertEqual(m.perType["PER"], .init(correct: 1, predicted: 2, gold: 1))
        XCTAssertEqual(m.perType["LOC"], .init(correct: 0, predicted: 2, gold: 1))
        XCTAssertEqual(m.perType["ORG"], .init(correct: 0, predicted: 0, gold: 1))
        XCTAssertEqual(m.perType["ORG"]!.f1, 0)
    }

    func testFlattenRoundTripSumsAcrossShards() {
        var a = SpanMetrics(), b = SpanMetrics()
        a.add(predicted: [LabeledSpan(0, 0, "PER")], gold: [LabeledSpan(0, 0, "PER")])
        b.add(predicted: [LabeledSpan(1, 1, "LOC")], gold: [LabeledSpan(2, 2, "LOC")])
        let types = ["LOC", "ORG", "PER"]
        let summed = zip(a.flattened(types: types), b.flattened(types: types)).map { $0 + $1 }
        let m = SpanMetrics(types: types, flat: summed)
        XCTAssertEqual(m.overall, .init(correct: 1, predicted: 2, gold: 2))
        XCTAssertNil(m.perType["ORG"], "types with no spans stay out of the table")
        XCTAssertTrue(m.table().contains("overall"))
    }

    func testEmptyInputScoresZeroNotNaN() {
        let m = SpanMetrics()
        XCTAssertEqual(m.overall.f1, 0)
        XCTAssertEqual(m.overall.precision, 0)
    }
}
