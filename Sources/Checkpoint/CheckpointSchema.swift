/// The versioned HDF5 layout of a checkpoint (docs/design.md, "Checkpoints"):
/// ```
/// /                   attrs format="hmtl-checkpoint", format_version=5, step, world_size,
///                           seed, config (JSON text), created_by, config_file (from
///                           version 4, when the config came from a file),
///                           vectors_file, vectors_bytes, vectors_checksum (from version 5,
///                           when the run read embedder.glove; see `VectorsFileRecord`),
///                           init_from, init_from_checksum, frozen (from version 6, in a
///                           run started --init-from; frozen: names joined by ", "),
///                           checksum, checksum_algorithm (see `CheckpointChecksum`)
/// /params/<name>      float32, shape as the parameter (a name's '/' parts are nested groups)
/// /optimizer/<task>   attrs step, learning_rate; float32 datasets m/<name> and v/<name>
/// /sampler            int64, attr draws
/// /rng/<name>         int64
/// /data/<task>        attrs epoch, position, global_batch (from version 3)
/// /vocab/<namespace>  variable-length UTF-8 strings, in index order
/// /metrics/<task>     attrs best_score, best_step, bad_epochs, out_of_patience (0/1),
///                     plateau_best, plateau_bad_epochs;
///                     float64 dataset history
/// ```
/// HDF5 lists a group's links alphabetically, so every ordered collection stored under a
/// group `G` (`/params`, `/optimizer`, `/optimizer/<task>/m`, `/data`, ...) has a sibling
/// string dataset `G_order` listing its names in order; reading follows it, so lists come
/// back exactly as written. Generator states and the seed are `UInt64` stored as `Int64`
/// bit patterns (HDF5 tools and h5py handle signed 64-bit integers everywhere).
/// Integers are int64, reals float64.
///
/// Reading checks every dataset's declared extent against the schema (its rank; a moment's
/// shape against its parameter's) and against the file's size before allocating anything
/// for it, then verifies the checksum, so a damaged file is an error naming the object.
enum CheckpointSchema {
    static let format = "hmtl-checkpoint"
    /// Version 2 added the checksum; version 1 files (without one) are still read, unverified.
    /// Version 3 added each task's global batch, for resuming on another world size.
    /// Version 4 added `config_file`, which the checksum covers: a version 3 reader would
    /// report such a file as corrupted, so the version says instead that it is newer.
    /// Version 5 added the vectors file record, for the same reason; version 6 the origin.
    static let version: Int64 = 6
    static let readableVersions: ClosedRange<Int64> = 1...6
    /// Parameters and moments have at most this many dimensions (the model's have up to 3).
    static let maxRank = 8

    /// Fails unless the root says this is an hmtl checkpoint of a version this build reads;
    /// returns that version.
    @discardableResult
    static func validate(_ file: HDF5File) throws -> Int64 {
        let found = try file.hasAttribute("format") ? try? file.stringAttribute("format") : nil
        guard found == format else {
            throw CheckpointError(file: file.url.path, reason: .wrongFormat(found: found))
        }
        let version = try file.attribute("format_version", as: Int64.self)
        guard readableVersions.contains(version) else {
            throw CheckpointError(file: file.url.path, reason: .unsupportedVersion(found: version))
        }
        return version
    }

    static func write(_ contents: CheckpointContents, to file: HDF5File) throws {
        try file.setAttribute("format", format)
        try file.setAttribute("format_version", version)
        try file.setAttribute("step", Int64(contents.step))
        try file.setAttribute("world_size", Int64(contents.worldSize))
        try file.setAttribute("seed", Int64(bitPattern: contents.seed))
        try file.setAttribute("config", contents.config)
        try file.setAttribute("created_by", contents.createdBy)
        if let configFile = contents.configFile { try file.setAttribute("config_file", configFile) }
        if let vectors = contents.vectorsFile {
            try file.setAttribute("vectors_file", vectors.file)
            try file.setAttribute("vectors_bytes", Int64(vectors.byteCount))
            try file.setAttribute("vectors_checksum", Int64(bitPattern: vectors.checksum))
        }
        if let origin = contents.origin {
            try file.setAttribute("init_from", origin.file)
            try file.setAttribute("init_from_checksum", Int64(bitPattern: origin.checksum))
            try file.setAttribute("frozen", origin.frozen.joined(separator: ", "))
        }
        try file.setAttribute("checksum_algorithm", CheckpointChecksum.algorithm)
        try file.setAttribute("checksum", Int64(bitPattern: CheckpointChecksum.of(contents)))

        try writeArrays(contents.parameters, group: "/params", to: file)
        try writeOrdered(contents.optimizers, key: \.task, group: "/optimizer", to: file) { state, path in
            try file.createGroup(path)
            try file.setAttribute("step", Int64(state.step), on: path)
            try file.setAttribute("learning_rate", state.learningRate, on: path)
            try writeArrays(state.m, group: path + "/m", to: file)
            try writeArrays(state.v, group: path + "/v", to: file)
        }
        try file.write(bitPatterns(contents.samplerState), shape: [contents.samplerState.count], at: "/sampler")
        try file.setAttribute("draws", Int64(contents.samplerDraws), on: "/sampler")
        try writeUnordered(contents.rngStates, group: "/rng", to: file) { state, path in
            try file.write(bitPatterns(state), shape: [state.count], at: path)
        }
        try writeOrdered(contents.data, key: \.task, group: "/data", to: file) { position, path in
            try file.createGroup(path)
            try file.setAttribute("epoch", Int64(position.epoch), on: path)
            try file.setAttribute("position", Int64(position.position), on: path)
            if let globalBatch = position.globalBatch { try file.setAttribute("global_batch", Int64(globalBatch), on: path) }
        }
        try writeUnordered(contents.vocabularies, group: "/vocab", to: file) { entries, path in
            try file.write(entries, at: path)
        }
        try writeOrdered(contents.progress, key: \.task, group: "/metrics", to: file) { progress, path in
            try file.createGroup(path)
            try file.setAttribute("best_score", progress.bestScore, on: path)
            try file.setAttribute("best_step", Int64(progress.bestStep), on: path)
            try file.setAttribute("bad_epochs", Int64(progress.badEpochs), on: path)
            try file.setAttribute("out_of_patience", Int64(progress.outOfPatience ? 1 : 0), on: path)
            try file.setAttribute("plateau_best", progress.plateauBest, on: path)
            try file.setAttribute("plateau_bad_epochs", Int64(progress.plateauBadEpochs), on: path)
            try file.write(progress.history, shape: [progress.history.count], at: path + "/history")
        }
    }

    /// Reads a file that passed `validate` (which returned `version`) and, from version 2 on,
    /// verifies its checksum.
    static func read(from file: HDF5File, version: Int64) throws -> CheckpointContents {
        let contents = try decode(file, version: version)
        if version >= 2 { try verifyChecksum(of: contents, in: file) }
        return contents
    }

    private static func decode(_ file: HDF5File, version: Int64) throws -> CheckpointContents {
        func int(_ name: String, of path: String = "/") throws -> Int {
            Int(try file.attribute(name, of: path, as: Int64.self))
        }
        func states(at path: String) throws -> [UInt64] {
            try checkExtent(of: path, rank: 1...1, in: file)
            return try file.read(Int64.self, at: path).values.map { UInt64(bitPattern: $0) }
        }
        func history(at path: String) throws -> [Double] {
            try checkExtent(of: path, rank: 1...1, in: file)
            return try file.read(Double.self, at: path).values
        }
        let parameters = try readArrays(group: "/params", from: file)
        let parameterShapes = Dictionary(parameters.map { ($0.name, $0.shape) }, uniquingKeysWith: { a, _ in a })
        return CheckpointContents(
            step: try int("step"),
            worldSize: try int("world_size"),
            seed: UInt64(bitPattern: try file.attribute("seed", as: Int64.self)),
            config: try file.stringAttribute("config"),
            createdBy: try file.stringAttribute("created_by"),
            parameters: parameters,
            optimizers: try readOrdered(group: "/optimizer", from: file) { task, path in
                OptimizerState(task: task, step: try int("step", of: path),
                               learningRate: try file.attribute("learning_rate", of: path, as: Double.self),
                               m: try readArrays(group: path + "/m", shapes: parameterShapes, from: file),
                               v: try readArrays(group: path + "/v", shapes: parameterShapes, from: file))
            },
            samplerState: try states(at: "/sampler"),
            samplerDraws: try int("draws", of: "/sampler"),
            rngStates: try readUnordered(group: "/rng", from: file) { path in try states(at: path) },
            data: try readOrdered(group: "/data", from: file) { task, path in
                DataPosition(task: task, epoch: try int("epoch", of: path), position: try int("position", of: path),
                             globalBatch: version >= 3 ? try int("global_batch", of: path) : nil)
            },
            vocabularies: try readUnordered(group: "/vocab", from: file) { path in
                try checkExtent(of: path, rank: 1...1, in: file)
                return try file.readStrings(at: path)
            },
            progress: try readOrdered(group: "/metrics", from: file) { task, path in
                TaskProgress(task: task, bestScore: try file.attribute("best_score", of: path, as: Double.self),
                             bestStep: try int("best_step", of: path), badEpochs: try int("bad_epochs", of: path),
                             outOfPatience: try int("out_of_patience", of: path) != 0,
                             history: try history(at: path + "/history"),
                             // Absent in checkpoints written before the plateau schedule existed.
                             plateauBest: try file.hasAttribute("plateau_best", on: path)
                                 ? file.attribute("plateau_best", of: path, as: Double.self) : -.infinity,
                             plateauBadEpochs: try file.hasAttribute("plateau_bad_epochs", on: path) ? int("plateau_bad_epochs", of: path) : 0)
            },
            configFile: try file.hasAttribute("config_file") ? file.stringAttribute("config_file") : nil,
            vectorsFile: try version >= 5 && file.hasAttribute("vectors_file")
                ? VectorsFileRecord(file: file.stringAttribute("vectors_file"), byteCount: int("vectors_bytes"),
                                    checksum: UInt64(bitPattern: file.attribute("vectors_checksum", as: Int64.self)))
                : nil,
            origin: try version >= 6 && file.hasAttribute("init_from")
                ? CheckpointOrigin(file: file.stringAttribute("init_from"),
                                   checksum: UInt64(bitPattern: file.attribute("init_from_checksum", as: Int64.self)),
                                   frozen: file.stringAttribute("frozen").split(separator: ", ").map(String.init))
                : nil)
    }

    // MARK: Collections

    private static func writeArrays(_ arrays: [NamedArray], group: String, to file: HDF5File) throws {
        try writeOrdered(arrays, key: \.name, nested: true, group: group, to: file) { array, path in
            try file.write(array.values, shape: array.shape, at: path)
        }
    }

    /// Reads the arrays of `group`; with `shapes` (the parameters'), each must be the moment
    /// of a parameter and have its shape.
    private static func readArrays(group: String, shapes: [String: [Int]]? = nil, from file: HDF5File) throws -> [NamedArray] {
        try readOrdered(group: group, from: file) { name, path in
            let shape = try checkExtent(of: path, rank: 0...maxRank, in: file)
            if let shapes, shape != shapes[name] {
                throw CheckpointError(file: file.url.path, reason: .malformed(object: path, detail: shapes[name].map {
                    "shape \(shape) differs from its parameter's \($0)"
                } ?? "no parameter \(name.debugDescription) for this optimizer moment"))
            }
            let (readShape, values) = try file.read(Float.self, at: path)
            return NamedArray(name: name, shape: readShape, values: values)
        }
    }

    /// Writes each item at `group/<key>` (keys may contain '/' only when `nested`) and the
    /// keys, in order, to `group_order`.
    private static func writeOrdered<Item>(_ items: [Item], key: (Item) -> String, nested: Bool = false,
                                           group: String, to file: HDF5File,
                                           _ writeItem: (Item, _ path: String) throws -> Void) throws {
        try file.createGroup(group)
        let keys = items.map(key)
        for (item, key) in zip(items, keys) {
            try checkName(key, nested: nested, in: file)
            try writeItem(item, "\(group)/\(key)")
        }
        try file.write(keys, at: group + "_order")
    }

    /// Names listed twice would read one object twice: the writer never lists one twice.
    private static func readOrdered<Item>(group: String, from file: HDF5File,
                                          _ readItem: (_ key: String, _ path: String) throws -> Item) throws -> [Item] {
        let orderPath = group + "_order"
        try checkExtent(of: orderPath, rank: 1...1, in: file)
        let keys = try file.readStrings(at: orderPath)
        var seen = Set<String>()
        if let repeated = keys.first(where: { !seen.insert($0).inserted }) {
            throw CheckpointError(file: file.url.path, reason: .malformed(object: orderPath, detail: "lists \(repeated.debugDescription) twice"))
        }
        return try keys.map { try readItem($0, "\(group)/\($0)") }
    }

    /// Writes a dictionary in key order, so equal contents give identical files.
    private static func writeUnordered<Value>(_ values: [String: Value], group: String, to file: HDF5File,
                                              _ writeValue: (Value, _ path: String) throws -> Void) throws {
        try file.createGroup(group)
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try checkName(key, nested: false, in: file)
            try writeValue(value, "\(group)/\(key)")
        }
    }

    private static func readUnordered<Value>(group: String, from file: HDF5File,
                                             _ readValue: (_ path: String) throws -> Value) throws -> [String: Value] {
        var values: [String: Value] = [:]
        for key in try file.children(of: group) { values[key] = try readValue("\(group)/\(key)") }
        return values
    }

    /// HDF5 would silently merge "a//b" into "a/b" and treats "." and ".." specially, which
    /// would break the round trip; such names are refused.
    private static func checkName(_ name: String, nested: Bool, in file: HDF5File) throws {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." }), nested || parts.count == 1 else {
            throw CheckpointError(file: file.url.path, reason: .invalidName(name))
        }
    }

    /// The shape of the dataset at `path`, after checking it has a rank in `rank` and that
    /// its declared size fits in the file — before anything is allocated for it.
    @discardableResult
    private static func checkExtent(of path: String, rank: ClosedRange<Int>, in file: HDF5File) throws -> [Int] {
        try checkExtent(try file.extent(of: path), of: path, rank: rank, file: file.url.path, fileSize: file.byteSize)
    }

    static func checkExtent(_ extent: DatasetExtent, of path: String, rank: ClosedRange<Int>,
                            file: String, fileSize: Int) throws -> [Int] {
        func malformed(_ detail: String) -> CheckpointError { CheckpointError(file: file, reason: .malformed(object: path, detail: detail)) }
        guard rank.contains(extent.dimensions.count) else {
            let expected = rank.count == 1 ? "\(rank.lowerBound)" : "\(rank.lowerBound) to \(rank.upperBound)"
            throw malformed("rank \(extent.dimensions.count), expected \(expected)")
        }
        if let problem = extent.problem(fileSize: fileSize) { throw malformed(problem) }
        return extent.shape!
    }

    private static func verifyChecksum(of contents: CheckpointContents, in file: HDF5File) throws {
        func malformed(_ attribute: String, _ detail: String) -> CheckpointError {
            CheckpointError(file: file.url.path, reason: .malformed(object: "/@" + attribute, detail: detail))
        }
        guard try file.hasAttribute("checksum"), try file.hasAttribute("checksum_algorithm") else {
            throw malformed("checksum", "missing (format_version \(version) files carry checksum and checksum_algorithm)")
        }
        let algorithm = try file.stringAttribute("checksum_algorithm")
        guard algorithm == CheckpointChecksum.algorithm else {
            throw malformed("checksum_algorithm", "unknown algorithm \(algorithm.debugDescription) (this build computes \(CheckpointChecksum.algorithm.debugDescription))")
        }
        let stored = UInt64(bitPattern: try file.attribute("checksum", as: Int64.self))
        let computed = CheckpointChecksum.of(contents)
        guard stored == computed else {
            throw CheckpointError(file: file.url.path, reason: .checksumMismatch(stored: stored, computed: computed))
        }
    }

    private static func bitPatterns(_ states: [UInt64]) -> [Int64] { states.map { Int64(bitPattern: $0) } }
}
