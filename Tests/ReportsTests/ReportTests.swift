import Foundation
import TestSupport
import XCTest
@testable import Reports

final class ReportTests: XCTestCase {
    // MARK: nice ticks

    func testNiceStepIsTheSmallestThatFits() {
        XCTAssertEqual(AxisScale.niceStep(lower: 0, upper: 0.93, maxIntervals: 6), 0.2, accuracy: 1e-12)
        XCTAssertEqual(AxisScale.niceStep(lower: 0, upper: 1600, maxIntervals: 8), 200)
        XCTAssertEqual(AxisScale.niceStep(lower: 3.2, upper: 97.5, maxIntervals: 6), 20)
        XCTAssertEqual(AxisScale.niceStep(lower: 0, upper: 1, maxIntervals: 4), 0.25)
        // Rounding out to whole steps must not exceed the budget: 10...10.9 at step 0.2 fits.
        XCTAssertEqual(AxisScale.niceStep(lower: 10.05, upper: 10.93, maxIntervals: 5), 0.2, accuracy: 1e-12)
    }

    func testLinearTicksCoverTheDataAndEndOnTicks() {
        let steps = AxisScale(covering: [25, 1600], includeZero: true, maxIntervals: 8)
        XCTAssertEqual(steps.ticks, [0, 200, 400, 600, 800, 1000, 1200, 1400, 1600])
        XCTAssertEqual(steps.fraction(800), 0.5)

        let scores = AxisScale(covering: [0.5, 93.1, .nan, .infinity])
        XCTAssertEqual(scores.lower, 0)
        XCTAssertEqual(scores.upper, 100)
        XCTAssertEqual(scores.ticks.map { scores.label($0) }, ["0", "20", "40", "60", "80", "100"])

        let quarters = AxisScale(covering: [0, 1], maxIntervals: 4)
        XCTAssertEqual(quarters.ticks.map { quarters.label($0) }, ["0.00", "0.25", "0.50", "0.75", "1.00"])
        let tenths = AxisScale(covering: [0.1, 0.3])
        XCTAssertEqual(tenths.ticks.map { tenths.label($0) }, ["0.10", "0.15", "0.20", "0.25", "0.30"])

        let tokens = AxisScale(covering: [0, 24_000], maxIntervals: 5)
        XCTAssertEqual(tokens.ticks.map { tokens.label($0) }, ["0k", "5k", "10k", "15k", "20k", "25k"])
    }

    func testDegenerateAxesStillHaveARange() {
        let constant = AxisScale(covering: [4, 4])
        XCTAssertLessThan(constant.lower, 4)
        XCTAssertGreaterThan(constant.upper, 4)
        let empty = AxisScale(covering: [])
        XCTAssertEqual([empty.lower, empty.upper], [0, 1])
        let rate = AxisScale(covering: [0.001], includeZero: true)
        XCTAssertEqual(rate.lower, 0)
        XCTAssertGreaterThanOrEqual(rate.upper, 0.001)
    }

    func testLogarithmicTicks() {
        let rates = AxisScale(covering: [0.00025, 0.001, 0, -1], kind: .logarithmic(base: 10))
        XCTAssertEqual(rates.lower, 0.0002, accuracy: 1e-15)
        XCTAssertEqual(rates.upper, 0.002, accuracy: 1e-15)
        XCTAssertEqual(rates.ticks.map { rates.label($0) }, ["0.0002", "0.0005", "0.001", "0.002"])
        XCTAssertEqual(rates.fraction(0.002), 1, accuracy: 1e-12)

        let constant = AxisScale(covering: [0.001, 0.001], kind: .logarithmic(base: 10))
        XCTAssertEqual(constant.fraction(0.001), 0.5, accuracy: 1e-12, "0.0005...0.002: a constant sits mid-axis")

        let losses = AxisScale(covering: [0.6, 153], kind: .logarithmic(base: 10))
        XCTAssertEqual([losses.lower, losses.upper], [0.5, 200])
        XCTAssertEqual(losses.ticks, [1, 10, 100], "too many 1-2-5 levels: powers only")

        let ranks = AxisScale(covering: [1, 6], kind: .logarithmic(base: 2))
        XCTAssertEqual(ranks.ticks, [1, 2, 4, 8], "counts: from the data's own power")
        let tokens = AxisScale(covering: [6000, 400_000], kind: .logarithmic(base: 10))
        XCTAssertEqual(tokens.ticks.map { tokens.label($0) }, ["5k", "10k", "20k", "50k", "100k", "200k", "500k"])
        XCTAssertEqual(AxisScale.shortest(1e-5), "1e-5")
        XCTAssertEqual(AxisScale.shortest(2.5e7), "2.5e7")
    }

    // MARK: escaping

    func testXMLEscaping() {
        XCTAssertEqual("<a href=\"x\">R&D's</a>".xmlEscaped, "&lt;a href=&quot;x&quot;&gt;R&amp;D&#39;s&lt;/a&gt;")
        XCTAssertEqual("ner — F1 ≥ 90".xmlEscaped, "ner — F1 ≥ 90")
    }

    func testTextInChartsAndTablesIsEscaped() {
        let chart = LineChart(label: "a<b", xAxis: .init("x & y"), yAxis: .init("\"y\""),
                              series: [.init("<task>", colour: "red", points: [.init(0, 1), .init(1, 2)])])
        XCTAssertFalse(chart.svg.contains("<task>"))
        XCTAssertTrue(chart.svg.contains("&lt;task&gt;"))
        XCTAssertTrue(chart.svg.contains("x &amp; y"))
        let table = HTMLTable(headers: ["<h>"], rows: [["a&b"]]).html
        XCTAssertTrue(table.contains("&lt;h&gt;") && table.contains("a&amp;b"))
    }

    // MARK: charts

    func testNonFinitePointsBreakTheLine() {
        let chart = LineChart(label: "loss", xAxis: .init("step"), yAxis: .init("loss", kind: .logarithmic(base: 10)),
                              series: [.init("ner", colour: "#000", points: [.init(1, 2), .init(2, 1), .init(3, .nan), .init(4, 0), .init(5, 1), .init(6, 0.5)])])
        let svg = chart.svg
        let path = try! XCTUnwrap(svg.components(separatedBy: "<path d=\"").dropFirst().first?.prefix { $0 != "\"" })
        XCTAssertEqual(path.filter { $0 == "M" }.count, 2, "NaN and 0 (on a log axis) are skipped and split the line: \(path)")
        XCTAssertFalse(svg.contains("nan") || svg.contains("inf"))
    }

    func testChartsWithoutDataSaySo() {
        var chart = LineChart(label: "dev", xAxis: .init("step"), yAxis: .init("F1"), series: [.init("ner", colour: "#000", points: [.init(1, .nan)])])
        chart.emptyMessage = "Nothing here yet."
        XCTAssertTrue(chart.svg.hasPrefix("<svg"))
        XCTAssertTrue(chart.svg.contains("Nothing here yet."))
        let bars = StackedBarChart(label: "bars", xTitle: "x", yTitle: "y", layers: [], bars: [])
        XCTAssertTrue(bars.svg.contains("No data to plot."))
    }

    func testStackedBarsStackFromZero() {
        let chart = StackedBarChart(label: "sampled", xTitle: "step", yTitle: "steps",
                                    layers: [.init("ner", colour: "#111"), .init("emd", colour: "#222")],
                                    bars: [.init(from: 0, to: 100, values: [60, 40]), .init(from: 100, to: 150, values: [50, .nan])])
        let svg = chart.svg
        XCTAssertEqual(svg.components(separatedBy: "<rect").count - 1, 3 + 2, "three bar segments and two legend swatches")
    }

    // MARK: metrics parsing

    func testMetricsParseAndTheLaterRecordOfAStepWins() throws {
        let metrics = try RunMetrics(text: Self.metricsFixture, file: "metrics.jsonl")
        XCTAssertEqual(metrics.train.map(\.step), [100, 200, 300, 400])
        XCTAssertEqual(metrics.resumes, 1)
        XCTAssertEqual(metrics.train[2].loss["ner"], 1.25, "the replayed step 300 after the resume replaces the first one")
        XCTAssertEqual(metrics.train[0].learningRate["ner"], 0.001)
        XCTAssertEqual(metrics.tasks, ["ner", "emd", "relation", "<odd & task>"])
        XCTAssertEqual(metrics.validation.count, 4)
        XCTAssertTrue(metrics.validation.last!.score.isNaN, "null reads as NaN")
        XCTAssertEqual(metrics.skipped.map(\.step), [250])
        XCTAssertEqual(metrics.test.map(\.task), ["ner"])
    }

    /// RE's strict-boundary F1 is drawn dashed beside its head-match F1, which selects the
    /// model, and shown in brackets in the task table.
    func testRelationStrictScoreIsDrawnBesideTheSelectionScore() throws {
        let text = """
        {"kind":"validation","step":10,"task":"relation","f1":0.5,"strict_f1":0.25}
        {"kind":"validation","step":20,"task":"relation","f1":0.6,"strict_f1":0.3}
        {"kind":"test","step":20,"task":"relation","f1":0.55,"strict_f1":0.2,"best_step":20}
        """
        let metrics = try RunMetrics(text: text, file: "metrics.jsonl")
        let chart = RunCharts(metrics: metrics).validation
        XCTAssertEqual(chart.series.map(\.name), ["relation", "relation, strict boundaries"])
        XCTAssertEqual(chart.series[1].points, [LineChart.Point(10, 25), LineChart.Point(20, 30)])
        XCTAssertEqual(chart.series[1].stroke.dashArray, Stroke.dashed.dashArray)
        XCTAssertEqual(chart.highlights.map(\.point), [LineChart.Point(20, 60)], "the best is the head-match F1's")
        let page = RunReport(runName: "re", metrics: metrics).html
        XCTAssertTrue(page.contains(">60.00 (30.00) @ 20<"), "best dev, strict in brackets")
        XCTAssertTrue(page.contains(">55.00 (20.00) (params @ 20)<"), "test")
        XCTAssertTrue(page.contains(">relation F1, argument heads (strict boundaries)<"), "the metric as the relation kind names it")
    }

    /// The task table names each task's score as its level kind does; a level a config adds
    /// (a tagging level by any name) reports span F1.
    func testMetricNamesComeFromTheLevelKinds() {
        XCTAssertEqual(RunReport.metricName("ner"), "span F1")
        XCTAssertEqual(RunReport.metricName("outer"), "span F1")
        XCTAssertEqual(RunReport.metricName("coref"), "CoNLL F1 (mean of MUC, B³, CEAF-e)")
    }

    /// The completion record is a run's last word: a later start or step (a finished run
    /// resumed with a higher cap) voids it.
    func testTheEndRecordCountsOnlyWhenNothingFollowsIt() throws {
        let start = #"{"kind":"start","step":0,"world_size":2,"steps_per_epoch":5,"cpu_model":"X","blas_kernel":"Haswell","threads":"1"}"#
        let train = #"{"kind":"train","step":10,"loss":{},"steps_per_task":{},"tokens_per_second":1,"seconds":1}"#
        let end = #"{"kind":"end","step":10,"reason":"max_epochs","epochs":2,"steps_per_epoch":5,"best":{"ner":{"step":5,"out_of_patience":false}}}"#
        func metrics(_ lines: [String]) throws -> RunMetrics { try RunMetrics(text: lines.joined(separator: "\n"), file: "metrics.jsonl") }
        let ended = try metrics([start, train, end])
        XCTAssertEqual(ended.end?.reason, "max_epochs")
        XCTAssertEqual(ended.end?.bestSteps, ["ner": 5])
        XCTAssertEqual(ended.starts.map(\.worldSize), [2])
        XCTAssertEqual(ended.starts.first?.machine["blas_kernel"], "Haswell")
        XCTAssertNil(try metrics([start, train, end, start]).end)
        XCTAssertNil(try metrics([start, train, end, train]).end)
        XCTAssertThrowsError(try metrics([start, #"{"kind":"end","step":10,"reason":"x","epochs":2,"steps_per_epoch":5,"best":{"ner":{}}}"#])) {
            XCTAssertEqual("\($0)", #"metrics.jsonl:2: end record: field "best": expected an object of {"step": …} per task"#)
        }
    }

    func testMalformedLinesNameTheFileAndLine() {
        func message(_ text: String) -> String {
            do { _ = try RunMetrics(text: text, file: "/run/metrics.jsonl"); return "no error" } catch { return "\(error)" }
        }
        let good = #"{"kind":"checkpoint","step":1,"file":"ckpt-1.h5"}"#
        XCTAssertTrue(message(good + "\n{not json\n").hasPrefix("/run/metrics.jsonl:2: expected one JSON object per line"), message(good + "\n{not json\n"))
        XCTAssertTrue(message(good + "\n\n[1, 2]").hasPrefix("/run/metrics.jsonl:3:"))
        XCTAssertEqual(message(#"{"kind":"train","step":5,"loss":{},"steps_per_task":{},"seconds":1}"#),
                       #"/run/metrics.jsonl:1: train record: missing field "tokens_per_second" (expected a number)"#)
        XCTAssertEqual(message(#"{"kind":"validation","step":"ten","task":"ner","f1":0.5}"#),
                       #"/run/metrics.jsonl:1: validation record: field "step": expected an integer"#)
        XCTAssertEqual(message(#"{"step":1}"#), #"/run/metrics.jsonl:1: missing field "kind" (expected a string)"#)
        XCTAssertEqual(message(#"{"kind":"something_new","step":"any"}"#), "no error", "unknown kinds are passed over")
    }

    func testBenchSweepErrorsNameTheFile() throws {
        let url = try makeTemporaryDirectory().appendingPathComponent("sweep.json")
        try Data(#"{"kind":"sweep","points":[{"ranks":2}]}"#.utf8).write(to: url)
        XCTAssertThrowsError(try BenchSweep.read(url)) { XCTAssertTrue("\($0)".contains("\(url.path): bench sweep: missing field points[0].tokens_per_s"), "\($0)") }
        try Data(#"{"kind":"bench","points":[]}"#.utf8).write(to: url)
        XCTAssertThrowsError(try BenchSweep.read(url)) { XCTAssertTrue("\($0)".contains("expected \"kind\": \"sweep\""), "\($0)") }
    }

    // MARK: the page

    func testPageHasOneSVGPerChartAndNothingExternal() throws {
        let metrics = try RunMetrics(text: Self.metricsFixture, file: "metrics.jsonl")
        let plain = RunReport(runName: "demo <1>", metrics: metrics).html
        XCTAssertEqual(Self.count("<svg", in: plain), 5, "loss, dev score, sampling, learning rate, throughput")
        let sweep = try BenchSweep.decode(Data(Self.sweepFixture.utf8), file: "sweep.json")
        let full = RunReport(runName: "demo <1>", metrics: metrics, sweep: sweep).html
        XCTAssertEqual(Self.count("<svg", in: full), 7, "plus throughput and efficiency against ranks")
        for page in [plain, full] {
            XCTAssertEqual(Self.count("</svg>", in: page), Self.count("<svg", in: page))
            XCTAssertFalse(page.lowercased().contains("http"), "no URL of any kind: the page is self-contained")
            XCTAssertFalse(page.lowercased().contains("<script"))
            XCTAssertFalse(page.contains("<odd & task>"))
            XCTAssertTrue(page.contains("&lt;odd &amp; task&gt;"))
            XCTAssertTrue(page.contains("demo &lt;1&gt;"))
        }
        XCTAssertTrue(full.contains("oversubscribed"))
        XCTAssertTrue(full.contains("Projection: allreduce time from a latency–bandwidth model (latency 20.0 µs"))
        XCTAssertTrue(plain.contains("250"), "the skipped step is listed")
    }

    /// Per task: updates, mean ms per update and share of the time, from the windows' ms_per_step.
    func testWhereTheTimeGoesWeighsEachWindowByItsSteps() throws {
        let text = """
        {"kind":"train","step":20,"loss":{"ner":1,"emd":1},"steps_per_task":{"ner":10,"emd":10},"ms_per_step":{"ner":20,"emd":40},"tokens_per_second":1,"seconds":0.6}
        {"kind":"train","step":30,"loss":{"ner":1},"steps_per_task":{"ner":10},"ms_per_step":{"ner":30},"tokens_per_second":1,"seconds":0.3}
        {"kind":"validation","step":30,"task":"ner","f1":0.5,"seconds":0.1}
        """
        let page = RunReport(runName: "timed", metrics: try RunMetrics(text: text, file: "metrics.jsonl")).html
        let section = try XCTUnwrap(page.range(of: "Where the time goes").map { String(page[$0.upperBound...]) })
        let cells = section.components(separatedBy: "<td").prefix(16).joined(separator: "<td")
        for expected in [">ner<", ">20<", ">25.0<", ">50.0%<", ">emd<", ">10<", ">40.0<", ">40.0%<", ">validation<", ">10.0%<"] {
            XCTAssertTrue(cells.contains(expected), "\(expected) in \(cells)")
        }
        let old = RunReport(runName: "old", metrics: try RunMetrics(text: Self.metricsFixture, file: "metrics.jsonl")).html
        XCTAssertTrue(old.contains("not recorded (a run from before ms_per_step was logged)"))
    }

    func testCommandWritesThePageAndFailsClearly() throws {
        let folder = try makeTemporaryDirectory()

        let missing = try CommandRunner.run(["report", folder.path])
        XCTAssertEqual(missing.status, 2)
        XCTAssertTrue(missing.stderr.contains("\(folder.path)/metrics.jsonl: no such file"), missing.stderr)

        try Data(Self.metricsFixture.utf8).write(to: folder.appendingPathComponent("metrics.jsonl"))
        try Data(Self.sweepFixture.utf8).write(to: folder.appendingPathComponent("bench-sweep.json"))
        let ok = try CommandRunner.run(["report", folder.path])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        let page = try String(contentsOf: folder.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertEqual(Self.count("<svg", in: page), 7)

        let elsewhere = folder.appendingPathComponent("elsewhere.html")
        let bad = folder.appendingPathComponent("bad-sweep.json")
        try Data("{}".utf8).write(to: bad)
        let badSweep = try CommandRunner.run(["report", folder.path, "--output", elsewhere.path, "--bench", bad.path])
        XCTAssertEqual(badSweep.status, 2)
        XCTAssertTrue(badSweep.stderr.contains(bad.path), badSweep.stderr)

        try Data((Self.metricsFixture + "{\"kind\": \"train\", \"step\": 500\n").utf8).write(to: folder.appendingPathComponent("metrics.jsonl"))
        let malformed = try CommandRunner.run(["report", folder.path])
        XCTAssertEqual(malformed.status, 2)
        let lines = Self.metricsFixture.split(separator: "\n", omittingEmptySubsequences: false).count
        XCTAssertTrue(malformed.stderr.contains("metrics.jsonl:\(lines):"), malformed.stderr)
    }

    // MARK: fixtures

    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// A short run with a resume (step 300 logged twice), a skipped step, a null score and a
    /// task name that needs escaping.
    static let metricsFixture = """
    {"kind":"train","step":100,"loss":{"ner":3.5,"emd":4.0,"relation":0.9},"steps_per_task":{"ner":40,"emd":45,"relation":15},"tokens_per_second":5200.5,"seconds":2.0,"lr":{"ner":0.001,"emd":0.001,"relation":0.001}}
    {"kind":"validation","step":100,"task":"ner","f1":0.61,"precision":0.6,"recall":0.62,"best":0.61,"learning_rate":0.001}
    {"kind":"best","step":100,"task":"ner","file":"best-ner.h5"}
    {"kind":"train","step":200,"loss":{"ner":2.0,"emd":2.5,"relation":0.4},"steps_per_task":{"ner":38,"emd":47,"relation":15},"tokens_per_second":5400,"seconds":1.9,"lr":{"ner":0.001,"emd":0.001,"relation":0.001}}
    {"kind":"validation","step":200,"task":"ner","f1":0.74,"best":0.74,"learning_rate":0.001}
    {"kind":"checkpoint","step":200,"file":"ckpt-200.h5"}
    {"kind":"skipped","step":250,"task":"emd","consecutive":1,"total":1}
    {"kind":"train","step":300,"loss":{"ner":9.0,"emd":1.9,"relation":0.3},"steps_per_task":{"ner":30,"emd":50,"relation":19},"tokens_per_second":5100,"seconds":2.1,"lr":{"ner":0.001,"emd":0.001,"relation":0.001}}
    {"kind":"train","step":300,"loss":{"ner":1.25,"emd":1.9,"relation":0.3},"steps_per_task":{"ner":30,"emd":50,"relation":19},"tokens_per_second":5150,"seconds":2.05,"lr":{"ner":0.001,"emd":0.001,"relation":0.001}}
    {"kind":"validation","step":300,"task":"ner","f1":0.72,"best":0.74,"learning_rate":0.0005}
    {"kind":"train","step":400,"loss":{"ner":1.0,"emd":1.5,"relation":0.2,"<odd & task>":2},"steps_per_task":{"ner":35,"emd":45,"relation":20},"tokens_per_second":5300,"seconds":2.0,"lr":{"ner":0.0005,"emd":0.001,"relation":0.001}}
    {"kind":"validation","step":400,"task":"relation","f1":null,"learning_rate":0.001}
    {"kind":"test","step":400,"task":"ner","f1":0.7,"best_step":200}
    {"kind":"checkpoint","step":400,"file":"ckpt-400.h5"}

    """

    static let sweepFixture = """
    {"tool":"hmtl","kind":"sweep","task":"ner","shapes":{"batch":32,"seq_len":25,"word_dim":300},"cores":2,
     "points":[
      {"ranks":1,"threads":1,"oversubscribed":false,"tokens_per_s":6000,"ms_per_step":133.3,"compute_ms":133,"allreduce_ms":0.3,"allreduce_fraction":0.002,"allreduce_bytes":0,"allreduce_gbps":0,"isolated_allreduce_us":0,"isolated_allreduce_gbps":0,"speedup":1,"efficiency":1},
      {"ranks":2,"threads":1,"oversubscribed":false,"tokens_per_s":11000,"ms_per_step":145.4,"compute_ms":135,"allreduce_ms":10.4,"allreduce_fraction":0.07,"allreduce_bytes":8000000,"allreduce_gbps":0.77,"isolated_allreduce_us":9000,"isolated_allreduce_gbps":0.9,"speedup":1.83,"efficiency":0.92},
      {"ranks":4,"threads":1,"oversubscribed":true,"tokens_per_s":10500,"ms_per_step":304.8,"compute_ms":270,"allreduce_ms":34.8,"allreduce_fraction":0.11,"allreduce_bytes":8000000,"allreduce_gbps":0.23,"isolated_allreduce_us":30000,"isolated_allreduce_gbps":0.27,"speedup":1.75,"efficiency":0.44}
     ],
     "projection":{"latency_us":20,"bandwidth_gbps":10,"source":"isolated allreduce at 2 ranks",
      "rows":[{"ranks":8,"compute_ms":133,"allreduce_ms":2.5,"ms_per_step":135.5,"speedup":7.87,"efficiency":0.98},
              {"ranks":64,"compute_ms":133,"allreduce_ms":3.1,"ms_per_step":136.1,"speedup":62.7,"efficiency":0.98}]}}
    """
}
