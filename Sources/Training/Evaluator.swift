import Corpus
import Distributed
import Model
import Scoring
import Tensor

/// Dev/test evaluation of a task: each rank scores its share of the examples (positions r,
/// r+W, …), then the metric counts and losses are summed over ranks, so every rank ends with
/// the same scores. Metrics: span F1 (NER, EMD); relation F1 with argument heads (the paper's
/// definition, which selects the model) and with full argument boundaries, the spans taken from
/// the tagging levels below as `hmtl predict` takes them (`RelationArguments`); CoNLL average of
/// MUC, B³ and CEAF-e (coreference).
public struct Evaluator {
    public let model: HierarchicalModel
    public let arena: ParameterArena
    public let batchSize: Int

    public init(model: HierarchicalModel, arena: ParameterArena, batchSize: Int) {
        self.model = model
        self.arena = arena
        self.batchSize = batchSize
    }

    public struct Result: Sendable {
        public enum Metrics: Sendable {
            case spans(SpanMetrics)
            case relations(RelationMetrics)
            case coreference(CoreferenceMetrics)
        }
        public var metrics: Metrics
        /// Summed tagging loss (NER, EMD), else nil.
        public var loss: Double?
        public var examples: Int

        /// The score model selection and early stopping use (for RE the head-match F1: the
        /// relation level's own prediction, as the paper scores it).
        public var score: Double {
            switch metrics {
            case .spans(let m): m.overall.f1
            case .relations(let m): m.overall(.head).f1
            case .coreference(let m): m.averageF1
            }
        }

        public var table: String {
            switch metrics {
            case .spans(let m): m.table()
            case .relations(let m): m.table()
            case .coreference(let m): m.table()
            }
        }

        /// For metrics.jsonl.
        public var record: [String: Any] {
            switch metrics {
            case .spans(let m):
                let o = m.overall
                var perType: [String: Any] = [:]
                for (type, c) in m.perType {
                    perType[type] = ["precision": c.precision, "recall": c.recall, "f1": c.f1, "predicted": c.predicted, "gold": c.gold]
                }
                return ["f1": o.f1, "precision": o.precision, "recall": o.recall, "per_type": perType]
            case .relations(let m):
                let head = m.overall(.head), strict = m.overall(.strict)
                return ["f1": head.f1, "precision": head.precision, "recall": head.recall,
                        "strict_f1": strict.f1, "strict_precision": strict.precision, "strict_recall": strict.recall]
            case .coreference(let m):
                return ["f1": m.averageF1, "muc_f1": m.muc.f1, "b3_f1": m.bCubed.f1, "ceafe_f1": m.ceafE.f1,
                        "mention_recall": m.mentions.recall]
            }
        }
    }

    /// `progress` is called after every batch (the trainer's watchdog counts it as progress).
    public func evaluate(_ task: Task, examples: TaskExamples, communicator: Communicator, progress: () -> Void = {}) throws -> Result {
        let mine = Array(stride(from: communicator.rank, to: examples.count, by: communicator.size))
        let batches = lengthSortedBatches(mine, size: task == .coref ? 1 : batchSize) { examples.sequences[$0].count }
        switch task {
        case .ner, .emd:
            let tagNames = model.vocabularies.tags[task]?.entries ?? []
            var metrics = SpanMetrics()
            var loss = 0.0
            for indices in batches {
                progress()
                let (paths, batchLoss) = model.predict(task, batch: examples.batch(indices, vocabularies: model.vocabularies), arena: arena)
                loss += batchLoss ?? 0
                for (path, index) in zip(paths, indices) {
                    metrics.add(predicted: try BILOU.spans(from: path.map { tagNames[$0] }), gold: examples.spans[index])
                }
            }
            // Every rank must reduce the same type list: the tag vocabulary's types plus gold-only types.
            let types = SpanTypes.all(tagNames: tagNames, goldSpans: examples.spans)
            var flat = metrics.flattened(types: types) + [loss]
            try communicator.allreduceSum(&flat)
            return Result(metrics: .spans(SpanMetrics(types: types, flat: Array(flat.dropLast()))), loss: flat.last!, examples: examples.count)
        case .relation:
            let typeNames = model.vocabularies.relationTypes
            var metrics = RelationMetrics()
            for indices in batches {
                progress()
                // One pass gives the taggers' spans too, which span the relations' arguments.
                let predicted = model.predictSentences(examples.batch(indices, vocabularies: model.vocabularies), arena: arena)
                for (b, index) in indices.enumerated() {
                    let relations = try predicted.relations(sentence: b, vocabularies: model.vocabularies) ?? []
                    metrics.add(predicted: relations, gold: examples.relations[index])
                }
            }
            let types = Array(Set(typeNames + examples.relations.flatMap { $0.map(\.label) })).sorted()
            var flat = metrics.flattened(types: types)
            try communicator.allreduceSum(&flat)
            return Result(metrics: .relations(RelationMetrics(types: types, flat: flat)), loss: nil, examples: examples.count)
        case .coref:
            var metrics = CoreferenceMetrics()
            for indices in batches {
                progress()
                let batch = examples.batch(indices, vocabularies: model.vocabularies)
                let predicted = model.predictCoreference(batch, arena: arena).clusters
                metrics.add(key: examples.documents[indices[0]].clusters, response: predicted)
            }
            var flat = metrics.flattened()
            try communicator.allreduceSum(&flat)
            return Result(metrics: .coreference(CoreferenceMetrics(flat: flat)), loss: nil, examples: examples.count)
        default:
            throw TrainingError("no evaluation for task \(task)")
        }
    }
}

/// The entity types a metric table can mention, in a stable order.
enum SpanTypes {
    static func all(tagNames: [String], goldSpans: [[LabeledSpan]]) -> [String] {
        var types = Set(tagNames.filter { $0 != "O" }.map { String($0.dropFirst(2)) })
        for spans in goldSpans { for s in spans { types.insert(s.label) } }
        return types.sorted()
    }
}
