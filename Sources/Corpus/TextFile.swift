import Foundation

/// The lines of a UTF-8 text file, loaded with every whole-file failure (missing, a directory,
/// not a regular file, unreadable, not UTF-8, empty) turned into a `CorpusError` so readers only
/// deal with content.
public struct TextFile: Sendable {
    public let path: String
    /// Lines without terminators; `\n`, `\r\n` and `\r` all end a line.
    public let lines: [Substring]

    public init(path: String) throws {
        try self.init(path: path, text: Self.contents(of: path))
    }

    /// The whole text of the regular UTF-8 file at `path`; also for readers of other file
    /// kinds (the JSON run config) that want the same whole-file errors.
    public static func contents(of path: String) throws(CorpusError) -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw CorpusError(path: path, message: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw CorpusError(path: path, message: "is a directory, expected a text file")
        }
        // A FIFO or a device (/dev/zero) would block or never end: only regular files, after
        // following symbolic links, are read.
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw CorpusError(path: path, message: "is not a regular file, expected a text file")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CorpusError(path: path, message: "cannot read file (\(error.localizedDescription))")
        }
        return try text(decoding: data, path: path)
    }

    /// `data` as UTF-8 text; invalid UTF-8 is a whole-file error (see `ReadPolicy`).
    public static func text(decoding data: Data, path: String) throws(CorpusError) -> String {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw CorpusError(path: path, message: "file is not valid UTF-8 text")
        }
        return text
    }

    /// Content already in memory (tests, or callers that fetched it elsewhere); `path` only names it.
    public init(path: String, text: String) throws {
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw CorpusError(path: path, message: "file is empty")
        }
        self.path = path
        // "\r\n" is a single Character, so splitting on isNewline handles every line ending.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }
        self.lines = lines
    }

    /// An error on the line at 0-based `index`, reported 1-based.
    public func error(atIndex index: Int, _ message: String) -> CorpusError {
        CorpusError(path: path, line: index + 1, message: message)
    }
}
