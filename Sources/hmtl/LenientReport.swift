import Corpus
import Foundation

/// `--lenient`: one line per corpus path whose bad records were skipped, so a run on a
/// partly broken corpus says what it left out instead of passing over it silently.
enum LenientReport {
    static let help = "Skip bad corpus records (a sentence, document or JSON line, per format) instead of stopping at the first; report how many were skipped and why."

    static func policy(_ lenient: Bool) -> ReadPolicy { lenient ? .lenient : .strict }

    /// Writes the lines to standard output, or to standard error when stdout carries data (JSON).
    static func print(_ skipped: [(path: String, records: SkippedRecords)], toStandardError: Bool = false) {
        for (path, records) in skipped {
            let line = "hmtl: lenient: \(records.summary(source: path))\n"
            if toStandardError {
                FileHandle.standardError.write(Data(line.utf8))
            } else {
                Swift.print(line, terminator: "")
            }
        }
    }
}
