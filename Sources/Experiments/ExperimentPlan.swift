import Foundation
import Model
import Training

/// An experiment file (`hmtl experiment FILE.json`): the setups to train, each a config and
/// its seeds, and one protocol for all — `--set` overrides every run gets (caps, patience,
/// intervals) — with the ranks and BLAS threads of each run. Every key is checked and every
/// config is loaded with its overrides before anything runs, so a mistake is an error naming
/// the file and the key, never a run that fails hours later.
///
/// ```jsonc
/// {
///   "output": "../runs/table3",              // relative to this file; default runs/<file name>
///   "world_size": 2, "threads": 1,           // ranks per run (mpirun -np) and OPENBLAS_NUM_THREADS
///   "sigkill_grace": 10,                     // mpirun's odls_base_sigkill_timeout, seconds
///   "set": { "training.max_epochs": 100 },   // the protocol: --set key=value of every run
///   "setups": [
///     { "name": "A", "config": "../configs/conll04-litbank/A.json", "seeds": [1, 2, 3],
///       "set": { "training.checkpoint_every": 500 } }   // optional, after the protocol's
///   ]
/// }
/// ```
public struct ExperimentPlan: Sendable {
    public struct Setup: Sendable {
        public var name: String
        /// The config path as the experiment file writes it, and resolved against its folder.
        public var config: String
        public var configPath: String
        public var seeds: [Int]
        public var worldSize: Int
        public var threads: Int
        /// `key=value` overrides after the seed's: the protocol's, then the setup's own.
        public var overrides: [String]
        /// The levels the config trains, bottom-up ("NER → EMD → {RE, CR}").
        public var hierarchy: String
    }

    /// One (setup, seed): its folder is `<output>/<setup>-seed<seed>`.
    public struct Run: Sendable {
        public var setup: Setup
        public var seed: Int
        public var folder: URL
        public var name: String { folder.lastPathComponent }
        /// Everything `hmtl train` is given after `--config` and `--output`.
        public var trainArguments: [String] {
            ["--world-size", "\(setup.worldSize)"] + (["seed=\(seed)"] + setup.overrides).flatMap { ["--set", $0] }
        }
    }

    /// The file as the user named it.
    public var file: String
    public var output: URL
    /// Seconds mpirun gives the ranks between SIGTERM and SIGKILL when it is signalled itself or
    /// a rank fails (`odls_base_sigkill_timeout`; it waits twice that before it exits): a step and
    /// a checkpoint must fit in it.
    public var sigkillGrace: Int
    /// The protocol's overrides (every run's, before its setup's).
    public var protocolOverrides: [String]
    public var setups: [Setup]

    /// The runs in seed rounds — every setup's first seed, then every setup's second, … — so a
    /// table built across sittings covers every setup before it repeats one.
    public var runs: [Run] {
        let rounds = setups.map(\.seeds.count).max() ?? 0
        return (0..<rounds).flatMap { round in
            setups.filter { round < $0.seeds.count }.map { setup in
                Run(setup: setup, seed: setup.seeds[round], folder: output.appendingPathComponent("\(setup.name)-seed\(setup.seeds[round])"))
            }
        }
    }

    /// Reads and checks `path`; `output` (relative to the current folder) replaces the file's.
    public static func load(path: String, output: String? = nil) throws -> ExperimentPlan {
        let root = try ConfigObject.read(path: path)
        do {
            return try ExperimentPlan(root, file: path, output: output)
        } catch var error as ConfigError {
            error.source = path
            throw error
        }
    }

    private init(_ root: [String: Any], file: String, output: String?) throws {
        self.file = file
        let folder = URL(fileURLWithPath: file).standardizedFileURL.deletingLastPathComponent()
        func resolve(_ path: String) -> URL {
            path.hasPrefix("/") ? URL(fileURLWithPath: path) : folder.appendingPathComponent(path).standardizedFileURL
        }
        var top = ConfigObject(root, path: "")
        let written = try top.optionalString("output")
        let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
        self.output = output.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? written.map(resolve) ?? URL(fileURLWithPath: "runs/\(name)").standardizedFileURL
        let worldSize = try top.int("world_size", default: 1, range: 1...1_000_000)
        let threads = try top.int("threads", default: 1, range: 1...4096)
        sigkillGrace = try top.int("sigkill_grace", default: 10, range: 1...3600)
        protocolOverrides = try Self.overrides(&top, "set")
        guard let list = try top.array("setups"), !list.isEmpty else {
            throw ConfigError(path: "setups", message: "expected a non-empty array of setups, each with \"name\", \"config\" and \"seeds\"")
        }
        try top.finish()
        var setups: [Setup] = []
        for (index, item) in list.enumerated() {
            guard let object = item as? [String: Any] else {
                throw ConfigError(path: "setups[\(index)]", message: "expected an object with \"name\", \"config\" and \"seeds\"")
            }
            var s = ConfigObject(object, path: "setups[\(index)]")
            let setupName = try s.string("name")
            guard !setupName.isEmpty, setupName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
                throw ConfigError(path: s.keyPath("name"), message: "expected letters, digits, '-', '_' or '.' (it names the run folders), got \"\(setupName)\"")
            }
            guard !setups.contains(where: { $0.name == setupName }) else {
                throw ConfigError(path: s.keyPath("name"), message: "setup \"\(setupName)\" is listed twice")
            }
            let config = try s.string("config")
            guard let seeds = try s.intArray("seeds", range: 0...Int(Int32.max)), !seeds.isEmpty, Set(seeds).count == seeds.count else {
                throw ConfigError(path: s.keyPath("seeds"), message: "expected a non-empty array of distinct seeds")
            }
            var setup = Setup(name: setupName, config: config, configPath: resolve(config).path, seeds: seeds,
                              worldSize: try s.int("world_size", default: worldSize, range: 1...1_000_000),
                              threads: try s.int("threads", default: threads, range: 1...4096),
                              overrides: protocolOverrides + (try Self.overrides(&s, "set")), hierarchy: "")
            try s.finish()
            // The config as each run will see it: a bad key or value fails now, naming the setup.
            do {
                let loaded = try RunConfig.load(path: setup.configPath, overrides: ["seed=\(seeds[0])"] + setup.overrides)
                for task in loaded.tasks.values { try loaded.requireExisting(filesOf: task.data) }
                setup.hierarchy = Self.hierarchy(loaded)
            } catch {
                throw ConfigError(path: "setups[\(index)] (\(setupName))", message: "\(error)")
            }
            setups.append(setup)
        }
        self.setups = setups
    }

    /// A `set` object as `key=value` overrides, values written as JSON (a string keeps its
    /// quotes, null removes the key). The seed is not among them: `seeds` gives it.
    private static func overrides(_ object: inout ConfigObject, _ key: String) throws -> [String] {
        guard let set = try object.object(key) else { return [] }
        return try set.entries.map { name, value -> String in
            guard name != "seed" else { throw ConfigError(path: set.keyPath(name), message: "the seed of each run comes from \"seeds\"") }
            guard let json = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]) else {
                throw ConfigError(path: set.keyPath(name), message: "expected a JSON value")
            }
            return "\(name)=\(String(decoding: json, as: UTF8.self))"
        }
    }

    /// "NER → EMD → {RE, CR}": the tagging levels bottom-up, then the levels side by side on top.
    static func hierarchy(_ config: RunConfig) -> String {
        let top = Task.displayOrder(config.tasks.keys.filter { !LevelKinds.kind(of: $0).isStacked }).map(\.displayName)
        let levels = config.taggingOrder.map(\.displayName) + (top.count > 1 ? ["{\(top.joined(separator: ", "))}"] : top)
        return levels.joined(separator: " → ")
    }
}
