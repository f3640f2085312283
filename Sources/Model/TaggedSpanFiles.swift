import Corpus

/// Reads a gold and a predicted NER/EMD file for offline span scoring (`SpanMetrics`).
///
/// Format: CoNLL columns, one token a line, whitespace-separated, the first column the token
/// and the LAST column its tag; blank lines between sentences; `-DOCSTART-` lines ignored.
/// The two files must be aligned line by line (same token on the same line, blanks on the
/// same lines), which catches predictions written for another split or tokenisation.
///
/// Each file's encoding is detected on its own: BILOU if any tag starts with `L-` or `U-`
/// (decoded strictly, so an unconstrained prediction is reported), IOB otherwise — decoded
/// like conlleval, an `I-X` that does not continue an X span opening a new one, which gives
/// the same spans as IOB2 on every valid IOB2 sequence.
public enum TaggedSpanFiles {
    public static func read(gold: String, predicted: String) throws -> [GoldAndPrediction<[LabeledSpan]>] {
        try read(gold: TextFile(path: gold), predicted: TextFile(path: predicted))
    }

    public static func read(gold: TextFile, predicted: TextFile) throws -> [GoldAndPrediction<[LabeledSpan]>] {
        for index in 0..<max(gold.lines.count, predicted.lines.count) {
            let g = index < gold.lines.count ? gold.lines[index].split(whereSeparator: \.isWhitespace).first : nil
            let p = index < predicted.lines.count ? predicted.lines[index].split(whereSeparator: \.isWhitespace).first : nil
            guard g == p else {
                func show(_ token: Substring?, _ file: TextFile) -> String {
                    index >= file.lines.count ? "end of file" : token.map { "token '\($0)'" } ?? "a blank line"
                }
                throw predicted.error(atIndex: index,
                    "\(show(p, predicted)), but \(gold.path):\(index + 1) has \(show(g, gold)); the files must list the same tokens line by line")
            }
        }
        let goldSpans = try spans(in: gold), predictedSpans = try spans(in: predicted)
        return zip(goldSpans, predictedSpans).map { GoldAndPrediction(gold: $0, predicted: $1) }
    }

    /// Per-sentence spans of one file.
    private static func spans(in file: TextFile) throws -> [[LabeledSpan]] {
        var sentences: [(tags: [String], lines: [Int])] = []
        var tags: [String] = [], lines: [Int] = []
        func endSentence() {
            if !tags.isEmpty { sentences.append((tags, lines)) }
            tags = []; lines = []
        }
        for (index, line) in file.lines.enumerated() {
            let columns = line.split(whereSeparator: \.isWhitespace)
            if columns.isEmpty {
                endSentence()
            } else if columns[0] == "-DOCSTART-" {
                endSentence()
            } else {
                guard columns.count >= 2 else {
                    throw file.error(atIndex: index, "expected a token and a tag (last column), found 1 column")
                }
                tags.append(String(columns[columns.count - 1]))
                lines.append(index)
            }
        }
        endSentence()
        let bilou = sentences.contains { $0.tags.contains { $0.hasPrefix("L-") || $0.hasPrefix("U-") } }
        return try sentences.map { sentence in
            do throws(TagSequenceError) {
                return bilou ? try BILOU.spans(from: sentence.tags) : try TagScheme.iob1.spans(from: sentence.tags)
            } catch {
                throw file.error(atIndex: sentence.lines[error.position],
                                 error.message + (bilou ? " (file read as BILOU: it has L-/U- tags)" : ""))
            }
        }
    }
}
