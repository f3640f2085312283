import Foundation

/// Reads CoNLL-2012 `*_conll` files, the form OntoNotes 5.0 arrives in (also LitBank's
/// coreference files). Each `#begin document (ID); part N` … `#end document` block becomes one
/// Document named `ID/N` (N as written in the header); blank lines end sentences.
///
/// A token line has at least 12 columns: 0 document id, 1 part, 2 word index, 3 word, 4 POS,
/// 5 parse, 6 lemma, 7 frameset, 8 sense, 9 speaker, 10 named entities, 11…n−2 predicate
/// arguments (their number varies per sentence, so the count only has to be constant within a
/// sentence), n−1 coreference. Only the word, named-entity and coreference columns are kept;
/// the part and index columns are checked against the header and the token's position. The
/// document-id column is not checked: the `#begin document` line defines the document, as in
/// the official CoNLL-2012 scorer, which reads files whose rows carry another id.
///
/// Columns are runs of whitespace, except in lines holding a tab: those are split on single
/// tabs and an empty LAST field is an empty coreference cell, because LitBank writes `…_\t`
/// for a token outside every mention.
///
/// - Named entities (`SpanBrackets`) fill `Sentence.entities` and set `hasEntities`, unless every
///   cell of the document is the placeholder `_` (LitBank), which means "not annotated".
/// - Coreference (`CoreferenceBrackets`) fills `Document.clusters` in canonical form
///   (`CoreferenceClusters`) and always sets `hasCoreference`: the column is part of the format.
/// - Words `/.` and `/?` (escaped in some OntoNotes sources) become `.` and `?`.
///
/// A record (what `ReadPolicy.lenient` skips) is one document: `#begin document` through
/// `#end document`. A sentence cannot be dropped alone because coreference chains span
/// sentences. Lines outside any document up to the next `#begin` or `#end document` line form
/// one bad record, as does a document left open by the next `#begin document`; a document whose
/// id was already read from an earlier file of a directory is skipped too.
public struct CoNLL2012Reader: Sendable {
    /// Files of a directory that `read(path:)` picks up, as in the reference's OntoNotes walker.
    public static let directorySuffix = "gold_conll"

    public init() {}

    /// Reads one file, or every file under a directory (recursively, in sorted path order)
    /// whose name ends in `gold_conll`. Document ids must be unique across all files read.
    public func read(path: String) throws -> [Document] {
        try read(path: path, policy: .strict).documents
    }

    public func read(path: String, policy: ReadPolicy) throws -> CorpusRead {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            var skipped = SkippedRecords()
            let documents = try readLocated(TextFile(path: path, undecodable: .keep), policy: policy, skipped: &skipped).map(\.document)
            return CorpusRead(documents: documents, skipped: skipped)
        }
        guard let walker = FileManager.default.enumerator(atPath: path) else {
            throw CorpusError(path: path, message: "cannot list directory")
        }
        let files = walker.allObjects.compactMap { $0 as? String }
            .filter { $0.hasSuffix(Self.directorySuffix) }
            .sorted()
            .map { (path as NSString).appendingPathComponent($0) }
            .filter { file in
                var isDirectory: ObjCBool = false
                return FileManager.default.fileExists(atPath: file, isDirectory: &isDirectory) && !isDirectory.boolValue
            }
        guard !files.isEmpty else {
            throw CorpusError(path: path, message: "directory holds no file whose name ends in '\(Self.directorySuffix)'")
        }
        var documents: [Document] = []
        var skipped = SkippedRecords()
        var firstSeen: [String: String] = [:]
        for file in files {
            for located in try readLocated(TextFile(path: file, undecodable: .keep), policy: policy, skipped: &skipped) {
                let here = "\(file):\(located.beginLine + 1)"
                if let first = firstSeen[located.document.id] {
                    try policy.reject(CorpusError(path: file, line: located.beginLine + 1,
                                                  message: "document '\(located.document.id)' was already read at \(first)"),
                                      into: &skipped)
                    continue
                }
                firstSeen[located.document.id] = here
                documents.append(located.document)
            }
        }
        return CorpusRead(documents: documents, skipped: skipped)
    }

    /// Parses content already in memory; `path` names it in errors.
    public func read(text: String, path: String) throws -> [Document] {
        try read(text: text, path: path, policy: .strict).documents
    }

    public func read(text: String, path: String, policy: ReadPolicy) throws -> CorpusRead {
        var skipped = SkippedRecords()
        let documents = try readLocated(TextFile(path: path, text: text), policy: policy, skipped: &skipped).map(\.document)
        return CorpusRead(documents: documents, skipped: skipped)
    }

    /// A document with the 0-based line of its `#begin document` and of every token
    /// (`tokenLines[sentence][position]`), so a reader aligning another file with it can point
    /// at both files.
    struct Located {
        var document: Document
        var beginLine: Int
        var tokenLines: [[Int]]
    }

    /// The document being read: header fields, finished sentences and the open sentence.
    private struct Block {
        var id: String
        var part: String
        var partNumber: Int
        var beginLine: Int
        var sentences: [Sentence] = []
        var tokenLines: [[Int]] = []
        var coreference = CoreferenceBrackets()
        /// nil until the first named-entity cell; false when the cells are `_` placeholders.
        var hasEntities: Bool?
        var tokens: [String] = []
        var lines: [Int] = []
        var entities = SpanBrackets()
        /// Column count of the open sentence's first token line.
        var columns: Int?

        mutating func endSentence() throws(LineFailure) {
            guard !tokens.isEmpty else { return }
            let spans = try entities.finish()
            try coreference.endSentence()
            sentences.append(Sentence(tokens: tokens, entities: spans))
            tokenLines.append(lines)
            tokens = []
            lines = []
            entities = SpanBrackets()
            columns = nil
        }
    }

    /// The documents of one file, every problem thrown (a LitBank document is one file).
    func readLocated(_ file: TextFile) throws -> [Located] {
        var none = SkippedRecords()
        return try readLocated(file, policy: .strict, skipped: &none)
    }

    /// The documents of one file; bad ones are added to `skipped` (lenient) or thrown (strict).
    /// A file with no usable document is an error either way.
    func readLocated(_ file: TextFile, policy: ReadPolicy, skipped: inout SkippedRecords) throws -> [Located] {
        var documents: [Located] = []
        var fileSkipped = SkippedRecords()
        var block: Block?
        /// The first problem of the open record; its lines up to the next `#begin document` or
        /// `#end document` are not parsed.
        var failure: CorpusError?
        func endRecord() throws {
            defer { failure = nil; block = nil }
            if let failure { try policy.reject(failure, into: &fileSkipped) }
        }
        for (index, line) in file.lines.enumerated() {
            let directive = line.first == "#"
            let begins = directive && line.hasPrefix("#begin document")
            let ends = directive && line.hasPrefix("#end document")
            if failure != nil {
                guard begins || ends else { continue }
                try endRecord()
                if ends { continue }
            } else if begins, let open = block {
                failure = file.error(atIndex: index, "'#begin document' inside document '\(open.id)' part \(open.part) opened on line \(open.beginLine + 1): missing '#end document'")
                try endRecord()
            }
            do {
                try file.checkLine(atIndex: index)
                if begins {
                    block = try header(line, index: index, file: file)
                } else if ends {
                    guard var finished = block else {
                        throw file.error(atIndex: index, "'#end document' without a matching '#begin document'")
                    }
                    try finished.endSentence()
                    guard !finished.sentences.isEmpty else {
                        throw file.error(atIndex: finished.beginLine, "document '\(finished.id)' part \(finished.part) has no tokens")
                    }
                    documents.append(located(finished))
                    block = nil
                } else if line.allSatisfy(\.isWhitespace) {
                    try block?.endSentence()
                } else {
                    guard block != nil else {
                        throw file.error(atIndex: index, "token line outside a document: expected '#begin document (ID); part N'")
                    }
                    try tokenLine(line, index: index, block: &block!, file: file)
                }
            } catch let problem as LineFailure {
                failure = file.error(problem)
            } catch let problem as CorpusError {
                failure = problem
            }
            if ends && failure != nil { try endRecord() }
        }
        if failure == nil, let open = block {
            failure = file.error(atIndex: open.beginLine, "document '\(open.id)' part \(open.part) opened here has no '#end document'")
        }
        try endRecord()
        skipped.merge(fileSkipped)
        return try policy.usable(documents, skipped: fileSkipped, path: file.path, emptyMessage: "no '#begin document' blocks found")
    }

    /// Parses `#begin document (ID); part N`.
    private func header(_ line: Substring, index: Int, file: TextFile) throws(CorpusError) -> Block {
        let rest = line.dropFirst("#begin document".count).trimmingWhitespace()
        guard rest.first == "(", let separator = rest.range(of: "); part ") else {
            throw file.error(atIndex: index, "malformed '#begin document' line: expected '#begin document (ID); part N'")
        }
        let id = rest[rest.index(after: rest.startIndex)..<separator.lowerBound]
        let part = rest[separator.upperBound...].trimmingWhitespace()
        guard !id.isEmpty, !id.contains(where: \.isWhitespace) else {
            throw file.error(atIndex: index, "malformed '#begin document' line: empty or blank-containing document id '\(id)'")
        }
        guard !part.isEmpty, part.allSatisfy(\.isASCII), let number = Int(part), number >= 0 else {
            throw file.error(atIndex: index, "malformed '#begin document' line: part '\(part)' is not a number")
        }
        return Block(id: String(id), part: String(part), partNumber: number, beginLine: index)
    }

    private func tokenLine(_ line: Substring, index: Int, block: inout Block, file: TextFile) throws {
        var columns = line.utf8.contains(UInt8(ascii: "\t"))
            ? line.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingWhitespace() }
            : line.split(whereSeparator: \.isWhitespace)
        guard columns.count >= 12 else {
            throw file.error(atIndex: index, "expected at least 12 columns (document id, part, word index, word, POS, parse, lemma, frameset, sense, speaker, named entities, [predicate arguments…], coreference), found \(columns.count)")
        }
        if let expected = block.columns, expected != columns.count {
            throw file.error(atIndex: index, "found \(columns.count) columns, but this sentence's first token line has \(expected)")
        }
        block.columns = columns.count
        if columns[columns.count - 1].isEmpty { columns[columns.count - 1] = "-" }
        if let empty = columns.firstIndex(where: \.isEmpty) {
            throw file.error(atIndex: index, "column \(empty) is empty")
        }
        guard let part = Int(columns[1]), part == block.partNumber else {
            throw file.error(atIndex: index, "part '\(columns[1])' does not match part \(block.part) of the '#begin document' on line \(block.beginLine + 1)")
        }
        guard let position = Int(columns[2]), position == block.tokens.count else {
            throw file.error(atIndex: index, "word index '\(columns[2])' out of sequence: expected \(block.tokens.count)")
        }
        let entityCell = columns[10]
        let annotated = entityCell != "_"
        if let earlier = block.hasEntities, earlier != annotated {
            throw file.error(atIndex: index, annotated
                ? "named-entity cell '\(entityCell)' in a document whose earlier cells are the placeholder '_'"
                : "named-entity placeholder '_' in a document whose earlier cells are annotated")
        }
        block.hasEntities = annotated
        if annotated { try block.entities.consume(entityCell, position: position, line: index) }
        try block.coreference.consume(columns[columns.count - 1], sentence: block.sentences.count, position: position, line: index)
        block.tokens.append(Self.normalisedWord(columns[3]))
        block.lines.append(index)
    }

    private func located(_ block: Block) -> Located {
        let document = Document(id: "\(block.id)/\(block.part)", sentences: block.sentences,
                                clusters: block.coreference.clusters,
                                hasEntities: block.hasEntities ?? false, hasCoreference: true)
        return Located(document: document, beginLine: block.beginLine, tokenLines: block.tokenLines)
    }

    /// OntoNotes escapes sentence-final `.` and `?` as `/.` and `/?` in some sources.
    static func normalisedWord(_ word: Substring) -> String {
        switch word {
        case "/.": "."
        case "/?": "?"
        default: String(word)
        }
    }
}
