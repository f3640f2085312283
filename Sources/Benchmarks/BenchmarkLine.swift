import Foundation
import Model
import Training

extension Benchmark.Measurements {
    /// The JSON objects `hmtl bench` prints (rank 0, for the whole job), one per measured
    /// mode, training first; both carry the workload, the shapes the model ran and the machine
    /// (`BenchmarkMachine`). Tokens/s count all ranks (each runs its own batches).
    public func lines(ranks: Int, shapes: Benchmark.Shapes, environment: [String: String]) -> [[String: Any]] {
        var common: [String: Any] = [
            "tool": "hmtl", "ranks": ranks, "steps": shapes.steps, "warmup": shapes.warmup,
            "batch": shapes.batch, "seq_len": shapes.length, "word_dim": shapes.wordDimension, "ge_dim": shape.geDimension,
            "params_total": shape.parameters, "params": named(shape.parametersPerTask), "sampler_weights": named(samplerWeights),
        ]
        if let spans = shape.corefSpans {
            common.merge(["doc_len": shapes.documentLength, "cr_candidate_spans": spans.candidates,
                          "cr_kept_spans": spans.kept, "cr_antecedents": spans.antecedents]) { $1 }
        }
        common.merge(BenchmarkMachine.fields(environment: environment)) { $1 }
        var lines: [[String: Any]] = []
        if let training { lines.append(common.merging(training.line(ranks: ranks)) { $1 }) }
        if let inference { lines.append(common.merging(inference.line(ranks: ranks)) { $1 }) }
        guard let flops = shape.lstmFlopsPerToken, !lines.isEmpty else { return lines }
        // Roofline: the LSTM path's achieved rate per rank (a training step ≈ 3 forwards)
        // against one core's sgemm peak, measured here.
        let peak = BenchmarkMachine.sgemmPeakGflops()
        for i in lines.indices {
            let perRank = (lines[i]["tokens_per_s"] as? Double ?? 0) / Double(ranks)
            let achieved = Double(flops) * (lines[i]["mode"] as? String == "train" ? 3 : 1) * perRank / 1e9
            lines[i].merge(["lstm_flops_per_token": flops, "lstm_gflops": rounded(achieved), "sgemm_peak_gflops": rounded(peak),
                            "lstm_share_of_peak": rounded(achieved / peak, 10_000)]) { $1 }
        }
        return lines
    }
}

private func rounded(_ x: Double, _ digits: Double = 1000) -> Double { (x * digits).rounded() / digits }

private func named(_ counts: [Task: Int]) -> [String: Int] {
    Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) })
}

extension Benchmark.Result {
    /// Phase medians in ms and the allreduce figures — bandwidth as osu_allreduce reports it,
    /// message bytes over time (null on one rank, where nothing moves; overlapped, the in-step
    /// time is what backward did not hide, so its bytes over time is no bandwidth).
    /// `ScalingSweep.Point(line:)` reads it back.
    func line(ranks: Int) -> [String: Any] {
        func gigabytesPerSecond(_ seconds: Double) -> Any { ranks > 1 && seconds > 0 ? rounded(allreduceBytes / seconds / 1e9) : NSNull() }
        return [
            "task": workload, "mode": "train", "tokens_per_step": rounded(tokensPerStep * Double(ranks), 10),
            "tokens_per_s": rounded(tokensPerSecond * Double(ranks), 10), "ms_per_step": rounded(step), "ms_min": rounded(fastestStep),
            "forward_ms": rounded(forward), "backward_ms": rounded(backward), "allreduce_ms": rounded(allreduce),
            "optimizer_ms": rounded(optimizer), "compute_ms": rounded(compute), "allreduce_fraction": rounded(allreduceFraction, 10_000),
            "allreduce_bytes": Int(allreduceBytes.rounded()), "allreduce_dense_bytes": Int(denseAllreduceBytes.rounded()),
            "allreduce_gbps": gigabytesPerSecond(allreduce / 1000),
            "isolated_allreduce_us": rounded(isolatedAllreduceSeconds * 1e6), "isolated_allreduce_gbps": gigabytesPerSecond(isolatedAllreduceSeconds),
            "isolated_latency_us": rounded(isolatedLatencySeconds * 1e6), "cpu_share": rounded(cpuShare),
            "steps_per_task": named(stepsPerTask),
            "overlap_reduction": bucketKiB != nil, "bucket_kb": bucketKiB.map { $0 as Any } ?? NSNull(),
        ]
    }
}

extension Benchmark.Inference {
    func line(ranks: Int) -> [String: Any] {
        ["task": workload, "mode": "infer", "tokens_per_step": rounded(tokensPerStep * Double(ranks), 10),
         "tokens_per_s": rounded(tokensPerSecond * Double(ranks), 10), "ms_per_step": rounded(step), "ms_min": rounded(fastestStep),
         "steps_per_task": named(stepsPerTask)]
    }
}
