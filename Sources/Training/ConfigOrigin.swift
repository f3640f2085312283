import Foundation
import Model

/// Where a run config came from, and the one rule for the paths in it: a relative path in a
/// config (data files, `data.contextual` files, `embedder.glove`, and any of them set with
/// `--set`) is relative to the folder of the config file — in `train`, and in `evaluate`,
/// `predict` and `embed`, which rebuild the config from a checkpoint's `config_file` record.
/// Resolving against the config file rather than the current folder lets a config name its
/// data once (`../data/train.conll`) and be used from any working folder.
///
/// A checkpoint keeps the config text as written and records the config file's absolute path
/// beside it, rather than a config with its paths made absolute: resuming compares the stored
/// config key by key with the one on disk, which then still works after a project moves with
/// its configs and data; errors can quote what the config said; and a checkpoint copied away
/// from its run folder still finds the data (a path relative to the run folder would not).
/// The record is a path on the machine that trained, like any run artifact: checkpoints are
/// never committed as fixtures (tests write theirs into temporary folders), and on another
/// machine `evaluate --data` names the data.
public struct ConfigOrigin: Sendable, Equatable {
    /// How errors name the config: the path as the user gave it (`configs/x.json`), or
    /// `<checkpoint>: config` for a config read back from a checkpoint.
    public var name: String
    /// The config file, absolute and standardized, when the config was read from one; what a
    /// checkpoint records as `config_file`.
    public var file: String?
    /// The folder relative paths resolve against; nil: the current folder (a config built in
    /// code, or read from a checkpoint written before checkpoints recorded `config_file`).
    public var directory: URL?
    /// The checkpoint the config was read back from, as the user gave it.
    public var checkpoint: String?

    public init(name: String, file: String? = nil, directory: URL?, checkpoint: String? = nil) {
        self.name = name
        self.file = file
        self.directory = directory
        self.checkpoint = checkpoint
    }

    /// A config read from the file at `path` (as the user gave it).
    public init(configFile path: String) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        self.init(name: path, file: url.path, directory: url.deletingLastPathComponent())
    }

    /// The config stored in the checkpoint at `checkpoint` (as the user gave it), which
    /// recorded the config file it was trained from (`configFile`), or nothing (older files).
    public init(checkpoint: String, configFile: String?) {
        self.init(name: "\(checkpoint): config", file: configFile,
                  directory: configFile.map { URL(fileURLWithPath: $0).deletingLastPathComponent() }, checkpoint: checkpoint)
    }

    /// `path` by the rule: absolute paths as they are, relative ones against `directory`.
    public func resolve(_ path: String) -> String {
        guard !path.hasPrefix("/"), let directory else { return path }
        return directory.appendingPathComponent(path).standardizedFileURL.path
    }

    /// How a relative path of this config was resolved, for errors about missing files.
    var basis: String {
        switch (file, directory, checkpoint) {
        case let (file?, directory?, _): "relative to \(directory.path), the folder of \(file)"
        case let (_, directory?, _): "relative to \(directory.path)"
        case (_, nil, _?): "relative to the current folder: the checkpoint predates recording its config file"
        case (_, nil, nil): "relative to the current folder"
        }
    }
}

/// A path-valued key of a config: its key path, its value as written, and that value
/// resolved by `ConfigOrigin.resolve`.
public struct ConfigPath: Sendable, Equatable {
    public var key: String
    public var written: String
    public var resolved: String
}

/// Reads the path-valued keys of a config, applying its origin's rule and remembering each
/// (`RunConfig.paths`), so an error about a missing file can say what the config said.
struct ConfigPathReader {
    let origin: ConfigOrigin
    private(set) var paths: [ConfigPath] = []

    init(origin: ConfigOrigin) { self.origin = origin }

    /// The resolved path of the string at `key` of `object`; "missing" unless it is there.
    mutating func path(_ key: String, of object: inout ConfigObject) throws -> String {
        record(key, try object.string(key), object)
    }

    /// The resolved path, or nil when `key` is absent or null.
    mutating func optionalPath(_ key: String, of object: inout ConfigObject) throws -> String? {
        try object.optionalString(key).map { record(key, $0, object) }
    }

    private mutating func record(_ key: String, _ written: String, _ object: ConfigObject) -> String {
        let resolved = origin.resolve(written)
        paths.append(ConfigPath(key: object.keyPath(key), written: written, resolved: resolved))
        return resolved
    }
}

extension RunConfig {
    /// Fails unless something exists at `path`, a path this config resolved: the error names
    /// the path tried, the key and value as the config wrote them, what a relative value was
    /// resolved against, and `remedy` (e.g. "pass --data FILE") — checked before a reader
    /// would report the bare path.
    public func requireExisting(_ path: String, remedy: String? = nil) throws {
        guard !path.isEmpty, !FileManager.default.fileExists(atPath: path) else { return }
        let entry = paths.last { $0.resolved == path }
        var context = [entry.map { "\(origin.name) has \($0.key) = \"\($0.written)\"" + ($0.written.hasPrefix("/") ? "" : ", \(origin.basis)") }
            ?? "named by \(origin.name)"]
        if let remedy { context.append(remedy) }
        let what = entry?.key.hasSuffix(".directory") == true ? "folder" : "file"
        throw TrainingError("\(path): no such \(what) (\(context.joined(separator: "; ")))")
    }

    /// `requireExisting` for every file or folder `source` reads.
    public func requireExisting(filesOf source: DataSource, remedy: String? = nil) throws {
        for path in [source.train, source.dev, source.test] { try requireExisting(path, remedy: remedy) }
    }

    /// Where `task`'s training examples come from, as an error names it: the file (or LitBank
    /// folder), or for the demo corpus the config.
    public func trainingPlace(of task: Task) -> String {
        let path = tasks[task]?.data.train ?? ""
        return path.isEmpty ? "\(origin.name): tasks.\(task.rawValue).data" : path
    }
}
