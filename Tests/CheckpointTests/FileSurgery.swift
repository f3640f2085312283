import CHDF5
import CheckpointSurgery
import Foundation
import XCTest
@testable import Checkpoint

/// Damage done to checkpoint files the way crashes, bad disks and hostile edits do, for the
/// integrity tests. Raw HDF5 calls are used where the edit must bypass `HDF5File`'s own
/// checks (a dataset that declares a shape but stores nothing). Edits made through HDF5
/// break the file's seal; `reseal` makes such a file look intact to the seal, as a
/// deliberately crafted file would, so the checks behind it can be tested.
enum FileSurgery {
    /// H5F_ACC_RDWR, a macro Swift cannot import.
    private static let readWrite: UInt32 = 0x0001

    /// Copies `url` to `name` beside it, keeping only the first `length` bytes.
    static func truncatedCopy(of url: URL, length: Int, name: String) throws -> URL {
        let copy = url.deletingLastPathComponent().appendingPathComponent(name)
        try Data(try Data(contentsOf: url).prefix(length)).write(to: copy)
        return copy
    }

    /// Inverts every bit of the byte at `offset`, in place.
    static func flip(_ url: URL, at offset: Int) throws {
        var bytes = try Data(contentsOf: url)
        bytes[offset] ^= 0xFF
        try bytes.write(to: url)
    }

    /// Where `needle` first occurs in the file (e.g. a parameter's little-endian values).
    static func offset(of needle: [UInt8], in url: URL, file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let bytes = try Data(contentsOf: url)
        let range = try XCTUnwrap(bytes.firstRange(of: Data(needle)), "byte pattern not found in \(url.lastPathComponent)", file: file, line: line)
        return range.lowerBound
    }

    static func littleEndianBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian, Array.init) }
    }

    /// Replaces the float32 dataset at `path` by one that declares `dimensions` but never
    /// had storage allocated: HDF5 opens it happily and would hand back fill values, so
    /// only a size check stands between a reader and an allocation of the declared size.
    static func declareHugeDataset(in url: URL, at path: String, dimensions: [UInt64]) throws {
        try editing(url) { file in
            guard H5Ldelete(file, path, hid_t(H5P_DEFAULT)) >= 0 else { throw failure("delete \(path)") }
            let dims = dimensions.map { hsize_t($0) }
            let space = H5Screate_simple(Int32(dims.count), dims, nil)
            guard space >= 0 else { throw failure("dataspace") }
            defer { H5Sclose(space) }
            let dataset = H5Dcreate2(file, path, chdf5_ieee_f32le(), space, hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT), hid_t(H5P_DEFAULT))
            guard dataset >= 0 else { throw failure("create \(path)") }
            H5Dclose(dataset)
        }
    }

    /// Turns a current checkpoint into what format_version 1 wrote: no checksum attributes.
    static func downgradeToVersion1(_ url: URL) throws {
        try FormatDowngrade.relabel(url, formatVersion: 1, removing: ["checksum", "checksum_algorithm"])
    }

    /// Removes the root attribute `name`.
    static func deleteAttribute(_ name: String, in url: URL) throws {
        try editing(url) { file in
            guard H5Adelete(file, name) >= 0 else { throw failure("delete attribute \(name)") }
        }
    }

    /// Overwrites the root `format_version`, leaving everything else as it is.
    static func setFormatVersion(_ version: Int64, in url: URL) throws {
        try FormatDowngrade.relabel(url, formatVersion: version)
    }

    /// Runs `body` on the file opened read-write by raw HDF5, closing it afterwards.
    private static func editing(_ url: URL, _ body: (hid_t) throws -> Void) throws {
        let file = H5Fopen(url.path, readWrite, hid_t(H5P_DEFAULT))
        guard file >= 0 else { throw failure("open \(url.path)") }
        defer { H5Fclose(file) }
        try body(file)
    }

    static func reseal(_ url: URL) throws { try FileSeal.seal(url) }

    /// What a checkpoint written before seals existed starts with: no seal.
    static func removeSeal(_ url: URL) throws { try FormatDowngrade.removeSeal(url, userBlockSize: FileSeal.size) }

    private static func failure(_ what: String) -> NSError {
        NSError(domain: "FileSurgery", code: 1, userInfo: [NSLocalizedDescriptionKey: "HDF5: cannot \(what)"])
    }
}
