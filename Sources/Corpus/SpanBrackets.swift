/// Decodes one sentence of a CoNLL bracket column of flat typed spans (the OntoNotes named
/// entity column): each cell is `*` (nothing happens), `(LABEL*` (a span opens), `*)` (the open
/// span closes) or `(LABEL)` / `(LABEL*)` (a one-token span). Spans cannot nest: OntoNotes
/// names never do, so a second opening bracket means the file is corrupt, not nested.
struct SpanBrackets {
    private(set) var spans: [LabeledSpan] = []
    private var open: (label: String, start: Int, line: Int)?

    /// Feeds the cell of token `position` (0-based in the sentence), found on 0-based `line`.
    mutating func consume(_ cell: Substring, position: Int, line: Int) throws(LineFailure) {
        guard let (label, closes) = Self.parse(cell) else {
            throw LineFailure(line: line, message: "unknown bracket syntax '\(cell)': expected '*', '(TYPE*', '*)' or '(TYPE)'")
        }
        if let label {
            if let open {
                throw LineFailure(line: line, message: "'\(cell)' opens a span inside the \(open.label) span opened at token \(open.start) (line \(open.line + 1)); spans in this column cannot nest")
            }
            open = (String(label), position, line)
        }
        if closes {
            guard let o = open else {
                throw LineFailure(line: line, message: "'\(cell)' closes a span but none is open")
            }
            spans.append(LabeledSpan(o.start, position, o.label))
            open = nil
        }
    }

    /// The opening label (nil for none) and whether the cell closes, or nil if the cell has
    /// none of the four forms.
    private static func parse(_ cell: Substring) -> (label: Substring?, closes: Bool)? {
        var rest = cell
        var label: Substring?
        if rest.first == "(" {
            rest = rest.dropFirst()
            let end = rest.firstIndex(where: { $0 == "*" || $0 == ")" }) ?? rest.endIndex
            label = rest[..<end]
            rest = rest[end...]
            guard label?.isEmpty == false, label?.contains("(") == false, !rest.isEmpty else { return nil }
        } else if rest.first != "*" {
            return nil
        }
        if rest.first == "*" { rest = rest.dropFirst() }
        switch rest {
        case "": return (label, false)
        case ")": return (label, true)
        default: return nil
        }
    }

    /// The spans of the finished sentence; throws (at the opening line) if one is still open.
    func finish() throws(LineFailure) -> [LabeledSpan] {
        if let open {
            throw LineFailure(line: open.line, message: "the \(open.label) span opened here is not closed by the end of its sentence")
        }
        return spans
    }
}
