import Foundation

/// How a series or legend entry is drawn.
enum Stroke: Sendable {
    case solid, dashed, dotted

    var dashArray: String? {
        switch self {
        case .solid: nil
        case .dashed: "7 4"
        case .dotted: "2 3"
        }
    }
}

/// One row of a chart's legend.
struct LegendEntry: Sendable {
    enum Symbol: Sendable {
        case line(Stroke)
        /// A filled square: a bar layer.
        case swatch
        /// A hollow circle: a highlighted point (best score, oversubscribed run).
        case ring
    }

    var name: String
    var colour: String
    var symbol: Symbol

    init(_ name: String, colour: String, symbol: Symbol) {
        self.name = name
        self.colour = colour
        self.symbol = symbol
    }
}

/// The part every chart shares: a fixed-size SVG canvas (it scales down with the page), a
/// plot rectangle inside margins, gridlines, both axes with ticks, tick labels and titles
/// (titles carry the units), and the legend in the right margin. Charts draw their marks in
/// data coordinates through `x(_:)` and `y(_:)`; SVG's y axis points down, so `y` flips.
struct ChartFrame {
    static let width = 960.0, height = 330.0
    static let left = 80.0, right = 215.0, top = 14.0, bottom = 52.0

    let xScale: AxisScale
    let yScale: AxisScale

    var plotLeft: Double { Self.left }
    var plotRight: Double { Self.width - Self.right }
    var plotTop: Double { Self.top }
    var plotBottom: Double { Self.height - Self.bottom }

    func x(_ value: Double) -> Double { plotLeft + xScale.fraction(value) * (plotRight - plotLeft) }
    func y(_ value: Double) -> Double { plotBottom - yScale.fraction(value) * (plotBottom - plotTop) }

    /// The whole `<svg>` element around the chart's own marks (`body`, already SVG).
    func render(label: String, xTitle: String, yTitle: String, legend: [LegendEntry], body: String) -> String {
        var svg = Self.open(label: label)
        svg += "<g class=\"grid\" stroke=\"#e3e3e3\" stroke-width=\"1\">"
        for tick in yScale.ticks { svg += line(plotLeft, y(tick), plotRight, y(tick)) }
        for tick in xScale.ticks { svg += line(x(tick), plotTop, x(tick), plotBottom) }
        svg += "</g>"
        svg += body
        svg += "<g class=\"axes\" stroke=\"#555\" stroke-width=\"1\">"
        svg += line(plotLeft, plotBottom, plotRight, plotBottom) + line(plotLeft, plotTop, plotLeft, plotBottom)
        for tick in yScale.ticks { svg += line(plotLeft - 5, y(tick), plotLeft, y(tick)) }
        for tick in xScale.ticks { svg += line(x(tick), plotBottom, x(tick), plotBottom + 5) }
        svg += "</g><g fill=\"#333\">"
        for tick in yScale.ticks {
            svg += text(plotLeft - 8, y(tick) + 4, yScale.label(tick), anchor: "end")
        }
        for tick in xScale.ticks {
            svg += text(x(tick), plotBottom + 19, xScale.label(tick), anchor: "middle")
        }
        svg += text((plotLeft + plotRight) / 2, Self.height - 10, xTitle, anchor: "middle", weight: "600")
        let middle = (plotTop + plotBottom) / 2
        svg += "<text transform=\"translate(16 \(svgNumber(middle))) rotate(-90)\" text-anchor=\"middle\" font-weight=\"600\">\(yTitle.xmlEscaped)</text>"
        svg += "</g>" + legendSVG(legend) + "</svg>"
        return svg
    }

    /// A chart with nothing to draw still takes its place on the page and says why.
    static func empty(label: String, message: String) -> String {
        open(label: label, height: 90)
            + "<rect x=\"0.5\" y=\"0.5\" width=\"\(svgNumber(width - 1))\" height=\"89\" fill=\"#fafafa\" stroke=\"#ddd\"/>"
            + "<text x=\"\(svgNumber(width / 2))\" y=\"50\" text-anchor=\"middle\" fill=\"#777\">\(message.xmlEscaped)</text></svg>"
    }

    private static func open(label: String, height: Double = height) -> String {
        "<svg viewBox=\"0 0 \(svgNumber(width)) \(svgNumber(height))\" width=\"\(svgNumber(width))\" height=\"\(svgNumber(height))\" role=\"img\" "
            + "aria-label=\"\(label.xmlEscaped)\" font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\" font-size=\"12\">"
            + "<title>\(label.xmlEscaped)</title>"
    }

    private func legendSVG(_ entries: [LegendEntry]) -> String {
        let x0 = plotRight + 18
        var svg = "<g class=\"legend\">"
        for (index, entry) in entries.enumerated() {
            let cy = plotTop + 10 + Double(index) * 20
            switch entry.symbol {
            case .line(let stroke):
                svg += "<line x1=\"\(svgNumber(x0))\" y1=\"\(svgNumber(cy))\" x2=\"\(svgNumber(x0 + 22))\" y2=\"\(svgNumber(cy))\" stroke=\"\(entry.colour.xmlEscaped)\" stroke-width=\"2.5\""
                    + (stroke.dashArray.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>"
            case .swatch:
                svg += "<rect x=\"\(svgNumber(x0 + 4))\" y=\"\(svgNumber(cy - 6))\" width=\"12\" height=\"12\" fill=\"\(entry.colour.xmlEscaped)\"/>"
            case .ring:
                svg += "<circle cx=\"\(svgNumber(x0 + 11))\" cy=\"\(svgNumber(cy))\" r=\"5.5\" fill=\"#fff\" stroke=\"\(entry.colour.xmlEscaped)\" stroke-width=\"2\"/>"
            }
            svg += text(x0 + 30, cy + 4, entry.name, anchor: "start", fill: "#222")
        }
        return svg + "</g>"
    }

    private func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
        "<line x1=\"\(svgNumber(x1))\" y1=\"\(svgNumber(y1))\" x2=\"\(svgNumber(x2))\" y2=\"\(svgNumber(y2))\"/>"
    }

    func text(_ x: Double, _ y: Double, _ content: String, anchor: String, weight: String? = nil, fill: String? = nil) -> String {
        "<text x=\"\(svgNumber(x))\" y=\"\(svgNumber(y))\" text-anchor=\"\(anchor)\""
            + (weight.map { " font-weight=\"\($0)\"" } ?? "") + (fill.map { " fill=\"\($0)\"" } ?? "")
            + ">\(content.xmlEscaped)</text>"
    }
}

/// An SVG coordinate: one decimal is below a pixel and keeps the page small.
func svgNumber(_ value: Double) -> String {
    let text = String(format: "%.1f", value)
    return text.hasSuffix(".0") ? String(text.dropLast(2)) : text
}
