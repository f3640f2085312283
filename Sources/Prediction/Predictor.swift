import Corpus
import Model
import NN
import Tensor
import Training

/// Runs a trained model over documents: the tagging and relation levels on batches of
/// `batchSize` sentences filled across document boundaries (`lengthSortedBatches`, as
/// `Evaluator`; sentences never interact, so the predictions depend on the batching only
/// through the last bits BLAS rounds differently for other shapes), the
/// coreference level on batches of whole documents (its encoder reads a document as one
/// sequence; the head scores each document on its own).
///
/// Relations get their argument spans from the tagged spans (`RelationArguments`).
public struct Predictor {
    public let model: HierarchicalModel
    public let arena: ParameterArena
    public let batchSize: Int
    /// The input's precomputed features, when the model mixes them into g_e.
    public let contextual: ContextualFile?
    /// The pretrained vectors of the input's words outside the vocabulary (`TrainedModel.frozenVectors`).
    public let frozen: FrozenVectors?

    public init(model: HierarchicalModel, arena: ParameterArena, batchSize: Int, contextual: ContextualFile? = nil,
                frozen: FrozenVectors? = nil) {
        precondition(batchSize > 0, "Predictor: batch size must be positive")
        self.model = model
        self.arena = arena
        self.batchSize = batchSize
        self.contextual = contextual
        self.frozen = frozen
    }

    public func predict(_ documents: [Document]) throws -> [DocumentPrediction] {
        let taggingTasks = model.levels(of: CRFTagger.self).map(\.task)
        let relationTask = model.levels(of: RelationLevel.self).first?.task
        let coreferenceTask = model.levels(of: CoreferenceLevel.self).first?.task
        func perSentence<T>(_ document: Document) -> [[T]] { document.sentences.map { _ in [] } }
        var predictions = documents.map { document in
            DocumentPrediction(
                id: document.id, tokens: document.sentences.map(\.tokens),
                spans: Dictionary(uniqueKeysWithValues: taggingTasks.map { ($0, perSentence(document)) }),
                relations: relationTask.map { [$0: perSentence(document)] } ?? [:],
                clusters: coreferenceTask.map { [$0: []] } ?? [:])
        }
        if !taggingTasks.isEmpty || relationTask != nil {
            var located: [(document: Int, sentence: Int)] = []
            for (d, document) in documents.enumerated() {
                for (s, sentence) in document.sentences.enumerated() where !sentence.tokens.isEmpty { located.append((d, s)) }
            }
            func tokens(_ k: Int) -> [String] { documents[located[k].document].sentences[located[k].sentence].tokens }
            for chunk in lengthSortedBatches(Array(located.indices), size: batchSize, length: { tokens($0).count }) {
                var batch = TaggingBatch(sentences: chunk.map(tokens), exampleIDs: chunk, vocabulary: model.vocabularies, frozen: frozen)
                batch.contextual = contextual?.batch(chunk.map { [tokens($0)] }, maxLength: batch.maxLength)
                let result = model.predictSentences(batch, arena: arena)
                for (b, k) in chunk.enumerated() {
                    let (d, s) = located[k]
                    let vocabularies = model.vocabularies
                    for task in taggingTasks {
                        if let spans = try result.spans(task, sentence: b, vocabularies: vocabularies) { predictions[d].spans[task]![s] = spans }
                    }
                    if let relationTask, let relations = try result.relations(sentence: b, vocabularies: vocabularies) {
                        predictions[d].relations[relationTask]![s] = relations
                    }
                }
            }
        }
        if let coreferenceTask {
            for group in Self.documentBatches(documents, size: batchSize) {
                var batch = TaggingBatch(sentences: group.map { documents[$0].sentences.flatMap(\.tokens) }, exampleIDs: group,
                                         vocabulary: model.vocabularies, frozen: frozen)
                batch.contextual = contextual?.batch(group.map { documents[$0].sentences.map(\.tokens).filter { !$0.isEmpty } },
                                                     maxLength: batch.maxLength)
                let results = model.predictCoreference(batch, documents: group.map { CoreferenceDocument(documents[$0]) }, arena: arena)
                for (d, result) in zip(group, results) { predictions[d].clusters[coreferenceTask] = Self.located(result.clusters, in: documents[d]) }
            }
        }
        return predictions
    }

    /// Padded tokens a coreference batch may hold; a longer document runs alone.
    static let coreferenceTokens = 4096

    /// The non-empty documents in batches of at most `size` documents and about
    /// `coreferenceTokens` padded tokens, sorted by length so padding stays small.
    static func documentBatches(_ documents: [Document], size: Int) -> [[Int]] {
        let order = documents.indices.filter { documents[$0].tokenCount > 0 }
            .sorted { (documents[$0].tokenCount, $0) < (documents[$1].tokenCount, $1) }
        var batches: [[Int]] = []
        for d in order {
            // Sorted ascending, so the newest document is the batch's longest.
            if let last = batches.last, last.count < size, (last.count + 1) * documents[d].tokenCount <= coreferenceTokens {
                batches[batches.count - 1].append(d)
            } else {
                batches.append([d])
            }
        }
        return batches
    }

    /// Document-offset clusters as sentence-relative spans (a mention never crosses a
    /// sentence: candidate spans are enumerated within sentences).
    static func located(_ clusters: [[TokenSpan]], in document: Document) -> [[DocumentSpan]] {
        let offsets = document.sentenceOffsets
        return clusters.map { cluster in
            cluster.map { span in
                let s = document.sentences.indices.last { offsets[$0] <= span.start && !document.sentences[$0].tokens.isEmpty }!
                return DocumentSpan(sentence: s, span: TokenSpan(start: span.start - offsets[s], end: span.end - offsets[s]))
            }
        }
    }
}
