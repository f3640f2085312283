import Foundation

/// Checkpoint files in a run directory: `ckpt-<step>.h5` plus a `latest` marker holding the
/// newest one's file name.
///
/// A crash at any point leaves the previous `latest` checkpoint intact: the new file is
/// complete and on disk before it gets its final name, and the marker is replaced atomically
/// only after that — writing the marker is the commit. A stale `*.tmp` from a crash is
/// overwritten by the next write or removed by `latestValid`. Each file carries a checksum
/// of its values, so damage that happens later (a torn copy, bit rot) is caught on `read`.
public enum CheckpointStore {
    public static let markerName = "latest"
    /// How many `ckpt-<step>.h5` files `write(_:to:keep:)` keeps unless told otherwise.
    public static let defaultKeep = 3

    public static func fileName(step: Int) -> String { "ckpt-\(step).h5" }

    /// The step of a `ckpt-<step>.h5` name exactly as `fileName(step:)` spells it, else nil.
    public static func step(ofFileName name: String) -> Int? {
        guard name.hasPrefix("ckpt-"), name.hasSuffix(".h5"),
              let step = Int(name.dropFirst("ckpt-".count).dropLast(".h5".count)), step >= 0,
              fileName(step: step) == name else { return nil }
        return step
    }

    /// Writes `ckpt-<step>.h5.tmp` in `directory` (created if needed), fsyncs it, renames it to
    /// `ckpt-<step>.h5`, fsyncs the directory, then atomically rewrites the `latest` marker
    /// (write `latest.tmp`, fsync, rename, fsync the directory). Once that commit is durable,
    /// removes the checkpoints beyond the newest `keep` (see `prune`). Returns the final URL.
    @discardableResult
    public static func write(_ contents: CheckpointContents, to directory: URL, keep: Int = defaultKeep) throws -> URL {
        precondition(keep >= 1, "keep must be at least 1, got \(keep)")
        let name = fileName(step: contents.step)
        let final = try write(contents, named: name, in: directory)
        let marker = directory.appendingPathComponent(markerName)
        let temporaryMarker = directory.appendingPathComponent(markerName + ".tmp")
        do {
            try Data((name + "\n").utf8).write(to: temporaryMarker)
            try DurableFile.sync(temporaryMarker)
            try DurableFile.move(temporaryMarker, to: marker)
            try DurableFile.sync(directory)
        } catch {
            try? FileManager.default.removeItem(at: temporaryMarker)
            throw error
        }
        try prune(directory, keep: keep, newest: contents.step)
        return final
    }

    /// Writes `name` in `directory` the same crash-safe way (temporary file, fsync, rename,
    /// fsync of the directory) without touching the `latest` marker — e.g. `best-ner.h5`.
    @discardableResult
    public static func write(_ contents: CheckpointContents, named name: String, in directory: URL) throws -> URL {
        let final = directory.appendingPathComponent(name)
        let temporary = directory.appendingPathComponent(name + ".tmp")
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = try HDF5File.create(temporary, userBlockSize: FileSeal.size)
            try CheckpointSchema.write(contents, to: file)
            try file.close()
            try FileSeal.seal(temporary)
            try DurableFile.sync(temporary)
            try DurableFile.move(temporary, to: final)
            try DurableFile.sync(directory)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        return final
    }

    /// Reads and validates a checkpoint: errors name the file if it is missing, not HDF5, not
    /// an hmtl checkpoint, of an unsupported version, lacks a required object, declares an
    /// object that breaks the schema or cannot fit in the file (checked before allocating),
    /// or fails its checksum.
    public static func read(_ url: URL) throws -> CheckpointContents { try readVersioned(url).contents }

    /// `read`, also returning the file's format version (version 1 files carry no checksum).
    static func readVersioned(_ url: URL) throws -> (contents: CheckpointContents, version: Int64) {
        let (file, version) = try open(url)
        let contents = try CheckpointSchema.read(from: file, version: version)
        try file.close()
        return (contents, version)
    }

    /// The checkpoint the `latest` marker names (nil if there is no marker); errors if the
    /// marker names a missing file.
    public static func latest(in directory: URL) throws -> URL? {
        let marker = directory.appendingPathComponent(markerName)
        guard FileManager.default.fileExists(atPath: marker.path) else { return nil }
        let name = try String(contentsOf: marker, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, !name.contains("/"), name != ".", name != ".." else {
            throw CheckpointError(file: marker.path, reason: .badMarker(content: name))
        }
        let target = directory.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: target.path) else {
            throw CheckpointError(file: marker.path, reason: .markerTargetMissing(name))
        }
        return target
    }

    /// The `ckpt-<step>.h5` files of `directory`, highest step first (none if it does not exist).
    static func checkpoints(in directory: URL) throws -> [(step: Int, url: URL)] {
        guard FileManager.default.fileExists(atPath: directory.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .compactMap { name in step(ofFileName: name).map { ($0, directory.appendingPathComponent(name)) } }
            .sorted { $0.step > $1.step }
    }

    private static func open(_ url: URL) throws -> (file: HDF5File, version: Int64) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError(file: url.path, reason: .missingFile)
        }
        // Damaged bytes must not reach HDF5's parser, which may crash or hang on them.
        let sealed = try FileSeal.verify(url)
        guard try HDF5File.isHDF5(url) else { throw CheckpointError(file: url.path, reason: .notHDF5) }
        let file = try HDF5File.openReadOnly(url)
        let version = try CheckpointSchema.validate(file)
        guard sealed || version < 2 else {
            throw CheckpointError(file: url.path, reason: .malformed(object: "user block", detail: "no checkpoint seal (format_version \(version) files carry one)"))
        }
        return (file, version)
    }
}
