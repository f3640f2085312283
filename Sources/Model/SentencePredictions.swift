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
        return RelationArguments.relations(cells, types: vocabularies.relationTypes,
                                           ner: try spans(.ner, sentence: b, vocabularies: vocabularies),
                                           emd: try spans(.emd, sentence: b, vocabularies: vocabularies))
    }
}

extension HierarchicalModel {
    /// Inference without dropout: the tags of every tagging level and the relation cells,
    /// identical to `predict(_:batch:arena:)` and `predictRelations(_:arena:)`.
    public func predictSentences(_ batch: TaggingBatch, arena: ParameterArena) -> SentencePredictions {
        var out = SentencePredictions()
        guard batch.count > 0 else {
            if relation != nil { out.relations = [] }
            for tagger in taggers { out.tags[tagger.task] = [] }
            return out
        }
        var noRNGs = [RNG]()
        let (ge, _) = embedder.forward(batch, arena: arena, training: false, rngs: &noRNGs)
        var x = ge
        for tagger in taggers {
            // CRFTagger.predict's path without dropout: the encoder output feeds both the
            // projection and the level above.
            let (h, _) = tagger.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs)
            let emissions = tagger.projection.forward(h, arena: arena)
            out.tags[tagger.task] = tagger.crf.viterbi(emissions: emissions, lengths: batch.lengths,
                                                       constraints: tagger.constraints, arena: arena)
            x = Concatenation.columns(ge, h).reshaped([batch.count, batch.maxLength, ge.columns + h.columns])
        }
        if let relation {
            let (h, _) = relation.encoder.forward(x, lengths: batch.lengths, arena: arena, training: false, rngs: &noRNGs)
            out.relations = relation.head.predict(h, lengths: batch.lengths, arena: arena)
        }
        return out
    }
}
