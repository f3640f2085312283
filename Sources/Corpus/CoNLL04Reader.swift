/// Reads CoNLL04 in the multi-head selection format of Bekoulis et al. (2018): each sentence
/// opens with `#doc ID`, then one token a line as five tab-separated columns
/// `index  token  BIO-tag  ['rel1', ...]  [head1, ...]`.
///
/// The relation lists sit on the LAST token of an entity: `rel_k` links the entity ending here
/// (the relation's head, first argument) to the entity ending at token `head_k` (the tail).
/// `['N']` means no relation (its head is the token itself). Each `#doc` block becomes one
/// Document of one sentence with `entities` and `relations`.
///
/// BIO tags are decoded leniently (`TagScheme.iob1`): the distributed training file has two
/// spans that open with I-X after O, and like conlleval we read those as spans.
///
/// A record (what `ReadPolicy.lenient` skips) is one `#doc` block up to the next `#doc` line;
/// token lines before the first `#doc` form one bad record too.
public struct CoNLL04Reader: Sendable, SingleFileReader {
    public init() {}

    /// One token line, parsed but not yet checked against the entities of its sentence.
    private struct TokenLine {
        var line: Int
        var token: String
        var tag: String
        var relations: [(label: String, head: Int)]
    }

    public func read(_ file: TextFile, policy: ReadPolicy) throws -> CorpusRead {
        var documents: [Document] = []
        var skipped = SkippedRecords()
        var current: (id: String, line: Int)?
        var rows: [TokenLine] = []
        /// The first problem of the open block; its remaining lines are not parsed.
        var failure: CorpusError?

        func endBlock() throws {
            defer { rows = []; failure = nil; current = nil }
            do throws(CorpusError) {
                if let failure { throw failure }
                guard let doc = current else { return }
                guard !rows.isEmpty else { throw file.error(atIndex: doc.line, "document '\(doc.id)' has no tokens") }
                documents.append(try document(id: doc.id, rows: rows, file: file))
            } catch {
                try policy.reject(error, into: &skipped)
            }
        }

        for (index, line) in file.lines.enumerated() {
            if line.hasPrefix("#doc") {
                try endBlock()
                let id = line.dropFirst(4).trimmingWhitespace()
                do throws(CorpusError) {
                    try file.checkLine(atIndex: index)
                    guard !id.isEmpty else { throw file.error(atIndex: index, "missing document id after '#doc'") }
                    current = (String(id), index)
                } catch {
                    failure = error
                }
                continue
            }
            if failure != nil || line.allSatisfy(\.isWhitespace) { continue }
            do throws(CorpusError) {
                try file.checkLine(atIndex: index)
                guard current != nil else {
                    throw file.error(atIndex: index, "token line before the first '#doc' line")
                }
                rows.append(try tokenLine(line, index: index, expectedPosition: rows.count, file: file))
            } catch {
                failure = error
            }
        }
        try endBlock()
        return CorpusRead(documents: try policy.usable(documents, skipped: skipped, path: file.path, emptyMessage: "no '#doc' blocks found"),
                          skipped: skipped)
    }

    private func tokenLine(_ line: Substring, index: Int, expectedPosition: Int, file: TextFile) throws(CorpusError) -> TokenLine {
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count == 5 else {
            throw file.error(atIndex: index,
                             "expected 5 tab-separated columns (index token tag relations heads), found \(columns.count)")
        }
        guard let position = Int(columns[0].trimmingWhitespace()) else {
            throw file.error(atIndex: index, "token index '\(columns[0])' is not an integer")
        }
        guard position == expectedPosition else {
            throw file.error(atIndex: index, "token index \(position) out of sequence: expected \(expectedPosition)")
        }
        guard !columns[1].isEmpty else { throw file.error(atIndex: index, "empty token") }
        let labels: [String]
        let heads: [Int]
        do {
            labels = try ListSyntax.strings(columns[3])
            heads = try ListSyntax.integers(columns[4])
        } catch {
            throw file.error(atIndex: index, error.message)
        }
        guard labels.count == heads.count else {
            throw file.error(atIndex: index, "\(labels.count) relation labels but \(heads.count) head indices")
        }
        return TokenLine(line: index, token: String(columns[1]), tag: String(columns[2].trimmingWhitespace()),
                         relations: Array(zip(labels, heads)))
    }

    private func document(id: String, rows: [TokenLine], file: TextFile) throws(CorpusError) -> Document {
        let entities: [LabeledSpan]
        do {
            entities = try TagScheme.iob1.spans(from: rows.map(\.tag))
        } catch {
            throw file.error(atIndex: rows[error.position].line, error.message)
        }
        var entityEndingAt: [Int: TokenSpan] = [:]
        for e in entities { entityEndingAt[e.span.end] = e.span }

        var relations: [Relation] = []
        for (position, row) in rows.enumerated() {
            for (label, head) in row.relations {
                guard rows.indices.contains(head) else {
                    throw file.error(atIndex: row.line, "head index \(head) out of range 0..<\(rows.count)")
                }
                if label == "N" { continue }
                guard let first = entityEndingAt[position] else {
                    throw file.error(atIndex: row.line,
                                     "relation '\(label)' on token \(position) '\(row.token)', which is not the last token of an entity")
                }
                guard let second = entityEndingAt[head] else {
                    throw file.error(atIndex: row.line,
                                     "relation '\(label)' points to token \(head) '\(rows[head].token)', which is not the last token of an entity")
                }
                relations.append(Relation(head: first, tail: second, label: label))
            }
        }
        let sentence = Sentence(tokens: rows.map(\.token), entities: entities, relations: relations)
        return Document(id: id, sentences: [sentence], hasEntities: true, hasRelations: true)
    }
}
