/// The versioned HDF5 layout of a checkpoint (DESIGN.md, "Checkpoints"):
/// ```
/// /                   attrs format="hmtl-checkpoint", format_version=1, step, world_size,
///                           seed, config (JSON text), created_by
/// /params/<name>      float32, shape as the parameter (a name's '/' parts are nested groups)
/// /optimizer/<task>   attrs step, learning_rate; float32 datasets m/<name> and v/<name>
/// /sampler            int64, attr draws
/// /rng/<name>         int64
/// /data/<task>        attrs epoch, position
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
enum CheckpointSchema {
    static let format = "hmtl-checkpoint"
    static let version: Int64 = 1

    /// Fails unless the root says this is an hmtl checkpoint of a version this build reads.
    static func validate(_ file: HDF5File) throws {
        let found = try file.hasAttribute("format") ? try? file.stringAttribute("format") : nil
        guard found == format else {
            throw CheckpointError(file: file.url.path, reason: .wrongFormat(found: found))
        }
        let version = try file.attribute("format_version", as: Int64.self)
        guard version == self.version else {
            throw CheckpointError(file: file.url.path, reason: .unsupportedVersion(found: version))
        }
    }

    static func write(_ contents: CheckpointContents, to file: HDF5File) throws {
        try file.setAttribute("format", format)
        try file.setAttribute("format_version", version)
        try file.setAttribute("step", Int64(contents.step))
        try file.setAttribute("world_size", Int64(contents.worldSize))
        try file.setAttribute("seed", Int64(bitPattern: contents.seed))
        try file.setAttribute("config", contents.config)
        try file.setAttribute("created_by", contents.createdBy)

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

    /// Reads a file that passed `validate`.
    static func read(from file: HDF5File) throws -> CheckpointContents {
        func int(_ name: String, of path: String = "/") throws -> Int {
            Int(try file.attribute(name, of: path, as: Int64.self))
        }
        func states(at path: String) throws -> [UInt64] {
            try file.read(Int64.self, at: path).values.map { UInt64(bitPattern: $0) }
        }
        return CheckpointContents(
            step: try int("step"),
            worldSize: try int("world_size"),
            seed: UInt64(bitPattern: try file.attribute("seed", as: Int64.self)),
            config: try file.stringAttribute("config"),
            createdBy: try file.stringAttribute("created_by"),
            parameters: try readArrays(group: "/params", from: file),
            optimizers: try readOrdered(group: "/optimizer", from: file) { task, path in
                OptimizerState(task: task, step: try int("step", of: path),
                               learningRate: try file.attribute("learning_rate", of: path, as: Double.self),
                               m: try readArrays(group: path + "/m", from: file),
                               v: try readArrays(group: path + "/v", from: file))
            },
            samplerState: try states(at: "/sampler"),
            samplerDraws: try int("draws", of: "/sampler"),
            rngStates: try readUnordered(group: "/rng", from: file) { path in try states(at: path) },
            data: try readOrdered(group: "/data", from: file) { task, path in
                DataPosition(task: task, epoch: try int("epoch", of: path), position: try int("position", of: path))
            },
            vocabularies: try readUnordered(group: "/vocab", from: file) { path in try file.readStrings(at: path) },
            progress: try readOrdered(group: "/metrics", from: file) { task, path in
                TaskProgress(task: task, bestScore: try file.attribute("best_score", of: path, as: Double.self),
                             bestStep: try int("best_step", of: path), badEpochs: try int("bad_epochs", of: path),
                             outOfPatience: try int("out_of_patience", of: path) != 0,
                             history: try file.read(Double.self, at: path + "/history").values,
                             // Absent in checkpoints written before the plateau schedule existed.
                             plateauBest: try file.hasAttribute("plateau_best", on: path)
                                 ? file.attribute("plateau_best", of: path, as: Double.self) : -.infinity,
                             plateauBadEpochs: try file.hasAttribute("plateau_bad_epochs", on: path) ? int("plateau_bad_epochs", of: path) : 0)
            })
    }

    // MARK: Collections

    private static func writeArrays(_ arrays: [NamedArray], group: String, to file: HDF5File) throws {
        try writeOrdered(arrays, key: \.name, nested: true, group: group, to: file) { array, path in
            try file.write(array.values, shape: array.shape, at: path)
        }
    }

    private static func readArrays(group: String, from file: HDF5File) throws -> [NamedArray] {
        try readOrdered(group: group, from: file) { name, path in
            let (shape, values) = try file.read(Float.self, at: path)
            return NamedArray(name: name, shape: shape, values: values)
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

    private static func readOrdered<Item>(group: String, from file: HDF5File,
                                          _ readItem: (_ key: String, _ path: String) throws -> Item) throws -> [Item] {
        try file.readStrings(at: group + "_order").map { try readItem($0, "\(group)/\($0)") }
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

    private static func bitPatterns(_ states: [UInt64]) -> [Int64] { states.map { Int64(bitPattern: $0) } }
}
