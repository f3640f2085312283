import Foundation
import TestSupport
import XCTest
@testable import Checkpoint

/// Resuming after a crash or a damaged file (`latestValid`) and bounded disk use (`keep`).
final class CheckpointRecoveryTests: XCTestCase {
    private func names(in directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }

    private func write(_ steps: [Int], to directory: URL, keep: Int = 10) throws {
        for step in steps { try CheckpointStore.write(CheckpointStoreTests.sample(step: step), to: directory, keep: keep) }
    }

    private func reasons(_ skipped: [(file: URL, reason: String)]) -> [String: String] {
        Dictionary(skipped.map { ($0.file.lastPathComponent, $0.reason) }, uniquingKeysWith: { a, _ in a })
    }

    func testFallsBackPastADamagedCheckpointAndRemovesStaleTemporaries() throws {
        let directory = try makeTemporaryDirectory()
        try write([100, 200], to: directory)
        let newest = directory.appendingPathComponent("ckpt-200.h5")
        try FileSurgery.flip(newest, at: try Data(contentsOf: newest).count / 2)
        try Data("half a checkpoint".utf8).write(to: directory.appendingPathComponent("ckpt-300.h5.tmp"))

        let found = try XCTUnwrap(try CheckpointStore.latestValid(in: directory))
        XCTAssertEqual(found.url.lastPathComponent, "ckpt-100.h5")
        let skipped = reasons(found.skipped)
        XCTAssertEqual(Set(skipped.keys), ["ckpt-200.h5", "ckpt-300.h5.tmp"])
        XCTAssertTrue(skipped["ckpt-200.h5"]!.hasPrefix("checksum mismatch (corrupted or half-written)"), skipped["ckpt-200.h5"]!)
        XCTAssertEqual(skipped["ckpt-300.h5.tmp"], "stale temporary file of an interrupted write; removed")
        XCTAssertEqual(try names(in: directory), ["ckpt-100.h5", "ckpt-200.h5", "latest"])
    }

    func testWithoutAMarkerTheHighestIntactStepWins() throws {
        let directory = try makeTemporaryDirectory()
        try write([10, 20, 30], to: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("latest"))
        let newest = directory.appendingPathComponent("ckpt-30.h5")
        _ = try FileSurgery.truncatedCopy(of: newest, length: try Data(contentsOf: newest).count / 2, name: "ckpt-30.h5")
        let found = try XCTUnwrap(try CheckpointStore.latestValid(in: directory))
        XCTAssertEqual(found.url.lastPathComponent, "ckpt-20.h5")
        XCTAssertEqual(found.skipped.map(\.file.lastPathComponent), ["ckpt-30.h5"])
        XCTAssertTrue(found.skipped[0].reason.contains("truncated or half-written"), found.skipped[0].reason)
    }

    func testABrokenMarkerIsReportedAndPassedOver() throws {
        let directory = try makeTemporaryDirectory()
        try write([10, 20], to: directory)
        for content in ["../elsewhere\n", "ckpt-99.h5\n"] {
            try Data(content.utf8).write(to: directory.appendingPathComponent("latest"))
            let found = try XCTUnwrap(try CheckpointStore.latestValid(in: directory))
            XCTAssertEqual(found.url.lastPathComponent, "ckpt-20.h5")
            XCTAssertEqual(found.skipped.map(\.file.lastPathComponent), ["latest"])
        }
    }

    func testFilesNewerThanTheMarkerAreUncommitted() throws {
        let directory = try makeTemporaryDirectory()
        try write([10, 20], to: directory)
        // A crash between renaming ckpt-20.h5 into place and rewriting the marker.
        try Data("ckpt-10.h5\n".utf8).write(to: directory.appendingPathComponent("latest"))
        let found = try XCTUnwrap(try CheckpointStore.latestValid(in: directory))
        XCTAssertEqual(found.url.lastPathComponent, "ckpt-10.h5")
        XCTAssertEqual(found.skipped.map(\.file.lastPathComponent), ["ckpt-20.h5"])
        XCTAssertTrue(found.skipped[0].reason.contains("never committed"), found.skipped[0].reason)
    }

    func testNothingToResumeIsNilButNothingIntactIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        XCTAssertNil(try CheckpointStore.latestValid(in: directory.appendingPathComponent("absent")))
        XCTAssertNil(try CheckpointStore.latestValid(in: directory))
        try Data().write(to: directory.appendingPathComponent("latest.tmp"))
        XCTAssertNil(try CheckpointStore.latestValid(in: directory))
        XCTAssertEqual(try names(in: directory), [])

        try write([10, 20], to: directory)
        for step in [10, 20] { try Data("junk".utf8).write(to: directory.appendingPathComponent("ckpt-\(step).h5")) }
        XCTAssertThrowsError(try CheckpointStore.latestValid(in: directory)) { error in
            guard case .noValidCheckpoint(let skipped)? = (error as? CheckpointError)?.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(skipped.count, 2)
            XCTAssertTrue(skipped[0].hasPrefix("ckpt-20.h5: not an HDF5 file"), skipped[0])
            XCTAssertTrue(skipped[1].hasPrefix("ckpt-10.h5: not an HDF5 file"), skipped[1])
        }
    }

    /// The marker commits a checkpoint: with the file gone and nothing else to use, resuming
    /// must not quietly start the run over.
    func testAMarkerWhoseCheckpointIsGoneIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        try write([10], to: directory)
        try FileManager.default.removeItem(at: directory.appendingPathComponent("ckpt-10.h5"))
        XCTAssertThrowsError(try CheckpointStore.latestValid(in: directory)) { error in
            XCTAssertEqual((error as? CheckpointError)?.reason,
                           .noValidCheckpoint(skipped: ["latest: the marker names ckpt-10.h5, which does not exist"]))
        }
    }

    func testKeepRemovesTheOldestButNeverTheNewestOrTheBest() throws {
        let directory = try makeTemporaryDirectory()
        try CheckpointStore.write(CheckpointStoreTests.sample(step: 5), named: "best-ner.h5", in: directory)
        try write([10, 20, 30], to: directory, keep: 2)
        XCTAssertEqual(try names(in: directory), ["best-ner.h5", "ckpt-20.h5", "ckpt-30.h5", "latest"])
        try write([40], to: directory, keep: 1)
        XCTAssertEqual(try names(in: directory), ["best-ner.h5", "ckpt-40.h5", "latest"])
        try write([50, 60, 70, 80], to: directory)
        XCTAssertEqual(try names(in: directory), ["best-ner.h5", "ckpt-40.h5", "ckpt-50.h5", "ckpt-60.h5", "ckpt-70.h5", "ckpt-80.h5", "latest"])
        // The default keeps three.
        try CheckpointStore.write(CheckpointStoreTests.sample(step: 90), to: directory)
        XCTAssertEqual(try names(in: directory), ["best-ner.h5", "ckpt-70.h5", "ckpt-80.h5", "ckpt-90.h5", "latest"])
    }

    /// After resuming from ckpt-20, the next commit makes ckpt-30 part of an abandoned run.
    func testKeepRemovesCheckpointsOfAnAbandonedTimeline() throws {
        let directory = try makeTemporaryDirectory()
        try write([10, 20, 30], to: directory)
        let removed = try CheckpointStore.prune(directory, keep: 2, newest: 20)
        XCTAssertEqual(removed.map(\.lastPathComponent), ["ckpt-30.h5"])
        try write([25], to: directory, keep: 2)
        XCTAssertEqual(try names(in: directory), ["ckpt-20.h5", "ckpt-25.h5", "latest"])
    }

    func testStepsAreParsedOnlyFromCanonicalNames() {
        XCTAssertEqual(CheckpointStore.step(ofFileName: "ckpt-0.h5"), 0)
        XCTAssertEqual(CheckpointStore.step(ofFileName: "ckpt-1200.h5"), 1200)
        for name in ["ckpt-05.h5", "ckpt--1.h5", "ckpt-+3.h5", "ckpt-.h5", "ckpt-5.h5.tmp", "best-ner.h5", "ckpt-5.hdf5", "latest"] {
            XCTAssertNil(CheckpointStore.step(ofFileName: name), name)
        }
    }
}
