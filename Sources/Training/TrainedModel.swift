import Checkpoint
import Foundation
import Model
import Tensor

/// A model rebuilt from a checkpoint: its config, vocabularies and parameters, for
/// evaluation and prediction.
public struct TrainedModel {
    public let config: RunConfig
    public let model: HierarchicalModel
    public let arena: ParameterArena
    public let step: Int

    public init(checkpoint url: URL) throws {
        let c = try CheckpointStore.read(url)
        let name = url.lastPathComponent
        guard let json = try JSONSerialization.jsonObject(with: Data(c.config.utf8)) as? [String: Any] else {
            throw TrainingError("\(name): the stored config is not a JSON object")
        }
        config = try RunConfig(json: json, baseDirectory: nil)
        model = HierarchicalModel(settings: config.modelSettings, vocabularies: try Vocabularies(namespaces: c.vocabularies, file: name))
        arena = ParameterArena(layout: model.layout)
        try arena.load(c.parameters, file: name)
        step = c.step
    }
}
