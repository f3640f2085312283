import CHDF5
import Foundation

/// Turns a current checkpoint file into what an older format version wrote, for the tests
/// that such files are still read and resumed from. Raw HDF5 calls, because `HDF5File` only
/// creates attributes and never rewrites or deletes one. Shared by the checkpoint and the
/// training tests; the seal (internal to `Checkpoint`) is for the caller to redo or remove.
public enum FormatDowngrade {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// H5F_ACC_RDWR, a macro Swift cannot import.
    private static let readWrite: UInt32 = 0x0001

    /// Sets the root `format_version` to `version` and deletes the root attributes `removing`
    /// (format_version 1 had no `checksum` and `checksum_algorithm`). Attributes the older
    /// version lacked elsewhere (`/data/<task>@global_batch` before 3) may stay: readers of a
    /// version ignore what it did not have.
    public static func relabel(_ url: URL, formatVersion version: Int64, removing attributes: [String] = []) throws {
        let file = H5Fopen(url.path, readWrite, hid_t(H5P_DEFAULT))
        guard file >= 0 else { throw Failure(description: "\(url.path): cannot open for writing") }
        defer { H5Fclose(file) }
        for name in attributes {
            guard H5Adelete(file, name) >= 0 else { throw Failure(description: "\(url.path): cannot delete attribute \(name)") }
        }
        let attribute = H5Aopen(file, "format_version", hid_t(H5P_DEFAULT))
        guard attribute >= 0 else { throw Failure(description: "\(url.path): no format_version attribute") }
        defer { H5Aclose(attribute) }
        var value = version
        guard H5Awrite(attribute, chdf5_native_int64(), &value) >= 0 else {
            throw Failure(description: "\(url.path): cannot write format_version")
        }
    }

    /// Zeroes the user block where the seal lives: what a file written before seals (format
    /// version 2) starts with.
    public static func removeSeal(_ url: URL, userBlockSize: Int = 512) throws {
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.write(contentsOf: Data(count: userBlockSize))
    }
}
