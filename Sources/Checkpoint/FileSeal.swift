import Foundation

/// A checksum of a checkpoint's raw bytes in the file's first 512 bytes (an HDF5 user
/// block, which HDF5, h5py and h5dump skip), checked before HDF5 parses anything.
///
/// The `checksum` attribute catches damaged values, but only after HDF5 has decoded the
/// file, and libhdf5 (1.10) does not survive damaged metadata: a single flipped byte in a
/// heap or object header can make it crash or loop forever. The seal keeps such a file away
/// from HDF5, so a damaged or half-copied checkpoint is an error, and `latestValid` can move
/// on to the previous one. (Against a deliberately crafted file it proves nothing — anyone
/// can recompute it — which is why reads also check every declared size.)
///
/// Layout: ASCII `hmtl-checkpoint-seal\nfnv1a-64 <16 hex digits>\nbytes <count>\n`, then
/// NUL padding to 512 bytes; the hash (64-bit FNV-1a) covers the `count` bytes after the block.
enum FileSeal {
    static let size = 512
    private static let signature = "hmtl-checkpoint-seal\n"

    /// Fills the user block of a closed file whose HDF5 data starts at byte `size`.
    static func seal(_ url: URL) throws {
        let (hash, count) = try hashAfterBlock(url)
        var block = Array("\(signature)\(CheckpointChecksum.algorithm) \(hex(hash))\nbytes \(count)\n".utf8)
        block += [UInt8](repeating: 0, count: size - block.count)
        let handle = try FileHandle(forWritingTo: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: block)
    }

    /// Whether `url` carries a seal (files before format_version 2 do not); throws if the
    /// bytes after it are fewer, more or other than it records.
    static func verify(_ url: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: url)
        let block = try handle.read(upToCount: size) ?? Data()
        try handle.close()
        guard block.starts(with: Data(signature.utf8)) else { return false }
        let fields = String(decoding: block.prefix { $0 != 0 }, as: UTF8.self).split(separator: "\n").map { $0.split(separator: " ") }
        guard fields.count == 3, fields[1].count == 2, fields[1][0] == CheckpointChecksum.algorithm,
              let stored = UInt64(fields[1][1], radix: 16), fields[2].count == 2, fields[2][0] == "bytes",
              let count = Int(fields[2][1]) else {
            throw CheckpointError(file: url.path, reason: .malformed(object: "user block", detail: "unreadable checkpoint seal"))
        }
        let (computed, found) = try hashAfterBlock(url)
        guard found == count else {
            throw CheckpointError(file: url.path, reason: .wrongLength(expected: size + count, found: size + found))
        }
        guard computed == stored else {
            throw CheckpointError(file: url.path, reason: .checksumMismatch(stored: stored, computed: computed))
        }
        return true
    }

    /// FNV-1a of everything after the user block, read in 1 MiB pieces, and its length.
    private static func hashAfterBlock(_ url: URL) throws -> (hash: UInt64, count: Int) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(size))
        var hash = CheckpointChecksum()
        var count = 0
        while let piece = try handle.read(upToCount: 1 << 20), !piece.isEmpty {
            piece.withUnsafeBytes { hash.add(bytes: $0) }
            count += piece.count
        }
        return (hash.value, count)
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
