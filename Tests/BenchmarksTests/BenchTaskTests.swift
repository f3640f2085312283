import Foundation
import TestSupport
import XCTest

/// `hmtl bench --task ner|emd|re|cr|all` end to end: one training and one inference JSON line
/// per task, with the machine and the shapes in them, at the PyTorch peer's shapes.
final class BenchTaskTests: XCTestCase {
    /// Fields every line carries, and those of a training line only.
    static let common: Set<String> = ["tool", "task", "mode", "tokens_per_s", "tokens_per_step", "ms_per_step", "ms_min", "steps", "warmup",
                                      "ranks", "threads", "openblas_threads", "cpu_model", "blas_kernel", "blas_config", "openblas_coretype",
                                      "build", "batch", "seq_len", "word_dim", "ge_dim", "params", "params_total", "sampler_weights",
                                      "steps_per_task"]
    static let training: Set<String> = ["forward_ms", "backward_ms", "allreduce_ms", "optimizer_ms", "compute_ms", "allreduce_bytes",
                                        "allreduce_dense_bytes", "cpu_share", "overlap_reduction", "bucket_kb"]
    static let coreference: Set<String> = ["doc_len", "cr_candidate_spans", "cr_kept_spans", "cr_antecedents"]

    static var demoConfig: String { CommandRunner.repositoryRoot.appendingPathComponent("configs/demo.json").path }

    func testEveryTaskPrintsATrainingAndAnInferenceLineAtThePeerShapes() throws {
        for task in ["ner", "emd", "relation", "coref", "all"] {
            let result = try CommandRunner.run(["bench", "--task", task, "--steps", "2", "--warmup", "0", "--isolated-iterations", "2",
                                                "--config", Self.demoConfig], timeout: 600)
            XCTAssertFalse(result.timedOut, task)
            XCTAssertEqual(result.status, 0, "\(task): \(result.stderr)")
            let lines = try result.stdout.split(separator: "\n").map {
                try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any], "\(task): not a JSON object: \($0)")
            }
            XCTAssertEqual(lines.map { $0["mode"] as? String }, ["train", "infer"], "\(task): \(result.stdout)")
            for line in lines {
                let mode = line["mode"] as? String ?? "?"
                let context = "\(task) \(mode)"
                let expected = Self.common.union(mode == "train" ? Self.training : [])
                    .union(task == "coref" || task == "all" ? Self.coreference : [])
                XCTAssertTrue(expected.isSubset(of: Set(line.keys)), "\(context) lacks \(expected.subtracting(line.keys).sorted())")
                XCTAssertEqual(line["task"] as? String, task, context)
                XCTAssertEqual(line["steps"] as? Int, 2, context)
                XCTAssertEqual(line["ranks"] as? Int, 1, context)
                XCTAssertEqual(line["threads"] as? String, "1", context)  // CommandRunner sets OPENBLAS_NUM_THREADS=1
                XCTAssertEqual(line["openblas_threads"] as? Int, 1, context)
                for key in ["cpu_model", "blas_kernel", "blas_config"] {
                    XCTAssertFalse((line[key] as? String ?? "").isEmpty, "\(context): \(key) empty")
                }
                #if DEBUG
                XCTAssertEqual(line["build"] as? String, "debug", context)
                #else
                XCTAssertEqual(line["build"] as? String, "release", context)
                #endif
                var positive = ["tokens_per_s", "ms_per_step", "ms_min"]
                if mode == "train" { positive += ["forward_ms", "backward_ms", "optimizer_ms", "compute_ms"] }
                for key in positive {
                    XCTAssertGreaterThan(try XCTUnwrap(line[key] as? Double, "\(context): \(key)"), 0, "\(context): \(key)")
                }
                XCTAssertEqual(line["steps_per_task"].flatMap { $0 as? [String: Int] }?.values.reduce(0, +), 2, context)
                // The peer's shapes: g_e = 300 + 64; 32 × 25 tokens, or CR's one 300-token document
                // in 12 sentences: 12 · (8·25 − 28) = 2,064 candidate spans, k = 0.4 · 300, K = 70.
                XCTAssertEqual(line["ge_dim"] as? Int, 364, context)
                XCTAssertEqual(line["batch"] as? Int, 32, context)
                XCTAssertEqual(line["seq_len"] as? Int, 25, context)
                let tokens = try XCTUnwrap(line["tokens_per_step"] as? Double, context)
                switch task {
                case "coref": XCTAssertEqual(tokens, 300, context)
                case "all": XCTAssertTrue(tokens >= 300 && tokens <= 800, "\(context): \(tokens) tokens per step")
                default: XCTAssertEqual(tokens, 800, context)
                }
                if task == "coref" || task == "all" {
                    XCTAssertEqual(line["doc_len"] as? Int, 300, context)
                    XCTAssertEqual(line["cr_candidate_spans"] as? Int, 2064, context)
                    XCTAssertEqual(line["cr_kept_spans"] as? Int, 120, context)
                    XCTAssertEqual(line["cr_antecedents"] as? Int, 70, context)
                }
                // Roofline: the LSTM path's forward FLOPs per token as the peer counts them (NER
                // 0.63 M, EMD 1.40 M, RE 2.36 M, CR 3.62 M at g_e = 364), against a measured peak.
                if let flops = ["ner": 634_880, "emd": 1_400_832, "relation": 2_363_392, "coref": 3_615_232][task] {
                    XCTAssertEqual(line["lstm_flops_per_token"] as? Int, flops, context)
                    XCTAssertGreaterThan(line["lstm_gflops"] as? Double ?? 0, 0, context)
                    XCTAssertGreaterThan(line["sgemm_peak_gflops"] as? Double ?? 0, 0, context)
                } else {
                    XCTAssertNil(line["lstm_flops_per_token"], "\(context): the blend has no single LSTM path")
                }
                let weights = try XCTUnwrap(line["sampler_weights"] as? [String: Int], context)
                XCTAssertEqual(Set(weights.keys), task == "all" ? ["ner", "emd", "relation", "coref"] : [task], context)
            }
        }
    }

    /// `blend`, the blended workload's earlier name, is `all`; `--mode` picks one line.
    func testBlendIsAllAndModeSelectsTheLine() throws {
        let result = try CommandRunner.run(["bench", "--task", "blend", "--mode", "infer", "--steps", "1", "--warmup", "0",
                                            "--batch", "2", "--length", "5", "--doc-length", "12", "--word-dim", "8", "--vocabulary", "50",
                                            "--config", Self.demoConfig])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, result.stdout)
        let line = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(line["task"] as? String, "all")
        XCTAssertEqual(line["mode"] as? String, "infer")
    }

    /// The reduction's settings reach the training step and its line: overlapped in 128 KiB
    /// buckets unless told otherwise.
    func testReductionOptionsReachTheTrainingLine() throws {
        for (options, bucket) in [([], 128), (["--bucket-kb", "4"], 4), (["--no-overlap-reduction"], nil as Int?)] {
            let result = try CommandRunner.run(["bench", "--task", "ner", "--mode", "train", "--steps", "1", "--warmup", "0",
                                                "--batch", "2", "--length", "5", "--word-dim", "8", "--vocabulary", "50",
                                                "--isolated-iterations", "1"] + options)
            XCTAssertEqual(result.status, 0, "\(options): \(result.stderr)")
            let line = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], result.stdout)
            XCTAssertEqual(line["mode"] as? String, "train", "\(options)")
            XCTAssertEqual(line["overlap_reduction"] as? Bool, bucket != nil, "\(options)")
            XCTAssertEqual(line["bucket_kb"] as? Int, bucket, "\(options)")
            XCTAssertTrue(line.keys.contains("bucket_kb"), "\(options)")
        }
        let bad = try CommandRunner.run(["bench", "--task", "ner", "--bucket-kb", "0"])
        XCTAssertEqual(bad.status, 2, bad.stderr)
        XCTAssertTrue(bad.stderr.contains("--bucket-kb"), bad.stderr)
    }

    func testUnknownTaskIsRejected() throws {
        let result = try CommandRunner.run(["bench", "--task", "srl"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("ner, emd, coref, relation, all"), result.stderr)
    }

    /// The earlier spellings of the relation and coreference workloads name the spelling now.
    func testEarlierTaskSpellingsNameTheNewOne() throws {
        for (old, new) in [("re", "relation"), ("cr", "coref")] {
            let result = try CommandRunner.run(["bench", "--task", old])
            XCTAssertEqual(result.status, 2)
            XCTAssertEqual(result.stderr, "hmtl: error: --task: '\(old)' is now spelled '\(new)' (the task's name)\n")
        }
    }
}
