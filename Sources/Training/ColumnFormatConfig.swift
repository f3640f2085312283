import Corpus
import Model

extension RunConfig {
    /// `data.columns` and `data.tag_scheme` of format `columns`: the word column, the tag column
    /// of the task itself (named as the task) and optionally the `ner` and `emd` ones (a file
    /// carrying several can then be one source of those tasks, read once), and the tags' scheme — default `iob2`,
    /// the common BIO; an IOB1 file read as IOB2 is reported at its first I- after O, not misread.
    static func columnFormat(_ d: inout ConfigObject, task: Task) throws -> ColumnFormat {
        let layer = task.spanLayer
        let example = "an object like {\"word\": 0, \"\(layer.rawValue)\": -1} (column indices from 0, or negative from the end)"
        guard var c = try d.object("columns") else {
            throw ConfigError(path: "\(d.path).columns", message: "missing; expected \(example)")
        }
        let range = -1000...999
        let word = try c.int("word", range: range)
        var tags: [SpanLayer: Int] = [:]
        for other in Set([.entities, .mentions, layer]).sorted() {
            tags[other] = try c.optionalInt(other.rawValue, range: range)
        }
        try c.finish()
        guard tags[layer] != nil else {
            throw ConfigError(path: "\(c.path).\(layer.rawValue)", message: "missing; the column of the tags task \(task.rawValue) trains on")
        }
        let scheme = TagScheme(name: try d.string("tag_scheme", default: "iob2", oneOf: TagScheme.names))!
        let format = ColumnFormat(word: word, tags: tags, scheme: scheme)
        if let clash = format.sameColumn { throw ConfigError(path: c.path, message: clash) }
        return format
    }
}
