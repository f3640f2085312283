import Foundation

/// The training charts of a run, built from its metrics: loss, dev score, sampled tasks,
/// learning rate and throughput, each against the update step, one colour per task.
public struct RunCharts {
    let metrics: RunMetrics
    let palette: TaskPalette
    let tasks: [String]

    public init(metrics: RunMetrics) {
        self.metrics = metrics
        tasks = metrics.tasks
        palette = TaskPalette(tasks: tasks)
    }

    static let stepAxis = LineChart.Axis("update step", includeZero: true, maxIntervals: 8)
    /// More windows than this are merged into wider bars, so bars stay wider than a line.
    static let maxBars = 60

    public var loss: LineChart {
        let series = tasks.map { task in
            LineChart.Series(task, colour: palette.colour(task), points: metrics.train.compactMap { record in
                record.loss[task].map { LineChart.Point(Double(record.step), $0) }
            })
        }
        var chart = LineChart(label: "Training loss per task", xAxis: Self.stepAxis,
                              yAxis: LineChart.Axis("loss per example (log scale)", kind: .logarithmic(base: 10)), series: series)
        chart.emptyMessage = "No training records in metrics.jsonl yet."
        return chart
    }

    /// Dev score per task in percent, the best one ringed. The best is the first step with
    /// the highest score, as early stopping counts it (an equal score is no improvement). RE's
    /// strict-boundary F1 is drawn dashed beside its head-match F1, which selects the model.
    public var validation: LineChart {
        var chart = LineChart(label: "Dev score per task", xAxis: Self.stepAxis, yAxis: LineChart.Axis("dev score (%)"), series: [])
        for task in tasks {
            let records = metrics.validation.filter { $0.task == task }
            let points = records.map { LineChart.Point(Double($0.step), 100 * $0.score) }
            chart.series.append(LineChart.Series(task, colour: palette.colour(task), points: points, markers: true))
            let strict = records.compactMap { r in r.strictScore.map { LineChart.Point(Double(r.step), 100 * $0) } }
            if !strict.isEmpty {
                chart.series.append(LineChart.Series("\(task), strict boundaries", colour: palette.colour(task), points: strict, stroke: .dashed))
            }
            if let best = bestValidation(task) {
                chart.highlights.append(LineChart.Highlight(LineChart.Point(Double(best.step), 100 * best.score), colour: palette.colour(task),
                                                            label: String(format: "%.1f", 100 * best.score)))
            }
        }
        chart.extraLegend = [LegendEntry("best dev score", colour: TaskPalette.neutral, symbol: .ring)]
        chart.emptyMessage = "No validation yet (the first comes after training.validate_every steps)."
        return chart
    }

    func bestValidation(_ task: String) -> RunMetrics.Evaluation? {
        metrics.validation.filter { $0.task == task && $0.score.isFinite }.reduce(nil) { best, record in
            best.map { record.score > $0.score ? record : $0 } ?? record
        }
    }

    /// Steps each task was sampled in each logging window. A window covers the steps it
    /// counts, ending at its record's step (exact even across a resume).
    var sampling: StackedBarChart {
        var bars = metrics.train.map { record in
            let counts = tasks.map { Double(record.stepsPerTask[$0] ?? 0) }
            return StackedBarChart.Bar(from: Double(record.step) - counts.reduce(0, +), to: Double(record.step), values: counts)
        }
        if bars.count > Self.maxBars {
            let group = (bars.count + Self.maxBars - 1) / Self.maxBars
            bars = stride(from: 0, to: bars.count, by: group).map { start in
                let slice = bars[start..<min(start + group, bars.count)]
                return StackedBarChart.Bar(from: slice.first!.lower, to: slice.last!.upper,
                                           values: tasks.indices.map { i in slice.reduce(0) { $0 + $1.values[i] } })
            }
        }
        let totals = sampledSteps
        let all = max(totals.values.reduce(0, +), 1)
        let layers = tasks.map { task in
            let count = totals[task] ?? 0
            return StackedBarChart.Layer(String(format: "%@  %d (%.1f%%)", task, count, 100 * Double(count) / Double(all)), colour: palette.colour(task))
        }
        var chart = StackedBarChart(label: "Sampled tasks per logging window", xTitle: "update step",
                                    yTitle: "steps in window", layers: layers, bars: bars)
        chart.emptyMessage = "No training records in metrics.jsonl yet."
        return chart
    }

    /// Steps sampled per task over the whole run.
    var sampledSteps: [String: Int] {
        metrics.train.reduce(into: [:]) { totals, record in
            for (task, count) in record.stepsPerTask { totals[task, default: 0] += count }
        }
    }

    /// From the train records' `lr` when present; files from before that field existed still
    /// have each validation's rate.
    var learningRate: LineChart {
        let fromTrain = metrics.train.contains { !$0.learningRate.isEmpty }
        let series = tasks.map { task in
            let points = fromTrain
                ? metrics.train.compactMap { r in r.learningRate[task].map { LineChart.Point(Double(r.step), $0) } }
                : metrics.validation.filter { $0.task == task }.compactMap { r in r.learningRate.map { LineChart.Point(Double(r.step), $0) } }
            return LineChart.Series(task, colour: palette.colour(task), points: points, interpolation: .stepAfter)
        }
        var chart = LineChart(label: "Learning rate per task", xAxis: Self.stepAxis,
                              yAxis: LineChart.Axis("learning rate (log scale)", kind: .logarithmic(base: 10)), series: series)
        chart.emptyMessage = "No learning rates recorded."
        return chart
    }

    var throughput: LineChart {
        let points = metrics.train.map { LineChart.Point(Double($0.step), $0.tokensPerSecond) }
        var series = [LineChart.Series("tokens/s, all ranks", colour: TaskPalette.neutral, points: points, markers: points.count <= 40)]
        if let mean = meanThroughput, let first = points.first, let last = points.last {
            series.append(LineChart.Series(String(format: "run mean %.0f", mean), colour: "#999999",
                                           points: [LineChart.Point(first.x, mean), LineChart.Point(last.x, mean)], stroke: .dashed))
        }
        var chart = LineChart(label: "Training throughput", xAxis: Self.stepAxis,
                              yAxis: LineChart.Axis("tokens per second", includeZero: true), series: series)
        chart.emptyMessage = "No training records in metrics.jsonl yet."
        return chart
    }

    /// Tokens over seconds across all windows (a time-weighted mean, not a mean of rates).
    var meanThroughput: Double? {
        let timed = metrics.train.filter { $0.seconds.isFinite && $0.seconds > 0 && $0.tokensPerSecond.isFinite }
        let seconds = timed.reduce(0) { $0 + $1.seconds }
        guard seconds > 0 else { return nil }
        return timed.reduce(0) { $0 + $1.tokensPerSecond * $1.seconds } / seconds
    }
}
