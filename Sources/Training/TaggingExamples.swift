import Corpus
import Model

/// One tagging task's sentences with their gold BILOU tags (indices into the task's tag
/// vocabulary) and gold spans (for span F1).
public struct TaggingExamples: Sendable {
    public var sentences: [[String]] = []
    public var tags: [[Int]] = []
    public var spans: [[LabeledSpan]] = []

    public var count: Int { sentences.count }
    public var lengths: [Int] { sentences.map(\.count) }

    public init() {}

    /// NER examples: every non-empty sentence with its entity spans.
    public init(nerFrom documents: [Document], tagVocabulary: Vocabulary) {
        for sentence in documents.lazy.flatMap(\.sentences) where !sentence.tokens.isEmpty {
            let bilou = BILOU.tags(for: sentence.entities, count: sentence.tokens.count)
            sentences.append(sentence.tokens)
            // A type seen only outside the training split has no tag: it counts as O for the
            // loss, and still as a gold span for the metrics.
            tags.append(bilou.map { tagVocabulary.index(of: $0) ?? 0 })
            spans.append(sentence.entities)
        }
    }

    /// A batch of the given example indices.
    public func batch(_ indices: [Int], vocabularies: Vocabularies, withTags: Bool = true) -> TaggingBatch {
        TaggingBatch(sentences: indices.map { sentences[$0] }, exampleIDs: indices,
                     tags: withTags ? indices.map { tags[$0] } : [], vocabulary: vocabularies)
    }
}
