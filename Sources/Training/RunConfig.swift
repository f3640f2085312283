import Foundation
import Model

/// Where a task's examples come from.
public struct DataSource: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable { case demo, conll2003, conll04 }
    public var format: Format
    /// Demo corpus size and seed (format demo).
    public var documents = 0
    public var demoSeed: UInt64 = 0
    /// File paths (other formats), relative paths resolved against the config file's folder.
    public var train = "", dev = "", test = ""
    /// CoNLL-2003 tag scheme: "iob1" (the original files) or "iob2".
    public var tagScheme = "iob1"
}

public struct TaskConfig: Sendable, Equatable {
    public var data: DataSource
    /// Sentences per rank per step: the global batch is world size × this.
    public var batchSize: Int
    public var tagger: CRFTagger.Settings
}

public struct TrainingSchedule: Sendable, Equatable {
    public var maxSteps = 1000
    public var learningRate = 1e-3
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    /// Element-wise gradient clamp, then global-norm clipping (the reference's ±10 and 5).
    public var gradientClip = 10.0
    public var gradientNorm = 5.0
    public var logEvery = 20
    public var validateEvery = 100
    public var checkpointEvery = 100
    /// Validations without improvement of the dev F1 before the task stops.
    public var patience = 10
}

/// The whole run configuration, parsed from JSON with every key checked.
public struct RunConfig: Sendable {
    public var seed: UInt64
    /// When set, start-up fails unless the job has exactly this many ranks.
    public var expectedWorldSize: Int?
    public var embedder: Embedder.Settings
    public var glove: String?
    public var tasks: [Task: TaskConfig]
    public var schedule: TrainingSchedule
    /// Sorted-key JSON of the merged config: what the agreement hash and checkpoints record.
    public var canonicalJSON: String

    /// Keys a resumed run may change without breaking exact resume.
    public static let scheduleOnlyKeys: Set<String> = ["training.max_steps", "training.log_every", "training.checkpoint_every"]

    /// The model the config describes.
    public var modelSettings: HierarchicalModel.Settings {
        var settings = HierarchicalModel.Settings()
        settings.embedder = embedder
        settings.taggers = tasks[.ner].map { [HierarchicalModel.TaggerLevel(task: .ner, settings: $0.tagger)] } ?? []
        return settings
    }

    /// FNV-1a of the canonical JSON: equal on every rank iff the configs are equal.
    public var fingerprint: UInt64 { FNV1a.hash(canonicalJSON) }

    /// Reads `path`, applies `overrides` ("a.b.c=value", value parsed as JSON when it parses,
    /// else taken as a string), and validates.
    public static func load(path: String, overrides: [String] = []) throws -> RunConfig {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw ConfigError(path: "", message: "\(path): no such file")
        }
        let data = try Data(contentsOf: url)
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw ConfigError(path: "", message: "\(path): not valid JSON (\(error.localizedDescription))")
        }
        guard var root = object as? [String: Any] else {
            throw ConfigError(path: "", message: "\(path): expected a JSON object at the top level")
        }
        for o in overrides { try apply(override: o, to: &root) }
        return try RunConfig(json: root, baseDirectory: url.deletingLastPathComponent())
    }

    /// Parses an already-decoded config (checkpoints store one); relative data paths resolve
    /// against `baseDirectory`.
    public init(json root: [String: Any], baseDirectory: URL?) throws {
        var top = ConfigObject(root, path: "")
        seed = UInt64(try top.int("seed", default: 1, range: 0...Int(Int32.max)))
        expectedWorldSize = try top.optionalInt("world_size", range: 1...1_000_000)

        var e = try top.object("embedder") ?? ConfigObject([:], path: "embedder")
        embedder = Embedder.Settings()
        embedder.wordDimension = try e.int("word_dim", default: 50, range: 1...4096)
        embedder.charDimension = try e.int("char_dim", default: 16, range: 1...1024)
        embedder.charFilters = try e.int("char_filters", default: 64, range: 1...4096)
        embedder.charDropout = Float(try e.double("char_dropout", default: 0.1, range: 0...0.95))
        glove = try e.optionalString("glove").map { RunConfig.resolve($0, baseDirectory) }
        try e.finish()

        guard var t = try top.object("tasks") else { throw ConfigError(path: "tasks", message: "missing; expected an object with at least one task (\"ner\")") }
        tasks = [:]
        if var ner = try t.object("ner") {
            tasks[.ner] = try RunConfig.taskConfig(&ner, baseDirectory: baseDirectory)
            try ner.finish()
        }
        for later in ["emd", "coref", "relation"] where try t.object(later) != nil {
            throw ConfigError(path: "tasks.\(later)", message: "this task is not implemented yet (only \"ner\" is)")
        }
        try t.finish()
        guard !tasks.isEmpty else { throw ConfigError(path: "tasks", message: "expected at least one task (\"ner\")") }

        var s = try top.object("training") ?? ConfigObject([:], path: "training")
        schedule = TrainingSchedule()
        schedule.maxSteps = try s.int("max_steps", default: 1000, range: 1...1_000_000_000)
        schedule.learningRate = try s.double("learning_rate", default: 1e-3, range: 0...10, openLower: true)
        schedule.beta1 = try s.double("beta1", default: 0.9, range: 0...0.999999)
        schedule.beta2 = try s.double("beta2", default: 0.999, range: 0...0.999999999)
        schedule.epsilon = try s.double("epsilon", default: 1e-8, range: 0...1, openLower: true)
        schedule.gradientClip = try s.double("gradient_clip", default: 10, range: 0...1e9, openLower: true)
        schedule.gradientNorm = try s.double("gradient_norm", default: 5, range: 0...1e9, openLower: true)
        schedule.logEvery = try s.int("log_every", default: 20, range: 1...1_000_000_000)
        schedule.validateEvery = try s.int("validate_every", default: 100, range: 1...1_000_000_000)
        schedule.checkpointEvery = try s.int("checkpoint_every", default: 100, range: 1...1_000_000_000)
        schedule.patience = try s.int("patience", default: 10, range: 1...1_000_000)
        try s.finish()
        try top.finish()

        let canonical = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
        canonicalJSON = String(decoding: canonical, as: UTF8.self)
    }

    private static func taskConfig(_ o: inout ConfigObject, baseDirectory: URL?) throws -> TaskConfig {
        guard var d = try o.object("data") else { throw ConfigError(path: "\(o.path).data", message: "missing; expected an object with \"format\"") }
        let format = DataSource.Format(rawValue: try d.string("format", oneOf: DataSource.Format.allCases.map(\.rawValue)))!
        var source = DataSource(format: format)
        switch format {
        case .demo:
            source.documents = try d.int("documents", default: 200, range: 10...1_000_000)
            source.demoSeed = UInt64(try d.int("seed", default: 1, range: 0...Int(Int32.max)))
        case .conll2003, .conll04:
            source.train = resolve(try d.string("train"), baseDirectory)
            source.dev = resolve(try d.string("dev"), baseDirectory)
            source.test = try d.optionalString("test").map { resolve($0, baseDirectory) } ?? ""
            if format == .conll2003 { source.tagScheme = try d.string("tag_scheme", default: "iob1", oneOf: ["iob1", "iob2"]) }
        }
        try d.finish()

        var tagger = CRFTagger.Settings()
        if var enc = try o.object("encoder") {
            tagger.hiddenSize = try enc.int("hidden", default: 64, range: 1...4096)
            tagger.layers = try enc.int("layers", default: 2, range: 1...16)
            tagger.encoderDropout = Float(try enc.double("dropout", default: 0.2, range: 0...0.95))
            try enc.finish()
        }
        tagger.dropout = Float(try o.double("dropout", default: 0.2, range: 0...0.95))
        let batch = try o.int("batch_size", default: 32, range: 1...100_000)
        return TaskConfig(data: source, batchSize: batch, tagger: tagger)
    }

    private static func resolve(_ path: String, _ base: URL?) -> String {
        guard !path.hasPrefix("/"), let base else { return path }
        return base.appendingPathComponent(path).standardizedFileURL.path
    }

    static func apply(override: String, to root: inout [String: Any]) throws {
        guard let eq = override.firstIndex(of: "="), eq != override.startIndex else {
            throw ConfigError(path: "", message: "--set \(override): expected key.path=value")
        }
        let keys = override[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains("") else { throw ConfigError(path: String(override[..<eq]), message: "--set: empty key in the path") }
        let text = String(override[override.index(after: eq)...])
        let value: Any = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        func set(_ dict: inout [String: Any], _ path: ArraySlice<String>) throws {
            let key = path.first!
            if path.count == 1 { dict[key] = value; return }
            var child: [String: Any]
            switch dict[key] {
            case nil, is NSNull: child = [:]
            case let d as [String: Any]: child = d
            default: throw ConfigError(path: keys.prefix(keys.count - path.count + 1).joined(separator: "."), message: "--set: not an object, cannot set \(path.dropFirst().joined(separator: "."))")
            }
            try set(&child, path.dropFirst())
            dict[key] = child
        }
        try set(&root, keys[...])
    }
}

/// 64-bit FNV-1a: a stable hash, identical on every machine and run (unlike Hasher).
public enum FNV1a {
    public static func hash(_ text: String) -> UInt64 { hash(bytes: Array(text.utf8)) }

    public static func hash<C: Sequence>(bytes: C, into start: UInt64 = 0xcbf2_9ce4_8422_2325) -> UInt64 where C.Element == UInt8 {
        var h = start
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}
