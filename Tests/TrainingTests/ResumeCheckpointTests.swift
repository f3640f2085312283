import CheckpointSurgery
import Foundation
import TestSupport
import XCTest
@testable import Checkpoint

/// `train --resume` from the older checkpoint formats, and every way it refuses to resume:
/// each refusal exits 2 with one line naming the file and the reason, and leaves the run's
/// checkpoint as it was.
final class ResumeCheckpointTests: XCTestCase {
    /// A 10-step four-task run (the multi-task test config) and the same config run 20 steps
    /// straight, shared by the class.
    nonisolated(unsafe) private static var shared: URL?

    override class func tearDown() {
        if let shared { try? FileManager.default.removeItem(at: shared) }
        shared = nil
    }

    private func runs() throws -> URL {
        if let dir = Self.shared { return dir }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        Self.shared = dir
        let config = try writeFile(MultiTaskConfig.json, "multi.json", in: dir)
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("base").path]))
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("straight").path,
                                         "--set", "training.max_steps=20"]))
        return dir
    }

    /// A copy of the 10-step run to resume from, and its checkpoint (the only `ckpt-*.h5`).
    private func copyOfTheTenStepRun() throws -> (folder: URL, checkpoint: URL) {
        let folder = try makeTemporaryDirectory().appendingPathComponent("run")
        try FileManager.default.copyItem(at: try runs().appendingPathComponent("base"), to: folder)
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("ckpt-") }
        XCTAssertEqual(checkpoints, ["ckpt-10.h5"])
        return (folder, folder.appendingPathComponent("ckpt-10.h5"))
    }

    private func train(_ folder: URL, _ arguments: [String]) throws -> CommandRunner.Output {
        try CommandRunner.run(["train", "--config", try runs().appendingPathComponent("multi.json").path, "--output", folder.path,
                               "--set", "training.max_steps=20"] + arguments)
    }

    // MARK: Older formats

    /// Files of format_version 1 (no checksum, no seal) and 2 (no global batches: the trainer
    /// takes the config's batch × the saved world size) resume bit-exactly, as version 3 does.
    func testResumesBitExactlyFromFormatVersions1And2() throws {
        let straight = try CheckpointStore.read(try runs().appendingPathComponent("straight/ckpt-20.h5")).parameters
        for version: Int64 in [1, 2] {
            let (folder, checkpoint) = try copyOfTheTenStepRun()
            // Written without global batches (the checksum then leaves them out, as before version 3).
            try rewrite(folder, checkpoint) { c in for i in c.data.indices { c.data[i].globalBatch = nil } }
            if version == 1 {
                try FormatDowngrade.relabel(checkpoint, formatVersion: 1, removing: ["checksum", "checksum_algorithm"])
                try FormatDowngrade.removeSeal(checkpoint, userBlockSize: FileSeal.size)
            } else {
                try FormatDowngrade.relabel(checkpoint, formatVersion: 2)
                try FileSeal.seal(checkpoint)
            }
            let (contents, read) = try CheckpointStore.readVersioned(checkpoint)
            XCTAssertEqual(read, version, "the crafted file is not of the version under test")
            XCTAssertTrue(contents.data.allSatisfy { $0.globalBatch == nil }, "a version \(version) file has no global batches")
            XCTAssertEqual(try FileSeal.verify(checkpoint), version == 2)

            let resumed = try succeeded(train(folder, ["--resume"]))
            XCTAssertTrue(resumed.stdout.contains("hmtl: resumed from ckpt-10.h5 at step 10"), resumed.stdout)
            XCTAssertFalse(resumed.stdout.contains("--resume: skipped"), resumed.stdout)
            let final = try CheckpointStore.read(folder.appendingPathComponent("ckpt-20.h5"))
            XCTAssertEqual(final.step, 20)
            ParameterComparison.assertBitIdentical(final.parameters, straight, "resumed from a format_version \(version) file")
        }
    }

    // MARK: Refusals

    /// Runs `train` on a copy of the 10-step run after `edit`, expecting exit 2, one error line
    /// containing `says`, and the checkpoint untouched.
    private func assertRefused(_ arguments: [String] = ["--resume"], says: String, file: StaticString = #filePath, line: UInt = #line,
                               _ edit: (_ folder: URL, _ checkpoint: URL) throws -> Void = { _, _ in }) throws {
        let (folder, checkpoint) = try copyOfTheTenStepRun()
        try edit(folder, checkpoint)
        let before = try Data(contentsOf: checkpoint)
        let o = try train(folder, arguments)
        XCTAssertFalse(o.timedOut, file: file, line: line)
        XCTAssertEqual(o.status, 2, "stdout:\n\(o.stdout)\nstderr:\n\(o.stderr)", file: file, line: line)
        let errors = o.stderr.split(separator: "\n").filter { $0.hasPrefix("hmtl: error: ") }
        XCTAssertEqual(errors.count, 1, o.stderr, file: file, line: line)
        XCTAssertTrue(o.stderr.contains(says), "expected '\(says)' in:\n\(o.stderr)", file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: checkpoint), before, "the refused run changed the checkpoint", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ckpt-20.h5").path), file: file, line: line)
    }

    /// Rewrites the run's checkpoint (and marker) with edited, consistently checksummed contents.
    private func rewrite(_ folder: URL, _ checkpoint: URL, _ edit: (inout CheckpointContents) throws -> Void) throws {
        var contents = try CheckpointStore.read(checkpoint)
        try edit(&contents)
        XCTAssertEqual(try CheckpointStore.write(contents, to: folder), checkpoint)
    }

    func testRefusesAFolderWithACheckpointWithoutResume() throws {
        try assertRefused([], says: "already holds a run (it has a checkpoint); pass --resume to continue it or choose another --output")
    }

    func testRefusesAnotherConfig() throws {
        try assertRefused(["--resume", "--set", "seed=12", "--set", "tasks.ner.encoder.hidden=7"],
                          says: "multi.json; differing keys: seed, tasks.ner.encoder.hidden")
        try assertRefused(["--resume", "--set", "seed=12"], says: "ckpt-10.h5 was written with a different config than /")
    }

    func testRefusesWhenEveryCheckpointIsDamaged() throws {
        try assertRefused(says: "no valid checkpoint (ckpt-10.h5: ") { _, checkpoint in
            var bytes = try Data(contentsOf: checkpoint)
            bytes[bytes.count / 2] ^= 0xFF
            try bytes.write(to: checkpoint)
        }
    }

    func testRefusesANewerFormatVersion() throws {
        try assertRefused(says: "ckpt-10.h5: checkpoint format_version 7 is not supported (this build reads 1 to 6)") { _, checkpoint in
            try FormatDowngrade.relabel(checkpoint, formatVersion: 7)
            try FileSeal.seal(checkpoint)
        }
    }

    /// A launcher that started fewer ranks than `--world-size` says: refused before the folder is touched.
    func testRefusesAnotherWorldSizeThanTheLauncherStarted() throws {
        try assertRefused(["--resume", "--world-size", "2"], says: "hmtl: error: expected a world of 2 ranks but this one has 1")
    }

    func testRefusesAParameterTheModelNeedsButTheFileLacks() throws {
        try assertRefused(says: "ckpt-10.h5: parameter emd/projection/bias [13] is missing or has another shape") { folder, checkpoint in
            try rewrite(folder, checkpoint) { c in
                c.parameters.removeAll { $0.name == "emd/projection/bias" }
                for o in c.optimizers.indices {
                    c.optimizers[o].m.removeAll { $0.name == "emd/projection/bias" }
                    c.optimizers[o].v.removeAll { $0.name == "emd/projection/bias" }
                }
            }
        }
    }

    func testRefusesMissingOptimizerMoments() throws {
        try assertRefused(says: "ckpt-10.h5: optimizer moments for ner/crf/end are missing or have the wrong size") { folder, checkpoint in
            try rewrite(folder, checkpoint) { c in
                let ner = try XCTUnwrap(c.optimizers.firstIndex { $0.task == "ner" })
                c.optimizers[ner].m.removeAll { $0.name == "ner/crf/end" }
                c.optimizers[ner].v.removeAll { $0.name == "ner/crf/end" }
            }
        }
    }

    func testRefusesATaskWithoutItsRecords() throws {
        try assertRefused(says: "ckpt-10.h5: no optimizer, data position or progress record for task coref") { folder, checkpoint in
            try rewrite(folder, checkpoint) { c in c.data.removeAll { $0.task == "coref" } }
        }
    }

    func testRefusesAGlobalBatchOfZero() throws {
        try assertRefused(says: "ckpt-10.h5: task ner has global batch 0") { folder, checkpoint in
            try rewrite(folder, checkpoint) { c in c.data[try XCTUnwrap(c.data.firstIndex { $0.task == "ner" })].globalBatch = 0 }
        }
    }

    func testRefusesAPositionBetweenBatches() throws {
        var position = 0
        try assertRefused(says: "task ner: checkpointed position ") { folder, checkpoint in
            try rewrite(folder, checkpoint) { c in
                let ner = try XCTUnwrap(c.data.firstIndex { $0.task == "ner" })
                XCTAssertEqual(c.data[ner].globalBatch, 4)
                c.data[ner].position += 1
                position = c.data[ner].position
            }
        }
        XCTAssertEqual(position % 4, 1, "the edited position should sit inside a batch of 4")
    }

    func testRefusesASamplerStateOfTheWrongSize() throws {
        try assertRefused(says: "ckpt-10.h5: sampler state has 3 words, expected 4") { folder, checkpoint in
            try rewrite(folder, checkpoint) { c in c.samplerState.removeLast() }
        }
    }

    /// The same config over a corpus file that changed since the checkpoint: other vocabularies.
    func testRefusesVocabulariesBuiltFromChangedData() throws {
        let dir = try makeTemporaryDirectory()
        let sentences = ["Anna sees Bob in Paris .", "Bob runs to Berlin .", "the dog sees Anna ."]
        func corpus(_ sentences: [String]) -> String {
            sentences.map { $0.split(separator: " ").map { "\($0) NN O \($0.first!.isUppercase ? "B-PER" : "O")\n" }.joined() }
                .joined(separator: "\n")
        }
        let train = try writeFile(corpus(sentences), "train.conll", in: dir)
        let config = try writeFile("""
            { "seed": 1, "embedder": { "word_dim": 4, "char_dim": 3, "char_filters": 3 },
              "tasks": { "ner": { "data": { "format": "conll2003", "tag_scheme": "iob2", "train": "train.conll", "dev": "train.conll" },
                                  "batch_size": 2, "encoder": { "hidden": 3, "layers": 1 } } },
              "training": { "max_steps": 2, "checkpoint_every": 2 } }
            """, "files.json", in: dir)
        let run = dir.appendingPathComponent("run")
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", run.path]))
        let checkpoint = run.appendingPathComponent("ckpt-2.h5")
        let before = try Data(contentsOf: checkpoint)
        try corpus(sentences + ["Zoe flies to Oslo ."]).write(to: train, atomically: true, encoding: .utf8)
        let o = try CommandRunner.run(["train", "--config", config.path, "--output", run.path, "--resume", "--set", "training.max_steps=4"])
        XCTAssertEqual(o.status, 2, o.stdout + o.stderr)
        XCTAssertTrue(o.stderr.contains("hmtl: error: ckpt-2.h5: its vocabularies differ from the ones built from the corpus"), o.stderr)
        XCTAssertEqual(try Data(contentsOf: checkpoint), before)
    }

    /// A `latest` marker naming a file that is gone, with no other checkpoint left: the run
    /// committed a checkpoint once, so starting afresh would silently discard it.
    func testRefusesAMarkerWhoseCheckpointIsGone() throws {
        let (folder, checkpoint) = try copyOfTheTenStepRun()
        try FileManager.default.removeItem(at: checkpoint)
        let o = try train(folder, ["--resume"])
        XCTAssertEqual(o.status, 2, o.stdout + o.stderr)
        XCTAssertTrue(o.stderr.contains("hmtl: error: \(folder.path): no valid checkpoint (latest: the marker names ckpt-10.h5, which does not exist)"),
                      o.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ckpt-20.h5").path))
    }
}
