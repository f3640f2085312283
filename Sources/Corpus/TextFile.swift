import Foundation

/// The lines of a UTF-8 text file, loaded with every whole-file failure (missing, a directory,
/// not a regular file, unreadable, empty) turned into a `CorpusError` so readers only deal with
/// content.
///
/// Bytes that are not UTF-8 are a fault of the lines that hold them, and the error names the
/// first such line. Corpus readers load with `.keep`: such a line is then kept with U+FFFD in
/// place of the bad bytes and listed in `invalidUTF8`, and `checkLine` rejects it, so a lenient
/// read skips only its record. (A line break is always the byte it is in ASCII: UTF-8 never uses
/// bytes below 0x80 inside a multi-byte sequence, so bad bytes cannot hide or invent one.)
public struct TextFile: Sendable {
    /// What a line that is not valid UTF-8 does to the load.
    public enum UndecodableLines: Sendable {
        /// Fails it, naming the line: for readers that do not check their lines.
        case fail
        /// Stays, repaired and listed in `invalidUTF8`, for `checkLine` to reject.
        case keep
    }

    public let path: String
    /// Lines without terminators; `\n`, `\r\n` and `\r` all end a line.
    public let lines: [Substring]
    /// 0-based indices of the lines that held bytes which are not UTF-8, each with what is wrong
    /// (always empty unless loaded with `.keep`).
    public let invalidUTF8: [Int: String]

    public init(path: String, undecodable: UndecodableLines = .fail) throws {
        try self.init(path: path, data: Self.bytes(of: path), undecodable: undecodable)
    }

    /// The lines of `data`; `path` only names it.
    public init(path: String, data: Data, undecodable: UndecodableLines = .fail) throws {
        let decoded = Self.decodeRepairing(data)
        if undecodable == .fail, let first = decoded.invalid.min(by: { $0.key < $1.key }) {
            throw CorpusError(path: path, line: first.key + 1, message: first.value)
        }
        try self.init(path: path, text: decoded.text, invalidUTF8: decoded.invalid)
    }

    /// Content already in memory (tests, or callers that fetched it elsewhere); `path` only names it.
    public init(path: String, text: String) throws {
        try self.init(path: path, text: text, invalidUTF8: [:])
    }

    private init(path: String, text: String, invalidUTF8: [Int: String]) throws {
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw CorpusError(path: path, message: "file is empty")
        }
        self.path = path
        // "\r\n" is a single Character, so splitting on isNewline handles every line ending.
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        if lines.last?.isEmpty == true { lines.removeLast() }
        self.lines = lines
        self.invalidUTF8 = invalidUTF8
    }

    /// The whole text of the regular UTF-8 file at `path`; also for readers of other file
    /// kinds (the JSON run config) that want the same whole-file errors.
    public static func contents(of path: String) throws(CorpusError) -> String {
        try text(decoding: bytes(of: path), path: path)
    }

    /// `data` as UTF-8 text; bytes that are not UTF-8 are an error naming the first line that
    /// holds some.
    public static func text(decoding data: Data, path: String) throws(CorpusError) -> String {
        let decoded = decodeRepairing(data)
        if let first = decoded.invalid.min(by: { $0.key < $1.key }) {
            throw CorpusError(path: path, line: first.key + 1, message: first.value)
        }
        return decoded.text
    }

    private static func bytes(of path: String) throws(CorpusError) -> Data {
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
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw CorpusError(path: path, message: "cannot read file (\(error.localizedDescription))")
        }
    }

    /// `data` decoded with every invalid UTF-8 sequence replaced by U+FFFD, and the lines
    /// (0-based, counted as `lines` splits them) that held one, with the first bad byte of each.
    private static func decodeRepairing(_ data: Data) -> (text: String, invalid: [Int: String]) {
        if let text = String(validating: data, as: UTF8.self) { return (text, [:]) }
        let bytes = [UInt8](data)
        var scalars = String.UnicodeScalarView()
        var invalid: [Int: String] = [:]
        var line = 0, lineStart = 0, offset = 0, afterCarriageReturn = false
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes.makeIterator()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                let scalar = Unicode.UTF8.decode(encoded)
                scalars.append(scalar)
                offset += encoded.count
                // "\r\n" ends one line, as the Character it forms does for `split`.
                if Character(scalar).isNewline && !(scalar == "\n" && afterCarriageReturn) { line += 1 }
                if Character(scalar).isNewline { lineStart = offset }
                afterCarriageReturn = scalar == "\r"
            case .error(let length):
                if invalid[line] == nil {
                    let shown = bytes[offset..<offset + length].map { String(format: "0x%02X", $0) }.joined(separator: " ")
                    invalid[line] = "not valid UTF-8: \(length == 1 ? "byte" : "bytes") \(shown) at byte \(offset - lineStart + 1) of the line (the file must be UTF-8 text)"
                }
                scalars.append("\u{FFFD}")
                offset += length
                afterCarriageReturn = false
            case .emptyInput:
                return (String(scalars), invalid)
            }
        }
    }

    /// An error on the line at 0-based `index`, reported 1-based.
    public func error(atIndex index: Int, _ message: String) -> CorpusError {
        CorpusError(path: path, line: index + 1, message: message)
    }
}
