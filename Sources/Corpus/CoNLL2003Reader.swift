import Foundation

/// Reads CoNLL-2003 NER files: one token a line as four whitespace-separated columns
/// `word POS chunk NER`, blank lines between sentences, `-DOCSTART-` lines between documents.
/// Only the word and NER columns are kept; the NER column is decoded with `scheme` (IOB1 as
/// the corpus is distributed, IOB2 for re-tagged copies). Documents are named
/// `<file name>#<ordinal>`, counting from 1, and carry `entities` only.
///
/// A record (what `ReadPolicy.lenient` skips) is one sentence: its lines up to the next blank
/// or `-DOCSTART-` line. A document whose sentences are all skipped is left out.
public struct CoNLL2003Reader: Sendable, SingleFileReader {
    public var scheme: TagScheme

    public init(scheme: TagScheme = .iob1) {
        self.scheme = scheme
    }

    public func read(_ file: TextFile, policy: ReadPolicy) throws -> CorpusRead {
        let name = (file.path as NSString).lastPathComponent
        var documents: [Document] = []
        var skipped = SkippedRecords()
        var sentences: [Sentence] = []
        var tokens: [String] = [], tags: [String] = [], tagLines: [Int] = []
        /// The first problem of the open sentence; its remaining lines are not parsed.
        var failure: CorpusError?

        func endSentence() throws {
            defer { tokens = []; tags = []; tagLines = []; failure = nil }
            do throws(CorpusError) {
                if let failure { throw failure }
                guard !tokens.isEmpty else { return }
                let entities: [LabeledSpan]
                do {
                    entities = try scheme.spans(from: tags)
                } catch {
                    throw file.error(atIndex: tagLines[error.position], error.message)
                }
                sentences.append(Sentence(tokens: tokens, entities: entities))
            } catch {
                try policy.reject(error, into: &skipped)
            }
        }
        func endDocument() throws {
            try endSentence()
            guard !sentences.isEmpty else { return }
            documents.append(Document(id: "\(name)#\(documents.count + 1)", sentences: sentences, hasEntities: true))
            sentences = []
        }

        for (index, line) in file.lines.enumerated() {
            let columns = line.split(whereSeparator: \.isWhitespace)
            if columns.isEmpty {
                try endSentence()
            } else if columns[0] == "-DOCSTART-" {
                try endDocument()
            } else if failure == nil {
                guard columns.count == 4 else {
                    failure = file.error(atIndex: index,
                                         "expected 4 whitespace-separated columns (word POS chunk NER), found \(columns.count)")
                    continue
                }
                tokens.append(String(columns[0]))
                tags.append(String(columns[3]))
                tagLines.append(index)
            }
        }
        try endDocument()
        return CorpusRead(documents: try policy.usable(documents, skipped: skipped, path: file.path, emptyMessage: "no sentences found"),
                          skipped: skipped)
    }
}
