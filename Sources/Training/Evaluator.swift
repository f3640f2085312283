import Corpus
import Distributed
import Model
import Tensor

/// Dev/test evaluation of a tagging task: each rank decodes its share of the examples
/// (positions r, r+W, …), then span counts and losses are summed over ranks, so every rank
/// ends with the same metrics.
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
        public var metrics: SpanMetrics
        /// Summed loss over all examples, and per sentence.
        public var loss: Double
        public var sentences: Int
        public var lossPerSentence: Double { sentences > 0 ? loss / Double(sentences) : 0 }
    }

    public func evaluate(_ task: Task, examples: TaggingExamples, communicator: Communicator) throws -> Result {
        let mine = Array(stride(from: communicator.rank, to: examples.count, by: communicator.size))
        // Length-sorted batches waste no padding; order does not change the metrics.
        let sorted = mine.sorted { (examples.sentences[$0].count, $0) < (examples.sentences[$1].count, $1) }
        let tagNames = model.vocabularies.tags[task]?.entries ?? []
        var metrics = SpanMetrics()
        var loss = 0.0
        for start in stride(from: 0, to: sorted.count, by: batchSize) {
            let indices = Array(sorted[start..<min(start + batchSize, sorted.count)])
            let batch = examples.batch(indices, vocabularies: model.vocabularies)
            let (paths, batchLoss) = model.predict(task, batch: batch, arena: arena)
            loss += batchLoss ?? 0
            for (path, index) in zip(paths, indices) {
                let predicted = try BILOU.spans(from: path.map { tagNames[$0] })
                metrics.add(predicted: predicted, gold: examples.spans[index])
            }
        }
        // Every rank must reduce the same type list: the tag vocabulary's types plus gold-only types.
        let types = SpanTypes.all(tagNames: tagNames, goldSpans: examples.spans)
        var flat = metrics.flattened(types: types) + [loss]
        try communicator.allreduceSum(&flat)
        return Result(metrics: SpanMetrics(types: types, flat: Array(flat.dropLast())), loss: flat.last!, sentences: examples.count)
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
