import Checkpoint
import Foundation
import Model
import Tensor

/// `hmtl train --init-from`: a new run's parameters taken from a trained checkpoint by name and
/// shape (docs/building-on.md). Vocabulary tables keep their first rows (the run's vocabularies
/// extend the checkpoint's, `RunData.load(extending:)`); a block whose shapes changed is an
/// error naming the config keys, unless its config says `"init": "fresh"`.
public struct ParameterTransfer {
    public struct Mismatch: Equatable {
        public var name: String
        public var saved: [Int], current: [Int]
    }

    /// Copied whole, or (vocabulary tables) their saved rows.
    public private(set) var loaded: [String] = []
    /// Not in the checkpoint: the seed's values.
    public private(set) var new: [String] = []
    /// In the checkpoint, left at the seed's values because their block starts fresh (same shape).
    public private(set) var fresh: [String] = []
    /// In the checkpoint with another shape, in a block that starts fresh.
    public private(set) var skipped: [Mismatch] = []
    /// What each parameter becomes: its saved values, or its first rows (`rows` of them).
    private var copies: [(parameter: Parameter, saved: NamedArray)] = []

    /// Plans the copy into `model`'s layout from the checkpoint `file` (its `saved` parameters,
    /// `savedConfig` and label `savedVocabularies`).
    public init(saved: [NamedArray], savedConfig: String, savedVocabularies: [String: [String]], model: HierarchicalModel,
                config: RunConfig, file: String) throws {
        let byName = Dictionary(saved.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let tables = Dictionary(uniqueKeysWithValues: model.embedder.vocabularyTables.map { ($0.table.name, $0.namespace) })
        let blocks = model.namedBlocks
        let freshBlocks = Set(["embedder"].filter { _ in config.embedderTraining.fresh }
            + config.tasks.filter { $0.value.training.fresh }.map(\.key.rawValue))
        try Self.checkLabels(savedVocabularies, model.vocabularies.namespaces, shared: blocks.map(\.name).filter { !freshBlocks.contains($0) },
                             file: file)
        for p in model.layout.parameters {
            guard let s = byName[p.name] else {
                new.append(p.name)
                continue
            }
            let block = blocks.first { $0.range.contains(p.offset) }!.name
            let rowsExtend = tables[p.name] != nil && s.shape.count == 2 && s.shape[1] == p.shape[1] && s.shape[0] <= p.shape[0]
            if freshBlocks.contains(block) {
                if s.shape == p.shape { fresh.append(p.name) } else { skipped.append(Mismatch(name: p.name, saved: s.shape, current: p.shape)) }
            } else if s.shape == p.shape || rowsExtend {
                loaded.append(p.name)
                copies.append((p, s))
            } else {
                let keys = try Self.differingKeys(block: block, savedConfig: savedConfig, config: config)
                throw TrainingError("\(file): \(block == "embedder" ? "the embedder" : "level \(block)"): parameter \(p.name) is \(s.shape) in the checkpoint, \(p.shape) in \(config.origin.name) "
                    + "(\(keys.isEmpty ? "no key of its own differs: a block below changed its width" : "differing keys: " + keys.joined(separator: ", "))); "
                    + "set \(block == "embedder" ? "embedder" : "tasks.\(block)").init to \"fresh\" to train it from the seed")
            }
        }
    }

    /// Writes the planned values into `arena` (vocabulary tables: their saved rows; the rows of
    /// entries the checkpoint did not have keep their fresh values).
    public func apply(to arena: ParameterArena) {
        for (p, s) in copies {
            s.values.withUnsafeBufferPointer { arena.value(p).update(from: $0.baseAddress!, count: s.values.count) }
        }
    }

    /// The transfer as a metrics.jsonl record (`"kind": "init"`).
    public func record(file: String, checksum: UInt64) -> [String: Any] {
        ["kind": "init", "file": file, "checksum": String(format: "%016llx", checksum), "loaded": loaded, "new": new, "fresh": fresh,
         "skipped": skipped.map { ["name": $0.name, "saved_shape": $0.saved, "shape": $0.current] as [String: Any] }]
    }

    /// One line per group, for the console.
    public var summary: String {
        var lines = ["loaded \(loaded.count) parameters", "new \(new.count)\(new.isEmpty ? "" : ": " + new.joined(separator: ", "))"]
        if !fresh.isEmpty { lines.append("fresh by config \(fresh.count): \(fresh.joined(separator: ", "))") }
        for m in skipped { lines.append("skipped \(m.name): \(m.saved) in the checkpoint, \(m.current) now") }
        return lines.joined(separator: "\n  ")
    }

    /// The model keys under `block`'s config (`embedder`, `tasks.<task>`) that differ between
    /// the two configs, data and training-control keys left out.
    static func differingKeys(block: String, savedConfig: String, config: RunConfig) throws -> [String] {
        let prefix = block == "embedder" ? "embedder." : "tasks.\(block)."
        let ignored = ["data", "batch_size", "trainable", "dropout_when_frozen", "init", "glove"].map { prefix + $0 }
        return try ConfigDifference.keys(between: savedConfig, and: config.canonicalJSON)
            .filter { key in key.hasPrefix(prefix) && !ignored.contains { key == $0 || key.hasPrefix($0 + ".") } }
    }

    /// A loaded level's labels must be the checkpoint's, in the namespace its kind names
    /// (`<task>_tags` for a tagger, `relation_types` for relations; none for coreference).
    static func checkLabels(_ saved: [String: [String]], _ current: [String: [String]], shared: [String], file: String) throws {
        for level in shared where level != "embedder" {
            let task = Task(rawValue: level)
            guard let namespace = LevelKinds.kind(of: task).labelNamespace(of: task),
                  let before = saved[namespace], let now = current[namespace], before != now else { continue }
            let gone = before.filter { !now.contains($0) }, added = now.filter { !before.contains($0) }
            let what = gone.isEmpty && added.isEmpty ? "the same entries in another order"
                : "missing from the data: \(gone.isEmpty ? "none" : gone.joined(separator: " ")); new in the data: \(added.isEmpty ? "none" : added.joined(separator: " "))"
            throw TrainingError("\(file): level \(level): its \(namespace) differ from the training data's (\(what)); "
                + "set tasks.\(level).init to \"fresh\" to train the level from the seed")
        }
    }
}

extension Trainer {
    /// Starts this fresh run from the checkpoint at `url` (already read as `saved`): its
    /// parameters by name and shape, nothing else (step 0, fresh optimizers). Logged, and
    /// recorded in metrics.jsonl.
    func initialize(from saved: CheckpointContents, url: URL) throws {
        let transfer = try ParameterTransfer(saved: saved.parameters, savedConfig: saved.config, savedVocabularies: saved.vocabularies,
                                             model: model, config: config, file: url.lastPathComponent)
        transfer.apply(to: arena)
        log.say("hmtl: --init-from \(url.path):\n  \(transfer.summary)")
        let checksum = saved.checksum
        log.record(transfer.record(file: url.path, checksum: checksum))
        origin = CheckpointOrigin(file: url.path, checksum: checksum,
                                  frozen: model.namedBlocks.map(\.name).filter { $0 == "embedder" ? model.frozen.embedder : model.frozen.levels.contains(Task(rawValue: $0)) })
    }
}
