import Corpus
import Model
import NN

/// One task's examples of one split, with the gold its level kind needs (`LevelKind`):
/// sentences with BILOU tags and spans, sentences with relations, or whole documents with
/// clusters (each document one token sequence).
public struct TaskExamples: Sendable {
    public let task: Task
    public internal(set) var sequences: [[String]] = []
    /// Tagging: tag indices and gold spans per sentence.
    public internal(set) var tags: [[Int]] = []
    public internal(set) var spans: [[LabeledSpan]] = []
    /// Relation: gold relations (sentence offsets) and their cells per sentence.
    public internal(set) var relations: [[Relation]] = []
    public internal(set) var relationCells: [[RelationPair]] = []
    /// Coreference: sentence boundaries and gold clusters (document offsets) per document.
    public internal(set) var documents: [CoreferenceDocument] = []
    /// Precomputed contextual features per example, when the model mixes them into g_e.
    public private(set) var contextual: ContextualFeatures?
    /// The pretrained vectors of words outside the training vocabulary (`embedder.glove`).
    public private(set) var frozen: FrozenVectors?

    public var count: Int { sequences.count }
    public var lengths: [Int] { sequences.map(\.count) }

    public init(task: Task, documents: [Document], vocabularies: Vocabularies) {
        self.task = task
        LevelKinds.kind(of: task).appendExamples(of: task, from: documents, vocabularies: vocabularies, to: &self)
    }

    /// Each example's sentences in order: its one sentence, or a coreference document's
    /// sentences (how contextual features are stored and looked up).
    public var sentences: [[[String]]] {
        guard LevelKinds.kind(of: task).examplesAreDocuments else { return sequences.map { [$0] } }
        return zip(sequences, documents).map { tokens, document in
            var start = 0
            return document.sentenceLengths.map { n in
                defer { start += n }
                return Array(tokens[start..<(start + n)])
            }
        }
    }

    /// Attaches contextual features, one entry per example, matching every example's length
    /// (the loader checked the file against these sentences).
    public mutating func attach(_ features: ContextualFeatures) {
        precondition(features.count == count, "TaskExamples: \(features.count) feature entries for \(count) examples")
        precondition(sequences.indices.allSatisfy { features.tokenCount(ofExample: $0) == sequences[$0].count },
                     "TaskExamples: contextual features do not match the examples' lengths")
        contextual = features
    }

    /// Gives the examples' words outside the training vocabulary their pretrained vectors.
    public mutating func attach(_ frozen: FrozenVectors) {
        self.frozen = frozen
    }

    /// Reads and attaches this split's contextual features from the file at `path`.
    public mutating func attachContextual(path: String, settings: Embedder.ContextualSettings) throws {
        let all = sentences
        let file = try ContextualFile(path: path, settings: settings, sentences: Array(all.joined()))
        attach(file.features(for: all))
    }

    /// A batch of the given example indices, with the task's gold.
    public func batch(_ indices: [Int], vocabularies: Vocabularies) -> TaggingBatch {
        var batch = TaggingBatch(sentences: indices.map { sequences[$0] }, exampleIDs: indices,
                                 tags: tags.isEmpty ? [] : indices.map { tags[$0] }, vocabulary: vocabularies, frozen: frozen)
        if !relationCells.isEmpty { batch.relations = indices.map { relationCells[$0] } }
        batch.contextual = contextual?.batch(indices, maxLength: batch.maxLength)
        if LevelKinds.kind(of: task).examplesAreDocuments, let first = indices.first {
            precondition(indices.count == 1, "document batches hold one document")
            batch.coreference = documents[first]
        }
        return batch
    }
}
