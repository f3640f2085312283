import Corpus

/// Reads a gold and a predicted CoNLL-2012 file for offline coreference scoring
/// (`CoreferenceMetrics`). Only what scoring needs is parsed — document boundaries, sentence
/// boundaries and the coreference column — so prediction files may carry fewer columns than
/// the corpus; `Corpus` has the full reader for training data.
///
/// Format: `#begin document (ID); part N` … `#end document`, one token a line, blank lines
/// between sentences, coreference in the LAST column: `-` (or `_`) or `|`-joined `(n`, `n)`,
/// `(n)` where n is the entity number. Lines starting with `#` are otherwise comments.
/// Brackets pair up as in scorer.pl: per entity, a closing bracket closes the most recently
/// opened one, and within a cell one-token mentions are read first, then openings, then
/// closings. Unlike scorer.pl a mention may not cross a sentence boundary (a `DocumentSpan`
/// lies in one sentence), and every malformed cell is an error rather than ignored.
enum CoreferenceFiles {
    struct Document: Sendable, Equatable {
        var id: String
        var part: Int
        var clusters: GoldAndPrediction<[[DocumentSpan]]>
    }

    /// One entry per gold document, in gold-file order. Both files must hold the same
    /// documents (by id and part) with the same sentence lengths.
    static func read(gold: String, predicted: String) throws -> [Document] {
        try read(gold: TextFile(path: gold), predicted: TextFile(path: predicted))
    }

    static func read(gold: TextFile, predicted: TextFile) throws -> [Document] {
        let goldDocuments = try ParsedDocument.all(in: gold)
        let predictedDocuments = try ParsedDocument.all(in: predicted)
        var predictedByKey: [ParsedDocument.Key: ParsedDocument] = [:]
        for d in predictedDocuments { predictedByKey[d.key] = d }
        let goldKeys = Set(goldDocuments.map(\.key))
        if let extra = predictedDocuments.first(where: { !goldKeys.contains($0.key) }) {
            throw predicted.error(atIndex: extra.beginIndex, "document \(extra.key) is not in the gold file \(gold.path)")
        }
        return try goldDocuments.map { g in
            guard let p = predictedByKey[g.key] else {
                throw CorpusError(path: predicted.path, message: "document \(g.key) of the gold file \(gold.path) is missing")
            }
            func length(_ d: ParsedDocument, _ s: Int) -> Int? { s < d.sentenceLengths.count ? d.sentenceLengths[s] : nil }
            let sentences = max(g.sentenceLengths.count, p.sentenceLengths.count)
            if let s = (0..<sentences).first(where: { length(g, $0) != length(p, $0) }) {
                func describe(_ d: ParsedDocument) -> String { length(d, s).map { "\($0) tokens" } ?? "no such sentence" }
                throw predicted.error(atIndex: p.beginIndex,
                    "document \(g.key): sentence \(s + 1) has \(describe(p)) here but \(describe(g)) in the gold file \(gold.path)")
            }
            return Document(id: g.key.id, part: g.key.part,
                            clusters: GoldAndPrediction(gold: g.clusters, predicted: p.clusters))
        }
    }
}

/// One `#begin document` … `#end document` block reduced to what scoring needs.
private struct ParsedDocument {
    struct Key: Hashable, CustomStringConvertible {
        var id: String, part: Int
        var description: String { "'\(id)' part \(part)" }
    }

    var key: Key
    /// 0-based line of the `#begin document` header, for messages.
    var beginIndex: Int
    var sentenceLengths: [Int] = []
    /// Entities in the order their first mention closes; mentions in the order they close.
    var clusters: [[DocumentSpan]] = []

    static func all(in file: TextFile) throws -> [ParsedDocument] {
        var documents: [ParsedDocument] = [], seen: [Key: Int] = [:]
        var current: ParsedDocument?
        var sentenceLength = 0
        var entityIndex: [Int: Int] = [:]
        var open: [Int: [(sentence: Int, token: Int, index: Int)]] = [:]

        func endSentence() {
            if sentenceLength > 0 { current?.sentenceLengths.append(sentenceLength) }
            sentenceLength = 0
        }
        func add(_ entity: Int, _ span: DocumentSpan) {
            let k = entityIndex[entity] ?? {
                current!.clusters.append([])
                entityIndex[entity] = current!.clusters.count - 1
                return current!.clusters.count - 1
            }()
            current!.clusters[k].append(span)
        }

        for (index, line) in file.lines.enumerated() {
            let columns = line.split(whereSeparator: \.isWhitespace)
            if line.hasPrefix("#begin document") {
                if let current {
                    throw file.error(atIndex: index, "#begin document inside document \(current.key) (begun on line \(current.beginIndex + 1))")
                }
                let key = try header(line.dropFirst("#begin document".count), file: file, index: index)
                if let first = seen[key] {
                    throw file.error(atIndex: index, "document \(key) appears twice (first on line \(first + 1))")
                }
                seen[key] = index
                current = ParsedDocument(key: key, beginIndex: index)
                entityIndex = [:]; open = [:]; sentenceLength = 0
            } else if line.hasPrefix("#end document") {
                guard current != nil else { throw file.error(atIndex: index, "#end document without #begin document") }
                if let (entity, starts) = open.first(where: { !$0.value.isEmpty }) {
                    throw file.error(atIndex: starts.last!.index, "mention of entity \(entity) opened here is never closed")
                }
                endSentence()
                documents.append(current!)
                current = nil
            } else if columns.isEmpty {
                endSentence()
            } else if line.hasPrefix("#") {
                continue
            } else {
                guard current != nil else {
                    throw file.error(atIndex: index, "token line outside a #begin document … #end document block")
                }
                let sentence = current!.sentenceLengths.count, token = sentenceLength
                let cell = try Cell(parsing: columns[columns.count - 1], file: file, index: index)
                for entity in cell.units {
                    add(entity, DocumentSpan(sentence: sentence, span: TokenSpan(start: token, end: token)))
                }
                for entity in cell.openings { open[entity, default: []].append((sentence, token, index)) }
                for entity in cell.closings {
                    guard let start = open[entity]?.popLast() else {
                        throw file.error(atIndex: index, "'\(entity))' closes a mention of entity \(entity) that was never opened")
                    }
                    guard start.sentence == sentence else {
                        throw file.error(atIndex: index,
                            "mention of entity \(entity) opened on line \(start.index + 1) crosses a sentence boundary")
                    }
                    add(entity, DocumentSpan(sentence: sentence, span: TokenSpan(start: start.token, end: token)))
                }
                sentenceLength += 1
            }
        }
        if let current {
            throw file.error(atIndex: current.beginIndex, "document \(current.key) has no #end document")
        }
        guard !documents.isEmpty else { throw CorpusError(path: file.path, message: "no #begin document found") }
        return documents
    }

    /// ` (ID); part N` → ("ID", N); a header without `; part` is part 0.
    private static func header(_ text: Substring, file: TextFile, index: Int) throws -> Key {
        var name = text.drop(while: \.isWhitespace)
        var part = 0
        if let range = name.range(of: "; part ") {
            let number = name[range.upperBound...].filter { !$0.isWhitespace }
            guard let n = Int(number) else {
                throw file.error(atIndex: index, "invalid part number '\(number)' in the #begin document header")
            }
            part = n
            name = name[..<range.lowerBound]
        }
        if name.hasPrefix("("), name.hasSuffix(")") { name = name.dropFirst().dropLast() }
        guard !name.isEmpty else { throw file.error(atIndex: index, "#begin document without a document id") }
        return Key(id: String(name), part: part)
    }
}

/// One coreference cell: entity numbers of one-token mentions `(n)`, openings `(n`, closings `n)`.
private struct Cell {
    var units: [Int] = [], openings: [Int] = [], closings: [Int] = []

    init(parsing text: Substring, file: TextFile, index: Int) throws {
        guard text != "-", text != "_" else { return }
        for piece in text.split(separator: "|", omittingEmptySubsequences: false) {
            let opens = piece.hasPrefix("("), closes = piece.hasSuffix(")")
            let digits = piece.dropFirst(opens ? 1 : 0).dropLast(closes ? 1 : 0)
            guard opens || closes, !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber),
                  let entity = Int(digits) else {
                throw file.error(atIndex: index,
                    "invalid coreference cell '\(text)': expected '-' or '|'-joined '(n', 'n)', '(n)' with an entity number n")
            }
            if opens && closes { units.append(entity) } else if opens { openings.append(entity) } else { closings.append(entity) }
        }
    }
}
