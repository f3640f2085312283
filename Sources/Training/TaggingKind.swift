import Corpus
import Distributed
import Model
import Scoring
import Tensor

/// Sequence-labelling levels (NER, EMD, and any task a config adds with `"kind": "tagging"`):
/// sentences with BILOU tags and gold spans, the sentence's span layer of the task's name
/// (`Task.spanLayer`), scored by conlleval-style span F1.
struct TaggingKind: LevelKind {
    static let name = "tagging"
    var name: String { Self.name }
    var scoredFile: FileScore.Kind { .spans }
    var isStacked: Bool { true }
    var scoreDescription: String { "span F1" }
    var tableScores: [(key: String, label: String)] { [("f1", "F1")] }
    var exampleDescription: String { "sentences" }
    var examplesAreDocuments: Bool { false }

    private func gold(_ task: Task, of sentence: Sentence) -> [LabeledSpan] { sentence[layer: task.spanLayer] }

    /// The fixed formats fill the entities and mentions layers; a new task's layer comes from a
    /// column file's tag column or a LitBank entities column (`data.layer`).
    func formats(for task: Task) -> [DataSource.Format] {
        switch task.spanLayer {
        case .entities: [.demo, .conll2003, .conll04, .conll2012, .dygie, .columns]
        case .mentions: [.demo, .litbank, .dygie, .columns]
        default: [.litbank, .columns]
        }
    }

    func readSettings(_ o: inout ConfigObject, into config: inout TaskConfig) throws {
        if var enc = try o.object("encoder") {
            let e = try RunConfig.encoder(&enc, hidden: 64, layers: 2, dropout: 0.2)
            (config.tagger.hiddenSize, config.tagger.layers, config.tagger.encoderDropout) = (e.hiddenSize, e.layers, e.dropout)
        }
        config.tagger.dropout = Float(try o.double("dropout", default: 0.2, range: 0...0.95))
        config.batchSize = try o.int("batch_size", default: 32, range: 1...100_000)
    }

    func levelSettings(of task: Task, _ config: TaskConfig) -> any LevelSettings {
        HierarchicalModel.TaggerLevel(task: task, settings: config.tagger)
    }

    func addLabels(of task: Task, training: [Document], tags: inout [Task: Vocabulary], relations: inout Vocabulary?) {
        let spans = training.flatMap(\.sentences).flatMap { s in BILOU.tags(for: gold(task, of: s), count: s.tokens.count) }
        tags[task] = Vocabulary.labels(spans + ["O"])
    }

    func labelNamespace(of task: Task) -> String? { "\(task.rawValue)_tags" }

    func scaleReduced(_ arena: ParameterArena, ranges: [Range<Int>], globalCount: Double) -> Float? { nil }

    func appendExamples(of task: Task, from documents: [Document], vocabularies: Vocabularies, to examples: inout TaskExamples) {
        let vocabulary = vocabularies.tags[task]!
        for sentence in documents.lazy.flatMap(\.sentences) where !sentence.tokens.isEmpty {
            let gold = gold(task, of: sentence)
            examples.sequences.append(sentence.tokens)
            // A type seen only outside the training split has no tag: O for the loss,
            // still a gold span for the metrics.
            examples.tags.append(BILOU.tags(for: gold, count: sentence.tokens.count).map { vocabulary.index(of: $0) ?? 0 })
            examples.spans.append(gold)
        }
    }

    func evaluate(_ task: Task, examples: TaskExamples, batches: [[Int]], evaluator: Evaluator, communicator: Communicator,
                  progress: () -> Void) throws -> Evaluator.Result {
        let model = evaluator.model
        let tagNames = model.vocabularies.tags[task]?.entries ?? []
        var metrics = SpanMetrics()
        var loss = 0.0
        for indices in batches {
            progress()
            let (paths, batchLoss) = model.predict(task, batch: examples.batch(indices, vocabularies: model.vocabularies), arena: evaluator.arena)
            loss += batchLoss ?? 0
            for (path, index) in zip(paths, indices) {
                metrics.add(predicted: try BILOU.spans(from: path.map { tagNames[$0] }), gold: examples.spans[index])
            }
        }
        // Every rank must reduce the same type list: the tag vocabulary's types plus gold-only types.
        let types = SpanTypes.all(tagNames: tagNames, goldSpans: examples.spans)
        var flat = metrics.flattened(types: types) + [loss]
        try communicator.allreduceSum(&flat)
        return Evaluator.Result(metrics: .spans(SpanMetrics(types: types, flat: Array(flat.dropLast()))), loss: flat.last!, examples: examples.count)
    }
}
