import Corpus
import NN
import Tensor

/// Every sentence-level prediction of a batch from one pass up the shortcut stack (each
/// encoder runs once, where `predict(_:batch:)` per task would rerun the levels below it).
public struct SentencePredictions: Sendable {
    /// Decoded tag indices per sentence, per tagging task.
    public var tags: [Task: [[Int]]] = [:]
    /// Relation cells per sentence (nil without a relation level).
    public var relations: [[RelationPair]]?
    /// The tagging tasks whose spans give the relations' arguments: the tagging levels below the
    /// relation level, bottom-up (`RelationArguments`).
    public var argumentTasks: [Task] = []

    /// Sentence `b`'s predicted spans of a tagging task (nil when the model has no such level).
    public func spans(_ task: Task, sentence b: Int, vocabularies: Vocabularies) throws -> [LabeledSpan]? {
        guard let paths = tags[task] else { return nil }
        let names = vocabularies.tags[task]?.entries ?? []
        return try BILOU.spans(from: paths[b].map { names[$0] })
    }

    /// Sentence `b`'s typed relations, arguments spanned by `RelationArguments` (nil without a
    /// relation level).
    public func relations(sentence b: Int, vocabularies: Vocabularies) throws -> [Relation]? {
        guard let cells = relations?[b] else { return nil }
        let arguments = try argumentTasks.compactMap { try spans($0, sentence: b, vocabularies: vocabularies) }
        return RelationArguments.relations(cells, types: vocabularies.relationTypes, argumentSpans: arguments)
    }
}

extension HierarchicalModel {
    /// Inference without dropout: the tags of every tagging level and the relation cells,
    /// identical to `predict(_:batch:arena:)` and `predictRelations(_:arena:)`.
    public func predictSentences(_ batch: TaggingBatch, arena: ParameterArena) -> SentencePredictions {
        let taggers = indexedLevels(of: CRFTagger.self)
        let relation = indexedLevels(of: RelationLevel.self).first
        var out = SentencePredictions()
        out.argumentTasks = relation.map { r in taggers.filter { $0.index < r.index }.map(\.level.task) } ?? []
        guard batch.count > 0 else {
            if relation != nil { out.relations = [] }
            for tagger in taggers { out.tags[tagger.level.task] = [] }
            return out
        }
        let run = encode(batch, levels: taggers.map(\.index) + (relation.map { [$0.index] } ?? []), arena: arena)
        for (i, tagger) in taggers { out.tags[tagger.task] = prediction(of: tagger, at: i, run, batch: batch, arena: arena) }
        if let relation { out.relations = prediction(of: relation.level, at: relation.index, run, batch: batch, arena: arena) }
        return out
    }
}
