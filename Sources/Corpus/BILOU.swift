/// BILOU (a.k.a. BIOUL) tags, the target encoding of the NER and EMD taggers: U-X for a
/// one-token span, B-X I-X… L-X for a longer one, O outside. Unlike IOB, every valid sequence
/// maps to exactly one span set and back, which is why the CRF is trained on it; decoding is
/// strict, so a malformed (unconstrained) prediction is an error rather than a guess.
public enum BILOU {
    /// The tags of a sentence of `count` tokens carrying `spans`.
    /// Spans must lie inside the sentence and not overlap (readers guarantee both).
    public static func tags(for spans: [LabeledSpan], count: Int) -> [String] {
        var tags = [String](repeating: "O", count: count)
        for s in spans {
            precondition(s.span.end < count, "span \(s.span) outside a sentence of \(count) tokens")
            for i in s.span.start...s.span.end {
                precondition(tags[i] == "O", "overlapping spans at token \(i)")
            }
            if s.span.start == s.span.end {
                tags[s.span.start] = "U-\(s.label)"
            } else {
                tags[s.span.start] = "B-\(s.label)"
                for i in (s.span.start + 1)..<s.span.end { tags[i] = "I-\(s.label)" }
                tags[s.span.end] = "L-\(s.label)"
            }
        }
        return tags
    }

    /// Spans of a valid BILOU sequence, in order; throws on the first invalid tag or transition.
    public static func spans(from tags: [String]) throws(TagSequenceError) -> [LabeledSpan] {
        try TagScheme.bilou.spans(from: tags)
    }

    /// Throws a descriptive error if `tags` is not a valid BILOU sequence.
    public static func validate(_ tags: [String]) throws(TagSequenceError) {
        _ = try spans(from: tags)
    }

    /// The full tag set for the given entity types: "O" first, then B/I/L/U per type, sorted.
    public static func tagSet(types: some Sequence<String>) -> [String] {
        let prefixed = Set(types).flatMap { type in ["B", "I", "L", "U"].map { "\($0)-\(type)" } }
        return ["O"] + prefixed.sorted()
    }
}
