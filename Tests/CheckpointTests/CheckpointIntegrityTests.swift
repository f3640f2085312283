import Foundation
import TestSupport
import XCTest
@testable import Checkpoint

/// Damaged checkpoints — truncated, bit-flipped, or declaring absurd shapes — must give an
/// error naming the file, never a trap, an out-of-memory kill or silently different values.
final class CheckpointIntegrityTests: XCTestCase {
    private func writeSample(step: Int = 100) throws -> URL {
        try CheckpointStore.write(CheckpointStoreTests.sample(step: step), to: try makeTemporaryDirectory())
    }

    func testTruncatedFilesAreRefused() throws {
        let url = try writeSample()
        let size = try Data(contentsOf: url).count
        for length in [0, 1, 8, size / 2, size - 1] {
            let copy = try FileSurgery.truncatedCopy(of: url, length: length, name: "cut-\(length).h5")
            XCTAssertThrowsError(try CheckpointStore.read(copy), "\(length) of \(size) bytes") { error in
                XCTAssertTrue("\(error)".hasPrefix(copy.path), "\(error)")
            }
        }
    }

    /// Each flip is caught twice over: by the seal over the raw bytes, and — once the seal
    /// is recomputed, as a crafted file would have it — by the checksum of the values.
    func testFlippedBytesInTheValuesFailTheChecksum() throws {
        let url = try writeSample()
        let original = try Data(contentsOf: url)
        // A parameter's float32 values, a vocabulary entry and a generator state, found by content.
        let weights = try FileSurgery.offset(of: FileSurgery.littleEndianBytes([1, 2, 3, 4, 5, 6, 7, .infinity]), in: url)
        let word = try FileSurgery.offset(of: Array("Zürich".utf8), in: url)
        let sampler = try FileSurgery.offset(of: withUnsafeBytes(of: UInt64(42).littleEndian, Array.init), in: url)
        for offset in [weights, weights + 13, weights + 31, word, word + 2, sampler] {
            for resealed in [false, true] {
                try original.write(to: url)
                try FileSurgery.flip(url, at: offset)
                if resealed { try FileSurgery.reseal(url) }
                XCTAssertThrowsError(try CheckpointStore.read(url), "byte \(offset)") { error in
                    guard case .checksumMismatch? = (error as? CheckpointError)?.reason else {
                        return XCTFail("byte \(offset), resealed \(resealed): expected a checksum mismatch, got \(error)")
                    }
                    XCTAssertTrue("\(error)".contains("checksum mismatch (corrupted or half-written)"), "\(error)")
                    XCTAssertTrue("\(error)".hasPrefix(url.path), "\(error)")
                }
            }
        }
    }

    func testTheSealCoversTheWholeFile() throws {
        let url = try writeSample()
        let size = try Data(contentsOf: url).count
        let cut = try FileSurgery.truncatedCopy(of: url, length: size - 1, name: "cut.h5")
        XCTAssertThrowsError(try CheckpointStore.read(cut)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason, .wrongLength(expected: size, found: size - 1))
            XCTAssertTrue("\(error)".contains("truncated or half-written"), "\(error)")
        }
        let handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0]))
        try handle.close()
        XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason, .wrongLength(expected: size, found: size + 1))
        }
    }

    /// h5dump still finds the HDF5 data behind the seal (its own test, so that a machine
    /// without h5dump skips only this and still runs the seal checks above).
    func testH5DumpReadsBehindTheSeal() throws {
        let url = try writeSample()
        XCTAssertTrue(try Data(contentsOf: url).starts(with: Data("hmtl-checkpoint-seal\n".utf8)), "the file does not start with its seal")
        let dump = try h5dump(["-a", "/format", url.path])
        XCTAssertEqual(dump.status, 0)
        XCTAssertTrue(dump.output.contains("hmtl-checkpoint"), dump.output)
    }

    func testAVersion2FileWithoutItsSealIsRefused() throws {
        let url = try writeSample()
        try FileSurgery.removeSeal(url)
        XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
            guard case .malformed("user block", _)? = (error as? CheckpointError)?.reason else { return XCTFail("\(error)") }
        }
    }

    /// A flip anywhere — HDF5 metadata included — either is refused or leaves the values intact.
    func testAFlipAnywhereIsRefusedOrHarmless() throws {
        let url = try writeSample()
        let original = try Data(contentsOf: url)
        let expected = CheckpointStoreTests.sample(step: 100)
        var refused = 0
        for offset in stride(from: 0, to: original.count, by: max(1, original.count / 400)) {
            try original.write(to: url)
            try FileSurgery.flip(url, at: offset)
            do {
                let contents = try CheckpointStore.read(url)
                XCTAssertEqual(contents, expected, "byte \(offset) changed the values yet passed")
            } catch {
                refused += 1
                XCTAssertTrue("\(error)".hasPrefix(url.path), "byte \(offset): \(error)")
            }
        }
        XCTAssertGreaterThan(refused, 0)
    }

    func testAHugeDeclaredShapeIsRefusedBeforeAllocating() throws {
        let url = try writeSample()
        // 10^12 float32 values (4 TB): reading it would abort on allocation.
        try FileSurgery.declareHugeDataset(in: url, at: "/params/ner/encoder/l0/fwd/b", dimensions: [1_000_000, 1_000_000])
        try FileSurgery.reseal(url)
        XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
            guard case .malformed(let object, let detail)? = (error as? CheckpointError)?.reason else {
                return XCTFail("expected a malformed object, got \(error)")
            }
            XCTAssertEqual(object, "/params/ner/encoder/l0/fwd/b")
            XCTAssertTrue(detail.contains("[1000000, 1000000]") && detail.contains("more bytes than the whole file"), detail)
            XCTAssertTrue("\(error)".hasPrefix(url.path), "\(error)")
        }
        // The HDF5 layer refuses it on its own too, for callers other than the schema.
        let file = try HDF5File.openReadOnly(url)
        XCTAssertThrowsError(try file.read(Float.self, at: "/params/ner/encoder/l0/fwd/b")) { error in
            XCTAssertEqual((error as? HDF5Error)?.object, "/params/ner/encoder/l0/fwd/b")
        }
        XCTAssertThrowsError(try file.shape(of: "/params/ner/encoder/l0/fwd/b"))
        try file.close()
    }

    func testAMomentMustHaveItsParametersShape() throws {
        let url = try writeSample()
        try FileSurgery.declareHugeDataset(in: url, at: "/optimizer/emd/m/emd/scale", dimensions: [1])
        try FileSurgery.reseal(url)
        XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason,
                           .malformed(object: "/optimizer/emd/m/emd/scale", detail: "shape [1] differs from its parameter's []"))
        }
    }

    func testExtentValidation() throws {
        func check(_ dimensions: [UInt64], size: Int = 4, rank: ClosedRange<Int> = 0...8, fileSize: Int = 10_000) throws -> [Int] {
            try CheckpointSchema.checkExtent(DatasetExtent(dimensions: dimensions, storedElementSize: size), of: "/params/x",
                                             rank: rank, file: "f.h5", fileSize: fileSize)
        }
        XCTAssertEqual(try check([10, 250]), [10, 250])
        XCTAssertEqual(try check([]), [])
        XCTAssertEqual(try check([0, UInt64(Int.max)]), [0, Int.max])
        let refused: [(dimensions: [UInt64], rank: ClosedRange<Int>, fileSize: Int, says: String)] = [
            ([10, 251], 0...8, 10_000, "more bytes than the whole file has (10000)"),
            ([1 << 32, 1 << 32], 0...8, .max, "more elements than this machine can address"),
            ([UInt64.max], 0...8, .max, "more elements than this machine can address"),
            ([1 << 61, 2], 0...8, .max, "more bytes than the whole file"),
            ([3, 4], 1...1, 10_000, "rank 2, expected 1"),
            (Array(repeating: 1, count: 9), 0...8, 10_000, "rank 9, expected 0 to 8"),
        ]
        for (dimensions, rank, fileSize, says) in refused {
            XCTAssertThrowsError(try check(dimensions, rank: rank, fileSize: fileSize), "\(dimensions)") { error in
                XCTAssertTrue("\(error)".hasPrefix("f.h5: /params/x: "), "\(error)")
                XCTAssertTrue("\(error)".contains(says), "\(error)")
            }
        }
    }

    func testVersion1FilesWithoutAChecksumStillRead() throws {
        let url = try writeSample()
        try FileSurgery.downgradeToVersion1(url)
        try FileSurgery.removeSeal(url)
        // Before version 3 a file has no global batches; the reader ignores the leftover attributes.
        var expected = CheckpointStoreTests.sample(step: 100)
        for i in expected.data.indices { expected.data[i].globalBatch = nil }
        XCTAssertEqual(try CheckpointStore.read(url), expected)
        XCTAssertTrue(try CheckpointStore.describe(url).contains("hmtl-checkpoint v1 (no checksum)"))
    }

    /// A format_version 3 file has no `config_file`: it still reads, verified, and says the
    /// config's relative paths fall back to the current folder.
    func testVersion3FilesWithoutAConfigFileStillRead() throws {
        var expected = CheckpointStoreTests.sample(step: 100)
        expected.configFile = nil
        let url = try CheckpointStore.write(expected, to: try makeTemporaryDirectory())
        try FileSurgery.setFormatVersion(3, in: url)
        try FileSurgery.reseal(url)
        XCTAssertEqual(try CheckpointStore.read(url), expected)
        let description = try CheckpointStore.describe(url)
        XCTAssertTrue(description.contains("hmtl-checkpoint v3 (checksum verified)"), description)
        XCTAssertTrue(description.contains("config file  not recorded (relative paths in the config resolve against the current folder)"), description)
    }

    /// Removing `config_file` from a file that had one changes what it decodes to, so the
    /// checksum refuses it even behind a valid seal.
    func testTheChecksumCoversTheConfigFile() throws {
        let url = try writeSample()
        XCTAssertNotNil(try CheckpointStore.read(url).configFile, "premise: the sample records a config file")
        try FileSurgery.deleteAttribute("config_file", in: url)
        try FileSurgery.reseal(url)
        XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
            guard case .checksumMismatch? = (error as? CheckpointError)?.reason else { return XCTFail("expected a checksum mismatch, got \(error)") }
        }
    }

    /// The vectors file record (format_version 5) reads back, shows in `inspect` and is covered
    /// by the checksum; a format_version 4 file has none and still reads.
    func testTheVectorsFileRecord() throws {
        var contents = CheckpointStoreTests.sample(step: 100)
        contents.vectorsFile = VectorsFileRecord(file: "../glove/vectors.txt", byteCount: 8_088_996, checksum: 0x0123_4567_89ab_cdef)
        let url = try CheckpointStore.write(contents, to: try makeTemporaryDirectory())
        XCTAssertEqual(try CheckpointStore.read(url), contents)
        let description = try CheckpointStore.describe(url)
        XCTAssertTrue(description.contains("vectors      ../glove/vectors.txt (embedder.glove): 8088996 bytes, fnv1a-64 0123456789abcdef"), description)

        for name in ["vectors_file", "vectors_bytes", "vectors_checksum"] { try FileSurgery.deleteAttribute(name, in: url) }
        try FileSurgery.reseal(url)
        XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
            guard case .checksumMismatch? = (error as? CheckpointError)?.reason else { return XCTFail("expected a checksum mismatch, got \(error)") }
        }

        let old = try CheckpointStore.write(CheckpointStoreTests.sample(step: 100), to: try makeTemporaryDirectory())
        try FileSurgery.setFormatVersion(4, in: old)
        try FileSurgery.reseal(old)
        XCTAssertEqual(try CheckpointStore.read(old), CheckpointStoreTests.sample(step: 100))
        let oldDescription = try CheckpointStore.describe(old)
        XCTAssertTrue(oldDescription.contains("hmtl-checkpoint v4 (checksum verified)"), oldDescription)
        XCTAssertTrue(oldDescription.contains("vectors      not recorded (format_version 4)"), oldDescription)
    }

    /// The checksum follows the byte order `CheckpointChecksum` documents, recomputed here
    /// independently, so an outside tool (h5py) can verify a file.
    func testChecksumFollowsTheDocumentedByteStream() throws {
        let contents = CheckpointContents(
            step: 7, worldSize: 2, seed: UInt64.max, config: "{}", createdBy: "t",
            parameters: [NamedArray(name: "w", shape: [2], values: [1.5, -2])],
            optimizers: [OptimizerState(task: "ner", step: 3, learningRate: 0.5,
                                        m: [NamedArray(name: "w", shape: [2], values: [0, 1])], v: [])],
            samplerState: [1, 2], samplerDraws: 9, rngStates: ["b": [5], "a": []],
            data: [DataPosition(task: "ner", epoch: 1, position: 4, globalBatch: 8)],
            vocabularies: ["words": ["x", "é"]],
            progress: [TaskProgress(task: "ner", bestScore: 0.25, bestStep: 2, badEpochs: 1, outOfPatience: true, history: [0.25])])
        var bytes: [UInt8] = []
        func int(_ v: Int) { bytes += withUnsafeBytes(of: Int64(v).littleEndian, Array.init) }
        func word(_ v: UInt64) { bytes += withUnsafeBytes(of: v.littleEndian, Array.init) }
        func real(_ v: Double) { word(v.bitPattern) }
        func text(_ s: String) { int(s.utf8.count); bytes += Array(s.utf8) }
        func array(_ name: String, _ shape: [Int], _ values: [Float]) {
            text(name); int(shape.count); shape.forEach(int); bytes += FileSurgery.littleEndianBytes(values)
        }
        int(7); int(2); word(.max); text("{}"); text("t")
        int(1); array("w", [2], [1.5, -2])
        int(1); text("ner"); int(3); real(0.5); int(1); array("w", [2], [0, 1]); int(0)
        int(2); word(1); word(2); int(9)
        int(2); text("a"); int(0); text("b"); int(1); word(5)
        int(1); text("ner"); int(1); int(4); int(8)
        int(1); text("words"); int(2); text("x"); text("é")
        int(1); text("ner"); real(0.25); int(2); int(1); int(1); real(-.infinity); int(0); int(1); real(0.25)
        func fnv1a() -> UInt64 { bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 } }
        let expected = fnv1a()
        XCTAssertEqual(CheckpointChecksum.of(contents), expected)
        var withConfigFile = contents
        withConfigFile.configFile = "/c/x.json"
        text("/c/x.json")
        XCTAssertEqual(CheckpointChecksum.of(withConfigFile), fnv1a(), "config_file comes last, when present")
        var withVectors = withConfigFile
        withVectors.vectorsFile = VectorsFileRecord(file: "v.txt", byteCount: 12, checksum: .max - 1)
        text("v.txt"); int(12); word(.max - 1)
        XCTAssertEqual(CheckpointChecksum.of(withVectors), fnv1a(), "then the vectors file, when present")

        let url = try CheckpointStore.write(contents, to: try makeTemporaryDirectory())
        let file = try HDF5File.openReadOnly(url)
        XCTAssertEqual(UInt64(bitPattern: try file.attribute("checksum", as: Int64.self)), expected)
        XCTAssertEqual(try file.stringAttribute("checksum_algorithm"), "fnv1a-64")
        try file.close()
    }
}
