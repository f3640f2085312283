import Foundation
import Training

/// The result of `hmtl bench --sweep`: throughput measured at several rank counts and,
/// optionally, a projection to larger counts from a latency–bandwidth model of the allreduce.
/// Only `ranks` and `tokens_per_s` are required of a point; the report shows what else is there.
struct BenchSweep: Decodable, Sendable {
    struct Point: Decodable, Sendable {
        var ranks: Int
        var threads: Int?
        var oversubscribed: Bool?
        var tokensPerS: Double
        var msPerStep: Double?
        var computeMs: Double?
        var allreduceMs: Double?
        var allreduceFraction: Double?
        var allreduceGbps: Double?
        var speedup: Double?
        var efficiency: Double?
    }

    struct ProjectionRow: Decodable, Sendable {
        var ranks: Int
        var computeMs: Double?
        var allreduceMs: Double?
        var msPerStep: Double?
        var speedup: Double?
        var efficiency: Double?
    }

    struct Projection: Decodable, Sendable {
        var latencyUs: Double?
        var bandwidthGbps: Double?
        var source: String?
        var rows: [ProjectionRow]
    }

    var kind: String
    var task: String?
    var cores: Int?
    var points: [Point]
    var projection: Projection?

    static func read(_ url: URL) throws -> BenchSweep {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw TrainingError("\(url.path): cannot read the bench sweep: \(error.localizedDescription)") }
        return try decode(data, file: url.path)
    }

    /// Errors name `file` and the offending field.
    static func decode(_ data: Data, file: String) throws -> BenchSweep {
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
    var efficiencyIsPercent: Bool {
        (points.compactMap(\.efficiency) + (projection?.rows.compactMap(\.efficiency) ?? [])).contains { $0 > 1.5 }
    }

    /// Tokens per second per unit of speedup — the single-rank throughput the speedups are
    /// relative to — from the fewest-rank point that is not oversubscribed (else the first).
    /// The ideal line and the projected throughputs scale it.
    var baseline: Double? {
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
