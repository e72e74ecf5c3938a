/// Text from elsewhere (a server's titles, names and error messages) made safe to show on a
/// terminal: a character that would steer the terminal instead of being shown is written as its
/// Swift escape, `\u{1b}`. That covers C0 controls (ESC, CR, BEL, backspace…), DEL, C1 controls
/// (U+0080–U+009F, which some terminals read as CSI and OSC) and the bidirectional marks and
/// overrides (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) that make text read in
/// another order than it is. Tables and diagnostics use it; JSON and JSON Lines write the same
/// characters as `\u001b` escapes (the same values, read back), CSV as here unless `-o csv-exact`.
public enum TerminalText {
    /// The text with every steering character escaped; line feeds and tabs are kept when
    /// `keepingLines` (a multi-line message), escaped otherwise.
    public static func escaped(_ text: String, keepingLines: Bool = false) -> String {
        // Most text is printable ASCII: nothing to do.
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if keepingLines, scalar == "\n" || scalar == "\t" {
                out.unicodeScalars.append(scalar)
            } else if steers(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// True for a character a terminal acts on rather than shows.
    static func steers(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        // LINE and PARAGRAPH SEPARATOR: a line break to some terminals and viewers, a forged row.
        case 0x2028, 0x2029: true
        default: false
        }
    }
}
