import Corpus

/// The candidate spans of a coreference document (docs/design.md, Coreference level): every span of
/// width ≤ `maxWidth` inside one sentence, sentence by sentence, start ascending, then end
/// ascending, in document token offsets. Their order is the "original candidate order" that
/// pruning restores after the top-k selection.
public enum SpanEnumeration {
    public static func candidates(sentenceLengths: [Int], maxWidth: Int) -> [TokenSpan] {
        precondition(maxWidth > 0, "SpanEnumeration: maxWidth must be positive, got \(maxWidth)")
        var spans: [TokenSpan] = []
        var offset = 0
        for length in sentenceLengths {
            precondition(length >= 0, "SpanEnumeration: negative sentence length \(length)")
            for start in 0..<length {
                for end in start..<min(length, start + maxWidth) {
                    spans.append(TokenSpan(start: offset + start, end: offset + end))
                }
            }
            offset += length
        }
        return spans
    }
}
