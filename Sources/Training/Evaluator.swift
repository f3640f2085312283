import Corpus
import Distributed
import Model
import Scoring
import Tensor

/// Dev/test evaluation of a task: each rank scores its share of the examples (positions r,
/// r+W, …), then the metric counts and losses are summed over ranks, so every rank ends with
/// the same scores. Each task is scored by its level kind's metric (`LevelKind.evaluate`).
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
        let kind = LevelKinds.kind(of: task)
        let batches = lengthSortedBatches(mine, size: kind.examplesAreDocuments ? 1 : batchSize) { examples.sequences[$0].count }
        return try kind.evaluate(task, examples: examples, batches: batches, evaluator: self, communicator: communicator, progress: progress)
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
