import Foundation

/// Checkpoint files in a run directory: `ckpt-<step>.h5` plus a `latest` marker holding the
/// newest one's file name.
///
/// A crash at any point leaves the previous `latest` checkpoint intact: the new file is
/// complete and on disk before it gets its final name, and the marker is replaced atomically
/// only after that. A stale `*.tmp` from a crash is simply overwritten by the next write.
public enum CheckpointStore {
    public static let markerName = "latest"

    public static func fileName(step: Int) -> String { "ckpt-\(step).h5" }

    /// Writes `ckpt-<step>.h5.tmp` in `directory` (created if needed), fsyncs it, renames it to
    /// `ckpt-<step>.h5`, fsyncs the directory, then atomically rewrites the `latest` marker
    /// (write `latest.tmp`, fsync, rename, fsync the directory). Returns the final URL.
    @discardableResult
    public static func write(_ contents: CheckpointContents, to directory: URL) throws -> URL {
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
            let file = try HDF5File.create(temporary)
            try CheckpointSchema.write(contents, to: file)
            try file.close()
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
    /// an hmtl checkpoint, of an unsupported version, or lacks a required object.
    public static func read(_ url: URL) throws -> CheckpointContents {
        let file = try open(url)
        let contents = try CheckpointSchema.read(from: file)
        try file.close()
        return contents
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

    private static func open(_ url: URL) throws -> HDF5File {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw CheckpointError(file: url.path, reason: .missingFile)
        }
        guard try HDF5File.isHDF5(url) else { throw CheckpointError(file: url.path, reason: .notHDF5) }
        let file = try HDF5File.openReadOnly(url)
        try CheckpointSchema.validate(file)
        return file
    }
}
