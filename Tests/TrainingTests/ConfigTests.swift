import Foundation
import XCTest
@testable import Training

final class ConfigTests: XCTestCase {
    private func parse(_ text: String, overrides: [String] = []) throws -> RunConfig {
        var root = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        for o in overrides { try RunConfig.apply(override: o, to: &root) }
        return try RunConfig(json: root, baseDirectory: URL(fileURLWithPath: "/base"))
    }

    private let minimal = #"{"tasks": {"ner": {"data": {"format": "demo"}}}}"#

    private func assertError(_ text: String, overrides: [String] = [], contains expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try parse(text, overrides: overrides), line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error) does not mention \(expected)", line: line)
        }
    }

    func testDefaultsFollowTheReference() throws {
        let c = try parse(minimal)
        XCTAssertEqual(c.schedule.learningRate, 1e-3)
        XCTAssertEqual(c.schedule.gradientClip, 10)
        XCTAssertEqual(c.schedule.gradientNorm, 5)
        XCTAssertEqual(c.tasks[.ner]?.tagger.hiddenSize, 64)
        XCTAssertEqual(c.tasks[.ner]?.tagger.layers, 2)
        XCTAssertEqual(c.embedder.charFilters, 64)
    }

    func testUnknownKeysAndBadValuesNameTheKeyPath() {
        assertError(#"{"tasks": {"ner": {"data": {"format": "demo"}, "batchsize": 3}}}"#, contains: "tasks.ner.batchsize: unknown key")
        assertError(#"{"tasks": {"ner": {"data": {"format": "demo"}}}, "training": {"learning_rate": -1}}"#, contains: "training.learning_rate")
        assertError(#"{"tasks": {"ner": {"data": {"format": "demo"}}}, "training": {"max_steps": "many"}}"#, contains: "training.max_steps: expected an integer")
        assertError(#"{"tasks": {"ner": {"data": {"format": "csv"}}}}"#, contains: "tasks.ner.data.format: expected one of")
        assertError(#"{"tasks": {"ner": {"data": {"format": "conll04"}}}}"#, contains: "tasks.ner.data.train: missing")
        assertError(#"{"tasks": {}}"#, contains: "tasks")
        assertError(#"{"tasks": {"ner": {"data": {"format": "demo"}}}, "embedder": {"char_dropout": true}}"#, contains: "embedder.char_dropout: expected a number")
        assertError(minimal, overrides: ["training.patience=0"], contains: "training.patience")
        assertError(minimal, overrides: ["nokey"], contains: "expected key.path=value")
    }

    func testOverridesAndFingerprint() throws {
        let a = try parse(minimal, overrides: ["training.max_steps=7", "tasks.ner.data.documents=30"])
        XCTAssertEqual(a.schedule.maxSteps, 7)
        XCTAssertEqual(a.tasks[.ner]?.data.documents, 30)
        let b = try parse(minimal, overrides: ["tasks.ner.data.documents=30", "training.max_steps=7"])
        XCTAssertEqual(a.fingerprint, b.fingerprint, "the fingerprint must not depend on key order")
        XCTAssertNotEqual(a.fingerprint, try parse(minimal).fingerprint)
    }

    func testRelativeDataPathsResolveAgainstTheConfigFolder() throws {
        let c = try parse(#"{"tasks": {"ner": {"data": {"format": "conll04", "train": "d/t.txt", "dev": "/abs/dev.txt"}}}}"#)
        XCTAssertEqual(c.tasks[.ner]?.data.train, "/base/d/t.txt")
        XCTAssertEqual(c.tasks[.ner]?.data.dev, "/abs/dev.txt")
    }

    /// Every shipped config parses, and the paper's setups (Table 3) are all there.
    func testShippedConfigsParse() throws {
        let configs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs")
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: configs.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".json") }
        for file in files {
            XCTAssertNoThrow(try RunConfig.load(path: configs.appendingPathComponent(file).path), file)
        }
        let setups = ["A", "A-GM", "B", "C", "D", "E", "E-GM", "F", "G", "H", "I", "J", "K", "L"]
        for folder in ["ace05", "conll04-litbank"] {
            for setup in setups { XCTAssertTrue(files.contains("\(folder)/\(setup).json"), "\(folder)/\(setup).json is missing") }
        }
        let swapped = try RunConfig.load(path: configs.appendingPathComponent("conll04-litbank/L.json").path)
        XCTAssertEqual(swapped.taggingOrder, [.emd, .ner])
        XCTAssertEqual(swapped.modelSettings.taggers.map(\.task), [.emd, .ner])
        let goldMentions = try RunConfig.load(path: configs.appendingPathComponent("ace05/A-GM.json").path)
        XCTAssertTrue(goldMentions.tasks[.coref]!.coref.evaluateOnGoldMentions)
    }

    func testConfigDifferenceListsChangedKeys() throws {
        let keys = try ConfigDifference.keys(between: #"{"a": 1, "b": {"c": 2, "d": 3}}"#, and: #"{"a": 1, "b": {"c": 5}}"#)
        XCTAssertEqual(keys, ["b.c", "b.d"])
    }
}
