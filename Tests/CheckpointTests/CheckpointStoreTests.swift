import Foundation
import TestSupport
import XCTest
@testable import Checkpoint

final class CheckpointStoreTests: XCTestCase {
    /// Deliberately not in alphabetical order, and with values that a lossy path would alter:
    /// -0.0, the smallest denormal, the largest finite Float, infinities.
    static func sample(step: Int) -> CheckpointContents {
        let parameters = [
            NamedArray(name: "embedder/words", shape: [3, 2], values: [0.1, -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, Float(bitPattern: 0x0001_2345), .greatestFiniteMagnitude]),
            NamedArray(name: "ner/encoder/l0/fwd/w_ih", shape: [2, 2, 2], values: [1, 2, 3, 4, 5, 6, 7, .infinity]),
            NamedArray(name: "ner/encoder/l0/fwd/b", shape: [4], values: [-.infinity, 0, -0.0, 3.14159274]),
            NamedArray(name: "emd/scale", shape: [], values: [Float(step)]),
            NamedArray(name: "crf", shape: [0], values: []),
        ]
        func moments(_ scale: Float, _ names: [Int]) -> [NamedArray] {
            names.map { NamedArray(name: parameters[$0].name, shape: parameters[$0].shape, values: parameters[$0].values.map { $0 * scale }) }
        }
        return CheckpointContents(
            step: step, worldSize: 2, seed: UInt64.max - 5,
            config: #"{"name": "demo", "tasks": ["ner", "emd"], "lr": 0.001}"#,
            createdBy: "hmtl test",
            parameters: parameters,
            optimizers: [
                OptimizerState(task: "ner", step: step, learningRate: 1e-3, m: moments(0.5, [0, 2, 1]), v: moments(0.25, [0, 2, 1])),
                OptimizerState(task: "emd", step: step / 2, learningRate: 2e-4, m: moments(-1, [3]), v: moments(2, [3])),
            ],
            samplerState: [1, UInt64.max, 1 << 63, 42], samplerDraws: step,
            rngStates: ["dropout": [9, 8, 7, UInt64.max - 1], "init": [1, 2, 3, 4]],
            data: [DataPosition(task: "ner", epoch: 2, position: 17, globalBatch: 32), DataPosition(task: "emd", epoch: 0, position: 1024, globalBatch: 64)],
            vocabularies: [
                "words": ["@@PADDING@@", "@@UNKNOWN@@", "Zürich", "naïve", "東京", "—"],
                "characters": ["a", "é", "ß", "😀"],
                "ner_tags": ["O", "B-PER", "I-PER"],
                "empty": [],
            ],
            progress: [
                TaskProgress(task: "ner", bestScore: 0.8125, bestStep: 40, badEpochs: 1, outOfPatience: false, history: [0.5, 0.8125, 0.79]),
                TaskProgress(task: "emd", bestScore: -.infinity, bestStep: 0, badEpochs: 0, outOfPatience: true, history: []),
            ],
            configFile: "/project/configs/démo.json")
    }

    func testRoundTripIsExact() throws {
        let directory = try makeTemporaryDirectory()
        let original = Self.sample(step: 100)
        let url = try CheckpointStore.write(original, to: directory)
        XCTAssertEqual(url.lastPathComponent, "ckpt-100.h5")
        let restored = try CheckpointStore.read(url)
        XCTAssertEqual(restored, original)
        // Equatable on Float treats -0.0 == 0.0: compare the bits too.
        for (a, b) in zip(restored.parameters, original.parameters) {
            XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), a.name)
        }
        for (a, b) in zip(restored.optimizers.flatMap { $0.m + $0.v }, original.optimizers.flatMap { $0.m + $0.v }) {
            XCTAssertEqual(a.values.map(\.bitPattern), b.values.map(\.bitPattern), a.name)
        }
    }

    func testLatestMarkerFollowsTheNewestWriteAndNoTemporaryFilesRemain() throws {
        let directory = try makeTemporaryDirectory().appendingPathComponent("run/checkpoints")
        XCTAssertNil(try CheckpointStore.latest(in: directory))
        let first = try CheckpointStore.write(Self.sample(step: 10), to: directory)
        XCTAssertEqual(try CheckpointStore.latest(in: directory), first)
        let second = try CheckpointStore.write(Self.sample(step: 20), to: directory)
        XCTAssertEqual(try CheckpointStore.latest(in: directory), second)
        XCTAssertEqual(try String(contentsOf: directory.appendingPathComponent("latest"), encoding: .utf8), "ckpt-20.h5\n")
        XCTAssertEqual(try CheckpointStore.read(second).step, 20)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        XCTAssertEqual(names, ["ckpt-10.h5", "ckpt-20.h5", "latest"])
    }

    func testLatestFailsWhenTheMarkerNamesAMissingFile() throws {
        let directory = try makeTemporaryDirectory()
        try CheckpointStore.write(Self.sample(step: 5), to: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("ckpt-5.h5"))
        XCTAssertThrowsError(try CheckpointStore.latest(in: directory)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason, .markerTargetMissing("ckpt-5.h5"))
            XCTAssertTrue("\(error)".contains("latest"), "\(error)")
        }
    }

    func testH5DumpShowsTheLayout() throws {
        let url = try CheckpointStore.write(Self.sample(step: 3), to: try makeTemporaryDirectory())
        let dump = try h5dump(["-H", url.path])
        XCTAssertEqual(dump.status, 0)
        for expected in ["GROUP \"params\"", "GROUP \"encoder\"", "DATASET \"w_ih\"", "DATASET \"params_order\"",
                         "ATTRIBUTE \"format\"", "GROUP \"optimizer\"", "GROUP \"vocab\"", "GROUP \"metrics\""] {
            XCTAssertTrue(dump.output.contains(expected), "missing \(expected) in\n\(dump.output)")
        }
    }

    func testDescribeListsParameters() throws {
        let url = try CheckpointStore.write(Self.sample(step: 7), to: try makeTemporaryDirectory())
        let text = try CheckpointStore.describe(url)
        for expected in ["ner/encoder/l0/fwd/w_ih", "[2, 2, 2]", "embedder/words", "[3, 2]", "emd/scale", "[]",
                         "step         7", "hmtl-checkpoint v6 (checksum verified)", "vectors      none", "origin       trained from scratch",
                         "config file  /project/configs/démo.json (the config's relative paths resolve against its folder)", "words: 6 entries", "ner: epoch 2, position 17, global batch 32", "\"demo\""] {
            XCTAssertTrue(text.contains(expected), "missing \(expected) in\n\(text)")
        }
        // [-inf, 0, -0, 3.14159274]: min -inf, max 3.14159.
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("ner/encoder/l0/fwd/b ") })
        XCTAssertTrue(line.contains("-inf") && line.contains("3.14159"), String(line))
    }

    func testUnreadableFilesGiveErrorsNamingTheFile() throws {
        let directory = try makeTemporaryDirectory()
        let garbage = directory.appendingPathComponent("garbage.h5")
        try Data(repeating: 0xAB, count: 4096).write(to: garbage)
        let empty = directory.appendingPathComponent("empty.h5")
        try Data().write(to: empty)
        let missing = directory.appendingPathComponent("missing.h5")
        let cases: [(URL, CheckpointError.Reason)] = [(garbage, .notHDF5), (empty, .notHDF5), (missing, .missingFile)]
        for (url, reason) in cases {
            XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
                XCTAssertEqual((error as? CheckpointError)?.reason, reason, "\(error)")
                XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            }
        }
    }

    func testForeignHDF5FilesAreRefused() throws {
        let directory = try makeTemporaryDirectory()
        func make(_ name: String, _ body: (HDF5File) throws -> Void) throws -> URL {
            let url = directory.appendingPathComponent(name)
            let file = try HDF5File.create(url)
            try body(file)
            try file.close()
            return url
        }
        let plain = try make("plain.h5") { try $0.write([1] as [Float], shape: [1], at: "/x") }
        let other = try make("other.h5") { try $0.setAttribute("format", "something-else") }
        let numeric = try make("numeric.h5") { try $0.setAttribute("format", Int64(1)) }
        let future = try make("future.h5") { file in
            try file.setAttribute("format", "hmtl-checkpoint")
            try file.setAttribute("format_version", CheckpointSchema.version + 1)
        }
        let cases: [(URL, CheckpointError.Reason)] = [
            (plain, .wrongFormat(found: nil)), (other, .wrongFormat(found: "something-else")),
            (numeric, .wrongFormat(found: nil)), (future, .unsupportedVersion(found: CheckpointSchema.version + 1)),
        ]
        for (url, reason) in cases {
            XCTAssertThrowsError(try CheckpointStore.read(url)) { error in
                XCTAssertEqual((error as? CheckpointError)?.reason, reason, "\(error)")
                XCTAssertTrue("\(error)".contains(url.path), "\(error)")
            }
        }
    }

    func testInvalidNamesAreRefusedAndLeaveNothingBehind() throws {
        let directory = try makeTemporaryDirectory()
        var contents = Self.sample(step: 1)
        contents.parameters.append(NamedArray(name: "ner//double-slash", shape: [1], values: [0]))
        XCTAssertThrowsError(try CheckpointStore.write(contents, to: directory)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason, .invalidName("ner//double-slash"))
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
        XCTAssertNil(try CheckpointStore.latest(in: directory))
    }
}
