import Corpus
import Foundation
import Training

/// Documents to run a trained model on: raw text (one document per line, tokenized by
/// `SimpleTokenizer`) or a corpus file in one of the training formats (gold annotations are
/// read but only the tokens matter — and, for a gold-mention coreference model, the mentions).
public struct PredictionInput: Sendable {
    public enum Format: String, Sendable, CaseIterable {
        case text, conll2003, conll04, conll2012, litbank, dygie, columns
    }

    public var documents: [Document]
    /// Character offsets of every token in its line, per document and sentence (text only).
    public var offsets: [[[Range<Int>]]]?

    public init(documents: [Document], offsets: [[[Range<Int>]]]? = nil) {
        self.documents = documents
        self.offsets = offsets
    }

    /// Text: one document per non-blank line, with id `line-N` (N its 1-based line number).
    public static func text(_ text: String) -> PredictionInput {
        let tokenizer = SimpleTokenizer()
        var documents: [Document] = [], offsets: [[[Range<Int>]]] = []
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
        where line.contains(where: { !$0.isWhitespace }) {
            let (document, tokenOffsets) = tokenizer.document(id: "line-\(index + 1)", text: String(line))
            documents.append(document)
            offsets.append(tokenOffsets)
        }
        return PredictionInput(documents: documents, offsets: offsets)
    }

    /// `text(_:)` after checking every line against the stored-string rule (`StoredText`):
    /// `embed` stores the tokens, and a token no HDF5 string can hold would fail only at the
    /// end of the run. `source` names the input in the error (a path, or standard input).
    static func checkedText(_ text: String, source: String) throws -> PredictionInput {
        for (index, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            if let problem = StoredText.problem(in: line, tabAllowed: true) {
                throw CorpusError(path: source, line: index + 1, message: problem)
            }
        }
        return self.text(text)
    }

    /// Reads `path` (a LitBank folder for `litbank`: all its splits, in train, dev, test order).
    /// `columns` reads the words from column `wordColumn` (negative: from the end) and no tags:
    /// a prediction needs none, and gold tags in a scheme nobody named would only fail.
    public static func read(path: String, format: Format, wordColumn: Int = 0) throws -> PredictionInput {
        let readerFormat: DataSource.Format
        switch format {
        case .text: return try checkedText(try TextFile.contents(of: path), source: path)
        case .conll2003: readerFormat = .conll2003
        case .conll04: readerFormat = .conll04
        case .conll2012: readerFormat = .conll2012
        case .litbank: readerFormat = .litbank
        case .dygie: readerFormat = .dygie
        case .columns: readerFormat = .columns
        }
        var source = DataSource(format: readerFormat)
        if format == .columns { source.columns = ColumnFormat(word: wordColumn, tags: [:], scheme: nil) }
        source.train = path
        let splits = try CorpusSplits.load(source)
        return PredictionInput(documents: format == .litbank ? splits.train + splits.dev + splits.test : splits.train)
    }
}

extension PredictionInput {
    public static let wordColumnHelp = "With --input-format columns: the column of the words (0-based; negative counts from the end)."

    /// `--input`/`--input-format` (and `--word-column`) as the commands take them; text may come
    /// from standard input.
    public static func read(input: String?, format name: String, wordColumn: Int) throws -> PredictionInput {
        guard let format = Format(rawValue: name) else {
            throw TrainingError("--input-format: expected one of \(Format.allCases.map(\.rawValue).joined(separator: ", ")), got \(name)")
        }
        guard let input else {
            guard format == .text else { throw TrainingError("--input-format \(name) reads a file: give --input PATH") }
            let data = FileHandle.standardInput.readDataToEndOfFile()
            guard let text = String(validating: data, as: UTF8.self) else {
                throw TrainingError("standard input is not valid UTF-8 text")
            }
            return try PredictionInput.checkedText(text, source: "standard input")
        }
        return try read(path: input, format: format, wordColumn: wordColumn)
    }
}
