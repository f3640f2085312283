import Checkpoint
import Foundation
import Model
import Tensor

/// Precomputed contextual embeddings in the layout `allennlp elmo --all` writes: one float32
/// dataset per input line, named by the line's 0-based index ("0", "1", …), of shape
/// [layers, tokens, dim]; and a dataset `sentence_to_index` holding one string, a JSON object
/// from each line's text (stripped) to its index string. A corpus sentence is its tokens
/// joined by single spaces, which is how the input file must be written.
///
/// Only the sentences the corpus needs are read, each once, into one flat array; everything
/// is checked against the corpus and the configured shape, and a problem is an error naming
/// the file and the sentence.
public struct ContextualFile {
    public let path: String
    public let settings: Embedder.ContextualSettings
    /// Stored sentences one after another, each [layers, tokens, dim].
    let values: [Float]
    /// Where each loaded sentence (its text) is in `values`.
    let segments: [String: ContextualFeatures.Segment]

    /// Reads the features of `sentences` (token lists; repeats are read once) from `path`.
    public init(path: String, settings: Embedder.ContextualSettings, sentences: [[String]]) throws {
        self.path = path
        self.settings = settings
        let url = URL(fileURLWithPath: path)
        guard FileManager.default.fileExists(atPath: path) else { throw Self.error(path, "no such file") }
        let file: HDF5File
        do {
            file = try HDF5File.openReadOnly(url)
        } catch {
            throw Self.error(path, "not a readable HDF5 file (\(error))")
        }
        defer { try? file.close() }
        let index = try Self.sentenceIndex(file, path)

        var wanted: [(text: String, tokens: Int, key: String)] = []
        var seen: Set<String> = []
        for tokens in sentences {
            let text = tokens.joined(separator: " ")
            guard seen.insert(text).inserted else { continue }
            guard let key = index[text] else {
                throw Self.error(path, "no entry in sentence_to_index for the sentence \(Self.quote(text)) (\(tokens.count) tokens); was the file made from this split's sentences, one per line, tokens joined by single spaces?")
            }
            wanted.append((text, tokens.count, key))
        }
        let (layers, dim) = (settings.layers, settings.dimension)
        var values: [Float] = []
        values.reserveCapacity(wanted.reduce(0) { $0 + layers * $1.tokens * dim })
        var segments: [String: ContextualFeatures.Segment] = [:]
        for (text, tokens, key) in wanted {
            let dataset = "/\(key)"
            let describe = "dataset \"\(key)\" (the sentence \(Self.quote(text)))"
            let shape: [Int]
            do {
                shape = try file.shape(of: dataset)
            } catch {
                throw Self.error(path, "\(describe): cannot be read (\(error))")
            }
            guard shape.count == 3 else {
                throw Self.error(path, "\(describe) has shape \(shape); expected [layers, tokens, dim] = [\(layers), \(tokens), \(dim)] (write the file with `allennlp elmo --all`)")
            }
            guard shape[0] == layers, shape[2] == dim else {
                throw Self.error(path, "\(describe) has \(shape[0]) layers of dimension \(shape[2]); embedder.contextual says \(layers) layers of dimension \(dim)")
            }
            guard shape[1] == tokens else {
                throw Self.error(path, "\(describe) has \(shape[1]) tokens; the corpus sentence has \(tokens)")
            }
            let read = try file.read(Float.self, at: dataset)
            if let bad = read.values.firstIndex(where: { !$0.isFinite }) {
                let (layer, rest) = bad.quotientAndRemainder(dividingBy: tokens * dim)
                throw Self.error(path, "\(describe) holds a non-finite value (\(read.values[bad])) at layer \(layer), token \(rest / dim), component \(rest % dim)")
            }
            segments[text] = ContextualFeatures.Segment(offset: values.count, tokens: tokens)
            values.append(contentsOf: read.values)
        }
        self.values = values
        self.segments = segments
    }

    /// The features of examples made of `sentences` (each example's sentences, in order), all
    /// of which must have been read by `init`.
    public func features(for examples: [[[String]]]) -> ContextualFeatures {
        let lookup = examples.map { sentences in
            sentences.map { tokens in
                guard let segment = segments[tokens.joined(separator: " ")] else { preconditionFailure("ContextualFile: a sentence that was not loaded") }
                return segment
            }
        }
        return ContextualFeatures(layers: settings.layers, dimension: settings.dimension, values: values, examples: lookup)
    }

    /// `TaggingBatch.contextual` for a batch whose examples are made of `examples` (each a list
    /// of sentences, in batch order): [layers, examples, maxLength, dim], zero past each end.
    public func batch(_ examples: [[[String]]], maxLength: Int) -> Tensor {
        features(for: examples).batch(Array(examples.indices), maxLength: maxLength)
    }

    /// The `sentence_to_index` map: the one JSON string of a 1-element string dataset.
    private static func sentenceIndex(_ file: HDF5File, _ path: String) throws -> [String: String] {
        let strings: [String]
        do {
            strings = try file.readStrings(at: "/sentence_to_index")
        } catch {
            throw Self.error(path, "cannot read the sentence_to_index dataset (\(error)); write the file with `allennlp elmo --all` without --forget-sentences or --use-sentence-keys")
        }
        guard strings.count == 1, let object = try? JSONSerialization.jsonObject(with: Data(strings[0].utf8)),
              let map = object as? [String: Any] else {
            throw Self.error(path, "sentence_to_index must hold one JSON object mapping sentences to dataset names")
        }
        var index: [String: String] = [:]
        for (text, value) in map {
            guard let key = value as? String else {
                throw Self.error(path, "sentence_to_index maps \(quote(text)) to \(value), not a dataset name string")
            }
            index[text] = key
        }
        return index
    }

    private static func quote(_ text: String) -> String {
        "\"" + (text.count > 80 ? text.prefix(77) + "..." : text) + "\""
    }

    private static func error(_ path: String, _ message: String) -> TrainingError {
        TrainingError("contextual features \(path): \(message)")
    }
}
