/// The one annotated-text model shared by all four tasks (NER, EMD, coreference, relations).
/// Readers fill the annotations their format carries and set the matching `has…` flag, so a
/// task can tell "this document has no relations" from "this corpus does not annotate them".

/// Inclusive token range `start...end`, sentence-relative unless a type says otherwise.
public struct TokenSpan: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public var start: Int
    public var end: Int

    public init(start: Int, end: Int) {
        precondition(start >= 0 && end >= start, "TokenSpan needs 0 <= start <= end, got \(start)...\(end)")
        self.start = start
        self.end = end
    }

    public var width: Int { end - start + 1 }

    public static func < (a: TokenSpan, b: TokenSpan) -> Bool {
        (a.start, a.end) < (b.start, b.end)
    }

    public var description: String { "\(start)...\(end)" }
}

/// A typed span: a named entity (NER) or an entity mention (EMD).
public struct LabeledSpan: Hashable, Sendable, Codable {
    public var span: TokenSpan
    public var label: String

    public init(span: TokenSpan, label: String) {
        self.span = span
        self.label = label
    }

    public init(_ start: Int, _ end: Int, _ label: String) {
        self.init(span: TokenSpan(start: start, end: end), label: label)
    }
}

/// A directed, typed relation between two entity spans of one sentence; `head` is the first
/// argument (e.g. the person in Work_For(person, organisation)).
public struct Relation: Hashable, Sendable, Codable {
    public var head: TokenSpan
    public var tail: TokenSpan
    public var label: String

    public init(head: TokenSpan, tail: TokenSpan, label: String) {
        self.head = head
        self.tail = tail
        self.label = label
    }
}

public struct Sentence: Hashable, Sendable, Codable {
    public var tokens: [String]
    /// Typed spans by layer, each layer non-overlapping. A layer without spans is absent, so
    /// two sentences differing only in an empty layer are equal.
    public private(set) var spans: [SpanLayer: [LabeledSpan]] = [:]
    /// Relations whose arguments are spans of `entities`.
    public var relations: [Relation]

    public init(tokens: [String], entities: [LabeledSpan] = [], mentions: [LabeledSpan] = [],
                relations: [Relation] = []) {
        self.tokens = tokens
        self.relations = relations
        self.entities = entities
        self.mentions = mentions
    }

    /// The spans of `layer`; none when the sentence has no such layer.
    public subscript(layer layer: SpanLayer) -> [LabeledSpan] {
        get { spans[layer] ?? [] }
        set { spans[layer] = newValue.isEmpty ? nil : newValue }
    }

    /// Typed named entities (NER targets).
    public var entities: [LabeledSpan] {
        get { self[layer: .entities] }
        set { self[layer: .entities] = newValue }
    }

    /// Entity mentions (EMD targets).
    public var mentions: [LabeledSpan] {
        get { self[layer: .mentions] }
        set { self[layer: .mentions] = newValue }
    }
}

/// A span located in a document: sentence index plus a sentence-relative span.
public struct DocumentSpan: Hashable, Sendable, Codable, Comparable {
    public var sentence: Int
    public var span: TokenSpan

    public init(sentence: Int, span: TokenSpan) {
        self.sentence = sentence
        self.span = span
    }

    public static func < (a: DocumentSpan, b: DocumentSpan) -> Bool {
        (a.sentence, a.span.start, a.span.end) < (b.sentence, b.span.start, b.span.end)
    }
}

public struct Document: Hashable, Sendable, Codable {
    public var id: String
    public var sentences: [Sentence]
    /// Coreference chains; each mention (names, nominals and pronouns) appears in one chain.
    public var clusters: [[DocumentSpan]]
    public var hasEntities: Bool
    public var hasMentions: Bool
    public var hasRelations: Bool
    public var hasCoreference: Bool

    public init(id: String, sentences: [Sentence], clusters: [[DocumentSpan]] = [],
                hasEntities: Bool = false, hasMentions: Bool = false,
                hasRelations: Bool = false, hasCoreference: Bool = false) {
        self.id = id
        self.sentences = sentences
        self.clusters = clusters
        self.hasEntities = hasEntities
        self.hasMentions = hasMentions
        self.hasRelations = hasRelations
        self.hasCoreference = hasCoreference
    }

    /// Offset of each sentence's first token in the concatenated document (coreference works
    /// on the whole document as one token sequence).
    public var sentenceOffsets: [Int] {
        var offsets: [Int] = []
        offsets.reserveCapacity(sentences.count)
        var total = 0
        for sentence in sentences {
            offsets.append(total)
            total += sentence.tokens.count
        }
        return offsets
    }

    public var tokenCount: Int { sentences.reduce(0) { $0 + $1.tokens.count } }
}
