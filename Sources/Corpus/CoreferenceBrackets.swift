/// Decodes the CoNLL coreference column of one document: each cell is `-` (nothing) or items
/// joined by `|`, each `(ID)` (a one-token mention), `(ID` (a mention opens) or `ID)` (the most
/// recent open mention of chain ID closes). Mentions of one chain may nest, so each chain keeps
/// a stack of open starts; a mention never crosses a sentence boundary, so anything still open
/// when a sentence ends is an error.
struct CoreferenceBrackets {
    /// Mentions per chain id, in closing order.
    private var chains: [Int: [DocumentSpan]] = [:]
    /// Open mentions per chain id: start token in the current sentence and 0-based line. A chain
    /// leaves the dictionary when its last open mention closes, so the check at every sentence
    /// end costs what is open, not every chain seen so far (which would be quadratic in a long
    /// document).
    private var open: [Int: [(start: Int, line: Int)]] = [:]

    /// Feeds the cell of token `position` of sentence `sentence`, found on 0-based `line`.
    mutating func consume(_ cell: Substring, sentence: Int, position: Int, line: Int) throws(LineFailure) {
        if cell == "-" { return }
        for item in cell.split(separator: "|", omittingEmptySubsequences: false) {
            let opens = item.first == "("
            let closes = item.last == ")"
            let digits = item.dropFirst(opens ? 1 : 0).dropLast(closes ? 1 : 0)
            guard opens || closes, !digits.isEmpty, digits.allSatisfy(\.isASCII), let id = Int(digits), id >= 0 else {
                throw LineFailure(line: line, message: "unknown coreference syntax '\(item)' in '\(cell)': expected '-' or items '(ID)', '(ID', 'ID)' joined by '|'")
            }
            if opens { open[id, default: []].append((position, line)) }
            if closes {
                guard let start = open[id]?.popLast() else {
                    throw LineFailure(line: line, message: "'\(item)' closes a mention of chain \(id) but none is open")
                }
                if open[id]?.isEmpty == true { open[id] = nil }
                chains[id, default: []].append(DocumentSpan(sentence: sentence, span: TokenSpan(start: start.start, end: position)))
            }
        }
    }

    /// Called at every sentence end: throws if a mention is still open.
    func endSentence() throws(LineFailure) {
        let unclosed = open.flatMap { id, starts in starts.map { (id: id, line: $0.line) } }
        if let first = unclosed.min(by: { ($0.line, $0.id) < ($1.line, $1.id) }) {
            throw LineFailure(line: first.line, message: "the mention of chain \(first.id) opened here is not closed by the end of its sentence")
        }
    }

    /// The document's chains in canonical form (see `CoreferenceClusters`).
    var clusters: [[DocumentSpan]] {
        CoreferenceClusters.canonical(chains.keys.sorted().map { chains[$0]! })
    }
}
