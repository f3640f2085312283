/// The span encodings that tag columns arrive in; all decode to spans, which `BILOU` then
/// re-encodes as the training target.
///
/// - `iob1` (CoNLL-2003 as distributed): a span may start with I-X; B-X appears only to split
///   two adjacent spans of the same type. Decoding is lenient: an I-X that does not continue an
///   X span starts a new one (the conlleval convention, also right for stray I-X in BIO files).
/// - `iob2` (BIO): every span starts with B-X; an I-X that does not continue an X span is an
///   error, so mislabelled data is reported instead of silently repaired.
/// - `bioes` (also called IOBES): S-X for a one-token span, B-X I-X… E-X for a longer one.
/// - `bilou`: the same with U and L for S and E.
///
/// The last two are decoded strictly, every transition checked: unlike IOB, each span has one
/// spelling, so a tag that breaks it is an error in the data, not a dialect.
public enum TagScheme: String, Sendable, Codable, CaseIterable {
    case iob1
    case iob2
    case bioes
    case bilou

    /// The names a config or command line may give: the cases, and `iobes` for `bioes` (the
    /// two names are used interchangeably in the literature).
    public static let names = ["iob1", "iob2", "bioes", "iobes", "bilou"]

    public init?(name: String) {
        self.init(rawValue: name == "iobes" ? "bioes" : name)
    }

    /// The letter before the `-` of each prefix the scheme uses.
    var letters: [Character: Tag.Prefix] {
        switch self {
        case .iob1, .iob2: ["B": .begin, "I": .inside]
        case .bioes: ["B": .begin, "I": .inside, "E": .last, "S": .unit]
        case .bilou: ["B": .begin, "I": .inside, "L": .last, "U": .unit]
        }
    }

    public func spans(from tags: [String]) throws(TagSequenceError) -> [LabeledSpan] {
        switch self {
        case .iob1, .iob2: try iobSpans(from: tags)
        case .bioes, .bilou: try closedSpans(from: tags)
        }
    }

    private func iobSpans(from tags: [String]) throws(TagSequenceError) -> [LabeledSpan] {
        let letters = self.letters
        var spans: [LabeledSpan] = []
        var open: (start: Int, type: String)?
        func close(before end: Int) {
            if let o = open { spans.append(LabeledSpan(o.start, end - 1, o.type)) }
            open = nil
        }
        for (i, text) in tags.enumerated() {
            let tag = try Tag(parsing: text, letters: letters, at: i)
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
                preconditionFailure("Tag(parsing:) admitted a prefix IOB does not have")
            }
        }
        close(before: tags.count)
        return spans
    }

    /// BILOU and BIOES: every span is closed by its own tag (L/E, or U/S for one token).
    private func closedSpans(from tags: [String]) throws(TagSequenceError) -> [LabeledSpan] {
        let name = rawValue.uppercased(), letters = self.letters
        var spans: [LabeledSpan] = []
        var open: (start: Int, type: String)?
        for (i, text) in tags.enumerated() {
            let tag = try Tag(parsing: text, letters: letters, at: i)
            let continues = open?.type == tag.type
            let valid: Bool
            switch tag.prefix {
            case nil, .begin, .unit: valid = open == nil
            case .inside, .last: valid = continues
            }
            guard valid else {
                let previous = i == 0 ? "the start of the sentence" : "'\(tags[i - 1])'"
                throw TagSequenceError(position: i, message: "'\(text)' cannot follow \(previous) in \(name)")
            }
            switch tag.prefix {
            case nil, .inside: break
            case .begin: open = (i, tag.type)
            case .unit: spans.append(LabeledSpan(i, i, tag.type))
            case .last:
                spans.append(LabeledSpan(open!.start, i, tag.type))
                open = nil
            }
        }
        if let open {
            let last = letters.first { $0.value == .last }!.key
            throw TagSequenceError(
                position: tags.count - 1,
                message: "sentence ends inside the \(open.type) span opened at token \(open.start) (missing \(last)-\(open.type))")
        }
        return spans
    }
}
