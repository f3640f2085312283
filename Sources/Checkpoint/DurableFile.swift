import Foundation

/// The POSIX steps of a crash-safe replace: data reaches the disk (`fsync` of the file)
/// before the name points at it (`rename`, atomic within a directory), and the rename
/// itself is made durable (`fsync` of the directory).
enum DurableFile {
    /// Flushes a file's or a directory's contents and metadata to stable storage.
    static func sync(_ url: URL) throws {
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else { throw failure("open", url) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw failure("fsync", url) }
    }

    /// Atomically replaces `destination` (if any) by `source`.
    static func move(_ source: URL, to destination: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw failure("rename to \(destination.lastPathComponent)", source)
        }
    }

    /// Removes a file; one already gone (another rank got there first) is not an error.
    static func remove(_ url: URL) throws {
        guard unlink(url.path) == 0 || errno == ENOENT else { throw failure("remove", url) }
    }

    private static func failure(_ operation: String, _ url: URL) -> CheckpointError {
        CheckpointError(file: url.path, reason: .io(operation: operation, errno: errno))
    }
}
