import Corpus
import Foundation
import XCTest

/// One short four-task training run (the multi-task test config, 150 steps, so every level
/// predicts something) shared by every test that needs a trained checkpoint — predict, embed,
/// score — trained once per test process on first use and removed when the bundle finishes.
public enum TrainedCheckpoint {
    public static let steps = 150
    public static let overrides = ["--set", "training.max_steps=\(steps)", "--set", "training.log_every=50", "--set", "training.validate_every=\(steps)",
                            "--set", "training.checkpoint_every=\(steps)"]

    nonisolated(unsafe) private static var directory: URL?

    /// `ckpt-150.h5` of the shared run.
    public static func fourTask() throws -> URL {
        if let directory { return directory.appendingPathComponent("run/ckpt-\(steps).h5") }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hmtl-trained-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        XCTestObservationCenter.shared.addTestObserver(RemoveWhenTheBundleFinishes(dir))
        let config = dir.appendingPathComponent("config.json")
        try MultiTaskConfig.json.write(to: config, atomically: true, encoding: .utf8)
        let o = try CommandRunner.run(["train", "--config", config.path, "--output", dir.appendingPathComponent("run").path] + overrides)
        guard o.status == 0, !o.timedOut else {
            throw FixtureFailed("training the shared checkpoint failed (exit \(o.status), timed out: \(o.timedOut)):\n\(o.stdout)\n\(o.stderr)")
        }
        directory = dir
        return dir.appendingPathComponent("run/ckpt-\(steps).h5")
    }

    /// DyGIE JSON lines of `documents` (entities as `ner`, relations, clusters), the one format
    /// that carries every task's gold for `hmtl evaluate --data`.
    public static func dygie(_ documents: [Document]) throws -> String {
        try documents.map { d in
            let offsets = d.sentenceOffsets
            let ner = d.sentences.enumerated().map { s, sentence in
                sentence.entities.map { [$0.span.start + offsets[s], $0.span.end + offsets[s], $0.label] as [Any] }
            }
            let relations = d.sentences.enumerated().map { s, sentence in
                sentence.relations.map { r in
                    [r.head.start + offsets[s], r.head.end + offsets[s], r.tail.start + offsets[s], r.tail.end + offsets[s], r.label] as [Any]
                }
            }
            let clusters = d.clusters.map { $0.map { [$0.span.start + offsets[$0.sentence], $0.span.end + offsets[$0.sentence]] } }
            let object: [String: Any] = ["doc_key": d.id, "sentences": d.sentences.map(\.tokens), "ner": ner,
                                         "relations": relations, "clusters": clusters]
            return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    public struct FixtureFailed: Error, CustomStringConvertible {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    private final class RemoveWhenTheBundleFinishes: NSObject, XCTestObservation {
        let url: URL
        init(_ url: URL) { self.url = url }
        func testBundleDidFinish(_ testBundle: Bundle) { try? FileManager.default.removeItem(at: url) }
    }
}
