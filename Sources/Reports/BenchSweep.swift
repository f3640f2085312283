import Foundation
import Training

/// The result of `hmtl bench --sweep`: throughput measured at several rank counts and,
/// optionally, a projection to larger counts from a latency–bandwidth model of the allreduce.
/// Only `ranks` and `tokens_per_s` are required of a point; the report shows what else is there.
public struct BenchSweep: Decodable, Sendable {
    public struct Point: Decodable, Sendable {
        public var ranks: Int
        public var threads: Int?
        public var oversubscribed: Bool?
        public var tokensPerS: Double
        public var msPerStep: Double?
        public var computeMs: Double?
        public var allreduceMs: Double?
        public var allreduceFraction: Double?
        public var allreduceGbps: Double?
        public var speedup: Double?
        public var efficiency: Double?
    }

    public struct ProjectionRow: Decodable, Sendable {
        public var ranks: Int
        public var computeMs: Double?
        public var allreduceMs: Double?
        public var msPerStep: Double?
        public var speedup: Double?
        public var efficiency: Double?
    }

    public struct Projection: Decodable, Sendable {
        public var latencyUs: Double?
        public var bandwidthGbps: Double?
        public var source: String?
        public var rows: [ProjectionRow]
    }

    public var kind: String
    public var task: String?
    public var cores: Int?
    public var points: [Point]
    public var projection: Projection?

    public static func read(_ url: URL) throws -> BenchSweep {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TrainingError("\(url.path): cannot read the bench sweep: \(error.localizedDescription)") }
        return try decode(data, file: url.path)
    }

    /// Errors name `file` and the offending field.
    public static func decode(_ data: Data, file: String) throws -> BenchSweep {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let sweep: BenchSweep
        do {
            sweep = try decoder.decode(BenchSweep.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            throw TrainingError("\(file): bench sweep: missing field \(Self.path(context.codingPath + [key]))")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw TrainingError("\(file): bench sweep: field \(Self.path(context.codingPath)): \(context.debugDescription)")
        } catch {
            throw TrainingError("\(file): expected the JSON object `hmtl bench --sweep` writes")
        }
        guard sweep.kind == "sweep" else { throw TrainingError("\(file): expected \"kind\": \"sweep\", got \"\(sweep.kind)\"") }
        return sweep
    }

    /// Efficiency as a fraction of ideal: files may give it as a fraction or in percent.
    public var efficiencyIsPercent: Bool {
        (points.compactMap(\.efficiency) + (projection?.rows.compactMap(\.efficiency) ?? [])).contains { $0 > 1.5 }
    }

    /// Tokens per second per unit of speedup — the single-rank throughput the speedups are
    /// relative to — from the fewest-rank point that is not oversubscribed (else the first).
    /// The ideal line and the projected throughputs scale it.
    public var baseline: Double? {
        let candidates = points.filter { $0.oversubscribed != true && $0.tokensPerS > 0 }.sorted { $0.ranks < $1.ranks }
        guard let base = candidates.first ?? points.min(by: { $0.ranks < $1.ranks }) else { return nil }
        return base.tokensPerS / (base.speedup ?? Double(base.ranks))
    }

    /// `points[0].tokens_per_s`: the field as the file spells it (the decoder's keys are camel case).
    private static func path(_ keys: [CodingKey]) -> String {
        let parts = keys.map { key in
            key.intValue.map { "[\($0)]" } ?? "." + key.stringValue.map { $0.isUppercase ? "_" + $0.lowercased() : String($0) }.joined()
        }
        return String(parts.joined().drop { $0 == "." })
    }
}
