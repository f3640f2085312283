import Checkpoint
import Foundation
import Model
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

    /// Errors name the checkpoint as `url.relativePath` (the path as the user gave it).
    public init(checkpoint url: URL) throws {
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
    }
}
