import Foundation

/// The small config several end-to-end tests vary: NER and EMD on demo corpora, tiny
/// dimensions (a run of a few hundred steps takes about a second in a debug build).
public struct TwoTaggerConfig {
    public struct Tagger {
        public var documents: Int, dataSeed: Int, batchSize: Int, hidden: Int
        public init(documents: Int = 20, dataSeed: Int = 3, batchSize: Int = 4, hidden: Int = 3) {
            self.documents = documents
            self.dataSeed = dataSeed
            self.batchSize = batchSize
            self.hidden = hidden
        }
    }

    public var seed: Int
    /// Tagging levels bottom-up; nil for the default (NER below EMD).
    public var order: [String]? = nil
    public var wordDim = 4, charFilters = 3
    public var ner = Tagger(), emd = Tagger()
    public var training: [String: Any]

    public init(seed: Int, training: [String: Any]) {
        self.seed = seed
        self.training = training
    }

    public var json: String {
        func task(_ t: Tagger) -> [String: Any] {
            ["data": ["format": "demo", "documents": t.documents, "seed": t.dataSeed], "batch_size": t.batchSize,
             "encoder": ["hidden": t.hidden, "layers": 1]]
        }
        var root: [String: Any] = ["seed": seed, "embedder": ["word_dim": wordDim, "char_dim": 3, "char_filters": charFilters],
                                   "tasks": ["ner": task(ner), "emd": task(emd)], "training": training]
        if let order { root["order"] = order }
        // Only numbers, strings and collections of them: serialisation cannot fail.
        return String(decoding: try! JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys]), as: UTF8.self)
    }
}
