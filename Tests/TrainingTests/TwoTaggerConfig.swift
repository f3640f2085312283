import Foundation

/// The small config several end-to-end tests vary: NER and EMD on demo corpora, tiny
/// dimensions (a run of a few hundred steps takes about a second in a debug build).
struct TwoTaggerConfig {
    struct Tagger {
        var documents = 20, dataSeed = 3, batchSize = 4, hidden = 3
    }

    var seed: Int
    /// Tagging levels bottom-up; nil for the default (NER below EMD).
    var order: [String]? = nil
    var wordDim = 4, charFilters = 3
    var ner = Tagger(), emd = Tagger()
    var training: [String: Any]

    var json: String {
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
