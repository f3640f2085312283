import Foundation

/// Reads the LitBank layout: `splits.txt` names the documents (`train NAME`, `dev NAME`,
/// `test NAME`; blank lines and `#` comments ignored), and each NAME has
///
/// - `coref/NAME_brat.conll`: one CoNLL-2012 document (`CoNLL2012Reader`) whose last column
///   holds the coreference chains, singletons and pronouns included;
/// - `entities/NAME_brat.tsv`: the same tokens, one a line, blank lines between sentences, then
///   tab-separated IOB2 layers of nested mentions. The first layer holds the innermost ones, so
///   it is the flat mention-detection target (`Sentence.mentions`, types PER FAC GPE LOC VEH ORG);
///   `layers` may fill further span layers from the other columns (a level learning the outer
///   mentions of layer 2).
///
/// The two files of a document must agree token for token; a disagreement is reported at the
/// line of the entities file, naming the coref file and line it disagrees with. Documents are
/// named NAME and returned in the order of `splits.txt`.
///
/// A record (what `ReadPolicy.lenient` skips) is one document, both of its files: their
/// tokens must align, so neither can be trusted alone. `splits.txt` is the corpus's table of
/// contents and stays strict, like the files it lists: a listed file that is missing or empty
/// is a whole-file error under either policy.
public struct LitBankReader: Sendable {
    /// The span layers read from the entities file, each from its tag column (1 the innermost).
    public var layers: [SpanLayer: Int]

    /// Column 1, the innermost mentions, as `Sentence.mentions`.
    public static let innermostMentions: [SpanLayer: Int] = [.mentions: 1]

    public init(layers: [SpanLayer: Int] = innermostMentions) {
        precondition(layers.values.allSatisfy { $0 >= 1 }, "LitBankReader: tag columns count from 1, got \(layers)")
        self.layers = layers
    }

    public func read(directory: String) throws -> (train: [Document], dev: [Document], test: [Document]) {
        let read = try read(directory: directory, policy: .strict)
        return (read.train, read.dev, read.test)
    }

    public func read(directory: String, policy: ReadPolicy) throws
        -> (train: [Document], dev: [Document], test: [Document], skipped: SkippedRecords) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw CorpusError(path: directory, message: "no such directory")
        }
        guard isDirectory.boolValue else { throw CorpusError(path: directory, message: "is a file, expected the LitBank directory") }
        let splitsFile = try TextFile(path: (directory as NSString).appendingPathComponent("splits.txt"), undecodable: .keep)
        var splits: [String: [Document]] = ["train": [], "dev": [], "test": []]
        var skipped = SkippedRecords()
        for entry in try entries(of: splitsFile) {
            let coref = (directory as NSString).appendingPathComponent("coref/\(entry.name)_brat.conll")
            let entities = (directory as NSString).appendingPathComponent("entities/\(entry.name)_brat.tsv")
            for path in [coref, entities] where !FileManager.default.fileExists(atPath: path) {
                throw splitsFile.error(atIndex: entry.line, "document '\(entry.name)' is listed but \(path) does not exist")
            }
            let corefFile = try TextFile(path: coref, undecodable: .keep), entitiesFile = try TextFile(path: entities, undecodable: .keep)
            do {
                let document = try self.document(named: entry.name, coref: corefFile, entities: entitiesFile)
                splits[entry.split]!.append(document)
            } catch let problem as CorpusError {
                try policy.reject(problem, into: &skipped)
            }
        }
        _ = try policy.usable(splits.values.flatMap { $0 }, skipped: skipped, path: directory, emptyMessage: "no documents read")
        return (splits["train"]!, splits["dev"]!, splits["test"]!, skipped)
    }

    private func entries(of file: TextFile) throws -> [(split: String, name: String, line: Int)] {
        var entries: [(split: String, name: String, line: Int)] = []
        var listed: [String: Int] = [:]
        for (index, line) in file.lines.enumerated() {
            let text = line.trimmingWhitespace()
            if text.isEmpty || text.hasPrefix("#") { continue }
            try file.checkLine(atIndex: index)
            let fields = text.split(whereSeparator: \.isWhitespace)
            guard fields.count == 2 else {
                throw file.error(atIndex: index, "expected 'SPLIT NAME' (two fields), found \(fields.count) fields")
            }
            let split = String(fields[0]), name = String(fields[1])
            guard ["train", "dev", "test"].contains(split) else {
                throw file.error(atIndex: index, "unknown split '\(split)': expected train, dev or test")
            }
            if let first = listed[name] {
                throw file.error(atIndex: index, "document '\(name)' is already listed on line \(first + 1)")
            }
            listed[name] = index
            entries.append((split, name, index))
        }
        guard !entries.isEmpty else { throw CorpusError(path: file.path, message: "lists no documents") }
        return entries
    }

    /// One line of the entities file: the token and its tags, in the order of `layers.sorted`.
    private struct MentionLine {
        var token: String
        var tags: [String]
        var line: Int
    }

    /// The layers in a fixed order, the order of `MentionLine.tags`.
    private var orderedLayers: [(layer: SpanLayer, column: Int)] { layers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }

    /// One document from the contents of its two files (the fuzzer's in-memory entry).
    public func document(named name: String, coref: TextFile, entities: TextFile) throws -> Document {
        let located = try CoNLL2012Reader().readLocated(coref)
        guard located.count == 1 else {
            throw coref.error(atIndex: located[1].beginLine, "expected one document per LitBank file, found \(located.count)")
        }
        var document = located[0].document
        let tokenLines = located[0].tokenLines
        let rows = try mentionSentences(entities)
        for (s, sentence) in document.sentences.enumerated() {
            guard s < rows.count else {
                throw CorpusError(path: entities.path, message: "ends after \(rows.count) sentences, but sentence \(s + 1) of \(coref.path) begins on line \(tokenLines[s][0] + 1)")
            }
            try align(rows[s], with: sentence.tokens, lines: tokenLines[s], entities: entities, coref: coref)
            for (k, layer) in orderedLayers.enumerated() {
                do {
                    document.sentences[s][layer: layer.layer] = try TagScheme.iob2.spans(from: rows[s].map { $0.tags[k] })
                } catch {
                    throw entities.error(atIndex: rows[s][error.position].line, error.message)
                }
            }
        }
        if rows.count > document.sentences.count {
            let extra = rows[document.sentences.count][0]
            throw entities.error(atIndex: extra.line, "sentence \(document.sentences.count + 1) has no counterpart: \(coref.path) has \(document.sentences.count) sentences")
        }
        document.id = name
        document.hasMentions = layers[.mentions] != nil
        return document
    }

    private func mentionSentences(_ file: TextFile) throws -> [[MentionLine]] {
        var sentences: [[MentionLine]] = []
        var current: [MentionLine] = []
        let columns = orderedLayers.map(\.column), needed = columns.max() ?? 1
        let expected = needed == 1 ? "at least one tab-separated BIO column" : "at least \(needed) tab-separated BIO columns"
        for (index, line) in file.lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { sentences.append(current) }
                current = []
                continue
            }
            try file.checkLine(atIndex: index)
            var fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            while fields.last?.allSatisfy(\.isWhitespace) == true { fields.removeLast() }
            guard fields.count > needed, !fields[0].isEmpty else {
                throw file.error(atIndex: index, "expected a token and \(expected), found \(fields.count) non-empty fields")
            }
            current.append(MentionLine(token: CoNLL2012Reader.normalisedWord(fields[0]),
                                       tags: columns.map { String(fields[$0].trimmingWhitespace()) }, line: index))
        }
        if !current.isEmpty { sentences.append(current) }
        return sentences
    }

    /// Throws at the first token of `rows` that differs from the coref file's `tokens`.
    private func align(_ rows: [MentionLine], with tokens: [String], lines: [Int], entities: TextFile, coref: TextFile) throws {
        for (position, row) in rows.enumerated() {
            guard position < tokens.count else {
                throw entities.error(atIndex: row.line, "token '\(row.token)' lies beyond the end of its sentence, which ends on \(coref.path):\(lines[tokens.count - 1] + 1)")
            }
            guard row.token == tokens[position] else {
                throw entities.error(atIndex: row.line, "token '\(row.token)' differs from '\(tokens[position])' on \(coref.path):\(lines[position] + 1)")
            }
        }
        if rows.count < tokens.count {
            throw entities.error(atIndex: rows[rows.count - 1].line + 1, "sentence ends after \(rows.count) tokens, but \(coref.path):\(lines[rows.count] + 1) continues it with '\(tokens[rows.count])'")
        }
    }
}
