import Corpus
import Foundation

/// Reads a gold and a predicted relation file for offline scoring (`RelationMetrics`).
///
/// Format (the DyGIE layout): JSON lines, one object per document (or per sentence)
/// `{"doc_key": …, "sentences": [[token, …], …], "relations": [[[s1, e1, s2, e2, label], …], …]}`
/// with one relation list per sentence and inclusive token offsets counted over the whole
/// object (not per sentence); (s1, e1) is the first argument. A prediction file may name the
/// lists `predicted_relations` instead (DyGIE's output, whose extra score fields are ignored).
/// Objects are matched by `doc_key` and must have the same sentence lengths on both sides.
enum RelationFiles {
    /// Per sentence, in gold-file order.
    static func read(gold: String, predicted: String) throws -> [GoldAndPrediction<[Relation]>] {
        try read(gold: TextFile(path: gold), predicted: TextFile(path: predicted))
    }

    static func read(gold: TextFile, predicted: TextFile) throws -> [GoldAndPrediction<[Relation]>] {
        let goldDocuments = try RelationDocument.all(in: gold)
        let predictedDocuments = try RelationDocument.all(in: predicted)
        let predictedByKey = Dictionary(uniqueKeysWithValues: predictedDocuments.map { ($0.key, $0) })
        let goldKeys = Set(goldDocuments.map(\.key))
        if let extra = predictedDocuments.first(where: { !goldKeys.contains($0.key) }) {
            throw predicted.error(atIndex: extra.index, "doc_key '\(extra.key)' is not in the gold file \(gold.path)")
        }
        return try goldDocuments.flatMap { g in
            guard let p = predictedByKey[g.key] else {
                throw CorpusError(path: predicted.path, message: "doc_key '\(g.key)' of the gold file \(gold.path) is missing")
            }
            guard p.sentenceLengths == g.sentenceLengths else {
                throw predicted.error(atIndex: p.index,
                    "doc_key '\(g.key)': sentence lengths \(p.sentenceLengths) differ from \(g.sentenceLengths) in the gold file \(gold.path):\(g.index + 1)")
            }
            return zip(g.relations, p.relations).map { GoldAndPrediction(gold: $0, predicted: $1) }
        }
    }
}

/// One JSON line: its key, sentence lengths and sentence-relative relations.
private struct RelationDocument {
    var key: String
    /// 0-based line, for messages.
    var index: Int
    var sentenceLengths: [Int]
    var relations: [[Relation]]

    static func all(in file: TextFile) throws -> [RelationDocument] {
        var documents: [RelationDocument] = [], seen: [String: Int] = [:]
        for (index, line) in file.lines.enumerated() where line.contains(where: { !$0.isWhitespace }) {
            let document = try RelationDocument(line: line, file: file, index: index)
            if let first = seen[document.key] {
                throw file.error(atIndex: index, "doc_key '\(document.key)' appears twice (first on line \(first + 1))")
            }
            seen[document.key] = index
            documents.append(document)
        }
        return documents
    }

    init(line: Substring, file: TextFile, index: Int) throws {
        func fail(_ message: String) -> CorpusError { file.error(atIndex: index, message) }
        guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else {
            throw fail("expected a JSON object on each line")
        }
        switch object["doc_key"] {
        case let key as String: self.key = key
        case let key as Int: self.key = String(key)
        default: throw fail("missing or invalid \"doc_key\" (expected a string)")
        }
        self.index = index
        guard let sentences = object["sentences"] as? [[String]] else {
            throw fail("missing or invalid \"sentences\" (expected a list of token lists)")
        }
        sentenceLengths = sentences.map(\.count)
        let field = object["relations"] != nil ? "relations" : "predicted_relations"
        guard let perSentence = object[field] as? [[[Any]]] else {
            throw fail("missing or invalid \"relations\" (expected one list of [s1, e1, s2, e2, label] per sentence)")
        }
        guard perSentence.count == sentences.count else {
            throw fail("\"\(field)\" has \(perSentence.count) lists for \(sentences.count) sentences")
        }
        var relations: [[Relation]] = []
        var offset = 0
        for (s, entries) in perSentence.enumerated() {
            let length = sentences[s].count
            relations.append(try entries.map { entry in
                guard entry.count >= 5, let label = entry[4] as? String,
                      case let bounds = entry[0..<4].compactMap({ $0 as? Int }), bounds.count == 4 else {
                    throw fail("invalid relation \(entry) in sentence \(s + 1): expected [s1, e1, s2, e2, label]")
                }
                // Checked before subtracting: an offset near Int.min would overflow `- offset`.
                guard bounds.allSatisfy({ (offset..<(offset + length)).contains($0) }),
                      bounds[0] <= bounds[1], bounds[2] <= bounds[3] else {
                    throw fail("relation \(entry) in sentence \(s + 1) does not lie inside it (document tokens \(offset)...\(offset + length - 1))")
                }
                let local = bounds.map { $0 - offset }
                return Relation(head: TokenSpan(start: local[0], end: local[1]),
                                tail: TokenSpan(start: local[2], end: local[3]), label: label)
            })
            offset += length
        }
        self.relations = relations
    }
}
