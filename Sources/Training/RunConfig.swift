import Corpus
import Foundation
import Model
import Random

/// Where a task's examples come from.
public struct DataSource: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable { case demo, conll2003, conll04, conll2012, litbank, dygie, columns }
    public var format: Format
    /// Demo corpus size and seed (format demo).
    public var documents = 0
    public var demoSeed: UInt64 = 0
    /// File paths (other formats; a folder for litbank in `train`), relative paths resolved
    /// against the config file's folder.
    public var train = "", dev = "", test = ""
    /// CoNLL-2003 tag scheme: "iob1" (the original files) or "iob2".
    public var tagScheme = "iob1"
    /// Precomputed contextual features of the splits (`data.contextual`), when the embedder
    /// mixes them in.
    public var contextual: ContextualPaths?
    /// Format columns: which column holds the word and which the tags (`data.columns`), and
    /// the tags' scheme (`data.tag_scheme`).
    public var columns: ColumnFormat?
    /// LitBank, a tagging task: the entities file's tag column it learns (`data.layer`, 1 the
    /// innermost mentions); nil for the other tasks.
    public var entityColumn: Int?

    public init(format: Format) { self.format = format }

    /// Whether the source has a test split (a test file, or built-in splits).
    var hasTest: Bool { format == .demo || format == .litbank || !test.isEmpty }
}

/// HDF5 files of contextual features for a task's splits, in the layout `allennlp elmo --all`
/// writes (see `ContextualFile`); relative paths resolved like the data paths. "" = none.
public struct ContextualPaths: Sendable, Equatable {
    public var train = "", dev = "", test = ""
    public init(train: String = "", dev: String = "", test: String = "") {
        self.train = train
        self.dev = dev
        self.test = test
    }
}

/// How a block (the embedder, a level) takes part in training: `"trainable"`,
/// `"dropout_when_frozen"` and `"init"` (docs/building-on.md).
public struct BlockTraining: Sendable, Equatable {
    /// false: the block's parameters never change (`FrozenBlocks`).
    public var trainable = true
    /// Whether a frozen block runs its dropout in training passes.
    public var dropoutWhenFrozen = true
    /// `"init": "fresh"`: under `--init-from` the block starts from the seed's values even when
    /// the checkpoint has it (its shapes may then differ).
    public var fresh = false

    public init() {}

    static func read(_ o: inout ConfigObject) throws -> BlockTraining {
        var b = BlockTraining()
        b.trainable = try o.bool("trainable", default: true)
        b.dropoutWhenFrozen = try o.bool("dropout_when_frozen", default: true)
        b.fresh = try o.string("init", default: "checkpoint", oneOf: ["checkpoint", "fresh"]) == "fresh"
        return b
    }
}

public struct TaskConfig: Sendable, Equatable {
    public var data: DataSource
    public var training = BlockTraining()
    /// Examples per rank per step (sentences; documents for coref): the global batch is world
    /// size × this.
    public var batchSize: Int
    /// The level's settings; only the one matching the task is read.
    public var tagger = CRFTagger.Settings()
    public var relation = RelationLevel.Settings()
    public var coref = CoreferenceLevel.Settings()
}

/// How the task of each step is drawn (docs/design.md, Training schedule).
public enum TaskSampling: String, Sendable, CaseIterable {
    /// ∝ the task's training batches per epoch (the reference's "proportional").
    case batches
    /// ∝ the task's training examples.
    case examples
    case uniform

    /// The sampler's weight of a task with `examples` training examples cut into global batches
    /// of `globalBatch`; it depends on the global batch, never on the world size.
    public func weight(examples: Int, globalBatch: Int) -> Int {
        switch self {
        case .batches: (examples + globalBatch - 1) / globalBatch
        case .examples: examples
        case .uniform: 1
        }
    }
}

public struct TrainingSchedule: Sendable, Equatable {
    public var maxSteps = 1000
    /// A cap in epochs (an epoch: every task's batches once, `Trainer.stepsPerEpoch`); training
    /// ends at whichever of the two caps comes first.
    public var maxEpochs: Int?
    public var learningRate = 1e-3
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    /// Element-wise gradient clamp, then global-norm clipping (the reference's ±10 and 5).
    public var gradientClip = 10.0
    public var gradientNorm = 5.0
    public var logEvery = 20
    /// Steps between validations; nil: once per "epoch", the sum of the tasks' batches (the reference).
    public var validateEvery: Int?
    public var checkpointEvery = 100
    /// How many `ckpt-<step>.h5` files to keep (older ones are deleted after each commit).
    public var keepCheckpoints = 3
    /// Validations without improvement of the dev F1 before the task stops.
    public var patience = 10
    public var sampling = TaskSampling.batches
    /// Learning-rate halving on a dev plateau (the reference's ReduceLROnPlateau settings),
    /// and the rate below which a task counts as finished.
    public var learningRateFactor = 0.5
    public var learningRatePatience = 5
    public var learningRateThreshold = 1e-4
    public var minimumLearningRate = 1e-7
    /// Steps in a row with a non-finite loss or gradient (skipped) before the run stops.
    public var maxConsecutiveSkips = 5
    /// Seconds without progress (a step, a validation, a checkpoint) before a rank gives up
    /// on a dead or stalled peer and stops the job.
    public var stallTimeout = 300.0
    /// Sum the gradient over the ranks bucket by bucket while backward runs, each bucket as soon
    /// as backward is done with it (`GradientReduction`); false: after backward, one message per
    /// range. The same bits on two ranks; see docs/distributed.md, Determinism.
    public var overlapReduction = true
    /// The buckets' size when overlapping, KiB: at the yardstick shapes the NER level's 1.3 MB
    /// fall into one bucket per encoder direction, each sent as soon as backward leaves it;
    /// larger buckets wait for more of backward, smaller ones only add messages.
    public var bucketKiB = 128

    public init() {}
}

/// Test hooks: deliberately broken steps, to show that failures are handled.
public struct FaultInjection: Sendable, Equatable {
    /// Steps (0-based) at which rank `nanRank` poisons its loss and gradient with NaN.
    public var nanSteps: Set<Int> = []
    public var nanRank = 0
    /// At this step (0-based) rank `desyncRank` draws one extra task from its sampler, so from
    /// then on it disagrees with the other ranks about which task comes next.
    public var desyncStep: Int?
    public var desyncRank = 0
    /// Every rank makes each step last at least this long (ms), so that a test can signal a run
    /// whose steps outlast mpirun's default SIGKILL grace, as a real coreference step can.
    public var slowStepMilliseconds = 0
}

/// The whole run configuration, parsed from JSON with every key checked.
public struct RunConfig: Sendable {
    public var seed: UInt64
    /// When set, start-up fails unless the job has exactly this many ranks.
    public var expectedWorldSize: Int?
    public var embedder: Embedder.Settings
    public var embedderTraining = BlockTraining()
    public var glove: String?
    public var tasks: [Task: TaskConfig]
    /// The tagging levels bottom-up (NER below EMD in setup A; K and L swap them).
    public var taggingOrder: [Task]
    public var schedule: TrainingSchedule
    public var faultInjection = FaultInjection()
    /// Debug: ranks check that they agree on step, task and ranges before every gradient allreduce.
    public var verifyCollectives = false
    /// Sorted-key JSON of the merged config: what the agreement hash and checkpoints record.
    public var canonicalJSON: String

    /// Keys a resumed run may change: the schedule's keep resume exact; `world_size` is only
    /// the launch's expectation (a run resumed on another world size continues, not bit-exact).
    public static let scheduleOnlyKeys: Set<String> = ["training.max_steps", "training.max_epochs", "training.log_every", "training.checkpoint_every",
                                                          "training.keep_checkpoints", "world_size"]

    /// The model the config describes: the stacked levels in `order`, then the others in task
    /// order.
    public var modelSettings: HierarchicalModel.Settings {
        var settings = HierarchicalModel.Settings()
        settings.embedder = embedder
        let others = tasks.keys.sorted().filter { !LevelKinds.kind(of: $0).isStacked }
        settings.levels = (taggingOrder + others).map { LevelKinds.kind(of: $0).levelSettings(of: $0, tasks[$0]!) }
        settings.frozen.embedder = !embedderTraining.trainable
        settings.frozen.embedderDropout = embedderTraining.dropoutWhenFrozen
        settings.frozen.levels = Set(tasks.keys.filter { !tasks[$0]!.training.trainable })
        settings.frozen.levelsWithoutDropout = Set(tasks.keys.filter { !tasks[$0]!.training.dropoutWhenFrozen })
        return settings
    }

    /// FNV-1a of the canonical JSON: equal on every rank iff the configs are equal.
    public var fingerprint: UInt64 { FNV1a.hash(canonicalJSON) }

    /// Where the config came from: what its errors name, and what its relative paths were
    /// resolved against (`ConfigOrigin`; a checkpoint records `origin.file`).
    public var origin: ConfigOrigin
    /// Every path-valued key, as written and as resolved, in reading order.
    public var paths: [ConfigPath]

    /// Reads the config file at `path`, applies `overrides` and validates; relative paths
    /// resolve against the file's folder, and errors start with `path` as given.
    public static func load(path: String, overrides: [String] = []) throws -> RunConfig {
        try RunConfig(json: try ConfigObject.read(path: path), origin: ConfigOrigin(configFile: path), overrides: overrides)
    }

    /// Parses a decoded config (a file's, or the one a checkpoint stores) after applying
    /// `overrides` ("a.b.c=value", the value parsed as JSON when it parses, else taken as a
    /// string). Relative paths resolve by `origin`'s rule; an error names the override that
    /// set the offending key, else `origin.name`.
    public init(json: [String: Any], origin: ConfigOrigin, overrides: [String] = []) throws {
        var root = json
        for o in overrides { try Self.apply(override: o, to: &root) }
        do {
            self = try RunConfig(parsing: root, origin: origin)
        } catch var error as ConfigError {
            error.source = origin.name
            throw Self.blame(error, on: overrides)
        }
    }

    /// A config built in code (tests, tools); relative paths resolve against `baseDirectory`.
    public init(json root: [String: Any], baseDirectory: URL?) throws {
        try self.init(json: root, origin: ConfigOrigin(name: "config", directory: baseDirectory))
    }

    private init(parsing root: [String: Any], origin: ConfigOrigin) throws {
        self.origin = origin
        var files = ConfigPathReader(origin: origin)
        try ConfigStrings.check(root)
        var top = ConfigObject(root, path: "")
        seed = UInt64(try top.int("seed", default: 1, range: 0...Int(Int32.max)))
        expectedWorldSize = try top.optionalInt("world_size", range: 1...1_000_000)

        var e = try top.object("embedder") ?? ConfigObject([:], path: "embedder")
        embedder = Embedder.Settings()
        embedder.wordDimension = try e.int("word_dim", default: 50, range: 1...4096)
        embedder.charDimension = try e.int("char_dim", default: 16, range: 1...1024)
        embedder.charFilters = try e.int("char_filters", default: 64, range: 1...4096)
        embedder.charDropout = Float(try e.double("char_dropout", default: 0.1, range: 0...0.95))
        if var c = try e.object("contextual") {
            embedder.contextual = Embedder.ContextualSettings(
                layers: try c.int("layers", default: 3, range: 1...64),
                dimension: try c.int("dim", default: 1024, range: 1...65_536),
                dropout: Float(try c.double("dropout", default: 0, range: 0...0.95)))
            try c.finish()
        }
        glove = try files.optionalPath("glove", of: &e)
        embedderTraining = try BlockTraining.read(&e)
        try e.finish()

        let known = LevelKinds.byTask.keys.sorted()
        let taskNames = known.map(\.rawValue).joined(separator: ", ")
        guard var t = try top.object("tasks") else { throw ConfigError(path: "tasks", message: "missing; expected an object with at least one of \(taskNames)") }
        var tasks: [Task: TaskConfig] = [:]
        // A name the registry lacks is a new tagging level when it says so or `order` stacks it.
        let ordered = top.entries.first { $0.key == "order" }?.value as? [String] ?? []
        let added = t.entries.filter { entry in
            LevelKinds.byTask[Task(rawValue: entry.key)] == nil
                && ((entry.value as? [String: Any])?["kind"] as? String == TaggingKind.name || ordered.contains(entry.key))
        }
        for task in known + added.map({ Task(rawValue: $0.key) }) {
            guard var o = try t.object(task.rawValue) else { continue }
            _ = try o.string("kind", default: LevelKinds.kind(of: task).name, oneOf: [LevelKinds.kind(of: task).name])
            tasks[task] = try RunConfig.taskConfig(task, &o, contextual: embedder.contextual != nil, files: &files)
            try o.finish()
        }
        try t.finish()
        guard !tasks.isEmpty else { throw ConfigError(path: "tasks", message: "expected at least one of \(taskNames)") }
        self.tasks = tasks
        let tagging = tasks.keys.sorted().filter { LevelKinds.kind(of: $0).isStacked }
        let expected = "the configured tagging tasks (\(tagging.map(\.rawValue).joined(separator: ", "))) once each, bottom-up"
        if let names = try top.stringArray("order") {
            let order = names.map(Task.init(rawValue:))
            guard order.sorted() == tagging.sorted() else {
                throw ConfigError(path: "order", message: "expected \(expected), got \(names)")
            }
            taggingOrder = order
        } else {
            taggingOrder = tagging
        }

        var s = try top.object("training") ?? ConfigObject([:], path: "training")
        schedule = TrainingSchedule()
        schedule.maxSteps = try s.int("max_steps", default: 1000, range: 1...1_000_000_000)
        schedule.maxEpochs = try s.optionalInt("max_epochs", range: 1...1_000_000)
        schedule.learningRate = try s.double("learning_rate", default: 1e-3, range: 0...10, openLower: true)
        schedule.beta1 = try s.double("beta1", default: 0.9, range: 0...0.999999)
        schedule.beta2 = try s.double("beta2", default: 0.999, range: 0...0.999999999)
        schedule.epsilon = try s.double("epsilon", default: 1e-8, range: 0...1, openLower: true)
        schedule.gradientClip = try s.double("gradient_clip", default: 10, range: 0...1e9, openLower: true)
        schedule.gradientNorm = try s.double("gradient_norm", default: 5, range: 0...1e9, openLower: true)
        schedule.logEvery = try s.int("log_every", default: 20, range: 1...1_000_000_000)
        schedule.validateEvery = try s.optionalInt("validate_every", range: 1...1_000_000_000)
        schedule.checkpointEvery = try s.int("checkpoint_every", default: 100, range: 1...1_000_000_000)
        schedule.keepCheckpoints = try s.int("keep_checkpoints", default: 3, range: 1...1_000_000)
        schedule.patience = try s.int("patience", default: 10, range: 1...1_000_000)
        schedule.stallTimeout = try s.double("stall_timeout", default: 300, range: 0...1e9, openLower: true)
        schedule.maxConsecutiveSkips = try s.int("max_skipped_steps", default: 5, range: 1...1_000_000)
        schedule.overlapReduction = try s.bool("overlap_reduction", default: true)
        schedule.bucketKiB = try s.int("bucket_kb", default: 128, range: 1...1_048_576)
        schedule.learningRateFactor = try s.double("lr_factor", default: 0.5, range: 0...1, openLower: true)
        schedule.learningRatePatience = try s.int("lr_patience", default: 5, range: 0...1_000_000)
        schedule.learningRateThreshold = try s.double("lr_threshold", default: 1e-4, range: 0...1)
        schedule.minimumLearningRate = try s.double("min_lr", default: 1e-7, range: 0...10)
        schedule.sampling = TaskSampling(rawValue: try s.string("sampling", default: "batches", oneOf: TaskSampling.allCases.map(\.rawValue)))!
        try s.finish()
        if var debug = try top.object("debug") {
            faultInjection.nanSteps = Set(try debug.intArray("nan_steps", range: 0...1_000_000_000) ?? [])
            faultInjection.nanRank = try debug.int("nan_rank", default: 0, range: 0...1_000_000)
            faultInjection.desyncStep = try debug.optionalInt("desync_step", range: 0...1_000_000_000)
            faultInjection.desyncRank = try debug.int("desync_rank", default: 0, range: 0...1_000_000)
            faultInjection.slowStepMilliseconds = try debug.int("slow_step_ms", default: 0, range: 0...3_600_000)
            verifyCollectives = try debug.bool("verify_collectives", default: false)
            try debug.finish()
        }
        try top.finish()
        paths = files.paths

        let canonical = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
        canonicalJSON = String(decoding: canonical, as: UTF8.self)
    }

    private static func taskConfig(_ task: Task, _ o: inout ConfigObject, contextual: Bool, files: inout ConfigPathReader) throws -> TaskConfig {
        guard var d = try o.object("data") else { throw ConfigError(path: "\(o.path).data", message: "missing; expected an object with \"format\"") }
        let kind = LevelKinds.kind(of: task)
        let allowed = kind.formats(for: task).map(\.rawValue)
        let format = DataSource.Format(rawValue: try d.string("format", oneOf: allowed))!
        var source = DataSource(format: format)
        switch format {
        case .demo:
            source.documents = try d.int("documents", default: 200, range: 10...1_000_000)
            source.demoSeed = UInt64(try d.int("seed", default: 1, range: 0...Int(Int32.max)))
        case .litbank:
            source.train = try files.path("directory", of: &d)
        case .conll2003, .conll04, .conll2012, .dygie, .columns:
            source.train = try files.path("train", of: &d)
            source.dev = try files.path("dev", of: &d)
            source.test = try files.optionalPath("test", of: &d) ?? ""
            if format == .conll2003 { source.tagScheme = try d.string("tag_scheme", default: "iob1", oneOf: ["iob1", "iob2"]) }
        }
        if format == .columns { source.columns = try columnFormat(&d, task: task) }
        if format == .litbank, kind.isStacked { source.entityColumn = try d.int("layer", default: 1, range: 1...4) }
        source.contextual = try contextualPaths(&d, required: contextual, hasTest: source.hasTest, files: &files)
        try d.finish()

        var config = TaskConfig(data: source, batchSize: 1)
        config.training = try BlockTraining.read(&o)
        try kind.readSettings(&o, into: &config)
        return config
    }

    /// `data.contextual`: required exactly when `embedder.contextual` is set, with a file for
    /// every split the corpus has (every split is evaluated or trained on).
    private static func contextualPaths(_ d: inout ConfigObject, required: Bool, hasTest: Bool, files: inout ConfigPathReader) throws -> ContextualPaths? {
        let splits = hasTest ? "train, dev and test" : "train and dev"
        guard var c = try d.object("contextual") else {
            guard !required else {
                throw ConfigError(path: "\(d.path).contextual", message: "missing; embedder.contextual is set, so every task needs an object with the HDF5 feature files of its \(splits) splits")
            }
            return nil
        }
        guard required else { throw ConfigError(path: c.path, message: "embedder.contextual is not set; add it (layers, dim) or remove this key") }
        var paths = ContextualPaths(train: try files.path("train", of: &c), dev: try files.path("dev", of: &c))
        if hasTest {
            paths.test = try files.path("test", of: &c)
        } else if c.has("test") {
            throw ConfigError(path: "\(c.path).test", message: "the corpus has no test split")
        }
        try c.finish()
        return paths
    }

    static func encoder(_ o: inout ConfigObject, hidden: Int, layers: Int, dropout: Double) throws -> BiLSTMSettings {
        let settings = BiLSTMSettings(hiddenSize: try o.int("hidden", default: hidden, range: 1...4096),
                                      layers: try o.int("layers", default: layers, range: 1...16),
                                      dropout: Float(try o.double("dropout", default: dropout, range: 0...0.95)))
        try o.finish()
        return settings
    }

    /// Writes one `--set key.path=value` into `root`; its errors name the override.
    static func apply(override: String, to root: inout [String: Any]) throws {
        func failure(_ path: String, _ message: String) -> ConfigError { ConfigError(source: "--set \(override)", path: path, message: message) }
        guard let keys = overrideKeys(override) else { throw failure("", "expected key.path=value") }
        guard !keys.contains("") else { throw failure("", "empty key in the path") }
        let text = String(override[override.index(after: override.firstIndex(of: "=")!)...])
        let value: Any = (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
        func set(_ dict: inout [String: Any], _ path: ArraySlice<String>) throws {
            let key = path.first!
            if path.count == 1 { dict[key] = value; return }
            var child: [String: Any]
            switch dict[key] {
            case nil, is NSNull: child = [:]
            case let d as [String: Any]: child = d
            default: throw failure(keys.prefix(keys.count - path.count + 1).joined(separator: "."), "not an object, cannot set \(path.dropFirst().joined(separator: "."))")
            }
            try set(&child, path.dropFirst())
            dict[key] = child
        }
        try set(&root, keys[...])
    }

    /// The dotted key of `key.path=value`, split (empty parts kept, to be refused); nil
    /// without a key and an '='.
    private static func overrideKeys(_ override: String) -> [String]? {
        guard let eq = override.firstIndex(of: "="), eq != override.startIndex else { return nil }
        return override[..<eq].split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    /// `error` blamed on the last override that wrote its key, a parent of it (an object
    /// holding it) or a child of it (the key that made it unknown): `--set key=value: message`,
    /// with the key path kept when it is not the override's own.
    private static func blame(_ error: ConfigError, on overrides: [String]) -> ConfigError {
        let path = error.path.split(separator: ".").map(String.init)
        for override in overrides.reversed() {
            guard let keys = overrideKeys(override) else { continue }
            let shared = min(keys.count, path.count)
            guard shared > 0, Array(keys.prefix(shared)) == Array(path.prefix(shared)) else { continue }
            return ConfigError(source: "--set \(override)", path: keys == path ? "" : error.path, message: error.message)
        }
        return error
    }
}
