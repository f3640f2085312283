import Foundation
import Training

/// Weak scaling measured over several world sizes (each rank trains its own yardstick batch,
/// so the ideal is N times one rank's tokens/s) plus a ring-allreduce projection beyond them;
/// the one JSON file `hmtl bench --sweep` writes and `hmtl report` reads.
public struct ScalingSweep {
    /// One world size, from the `hmtl bench` line its rank 0 wrote.
    public struct Point: Sendable, Equatable {
        public var ranks: Int, threads: Int
        public var tokensPerSecond: Double, msPerStep: Double, computeMs: Double, allreduceMs: Double
        public var allreduceBytes: Double
        /// `Benchmark.Result.denseAllreduceBytes`: what the projection sends at N ranks.
        public var denseAllreduceBytes: Double
        public var isolatedAllreduceSeconds: Double, isolatedLatencySeconds: Double
        /// `Benchmark.Result.cpuShare`: shown in the table (not in the file) to tell scaling
        /// losses from cores taken by other processes.
        public var cpuShare: Double

        public init(ranks: Int, threads: Int, tokensPerSecond: Double, msPerStep: Double, computeMs: Double, allreduceMs: Double,
                    allreduceBytes: Double, denseAllreduceBytes: Double? = nil, isolatedAllreduceSeconds: Double, isolatedLatencySeconds: Double,
                    cpuShare: Double = 1) {
            self.ranks = ranks; self.threads = threads
            self.tokensPerSecond = tokensPerSecond; self.msPerStep = msPerStep; self.computeMs = computeMs; self.allreduceMs = allreduceMs
            self.allreduceBytes = allreduceBytes
            self.denseAllreduceBytes = denseAllreduceBytes ?? allreduceBytes
            self.isolatedAllreduceSeconds = isolatedAllreduceSeconds; self.isolatedLatencySeconds = isolatedLatencySeconds
            self.cpuShare = cpuShare
        }

        /// Reads `Benchmark.Result.line`; `source` names the file in errors.
        public init(line: [String: Any], source: String) throws {
            func number(_ key: String) throws -> Double {
                guard let value = line[key] as? NSNumber else { throw TrainingError("\(source): missing number \"\(key)\"") }
                return value.doubleValue
            }
            self.init(ranks: Int(try number("ranks")), threads: Int(line["threads"] as? String ?? "") ?? 0,
                      tokensPerSecond: try number("tokens_per_s"), msPerStep: try number("ms_per_step"),
                      computeMs: try number("compute_ms"), allreduceMs: try number("allreduce_ms"),
                      allreduceBytes: try number("allreduce_bytes"), denseAllreduceBytes: try number("allreduce_dense_bytes"),
                      isolatedAllreduceSeconds: try number("isolated_allreduce_us") / 1e6,
                      isolatedLatencySeconds: try number("isolated_latency_us") / 1e6, cpuShare: try number("cpu_share"))
        }
    }

    public var task: String
    public var shapes: Benchmark.Shapes
    public var cores: Int
    /// Sorted by ranks; the first must be one rank, the speed-up baseline.
    public var points: [Point]

    public init(task: String, shapes: Benchmark.Shapes, cores: Int, points: [Point]) throws {
        guard let first = points.min(by: { $0.ranks < $1.ranks }), first.ranks == 1 else {
            throw TrainingError("a scaling sweep needs a 1-rank point as the speed-up baseline")
        }
        self.task = task
        self.shapes = shapes
        self.cores = cores
        self.points = points.sorted { $0.ranks < $1.ranks }
    }

    public func speedup(_ p: Point) -> Double { p.tokensPerSecond / points[0].tokensPerSecond }
    public func efficiency(_ p: Point) -> Double { speedup(p) / Double(p.ranks) }
    /// More ranks than cores: the ranks take turns on the cores, so the point shows that the
    /// job is correct at that size, not how it scales.
    public func oversubscribed(_ p: Point) -> Bool { p.ranks > cores }

    /// The allreduce model fitted to the isolated allreduces of the smallest multi-rank point
    /// (`RingAllreduceModel.fitted`), or nil when the sweep has none.
    public var fittedModel: RingAllreduceModel? {
        guard let p = points.first(where: { $0.ranks > 1 }), p.allreduceBytes > 0, p.isolatedAllreduceSeconds > 0 else { return nil }
        return .fitted(ranks: p.ranks, smallSeconds: p.isolatedLatencySeconds, bytes: p.allreduceBytes, seconds: p.isolatedAllreduceSeconds)
    }

    /// Rows for `modelRanks` from one rank's measured compute time and the dense message size:
    /// with many ranks the union of the batches' words covers the embedding table, so the
    /// row-sparse reduction sends about as much as a dense one.
    public func projection(_ model: RingAllreduceModel, modelRanks: [Int]) -> [RingAllreduceModel.Row] {
        model.project(ranks: modelRanks, computeSeconds: points[0].computeMs / 1000, bytes: points[0].denseAllreduceBytes)
    }

    public func json(model: RingAllreduceModel, given: Bool, modelRanks: [Int]) -> [String: Any] {
        func rounded(_ x: Double, _ digits: Double = 1000) -> Double { (x * digits).rounded() / digits }
        func gigabytesPerSecond(_ bytes: Double, _ seconds: Double) -> Any { seconds > 0 && bytes > 0 ? rounded(bytes / seconds / 1e9) : NSNull() }
        let measured: [[String: Any]] = points.map { p in
            let single = p.ranks == 1
            return ["ranks": p.ranks, "threads": p.threads, "oversubscribed": oversubscribed(p),
                    "tokens_per_s": rounded(p.tokensPerSecond, 10), "ms_per_step": rounded(p.msPerStep),
                    "compute_ms": rounded(p.computeMs), "allreduce_ms": rounded(p.allreduceMs),
                    "allreduce_fraction": rounded(p.allreduceMs / p.msPerStep, 10_000), "allreduce_bytes": Int(p.allreduceBytes.rounded()),
                    "allreduce_dense_bytes": Int(p.denseAllreduceBytes.rounded()),
                    "allreduce_gbps": single ? NSNull() : gigabytesPerSecond(p.allreduceBytes, p.allreduceMs / 1000),
                    "isolated_allreduce_us": rounded(p.isolatedAllreduceSeconds * 1e6),
                    "isolated_allreduce_gbps": single ? NSNull() : gigabytesPerSecond(p.allreduceBytes, p.isolatedAllreduceSeconds),
                    "speedup": rounded(speedup(p), 10_000), "efficiency": rounded(efficiency(p), 10_000)]
        }
        let rows: [[String: Any]] = projection(model, modelRanks: modelRanks).map { r in
            ["ranks": r.ranks, "compute_ms": rounded(r.computeSeconds * 1000), "allreduce_ms": rounded(r.allreduceSeconds * 1000),
             "ms_per_step": rounded(r.stepSeconds * 1000), "speedup": rounded(r.speedup, 10_000), "efficiency": rounded(r.efficiency, 10_000)]
        }
        return ["tool": "hmtl", "kind": "sweep", "task": task,
                "shapes": ["batch": shapes.batch, "seq_len": shapes.length, "doc_len": shapes.documentLength, "word_dim": shapes.wordDimension],
                "cores": cores, "points": measured,
                "projection": ["latency_us": rounded(model.latency * 1e6), "bandwidth_gbps": rounded(model.bandwidth / 1e9),
                               "source": given ? "given" : "measured", "rows": rows]]
    }

    /// The human tables: measured points, then the projection.
    public func table(model: RingAllreduceModel, given: Bool, modelRanks: [Int]) -> String {
        func column(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        func format(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
        func gigabytesPerSecond(_ seconds: Double, _ p: Point) -> String {
            p.ranks > 1 && seconds > 0 ? format(p.allreduceBytes / seconds / 1e9, 2) : "-"
        }
        var lines = ["ranks  tokens/s   ms/step  compute  allreduce  fraction  in-step GB/s  isolated µs  isolated GB/s  CPU/wall  speed-up  efficiency"]
        for p in points {
            let cells = [column("\(p.ranks)", 5), column(format(p.tokensPerSecond, 0), 8), column(format(p.msPerStep, 1), 9),
                         column(format(p.computeMs, 1), 7), column(format(p.allreduceMs, 2), 9),
                         column(format(p.allreduceMs / p.msPerStep, 3), 8), column(gigabytesPerSecond(p.allreduceMs / 1000, p), 12),
                         column(format(p.isolatedAllreduceSeconds * 1e6, 0), 11), column(gigabytesPerSecond(p.isolatedAllreduceSeconds, p), 13),
                         column(format(p.cpuShare, 2), 8),
                         column(format(speedup(p), 2), 8), column(format(efficiency(p), 3), 10)]
            let note = oversubscribed(p) ? "  (oversubscribed: \(p.ranks) ranks on \(cores) cores, correctness only)" : ""
            lines.append(cells.joined(separator: "  ") + note)
        }
        lines.append("")
        lines.append("projection (\(given ? "given" : "fitted to the measured isolated allreduces")): ring allreduce "
            + "t = 2(N-1)·\(format(model.latency * 1e6, 1)) µs + 2(N-1)/N · \(Int(points[0].denseAllreduceBytes)) bytes (dense) / "
            + "\(format(model.bandwidth / 1e9, 2)) GB/s; compute \(format(points[0].computeMs, 1)) ms per rank")
        lines.append("ranks  compute ms  allreduce ms  ms/step  speed-up  efficiency")
        for r in projection(model, modelRanks: modelRanks) {
            lines.append([column("\(r.ranks)", 5), column(format(r.computeSeconds * 1000, 1), 10), column(format(r.allreduceSeconds * 1000, 2), 12),
                          column(format(r.stepSeconds * 1000, 1), 7), column(format(r.speedup, 1), 8), column(format(r.efficiency, 3), 10)]
                .joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
