/// How to read a column file (`ColumnReader`): which column holds the word, which hold tags
/// and for which span layer (`Sentence.spans`, any name), and how the tags are spelt.
///
/// Column indices count from 0 at the start of a line, or from -1 at its end, so
/// `word=0, ner=-1` reads `token TAG` files and CoNLL-2003's `word POS chunk NER` alike.
public struct ColumnFormat: Sendable, Hashable {
    public var word: Int
    public var tags: [SpanLayer: Int]
    /// nil: read off each file, as `hmtl score` does for files of unknown origin — BILOU when a
    /// tag starts with `L-` or `U-`, else IOB1 (which gives IOB2's spans on every valid IOB2 file).
    public var scheme: TagScheme?

    public init(word: Int = 0, tags: [SpanLayer: Int], scheme: TagScheme?) {
        self.word = word
        self.tags = tags
        self.scheme = scheme
    }

    /// The tag layers in a fixed order (the order of `Row.tags` in the reader).
    public var layers: [SpanLayer] { tags.keys.sorted() }

    /// `word=0, ner=-1`: the map as the command line writes it, for messages.
    public var columnMap: String {
        (["word=\(word)"] + layers.map { "\($0.rawValue)=\(tags[$0]!)" }).joined(separator: ", ")
    }

    /// Two names given the same index (`word=0, ner=0`), which no line can satisfy; nil if none.
    /// (`word=0, ner=-2` meet only on lines of two columns: the reader reports those lines.)
    public var sameColumn: String? {
        let named = [("word", word)] + layers.map { ($0.rawValue, tags[$0]!) }
        for (i, a) in named.enumerated() {
            if let b = named[(i + 1)...].first(where: { $0.1 == a.1 }) { return "'\(a.0)' and '\(b.0)' are both column \(a.1)" }
        }
        return nil
    }

    /// Parses a command-line column map, `word=0,ner=-1` (`word` may be left out: column 0),
    /// whose tag columns are among `layers`. The problem, when there is one, is thrown as text
    /// for the caller to attribute to its option.
    public static func columnMap(parsing text: String, layers: [SpanLayer] = [.entities, .mentions]) throws(MapError)
        -> (word: Int, tags: [SpanLayer: Int]) {
        var word: Int?
        var tags: [SpanLayer: Int] = [:]
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let parts = item.split(separator: "=", omittingEmptySubsequences: false)
            let names = ["word"] + layers.map(\.rawValue)
            guard parts.count == 2, let name = parts.first.map({ String($0.trimmingWhitespace()) }), names.contains(name),
                  let index = Int(parts[1].trimmingWhitespace()) else {
                throw MapError(message: "'\(item)' is not NAME=INDEX with NAME one of \(names.joined(separator: ", ")) and INDEX an integer (negative: from the end)")
            }
            if name == "word" {
                guard word == nil else { throw MapError(message: "'word' is given twice") }
                word = index
            } else {
                guard tags.updateValue(index, forKey: SpanLayer(rawValue: name)) == nil else { throw MapError(message: "'\(name)' is given twice") }
            }
        }
        if let clash = ColumnFormat(word: word ?? 0, tags: tags, scheme: nil).sameColumn { throw MapError(message: clash) }
        return (word ?? 0, tags)
    }

    public struct MapError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }
}
