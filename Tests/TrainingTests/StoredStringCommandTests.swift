import Checkpoint
import Foundation
import TestSupport
import XCTest
@testable import Training

/// `hmtl train` on a corpus with a NUL byte in a token, in every format: exit 2 with the file and
/// line, before the run folder exists; with `--lenient` the record is skipped, reported, and
/// training goes on. (Before the check, such a run trained and then stopped at its first
/// checkpoint, unable to write the character vocabulary.)
final class StoredStringCommandTests: XCTestCase {
    /// One corpus: its files (relative path → text, `@@` where the bad byte goes), the config's
    /// `tasks` object, and the file and line the error must name.
    private struct Fixture: Sendable {
        var format: String
        var files: [String: String]
        var tasks: String
        var badFile: String
        var badLine: Int
    }

    private static let encoder = #""batch_size": 2, "encoder": { "hidden": 4, "layers": 1 }"#

    private static let corpora: [Fixture] = [
        Fixture(format: "conll2003", files: ["train.conll": "-DOCSTART- -X- -X- O\n\nEU NNP I-NP I-ORG\n\nJo@@hn NNP I-NP I-PER\n",
                                            "dev.conll": "Paris NNP I-NP I-LOC\n"],
               tasks: #"{"ner": {"data": {"format": "conll2003", "train": "train.conll", "dev": "dev.conll"}, \#(encoder)}}"#,
               badFile: "train.conll", badLine: 5),
        Fixture(format: "columns", files: ["train.txt": "EU S-ORG\n\nJo@@hn S-PER\n", "dev.txt": "Paris S-LOC\n"],
               tasks: #"{"ner": {"data": {"format": "columns", "columns": {"word": 0, "ner": -1}, "tag_scheme": "bioes", "train": "train.txt", "dev": "dev.txt"}, \#(encoder)}}"#,
               badFile: "train.txt", badLine: 3),
        Fixture(format: "conll04", files: ["train.txt": "#doc 1\n0\tEU\tB-Org\t['N']\t[0]\n#doc 2\n0\tJo@@hn\tB-Peop\t['N']\t[0]\n",
                                          "dev.txt": "#doc 3\n0\tParis\tB-Loc\t['N']\t[0]\n"],
               tasks: #"{"ner": {"data": {"format": "conll04", "train": "train.txt", "dev": "dev.txt"}, \#(encoder)}}"#,
               badFile: "train.txt", badLine: 4),
        Fixture(format: "conll2012", files: ["train.gold_conll": "#begin document (a); part 0\na 0 0 EU NNP * - - - - (ORG) -\n#end document\n#begin document (b); part 0\nb 0 0 Jo@@hn NNP * - - - - (PERSON) -\n#end document\n",
                                            "dev.gold_conll": "#begin document (c); part 0\nc 0 0 Paris NNP * - - - - (GPE) -\n#end document\n"],
               tasks: #"{"ner": {"data": {"format": "conll2012", "train": "train.gold_conll", "dev": "dev.gold_conll"}, \#(encoder)}}"#,
               badFile: "train.gold_conll", badLine: 5),
        Fixture(format: "dygie", files: ["train.json": "{\"doc_key\": \"a\", \"sentences\": [[\"EU\"]], \"ner\": [[[0, 0, \"ORG\"]]]}\n{\"doc_key\": \"b\", \"sentences\": [[\"Jo@@hn\"]], \"ner\": [[[0, 0, \"PER\"]]]}\n",
                                        "dev.json": "{\"doc_key\": \"c\", \"sentences\": [[\"Paris\"]], \"ner\": [[[0, 0, \"LOC\"]]]}\n"],
               tasks: #"{"ner": {"data": {"format": "dygie", "train": "train.json", "dev": "dev.json"}, \#(encoder)}}"#,
               badFile: "train.json", badLine: 2),
        Fixture(format: "litbank", files: ["splits.txt": "train a\ntrain b\ndev c\ntest d\n",
                                          "coref/a_brat.conll": litbankCoref("a", "EU"), "entities/a_brat.tsv": "EU\tB-ORG\t\n",
                                          "coref/b_brat.conll": litbankCoref("b", "Jo@@hn"), "entities/b_brat.tsv": "Jo@@hn\tB-PER\t\n",
                                          "coref/c_brat.conll": litbankCoref("c", "Paris"), "entities/c_brat.tsv": "Paris\tB-LOC\t\n",
                                          "coref/d_brat.conll": litbankCoref("d", "Rome"), "entities/d_brat.tsv": "Rome\tB-LOC\t\n"],
               tasks: #"{"emd": {"data": {"format": "litbank", "directory": "."}, \#(encoder)}}"#,
               badFile: "coref/b_brat.conll", badLine: 2),
    ]

    private static func litbankCoref(_ name: String, _ word: String) -> String {
        "#begin document (\(name)_brat); part 0\n" + (["\(name)_brat", "0", "0", word] + Array(repeating: "_", count: 8) + ["(0)"]).joined(separator: "\t")
            + "\n#end document\n"
    }

    /// Writes `corpus` into a fresh folder with `bad` in place of `@@`, and its config.
    private func write(_ corpus: Fixture, bad: String) throws -> (directory: URL, config: URL) {
        let directory = try makeTemporaryDirectory()
        for (name, text) in corpus.files {
            let url = directory.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.replacingOccurrences(of: "@@", with: bad).write(to: url, atomically: true, encoding: .utf8)
        }
        let config = directory.appendingPathComponent("config.json")
        try #"{"seed": 1, "embedder": {"word_dim": 4, "char_dim": 3, "char_filters": 4}, "tasks": \#(corpus.tasks), "training": {"max_steps": 2, "log_every": 1, "validate_every": 2, "checkpoint_every": 2}}"#
            .write(to: config, atomically: true, encoding: .utf8)
        return (directory, config)
    }

    func testANulByteStopsTrainingBeforeTheRunFolderExists() throws {
        XCTAssertEqual(Set(Self.corpora.map(\.format)), Set(DataSource.Format.allCases.map(\.rawValue)).subtracting(["demo"]),
                       "every file format is covered")
        for corpus in Self.corpora {
            let clean = try write(corpus, bad: "")
            XCTAssertNoThrow(try RunData.load(RunConfig.load(path: clean.config.path)), "the premise: \(corpus.format) reads without the NUL")

            let (directory, config) = try write(corpus, bad: "\0")
            let bad = directory.appendingPathComponent(corpus.badFile).path
            XCTAssertTrue(try String(contentsOfFile: bad, encoding: .utf8).contains("\0"), "the premise: the file holds a NUL")
            let run = directory.appendingPathComponent("run")
            let output = try CommandRunner.run(["train", "--config", config.path, "--output", run.path])
            XCTAssertEqual(output.status, 2, "\(corpus.format): \(output.stdout)\(output.stderr)")
            XCTAssertTrue(output.stderr.contains("hmtl: error: \((bad as NSString).standardizingPath):\(corpus.badLine): "),
                          "\(corpus.format): \(output.stderr)")
            XCTAssertTrue(output.stderr.contains(#"contains a NUL byte (U+0000)"#), "\(corpus.format): \(output.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "\(corpus.format): \(run.path) was created")
        }
    }

    /// `--lenient` leaves the bad record out, says so, and the run's checkpoint holds only what
    /// was kept.
    func testLenientTrainingSkipsTheRecordAndStores() throws {
        let corpus = Self.corpora.first { $0.format == "columns" }!
        let (directory, config) = try write(corpus, bad: "\0")
        let run = directory.appendingPathComponent("run")
        let output = try CommandRunner.run(["train", "--config", config.path, "--output", run.path, "--lenient"])
        XCTAssertEqual(output.status, 0, output.stdout + output.stderr)
        let train = directory.appendingPathComponent("train.txt").standardizedFileURL.path
        XCTAssertTrue(output.stdout.contains(#"hmtl: lenient: skipped 1 bad record in \#(train); first: \#(train):3: "Jo\0hn" contains a NUL byte"#),
                      output.stdout)
        let checkpoint = try CheckpointStore.read(XCTUnwrap(try CheckpointStore.latest(in: run)))
        XCTAssertEqual(checkpoint.vocabularies["words"]?.contains("eu"), true, "the premise: the kept sentence's word is stored")
        XCTAssertFalse(checkpoint.vocabularies.values.joined().contains { $0.contains("\0") || $0.contains("jo") })
    }

    func testAConfigStringThatCannotBeStoredStopsTraining() throws {
        let corpus = Self.corpora.first { $0.format == "columns" }!
        let (directory, config) = try write(corpus, bad: "")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(of: #""dev.txt""#, with: #""dev\u0000.txt""#).write(to: config, atomically: true, encoding: .utf8)
        XCTAssertTrue(try String(contentsOf: config, encoding: .utf8).contains(#"dev\u0000.txt"#), "the premise: the config holds the escape")
        let run = directory.appendingPathComponent("run")
        let output = try CommandRunner.run(["train", "--config", config.path, "--output", run.path])
        XCTAssertEqual(output.status, 2, output.stdout + output.stderr)
        for part in [config.path, "tasks.ner.data.dev", "\"dev\\0.txt\" contains a NUL byte"] {
            XCTAssertTrue(output.stderr.contains(part), "\(output.stderr) lacks \(part)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.path))
    }
}
