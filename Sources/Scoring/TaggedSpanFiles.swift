import Corpus

/// Reads a gold and a predicted span file (a tagging task's) for offline span scoring (`SpanMetrics`).
///
/// Both are column files (`ColumnReader`), each read with its own `ColumnFormat` holding one
/// tag column; by default `defaultFormat`: token first, tag last (the layout `hmtl predict
/// --format conll` writes, and CoNLL-2003's), its scheme read off the file. The two files must
/// be aligned line by line (same token on the same line, blanks on the same lines), which
/// catches predictions written for another split or tokenisation.
enum TaggedSpanFiles {
    /// `word=0, ner=-1`, the scheme detected per file: BILOU if any tag starts with `L-` or
    /// `U-` (decoded strictly, so an unconstrained prediction is reported), IOB otherwise —
    /// decoded like conlleval, an `I-X` that does not continue an X span opening a new one, which
    /// gives the same spans as IOB2 on every valid IOB2 sequence.
    static let defaultFormat = ColumnFormat(word: 0, tags: [.entities: -1], scheme: nil)

    static func read(gold: String, predicted: String, goldFormat: ColumnFormat = defaultFormat,
                            predictedFormat: ColumnFormat = defaultFormat) throws -> [GoldAndPrediction<[LabeledSpan]>] {
        try read(gold: TextFile(path: gold), predicted: TextFile(path: predicted), goldFormat: goldFormat, predictedFormat: predictedFormat)
    }

    /// Each format must have exactly one tag column; its spans are scored.
    static func read(gold: TextFile, predicted: TextFile, goldFormat: ColumnFormat = defaultFormat,
                            predictedFormat: ColumnFormat = defaultFormat) throws -> [GoldAndPrediction<[LabeledSpan]>] {
        let goldReader = ColumnReader(format: goldFormat), predictedReader = ColumnReader(format: predictedFormat)
        for index in 0..<max(gold.lines.count, predicted.lines.count) {
            let g = index < gold.lines.count ? goldReader.token(inLine: gold.lines[index]) : nil
            let p = index < predicted.lines.count ? predictedReader.token(inLine: predicted.lines[index]) : nil
            guard g == p else {
                func show(_ token: Substring?, _ file: TextFile) -> String {
                    index >= file.lines.count ? "end of file" : token.map { "token '\($0)'" } ?? "a blank line"
                }
                throw predicted.error(atIndex: index,
                    "\(show(p, predicted)), but \(gold.path):\(index + 1) has \(show(g, gold)); the files must list the same tokens line by line")
            }
        }
        let goldSpans = try spans(in: gold, goldReader), predictedSpans = try spans(in: predicted, predictedReader)
        return zip(goldSpans, predictedSpans).map { GoldAndPrediction(gold: $0, predicted: $1) }
    }

    /// Per-sentence spans of one file.
    private static func spans(in file: TextFile, _ reader: ColumnReader) throws -> [[LabeledSpan]] {
        let layers = reader.format.layers
        precondition(layers.count == 1, "a scored file has one tag column, not \(layers)")
        return try reader.read(file, policy: .strict).documents.flatMap(\.sentences).map { $0[layer: layers[0]] }
    }
}
