import Corpus
import Distributed
import Model
import Scoring
import Tensor

/// The relation level: sentences with at least one relation (as the reference), scored by
/// relation F1 with argument heads and with full boundaries, the argument spans taken from the
/// tagging levels below as `hmtl predict` takes them (`RelationArguments`).
struct RelationKind: LevelKind {
    var name: String { "relation" }
    var scoredFile: FileScore.Kind { .relations }
    var isStacked: Bool { false }
    var scoreDescription: String { "relation F1, argument heads (strict boundaries)" }
    var tableScores: [(key: String, label: String)] { [("f1", "F1 heads"), ("strict_f1", "F1 strict")] }
    var exampleDescription: String { "sentences with relations" }
    var examplesAreDocuments: Bool { false }

    func formats(for task: Task) -> [DataSource.Format] { [.demo, .conll04, .dygie] }

    func readSettings(_ o: inout ConfigObject, into config: inout TaskConfig) throws {
        if var enc = try o.object("encoder") { config.relation.encoder = try RunConfig.encoder(&enc, hidden: 64, layers: 3, dropout: 0.2) }
        config.relation.scorerSize = try o.int("scorer_size", default: 64, range: 1...4096)
        config.batchSize = try o.int("batch_size", default: 4, range: 1...100_000)
    }

    func levelSettings(of task: Task, _ config: TaskConfig) -> any LevelSettings {
        var settings = config.relation
        settings.task = task
        return settings
    }

    func addLabels(of task: Task, training: [Document], tags: inout [Task: Vocabulary], relations: inout Vocabulary?) {
        relations = Vocabulary.labels(training.flatMap(\.sentences).flatMap(\.relations).map(\.label))
    }

    func labelNamespace(of task: Task) -> String? { "relation_types" }

    func scaleReduced(_ arena: ParameterArena, ranges: [Range<Int>], globalCount: Double) -> Float? {
        RelationLossScale.apply(to: arena, ranges: ranges, globalCells: globalCount)
    }

    func appendExamples(of task: Task, from documents: [Document], vocabularies: Vocabularies, to examples: inout TaskExamples) {
        let types = vocabularies.relations
        for sentence in documents.lazy.flatMap(\.sentences) where !sentence.relations.isEmpty {
            examples.sequences.append(sentence.tokens)
            examples.relations.append(sentence.relations)
            examples.relationCells.append(sentence.relations.compactMap { r in types?.index(of: r.label).map { RelationPair(r, type: $0) } })
        }
    }

    func evaluate(_ task: Task, examples: TaskExamples, batches: [[Int]], evaluator: Evaluator, communicator: Communicator,
                  progress: () -> Void) throws -> Evaluator.Result {
        let model = evaluator.model
        var metrics = RelationMetrics()
        for indices in batches {
            progress()
            // One pass gives the taggers' spans too, which span the relations' arguments.
            let predicted = model.predictSentences(examples.batch(indices, vocabularies: model.vocabularies), arena: evaluator.arena)
            for (b, index) in indices.enumerated() {
                let relations = try predicted.relations(sentence: b, vocabularies: model.vocabularies) ?? []
                metrics.add(predicted: relations, gold: examples.relations[index])
            }
        }
        let types = Array(Set(model.vocabularies.relationTypes + examples.relations.flatMap { $0.map(\.label) })).sorted()
        var flat = metrics.flattened(types: types)
        try communicator.allreduceSum(&flat)
        return Evaluator.Result(metrics: .relations(RelationMetrics(types: types, flat: flat)), loss: nil, examples: examples.count)
    }
}
