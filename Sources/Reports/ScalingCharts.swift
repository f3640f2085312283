import Foundation

/// The charts and tables of a bench sweep: measured throughput and parallel efficiency
/// against the number of ranks, next to ideal linear scaling and, when the sweep has one, the
/// projection to more ranks. Oversubscribed points (more ranks than cores) are ringed: they
/// time-share cores, so their shortfall says nothing about the network.
struct ScalingCharts {
    let sweep: BenchSweep

    static let measured = "#0072B2", projected = "#CC79A7", ideal = "#888888", oversubscribed = "#D55E00"
    static let ranksAxis = LineChart.Axis("MPI ranks (log scale)", kind: .logarithmic(base: 2), maxIntervals: 10)

    private var points: [BenchSweep.Point] { sweep.points.sorted { $0.ranks < $1.ranks } }
    private var rows: [BenchSweep.ProjectionRow] { (sweep.projection?.rows ?? []).sorted { $0.ranks < $1.ranks } }
    /// Every rank count on the chart, measured or projected.
    private var allRanks: [Double] { Array(Set(points.map(\.ranks) + rows.map(\.ranks))).sorted().map(Double.init) }

    private func efficiencyPercent(_ value: Double?) -> Double? {
        value.map { sweep.efficiencyIsPercent ? $0 : 100 * $0 }
    }

    var throughput: LineChart {
        var series = [LineChart.Series("measured", colour: Self.measured,
                                       points: points.map { LineChart.Point(Double($0.ranks), $0.tokensPerS) }, markers: true)]
        if let base = sweep.baseline {
            series.append(LineChart.Series("ideal (linear)", colour: Self.ideal, points: allRanks.map { LineChart.Point($0, base * $0) }, stroke: .dashed))
            let projected = rows.compactMap { row in row.speedup.map { LineChart.Point(Double(row.ranks), base * $0) } }
            if !projected.isEmpty {
                series.append(LineChart.Series("projected", colour: Self.projected, points: projected, stroke: .dotted, markers: true))
            }
        }
        var chart = LineChart(label: "Throughput against ranks", xAxis: Self.ranksAxis,
                              yAxis: LineChart.Axis("tokens per second (log scale)", kind: .logarithmic(base: 10)), series: series)
        ring(&chart) { Double($0.tokensPerS) }
        chart.emptyMessage = "The sweep has no points."
        return chart
    }

    var efficiency: LineChart {
        let measured = points.compactMap { p in efficiencyPercent(p.efficiency).map { LineChart.Point(Double(p.ranks), $0) } }
        var series = [LineChart.Series("measured", colour: Self.measured, points: measured, markers: true)]
        series.append(LineChart.Series("ideal", colour: Self.ideal, points: allRanks.map { LineChart.Point($0, 100) }, stroke: .dashed))
        let projected = rows.compactMap { row in efficiencyPercent(row.efficiency).map { LineChart.Point(Double(row.ranks), $0) } }
        if !projected.isEmpty {
            series.append(LineChart.Series("projected", colour: Self.projected, points: projected, stroke: .dotted, markers: true))
        }
        var chart = LineChart(label: "Parallel efficiency against ranks", xAxis: Self.ranksAxis,
                              yAxis: LineChart.Axis("efficiency (% of linear)", includeZero: true, maxIntervals: 5), series: series)
        ring(&chart) { efficiencyPercent($0.efficiency) }
        chart.emptyMessage = "The sweep records no efficiencies."
        return chart
    }

    private func ring(_ chart: inout LineChart, value: (BenchSweep.Point) -> Double?) {
        let over = points.filter { $0.oversubscribed == true }
        chart.highlights = over.compactMap { p in value(p).map { LineChart.Highlight(LineChart.Point(Double(p.ranks), $0), colour: Self.oversubscribed) } }
        if !over.isEmpty {
            chart.extraLegend = [LegendEntry("oversubscribed", colour: Self.oversubscribed, symbol: .ring)]
        }
    }

    var pointsTable: HTMLTable {
        HTMLTable(
            headers: ["ranks", "threads", "oversubscribed", "tokens/s", "ms/step", "compute ms", "allreduce ms", "allreduce share", "allreduce GB/s", "speedup", "efficiency"],
            rows: points.map { p in
                [String(p.ranks), p.threads.map(String.init) ?? "–", p.oversubscribed == true ? "yes" : "no",
                 Self.format(p.tokensPerS, "%.0f"), Self.format(p.msPerStep, "%.2f"), Self.format(p.computeMs, "%.2f"),
                 Self.format(p.allreduceMs, "%.2f"), Self.format(p.allreduceFraction.map { 100 * $0 }, "%.1f%%"),
                 Self.format(p.allreduceGbps, "%.2f"), Self.format(p.speedup, "%.2f×"), Self.format(efficiencyPercent(p.efficiency), "%.0f%%")]
            },
            numeric: Set(3...10))
    }

    var projectionTable: HTMLTable? {
        guard !rows.isEmpty else { return nil }
        return HTMLTable(
            headers: ["ranks", "compute ms", "allreduce ms", "ms/step", "speedup", "efficiency"],
            rows: rows.map { r in
                [String(r.ranks), Self.format(r.computeMs, "%.2f"), Self.format(r.allreduceMs, "%.2f"), Self.format(r.msPerStep, "%.2f"),
                 Self.format(r.speedup, "%.2f×"), Self.format(efficiencyPercent(r.efficiency), "%.0f%%")]
            },
            numeric: Set(1...5))
    }

    /// What the projection assumes, in one line.
    var projectionNote: String? {
        guard let projection = sweep.projection else { return nil }
        var parts: [String] = []
        if let latency = projection.latencyUs { parts.append(String(format: "latency %.1f µs", latency)) }
        if let bandwidth = projection.bandwidthGbps { parts.append(String(format: "bandwidth %.2f GB/s", bandwidth)) }
        if let source = projection.source { parts.append("from \(source)") }
        return "Projection: allreduce time from a latency–bandwidth model" + (parts.isEmpty ? "" : " (" + parts.joined(separator: ", ") + ")") + "."
    }

    static func format(_ value: Double?, _ format: String) -> String {
        guard let value, value.isFinite else { return "–" }
        return String(format: format, value)
    }
}
