import Benchmarks
import Model
import Tensor
import XCTest
@testable import Training

/// The reduction's items: buckets of whole parameters, top of the arena first, the table on its own.
final class ReductionPlanTests: XCTestCase {
    /// chars 0..<3, table 3..<43 (10 × 4), b 43..<45, c 45..<47, d 47..<52.
    private let layout: ParameterLayout = {
        var layout = ParameterLayout()
        for (name, shape) in [("chars", [3]), ("table", [10, 4]), ("b", [2]), ("c", [2]), ("d", [5])] { _ = layout.add(name, shape: shape) }
        return layout
    }()
    private var table: Parameter { layout.parameters[1] }

    private func items(_ ranges: [Range<Int>], bucketFloats: Int?) -> [ReductionPlan.Item] {
        ReductionPlan(ranges: ranges, layout: layout, table: table, bucketFloats: bucketFloats).items
    }

    /// Without buckets, a range minus the table is what a reduction after backward sends.
    func testWithoutBucketsEachRangeIsOnePieceAroundTheTable() {
        XCTAssertEqual(items([0..<52], bucketFloats: nil), [.dense(43..<52), .table, .dense(0..<3)])
        XCTAssertEqual(items([47..<52], bucketFloats: nil), [.dense(47..<52)])
        XCTAssertEqual(items([3..<43], bucketFloats: nil), [.table])
        XCTAssertEqual(items([0..<45, 47..<52], bucketFloats: nil), [.dense(47..<52), .dense(43..<45), .table, .dense(0..<3)])
    }

    /// Walking down, a bucket closes at the parameter that fills it; none spans the table.
    func testBucketsCloseOnceFullTopFirst() {
        XCTAssertEqual(items([0..<52], bucketFloats: 3), [.dense(47..<52), .dense(43..<47), .table, .dense(0..<3)])
        XCTAssertEqual(items([0..<52], bucketFloats: 1), [.dense(47..<52), .dense(45..<47), .dense(43..<45), .table, .dense(0..<3)])
        XCTAssertEqual(items([0..<52], bucketFloats: 100), items([0..<52], bucketFloats: nil))
    }

    /// On the peer's model every task's plan covers exactly its ranges, top first, and the
    /// default 128 KiB cuts the NER level (1.3 MB at these shapes) into one bucket per
    /// encoder direction, the top one with the projection and the CRF.
    func testPlansOfThePeersModelCoverEachTasksRanges() {
        let workload = BenchmarkWorkload.single(.ner, shapes: Benchmark.Shapes())
        let model = HierarchicalModel(settings: workload.settings, vocabularies: workload.vocabularies)
        let table = model.embedder.words.table
        let bucketFloats = TrainingSchedule().bucketKiB * 1024 / 4
        XCTAssertEqual(model.tasks.count, 4, "the peer's model has every level")
        for task in model.tasks {
            let ranges = model.parameterRanges(for: task)
            let plan = ReductionPlan(ranges: ranges, layout: model.layout, table: table, bucketFloats: bucketFloats)
            let pieces = plan.items.map { item -> Range<Int> in
                if case .dense(let range) = item { return range }
                return table.range
            }
            XCTAssertEqual(pieces.map(\.lowerBound), pieces.map(\.lowerBound).sorted(by: >), "\(task): not top first")
            XCTAssertEqual(Self.merged(pieces), Self.merged(ranges), "\(task): the items do not cover its ranges")
            XCTAssertEqual(pieces.reduce(0) { $0 + $1.count }, ranges.reduce(0) { $0 + $1.count }, "\(task): items overlap")
            // A bucket short of the size ends where the table or the task's range does.
            for case .dense(let range) in plan.items where range.count < bucketFloats {
                XCTAssertTrue(range.lowerBound == table.range.upperBound || ranges.contains { $0.lowerBound == range.lowerBound },
                              "\(task): bucket \(range) closed before it was full")
            }
        }
        let ner = ReductionPlan(ranges: model.parameterRanges(for: .ner), layout: model.layout, table: table, bucketFloats: bucketFloats)
        let encoder = model.levels[0].encoder
        let directions = encoder.layers.reversed().flatMap { [$0.backward.wIH.offset, $0.forward.wIH.offset] }
        XCTAssertEqual(ner.items.map(ner.start(of:)).filter { $0 > table.offset }, directions, "\(ner.items)")
    }

    /// `ranges` sorted, touching ones joined.
    private static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        ranges.sorted { $0.lowerBound < $1.lowerBound }.reduce(into: []) { joined, range in
            if let last = joined.last, last.upperBound == range.lowerBound {
                joined[joined.count - 1] = last.lowerBound..<range.upperBound
            } else {
                joined.append(range)
            }
        }
    }
}
