extension String {
    /// The text with the five XML special characters replaced by entities, safe both as
    /// element content and inside a double- or single-quoted attribute. Every string a report
    /// writes into HTML or SVG — task names, file names, config text — goes through this, so a
    /// run folder named `<a&b>` cannot break (or inject into) the page.
    public var xmlEscaped: String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for character in self {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
