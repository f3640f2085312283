import Foundation

/// A checkpoint that cannot be used, naming the file (or `latest` marker) at fault.
/// HDF5-level failures inside an otherwise valid file surface as `HDF5Error` instead.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Reason: Equatable, Sendable {
        case missingFile
        case notHDF5
        /// The root `format` attribute is absent or not a string (`nil`), or names another format.
        case wrongFormat(found: String?)
        case unsupportedVersion(found: Int64)
        /// The values read back do not hash to the `checksum` the writer recorded.
        case checksumMismatch(stored: UInt64, computed: UInt64)
        /// The file's length differs from the one its seal records (cut short or appended to).
        case wrongLength(expected: Int, found: Int)
        /// An object whose declared shape, size or content breaks the schema (`object` is its
        /// HDF5 path, `path@attribute` for an attribute), found before anything was allocated for it.
        case malformed(object: String, detail: String)
        /// A parameter, task, namespace or generator name that is not a valid HDF5 path.
        case invalidName(String)
        /// The `latest` marker's content is not a file name in its directory.
        case badMarker(content: String)
        /// The `latest` marker names a checkpoint that does not exist.
        case markerTargetMissing(String)
        case io(operation: String, errno: Int32)
        /// Checkpoints exist but none can be read: each as "file name: why".
        case noValidCheckpoint(skipped: [String])
    }

    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String { "\(file): \(explanation)" }

    /// The description without the file, for lists that already name it.
    public var explanation: String {
        switch reason {
        case .missingFile:
            return "no such checkpoint file"
        case .notHDF5:
            return "not an HDF5 file (an hmtl checkpoint is HDF5)"
        case .wrongFormat(let found):
            let what = found.map { "format \($0.debugDescription)" } ?? "no string attribute \"format\""
            return "not an hmtl checkpoint (\(what) at /, expected \(CheckpointSchema.format.debugDescription))"
        case .unsupportedVersion(let found):
            let versions = CheckpointSchema.readableVersions
            return "checkpoint format_version \(found) is not supported (this build reads \(versions.lowerBound) to \(versions.upperBound))"
        case .checksumMismatch(let stored, let computed):
            return "checksum mismatch (corrupted or half-written): the file records \(hex(stored)), its contents hash to \(hex(computed))"
        case .wrongLength(let expected, let found):
            return "\(found) bytes where the checkpoint's seal records \(expected) (truncated or half-written)"
        case .malformed(let object, let detail):
            return "\(object): \(detail)"
        case .invalidName(let name):
            return "invalid name \(name.debugDescription) (needs non-empty '/'-separated parts other than '.' and '..')"
        case .badMarker(let content):
            return "the marker should hold a checkpoint file name, found \(content.debugDescription)"
        case .markerTargetMissing(let name):
            return "the marker names \(name), which does not exist"
        case .io(let operation, let errno):
            return "\(operation) failed: \(String(cString: strerror(errno)))"
        case .noValidCheckpoint(let skipped):
            return "no valid checkpoint (" + skipped.joined(separator: "; ") + ")"
        }
    }

    private func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }
}
