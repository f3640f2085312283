import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Training

/// `"format": "columns"` in the config (the column map, the tag scheme, which tasks it feeds),
/// a file of both tag layers as one source of NER and EMD, and config strings no checkpoint
/// could store.
final class ColumnsConfigTests: XCTestCase {
    private func parse(_ data: String, task: String = "ner") throws -> RunConfig {
        let text = #"{"tasks": {"\#(task)": {"data": {"format": "columns", "train": "t.txt", "dev": "d.txt", \#(data)}}}}"#
        return try RunConfig(json: JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any], baseDirectory: URL(fileURLWithPath: "/base"))
    }

    private func assertError(_ data: String, task: String = "ner", contains expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try parse(data, task: task), line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error) does not mention \(expected)", line: line)
        }
    }

    func testColumnMapAndScheme() throws {
        let ner = try XCTUnwrap(parse(#""columns": {"word": 0, "ner": -1}"#).tasks[.ner]?.data)
        XCTAssertEqual(ner.format, .columns)
        XCTAssertEqual(ner.columns, ColumnFormat(word: 0, tags: [.entities: -1], scheme: .iob2))
        XCTAssertEqual(ner.train, "/base/t.txt")
        let emd = try XCTUnwrap(parse(#""columns": {"word": 1, "ner": 2, "emd": 3}, "tag_scheme": "iobes""#, task: "emd").tasks[.emd]?.data)
        XCTAssertEqual(emd.columns, ColumnFormat(word: 1, tags: [.entities: 2, .mentions: 3], scheme: .bioes))
        for scheme in TagScheme.allCases {
            XCTAssertEqual(try parse(#""columns": {"word": 0, "ner": 1}, "tag_scheme": "\#(scheme.rawValue)""#).tasks[.ner]?.data.columns?.scheme, scheme)
        }
    }

    func testColumnErrorsNameTheKey() {
        assertError(#""tag_scheme": "iob2""#, contains: #"tasks.ner.data.columns: missing; expected an object like {"word": 0, "ner": -1}"#)
        assertError(#""columns": {"word": 0, "emd": 1}"#, contains: "tasks.ner.data.columns.ner: missing; the column of the tags task ner trains on")
        assertError(#""columns": {"ner": 1}"#, contains: "tasks.ner.data.columns.word: missing")
        assertError(#""columns": {"word": 0, "ner": 1, "pos": 2}"#, contains: "tasks.ner.data.columns.pos: unknown key")
        assertError(#""columns": {"word": 1, "ner": 1}"#, contains: "tasks.ner.data.columns: 'word' and 'ner' are both column 1")
        assertError(#""columns": {"word": 0, "ner": "last"}"#, contains: "tasks.ner.data.columns.ner: expected an integer")
        assertError(#""columns": {"word": 0, "ner": 1}, "tag_scheme": "bio""#, contains: #"tasks.ner.data.tag_scheme: expected one of "iob1", "iob2", "bioes", "iobes", "bilou""#)
        assertError(#""columns": {"word": 0, "relation": 1}"#, task: "relation", contains: "tasks.relation.data.format: expected one of")
    }

    /// A file with a NER and an EMD column is one source of both tasks: read once, each task
    /// trains on its own column.
    func testOneFileFeedsNERAndEMD() throws {
        let directory = try makeTemporaryDirectory()
        let text = "John\tS-PER\tS-PER\nsaw\tO\tO\nthe\tO\tB-FAC\nParis\tS-LOC\tE-FAC\n\nIt\tO\tO\n"
        for name in ["t.txt", "d.txt"] { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        let data = #"{"format": "columns", "train": "t.txt", "dev": "d.txt", "columns": {"word": 0, "ner": 1, "emd": 2}, "tag_scheme": "bioes"}"#
        let config = directory.appendingPathComponent("both.json")
        try #"{"tasks": {"ner": {"data": \#(data)}, "emd": {"data": \#(data)}}}"#.write(to: config, atomically: true, encoding: .utf8)
        let run = try RunData.load(RunConfig.load(path: config.path))
        XCTAssertEqual(run.train[.ner]?.count, 2)
        XCTAssertEqual(run.train[.emd]?.count, 2)
        XCTAssertEqual(Set(run.vocabularies.tags[.ner]!.entries), ["O", "U-PER", "U-LOC"])
        XCTAssertEqual(Set(run.vocabularies.tags[.emd]!.entries), ["O", "U-PER", "B-FAC", "L-FAC"])
    }

    /// The config is stored in every checkpoint: a key or string it cannot store is an error
    /// naming the config file (or `--set`) and the key. (Each part is checked on its own, not
    /// the order the error message puts them in.)
    func testConfigStringsMustBeStorable() throws {
        let directory = try makeTemporaryDirectory()
        let good = #"{"tasks": {"ner": {"data": {"format": "demo"}}}, "debug": {"nan_steps": []}}"#
        let path = directory.appendingPathComponent("c.json").path
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertNoThrow(try RunConfig.load(path: path), "the premise: the config is valid")
        for (text, overrides, expected) in [
            (#"{"tasks": {"ner": {"data": {"format": "demo\u0000"}}}}"#, [String](),
             [path, "tasks.ner.data.format: ", #""demo\0" contains a NUL byte (U+0000)"#]),
            (#"{"tasks": {"ner": {"data": {"format": "demo"}}}, "order": ["ner\u0007"]}"#, [],
             [path, "order[0]: ", #""ner\u{07}" contains the control character U+0007"#]),
            (#"{"tasks": {"ner": {"data": {"format": "demo"}}}, "x\u0000": 1}"#, [], [path, #"the key "x\0" contains a NUL byte"#]),
            (good, [#"tasks.ner.data.format="demo\u0000""#], ["--set", "tasks.ner.data.format", #""demo\0" contains a NUL byte"#]),
        ] {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try RunConfig.load(path: path, overrides: overrides)) { error in
                XCTAssertTrue(error is ConfigError, "\(error)")
                for part in expected { XCTAssertTrue("\(error)".contains(part), "\(error)\nlacks \(part)") }
            }
        }
    }
}
