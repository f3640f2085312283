import Checkpoint
import Corpus
import Foundation
import TestSupport
import XCTest
@testable import Training

/// `embedder.glove` beyond the trainable rows' initial values: a word the file has gets its
/// vector wherever it is met — dev and test words at validation, prediction input in `predict`
/// and `embed` — frozen, while the vocabulary's rows train; a checkpoint names the file and the
/// commands that reopen it check it is the same; resume and data parallelism stay exact.
final class GloVeRunTests: XCTestCase {
    /// `configs/glove.json` names `../vectors/vectors.txt`; `runs/glove` is its 20-step run.
    struct Project {
        let root: URL
        var config: URL { root.appendingPathComponent("configs/glove.json") }
        var vectors: URL { root.appendingPathComponent("vectors/vectors.txt") }
        var run: URL { root.appendingPathComponent("runs/glove") }
        var checkpoint: URL { run.appendingPathComponent("ckpt-20.h5") }
        /// Words with a vector in the file: three of the training vocabulary, three met only in
        /// dev or test, and `unseen`, in no split.
        let trainWords: [String]
        let heldOutWords: [String]
        static let unseen = "zorblat"
        let vectorOf: [String: [Float]]
        let vocabularySize: Int
    }

    static let config = """
    {
      "seed": 9,
      "embedder": { "word_dim": 4, "char_dim": 3, "char_filters": 3, "glove": "../vectors/vectors.txt" },
      "tasks": { "ner": { "data": { "format": "demo", "documents": 40, "seed": 4 }, "batch_size": 8,
                          "encoder": { "hidden": 3, "layers": 1 } } },
      "training": { "max_steps": 20, "learning_rate": 0.01, "validate_every": 5, "checkpoint_every": 10,
                    "lr_patience": 1, "patience": 100 },
      "debug": { "verify_collectives": true }
    }
    """

    nonisolated(unsafe) private static var shared: Project?

    override class func tearDown() {
        if let shared { try? FileManager.default.removeItem(at: shared.root) }
        shared = nil
    }

    /// The project, trained once for the class. The vectors file lists its words in mixed
    /// order, one held-out word capitalised (the file's words are lower-cased on reading).
    private func project() throws -> Project {
        if let shared = Self.shared { return shared }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-glove-\(UUID().uuidString)")
        let config = try writeFile(Self.config, "configs/glove.json", in: root)
        let data = try RunData.load(try RunConfig.load(path: config.path))
        let vocabulary = data.vocabularies.words
        let trainWords = Array(vocabulary.entries.dropFirst(2).filter { $0.allSatisfy(\.isLetter) }.prefix(3))
        var heldOut: [String] = []
        for token in [data.dev[.ner]!, data.test[.ner]!].flatMap(\.sequences).joined()
        where token.allSatisfy(\.isLetter) && vocabulary.index(of: token) == Vocabulary.unknownIndex && !heldOut.contains(token.lowercased()) {
            heldOut.append(token.lowercased())
        }
        heldOut = Array(heldOut.prefix(3))
        guard trainWords.count == 3, heldOut.count == 3, !heldOut.contains(Project.unseen) else {
            throw TrainedCheckpoint.FixtureFailed("premise: the demo corpus has 3 training words and 3 held-out words, got \(trainWords) and \(heldOut)")
        }
        var vectorOf: [String: [Float]] = [:]
        var lines: [String] = []
        for (k, word) in [heldOut[0], trainWords[0], Project.unseen, heldOut[1], trainWords[1], trainWords[2], heldOut[2]].enumerated() {
            let vector = (0..<4).map { Float((k * 4 + $0 + 1) * ($0 % 2 == 0 ? 1 : -1)) / 8 }
            vectorOf[word] = vector
            lines.append(([k == 0 ? word.capitalized : word] + vector.map { "\($0)" }).joined(separator: " "))
        }
        try writeFile(lines.joined(separator: "\n") + "\n", "vectors/vectors.txt", in: root)
        let project = Project(root: root, trainWords: trainWords, heldOutWords: heldOut, vectorOf: vectorOf, vocabularySize: vocabulary.count)
        try succeeded(CommandRunner.run(["train", "--config", config.path, "--output", project.run.path]))
        Self.shared = project
        return project
    }

    /// The file's size and FNV-1a 64, as a checkpoint records them.
    private func identity(of url: URL) throws -> String {
        let bytes = try Data(contentsOf: url)
        let hash = bytes.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
        return VectorsFileRecord(file: "", byteCount: bytes.count, checksum: hash).identity
    }

    private func wordTable(_ checkpoint: URL) throws -> (values: [Float], words: [String]) {
        let contents = try CheckpointStore.read(checkpoint)
        let table = try XCTUnwrap(contents.parameters.first { $0.name == "embedder/words/weight" })
        XCTAssertEqual(table.shape, [contents.vocabularies["words"]!.count, 4], "the arena holds the vocabulary's rows only")
        return (table.values, contents.vocabularies["words"]!)
    }

    // MARK: Where words meet their vectors

    /// Dev and test batches (what validation and the final test score) give the held-out words
    /// their file vectors; training batches stay within the trainable rows, which start from
    /// the vocabulary's vectors alone.
    func testHeldOutWordsGetTheirFileVectorsInDevAndTestBatches() throws {
        let p = try project()
        let config = try RunConfig.load(path: p.config.path)
        var data = try RunData.load(config)
        let pretrained = try XCTUnwrap(try data.attachPretrained(config))
        XCTAssertEqual(Set(pretrained.vectors.keys), Set(p.trainWords))
        XCTAssertEqual(data.vectorsFile?.file, "../vectors/vectors.txt", "recorded as the config wrote it")
        XCTAssertEqual(data.vectorsFile?.identity, try identity(of: p.vectors))
        var met = Set<String>()
        for examples in [data.train[.ner]!, data.dev[.ner]!, data.test[.ner]!] {
            for (i, tokens) in examples.sequences.enumerated() {
                let batch = examples.batch([i], vocabularies: data.vocabularies)
                for (t, token) in tokens.enumerated() {
                    let word = token.lowercased(), id = Int(batch.wordIDs[t])
                    guard p.heldOutWords.contains(word) else {
                        XCTAssertLessThan(id, p.vocabularySize, word)
                        continue
                    }
                    met.insert(word)
                    XCTAssertGreaterThanOrEqual(id, p.vocabularySize, word)
                    let row = (id - p.vocabularySize) * 4
                    XCTAssertEqual(Array(batch.frozenVectors[row..<(row + 4)]), p.vectorOf[word], word)
                }
            }
        }
        XCTAssertEqual(met, Set(p.heldOutWords), "premise: every held-out word was met")
    }

    /// In `embed`, the word columns of g_e (its last 4): a held-out word and a word of no split
    /// carry their file vectors bit for bit after 20 steps; a vocabulary word its trained row,
    /// which left its file vector; a word the file lacks the unknown row. A checkpoint from
    /// before the record predicts as it validated: every word outside its vocabulary unknown.
    func testPredictionInputGetsTheFileVectorsWhileTheVocabularyTrains() throws {
        let p = try project()
        let dir = try makeTemporaryDirectory()
        let input = try writeFile("\(p.trainWords[0]) \(p.heldOutWords[0].uppercased()) Zorblat unheardofword\n", "in.txt", in: dir)
        let (table, words) = try wordTable(p.checkpoint)
        func row(_ i: Int) -> [Float] { Array(table[(4 * i)..<(4 * i + 4)]) }
        func wordColumns(_ checkpoint: URL) throws -> [[Float]] {
            let output = dir.appendingPathComponent(UUID().uuidString + ".h5")
            try succeeded(CommandRunner.run(["embed", "--checkpoint", checkpoint.path, "--input", input.path, "--output", output.path]))
            let file = try HDF5File.openReadOnly(output)
            defer { try? file.close() }
            let ge = try file.read(Float.self, at: "/ge/0")
            XCTAssertEqual(ge.shape[0], 4)
            let dim = ge.shape[1]
            return (0..<4).map { t in Array(ge.values[((t + 1) * dim - 4)..<((t + 1) * dim)]) }
        }
        let columns = try wordColumns(p.checkpoint)
        XCTAssertEqual(columns[1].map(\.bitPattern), p.vectorOf[p.heldOutWords[0]]!.map(\.bitPattern))
        XCTAssertEqual(columns[2].map(\.bitPattern), p.vectorOf[Project.unseen]!.map(\.bitPattern))
        let trained = row(try XCTUnwrap(words.firstIndex(of: p.trainWords[0])))
        XCTAssertEqual(columns[0], trained)
        XCTAssertNotEqual(trained, p.vectorOf[p.trainWords[0]], "premise: the vocabulary's rows trained")
        XCTAssertEqual(columns[3], row(1), "a word the file lacks: the unknown row")

        var contents = try CheckpointStore.read(p.checkpoint)
        contents.vectorsFile = nil
        let old = try CheckpointStore.write(contents, named: "old.h5", in: dir)
        let oldColumns = try wordColumns(old)
        XCTAssertEqual(oldColumns[0], trained)
        XCTAssertEqual(oldColumns[1], row(1))
        XCTAssertEqual(oldColumns[2], row(1))
        let refused = failure(try CommandRunner.run(["predict", "--checkpoint", old.path, "--input", input.path, "--glove", p.vectors.path]))
        XCTAssertEqual(refused, "hmtl: error: --glove \(p.vectors.path): \(old.path) records no vectors file (trained without embedder.glove, or before checkpoints recorded it)")
    }

    // MARK: The checkpoint's vectors file

    func testInspectShowsTheVectorsFile() throws {
        let p = try project()
        let inspect = try succeeded(CommandRunner.run(["checkpoint", "inspect", p.checkpoint.path])).stdout
        XCTAssertTrue(inspect.contains("vectors      ../vectors/vectors.txt (embedder.glove): \(try identity(of: p.vectors))"), inspect)
    }

    /// With the file moved, predict, embed and evaluate name the path they tried, what the
    /// config said and `--glove`, which then finds it; a changed file (same size, or not) is
    /// refused with what was expected and what was found, at its place or given with `--glove`.
    func testCommandsCheckTheyReadTheSameVectorsFile() throws {
        let p = try project()
        let dir = try makeTemporaryDirectory()
        let input = try writeFile("Zorblat met \(p.heldOutWords[0]) in Oslo .\n", "in.txt", in: dir)
        let checkpoint = p.checkpoint.path
        func predict(_ extra: [String] = []) throws -> CommandRunner.Output {
            try CommandRunner.run(["predict", "--checkpoint", checkpoint, "--input", input.path] + extra)
        }
        let expected = try identity(of: p.vectors)
        let baseline = try succeeded(predict()).stdout
        XCTAssertTrue(baseline.contains("\"ner\""), baseline)

        let moved = dir.appendingPathComponent("moved.txt")
        try FileManager.default.moveItem(at: p.vectors, to: moved)
        defer {
            try? FileManager.default.removeItem(at: p.vectors)
            try? FileManager.default.moveItem(at: moved, to: p.vectors)
        }
        let commands = [["predict", "--checkpoint", checkpoint, "--input", input.path],
                        ["embed", "--checkpoint", checkpoint, "--input", input.path, "--output", dir.appendingPathComponent("e.h5").path],
                        ["evaluate", "--checkpoint", checkpoint, "--split", "dev"]]
        for command in commands {
            let message = failure(try CommandRunner.run(command))
            XCTAssertTrue(message.hasPrefix("hmtl: error: \(p.vectors.path): no such file ("), message)
            XCTAssertTrue(message.contains(#"\#(checkpoint): config has embedder.glove = "../vectors/vectors.txt", relative to \#(p.config.deletingLastPathComponent().path)"#), message)
            XCTAssertTrue(message.hasSuffix("; pass --glove FILE to name the vectors file \(checkpoint) was trained with (\(expected)))"), message)
        }
        XCTAssertEqual(try succeeded(predict(["--glove", moved.path])).stdout, baseline)
        try succeeded(CommandRunner.run(["evaluate", "--checkpoint", checkpoint, "--split", "dev", "--glove", moved.path]))

        var text = try String(contentsOf: moved, encoding: .utf8)
        let lastDigit = try XCTUnwrap(text.lastIndex { $0.isNumber && $0 != "9" })
        text.replaceSubrange(lastDigit...lastDigit, with: String(text[lastDigit].wholeNumberValue! + 1))
        let changed = try writeFile(text, "changed.txt", in: dir)
        XCTAssertEqual(try Data(contentsOf: changed).count, try Data(contentsOf: moved).count, "premise: the same size")
        for (file, extra) in [(p.vectors, [String]()), (changed, ["--glove", changed.path])] {
            try? FileManager.default.removeItem(at: p.vectors)
            try FileManager.default.copyItem(at: changed, to: p.vectors)
            let message = failure(try predict(extra))
            XCTAssertTrue(message.hasPrefix("hmtl: error: \(file.path): not the vectors file \(checkpoint) was trained with: expected \(expected), found \(try identity(of: changed)); pass --glove FILE"), message)
        }
        try writeFile(text + "\n", "vectors/vectors.txt", in: p.root)
        let longer = failure(try predict())
        XCTAssertTrue(longer.contains("expected \(expected), found \(try Data(contentsOf: p.vectors).count) bytes;"), longer)
    }

    // MARK: Exactness

    /// Ten steps, then ten more resumed, end bit-identical to the twenty straight; resuming
    /// once the file has changed is refused.
    func testResumeIsBitExactAndRefusesAnotherVectorsFile() throws {
        let p = try project()
        let dir = try makeTemporaryDirectory()
        let resumed = dir.appendingPathComponent("resumed"), copy = dir.appendingPathComponent("copy")
        try succeeded(CommandRunner.run(["train", "--config", p.config.path, "--output", resumed.path, "--set", "training.max_steps=10"]))
        try FileManager.default.copyItem(at: resumed, to: copy)
        let again = try succeeded(CommandRunner.run(["train", "--config", p.config.path, "--output", resumed.path, "--resume"]))
        XCTAssertTrue(again.stdout.contains("resumed from ckpt-10.h5"), again.stdout)
        ParameterComparison.assertBitIdentical(try CheckpointStore.read(resumed.appendingPathComponent("ckpt-20.h5")).parameters,
                                               try CheckpointStore.read(p.checkpoint).parameters, "after resume with vectors")

        let original = try Data(contentsOf: p.vectors), trainedWith = try identity(of: p.vectors)
        defer { try? original.write(to: p.vectors) }
        try (String(decoding: original, as: UTF8.self) + "extra 1 2 3 4\n").write(to: p.vectors, atomically: true, encoding: .utf8)
        let message = failure(try CommandRunner.run(["train", "--config", p.config.path, "--output", copy.path, "--resume"]))
        XCTAssertEqual(message, "hmtl: error: ckpt-10.h5 was trained with the vectors file ../vectors/vectors.txt (\(trainedWith)); "
            + "../vectors/vectors.txt is now \(try identity(of: p.vectors))")
    }

    /// 2 ranks × batch 4 make the update of 1 rank × batch 8 (the project's run), validation
    /// included (each rank scores its share of dev with the frozen vectors).
    func testTwoRanksWithBatchBEqualOneRankWith2B() throws {
        try XCTSkipUnless(CommandRunner.mpirunAvailable, "mpirun not installed")
        let p = try project()
        let dir = try makeTemporaryDirectory()
        try succeeded(CommandRunner.mpirun(ranks: 2, ["train", "--config", p.config.path, "--output", dir.appendingPathComponent("two").path,
                                                      "--set", "tasks.ner.batch_size=4"]))
        let two = try CheckpointStore.read(dir.appendingPathComponent("two/ckpt-20.h5")).parameters
        let one = try CheckpointStore.read(p.checkpoint).parameters
        XCTAssertLessThan(ParameterComparison.relativeDifference(two, one), 1e-4, "2 ranks × 4 and 1 rank × 8 diverged")
        let difference = zip(two, one).map { zip($0.values, $1.values).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        // Guard against a vacuous pass: the vocabulary's rows, which started as their file
        // vectors, moved by far more than the ranks differ.
        let (table, words) = try wordTable(p.checkpoint)
        let moved = p.trainWords.map { word -> Float in
            let i = words.firstIndex(of: word)!
            return zip(table[(4 * i)..<(4 * i + 4)], p.vectorOf[word]!).map { abs($0 - $1) }.max()!
        }.max()!
        XCTAssertGreaterThan(moved, 100 * difference, "training barely moved the rows; the comparison proves nothing")
    }

    // MARK: The shipped configs

    /// Every `configs/conll04-litbank` setup reads the shared GloVe 6B 50-d file; with setup B
    /// on CoNLL04, most of the vocabulary starts from GloVe and the dev and test words outside
    /// it that GloVe has get their vectors.
    func testSharedConfigsReadTheSharedGloVeWhenPresent() throws {
        let folder = CommandRunner.repositoryRoot.appendingPathComponent("configs/conll04-litbank")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        XCTAssertEqual(names.count, 15, "the 14 Table 3 setups and outer.json")
        let setupB = try RunConfig.load(path: folder.appendingPathComponent("B.json").path)
        let glove = try XCTUnwrap(setupB.glove)
        XCTAssertTrue(glove.hasSuffix("/shared/data/glove/glove.6B.50d.shared-vocab.txt"), glove)
        for name in names {
            let config = try RunConfig.load(path: folder.appendingPathComponent(name).path)
            XCTAssertEqual(config.glove, glove, name)
            XCTAssertEqual(config.embedder.wordDimension, 50, name)
        }
        guard FileManager.default.fileExists(atPath: glove), FileManager.default.fileExists(atPath: setupB.tasks[.ner]!.data.train) else {
            throw XCTSkip("the shared GloVe file or CoNLL04 is not at \(glove); skipping the real-data test")
        }
        var data = try RunData.load(setupB)
        let pretrained = try XCTUnwrap(try data.attachPretrained(setupB))
        XCTAssertEqual(data.vectorsFile?.byteCount, 8_088_996)
        let vocabulary = data.vocabularies.words
        XCTAssertGreaterThan(pretrained.vectors.count, vocabulary.count * 3 / 4, "most training words are in GloVe")
        var frozen = 0, unknown = 0
        for examples in [data.dev[.ner]!, data.test[.ner]!] {
            for i in 0..<examples.count {
                for id in examples.batch([i], vocabularies: data.vocabularies).wordIDs {
                    if Int(id) >= vocabulary.count { frozen += 1 } else if Int(id) == Vocabulary.unknownIndex { unknown += 1 }
                }
            }
        }
        XCTAssertGreaterThan(frozen, 0, "dev and test words outside the training vocabulary with a GloVe vector")
        XCTAssertGreaterThan(frozen, unknown, "GloVe knows most held-out words")
    }

    // MARK: Bad files

    /// A line with too few numbers fails at indexing, a bad number when its (held-out) word is
    /// read at start-up: both name the file and line, exit 2 and leave no run folder.
    func testMalformedVectorsFileStopsTrainingNamingFileAndLine() throws {
        let p = try project()
        let dir = try makeTemporaryDirectory()
        let good = try String(contentsOf: p.vectors, encoding: .utf8).split(separator: "\n").map(String.init)
        var short = good
        short[3] = short[3].split(separator: " ").dropLast().joined(separator: " ")
        var badNumber = good
        let heldOut = try XCTUnwrap(badNumber.firstIndex { $0.hasPrefix(p.heldOutWords[1] + " ") })
        badNumber[heldOut] = badNumber[heldOut].replacingOccurrences(of: " -", with: " x")
        for (name, lines, says) in [("short.txt", short, "short.txt:4: expected 4 numbers after the word, found 3"),
                                    ("number.txt", badNumber, "number.txt:\(heldOut + 1): expected a finite number as value 2 of '\(p.heldOutWords[1])', found 'x")] {
            let file = try writeFile(lines.joined(separator: "\n") + "\n", name, in: dir)
            let run = dir.appendingPathComponent("run-\(name)")
            let message = failure(try CommandRunner.run(["train", "--config", p.config.path, "--output", run.path,
                                                         "--set", "embedder.glove=\(file.path)"]))
            XCTAssertTrue(message.hasPrefix("hmtl: error: \(dir.path)/\(says)"), message)
            XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "\(name): the run folder was created")
        }
    }
}
