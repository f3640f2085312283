import Corpus
import Foundation
import Model
import Random

/// Where a task's examples come from.
public struct DataSource: Sendable, Equatable {
    public enum Format: String, Sendable, CaseIterable { case demo, conll2003, conll04, conll2012, litbank, dygie }
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

public struct TaskConfig: Sendable, Equatable {
    public var data: DataSource
    /// Examples per rank per step (sentences; documents for coref): the global batch is world
    /// size × this.
    public var batchSize: Int
    /// The level's settings; only the one matching the task is read.
    public var tagger = CRFTagger.Settings()
    public var relation = RelationLevel.Settings()
    public var coref = CoreferenceLevel.Settings()
}

/// How the task of each step is drawn (spec §8).
public enum TaskSampling: String, Sendable, CaseIterable {
    /// ∝ the task's training batches per epoch (the reference's "proportional").
    case batches
    /// ∝ the task's training examples.
    case examples
    case uniform

    /// The sampler's weight of a task with `examples` training examples cut into global batches
    /// of `globalBatch`; it depends on the global batch, never on the world size.
    func weight(examples: Int, globalBatch: Int) -> Int {
        switch self {
        case .batches: (examples + globalBatch - 1) / globalBatch
        case .examples: examples
        case .uniform: 1
        }
    }
}

public struct TrainingSchedule: Sendable, Equatable {
    public var maxSteps = 1000
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
    public static let scheduleOnlyKeys: Set<String> = ["training.max_steps", "training.log_every", "training.checkpoint_every",
                                                          "training.keep_checkpoints", "world_size"]

    /// The model the config describes.
    public var modelSettings: HierarchicalModel.Settings {
        var settings = HierarchicalModel.Settings()
        settings.embedder = embedder
        settings.taggers = taggingOrder.map { HierarchicalModel.TaggerLevel(task: $0, settings: tasks[$0]!.tagger) }
        settings.coref = tasks[.coref]?.coref
        settings.relation = tasks[.relation]?.relation
        return settings
    }

    /// FNV-1a of the canonical JSON: equal on every rank iff the configs are equal.
    public var fingerprint: UInt64 { FNV1a.hash(canonicalJSON) }

    /// Reads `path`, applies `overrides` ("a.b.c=value", value parsed as JSON when it parses,
    /// else taken as a string), and validates.
    public static func load(path: String, overrides: [String] = []) throws -> RunConfig {
        let url = URL(fileURLWithPath: path)
        let text: String
        do {
            text = try TextFile.contents(of: path)
        } catch {
            throw ConfigError(path: "", message: error.description)
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(text.utf8))
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
        if var c = try e.object("contextual") {
            embedder.contextual = Embedder.ContextualSettings(
                layers: try c.int("layers", default: 3, range: 1...64),
                dimension: try c.int("dim", default: 1024, range: 1...65_536),
                dropout: Float(try c.double("dropout", default: 0, range: 0...0.95)))
            try c.finish()
        }
        glove = try e.optionalString("glove").map { RunConfig.resolve($0, baseDirectory) }
        try e.finish()

        let taskNames = Task.allCases.map(\.rawValue).joined(separator: ", ")
        guard var t = try top.object("tasks") else { throw ConfigError(path: "tasks", message: "missing; expected an object with at least one of \(taskNames)") }
        var tasks: [Task: TaskConfig] = [:]
        for task in Task.allCases {
            guard var o = try t.object(task.rawValue) else { continue }
            tasks[task] = try RunConfig.taskConfig(task, &o, contextual: embedder.contextual != nil, baseDirectory: baseDirectory)
            try o.finish()
        }
        try t.finish()
        guard !tasks.isEmpty else { throw ConfigError(path: "tasks", message: "expected at least one of \(taskNames)") }
        self.tasks = tasks
        let tagging = [Task.ner, .emd].filter { tasks[$0] != nil }
        let expected = "the configured tagging tasks (\(tagging.map(\.rawValue).joined(separator: ", "))) once each, bottom-up"
        if let names = try top.stringArray("order") {
            let order = names.compactMap(Task.init(rawValue:))
            guard order.count == names.count, order.sorted() == tagging.sorted() else {
                throw ConfigError(path: "order", message: "expected \(expected), got \(names)")
            }
            taggingOrder = order
        } else {
            taggingOrder = tagging
        }

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
        schedule.validateEvery = try s.optionalInt("validate_every", range: 1...1_000_000_000)
        schedule.checkpointEvery = try s.int("checkpoint_every", default: 100, range: 1...1_000_000_000)
        schedule.keepCheckpoints = try s.int("keep_checkpoints", default: 3, range: 1...1_000_000)
        schedule.patience = try s.int("patience", default: 10, range: 1...1_000_000)
        schedule.stallTimeout = try s.double("stall_timeout", default: 300, range: 0...1e9, openLower: true)
        schedule.maxConsecutiveSkips = try s.int("max_skipped_steps", default: 5, range: 1...1_000_000)
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

        let canonical = try JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
        canonicalJSON = String(decoding: canonical, as: UTF8.self)
    }

    /// Which data formats carry each task's annotation.
    static let formats: [Task: [DataSource.Format]] = [
        .ner: [.demo, .conll2003, .conll04, .conll2012, .dygie],
        .emd: [.demo, .litbank, .dygie],
        .relation: [.demo, .conll04, .dygie],
        .coref: [.demo, .conll2012, .litbank, .dygie],
    ]

    private static func taskConfig(_ task: Task, _ o: inout ConfigObject, contextual: Bool, baseDirectory: URL?) throws -> TaskConfig {
        guard var d = try o.object("data") else { throw ConfigError(path: "\(o.path).data", message: "missing; expected an object with \"format\"") }
        let allowed = formats[task]!.map(\.rawValue)
        let format = DataSource.Format(rawValue: try d.string("format", oneOf: allowed))!
        var source = DataSource(format: format)
        switch format {
        case .demo:
            source.documents = try d.int("documents", default: 200, range: 10...1_000_000)
            source.demoSeed = UInt64(try d.int("seed", default: 1, range: 0...Int(Int32.max)))
        case .litbank:
            source.train = resolve(try d.string("directory"), baseDirectory)
        case .conll2003, .conll04, .conll2012, .dygie:
            source.train = resolve(try d.string("train"), baseDirectory)
            source.dev = resolve(try d.string("dev"), baseDirectory)
            source.test = try d.optionalString("test").map { resolve($0, baseDirectory) } ?? ""
            if format == .conll2003 { source.tagScheme = try d.string("tag_scheme", default: "iob1", oneOf: ["iob1", "iob2"]) }
        }
        source.contextual = try contextualPaths(&d, required: contextual, hasTest: source.hasTest, baseDirectory: baseDirectory)
        try d.finish()

        var config = TaskConfig(data: source, batchSize: 1)
        switch task {
        case .ner, .emd:
            if var enc = try o.object("encoder") {
                let e = try encoder(&enc, hidden: 64, layers: 2, dropout: 0.2)
                (config.tagger.hiddenSize, config.tagger.layers, config.tagger.encoderDropout) = (e.hiddenSize, e.layers, e.dropout)
            }
            config.tagger.dropout = Float(try o.double("dropout", default: 0.2, range: 0...0.95))
            config.batchSize = try o.int("batch_size", default: 32, range: 1...100_000)
        case .relation:
            if var enc = try o.object("encoder") { config.relation.encoder = try encoder(&enc, hidden: 64, layers: 3, dropout: 0.2) }
            config.relation.scorerSize = try o.int("scorer_size", default: 64, range: 1...4096)
            config.batchSize = try o.int("batch_size", default: 4, range: 1...100_000)
        case .coref:
            if var enc = try o.object("encoder") { config.coref.encoder = try encoder(&enc, hidden: 200, layers: 1, dropout: 0) }
            config.coref.lexicalDropout = Float(try o.double("lexical_dropout", default: 0.5, range: 0...0.95))
            var head = CoreferenceHead.Settings()
            head.featureSize = try o.int("feature_size", default: 20, range: 1...1024)
            head.maxSpanWidth = try o.int("max_span_width", default: 8, range: 1...100)
            head.spansPerWord = try o.double("spans_per_word", default: 0.4, range: 0...10, openLower: true)
            head.maxAntecedents = try o.int("max_antecedents", default: 70, range: 1...10_000)
            head.hiddenSize = try o.int("ffnn_size", default: 150, range: 1...65_536)
            head.hiddenLayers = try o.int("ffnn_layers", default: 2, range: 1...16)
            head.dropout = Float(try o.double("ffnn_dropout", default: 0.3, range: 0...0.95))
            config.coref.head = head
            config.coref.evaluateOnGoldMentions = try o.bool("evaluate_on_gold_mentions", default: false)
            config.batchSize = try o.int("batch_size", default: 1, range: 1...10_000)
        }
        return config
    }

    /// `data.contextual`: required exactly when `embedder.contextual` is set, with a file for
    /// every split the corpus has (every split is evaluated or trained on).
    private static func contextualPaths(_ d: inout ConfigObject, required: Bool, hasTest: Bool, baseDirectory: URL?) throws -> ContextualPaths? {
        let splits = hasTest ? "train, dev and test" : "train and dev"
        guard var c = try d.object("contextual") else {
            guard !required else {
                throw ConfigError(path: "\(d.path).contextual", message: "missing; embedder.contextual is set, so every task needs an object with the HDF5 feature files of its \(splits) splits")
            }
            return nil
        }
        guard required else { throw ConfigError(path: c.path, message: "embedder.contextual is not set; add it (layers, dim) or remove this key") }
        var paths = ContextualPaths(train: resolve(try c.string("train"), baseDirectory), dev: resolve(try c.string("dev"), baseDirectory))
        if hasTest {
            paths.test = resolve(try c.string("test"), baseDirectory)
        } else if c.has("test") {
            throw ConfigError(path: "\(c.path).test", message: "the corpus has no test split")
        }
        try c.finish()
        return paths
    }

    private static func encoder(_ o: inout ConfigObject, hidden: Int, layers: Int, dropout: Double) throws -> BiLSTMSettings {
        let settings = BiLSTMSettings(hiddenSize: try o.int("hidden", default: hidden, range: 1...4096),
                                      layers: try o.int("layers", default: layers, range: 1...16),
                                      dropout: Float(try o.double("dropout", default: dropout, range: 0...0.95)))
        try o.finish()
        return settings
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
