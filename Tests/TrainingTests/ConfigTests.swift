import Foundation
import TestSupport
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
        XCTAssertTrue(c.schedule.overlapReduction)
        XCTAssertEqual(c.schedule.bucketKiB, 128)
    }

    func testReductionKeys() throws {
        let c = try parse(minimal, overrides: ["training.overlap_reduction=false", "training.bucket_kb=4"])
        XCTAssertFalse(c.schedule.overlapReduction)
        XCTAssertEqual(c.schedule.bucketKiB, 4)
        assertError(minimal, overrides: ["training.bucket_kb=0"], contains: "training.bucket_kb")
        assertError(minimal, overrides: ["training.overlap_reduction=1"], contains: "training.overlap_reduction")
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

    func testNestedWrongTypesNameTheKeyPath() {
        let ner = #""tasks": {"ner": {"data": {"format": "demo"}}}"#
        for (text, expected) in [
            (#"{"tasks": []}"#, "tasks: expected an object, got an array"),
            (#"{"tasks": {"ner": 3}}"#, "tasks.ner: expected an object, got 3"),
            (#"{"tasks": {"ner": {"data": []}}}"#, "tasks.ner.data: expected an object"),
            (#"{"tasks": {"ner": {"data": {"format": 3}}}}"#, "tasks.ner.data.format: expected a string"),
            (#"{"tasks": {"ner": {"data": {"format": "demo"}, "encoder": "big"}}}"#, "tasks.ner.encoder: expected an object"),
            (#"{\#(ner), "embedder": "x"}"#, #"embedder: expected an object, got the string "x""#),
            (#"{\#(ner), "training": [1]}"#, "training: expected an object, got an array"),
            (#"{\#(ner), "order": "ner"}"#, "order: expected an array of strings"),
            (#"{\#(ner), "order": ["ner", 3]}"#, "order: expected an array of strings"),
            (#"{\#(ner), "order": []}"#, "order: expected the configured tagging tasks"),
            (#"{\#(ner), "order": ["ner", "ner"]}"#, "order: expected the configured tagging tasks"),
            (#"{\#(ner), "embedder": {"glove": 5}}"#, "embedder.glove: expected a string"),
            (#"{\#(ner), "training": {"sampling": ["uniform"]}}"#, "training.sampling: expected a string"),
        ] {
            assertError(text, contains: expected)
        }
    }

    func testHugeAndNonNumericValues() {
        for number in ["1e300", "-1e300", "9223372036854775807", "-9223372036854775808", "18446744073709551615",
                       "100000000000000000000000000000"] {
            assertError(minimal, overrides: ["seed=\(number)"], contains: "seed: expected an integer in 0...")
            assertError(minimal, overrides: ["training.max_steps=\(number)"], contains: "training.max_steps: expected an integer in 1...")
            assertError(minimal, overrides: ["training.learning_rate=\(number)"], contains: "training.learning_rate: expected a number in (0.0, 10.0]")
        }
        for text in ["NaN", "nan", "Infinity", "-inf", "1e", "0x10", "\"3\""] {
            assertError(minimal, overrides: ["training.max_steps=\(text)"], contains: "training.max_steps: expected an integer, got the string")
            assertError(minimal, overrides: ["training.beta1=\(text)"], contains: "training.beta1: expected a number, got the string")
        }
        assertError(minimal, overrides: ["training.max_steps=2.5"], contains: "training.max_steps: expected an integer, got 2.5")
        assertError(minimal, overrides: ["training.max_steps=true"], contains: "training.max_steps: expected an integer, got true")
        assertError(minimal, overrides: ["tasks.ner.data.format.x=1"], contains: "--set tasks.ner.data.format.x=1: tasks.ner.data.format: not an object")
        assertError(minimal, overrides: ["tasks..ner=1"], contains: "empty key")
    }

    func testLoadReportsWholeFileErrors() throws {
        let directory = try makeTemporaryDirectory()
        let path = { (name: String) in directory.appendingPathComponent(name).path }
        try Data([0x7B, 0xE9, 0x7D]).write(to: URL(fileURLWithPath: path("latin1.json")))
        try Data("[1, 2]".utf8).write(to: URL(fileURLWithPath: path("array.json")))
        try Data(#"{"tasks": "#.utf8).write(to: URL(fileURLWithPath: path("cut.json")))
        XCTAssertEqual(mkfifo(path("pipe.json"), 0o600), 0)
        for (name, expected) in [("missing.json", "no such file"), ("latin1.json", "not valid UTF-8"), ("pipe.json", "not a regular file"),
                                 ("array.json", "expected a JSON object at the top level"), ("cut.json", "not valid JSON")] {
            XCTAssertThrowsError(try RunConfig.load(path: path(name)), name) { error in
                XCTAssertTrue(error is ConfigError && "\(error)".contains(expected), "\(error)")
            }
        }
        XCTAssertThrowsError(try RunConfig.load(path: directory.path)) { XCTAssertTrue("\($0)".contains("is a directory"), "\($0)") }
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
        XCTAssertEqual(swapped.modelSettings.levels.map(\.task), [.emd, .ner, .coref, .relation])
        let goldMentions = try RunConfig.load(path: configs.appendingPathComponent("ace05/A-GM.json").path)
        XCTAssertTrue(goldMentions.tasks[.coref]!.coref.evaluateOnGoldMentions)
    }

    func testConfigDifferenceListsChangedKeys() throws {
        let keys = try ConfigDifference.keys(between: #"{"a": 1, "b": {"c": 2, "d": 3}}"#, and: #"{"a": 1, "b": {"c": 5}}"#)
        XCTAssertEqual(keys, ["b.c", "b.d"])
    }
}
