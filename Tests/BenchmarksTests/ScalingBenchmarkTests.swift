import Foundation
import Model
import TestSupport
import XCTest
@testable import Benchmarks

/// The ring-allreduce projection and the sweep's arithmetic on known inputs, and one real
/// `hmtl bench --sweep` at tiny shapes checked against the JSON schema `hmtl report` reads.
final class ScalingBenchmarkTests: XCTestCase {
    func testRingAllreduceTimeFollowsTheFormula() {
        let model = RingAllreduceModel(latency: 5e-6, bandwidth: 2e9)
        XCTAssertEqual(model.seconds(ranks: 1, bytes: 25e6), 0, "one rank reduces nothing")
        // N = 2: 2·1·5 µs + 2·1/2 · 25e6 / 2e9 s = 10 µs + 12.5 ms.
        XCTAssertEqual(model.seconds(ranks: 2, bytes: 25e6), 10e-6 + 12.5e-3, accuracy: 1e-12)
        // N = 8: 14·5 µs + 2·7/8 · 25e6 / 2e9 = 70 µs + 21.875 ms.
        XCTAssertEqual(model.seconds(ranks: 8, bytes: 25e6), 70e-6 + 21.875e-3, accuracy: 1e-12)
    }

    func testFitRecoversTheModelThatProducedTheMeasurements() {
        let truth = RingAllreduceModel(latency: 3e-6, bandwidth: 1.5e9)
        for ranks in [2, 4] {
            let small = truth.seconds(ranks: ranks, bytes: 0), big = truth.seconds(ranks: ranks, bytes: 8e6)
            let fitted = RingAllreduceModel.fitted(ranks: ranks, smallSeconds: small, bytes: 8e6, seconds: big)
            XCTAssertEqual(fitted.latency, truth.latency, accuracy: 1e-15)
            XCTAssertEqual(fitted.bandwidth, truth.bandwidth, accuracy: 1e-3)
        }
    }

    func testProjectionRows() {
        let rows = RingAllreduceModel(latency: 0, bandwidth: 1e9).project(ranks: [1, 2, 4], computeSeconds: 0.1, bytes: 1e8)
        XCTAssertEqual(rows.map(\.allreduceSeconds), [0, 0.1, 0.15])
        XCTAssertEqual(rows[0].speedup, 1)
        XCTAssertEqual(rows[1].speedup, 1, accuracy: 1e-12)   // 2 · 0.1 / 0.2
        XCTAssertEqual(rows[2].efficiency, 0.4, accuracy: 1e-12)  // 0.1 / 0.25
    }

    func testMixWeightedMedianWeighsEachTaskByItsDraws() {
        XCTAssertEqual(Benchmark.mixWeightedMedian([3, 1, 2], tasks: [.ner, .ner, .ner]), 2)
        // NER's median 2 (3 of 4 draws), coref's 10 (1 of 4): 0.75·2 + 0.25·10.
        XCTAssertEqual(Benchmark.mixWeightedMedian([1, 2, 10, 50], tasks: [.ner, .ner, .coref, .ner]), 4)
    }

    func testSweepNeedsAOneRankBaseline() {
        let point = ScalingSweep.Point(ranks: 2, threads: 1, tokensPerSecond: 1, msPerStep: 1, computeMs: 1, allreduceMs: 0,
                                       allreduceBytes: 4, isolatedAllreduceSeconds: 1, isolatedLatencySeconds: 0)
        XCTAssertThrowsError(try ScalingSweep(task: "blend", shapes: Benchmark.Shapes(), cores: 2, points: [point]))
    }

    /// `hmtl bench --sweep --ranks 1,2` end to end: the file has exactly the schema's keys,
    /// efficiency = speed-up / ranks, the projection's default rows, and N = 1 is free.
    func testSweepWritesTheSchema() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let directory = try makeTemporaryDirectory()
        let out = directory.appendingPathComponent("sweep.json")
        let config = CommandRunner.repositoryRoot.appendingPathComponent("configs/demo.json").path
        let result = try CommandRunner.run(["bench", "--sweep", "--ranks", "1,2", "--steps", "2", "--warmup", "1",
                                            "--batch", "2", "--length", "5", "--doc-length", "12", "--word-dim", "8", "--vocabulary", "50",
                                            "--isolated-iterations", "3", "--config", config, "--model-ranks", "1,8", "--out", out.path],
                                           timeout: 600)
        XCTAssertFalse(result.timedOut)
        XCTAssertEqual(result.status, 0, result.stderr)
        let root = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        XCTAssertEqual(Set(root.keys), ["tool", "kind", "task", "shapes", "cores", "points", "projection"])
        // Its page beside it: the two scaling charts, self-contained.
        let page = try String(contentsOf: directory.appendingPathComponent("sweep.html"), encoding: .utf8)
        XCTAssertEqual(page.components(separatedBy: "<svg").count - 1, 2)
        XCTAssertFalse(page.contains("http"), "the page must not load anything")
        XCTAssertEqual(root["tool"] as? String, "hmtl")
        XCTAssertEqual(root["kind"] as? String, "sweep")
        XCTAssertEqual(root["task"] as? String, "all")
        XCTAssertEqual(root["shapes"] as? [String: Int], ["batch": 2, "seq_len": 5, "doc_len": 12, "word_dim": 8])
        XCTAssertEqual(root["cores"] as? Int, ProcessInfo.processInfo.activeProcessorCount)
        let points = try XCTUnwrap(root["points"] as? [[String: Any]])
        XCTAssertEqual(points.map { $0["ranks"] as? Int }, [1, 2])
        let pointKeys: Set<String> = ["ranks", "threads", "oversubscribed", "tokens_per_s", "ms_per_step", "compute_ms", "allreduce_ms",
                                      "allreduce_fraction", "allreduce_bytes", "allreduce_dense_bytes", "allreduce_gbps", "isolated_allreduce_us",
                                      "isolated_allreduce_gbps", "speedup", "efficiency"]
        for point in points {
            XCTAssertEqual(Set(point.keys), pointKeys)
            let ranks = try XCTUnwrap(point["ranks"] as? Int)
            let speedup = try XCTUnwrap(point["speedup"] as? Double), efficiency = try XCTUnwrap(point["efficiency"] as? Double)
            XCTAssertEqual(efficiency, speedup / Double(ranks), accuracy: 1e-3)
            XCTAssertEqual(point["threads"] as? Int, 1)
            XCTAssertEqual(point["oversubscribed"] as? Bool, ranks > ProcessInfo.processInfo.activeProcessorCount)
            // The table goes by touched rows; the dense bound is never below it.
            XCTAssertLessThanOrEqual(try XCTUnwrap(point["allreduce_bytes"] as? Int), try XCTUnwrap(point["allreduce_dense_bytes"] as? Int))
            XCTAssertGreaterThan(try XCTUnwrap(point["tokens_per_s"] as? Double), 0)
            XCTAssertGreaterThan(try XCTUnwrap(point["allreduce_bytes"] as? Int), 0)
        }
        XCTAssertEqual(points[0]["speedup"] as? Double, 1)
        let projection = try XCTUnwrap(root["projection"] as? [String: Any])
        XCTAssertEqual(Set(projection.keys), ["latency_us", "bandwidth_gbps", "source", "rows"])
        XCTAssertEqual(projection["source"] as? String, "measured")
        XCTAssertGreaterThan(try XCTUnwrap(projection["bandwidth_gbps"] as? Double), 0)
        let rows = try XCTUnwrap(projection["rows"] as? [[String: Any]])
        XCTAssertEqual(rows.map { $0["ranks"] as? Int }, [1, 8])
        for row in rows { XCTAssertEqual(Set(row.keys), ["ranks", "compute_ms", "allreduce_ms", "ms_per_step", "speedup", "efficiency"]) }
        XCTAssertEqual(rows[0]["allreduce_ms"] as? Double, 0)
        XCTAssertEqual(rows[0]["efficiency"] as? Double, 1)
        XCTAssertTrue(result.stdout.contains("efficiency"), result.stdout)
    }

    func testSweepRejectsARankListWithoutOne() throws {
        let result = try CommandRunner.run(["bench", "--sweep", "--ranks", "2,4"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("--ranks"), result.stderr)
    }
}
