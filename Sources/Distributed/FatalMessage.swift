import Foundation

/// The report a rank writes before it stops the world; shared by both communicators so every
/// fatal error reads the same. Buffered output is flushed first: the abort kills the process
/// before stdio would, and progress lines printed just before the failure explain it.
enum FatalMessage {
    static func write(rank: Int, _ message: String) {
        fflush(nil)
        FileHandle.standardError.write(Data("hmtl: rank \(rank): \(message)\n".utf8))
    }
}
