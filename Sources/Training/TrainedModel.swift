import Checkpoint
import Corpus
import Foundation
import Model
import NN
import Tensor

/// A model rebuilt from a checkpoint: its config, vocabularies and parameters, for
/// evaluation and prediction.
public struct TrainedModel {
    /// The stored config; its relative paths resolve against the folder of the config file the
    /// run was trained from (`config_file`), or the current folder for files that predate it.
    public let config: RunConfig
    public let model: HierarchicalModel
    public let arena: ParameterArena
    public let step: Int
    /// The vectors file the run read (`embedder.glove`), checked to be the same file; nil when
    /// it read none, or when the checkpoint predates recording it (format_version < 5: such a
    /// run validated every word outside its vocabulary as unknown, and predicts so).
    public let vectors: WordVectors?

    /// Errors name the checkpoint as `url.relativePath` (the path as the user gave it);
    /// `vectors` (`--glove`) names the run's vectors file when it is no longer where the config
    /// says.
    public init(checkpoint url: URL, vectors override: String? = nil) throws {
        let c = try CheckpointStore.read(url)
        let name = url.relativePath
        guard let json = try JSONSerialization.jsonObject(with: Data(c.config.utf8)) as? [String: Any] else {
            throw TrainingError("\(name): the stored config is not a JSON object")
        }
        config = try RunConfig(json: json, origin: ConfigOrigin(checkpoint: name, configFile: c.configFile))
        model = HierarchicalModel(settings: config.modelSettings, vocabularies: try Vocabularies(namespaces: c.vocabularies, file: name))
        arena = ParameterArena(layout: model.layout)
        try arena.load(c.parameters, file: name)
        step = c.step
        if let record = c.vectorsFile {
            vectors = try WordVectors.reopen(record, config: config, checkpoint: name, override: override)
        } else if let override {
            throw TrainingError("--glove \(override): \(name) records no vectors file (trained without embedder.glove, or before checkpoints recorded it)")
        } else {
            vectors = nil
        }
    }

    /// The frozen vectors of the words of `documents` outside the vocabulary (nil without vectors).
    public func frozenVectors(for documents: [Document]) throws -> FrozenVectors? {
        try vectors?.frozen(for: documents.lazy.flatMap(\.sentences).map(\.tokens), outside: model.vocabularies.words)
    }
}
