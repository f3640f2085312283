import Tensor

/// Each kind of level's prediction of a batch from one pass up the shortcut stack (no dropout).
extension HierarchicalModel {
    /// Decoded tag indices per sentence of the tagging level of `task`, with the summed loss
    /// when the batch has gold tags.
    public func predict(_ task: Task, batch: TaggingBatch, arena: ParameterArena) -> (tags: [[Int]], loss: Double?) {
        guard batch.count > 0 else { return ([], batch.tags.isEmpty ? nil : 0) }
        let i = levelIndex(of: task)
        guard let tagger = levels[i] as? CRFTagger else { preconditionFailure("level \(task) is not a tagger") }
        let run = encode(batch, levels: stack.chain(under: i), arena: arena)
        return tagger.predict(stack.input(of: i, run, batch: batch), lengths: batch.lengths,
                              gold: batch.tags.isEmpty ? nil : batch.tags, arena: arena)
    }

    /// What the level of `task` predicts for a non-empty batch, whatever its kind, for callers
    /// that only time it (the benchmark's inference steps).
    public func prediction(_ task: Task, batch: TaggingBatch, arena: ParameterArena) -> Any {
        let i = levelIndex(of: task), run = encode(batch, levels: [i], arena: arena)
        guard let h = run.encoded[i] else { preconditionFailure("level \(task) was not encoded") }
        return levels[i].predict(erased: stack.input(of: i, run, batch: batch), encoded: h, batch: batch, arena: arena)
    }

    /// Relation cells (last token of each argument, type index) per sentence; none without a
    /// relation level.
    public func predictRelations(_ batch: TaggingBatch, arena: ParameterArena) -> [[RelationPair]] {
        guard case let (i, relation)? = indexedLevels(of: RelationLevel.self).first, batch.count > 0 else { return [] }
        return prediction(of: relation, at: i, encode(batch, levels: [i], arena: arena), batch: batch, arena: arena)
    }

    /// Clusters (document token offsets) of the batch's one document.
    public func predictCoreference(_ batch: TaggingBatch, arena: ParameterArena) -> CoreferenceHead.Prediction {
        guard let document = batch.coreference else { preconditionFailure("coreference needs a document batch") }
        return predictCoreference(batch, documents: [document], arena: arena)[0]
    }

    /// Clusters of several documents at once, sequence b of `batch` being `documents[b]`: the
    /// stack, the encoder and the head's span and pair products run over the whole batch.
    public func predictCoreference(_ batch: TaggingBatch, documents: [CoreferenceDocument], arena: ParameterArena) -> [CoreferenceHead.Prediction] {
        guard case let (i, coref)? = indexedLevels(of: CoreferenceLevel.self).first else { preconditionFailure("model has no coreference level") }
        let run = encode(batch, levels: [i], arena: arena)
        guard let h = run.encoded[i] else { preconditionFailure("the coreference level was not encoded") }
        return coref.predict(stack.input(of: i, run, batch: batch), encoded: h, batch: batch, documents: documents, arena: arena)
    }
}
