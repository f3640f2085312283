import Foundation
import Model
import Training

/// `hmtl report`: one self-contained HTML page about a run folder — a summary table, then
/// the training charts from `metrics.jsonl`, then the scaling charts when a bench sweep is
/// at hand (`bench-sweep.json` in the folder, or a file named explicitly). Without metrics
/// (`hmtl bench --sweep`'s own page) only the scaling part.
public struct RunReport {
    public static let metricsFileName = "metrics.jsonl"
    static let sweepFileName = "bench-sweep.json"
    public static let defaultOutputName = "report.html"

    var runName: String
    var metrics: RunMetrics?
    var sweep: BenchSweep?
    var settings: RunSettings?

    init(runName: String, metrics: RunMetrics?, sweep: BenchSweep? = nil) {
        self.runName = runName
        self.metrics = metrics
        self.sweep = sweep
    }

    /// Reads the folder (and the sweep), writes the page, returns where. `bench` must exist
    /// when given; the folder's own `bench-sweep.json` is used when present.
    @discardableResult
    public static func write(runDirectory: URL, output: URL? = nil, bench: URL? = nil) throws -> URL {
        let metrics = try RunMetrics.read(runDirectory.appendingPathComponent(metricsFileName))
        let sweepURL = bench ?? runDirectory.appendingPathComponent(sweepFileName)
        let sweep = bench != nil || FileManager.default.fileExists(atPath: sweepURL.path) ? try BenchSweep.read(sweepURL) : nil
        var report = RunReport(runName: runDirectory.standardizedFileURL.lastPathComponent, metrics: metrics, sweep: sweep)
        report.settings = RunSettings.load(from: runDirectory)
        let destination = output ?? runDirectory.appendingPathComponent(defaultOutputName)
        try report.write(to: destination)
        return destination
    }

    /// The scaling page of a sweep file alone, written to `output`.
    public static func write(sweep url: URL, output: URL) throws {
        try RunReport(runName: url.deletingPathExtension().lastPathComponent, metrics: nil, sweep: try BenchSweep.read(url)).write(to: output)
    }

    private func write(to destination: URL) throws {
        do {
            try Data(html.utf8).write(to: destination, options: .atomic)
        } catch {
            throw TrainingError("\(destination.path): cannot write the report: \(error.localizedDescription)")
        }
    }

    /// The score each task's dev and test numbers are: its level kind's.
    static func metricName(_ task: String) -> String { LevelKinds.kind(of: Task(rawValue: task)).scoreDescription }

    var html: String {
        var sections = metrics.map(runSections) ?? []
        if let sweep {
            let scaling = ScalingCharts(sweep: sweep)
            var note = "Measured with hmtl bench --sweep"
            if let task = sweep.task { note += " on the \(task) task" }
            if let cores = sweep.cores { note += ", \(cores) cores" }
            note += ". The ideal line is linear scaling of the fewest-rank throughput."
            if let projection = scaling.projectionNote { note += " " + projection }
            sections.append(ReportPage.Section("Scaling", note: note,
                                               body: scaling.throughput.svg + scaling.efficiency.svg + "<h3>Measured</h3>" + scaling.pointsTable.html
                                                   + (scaling.projectionTable.map { "<h3>Projected</h3>" + $0.html } ?? "")))
        }
        guard let metrics else {
            return ReportPage(title: "hmtl scaling report: \(runName)", subtitle: "hmtl bench --sweep", sections: sections).html
        }
        let last = metrics.train.last.map { "step \($0.step)" } ?? "no steps logged"
        return ReportPage(title: "hmtl run report: \(runName)", subtitle: "\(metrics.tasks.joined(separator: ", ")) — \(last)",
                          sections: sections).html
    }

    /// Summary and training charts of a run's metrics.
    private func runSections(_ metrics: RunMetrics) -> [ReportPage.Section] {
        let charts = RunCharts(metrics: metrics)
        return [
            ReportPage.Section("Summary", body: runTable(charts, metrics).html + taskTable(charts, metrics).html + configDetails),
            ReportPage.Section("Where the time goes", note: "Wall time of each task's updates (forward, backward, reduction, "
                + "optimizer) over the logged windows, and of the validations.", body: timeTable(charts, metrics).html),
            ReportPage.Section("Training loss", note: "Mean loss per example over each logging window: per sentence for NER and EMD, "
                + "per document for coreference, 100 × mean binary cross-entropy for relations.", body: charts.loss.svg),
            ReportPage.Section("Dev score", note: "Each task's model-selection metric on the dev split, in percent: "
                + "span F1 (NER, EMD), relation F1 with argument heads (RE; dashed: with full argument boundaries, the spans "
                + "from the taggers below, not used for selection), CoNLL F1 (coreference). Rings mark each task's best.",
                body: charts.validation.svg),
            ReportPage.Section("Sampled tasks", note: "Updates spent on each task per logging window (one task per update); "
                + "the legend gives each task's total over the run.", body: charts.sampling.svg),
            ReportPage.Section("Learning rate", note: "Each task's Adam learning rate; it drops when the task's dev score plateaus. "
                + "Tasks at the same rate share one line (the last task drawn shows).",
                body: charts.learningRate.svg),
            ReportPage.Section("Throughput", note: "Training tokens per second summed over all ranks, per logging window "
                + "(windows with a validation or checkpoint include that time).", body: charts.throughput.svg),
        ]
    }

    private func runTable(_ charts: RunCharts, _ metrics: RunMetrics) -> HTMLTable {
        var rows: [[String]] = [["run folder", runName]]
        if let settings {
            if let tasks = settings.taskSummary { rows.append(["tasks", tasks]) }
            if let ranks = settings.worldSize { rows.append(["ranks", String(ranks)]) }
            if let schedule = settings.scheduleSummary { rows.append(["schedule", schedule]) }
            if let seed = settings.seed { rows.append(["seed", seed]) }
        } else {
            rows.append(["config", "not available (no readable checkpoint in the folder)"])
        }
        rows.append(["steps", metrics.train.last.map { String($0.step) } ?? "none logged"])
        let wall = metrics.trainingSeconds
        rows.append(["training wall time", wall > 0 ? formatDuration(wall) + " (up to the last log line)" : "–"])
        rows.append(["mean throughput", charts.meanThroughput.map { String(format: "%.0f tokens/s (all ranks)", $0) } ?? "–"])
        let skipped = metrics.skipped
        rows.append(["skipped steps", skipped.isEmpty ? "none"
                        : "\(skipped.count) (non-finite loss or gradient" + (skipped.count <= 10 ? ": steps " + skipped.map { String($0.step) }.joined(separator: ", ") : "") + ")"])
        rows.append(["checkpoints", metrics.checkpoints.isEmpty ? "none logged"
                        : "\(metrics.checkpoints.count), last \(metrics.checkpoints.last!.file ?? "?") at step \(metrics.checkpoints.last!.step)"])
        if metrics.resumes > 0 { rows.append(["resumed", "\(metrics.resumes) time(s)"]) }
        return HTMLTable(headers: [], rows: rows)
    }

    /// Per task: updates, mean ms per update, share of the training time; then validation.
    private func timeTable(_ charts: RunCharts, _ metrics: RunMetrics) -> HTMLTable {
        let times = metrics.timeByTask
        guard !times.isEmpty else { return HTMLTable(headers: [], rows: [["not recorded (a run from before ms_per_step was logged)"]]) }
        let validation = metrics.validationSeconds
        let total = max(times.values.reduce(0) { $0 + $1.seconds } + validation, 1e-9)
        var rows = charts.tasks.compactMap { task -> [String]? in
            guard let t = times[task], t.updates > 0 else { return nil }
            return [task, String(t.updates), String(format: "%.1f", t.millisecondsPerUpdate), formatDuration(t.seconds),
                    String(format: "%.1f%%", 100 * t.seconds / total)]
        }
        rows.append(["validation", String(metrics.validation.filter { $0.seconds != nil }.count), "–", formatDuration(validation),
                     String(format: "%.1f%%", 100 * validation / total)])
        return HTMLTable(headers: ["task", "updates", "ms per update", "time", "share"], rows: rows, numeric: [1, 2, 3, 4],
                         swatches: rows.map { charts.tasks.contains($0[0]) ? charts.palette.colour($0[0]) : nil })
    }

    private func taskTable(_ charts: RunCharts, _ metrics: RunMetrics) -> HTMLTable {
        let sampled = charts.sampledSteps
        let total = max(sampled.values.reduce(0, +), 1)
        let rows = charts.tasks.map { task -> [String] in
            let dev = metrics.validation.filter { $0.task == task }
            let final = dev.last.map { Self.score($0) + " @ \($0.step)" } ?? "–"
            let best = charts.bestValidation(task).map { Self.score($0) + " @ \($0.step)" } ?? "–"
            let test = metrics.test.last { $0.task == task }.map { t in
                Self.score(t) + (t.bestStep.map { " (params @ \($0))" } ?? "")
            } ?? "–"
            let steps = sampled[task].map { String(format: "%d (%.1f%%)", $0, 100 * Double($0) / Double(total)) } ?? "–"
            let rate = metrics.train.last?.learningRate[task] ?? dev.last?.learningRate
            return [task, Self.metricName(task), final, best, test, steps, rate.map { AxisScale.shortest($0) } ?? "–"]
        }
        return HTMLTable(headers: ["task", "metric", "final dev", "best dev", "test", "updates", "final lr"], rows: rows,
                         numeric: [2, 3, 4, 5, 6], swatches: charts.tasks.map { charts.palette.colour($0) })
    }

    /// A score in percent; RE's with its strict-boundary F1 in brackets.
    static func score(_ evaluation: RunMetrics.Evaluation) -> String {
        String(format: "%.2f", 100 * evaluation.score) + (evaluation.strictScore.map { String(format: " (%.2f)", 100 * $0) } ?? "")
    }

    private var configDetails: String {
        guard let settings else { return "" }
        return "<details><summary>Full config (from \(settings.source.xmlEscaped))</summary><pre>\(settings.prettyText.xmlEscaped)</pre></details>"
    }
}
