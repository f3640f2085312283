/// One parsed span tag: a prefix letter (B, I, L, U) and an entity type, or outside ("O").
/// The string forms are `O` and `<prefix>-<type>` with a non-empty type.
struct Tag: Equatable {
    enum Prefix: Character { case begin = "B", inside = "I", last = "L", unit = "U" }

    /// nil for "O".
    let prefix: Prefix?
    let type: String

    static let outside = Tag(prefix: nil, type: "")

    init(prefix: Prefix?, type: String) {
        self.prefix = prefix
        self.type = type
    }

    /// Parses `text`, accepting only the prefixes of the scheme at hand (B/I for IOB, all four
    /// for BILOU), so "L-PER" in an IOB file is reported rather than misread.
    init(parsing text: String, allowed: Set<Prefix>, at position: Int) throws(TagSequenceError) {
        if text == "O" {
            self = .outside
            return
        }
        let expected = "expected 'O' or " + allowed.map { "\($0.rawValue)-" }.sorted().joined(separator: "/")
            + " followed by a type"
        guard text.count >= 3, let first = text.first, let prefix = Prefix(rawValue: first),
              allowed.contains(prefix), text.dropFirst().first == "-"
        else {
            throw TagSequenceError(position: position, message: "invalid tag '\(text)': \(expected)")
        }
        self.init(prefix: prefix, type: String(text.dropFirst(2)))
    }
}
