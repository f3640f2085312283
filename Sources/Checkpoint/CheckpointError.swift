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
        /// A parameter, task, namespace or generator name that is not a valid HDF5 path.
        case invalidName(String)
        /// The `latest` marker's content is not a file name in its directory.
        case badMarker(content: String)
        /// The `latest` marker names a checkpoint that does not exist.
        case markerTargetMissing(String)
        case io(operation: String, errno: Int32)
    }

    public let file: String
    public let reason: Reason

    public init(file: String, reason: Reason) {
        self.file = file
        self.reason = reason
    }

    public var description: String {
        switch reason {
        case .missingFile:
            return "\(file): no such checkpoint file"
        case .notHDF5:
            return "\(file): not an HDF5 file (an hmtl checkpoint is HDF5)"
        case .wrongFormat(let found):
            let what = found.map { "format \($0.debugDescription)" } ?? "no string attribute \"format\""
            return "\(file): not an hmtl checkpoint (\(what) at /, expected \(CheckpointSchema.format.debugDescription))"
        case .unsupportedVersion(let found):
            return "\(file): checkpoint format_version \(found) is not supported (this build reads \(CheckpointSchema.version))"
        case .invalidName(let name):
            return "\(file): invalid name \(name.debugDescription) (needs non-empty '/'-separated parts other than '.' and '..')"
        case .badMarker(let content):
            return "\(file): the marker should hold a checkpoint file name, found \(content.debugDescription)"
        case .markerTargetMissing(let name):
            return "\(file): the marker names \(name), which does not exist"
        case .io(let operation, let errno):
            return "\(file): \(operation) failed: \(String(cString: strerror(errno)))"
        }
    }
}
