// Everything a run needs to resume bit-for-bit, as plain values (no Tensor dependency): the
// trainer fills it from its arena, optimizers, samplers and vocabularies, and `CheckpointStore`
// maps it to and from the HDF5 layout of `CheckpointSchema`.

/// A row-major Float32 array with a stable path-like name such as `ner/encoder/l0/fwd/w_ih`.
public struct NamedArray: Sendable, Equatable {
    public var name: String
    public var shape: [Int]
    public var values: [Float]

    public init(name: String, shape: [Int], values: [Float]) {
        precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
        self.name = name
        self.shape = shape
        self.values = values
    }
}

/// One task's Adam state: `m`/`v` moments for the parameters that task updates.
public struct OptimizerState: Sendable, Equatable {
    public var task: String
    public var step: Int
    public var learningRate: Double
    public var m: [NamedArray]
    public var v: [NamedArray]

    public init(task: String, step: Int, learningRate: Double, m: [NamedArray], v: [NamedArray]) {
        self.task = task
        self.step = step
        self.learningRate = learningRate
        self.m = m
        self.v = v
    }
}

/// Where a task's data stream stands: `position` counts examples of the epoch's global
/// (all-rank) order already consumed, so it is independent of the world size's sharding.
/// `globalBatch` is the all-rank batch that cut that order into batches: a run resumed on
/// another world size keeps it, so it walks the same batches. nil only in files before
/// format_version 3 (their global batch is the config's batch size × world_size).
public struct DataPosition: Sendable, Equatable {
    public var task: String
    public var epoch: Int
    public var position: Int
    public var globalBatch: Int?

    public init(task: String, epoch: Int, position: Int, globalBatch: Int?) {
        self.task = task
        self.epoch = epoch
        self.position = position
        self.globalBatch = globalBatch
    }
}

/// Early-stopping bookkeeping of one task and its validation-score history.
public struct TaskProgress: Sendable, Equatable {
    public var task: String
    public var bestScore: Double
    public var bestStep: Int
    public var badEpochs: Int
    public var outOfPatience: Bool
    public var history: [Double]
    /// The learning-rate plateau schedule: its reference score and validations since.
    public var plateauBest: Double = -.infinity
    public var plateauBadEpochs = 0

    public init(task: String, bestScore: Double, bestStep: Int, badEpochs: Int, outOfPatience: Bool, history: [Double],
                plateauBest: Double = -.infinity, plateauBadEpochs: Int = 0) {
        self.plateauBest = plateauBest
        self.plateauBadEpochs = plateauBadEpochs
        self.task = task
        self.bestScore = bestScore
        self.bestStep = bestStep
        self.badEpochs = badEpochs
        self.outOfPatience = outOfPatience
        self.history = history
    }
}

/// The word-vector file a run read (`embedder.glove`): its path as the config wrote it, its
/// size and the 64-bit FNV-1a hash of its bytes. The trainable rows hold what training made of
/// the vocabulary's vectors; every other word's vector is read from the file again when the
/// checkpoint is used, so the commands that reopen it check they read the same file.
public struct VectorsFileRecord: Sendable, Equatable {
    public var file: String
    public var byteCount: Int
    public var checksum: UInt64

    public init(file: String, byteCount: Int, checksum: UInt64) {
        self.file = file
        self.byteCount = byteCount
        self.checksum = checksum
    }

    /// "N bytes, fnv1a-64 <16 hex digits>", as errors and `checkpoint inspect` show it.
    public var identity: String {
        let hex = String(checksum, radix: 16)
        return "\(byteCount) bytes, fnv1a-64 \(String(repeating: "0", count: 16 - hex.count) + hex)"
    }
}

/// Where a run started with `--init-from` came from: the checkpoint's path as given and its
/// checksum, and the blocks the run kept frozen ("embedder", task names).
public struct CheckpointOrigin: Sendable, Equatable {
    public var file: String
    public var checksum: UInt64
    public var frozen: [String]

    public init(file: String, checksum: UInt64, frozen: [String]) {
        self.file = file
        self.checksum = checksum
        self.frozen = frozen
    }
}

public struct CheckpointContents: Sendable, Equatable {
    public var step: Int
    public var worldSize: Int
    public var seed: UInt64
    /// The run's configuration as JSON text, stored verbatim.
    public var config: String
    public var createdBy: String
    /// In arena order; `read` returns them in the order they were written.
    public var parameters: [NamedArray]
    public var optimizers: [OptimizerState]
    /// The task sampler's generator state and how many tasks it has drawn.
    public var samplerState: [UInt64]
    public var samplerDraws: Int
    /// Other generator states by name (e.g. "dropout").
    public var rngStates: [String: [UInt64]]
    public var data: [DataPosition]
    /// Namespace ("words", "characters", "ner_tags", ...) → entries in index order.
    public var vocabularies: [String: [String]]
    public var progress: [TaskProgress]
    /// The config file the run was trained from (absolute), against whose folder the config's
    /// relative paths resolve; nil for a config that came from no file, and in files before
    /// format_version 4. The config text itself stays as written, so resuming compares what
    /// the user wrote and a project moved with its configs and data keeps comparing equal.
    public var configFile: String?
    /// The run's word-vector file; nil without `embedder.glove`, and in files before
    /// format_version 5.
    public var vectorsFile: VectorsFileRecord?
    /// The checkpoint the run was started from; nil for a run trained from scratch, and in
    /// files before format_version 6.
    public var origin: CheckpointOrigin?

    public init(step: Int, worldSize: Int, seed: UInt64, config: String, createdBy: String,
                parameters: [NamedArray], optimizers: [OptimizerState],
                samplerState: [UInt64], samplerDraws: Int, rngStates: [String: [UInt64]],
                data: [DataPosition], vocabularies: [String: [String]], progress: [TaskProgress], configFile: String? = nil,
                vectorsFile: VectorsFileRecord? = nil, origin: CheckpointOrigin? = nil) {
        self.step = step
        self.worldSize = worldSize
        self.seed = seed
        self.config = config
        self.createdBy = createdBy
        self.parameters = parameters
        self.optimizers = optimizers
        self.samplerState = samplerState
        self.samplerDraws = samplerDraws
        self.rngStates = rngStates
        self.data = data
        self.vocabularies = vocabularies
        self.progress = progress
        self.configFile = configFile
        self.vectorsFile = vectorsFile
        self.origin = origin
    }

    /// The hash the file's `checksum` attribute holds (`CheckpointChecksum`): what names these
    /// contents, e.g. as the origin of a run started from them.
    public var checksum: UInt64 { CheckpointChecksum.of(self) }
}
