import Checkpoint
import Corpus
import Foundation
import Tensor

/// Writes contextual-feature files in the layout `allennlp elmo --all` produces (one float32
/// dataset [layers, tokens, dim] per input line, named by the line index, plus the
/// `sentence_to_index` JSON string), with deterministic values per token text.
enum ContextualFixture {
    struct Entry {
        var text: String
        var shape: [Int]
        var values: [Float]
    }

    /// [layers, tokens, dim]: each token's vectors depend on its text and the layer only.
    static func values(_ tokens: [String], layers: Int, dim: Int) -> [Float] {
        var out: [Float] = []
        for k in 0..<layers {
            for token in tokens {
                var rng = RNG(seed: FNV1a.hash(token), stream: [UInt64(k)])
                for _ in 0..<dim { out.append(rng.uniform(-1, 1)) }
            }
        }
        return out
    }

    /// One entry per non-empty sentence of `documents`, in order (repeats included, as lines).
    static func entries(_ documents: [Document], layers: Int, dim: Int) -> [Entry] {
        documents.flatMap(\.sentences).map(\.tokens).filter { !$0.isEmpty }.map {
            Entry(text: $0.joined(separator: " "), shape: [layers, $0.count, dim], values: values($0, layers: layers, dim: dim))
        }
    }

    /// `index: false` leaves out `sentence_to_index` (as `--forget-sentences` does).
    static func write(_ url: URL, entries: [Entry], index: Bool = true) throws {
        let file = try HDF5File.create(url)
        var map: [String: String] = [:]
        for (i, entry) in entries.enumerated() {
            try file.write(entry.values, shape: entry.shape, at: "/\(i)")
            map[entry.text] = "\(i)"
        }
        if index {
            let json = try JSONSerialization.data(withJSONObject: map, options: [.sortedKeys])
            try file.write([String(decoding: json, as: UTF8.self)], at: "/sentence_to_index")
        }
        try file.close()
    }

    /// train.h5, dev.h5, test.h5 for the demo corpus of `documents` and `seed` in `dir`.
    static func writeDemo(in dir: URL, documents: Int, seed: UInt64, layers: Int, dim: Int) throws {
        let splits = DemoCorpus.splits(documents: documents, seed: seed)
        for (name, docs) in [("train", splits.train), ("dev", splits.dev), ("test", splits.test)] {
            try write(dir.appendingPathComponent("\(name).h5"), entries: entries(docs, layers: layers, dim: dim))
        }
    }
}
