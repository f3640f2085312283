import Foundation

/// Reads column files, the form most NER corpora ship in (`token TAG` in WNUT-16/17 and the MIT
/// Movie and Restaurant corpora, `word POS chunk NER` in CoNLL-2003): one token a line, blank
/// lines between sentences, optional `-DOCSTART-` lines (first column) between documents. Which
/// column holds the word and which hold tags is the `ColumnFormat`'s; every tag is validated
/// against its scheme and decoded to spans. Documents are named `<file name>#<ordinal>`,
/// counting from 1 (one document when the file has no `-DOCSTART-`).
///
/// A line holding a tab is split at tabs, its cells trimmed (so a token may contain spaces;
/// trailing tabs add no column); any other line at runs of whitespace. Every token line must
/// have as many columns as the file's first, since a negative index means another column on a
/// shorter line; the word and tag cells must be non-empty.
///
/// A record (what `ReadPolicy.lenient` skips) is one sentence: its lines up to the next blank
/// or `-DOCSTART-` line. A document whose sentences are all skipped is left out.
public struct ColumnReader: Sendable, SingleFileReader {
    public var format: ColumnFormat
    /// CoNLL-2003's fixed layout: exactly these columns on every line, split at whitespace only.
    var fixedColumns: [String]?

    public init(format: ColumnFormat) {
        self.format = format
    }

    init(format: ColumnFormat, fixedColumns: [String]) {
        self.format = format
        self.fixedColumns = fixedColumns
    }

    /// One token line: its word and its tags, in the order of `format.layers`.
    private struct Row {
        var line: Int
        var word: String
        var tags: [String]
    }

    /// A sentence's rows, or the first problem found in its lines (the rest are not parsed).
    private enum Record {
        case rows([Row])
        case failure(CorpusError)
    }

    public func read(_ file: TextFile, policy: ReadPolicy) throws -> CorpusRead {
        let name = (file.path as NSString).lastPathComponent
        if let problem = StoredText.problem(in: name) {
            throw CorpusError(path: file.path, message: "the file name gives the document ids, but \(problem)")
        }
        let parsed = records(of: file)
        let detected = format.scheme == nil
        let scheme = format.scheme ?? Self.detectedScheme(parsed.joined())
        let layers = format.layers
        var documents: [Document] = []
        var skipped = SkippedRecords()
        for records in parsed {
            var sentences: [Sentence] = []
            for record in records {
                do throws(CorpusError) {
                    switch record {
                    case .failure(let failure): throw failure
                    case .rows(let rows):
                        var sentence = Sentence(tokens: rows.map(\.word))
                        for (k, layer) in layers.enumerated() {
                            let spans: [LabeledSpan]
                            do {
                                spans = try scheme.spans(from: rows.map { $0.tags[k] })
                            } catch {
                                let note = detected && scheme == .bilou ? " (file read as BILOU: it has L-/U- tags)" : ""
                                throw file.error(atIndex: rows[error.position].line, error.message + note)
                            }
                            sentence[layer: layer] = spans
                        }
                        sentences.append(sentence)
                    }
                } catch {
                    try policy.reject(error, into: &skipped)
                }
            }
            guard !sentences.isEmpty else { continue }
            documents.append(Document(id: "\(name)#\(documents.count + 1)", sentences: sentences,
                                      hasEntities: layers.contains(.entities), hasMentions: layers.contains(.mentions)))
        }
        return CorpusRead(documents: try policy.usable(documents, skipped: skipped, path: file.path, emptyMessage: "no sentences found"),
                          skipped: skipped)
    }

    /// The sentence records of each document, in file order.
    private func records(of file: TextFile) -> [[Record]] {
        var documents: [[Record]] = [[]]
        var rows: [Row] = []
        var failure: CorpusError?
        /// The column count every token line must have, and the 0-based line that set it.
        var reference: (count: Int, line: Int)?
        func endSentence() {
            if let failure {
                documents[documents.count - 1].append(.failure(failure))
            } else if !rows.isEmpty {
                documents[documents.count - 1].append(.rows(rows))
            }
            rows = []
            failure = nil
        }
        for (index, line) in file.lines.enumerated() {
            let cells = self.cells(of: line)
            if cells.isEmpty {
                endSentence()
            } else if cells[0] == "-DOCSTART-" {
                endSentence()
                if !documents[documents.count - 1].isEmpty { documents.append([]) }
            } else if failure == nil {
                do {
                    rows.append(try row(cells, index: index, file: file, reference: &reference))
                } catch {
                    failure = error
                }
            }
        }
        endSentence()
        return documents
    }

    private func row(_ cells: [Substring], index: Int, file: TextFile, reference: inout (count: Int, line: Int)?) throws(CorpusError) -> Row {
        try file.checkLine(atIndex: index)
        let count = cells.count
        let found = "found \(count) column\(count == 1 ? "" : "s")"
        if let fixedColumns {
            guard count == fixedColumns.count else {
                throw file.error(atIndex: index, "expected \(fixedColumns.count) whitespace-separated columns (\(fixedColumns.joined(separator: " "))), found \(count)")
            }
        } else if let reference {
            guard count == reference.count else {
                throw file.error(atIndex: index, "\(found), but the file's first token line (line \(reference.line + 1)) has \(reference.count)")
            }
        } else {
            reference = (count, index)
        }
        let positions = ([format.word] + format.layers.map { format.tags[$0]! }).map { $0 < 0 ? count + $0 : $0 }
        guard positions.allSatisfy((0..<count).contains), Set(positions).count == positions.count else {
            throw file.error(atIndex: index, "\(found), too few for the column map \(format.columnMap)")
        }
        if let empty = positions.first(where: { cells[$0].isEmpty }) {
            throw file.error(atIndex: index, "column \(empty) is empty; the column map is \(format.columnMap)")
        }
        return Row(line: index, word: String(cells[positions[0]]), tags: positions.dropFirst().map { String(cells[$0]) })
    }

    /// The cells of a line; none for a blank line.
    private func cells(of line: Substring) -> [Substring] {
        guard fixedColumns == nil, line.utf8.contains(UInt8(ascii: "\t")) else {
            return line.split(whereSeparator: \.isWhitespace)
        }
        // Trailing tabs add no column (LitBank ends every line with one); a leading tab is an
        // empty first cell.
        guard let last = line.lastIndex(where: { !$0.isWhitespace }) else { return [] }
        return line[...last].split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
    }

    /// The token a line gives `hmtl score` to align two files by: nil for a blank line,
    /// `-DOCSTART-` for a document line, else the word column (the first cell when the line is
    /// too short; reading the file reports it).
    public func token(inLine line: Substring) -> Substring? {
        let cells = self.cells(of: line)
        guard let first = cells.first else { return nil }
        if first == "-DOCSTART-" { return first }
        let position = format.word < 0 ? cells.count + format.word : format.word
        return cells.indices.contains(position) ? cells[position] : first
    }

    /// BILOU when any tag of the file starts with `L-` or `U-`, IOB1 otherwise.
    private static func detectedScheme(_ records: some Sequence<Record>) -> TagScheme {
        for case .rows(let rows) in records where rows.contains(where: { $0.tags.contains { $0.hasPrefix("L-") || $0.hasPrefix("U-") } }) {
            return .bilou
        }
        return .iob1
    }
}
