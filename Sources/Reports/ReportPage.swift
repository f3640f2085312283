/// Assembles one self-contained HTML page: inline CSS, inline SVG, no script, no external
/// font, image or link — it opens the same from a laptop, a cluster's scratch disk or an
/// e-mail attachment. Sections hold ready HTML; everything user-supplied in them must already
/// be escaped (the chart and table types do it).
public struct ReportPage: Sendable {
    public struct Section: Sendable {
        public var heading: String
        /// One sentence on what the section shows: units, which metric, where it comes from.
        public var note: String?
        public var body: String

        public init(_ heading: String, note: String? = nil, body: String) {
            self.heading = heading
            self.note = note
            self.body = body
        }
    }

    public var title: String
    public var subtitle: String?
    public var sections: [Section]

    public init(title: String, subtitle: String? = nil, sections: [Section]) {
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
    }

    public var html: String {
        var html = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title.xmlEscaped)</title>
        <style>\(Self.css)</style>
        </head><body><main>
        <h1>\(title.xmlEscaped)</h1>

        """
        if let subtitle { html += "<p class=\"subtitle\">\(subtitle.xmlEscaped)</p>\n" }
        for section in sections {
            html += "<section><h2>\(section.heading.xmlEscaped)</h2>"
            if let note = section.note { html += "<p class=\"note\">\(note.xmlEscaped)</p>" }
            html += section.body + "</section>\n"
        }
        return html + "</main></body></html>\n"
    }

    static let css = """
    body { margin: 0; background: #f4f5f7; color: #1d1d1f; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 48px; }
    h1 { font-size: 24px; margin: 0 0 4px; }
    .subtitle { color: #555; margin: 0 0 20px; }
    section { background: #fff; border: 1px solid #dfe1e5; border-radius: 6px; padding: 14px 18px 16px; margin: 0 0 18px; }
    h2 { font-size: 17px; margin: 0 0 4px; }
    .note { color: #555; margin: 0 0 10px; font-size: 13px; }
    h3 { font-size: 14px; margin: 14px 0 0; }
    svg { display: block; max-width: 100%; height: auto; }
    svg + svg { margin-top: 14px; }
    table { border-collapse: collapse; margin: 6px 0 14px; font-variant-numeric: tabular-nums; }
    tbody th, td:first-child { white-space: nowrap; }
    th, td { padding: 4px 12px 4px 0; text-align: left; border-bottom: 1px solid #eceef1; vertical-align: top; }
    th { font-weight: 600; color: #444; border-bottom: 1px solid #c9ccd1; }
    td.num, th.num { text-align: right; }
    .swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; }
    details { margin-top: 8px; }
    summary { cursor: pointer; color: #333; }
    pre { background: #f7f7f9; border: 1px solid #e4e4e8; padding: 8px 10px; overflow-x: auto; font-size: 12px; }
    """
}
