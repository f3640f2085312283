import Checkpoint
import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Training

/// One rule for the relative paths of a config — relative to the config file, in `train` and
/// in the commands that rebuild the config from a checkpoint, whatever the working folder —
/// and config errors that start with the file (or the `--set`, or the checkpoint) at fault.
final class ConfigPathTests: XCTestCase {
    /// A project: `configs/ner.json` names `../data/{train,dev,test}.conll` (CoNLL-2003, IOB2,
    /// written from demo documents); `runs/ner` is its short training run.
    struct Project {
        let root: URL
        var configs: URL { root.appendingPathComponent("configs") }
        var config: URL { configs.appendingPathComponent("ner.json") }
        var data: URL { root.appendingPathComponent("data") }
        var run: URL { root.appendingPathComponent("runs/ner") }
        /// A working folder elsewhere in the project, from which the config's `../data` does not exist.
        var elsewhere: URL { root.appendingPathComponent("work/deeper") }
        /// The best checkpoint as a path relative to `elsewhere`.
        let checkpoint = "../../runs/ner/best-ner.h5"
    }

    static let config = """
        {"seed": 3, "embedder": {"word_dim": 8, "char_dim": 4, "char_filters": 6},
         "tasks": {"ner": {"data": {"format": "conll2003", "tag_scheme": "iob2", "train": "../data/train.conll",
                                    "dev": "../data/dev.conll", "test": "../data/test.conll"},
                           "batch_size": 4, "encoder": {"hidden": 6, "layers": 1}}},
         "training": {"max_steps": 4, "log_every": 2, "validate_every": 4, "checkpoint_every": 4}}
        """

    nonisolated(unsafe) private static var trained: Project?

    override class func tearDown() {
        if let trained { try? FileManager.default.removeItem(at: trained.root) }
        trained = nil
    }

    /// The project, trained once for the class (by a process whose working folder is not the
    /// config's, so its relative paths only work by the config-file rule).
    private func project() throws -> Project {
        if let trained = Self.trained { return trained }
        let project = Project(root: FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-paths-\(UUID().uuidString)"))
        for folder in [project.configs, project.data, project.elsewhere] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let splits = DemoCorpus.splits(documents: 30, seed: 5)
        for (name, documents) in [("train", splits.train), ("dev", splits.dev), ("test", splits.test)] {
            try Self.conll2003(documents).write(to: project.data.appendingPathComponent("\(name).conll"), atomically: true, encoding: .utf8)
        }
        try Self.config.write(to: project.config, atomically: true, encoding: .utf8)
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        XCTAssertNotEqual(cwd.standardizedFileURL.path, project.configs.path, "premise: train runs from another folder")
        XCTAssertFalse(FileManager.default.fileExists(atPath: cwd.appendingPathComponent("../data/train.conll").path),
                       "premise: the config's relative paths do not resolve from the working folder")
        try succeeded(CommandRunner.run(["train", "--config", project.config.path, "--output", project.run.path]))
        Self.trained = project
        return project
    }

    /// CoNLL-2003 columns (`token POS chunk TAG`, IOB2) of `documents`.
    static func conll2003(_ documents: [Document]) -> String {
        documents.map { document in
            "-DOCSTART- -X- -X- O\n\n" + document.sentences.map { sentence in
                zip(sentence.tokens, BILOU.tags(for: sentence.entities, count: sentence.tokens.count)).map { token, tag in
                    let iob2 = tag.hasPrefix("U-") ? "B-" + tag.dropFirst(2) : tag.hasPrefix("L-") ? "I-" + tag.dropFirst(2) : tag
                    return "\(token) NN O \(iob2)\n"
                }.joined() + "\n"
            }.joined()
        }.joined()
    }

    /// `hmtl arguments…` with `directory` as its working folder (coreutils' `env -C`), under
    /// `CommandRunner`'s timeout; the first call checks that `env -C` really moves it there.
    private func hmtl(in directory: URL, _ arguments: [String], file: StaticString = #filePath, line: UInt = #line) throws -> CommandRunner.Output {
        let pwd = try CommandRunner.execute("/usr/bin/env", ["-C", directory.path, "/bin/pwd"], timeout: 30, environment: [:])
        XCTAssertEqual(pwd.stdout.trimmingCharacters(in: .newlines), directory.path, "premise: env -C sets the working folder", file: file, line: line)
        return try CommandRunner.execute("/usr/bin/env", ["-C", directory.path, CommandRunner.hmtl] + arguments, timeout: 300, environment: [:])
    }

    // MARK: Relative paths in every command

    func testTrainRecordsTheConfigFileAndKeepsThePathsAsWritten() throws {
        let p = try project()
        let contents = try CheckpointStore.read(p.run.appendingPathComponent("best-ner.h5"))
        XCTAssertEqual(contents.configFile, p.config.standardizedFileURL.path)
        let stored = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contents.config.utf8)) as? [String: Any])
        let data = try XCTUnwrap((stored["tasks"] as? [String: Any])?["ner"] as? [String: Any])["data"] as? [String: Any]
        XCTAssertEqual(data?["test"] as? String, "../data/test.conll", "the stored config keeps the path as written")

        let inspect = try succeeded(try hmtl(in: p.elsewhere, ["checkpoint", "inspect", p.checkpoint])).stdout
        XCTAssertTrue(inspect.contains("config file  \(p.config.standardizedFileURL.path)"), inspect)
    }

    /// From a folder where `../data/test.conll` is nothing, `evaluate` still reads the config's
    /// test file, and scores exactly what `--data` on that file scores.
    func testEvaluateFromAnotherFolderReadsTheConfigsData() throws {
        let p = try project()
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.elsewhere.appendingPathComponent("../data/test.conll").path),
                       "premise: the config's relative path means nothing in the working folder")
        let configured = try succeeded(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", p.checkpoint, "--json"])).stdout
        let explicit = try succeeded(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", p.checkpoint, "--json",
                                                                "--data", p.data.appendingPathComponent("test.conll").path])).stdout
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(configured.utf8)) as? [String: Any], configured)
        XCTAssertGreaterThan(object["examples"] as? Int ?? 0, 0, configured)
        XCTAssertEqual(configured, explicit, "the configured test split is the test file")
        try succeeded(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", p.checkpoint, "--split", "dev"]))
    }

    func testPredictAndEmbedFromAnotherFolder() throws {
        let p = try project()
        let work = p.root.appendingPathComponent("work/predict-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        try "John Smith works for Acme in Boston.\n".write(to: work.appendingPathComponent("in.txt"), atomically: true, encoding: .utf8)
        let checkpoint = "../../runs/ner/best-ner.h5"
        try succeeded(try hmtl(in: work, ["predict", "--checkpoint", checkpoint, "--input", "in.txt", "--output", "pred.jsonl"]))
        let predictions = try String(contentsOf: work.appendingPathComponent("pred.jsonl"), encoding: .utf8)
        XCTAssertTrue(predictions.contains("\"ner\""), predictions)
        try succeeded(try hmtl(in: work, ["embed", "--checkpoint", checkpoint, "--input", "in.txt", "--output", "e.h5", "--layers", "ge,ner"]))
        XCTAssertTrue(FileManager.default.fileExists(atPath: work.appendingPathComponent("e.h5").path))
    }

    /// Data moved away from where the config said: the error names the path tried, what the
    /// config wrote and says to pass --data; a moved training file does not matter to evaluate.
    func testMovedDataNamesThePathTriedAndSuggestsData() throws {
        let p = try project()
        let moved = p.root.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: p.data, to: moved)
        defer { try? FileManager.default.moveItem(at: moved, to: p.data) }
        let message = failure(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", p.checkpoint]))
        let tried = p.data.appendingPathComponent("test.conll").standardizedFileURL.path
        XCTAssertTrue(message.hasPrefix("hmtl: error: \(tried): no such file ("), message)
        XCTAssertTrue(message.contains(#"\#(p.checkpoint): config has tasks.ner.data.test = "../data/test.conll", relative to \#(p.configs.path)"#), message)
        XCTAssertTrue(message.hasSuffix("; pass --data FILE)"), message)
        try succeeded(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", p.checkpoint, "--data", "../../moved/test.conll"]))

        try FileManager.default.createDirectory(at: p.data, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: moved.appendingPathComponent("test.conll"), to: p.data.appendingPathComponent("test.conll"))
        defer { try? FileManager.default.removeItem(at: p.data) }
        XCTAssertFalse(FileManager.default.fileExists(atPath: p.data.appendingPathComponent("train.conll").path), "premise: no training file")
        try succeeded(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", p.checkpoint]))
    }

    /// A checkpoint from before `config_file` (none recorded) resolves against the current
    /// folder, as before, and its error says so.
    func testCheckpointsWithoutAConfigFileResolveAgainstTheCurrentFolder() throws {
        let p = try project()
        var contents = try CheckpointStore.read(p.run.appendingPathComponent("best-ner.h5"))
        contents.configFile = nil
        try CheckpointStore.write(contents, named: "old.h5", in: p.run)
        XCTAssertNil(try CheckpointStore.read(p.run.appendingPathComponent("old.h5")).configFile, "premise: nothing recorded")
        let message = failure(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", "../../runs/ner/old.h5"]))
        XCTAssertTrue(message.hasPrefix("hmtl: error: ../data/test.conll: no such file ("), message)
        XCTAssertTrue(message.contains("relative to the current folder: the checkpoint predates recording its config file; pass --data FILE"), message)
        try succeeded(try hmtl(in: p.configs, ["evaluate", "--checkpoint", p.run.appendingPathComponent("old.h5").path]))
    }

    /// Every path-valued key — set in the file or with --set — resolves against the config
    /// file's folder, and a missing one is named with the key that named it.
    func testEveryPathKeyResolvesAgainstTheConfigFolder() throws {
        let root = try makeTemporaryDirectory()
        let configs = root.appendingPathComponent("configs")
        try FileManager.default.createDirectory(at: configs, withIntermediateDirectories: true)
        let file = configs.appendingPathComponent("x.json")
        let config: [String: Any] = [
            "embedder": ["glove": "vectors/glove.txt", "contextual": ["layers": 1, "dim": 2]],
            "tasks": ["ner": ["data": ["format": "conll04", "train": "../data/train.txt", "dev": "/absolute/dev.txt", "test": "t.txt",
                                       "contextual": ["train": "elmo/train.h5", "dev": "../elmo/dev.h5", "test": "elmo/test.h5"]]]],
        ]
        try JSONSerialization.data(withJSONObject: config).write(to: file)
        let c = try RunConfig.load(path: file.path, overrides: ["tasks.ner.data.test=../other/test.txt"])
        let folder = configs.standardizedFileURL.path, above = root.standardizedFileURL.path
        XCTAssertEqual(c.origin.file, file.standardizedFileURL.path)
        XCTAssertEqual(c.glove, "\(folder)/vectors/glove.txt")
        XCTAssertEqual(Dictionary(uniqueKeysWithValues: c.paths.map { ($0.key, $0.resolved) }), [
            "embedder.glove": "\(folder)/vectors/glove.txt",
            "tasks.ner.data.train": "\(above)/data/train.txt",
            "tasks.ner.data.dev": "/absolute/dev.txt",
            "tasks.ner.data.test": "\(above)/other/test.txt",
            "tasks.ner.data.contextual.train": "\(folder)/elmo/train.h5",
            "tasks.ner.data.contextual.dev": "\(above)/elmo/dev.h5",
            "tasks.ner.data.contextual.test": "\(folder)/elmo/test.h5",
        ])
        XCTAssertEqual(c.tasks[.ner]?.data.test, "\(above)/other/test.txt")

        XCTAssertThrowsError(try RunData.load(c)) { error in
            XCTAssertEqual("\(error)", "\(above)/data/train.txt: no such file (\(file.path) has tasks.ner.data.train = \"../data/train.txt\", "
                + "relative to \(folder), the folder of \(file.standardizedFileURL.path))")
        }
    }

    // MARK: Errors name the file

    /// Each error starts with the config's path as given, then the key.
    func testConfigErrorsStartWithTheConfigFile() throws {
        let dir = try makeTemporaryDirectory()
        let ner = #""ner": {"data": {"format": "demo"}}"#
        let cases: [(String, String)] = [
            (#"{"tasks": {"ner": {"data": {"format": "demo"}, "batch_size": 0}}}"#, "tasks.ner.batch_size: expected an integer in 1...100000, got 0"),
            (#"{"tasks": {\#(ner)}, "training": {"max_steps": "many"}}"#, #"training.max_steps: expected an integer, got the string "many""#),
            (#"{"tasks": {\#(ner)}, "embedder": {"glove": 5}}"#, "embedder.glove: expected a string, got 5"),
            (#"{"tasks": {"ner": {"data": {"format": "csv"}}}}"#, "tasks.ner.data.format: expected one of"),
            (#"{"tasks": {\#(ner)}, "training": {"log_evry": 5}}"#, "training.log_evry: unknown key"),
            (#"{"tasks": {}}"#, "tasks: expected at least one of"),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let path = dir.appendingPathComponent("c\(index).json").path
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            XCTAssertThrowsError(try RunConfig.load(path: path)) { error in
                XCTAssertTrue("\(error)".hasPrefix("\(path): \(expected)"), "\(error)")
            }
        }
        try "{\n  \"seed\": 1,\n  \"tasks\" {}\n}\n".write(toFile: dir.appendingPathComponent("syntax.json").path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunConfig.load(path: dir.appendingPathComponent("syntax.json").path)) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(dir.path)/syntax.json:3: not valid JSON ("), "\(error)")
        }

        // On the command line: the path exactly as the user typed it, one line, exit 2.
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("configs"), withIntermediateDirectories: true)
        try cases[0].0.write(to: dir.appendingPathComponent("configs/x.json"), atomically: true, encoding: .utf8)
        let message = failure(try hmtl(in: dir, ["train", "--config", "configs/x.json", "--output", "run"]))
        XCTAssertEqual(message, "hmtl: error: configs/x.json: \(cases[0].1)")
    }

    /// A bad value given with --set names the --set, not the file (which is fine).
    func testOverrideErrorsNameTheOverride() throws {
        let dir = try makeTemporaryDirectory()
        let path = dir.appendingPathComponent("ok.json").path
        try #"{"tasks": {"ner": {"data": {"format": "demo"}}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        let cases: [(String, String)] = [
            ("training.max_steps=abc", #"--set training.max_steps=abc: expected an integer, got the string "abc""#),
            (#"tasks.ner.data={"format": "csv"}"#, #"--set tasks.ner.data={"format": "csv"}: tasks.ner.data.format: expected one of"#),
            ("tasks.ner.encoder.hiden=3", "--set tasks.ner.encoder.hiden=3: unknown key"),
            ("tasks.xyz.batch_size=3", "--set tasks.xyz.batch_size=3: tasks.xyz: unknown key"),
            ("tasks.ner.data.format.x=1", "--set tasks.ner.data.format.x=1: tasks.ner.data.format: not an object, cannot set x"),
            ("nokey", "--set nokey: expected key.path=value"),
            ("tasks..ner=1", "--set tasks..ner=1: empty key in the path"),
        ]
        for (override, expected) in cases {
            XCTAssertThrowsError(try RunConfig.load(path: path, overrides: [override])) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)")
            }
        }
        // An error the override did not cause still names the file.
        try #"{"tasks": {"ner": {"data": {"format": "demo"}, "batch_size": 0}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RunConfig.load(path: path, overrides: ["training.max_steps=5"])) { error in
            XCTAssertTrue("\(error)".hasPrefix("\(path): tasks.ner.batch_size: "), "\(error)")
        }
        let message = failure(try CommandRunner.run(["train", "--config", path, "--set", "tasks.ner.batch_size=2", "--set", "training.max_steps=abc"]))
        XCTAssertEqual(message, #"hmtl: error: --set training.max_steps=abc: expected an integer, got the string "abc""#)
    }

    /// A config read back from a checkpoint names the checkpoint, as the user gave it.
    func testErrorsInACheckpointsConfigNameTheCheckpoint() throws {
        let p = try project()
        var contents = try CheckpointStore.read(p.run.appendingPathComponent("best-ner.h5"))
        var config = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contents.config.utf8)) as? [String: Any])
        try RunConfig.apply(override: "tasks.ner.batch_size=0", to: &config)
        contents.config = String(decoding: try JSONSerialization.data(withJSONObject: config, options: [.sortedKeys]), as: UTF8.self)
        try CheckpointStore.write(contents, named: "bad-config.h5", in: p.run)
        let message = failure(try hmtl(in: p.elsewhere, ["evaluate", "--checkpoint", "../../runs/ner/bad-config.h5"]))
        XCTAssertEqual(message, "hmtl: error: ../../runs/ner/bad-config.h5: config: tasks.ner.batch_size: expected an integer in 1...100000, got 0")
    }
}
