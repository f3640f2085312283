import Foundation

/// Reads CoNLL-2003 NER files: one token a line as four whitespace-separated columns
/// `word POS chunk NER`, blank lines between sentences, `-DOCSTART-` lines between documents.
/// Only the word and NER columns are kept; the NER column is decoded with `scheme` (IOB1 as
/// the corpus is distributed, IOB2 for re-tagged copies). Documents are named
/// `<file name>#<ordinal>`, counting from 1, and carry `entities` only.
public struct CoNLL2003Reader: Sendable {
    public var scheme: TagScheme

    public init(scheme: TagScheme = .iob1) {
        self.scheme = scheme
    }

    public func read(path: String) throws -> [Document] {
        try read(TextFile(path: path))
    }

    /// Parses content already in memory; `path` names it in errors and document ids.
    public func read(text: String, path: String) throws -> [Document] {
        try read(TextFile(path: path, text: text))
    }

    private func read(_ file: TextFile) throws -> [Document] {
        let name = (file.path as NSString).lastPathComponent
        var documents: [Document] = []
        var sentences: [Sentence] = []
        var tokens: [String] = [], tags: [String] = [], tagLines: [Int] = []

        func endSentence() throws {
            guard !tokens.isEmpty else { return }
            let entities: [LabeledSpan]
            do {
                entities = try scheme.spans(from: tags)
            } catch {
                throw file.error(atIndex: tagLines[error.position], error.message)
            }
            sentences.append(Sentence(tokens: tokens, entities: entities))
            tokens = []; tags = []; tagLines = []
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
            } else {
                guard columns.count == 4 else {
                    throw file.error(atIndex: index,
                                     "expected 4 whitespace-separated columns (word POS chunk NER), found \(columns.count)")
                }
                tokens.append(String(columns[0]))
                tags.append(String(columns[3]))
                tagLines.append(index)
            }
        }
        try endDocument()
        guard !documents.isEmpty else { throw CorpusError(path: file.path, message: "no sentences found") }
        return documents
    }
}
