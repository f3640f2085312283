import Checkpoint
import Corpus
import Foundation
import NN

/// The word-vector file of `embedder.glove`, indexed, and what a checkpoint records of it. A
/// run initialises its vocabulary's trainable rows from it (`PretrainedVectors`); every other
/// word the file has — met in dev, test or prediction input — gets the file's vector, frozen
/// (`FrozenVectors`). The checkpoint does not copy those vectors: it names the file and records
/// its size and checksum, and the commands that reopen it check they read the same file.
public struct WordVectors: Sendable {
    public let file: VectorsFile
    public let record: VectorsFileRecord

    /// The config's vectors file (nil without `embedder.glove`), after checking it is where the
    /// config's path resolves.
    public static func open(_ config: RunConfig) throws -> WordVectors? {
        guard let path = config.glove else { return nil }
        try config.requireExisting(path)
        let file = try VectorsFile(path: path, dimension: config.embedder.wordDimension)
        let written = config.paths.last { $0.resolved == path }?.written ?? path
        return WordVectors(file: file, record: VectorsFileRecord(file: written, byteCount: file.byteCount, checksum: file.checksum))
    }

    /// The file `record` names, as the checkpoint `checkpoint` (named as the user gave it) with
    /// the stored `config` recorded it: at `override` (`--glove`) or where the config's
    /// `embedder.glove` resolves, and the same file — size and checksum — or an error that says
    /// what was expected and how to name the right file.
    public static func reopen(_ record: VectorsFileRecord, config: RunConfig, checkpoint: String, override: String?) throws -> WordVectors {
        let remedy = "pass --glove FILE to name the vectors file \(checkpoint) was trained with (\(record.identity))"
        let path: String
        if let override {
            guard FileManager.default.fileExists(atPath: override) else { throw TrainingError("--glove \(override): no such file") }
            path = override
        } else {
            guard let configured = config.glove else {
                throw TrainingError("\(checkpoint): records the vectors file \(record.file) but its config has no embedder.glove")
            }
            try config.requireExisting(configured, remedy: remedy)
            path = configured
        }
        func mismatch(_ found: String) -> TrainingError {
            TrainingError("\(path): not the vectors file \(checkpoint) was trained with: expected \(record.identity), found \(found); \(remedy)")
        }
        // The size first: another file of another size is told apart without reading it.
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size != record.byteCount {
            throw mismatch("\(size) bytes")
        }
        let file = try VectorsFile(path: path, dimension: config.embedder.wordDimension)
        let found = VectorsFileRecord(file: record.file, byteCount: file.byteCount, checksum: file.checksum)
        guard found == record else { throw mismatch(found.identity) }
        return WordVectors(file: file, record: record)
    }

    /// The frozen vectors of the words of `sequences` outside `vocabulary` that the file has.
    public func frozen(for sequences: some Sequence<[String]>, outside vocabulary: Vocabulary) throws -> FrozenVectors {
        var words: [String] = []
        var seen = Set<String>()
        for token in sequences.joined() where vocabulary.index(of: token) == Vocabulary.unknownIndex {
            let word = token.lowercased()
            if seen.insert(word).inserted { words.append(word) }
        }
        return FrozenVectors(dimension: file.dimension, vectors: try file.vectors(for: words))
    }
}
