import Corpus
import Model

/// What a trained model predicts for one document, in sentence-relative inclusive spans (the
/// `Document` conventions), keyed by the level's task; a task the model was not trained on
/// has no entry.
public struct DocumentPrediction: Sendable, Equatable {
    public var id: String
    public var tokens: [[String]]
    /// Per tagging task, per sentence.
    public var spans: [Task: [[LabeledSpan]]]
    /// Per relation task, per sentence; argument spans derived from the tagged spans (see `Predictor`).
    public var relations: [Task: [[Relation]]]
    /// Per coreference task, clusters of two or more mentions.
    public var clusters: [Task: [[DocumentSpan]]]

    public init(id: String, tokens: [[String]], spans: [Task: [[LabeledSpan]]] = [:], relations: [Task: [[Relation]]] = [:],
                clusters: [Task: [[DocumentSpan]]] = [:]) {
        self.id = id
        self.tokens = tokens
        self.spans = spans
        self.relations = relations
        self.clusters = clusters
    }

    /// The JSON-lines object of `hmtl predict`: spans with EXCLUSIVE ends, sentence-relative;
    /// only the keys of the tasks predicted; `offsets` (character offsets of each token,
    /// end exclusive) when given (text input).
    public func jsonObject(offsets: [[Range<Int>]]? = nil) -> [String: Any] {
        var object: [String: Any] = ["id": id, "tokens": tokens]
        func located(_ all: [[LabeledSpan]]) -> [[String: Any]] {
            all.enumerated().flatMap { s, spans in
                spans.map { ["sentence": s, "start": $0.span.start, "end": $0.span.end + 1, "type": $0.label] }
            }
        }
        func bounds(_ span: TokenSpan) -> [String: Int] { ["start": span.start, "end": span.end + 1] }
        for (task, perSentence) in spans { object[task.rawValue] = located(perSentence) }
        for (task, perSentence) in relations {
            object[task.rawValue] = perSentence.enumerated().flatMap { s, relations in
                relations.map { ["sentence": s, "type": $0.label, "head": bounds($0.head), "tail": bounds($0.tail)] as [String: Any] }
            }
        }
        for (task, clusters) in clusters {
            object[task.rawValue] = clusters.map { $0.map { ["sentence": $0.sentence, "start": $0.span.start, "end": $0.span.end + 1] } }
        }
        if let offsets { object["offsets"] = offsets.map { $0.map { [$0.lowerBound, $0.upperBound] } } }
        return object
    }
}
