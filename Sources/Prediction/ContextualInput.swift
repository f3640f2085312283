import Corpus
import Training

extension TrainedModel {
    /// `--contextual FILE` of predict and embed: the input's precomputed features, which a model
    /// trained with `embedder.contextual` needs for every sentence it reads, and no other may take.
    public func contextualFeatures(_ path: String?, checkpoint: String, documents: [Document]) throws -> ContextualFile? {
        switch (config.embedder.contextual, path) {
        case (nil, nil):
            return nil
        case (nil, _?):
            throw TrainingError("--contextual: \(checkpoint) was trained without contextual embeddings")
        case (_?, nil):
            throw TrainingError("\(checkpoint) mixes contextual embeddings into g_e: give --contextual FILE, the input's features "
                + "in the `allennlp elmo --all` layout (one sentence per line, tokens joined by single spaces)")
        case let (settings?, path?):
            let sentences = documents.flatMap { $0.sentences.map(\.tokens) }.filter { !$0.isEmpty }
            return try ContextualFile(path: path, settings: settings, sentences: sentences)
        }
    }
}
