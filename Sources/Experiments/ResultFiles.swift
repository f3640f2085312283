import Foundation
import Training

/// How an experiment's files are written: whole, through a temporary file renamed over the old
/// one, so that a reader (or a rerun deciding whether a run is finished) never sees half a file.
enum ResultFiles {
    /// Pretty-printed, keys sorted (the files diff cleanly between sittings).
    static func writeJSON(_ value: some Encodable, to url: URL, what: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data: Data
        do { data = try encoder.encode(value) } catch { throw TrainingError("\(url.path): cannot encode the \(what): \(error)") }
        try write(data, to: url, what: what)
    }

    static func write(_ data: Data, to url: URL, what: String) throws {
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw TrainingError("\(url.path): cannot write the \(what) (\(error.localizedDescription))")
        }
    }
}
