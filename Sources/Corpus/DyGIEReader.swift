import Foundation

/// Reads DyGIE-style JSON lines, what the standard ACE05 and SciERC preprocessing emits: one
/// object a line with
///
/// - `doc_key`: string, unique in the file;
/// - `sentences`: `[[token]]`, no sentence empty;
/// - optional `ner`: per sentence `[[start, end, label], …]`;
/// - optional `relations`: per sentence `[[start1, end1, start2, end2, label], …]`, both
///   arguments being `ner` spans of that sentence (the first is the relation's head);
/// - optional `clusters`: `[[[start, end], …], …]`, each mention inside one sentence.
///
/// Offsets are DOCUMENT-WIDE token indices with inclusive ends; every span must lie in the
/// sentence whose list holds it. Other keys (events, predictions) are ignored. ACE nests
/// entity mentions ("[the [US] government]"), but the NER and EMD targets are flat tag
/// sequences: overlapping `ner` spans are flattened to the outermost — longest first, then
/// earliest — and relations may still name the inner ones. A key that is present sets the
/// matching `has…` flag even when its lists are empty.
///
/// A record (what `ReadPolicy.lenient` skips) is one line, i.e. one document; a line whose
/// `doc_key` an earlier line already used is skipped too. The strings kept (`doc_key`, tokens,
/// labels) are checked after unescaping (`StoredText`).
public struct DyGIEReader: Sendable, SingleFileReader {
    /// Where the `ner` spans go. ACE's entity mentions are both what NER tags and what EMD
    /// predicts, so by default they fill both layers.
    public enum EntitySpans: String, Sendable, CaseIterable {
        case entities, mentions, both
    }

    public var entitySpansAs: EntitySpans

    public init(entitySpansAs: EntitySpans = .both) {
        self.entitySpansAs = entitySpansAs
    }

    /// A content error on the current line (the reader adds file and line).
    private struct Failure: Error {
        var message: String
    }

    public func read(_ file: TextFile, policy: ReadPolicy) throws -> CorpusRead {
        var documents: [Document] = []
        var skipped = SkippedRecords()
        var firstLine: [String: Int] = [:]
        for (index, line) in file.lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
            let document: Document
            do throws(CorpusError) {
                try file.checkLine(atIndex: index)
                do {
                    document = try self.document(line)
                } catch {
                    throw file.error(atIndex: index, (error as? Failure)?.message ?? "\(error)")
                }
            } catch {
                try policy.reject(error, into: &skipped)
                continue
            }
            if let first = firstLine[document.id] {
                try policy.reject(file.error(atIndex: index, "doc_key '\(document.id)' already used on line \(first + 1)"), into: &skipped)
                continue
            }
            firstLine[document.id] = index
            documents.append(document)
        }
        return CorpusRead(documents: try policy.usable(documents, skipped: skipped, path: file.path, emptyMessage: "no documents found"),
                          skipped: skipped)
    }

    private func document(_ line: Substring) throws -> Document {
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(line.utf8))
        } catch {
            throw Failure(message: "invalid JSON (\(error.localizedDescription))")
        }
        guard let object = json as? [String: Any] else { throw Failure(message: "expected a JSON object") }
        guard let key = object["doc_key"] else { throw Failure(message: "missing 'doc_key'") }
        guard let id = key as? String, !id.isEmpty else { throw Failure(message: "'doc_key' must be a non-empty string") }
        try storable(id, "'doc_key'")
        guard let rawSentences = object["sentences"] else { throw Failure(message: "missing 'sentences'") }
        let tokens = try sentences(rawSentences)
        let layout = Layout(lengths: tokens.map(\.count))

        var sentences = tokens.map { Sentence(tokens: $0) }
        let ner = try object["ner"].map { try perSentence($0, key: "ner", count: sentences.count) }
        let relations = try object["relations"].map { try perSentence($0, key: "relations", count: sentences.count) }
        for s in sentences.indices {
            let spans = try entitySpans(ner?[s] ?? [], sentence: s, layout: layout)
            let flat = DyGIEReader.outermost(spans)
            if entitySpansAs != .mentions { sentences[s].entities = flat }
            if entitySpansAs != .entities { sentences[s].mentions = flat }
            sentences[s].relations = try self.relations(relations?[s] ?? [], sentence: s, layout: layout,
                                                         entities: Set(spans.map(\.span)))
        }
        let clusters = try object["clusters"].map { try self.clusters($0, layout: layout) }
        return Document(id: id, sentences: sentences, clusters: clusters ?? [],
                        hasEntities: ner != nil && entitySpansAs != .mentions,
                        hasMentions: ner != nil && entitySpansAs != .entities,
                        hasRelations: relations != nil, hasCoreference: clusters != nil)
    }

    /// Sentence lengths, to turn document-wide offsets into sentence-relative spans.
    private struct Layout {
        var offsets: [Int] = []
        var lengths: [Int]

        init(lengths: [Int]) {
            self.lengths = lengths
            var total = 0
            for length in lengths {
                offsets.append(total)
                total += length
            }
        }

        var tokenCount: Int { (offsets.last ?? 0) + (lengths.last ?? 0) }

        /// The sentence-relative span of document-wide `start...end`, which must lie in sentence `s`.
        func span(_ start: Int, _ end: Int, in s: Int, what: String) throws -> TokenSpan {
            guard start <= end else { throw Failure(message: "\(what) [\(start), \(end)] ends before it starts") }
            guard start >= 0, end < tokenCount else {
                throw Failure(message: "\(what) [\(start), \(end)] out of range: the document has \(tokenCount) tokens")
            }
            let first = offsets[s], last = offsets[s] + lengths[s] - 1
            guard start >= first, end <= last else {
                throw Failure(message: "\(what) [\(start), \(end)] is not inside sentence \(s) (tokens \(first)...\(last))")
            }
            return TokenSpan(start: start - first, end: end - first)
        }

        /// The sentence holding document-wide `start...end`.
        func sentence(of start: Int, _ end: Int, what: String) throws -> DocumentSpan {
            guard start >= 0, start < tokenCount, let s = offsets.lastIndex(where: { $0 <= start }) else {
                throw Failure(message: "\(what) [\(start), \(end)] out of range: the document has \(tokenCount) tokens")
            }
            return DocumentSpan(sentence: s, span: try span(start, end, in: s, what: what))
        }
    }

    private func sentences(_ value: Any) throws -> [[String]] {
        guard let list = value as? [Any], !list.isEmpty else {
            throw Failure(message: "'sentences' must be a non-empty list of token lists")
        }
        return try list.enumerated().map { s, sentence in
            guard let tokens = sentence as? [Any] else { throw Failure(message: "sentence \(s) is not a list of tokens") }
            guard !tokens.isEmpty else { throw Failure(message: "sentence \(s) is empty") }
            return try tokens.enumerated().map { t, token in
                guard let text = token as? String, !text.isEmpty else {
                    throw Failure(message: "token \(t) of sentence \(s) is not a non-empty string")
                }
                try storable(text, "token \(t) of sentence \(s)")
                return text
            }
        }
    }

    /// Throws unless `text`, a string the run will store, may be stored (`StoredText`): JSON
    /// escapes such as `\u0000` reach the strings only after decoding, past the line check.
    private func storable(_ text: String, _ what: String) throws {
        if let problem = StoredText.problem(in: text) { throw Failure(message: "\(what): \(problem)") }
    }

    /// `value` as one list of items per sentence, each item itself a list.
    private func perSentence(_ value: Any, key: String, count: Int) throws -> [[[Any]]] {
        guard let list = value as? [Any] else { throw Failure(message: "'\(key)' must be a list with one list per sentence") }
        guard list.count == count else {
            throw Failure(message: "'\(key)' has \(list.count) entries but there are \(count) sentences")
        }
        return try list.enumerated().map { s, items in
            guard let items = items as? [Any] else { throw Failure(message: "'\(key)' entry \(s) is not a list") }
            return try items.map { item in
                guard let fields = item as? [Any] else {
                    throw Failure(message: "'\(key)' entry \(s) holds a non-list item \(item)")
                }
                return fields
            }
        }
    }

    private func entitySpans(_ items: [[Any]], sentence s: Int, layout: Layout) throws -> [LabeledSpan] {
        let spans = try items.map { fields in
            guard fields.count == 3, let start = integer(fields[0]), let end = integer(fields[1]),
                  let label = fields[2] as? String, !label.isEmpty else {
                throw Failure(message: "'ner' item \(fields) of sentence \(s): expected [start, end, label]")
            }
            try storable(label, "'ner' label of sentence \(s)")
            return LabeledSpan(span: try layout.span(start, end, in: s, what: "'ner' span"), label: label)
        }
        return spans
    }

    /// A non-overlapping subset: longest spans first (ties: earlier first), each kept unless it
    /// overlaps one already kept; returned in sentence order.
    ///
    /// `kept` stays sorted and disjoint, so its ends rise with its starts: the only kept span
    /// that can overlap a candidate is the last one starting at or before the candidate's end,
    /// found by binary search (a sentence may hold thousands of spans).
    static func outermost(_ spans: [LabeledSpan]) -> [LabeledSpan] {
        var kept: [LabeledSpan] = []
        for span in spans.sorted(by: { ($0.span.width, -$0.span.start) > ($1.span.width, -$1.span.start) }) {
            var low = 0, high = kept.count
            while low < high {
                let middle = (low + high) / 2
                if kept[middle].span.start <= span.span.end { low = middle + 1 } else { high = middle }
            }
            if low > 0 && kept[low - 1].span.end >= span.span.start { continue }
            kept.insert(span, at: low)
        }
        return kept
    }

    private func relations(_ items: [[Any]], sentence s: Int, layout: Layout, entities: Set<TokenSpan>) throws -> [Relation] {
        try items.map { fields in
            guard fields.count == 5, let values = integers(fields[0..<4]), let label = fields[4] as? String, !label.isEmpty else {
                throw Failure(message: "'relations' item \(fields) of sentence \(s): expected [start1, end1, start2, end2, label]")
            }
            try storable(label, "'relations' label of sentence \(s)")
            let head = try layout.span(values[0], values[1], in: s, what: "'relations' argument")
            let tail = try layout.span(values[2], values[3], in: s, what: "'relations' argument")
            for (argument, span) in [(values[0], head), (values[2], tail)] where !entities.contains(span) {
                throw Failure(message: "'relations' argument [\(argument), \(argument + span.width - 1)] of sentence \(s) is not a 'ner' span")
            }
            return Relation(head: head, tail: tail, label: label)
        }
    }

    private func clusters(_ value: Any, layout: Layout) throws -> [[DocumentSpan]] {
        guard let list = value as? [Any] else { throw Failure(message: "'clusters' must be a list of clusters") }
        let clusters = try list.enumerated().map { c, cluster in
            guard let mentions = cluster as? [Any], !mentions.isEmpty else {
                throw Failure(message: "cluster \(c) must be a non-empty list of [start, end] mentions")
            }
            return try mentions.map { mention in
                guard let pair = mention as? [Any], pair.count == 2, let values = integers(pair[...]) else {
                    throw Failure(message: "cluster \(c) holds \(mention), expected [start, end]")
                }
                return try layout.sentence(of: values[0], values[1], what: "cluster \(c) mention")
            }
        }
        return CoreferenceClusters.canonical(clusters)
    }

    /// A JSON integer. JSONSerialization returns every number and boolean as an NSNumber that
    /// converts to Int whenever exact (`true` as 1, `2.0` as 2), so its storage type decides:
    /// booleans are stored as char ("c"), numbers written with a fraction or exponent as double.
    private func integer(_ value: Any) -> Int? {
        guard let number = value as? NSNumber, !["c", "d", "f"].contains(String(cString: number.objCType)) else { return nil }
        return value as? Int
    }

    private func integers(_ values: ArraySlice<Any>) -> [Int]? {
        let converted = values.compactMap(integer)
        return converted.count == values.count ? converted : nil
    }
}
