import Corpus
import Model

/// One task's examples of one split, with the gold each task needs: sentences with BILOU tags
/// and spans (NER from entities, EMD from mentions), sentences with relations (RE — only those
/// with at least one, as the reference), or whole documents with clusters (coreference — each
/// document is one token sequence).
public struct TaskExamples: Sendable {
    public let task: Task
    public private(set) var sequences: [[String]] = []
    /// NER, EMD: tag indices and gold spans per sentence.
    public private(set) var tags: [[Int]] = []
    public private(set) var spans: [[LabeledSpan]] = []
    /// RE: gold relations (sentence offsets) and their cells per sentence.
    public private(set) var relations: [[Relation]] = []
    public private(set) var relationCells: [[RelationPair]] = []
    /// Coreference: sentence boundaries and gold clusters (document offsets) per document.
    public private(set) var documents: [CoreferenceDocument] = []

    public var count: Int { sequences.count }
    public var lengths: [Int] { sequences.map(\.count) }

    public init(task: Task, documents: [Document], vocabularies: Vocabularies) {
        self.task = task
        switch task {
        case .ner, .emd:
            let vocabulary = vocabularies.tags[task]!
            for sentence in documents.lazy.flatMap(\.sentences) where !sentence.tokens.isEmpty {
                let gold = task == .ner ? sentence.entities : sentence.mentions
                sequences.append(sentence.tokens)
                // A type seen only outside the training split has no tag: O for the loss,
                // still a gold span for the metrics.
                tags.append(BILOU.tags(for: gold, count: sentence.tokens.count).map { vocabulary.index(of: $0) ?? 0 })
                spans.append(gold)
            }
        case .relation:
            let types = vocabularies.relations
            for sentence in documents.lazy.flatMap(\.sentences) where !sentence.relations.isEmpty {
                sequences.append(sentence.tokens)
                relations.append(sentence.relations)
                relationCells.append(sentence.relations.compactMap { r in types?.index(of: r.label).map { RelationPair(r, type: $0) } })
            }
        case .coref:
            for document in documents where document.hasCoreference && document.tokenCount > 0 {
                sequences.append(document.sentences.flatMap(\.tokens))
                self.documents.append(CoreferenceDocument(document))
            }
        }
    }

    /// A batch of the given example indices, with the task's gold.
    public func batch(_ indices: [Int], vocabularies: Vocabularies) -> TaggingBatch {
        var batch = TaggingBatch(sentences: indices.map { sequences[$0] }, exampleIDs: indices,
                                 tags: tags.isEmpty ? [] : indices.map { tags[$0] }, vocabulary: vocabularies)
        if !relationCells.isEmpty { batch.relations = indices.map { relationCells[$0] } }
        if task == .coref, let first = indices.first {
            precondition(indices.count == 1, "coreference batches hold one document")
            batch.coreference = documents[first]
        }
        return batch
    }
}
