import Checkpoint
import Corpus
import Distributed
import Foundation
import Model
import Tensor
import TestSupport
import XCTest
@testable import Training

/// `"trainable": false` and `--init-from` (docs/building-on.md): frozen ranges, steps that leave
/// them bit-identical, the parameter transfer by name and shape, its errors, vocabulary extension.
final class FrozenBlocksTests: XCTestCase {
    /// The multi-task test config with `overrides` applied.
    func config(_ overrides: [String] = []) throws -> RunConfig {
        var root = try JSONSerialization.jsonObject(with: Data(MultiTaskConfig.json.utf8)) as! [String: Any]
        for o in ["training.validate_every=1000"] + overrides { try RunConfig.apply(override: o, to: &root) }
        return try RunConfig(json: root, baseDirectory: nil)
    }

    func trainer(_ config: RunConfig) throws -> Trainer {
        try Trainer(config: config, communicator: SingleProcessCommunicator(), data: try RunData.load(config),
                    output: try makeTemporaryDirectory(), pretrained: nil)
    }

    func testTrainableRangesLeaveOutFrozenBlocksAndEqualTheTasksRangesWithoutThem() throws {
        let plain = try trainer(try config()).model
        for task in plain.tasks { XCTAssertEqual(plain.trainableRanges(for: task), plain.parameterRanges(for: task)) }
        let frozen = try trainer(try config(["embedder.trainable=false", "tasks.ner.trainable=false"])).model
        let blocks = Dictionary(uniqueKeysWithValues: frozen.namedBlocks.map { ($0.name, $0.range) })
        XCTAssertEqual(frozen.trainableRanges(for: .ner), [])
        XCTAssertEqual(frozen.trainableRanges(for: .emd), [blocks["emd"]!])
        XCTAssertEqual(frozen.frozenRanges(for: .emd), [blocks["embedder"]!, blocks["ner"]!])
        // With only NER frozen, EMD's step updates the embedder and its own block around it.
        let middle = try trainer(try config(["tasks.ner.trainable=false"])).model
        XCTAssertEqual(middle.trainableRanges(for: .emd), [0..<blocks["ner"]!.lowerBound, blocks["emd"]!])
    }

    /// Frozen blocks stay bit-identical through steps of every task; a task whose every block is
    /// frozen is never drawn, and its Adam holds no state.
    func testFrozenBlocksStayBitIdenticalAndGetNoOptimizerState() throws {
        for frozen in [["embedder.trainable=false", "tasks.ner.trainable=false"], ["tasks.ner.trainable=false"],
                       ["embedder.trainable=false", "tasks.ner.trainable=false", "tasks.ner.dropout_when_frozen=false"]] {
            let t = try trainer(try config(frozen))
            let blocks = t.model.frozenBlocks
            XCTAssertEqual(t.optimizers.values.map { $0.m.count }.reduce(0, +),
                           t.model.tasks.map { t.model.trainableRanges(for: $0).reduce(0) { $0 + $1.count } }.reduce(0, +))
            let before = Array(t.arena.values)
            var stepped: Set<Task> = []
            for _ in 0..<12 { stepped.insert(try t.trainStep().0) }
            let after = Array(t.arena.values)
            for r in blocks { XCTAssertEqual(before[r].map(\.bitPattern), after[r].map(\.bitPattern), "\(frozen): \(r) moved") }
            XCTAssertTrue(t.arena.grads.allSatisfy { $0 == 0 }, "\(frozen): gradients left between steps")
            XCTAssertNotEqual(before, after)
            if frozen.contains("embedder.trainable=false") {
                XCTAssertFalse(stepped.contains(.ner), "\(frozen): a wholly frozen task was drawn")
                XCTAssertEqual(t.optimizers[.ner]!.m.count, 0)
            }
        }
    }

    func testEverythingFrozenIsRefused() throws {
        let all = ["embedder", "tasks.ner", "tasks.emd", "tasks.relation", "tasks.coref"].map { "\($0).trainable=false" }
        XCTAssertThrowsError(try trainer(try config(all))) { error in
            XCTAssertTrue("\(error)".contains("nothing to train"), "\(error)")
        }
    }

    func testVocabularyExtensionKeepsTheOldIndices() {
        let old = Vocabulary(kind: .words, entries: [Vocabulary.padding, Vocabulary.unknown, "the", "cat"])!
        let new = Vocabulary(kind: .words, entries: [Vocabulary.padding, Vocabulary.unknown, "dog", "the"])!
        XCTAssertEqual(old.extended(with: new).entries, [Vocabulary.padding, Vocabulary.unknown, "the", "cat", "dog"])
    }

    /// Everything loaded where name and shape match; the new level new; vocabulary tables
    /// keep their saved rows; the run's vocabularies begin with the checkpoint's.
    func testTransferLoadsByNameAndShapeAndKeepsTheSavedRows() throws {
        let source = try trainer(try config(["tasks={\"ner\": {\"data\": {\"format\": \"demo\", \"documents\": 30, \"seed\": 2}, \"batch_size\": 4, \"encoder\": {\"hidden\": 6, \"layers\": 1}}}"]))
        _ = try source.trainStep()
        let saved = source.checkpointContents()
        let target = try config(["embedder.trainable=false", "tasks.ner.trainable=false"])
        let base = try Vocabularies(namespaces: saved.vocabularies, file: "source")
        let data = try RunData.load(target, extending: base)
        XCTAssertEqual(Array(data.vocabularies.words.entries.prefix(base.words.count)), base.words.entries)
        let t = try Trainer(config: target, communicator: SingleProcessCommunicator(), data: data, output: try makeTemporaryDirectory(), pretrained: nil)
        let transfer = try ParameterTransfer(saved: saved.parameters, savedConfig: saved.config, savedVocabularies: saved.vocabularies,
                                             model: t.model, config: target, file: "source.h5")
        transfer.apply(to: t.arena)
        XCTAssertEqual(Set(transfer.loaded), Set(saved.parameters.map(\.name)))
        XCTAssertTrue(transfer.new.allSatisfy { !$0.hasPrefix("ner/") && !$0.hasPrefix("embedder/") } && !transfer.new.isEmpty)
        for s in saved.parameters {
            let p = t.model.layout.parameters.first { $0.name == s.name }!
            XCTAssertEqual(Array(t.arena.values[p.offset..<(p.offset + s.values.count)]).map(\.bitPattern), s.values.map(\.bitPattern), s.name)
        }
    }

    /// A loaded level whose shapes changed names the key; `"init": "fresh"` lets it start over.
    func testChangedShapeNamesTheKeyUnlessTheLevelStartsFresh() throws {
        let source = try trainer(try config())
        let saved = source.checkpointContents()
        func transfer(_ overrides: [String]) throws -> ParameterTransfer {
            let target = try config(overrides)
            let data = try RunData.load(target, extending: try Vocabularies(namespaces: saved.vocabularies, file: "source"))
            let t = try Trainer(config: target, communicator: SingleProcessCommunicator(), data: data, output: try makeTemporaryDirectory(), pretrained: nil)
            return try ParameterTransfer(saved: saved.parameters, savedConfig: saved.config, savedVocabularies: saved.vocabularies,
                                         model: t.model, config: target, file: "source.h5")
        }
        XCTAssertThrowsError(try transfer(["tasks.emd.encoder.hidden=7"])) { error in
            XCTAssertTrue("\(error)".contains("level emd: parameter emd/encoder/l0/fwd/w_ih is [24, 26] in the checkpoint, [28, 26] in config (differing keys: tasks.emd.encoder.hidden); set tasks.emd.init to \"fresh\""), "\(error)")
        }
        // The levels on EMD read a wider input: their error says no key of their own differs.
        XCTAssertThrowsError(try transfer(["tasks.emd.encoder.hidden=7", "tasks.emd.init=fresh"])) { error in
            XCTAssertTrue("\(error)".contains("level coref: parameter coref/encoder/l0/fwd/w_ih is [24, 26] in the checkpoint, [24, 28] in config (no key of its own differs: a block below changed its width)"), "\(error)")
        }
        let fresh = try transfer(["tasks.emd.encoder.hidden=7"] + ["emd", "coref", "relation"].map { "tasks.\($0).init=fresh" })
        XCTAssertTrue(fresh.skipped.contains(ParameterTransfer.Mismatch(name: "emd/encoder/l0/fwd/w_ih", saved: [24, 26], current: [28, 26])))
        XCTAssertTrue(fresh.fresh.contains("emd/crf/transitions"))
        XCTAssertTrue(fresh.loaded.allSatisfy { $0.hasPrefix("embedder/") || $0.hasPrefix("ner/") } && fresh.loaded.contains("ner/crf/end"))
    }

    func testADifferentTagInventoryIsAnError() {
        let saved = ["ner_tags": ["O", "U-PER", "U-LOC"]], now = ["ner_tags": ["O", "U-PER", "U-ORG"]]
        XCTAssertThrowsError(try ParameterTransfer.checkLabels(saved, now, shared: ["embedder", "ner"], file: "a.h5")) { error in
            XCTAssertEqual("\(error)", "a.h5: level ner: its ner_tags differ from the training data's (missing from the data: U-LOC; new in the data: U-ORG); set tasks.ner.init to \"fresh\" to train the level from the seed")
        }
        XCTAssertNoThrow(try ParameterTransfer.checkLabels(saved, now, shared: ["embedder"], file: "a.h5"))
    }

    func testRelationTypesBelongToTheRelationLevelOnly() {
        let saved = ["relation_types": ["Kill", "Work_For"]], now = ["relation_types": ["Kill", "Live_In"]]
        // Coreference learns no labels: loading it while relations start fresh is no error.
        XCTAssertNoThrow(try ParameterTransfer.checkLabels(saved, now, shared: ["embedder", "coref"], file: "a.h5"))
        XCTAssertThrowsError(try ParameterTransfer.checkLabels(saved, now, shared: ["coref", "relation"], file: "a.h5")) { error in
            XCTAssertTrue("\(error)".hasPrefix("a.h5: level relation: its relation_types differ"), "\(error)")
        }
    }

    // MARK: Runs under mpirun

    private func latestParameters(_ dir: URL) throws -> [NamedArray] {
        try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: dir))).parameters
    }

    /// A run started --init-from with NER and the embedder frozen, on 2 ranks: stopped at step
    /// 10 and resumed, it ends bit-identical to one that ran 20 steps straight; the frozen
    /// blocks still hold the source's values, and its checkpoints name their origin.
    func testInitFromWithFrozenLevelsResumesBitExactlyOnTwoRanks() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let source = dir.appendingPathComponent("source")
        XCTAssertEqual(try CommandRunner.run(["train", "--config", config.path, "--output", source.path]).status, 0)
        let origin = try XCTUnwrap(try CheckpointStore.latest(in: source))
        let common = ["train", "--config", config.path, "--init-from", origin.path, "--set", "embedder.trainable=false",
                      "--set", "tasks.ner.trainable=false", "--set", "training.validate_every=5"]
        let straight = dir.appendingPathComponent("straight"), resumed = dir.appendingPathComponent("resumed")
        let first = try CommandRunner.mpirun(ranks: 2, common + ["--output", straight.path, "--set", "training.max_steps=20"])
        XCTAssertEqual(first.status, 0, first.stdout + first.stderr)
        XCTAssertTrue(first.stdout.contains("hmtl: --init-from \(origin.path):"), first.stdout)
        // NER, wholly frozen, is validated but spends no patience and keeps its rate.
        let nerValidations = first.stdout.split(separator: "\n").filter { $0.hasPrefix("validation step") && $0.contains(" | ner | ") }
        XCTAssertGreaterThanOrEqual(nerValidations.count, 2, first.stdout)
        XCTAssertTrue(nerValidations.dropFirst().allSatisfy { $0.hasSuffix(" | frozen") }, "\(nerValidations)")
        XCTAssertFalse(first.stdout.contains("ner: dev score on a plateau"), first.stdout)
        XCTAssertEqual(try CommandRunner.mpirun(ranks: 2, common + ["--output", resumed.path, "--set", "training.max_steps=10"]).status, 0)
        let again = try CommandRunner.mpirun(ranks: 2, common + ["--output", resumed.path, "--set", "training.max_steps=20", "--resume"])
        XCTAssertEqual(again.status, 0, again.stdout + again.stderr)
        let a = try latestParameters(straight), b = try latestParameters(resumed)
        ParameterComparison.assertBitIdentical(a, b, "an --init-from run with frozen levels, resumed on 2 ranks")
        let saved = Dictionary(uniqueKeysWithValues: try CheckpointStore.read(origin).parameters.map { ($0.name, $0.values) })
        for p in a where p.name.hasPrefix("ner/") || p.name.hasPrefix("embedder/") {
            XCTAssertEqual(p.values.map(\.bitPattern), saved[p.name]!.map(\.bitPattern), "frozen \(p.name) moved")
        }
        let written = try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: resumed)))
        XCTAssertEqual(written.origin, CheckpointOrigin(file: origin.path, checksum: try CheckpointStore.read(origin).checksum, frozen: ["embedder", "ner"]))
    }

    /// 2 ranks × b make the update of 1 rank × 2b with a frozen level in the middle (NER under
    /// EMD, the embedder trained through it).
    func testTwoRanksEqualOneRankWithDoubleBatchWithAFrozenLevel() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let dir = try makeTemporaryDirectory()
        let config = dir.appendingPathComponent("multi.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let common = ["train", "--config", config.path, "--set", "tasks.ner.trainable=false"]
        let two = try CommandRunner.mpirun(ranks: 2, common + ["--output", dir.appendingPathComponent("two").path])
        XCTAssertEqual(two.status, 0, two.stdout + two.stderr)
        let doubled = ["--set", "tasks.ner.batch_size=8", "--set", "tasks.emd.batch_size=8",
                       "--set", "tasks.relation.batch_size=4", "--set", "tasks.coref.batch_size=2"]
        let one = try CommandRunner.run(common + ["--output", dir.appendingPathComponent("one").path] + doubled)
        XCTAssertEqual(one.status, 0, one.stdout + one.stderr)
        XCTAssertEqual(try RunRecords(run: dir.appendingPathComponent("two")).sampledSteps(),
                       try RunRecords(run: dir.appendingPathComponent("one")).sampledSteps())
        let a = try latestParameters(dir.appendingPathComponent("two")), b = try latestParameters(dir.appendingPathComponent("one"))
        XCTAssertLessThan(ParameterComparison.relativeDifference(a, b), 1e-4, "2 ranks × b and 1 rank × 2b diverged with NER frozen")
    }
}
