import Random

/// A 64-bit FNV-1a hash of a checkpoint's values, stored as the root attribute `checksum`
/// (an int64 bit pattern) beside `checksum_algorithm = "fnv1a-64"`. HDF5 checks its own
/// metadata only loosely and raw data not at all, so a flipped bit in a parameter, a torn
/// write or a hand-edited file would otherwise load silently; `read` recomputes the hash
/// from what it decoded and refuses a file whose values changed after writing.
///
/// The hash covers the decoded values, not the file's bytes, so it does not depend on how
/// HDF5 lays the file out (and h5py can recompute it). Byte stream, in this order:
/// ```
/// step, world_size, seed, config, created_by
/// params:     count, then per array: name, rank, each dimension, the float32 values
/// optimizer:  count, then per task: task, step, learning_rate, m (as params), v (as params)
/// sampler:    the state (count, words), draws
/// rng:        count, then per name in UTF-8 byte order: name, the state (count, words)
/// data:       count, then per task: task, epoch, position, global_batch (only when present:
///             format_version 3 on)
/// vocab:      count, then per namespace in UTF-8 byte order: namespace, count, each entry
/// metrics:    count, then per task: task, best_score, best_step, bad_epochs,
///             out_of_patience (0/1), plateau_best, plateau_bad_epochs, history (count, values)
/// config_file (only when present: format_version 4 on)
/// vectors:    file, bytes, checksum (only when present: format_version 5 on)
/// origin:     file, checksum, frozen (count, names) (only when present: format_version 6 on)
/// ```
/// Integers (counts too) are 8-byte little-endian two's complement, reals their IEEE-754
/// bits little-endian (4 bytes for float32, 8 for float64), strings their UTF-8 byte count
/// then the bytes. Every list carries its count, so no two different contents give the
/// same byte stream (the optional tails follow a self-delimiting stream, and two tails that
/// start with the same byte count differ in length unless they hold the same fields, so a
/// stream with one never equals one without it). FNV-1a is not cryptographic: it catches
/// accidents, not forgeries.
struct CheckpointChecksum {
    static let algorithm = "fnv1a-64"

    private(set) var value = FNV1a.offsetBasis

    static func of(_ contents: CheckpointContents) -> UInt64 {
        var hash = CheckpointChecksum()
        hash.add(contents)
        return hash.value
    }

    private mutating func add(_ c: CheckpointContents) {
        add(c.step)
        add(c.worldSize)
        add(word: c.seed)
        add(c.config)
        add(c.createdBy)
        add(c.parameters)
        add(c.optimizers.count)
        for o in c.optimizers {
            add(o.task)
            add(o.step)
            add(o.learningRate)
            add(o.m)
            add(o.v)
        }
        add(c.samplerState)
        add(c.samplerDraws)
        add(c.rngStates.count)
        for (name, state) in Self.byteOrder(c.rngStates) {
            add(name)
            add(state)
        }
        add(c.data.count)
        for d in c.data {
            add(d.task)
            add(d.epoch)
            add(d.position)
            if let globalBatch = d.globalBatch { add(globalBatch) }
        }
        add(c.vocabularies.count)
        for (namespace, entries) in Self.byteOrder(c.vocabularies) {
            add(namespace)
            add(entries.count)
            for entry in entries { add(entry) }
        }
        add(c.progress.count)
        for p in c.progress {
            add(p.task)
            add(p.bestScore)
            add(p.bestStep)
            add(p.badEpochs)
            add(p.outOfPatience ? 1 : 0)
            add(p.plateauBest)
            add(p.plateauBadEpochs)
            add(p.history.count)
            for score in p.history { add(score) }
        }
        if let configFile = c.configFile { add(configFile) }
        if let vectors = c.vectorsFile {
            add(vectors.file)
            add(vectors.byteCount)
            add(word: vectors.checksum)
        }
        if let origin = c.origin {
            add(origin.file)
            add(word: origin.checksum)
            add(origin.frozen.count)
            for name in origin.frozen { add(name) }
        }
    }

    private mutating func add(_ arrays: [NamedArray]) {
        add(arrays.count)
        for array in arrays {
            add(array.name)
            add(array.shape.count)
            for dimension in array.shape { add(dimension) }
            add(array.values)
        }
    }

    private mutating func add(_ values: [Float]) {
        #if _endian(little)
        values.withUnsafeBytes { add(bytes: $0) }
        #else
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { add(bytes: $0) } }
        #endif
    }

    private mutating func add(_ words: [UInt64]) {
        add(words.count)
        for word in words { add(word: word) }
    }

    private mutating func add(_ text: String) {
        add(text.utf8.count)
        var text = text
        text.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    private mutating func add(_ value: Int) { add(word: UInt64(bitPattern: Int64(value))) }

    private mutating func add(_ value: Double) { add(word: value.bitPattern) }

    private mutating func add(word: UInt64) {
        withUnsafeBytes(of: word.littleEndian) { add(bytes: $0) }
    }

    mutating func add(bytes: UnsafeRawBufferPointer) {
        value = FNV1a.hash(bytes: bytes, into: value)
    }

    /// h5py and other tools list names in byte order; Swift's `<` on strings is not that.
    private static func byteOrder<Value>(_ dictionary: [String: Value]) -> [(key: String, value: Value)] {
        dictionary.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
    }
}
