import Corpus
import Distributed
import Model
import Scoring
import Tensor

/// The coreference level: whole documents with clusters (each document one token sequence),
/// scored by the CoNLL average of MUC, B³ and CEAF-e.
struct CoreferenceKind: LevelKind {
    var name: String { "coreference" }
    var scoredFile: FileScore.Kind { .coreference }
    var isStacked: Bool { false }
    var scoreDescription: String { "CoNLL F1 (mean of MUC, B³, CEAF-e)" }
    var tableScores: [(key: String, label: String)] { [("muc_f1", "MUC"), ("b3_f1", "B³"), ("ceafe_f1", "CEAF-e"), ("f1", "avg")] }
    var exampleDescription: String { "documents with coreference" }
    var examplesAreDocuments: Bool { true }

    func formats(for task: Task) -> [DataSource.Format] { [.demo, .conll2012, .litbank, .dygie] }

    func readSettings(_ o: inout ConfigObject, into config: inout TaskConfig) throws {
        if var enc = try o.object("encoder") { config.coref.encoder = try RunConfig.encoder(&enc, hidden: 200, layers: 1, dropout: 0) }
        config.coref.lexicalDropout = Float(try o.double("lexical_dropout", default: 0.5, range: 0...0.95))
        var head = CoreferenceHead.Settings()
        head.featureSize = try o.int("feature_size", default: 20, range: 1...1024)
        head.maxSpanWidth = try o.int("max_span_width", default: 8, range: 1...100)
        head.spansPerWord = try o.double("spans_per_word", default: 0.4, range: 0...10, openLower: true)
        head.maxAntecedents = try o.int("max_antecedents", default: 70, range: 1...10_000)
        head.hiddenSize = try o.int("ffnn_size", default: 150, range: 1...65_536)
        head.hiddenLayers = try o.int("ffnn_layers", default: 2, range: 1...16)
        head.dropout = Float(try o.double("ffnn_dropout", default: 0.3, range: 0...0.95))
        config.coref.head = head
        config.coref.evaluateOnGoldMentions = try o.bool("evaluate_on_gold_mentions", default: false)
        config.batchSize = try o.int("batch_size", default: 1, range: 1...10_000)
    }

    func levelSettings(of task: Task, _ config: TaskConfig) -> any LevelSettings {
        var settings = config.coref
        settings.task = task
        return settings
    }

    func addLabels(of task: Task, training: [Document], tags: inout [Task: Vocabulary], relations: inout Vocabulary?) {}

    func labelNamespace(of task: Task) -> String? { nil }

    func scaleReduced(_ arena: ParameterArena, ranges: [Range<Int>], globalCount: Double) -> Float? { nil }

    func appendExamples(of task: Task, from documents: [Document], vocabularies: Vocabularies, to examples: inout TaskExamples) {
        for document in documents where document.hasCoreference && document.tokenCount > 0 {
            examples.sequences.append(document.sentences.flatMap(\.tokens))
            examples.documents.append(CoreferenceDocument(document))
        }
    }

    func evaluate(_ task: Task, examples: TaskExamples, batches: [[Int]], evaluator: Evaluator, communicator: Communicator,
                  progress: () -> Void) throws -> Evaluator.Result {
        var metrics = CoreferenceMetrics()
        for indices in batches {
            progress()
            let batch = examples.batch(indices, vocabularies: evaluator.model.vocabularies)
            let predicted = evaluator.model.predictCoreference(batch, arena: evaluator.arena).clusters
            metrics.add(key: examples.documents[indices[0]].clusters, response: predicted)
        }
        var flat = metrics.flattened()
        try communicator.allreduceSum(&flat)
        return Evaluator.Result(metrics: .coreference(CoreferenceMetrics(flat: flat)), loss: nil, examples: examples.count)
    }
}
