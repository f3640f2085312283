/// A plain HTML table (no header row when `headers` is empty). Cells are text and are escaped; columns listed in `numeric` are
/// right-aligned so digits line up.
public struct HTMLTable: Sendable {
    public var headers: [String]
    public var rows: [[String]]
    public var numeric: Set<Int>
    /// Per row, a colour for a small swatch before the first cell (a task's chart colour).
    public var swatches: [String?]

    public init(headers: [String], rows: [[String]], numeric: Set<Int> = [], swatches: [String?] = []) {
        self.headers = headers
        self.rows = rows
        self.numeric = numeric
        self.swatches = swatches
    }

    public var html: String {
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            "<\(tag)\(numeric.contains(column) ? " class=\"num\"" : "")>\(text.xmlEscaped)</\(tag)>"
        }
        var html = "<table>"
        if !headers.isEmpty {
            html += "<thead><tr>" + headers.enumerated().map { cell("th", $0.element, $0.offset) }.joined() + "</tr></thead>"
        }
        html += "<tbody>"
        for (index, row) in rows.enumerated() {
            var cells = row.enumerated().map { cell("td", $0.element, $0.offset) }
            if index < swatches.count, let colour = swatches[index], !cells.isEmpty {
                cells[0] = "<td><span class=\"swatch\" style=\"background:\(colour.xmlEscaped)\"></span>\(row[0].xmlEscaped)</td>"
            }
            html += "<tr>" + cells.joined() + "</tr>"
        }
        return html + "</tbody></table>"
    }
}
