/// One parsed span tag: a prefix (begin, inside, last, unit) and an entity type, or outside
/// ("O"). The string forms are `O` and `<letter>-<type>` with a non-empty type; which letter
/// spells which prefix is the tag scheme's choice (`TagScheme.letters`: L and U in BILOU, E and
/// S in BIOES).
struct Tag: Equatable {
    enum Prefix { case begin, inside, last, unit }

    /// nil for "O".
    let prefix: Prefix?
    let type: String

    static let outside = Tag(prefix: nil, type: "")

    init(prefix: Prefix?, type: String) {
        self.prefix = prefix
        self.type = type
    }

    /// Parses `text`, accepting only the letters of the scheme at hand, so "L-PER" in an IOB
    /// file is reported rather than misread.
    init(parsing text: String, letters: [Character: Prefix], at position: Int) throws(TagSequenceError) {
        if text == "O" {
            self = .outside
            return
        }
        guard text.count >= 3, let first = text.first, let prefix = letters[first], text.dropFirst().first == "-" else {
            let expected = "expected 'O' or " + letters.keys.map { "\($0)-" }.sorted().joined(separator: "/")
                + " followed by a type"
            throw TagSequenceError(position: position, message: "invalid tag '\(text)': \(expected)")
        }
        self.init(prefix: prefix, type: String(text.dropFirst(2)))
    }
}
