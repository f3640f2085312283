/// A chart of one or more series of (x, y) points joined by lines, with optional highlighted
/// points. Points whose x or y cannot be drawn (non-finite, or not positive on a logarithmic
/// axis) are skipped and break the line there, so a gap in the data shows as a gap.
public struct LineChart: Sendable {
    struct Axis: Sendable {
        var title: String
        var kind: AxisScale.Kind
        var includeZero: Bool
        var maxIntervals: Int

        init(_ title: String, kind: AxisScale.Kind = .linear, includeZero: Bool = false, maxIntervals: Int = 6) {
            self.title = title
            self.kind = kind
            self.includeZero = includeZero
            self.maxIntervals = maxIntervals
        }
    }

    struct Point: Sendable, Equatable {
        var x: Double
        var y: Double
        init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
    }

    struct Series: Sendable {
        enum Interpolation: Sendable {
            case linear
            /// Horizontal until the next point, then vertical: a value that holds until it
            /// changes, as a learning rate does.
            case stepAfter
        }

        var name: String
        var colour: String
        var points: [Point]
        var stroke: Stroke
        var interpolation: Interpolation
        var markers: Bool

        init(_ name: String, colour: String, points: [Point], stroke: Stroke = .solid,
                    interpolation: Interpolation = .linear, markers: Bool = false) {
            self.name = name
            self.colour = colour
            self.points = points
            self.stroke = stroke
            self.interpolation = interpolation
            self.markers = markers
        }
    }

    /// A point drawn as a ring over the lines, with an optional short label beside it.
    struct Highlight: Sendable {
        var point: Point
        var colour: String
        var label: String?

        init(_ point: Point, colour: String, label: String? = nil) {
            self.point = point
            self.colour = colour
            self.label = label
        }
    }

    var label: String
    var xAxis: Axis
    var yAxis: Axis
    var series: [Series]
    var highlights: [Highlight] = []
    /// Legend rows after the series' own (what a ring means, say).
    var extraLegend: [LegendEntry] = []
    var emptyMessage = "No data to plot."

    init(label: String, xAxis: Axis, yAxis: Axis, series: [Series]) {
        self.label = label
        self.xAxis = xAxis
        self.yAxis = yAxis
        self.series = series
    }

    public var svg: String {
        let drawable = series.flatMap(\.points).filter {
            AxisScale.accepts($0.x, kind: xAxis.kind) && AxisScale.accepts($0.y, kind: yAxis.kind)
        }
        guard !drawable.isEmpty else { return ChartFrame.empty(label: label, message: emptyMessage) }
        let frame = ChartFrame(
            xScale: AxisScale(covering: drawable.map(\.x), kind: xAxis.kind, includeZero: xAxis.includeZero, maxIntervals: xAxis.maxIntervals),
            yScale: AxisScale(covering: drawable.map(\.y), kind: yAxis.kind, includeZero: yAxis.includeZero, maxIntervals: yAxis.maxIntervals))
        var body = ""
        for s in series { body += path(s, frame: frame) }
        var placed: [(x: Double, y: Double)] = []
        for h in highlights where frame.xScale.accepts(h.point.x) && frame.yScale.accepts(h.point.y) {
            let (cx, cy) = (frame.x(h.point.x), frame.y(h.point.y))
            body += "<circle cx=\"\(svgNumber(cx))\" cy=\"\(svgNumber(cy))\" r=\"6.5\" fill=\"none\" stroke=\"\(h.colour.xmlEscaped)\" stroke-width=\"2.2\"/>"
            guard let text = h.label else { continue }
            // Above the ring (below it near the top edge), moved on past labels already there.
            let below = cy - 12 < frame.plotTop + 10
            var ty = below ? cy + 21 : cy - 11
            while placed.contains(where: { abs($0.x - cx) < 36 && abs($0.y - ty) < 13 }) { ty += below ? 13 : -13 }
            placed.append((cx, ty))
            let anchor = cx > frame.plotRight - 40 ? "end" : cx < frame.plotLeft + 40 ? "start" : "middle"
            body += frame.text(cx, ty, text, anchor: anchor, weight: "600", fill: h.colour.xmlEscaped)
        }
        let legend = series.map { LegendEntry($0.name, colour: $0.colour, symbol: .line($0.stroke)) } + extraLegend
        return frame.render(label: label, xTitle: xAxis.title, yTitle: yAxis.title, legend: legend, body: body)
    }

    private func path(_ series: Series, frame: ChartFrame) -> String {
        var d = "", penDown = false, drawn: [(x: Double, y: Double)] = []
        for point in series.points {
            guard frame.xScale.accepts(point.x), frame.yScale.accepts(point.y) else { penDown = false; continue }
            let (px, py) = (frame.x(point.x), frame.y(point.y))
            switch (penDown, series.interpolation) {
            case (false, _): d += "M\(svgNumber(px)) \(svgNumber(py))"
            case (true, .linear): d += "L\(svgNumber(px)) \(svgNumber(py))"
            case (true, .stepAfter): d += "H\(svgNumber(px))V\(svgNumber(py))"
            }
            penDown = true
            drawn.append((px, py))
        }
        guard !drawn.isEmpty else { return "" }
        let colour = series.colour.xmlEscaped
        var svg = "<path d=\"\(d)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-linejoin=\"round\""
            + (series.stroke.dashArray.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>"
        // A lone point has no segment to stroke, so it gets its dot even without markers.
        if series.markers || drawn.count == 1 {
            for p in drawn { svg += "<circle cx=\"\(svgNumber(p.x))\" cy=\"\(svgNumber(p.y))\" r=\"3\" fill=\"\(colour)\"/>" }
        }
        return svg
    }
}
