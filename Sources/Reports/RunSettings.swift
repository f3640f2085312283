import Checkpoint
import Foundation

/// The run's configuration as the report shows it. `metrics.jsonl` does not carry the config,
/// but every checkpoint does (root attributes `config` and `world_size`): the newest one is
/// read — attributes only, never the parameters, so a large checkpoint costs nothing.
struct RunSettings {
    var configText: String
    var worldSize: Int?
    /// The checkpoint file it came from.
    var source: String

    /// nil when the folder holds no readable checkpoint: the report then goes without.
    static func load(from directory: URL) -> RunSettings? {
        var candidates: [URL] = []
        if let latest = try? CheckpointStore.latest(in: directory) { candidates.append(latest) }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        candidates += names.compactMap { name in CheckpointStore.step(ofFileName: name).map { ($0, name) } }
            .sorted { $0.0 > $1.0 }
            .map { directory.appendingPathComponent($0.1) }
        for url in candidates {
            guard let file = try? HDF5File.openReadOnly(url) else { continue }
            defer { try? file.close() }
            guard let text = try? file.stringAttribute("config") else { continue }
            let ranks = (try? file.attribute("world_size", as: Int64.self)).map(Int.init)
            return RunSettings(configText: text, worldSize: ranks, source: url.lastPathComponent)
        }
        return nil
    }

    /// The config as a JSON object (nil if the text is not one).
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(configText.utf8))) as? [String: Any]
    }

    /// Indented for reading, keys sorted; the text as stored when it does not parse.
    var prettyText: String {
        guard let object, let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]) else {
            return configText
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// "ner (batch 16), emd (batch 16), …" in hierarchy order.
    var taskSummary: String? {
        guard let tasks = object?["tasks"] as? [String: Any] else { return nil }
        return TaskPalette.ordered(tasks.keys).map { name in
            let batch = (tasks[name] as? [String: Any])?["batch_size"].map { " (batch \($0))" } ?? ""
            return name + batch
        }.joined(separator: ", ")
    }

    /// The schedule's headline keys that are set, as "key value" pairs.
    var scheduleSummary: String? {
        guard let training = object?["training"] as? [String: Any] else { return nil }
        let keys = ["max_steps", "learning_rate", "sampling", "log_every", "validate_every", "patience"]
        let parts = keys.compactMap { key in training[key].map { "\(key) \($0)" } }
        return parts.isEmpty ? nil : parts.joined(separator: ", ")
    }

    var seed: String? { object?["seed"].map { "\($0)" } }
}
