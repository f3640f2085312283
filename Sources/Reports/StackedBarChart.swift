/// Bars over x intervals, each split into coloured layers stacked from zero — how a logging
/// window's steps divide among the tasks. Bars span their own x interval (a short last window
/// draws a narrow bar), so an uneven series of windows reads right on a numeric x axis.
/// Non-finite and negative layer values count as zero.
struct StackedBarChart: Sendable {
    struct Layer: Sendable {
        var name: String
        var colour: String
        init(_ name: String, colour: String) { self.name = name; self.colour = colour }
    }

    struct Bar: Sendable {
        var lower: Double
        var upper: Double
        /// One value per layer, in layer order.
        var values: [Double]
        init(from lower: Double, to upper: Double, values: [Double]) {
            self.lower = lower
            self.upper = upper
            self.values = values
        }
    }

    var label: String
    var xTitle: String
    var yTitle: String
    var layers: [Layer]
    var bars: [Bar]
    var emptyMessage = "No data to plot."

    init(label: String, xTitle: String, yTitle: String, layers: [Layer], bars: [Bar]) {
        self.label = label
        self.xTitle = xTitle
        self.yTitle = yTitle
        self.layers = layers
        self.bars = bars
    }

    var svg: String {
        let bars = self.bars.filter { $0.lower.isFinite && $0.upper.isFinite && $0.upper > $0.lower }
        let totals = bars.map { $0.values.reduce(0) { $0 + Self.height($1) } }
        guard !bars.isEmpty, totals.contains(where: { $0 > 0 }) else { return ChartFrame.empty(label: label, message: emptyMessage) }
        let frame = ChartFrame(
            xScale: AxisScale(covering: bars.flatMap { [$0.lower, $0.upper] }, maxIntervals: 8),
            yScale: AxisScale(covering: totals, includeZero: true, maxIntervals: 5))
        var body = "<g stroke=\"#fff\" stroke-width=\"0.5\">"
        for bar in bars {
            let x0 = frame.x(bar.lower), x1 = frame.x(bar.upper)
            // A hair of white between neighbours, unless the bars are too thin to spare it.
            let gap = x1 - x0 > 6 ? 1.0 : 0
            var base = 0.0
            for (layer, value) in zip(layers, bar.values) {
                let height = Self.height(value)
                guard height > 0 else { continue }
                let top = frame.y(base + height), bottom = frame.y(base)
                body += "<rect x=\"\(svgNumber(x0 + gap))\" y=\"\(svgNumber(top))\" width=\"\(svgNumber(max(x1 - x0 - 2 * gap, 0.5)))\" "
                    + "height=\"\(svgNumber(bottom - top))\" fill=\"\(layer.colour.xmlEscaped)\"/>"
                base += height
            }
        }
        body += "</g>"
        let legend = layers.map { LegendEntry($0.name, colour: $0.colour, symbol: .swatch) }
        return frame.render(label: label, xTitle: xTitle, yTitle: yTitle, legend: legend, body: body)
    }

    private static func height(_ value: Double) -> Double { value.isFinite && value > 0 ? value : 0 }
}
