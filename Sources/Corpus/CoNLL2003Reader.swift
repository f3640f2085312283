/// Reads CoNLL-2003 NER files: one token a line as four whitespace-separated columns
/// `word POS chunk NER`, blank lines between sentences, `-DOCSTART-` lines between documents.
/// Only the word and NER columns are kept; the NER column is decoded with `scheme` (IOB1 as
/// the corpus is distributed, IOB2 for re-tagged copies). Documents are named
/// `<file name>#<ordinal>`, counting from 1, and carry `entities` only.
///
/// It is the column format (`ColumnReader`) with CoNLL-2003's fixed four columns. A record
/// (what `ReadPolicy.lenient` skips) is one sentence: its lines up to the next blank or
/// `-DOCSTART-` line. A document whose sentences are all skipped is left out.
public struct CoNLL2003Reader: Sendable, SingleFileReader {
    public var scheme: TagScheme

    public init(scheme: TagScheme = .iob1) {
        self.scheme = scheme
    }

    public func read(_ file: TextFile, policy: ReadPolicy) throws -> CorpusRead {
        try ColumnReader(format: ColumnFormat(word: 0, tags: [.entities: 3], scheme: scheme),
                         fixedColumns: ["word", "POS", "chunk", "NER"]).read(file, policy: policy)
    }
}
