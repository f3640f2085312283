/// The two IOB encodings that corpora arrive in; both decode to spans, which `BILOU` then
/// re-encodes as the training target.
///
/// - `iob1` (CoNLL-2003 as distributed): a span may start with I-X; B-X appears only to split
///   two adjacent spans of the same type. Decoding is lenient: an I-X that does not continue an
///   X span starts a new one (the conlleval convention, also right for stray I-X in BIO files).
/// - `iob2` (BIO): every span starts with B-X; an I-X that does not continue an X span is an
///   error, so mislabelled data is reported instead of silently repaired.
public enum TagScheme: String, Sendable, Codable, CaseIterable {
    case iob1
    case iob2

    public func spans(from tags: [String]) throws(TagSequenceError) -> [LabeledSpan] {
        var spans: [LabeledSpan] = []
        var open: (start: Int, type: String)?
        func close(before end: Int) {
            if let o = open { spans.append(LabeledSpan(o.start, end - 1, o.type)) }
            open = nil
        }
        for (i, text) in tags.enumerated() {
            let tag = try Tag(parsing: text, allowed: [.begin, .inside], at: i)
            switch tag.prefix {
            case nil:
                close(before: i)
            case .begin:
                close(before: i)
                open = (i, tag.type)
            case .inside:
                if open?.type == tag.type { continue }
                if self == .iob2 {
                    let previous = i == 0 ? "the start of the sentence" : "'\(tags[i - 1])'"
                    throw TagSequenceError(
                        position: i,
                        message: "'\(text)' cannot follow \(previous) in IOB2: a span must start with B-\(tag.type)")
                }
                close(before: i)
                open = (i, tag.type)
            case .last, .unit:
                preconditionFailure("Tag(parsing:) admitted a BILOU prefix")
            }
        }
        close(before: tags.count)
        return spans
    }
}
