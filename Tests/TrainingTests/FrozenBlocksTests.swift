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
}
