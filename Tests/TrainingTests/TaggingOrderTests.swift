import Checkpoint
import Foundation
import TestSupport
import XCTest

/// `"order": ["emd", "ner"]` (setups K and L) through `train`: EMD is the bottom tagging level
/// and NER reads [g_e, h_emd]. Seen in the checkpoint's layout and shapes, and in what each
/// step moves: an EMD step leaves NER (above it) untouched, a NER step moves the EMD encoder
/// below it — the opposite of the default order.
final class TaggingOrderTests: XCTestCase {
    /// Different encoder sizes, so the shapes tell the levels apart; g_e = 5 words + 4 char filters.
    static let config: String = {
        var two = TwoTaggerConfig(seed: 8, training: ["max_steps": 10, "log_every": 1, "validate_every": 100, "checkpoint_every": 1,
                                                      "keep_checkpoints": 20, "patience": 100])
        (two.order, two.wordDim, two.charFilters) = (["emd", "ner"], 5, 4)
        (two.ner, two.emd) = (.init(dataSeed: 2), .init(dataSeed: 2, hidden: 7))
        return two.json
    }()

    private func parameters(_ url: URL) throws -> [String: NamedArray] {
        Dictionary(uniqueKeysWithValues: try CheckpointStore.read(url).parameters.map { ($0.name, $0) })
    }

    func testEMDBelowNERTrainsInThatOrder() throws {
        let dir = try makeTemporaryDirectory()
        let config = try writeFile(Self.config, "order.json", in: dir)
        let run = dir.appendingPathComponent("run")
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", run.path]))
        let last = try CheckpointStore.read(run.appendingPathComponent("ckpt-10.h5"))

        // Layout: embedder, then EMD, then NER; EMD's encoder reads g_e, NER's reads [g_e, h_emd].
        let levels = last.parameters.map { String($0.name.prefix { $0 != "/" }) }
        XCTAssertEqual(levels.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }, ["embedder", "emd", "ner"])
        let shapes = Dictionary(uniqueKeysWithValues: last.parameters.map { ($0.name, $0.shape) })
        XCTAssertEqual(shapes["emd/encoder/l0/fwd/w_ih"], [4 * 7, 9], "EMD's input is g_e alone")
        XCTAssertEqual(shapes["ner/encoder/l0/fwd/w_ih"], [4 * 3, 9 + 2 * 7], "NER's input is [g_e, EMD's BiLSTM output]")

        // What each step moved, from consecutive checkpoints and the task the step drew.
        let tasks = try RunRecords(run: run).drawnTasks()
        XCTAssertEqual(tasks.count, 10)
        var checked: Set<String> = []
        for step in 2...10 {
            let before = try parameters(run.appendingPathComponent("ckpt-\(step - 1).h5"))
            let after = try parameters(run.appendingPathComponent("ckpt-\(step).h5"))
            func moved(_ prefix: String) -> Bool {
                after.keys.filter { $0.hasPrefix(prefix) }.contains { before[$0]!.values != after[$0]!.values }
            }
            switch tasks[step - 1] {
            case "emd":
                XCTAssertTrue(moved("emd/encoder/"), "step \(step) (emd)")
                XCTAssertFalse(moved("ner/"), "step \(step): an EMD step moved NER, which should sit above it")
            case "ner":
                XCTAssertTrue(moved("ner/"), "step \(step) (ner)")
                XCTAssertTrue(moved("emd/encoder/"), "step \(step): a NER step left the EMD encoder below it untouched")
                XCTAssertFalse(moved("emd/crf/") || moved("emd/projection/"), "step \(step): a NER step moved EMD's head")
            default:
                XCTFail("step \(step) drew \(tasks[step - 1])")
            }
            checked.insert(tasks[step - 1])
        }
        XCTAssertEqual(checked, ["emd", "ner"], "steps 2–10 did not sample both tasks")
    }
}
